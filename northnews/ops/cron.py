"""``northnews-cron``: one unattended, incremental crawl that a scheduler can trust.

    northnews-cron [scrapy crawl options…]
    northnews-cron -a refresh=2 -s NORTHNEWS_ARCHIVE_DIR=/srv/nn

Every argument is passed to ``scrapy crawl articles``. A run:

1. takes an exclusive ``flock`` on ``<archive>/northnews.lock``; if another run holds it, prints
   who and exits 3 at once, having written nothing;
2. closes the books on runs a kill left ``running`` in the store, and recovers the ``.open``
   WARC files they left (truncated to their last complete record, indexed, closed);
3. runs the crawl as a child process (``python -m scrapy crawl articles …``) that inherits the
   lock, its output going to ``<archive>/runs/<run id>.log``;
4. writes ``<archive>/runs/<run id>.json``, the run manifest, and exits with one of the codes
   below. A one-line summary goes to stdout on success, to stderr otherwise.

Why a child process rather than a ``CrawlerProcess`` in this one: the wrapper outlives the crawl,
so a crawl that dies hard (OOM kill, segfault, an exception that escapes Scrapy) still gets a
manifest, a ``crashed`` exit code and its run closed in the store; each run gets a fresh reactor;
and the crawl is exactly the documented ``scrapy crawl articles`` (argument checks included).
If this wrapper is killed, the child receives SIGTERM (``PR_SET_PDEATHSIG``) and shuts down
cleanly; SIGTERM/SIGINT/SIGHUP sent to the wrapper are passed on to the crawl once.

Secrets never reach the manifest or the log: the ``command`` recorded and the ``crawl:`` log line
are redacted (header values, URL credentials, secret ``-s`` values: :mod:`northnews.util.redact`),
and so is every line the crawl logs. Everything is written with umask 027 (files 0640,
directories 0750), in the group ``NORTHNEWS_FILE_GROUP`` names if set.

A full disk: the crawl stops cleanly (the WARC writer, the store, the feed and the rejects stop
it with finish reason ``northnews_warc_error``/``northnews_write_error``); the manifest goes into
the archive or, when that fails, into a fallback directory (``$XDG_STATE_HOME/northnews/runs``,
``~/.local/state/northnews/runs``, ``/tmp/northnews-runs``), and the run exits 9.

Exit codes:

== ============================================================================================
0  success
2  usage error (a bad ``-a``/``-s`` argument; nothing crawled): the crawl's own one-line error
3  another run holds the archive's lock (nothing done)
4  site unreachable: no page answered (every request failed or got a 5xx), or robots.txt
   disallows an edition's start page (nothing of it crawled)
5  errors over ``NORTHNEWS_MAX_ERROR_RATE`` (failed requests and exceptions / requests)
6  crashed or interrupted: the crawl died or was killed (SIGKILL, OOM) before finishing
7  layout drift: too many generic-path or quarantined article pages (``NORTHNEWS_DRIFT_*``);
   or no link matched the profile's article rule, or nothing was archived though the store holds
   articles of the site (:func:`northnews.crawl.stats.silent_zero`: no silent zero)
8  terminated: SIGTERM, SIGINT or SIGHUP stopped the run (passed on to the crawl, which shut
   down cleanly: what it stored is kept, and the next run resumes)
9  write error: the archive could not be written (disk full, I/O error); the crawl stopped
   cleanly, the store is consistent, the manifest may be in a fallback directory
== ============================================================================================
"""

from __future__ import annotations

import argparse
import ctypes
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from northnews import config
from northnews.archive.lock import LOCK_FD_ENV, ArchiveLock, LockHeld
from northnews.ops.manifest import (  # noqa: F401  (the exit codes are part of cron's interface)
    EXIT_CRASHED,
    EXIT_ERROR_RATE,
    EXIT_LAYOUT_DRIFT,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    EXIT_WRITE_ERROR,
    STATUS_BY_CODE,
    Options,
    build_manifest,
    classify,
)
from northnews.ops.runfiles import RunLog, crawl_usage_error, disk_full_in, new_run_id, tail, write_manifest
from northnews.ops.store import DB_ERRORS, StoreError, iso, open_store
from northnews.util import storeguard
from northnews.util.clock import utc_now
from northnews.util.cmdline import name_value_pairs
from northnews.util.fileperms import prepare_archive_dir, private_umask
from northnews.util.pg import is_pg_url
from northnews.util.redact import redact_command
from northnews.view.report import write_run_report

PROG = "northnews-cron"
SPIDER = "articles"


def parse_options(argv: Sequence[str]) -> Options:
    """Read what the wrapper itself needs from the crawl arguments (all are passed through)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-s", "--set", action="append", default=[])
    parser.add_argument("-a", action="append", default=[])
    known, _ = parser.parse_known_args(list(argv))
    overrides = name_value_pairs(known.set, "-s")
    spider_args = name_value_pairs(known.a, "-a")
    if "replay" in spider_args:
        raise ValueError("-a replay: a cron run archives the live site; replay with `scrapy crawl articles -a replay=…`")

    settings_module = None
    from scrapy.utils.conf import closest_scrapy_cfg

    if not os.environ.get("SCRAPY_SETTINGS_MODULE") and not closest_scrapy_cfg():
        # Run from anywhere (cron's cwd is $HOME): the installed package's settings.
        settings_module = "northnews.settings"
        os.environ["SCRAPY_SETTINGS_MODULE"] = settings_module
    from scrapy.utils.project import get_project_settings


    config.check_cmdline_pairs(known.set)
    settings = get_project_settings()
    settings.setdict(overrides, priority="cmdline")
    # The crawl checks again; this spares a child process (ConfigError is a ValueError). The archive
    # directory is checked (and created) last, once nothing else is wrong.
    config.validate(settings, check_paths=False)
    if not settings.getbool("NORTHNEWS_STORE_ENABLED", True):
        raise ValueError("-s NORTHNEWS_STORE_ENABLED: a cron run is recorded in the store; it cannot be off")
    try:
        max_rate = settings.getfloat("NORTHNEWS_MAX_ERROR_RATE", 0.05)
    except ValueError:
        raise ValueError(f"-s NORTHNEWS_MAX_ERROR_RATE: expected a number, got {settings.get('NORTHNEWS_MAX_ERROR_RATE')!r}") from None
    from northnews.sites import DEFAULT_SITE, SiteError, load_site

    try:
        site = load_site(spider_args.get("site") or settings.get("NORTHNEWS_SITE") or DEFAULT_SITE).name
    except SiteError as exc:
        raise ValueError(f"-a site: {exc}") from None
    config.check_writable_dir("NORTHNEWS_ARCHIVE_DIR", str(config.archive_dir(settings)))
    return Options(
        site=site,
        archive_dir=config.archive_dir(settings).resolve(),
        max_error_rate=max_rate,
        crawl_args=list(argv),
        settings_module=settings_module,
        spider_args=spider_args,
        redact_headers=settings.getlist("NORTHNEWS_REDACT_HEADERS"),
        file_group=settings.get("NORTHNEWS_FILE_GROUP") or "",
        store_url=str(settings.get("NORTHNEWS_STORE_URL") or "").strip(),
    )


def _die_with_parent() -> None:  # runs in the child between fork and exec
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _listing(warc_dir: Path) -> set[str]:
    return {p.name for p in warc_dir.glob("*.warc.gz")} if warc_dir.is_dir() else set()


def _open_files(warc_dir: Path) -> list[str]:
    return sorted(p.name for p in warc_dir.glob("*.open")) if warc_dir.is_dir() else []


def run(argv: Sequence[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return EXIT_OK
    private_umask()  # files 0640, directories 0750 (before anything is created, the archive dir included)
    try:
        opts = parse_options(argv)
    except ValueError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    archive = opts.archive_dir
    try:
        prepare_archive_dir(archive, opts.file_group or None)
    except (OSError, LookupError) as exc:
        print(f"{PROG}: error: {archive}: {exc}", file=sys.stderr)
        return EXIT_USAGE if isinstance(exc, LookupError) else EXIT_WRITE_ERROR
    # A shared store: one lock per site of the archive dir, and the site in the run id.
    scope = opts.site if is_pg_url(opts.store_url) else None
    run_id = new_run_id(archive / "runs", scope)
    lock = ArchiveLock(archive, scope)
    try:
        lock.acquire(run_id)
    except LockHeld as exc:
        print(f"{PROG}: {exc}; exiting (code {EXIT_LOCKED})", file=sys.stderr)
        return EXIT_LOCKED

    try:
        refused = storeguard.preflight(archive)  # a damaged, busy or read-only archive: one line
        if refused is not None:
            print(f"{PROG}: error: {refused}; exiting (code {refused.exit_code})", file=sys.stderr)
            return refused.exit_code
        return _locked_run(opts, run_id, lock)
    finally:
        lock.release()


def _locked_run(opts: Options, run_id: str, lock: ArchiveLock) -> int:
    archive = opts.archive_dir
    runs_dir = archive / "runs"
    log_path = runs_dir / f"{run_id}.log"
    warc_dir = archive / "warc"
    started_mono = time.monotonic()
    started = iso(utc_now())
    command = [sys.executable, "-m", "scrapy", "crawl", SPIDER, *opts.crawl_args,
               "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}", "-s", f"NORTHNEWS_RUN_ID={run_id}"]
    shown = redact_command(command, opts.redact_headers)
    returncode: int | None = None
    recovered: list[dict[str, Any]] = []
    interrupted: list[str] = []
    problems: list[str] = []  # what this wrapper could not write
    refused: StoreError | None = None  # the store refused to open (northnews.util.storeguard)
    try:
        runs_dir.mkdir(exist_ok=True)
    except OSError as exc:
        problems.append(f"{runs_dir}: {exc.strerror or exc}")
    log = RunLog(log_path)
    log.say(f"run {run_id} started (pid {os.getpid()}), archive {archive}")
    try:
        with open_store(archive, opts.store_url) as store:
            # A shared store (a fleet's server): only this site's runs are this run's to close.
            interrupted = store.close_stale_runs("killed", site=opts.site if store.shared else None)
    except StoreError as exc:  # refused by northnews.util.storeguard (busy, damaged): not a full disk
        code = getattr(exc, "exit_code", EXIT_USAGE)
        log.say(f"store refused, nothing crawled: {exc} (exit {code})")
        log.close()
        print(f"{PROG}: error: {exc}; exiting (code {code})", file=sys.stderr)
        return code
    except (OSError,) + DB_ERRORS as exc:  # not (OSError, *DB_ERRORS): mypy cannot read that
        problems.append(f"store: {exc}")
    for stale in interrupted:
        log.say(f"run {stale} was left running by a killed crawl: closed as 'killed'")
    try:
        from northnews.archive.digests import PgDigestIndex
        from northnews.archive.recover import recover_all

        # A shared store keeps the fleet's file manifest: recovered files are entered there.
        index = PgDigestIndex(opts.store_url) if is_pg_url(opts.store_url) else None
        try:
            recoveries = recover_all(archive, index)
        finally:
            if index is not None:
                index.close()
        for rec in recoveries:
            log.say(f"WARC recovery: {rec.describe()}")
            recovered.append({
                "file": rec.path.name, "outcome": rec.outcome,
                "final": rec.final.name if rec.final else None,
                "records": rec.records, "dropped_bytes": rec.dropped_bytes,
            })
    except Exception as exc:  # reported, and the crawl goes on: it writes new files
        log.say(f"WARC recovery failed: {type(exc).__name__}: {exc}")
        recovered.append({"error": f"{type(exc).__name__}: {exc}"})
    before = _listing(warc_dir)

    env = dict(os.environ, **{LOCK_FD_ENV: str(lock.fd)})
    log.say("crawl: " + " ".join(shown))
    out = log.fileno()
    child = subprocess.Popen(
        command, stdout=out if out is not None else subprocess.DEVNULL, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, env=env, pass_fds=(lock.fd,) if lock.fd is not None else (),
        preexec_fn=_die_with_parent, process_group=0,
    )
    received: list[int] = []
    forwarded = _forward_signals(child, received)
    try:
        returncode = child.wait()
    finally:
        _restore_signals(forwarded)

    lines = tail(log_path)
    write_error = next(iter(problems), None) or log.failed or disk_full_in(lines) or _disk_full(archive)
    crawl = None
    totals: dict[str, int] = {}
    code, reason = classify(
        returncode, None, opts.max_error_rate, usage=crawl_usage_error(lines),
        stopped_by=received[0] if received else None, write_error=write_error,
    )
    try:
        with open_store(archive, opts.store_url) as store:
            crawl = store.get_run(run_id)
            code, reason = classify(
                returncode, crawl, opts.max_error_rate, usage=crawl_usage_error(lines),
                stopped_by=received[0] if received else None, write_error=write_error,
            )
            if crawl is not None and crawl["status"] == "running":
                store.end_run(run_id, status=STATUS_BY_CODE[code], complete=False, note=reason)
                crawl = store.get_run(run_id)
            totals = store.counts(opts.site)
    except StoreError as exc:  # busy (exit 3) or damaged (2): said as such, never "free space"
        refused = exc
    except (OSError,) + DB_ERRORS as exc:  # not (OSError, *DB_ERRORS): mypy cannot read that
        if code not in (EXIT_USAGE, EXIT_WRITE_ERROR):
            code, reason = EXIT_WRITE_ERROR, f"the archive could not be written (store: {exc}): free space, then rerun"
    if refused is not None and code not in (EXIT_USAGE, EXIT_WRITE_ERROR):
        code, reason = getattr(refused, "exit_code", EXIT_USAGE), f"store refused: {refused}"
    manifest = build_manifest(
        run_id=run_id, exit_code=code, reason=reason, started=started, ended=iso(utc_now()),
        duration=time.monotonic() - started_mono, opts=opts, command=shown,
        returncode=returncode, run=crawl, recovered=recovered, interrupted_runs=interrupted,
        closed=sorted(_listing(warc_dir) - before), open_left=_open_files(warc_dir),
        totals=totals,
    )
    manifest_path, manifest_error = write_manifest(runs_dir, run_id, manifest)
    write_run_report(manifest_path, manifest, store_url=opts.store_url)  # runs/<run id>.html beside it; never raises
    log.say(f"run {run_id} ended: {STATUS_BY_CODE[code]} (exit {code}): {reason}")
    log.close()

    a, p, e = manifest["articles"], manifest["pages"], manifest["errors"]
    where = str(manifest_path) if manifest_path else f"not written ({manifest_error})"
    if manifest_error and manifest_path:
        where += f" (fallback: {manifest_error})"
    line = (
        f"{PROG}: run {run_id} {STATUS_BY_CODE[code]}"
        + ("" if code == EXIT_OK else f" (exit {code}: {reason})")
        + f": {p['fetched']} pages ({p['article']} article pages), {a['new']} new, {a['updated']} updated,"
        f" {a['unchanged']} unchanged, {a['rejected']} rejected, {manifest['pending']['recorded']} pending,"
        f" {e['total']} errors; manifest {where}"
    )
    try:
        print(line, file=sys.stdout if code == EXIT_OK else sys.stderr, flush=True)
    except OSError:
        pass
    return code


def _disk_full(archive: Path, margin: int = 1 << 20) -> str | None:
    """``"disk full"`` when the archive's file system has less than ``margin`` bytes left."""
    try:
        free = shutil.disk_usage(archive).free
    except OSError:
        return None
    return f"{free} bytes free on the archive's file system" if free < margin else None


def _forward_signals(child: subprocess.Popen[Any], received: list[int]) -> dict[int, Any]:
    def forward(signum: int, frame: Any) -> None:
        received.append(signum)
        try:
            child.send_signal(signal.SIGTERM if signum == signal.SIGHUP else signum)
        except ProcessLookupError:
            pass

    previous: dict[int, Any] = {}
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        previous[signum] = signal.signal(signum, forward)
    return previous


def _restore_signals(previous: dict[int, Any]) -> None:
    for signum, handler in previous.items():
        signal.signal(signum, handler)


def main(argv: Sequence[str] | None = None) -> int:
    code = run(sys.argv[1:] if argv is None else argv)
    if argv is None:
        sys.exit(code)
    return code


if __name__ == "__main__":
    main()
