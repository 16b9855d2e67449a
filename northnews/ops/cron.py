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

Exit codes:

== ============================================================================================
0  success
2  usage error (a bad ``-a``/``-s`` argument; nothing crawled)
3  another run holds the archive's lock (nothing done)
4  site unreachable: no page answered (every request failed or got a 5xx)
5  errors over ``NORTHNEWS_MAX_ERROR_RATE`` (failed requests and exceptions / requests)
6  crashed or interrupted: the crawl died, was killed or shut down before finishing
== ============================================================================================
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from northnews.archive.lock import LOCK_FD_ENV, ArchiveLock, LockHeld
from northnews.ops.incremental import new_run_id
from northnews.ops.manifest import (  # noqa: F401  (the exit codes are part of cron's interface)
    EXIT_CRASHED,
    EXIT_ERROR_RATE,
    EXIT_LAYOUT_DRIFT,
    EXIT_LOCKED,
    EXIT_OK,
    EXIT_UNREACHABLE,
    EXIT_USAGE,
    STATUS_BY_CODE,
    build_manifest,
    classify,
)
from northnews.ops.store import Store, iso
from northnews.util.clock import utc_now

PROG = "northnews-cron"
SPIDER = "articles"


@dataclass
class Options:
    archive_dir: Path
    max_error_rate: float
    crawl_args: list[str]
    settings_module: str | None = None
    spider_args: dict[str, str] = field(default_factory=dict)
    site: str = "northnews"


def _pairs(values: Sequence[str] | None, what: str) -> dict[str, str]:
    out = {}
    for value in values or ():
        name, sep, val = value.partition("=")
        if not sep or not name:
            raise ValueError(f"{what} {value!r}: expected NAME=VALUE")
        out[name] = val
    return out


def parse_options(argv: Sequence[str]) -> Options:
    """Read what the wrapper itself needs from the crawl arguments (all are passed through)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("-s", "--set", action="append", default=[])
    parser.add_argument("-a", action="append", default=[])
    known, _ = parser.parse_known_args(list(argv))
    overrides = _pairs(known.set, "-s")
    spider_args = _pairs(known.a, "-a")
    if "replay" in spider_args:
        raise ValueError("-a replay: a cron run archives the live site; replay with `scrapy crawl articles -a replay=…`")

    settings_module = None
    from scrapy.utils.conf import closest_scrapy_cfg

    if not os.environ.get("SCRAPY_SETTINGS_MODULE") and not closest_scrapy_cfg():
        # Run from anywhere (cron's cwd is $HOME): the installed package's settings.
        settings_module = "northnews.settings"
        os.environ["SCRAPY_SETTINGS_MODULE"] = settings_module
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.setdict(overrides, priority="cmdline")
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
    return Options(
        site=site,
        archive_dir=Path(settings.get("NORTHNEWS_ARCHIVE_DIR", "archive")).resolve(),
        max_error_rate=max_rate,
        crawl_args=list(argv),
        settings_module=settings_module,
        spider_args=spider_args,
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


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def _say(log: Any, message: str) -> None:
    log.write(f"{iso(utc_now())} [northnews.cron] {message}\n")
    log.flush()


def run(argv: Sequence[str]) -> int:
    if any(a in ("-h", "--help") for a in argv):
        print(__doc__)
        return EXIT_OK
    try:
        opts = parse_options(argv)
    except ValueError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    archive = opts.archive_dir
    archive.mkdir(parents=True, exist_ok=True)
    run_id = new_run_id()
    lock = ArchiveLock(archive)
    try:
        lock.acquire(run_id)
    except LockHeld as exc:
        print(f"{PROG}: {exc}; exiting (code {EXIT_LOCKED})", file=sys.stderr)
        return EXIT_LOCKED

    try:
        return _locked_run(opts, run_id, lock)
    finally:
        lock.release()


def _locked_run(opts: Options, run_id: str, lock: ArchiveLock) -> int:
    archive = opts.archive_dir
    runs_dir = archive / "runs"
    runs_dir.mkdir(exist_ok=True)
    log_path = runs_dir / f"{run_id}.log"
    warc_dir = archive / "warc"
    started_mono = time.monotonic()
    started = iso(utc_now())
    command = [sys.executable, "-m", "scrapy", "crawl", SPIDER, *opts.crawl_args,
               "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}", "-s", f"NORTHNEWS_RUN_ID={run_id}"]
    returncode: int | None = None
    recovered: list[dict[str, Any]] = []
    with open(log_path, "a", encoding="utf-8") as log:
        _say(log, f"run {run_id} started (pid {os.getpid()}), archive {archive}")
        with Store.open(archive) as store:
            interrupted = store.close_stale_runs("killed")
        for stale in interrupted:
            _say(log, f"run {stale} was left running by a killed crawl: closed as 'killed'")
        try:
            from northnews.archive.recover import recover_all

            for rec in recover_all(archive):
                _say(log, f"WARC recovery: {rec.describe()}")
                recovered.append({
                    "file": rec.path.name, "outcome": rec.outcome,
                    "final": rec.final.name if rec.final else None,
                    "records": rec.records, "dropped_bytes": rec.dropped_bytes,
                })
        except Exception as exc:  # reported, and the crawl goes on: it writes new files
            _say(log, f"WARC recovery failed: {type(exc).__name__}: {exc}")
            recovered.append({"error": f"{type(exc).__name__}: {exc}"})
        before = _listing(warc_dir)

        env = dict(os.environ, **{LOCK_FD_ENV: str(lock.fd)})
        _say(log, "crawl: " + " ".join(command))
        child = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env,
            pass_fds=(lock.fd,) if lock.fd is not None else (), preexec_fn=_die_with_parent,
            process_group=0,
        )
        forwarded = _forward_signals(child)
        try:
            returncode = child.wait()
        finally:
            _restore_signals(forwarded)

        with Store.open(archive) as store:
            crawl = store.get_run(run_id)
            code, reason = classify(returncode, crawl, opts.max_error_rate)
            if crawl is not None and crawl["status"] == "running":
                store.end_run(run_id, status="crashed", complete=False, note=reason)
                crawl = store.get_run(run_id)
            totals = store.counts(opts.site)
        ended = iso(utc_now())
        manifest = build_manifest(
            run_id=run_id, exit_code=code, reason=reason, started=started, ended=ended,
            duration=time.monotonic() - started_mono, opts=opts, command=command,
            returncode=returncode, run=crawl, recovered=recovered, interrupted_runs=interrupted,
            closed=sorted(_listing(warc_dir) - before), open_left=_open_files(warc_dir),
            totals=totals,
        )
        manifest_path = runs_dir / f"{run_id}.json"
        _write_json(manifest_path, manifest)
        _say(log, f"run {run_id} ended: {STATUS_BY_CODE[code]} (exit {code}): {reason}")

    a, p, e = manifest["articles"], manifest["pages"], manifest["errors"]
    line = (
        f"{PROG}: run {run_id} {STATUS_BY_CODE[code]}"
        + ("" if code == EXIT_OK else f" (exit {code}: {reason})")
        + f": {p['fetched']} pages ({p['article']} article pages), {a['new']} new, {a['updated']} updated,"
        f" {a['unchanged']} unchanged, {a['rejected']} rejected, {e['total']} errors;"
        f" manifest {manifest_path}"
    )
    print(line, file=sys.stdout if code == EXIT_OK else sys.stderr, flush=True)
    return code


def _forward_signals(child: subprocess.Popen[Any]) -> dict[int, Any]:
    def forward(signum: int, frame: Any) -> None:
        try:
            child.send_signal(signal.SIGTERM if signum == signal.SIGHUP else signum)
        except ProcessLookupError:
            pass

    previous = {}
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
