"""``northnews-archive``: check, recover, index and list the WARC archive.

Usage (``ARCHIVE`` defaults to ``NORTHNEWS_ARCHIVE_DIR`` of the Scrapy project, else ``archive``)::

    northnews-archive [-d ARCHIVE] check [--recover] [--repair] [-v] [PATH ...]
    northnews-archive [-d ARCHIVE] recover
    northnews-archive [-d ARCHIVE] index [--merged OUT.cdxj] [PATH ...]
    northnews-archive [-d ARCHIVE] list [--json] [--requests] [--url-contains TEXT] [PATH ...]
    northnews-archive [-d ARCHIVE] store-check [DB ...]
    northnews-archive [-d ARCHIVE] store-backup OUT [--file store|digests] [--follow-symlinks]

``check`` runs ``warcio check`` (digests, gzip checksums) on every WARC and adds what it does not
see: every gzip member ends and every block matches its Content-Length (a kill can cut a last
record in half and ``warcio check`` still passes), the file equals its manifest entry (size, sha1,
record count: catches a file cut at a record boundary), it starts with ``warcinfo``, its CDXJ index
exists (see :mod:`northnews.archive.check`). ``.open`` files held by a running crawl are reported
and skipped; others were left by a killed crawl: a failure, unless ``--recover`` recovers them
first (as ``recover`` does). ``--repair`` first completes the manifest entry and CDXJ index of
closed files a kill left without them. Every command reads each file once, in flat memory, and
reads any WARC warcio reads (wget's, warcio's, Heritrix's).
Damage is read past (:mod:`northnews.archive.scan`): ``check``, ``index`` and ``list`` go on at
the next intact record, keep (list, index) every intact one, and name each damaged span (file,
offset, records lost); ``index`` says when an index shrinks and which captures it lost.
Exit status: 0 when every file passes, 1 otherwise (damage, a failed check, a shrunk index),
2 on usage errors.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from northnews import config
from northnews.archive import cdxj
from northnews.archive.check import check_file, open_manifest
from northnews.archive.digests import DB_NAME
from northnews.archive.lock import LOCK_FD_ENV, ArchiveLock, LockHeld
from northnews.archive.paths import OPEN_SUFFIX, iter_warc_files, relative_name, warc_root
from northnews.archive.recover import Recovery, Repair, recover_all, repair_all
from northnews.archive.scan import Damage, WarcScan
from northnews.util import safewrite, storeguard


def default_archive_dir() -> str:
    try:
        from scrapy.utils.project import get_project_settings

        return str(config.archive_dir(get_project_settings()))
    except Exception:  # noqa: BLE001 - outside a project the plain default applies
        return "archive"


def _in_use(path: Path) -> bool:
    with open(path, "rb") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return False


def cmd_check(args: argparse.Namespace) -> int:
    root = Path(args.paths[0]) if args.paths else Path(args.archive_dir)
    if args.recover or args.repair:
        done = _locked(Path(args.archive_dir), root, recover=args.recover, repair=args.repair)
        if done is None:
            return EXIT_LOCKED
        for kind, outcome in done:
            print(f"{kind} {outcome.describe()}")
    files = [p for target in (args.paths or [args.archive_dir]) for p in iter_warc_files(target)]
    if not files:
        print(f"no WARC files under {', '.join(args.paths or [args.archive_dir])}")
        return 1
    index, unreadable = open_manifest(warc_root(root) / DB_NAME)
    failed = 0
    total_records = 0
    if unreadable:  # the files are still checked, without their manifest entries
        failed += 1
        print(f"FAIL  {DB_NAME}: {unreadable}")
    try:
        for path in files:
            if path.name.endswith(OPEN_SUFFIX):
                if _in_use(path):
                    print(f"OPEN  {path.name}: being written by a running crawl (skipped)")
                else:
                    failed += 1
                    print(f"FAIL  {path.name}: left open by a killed crawl "
                          "(run `northnews-archive recover` or `check --recover`)")
                continue
            result = check_file(path, index)
            total_records += result.records
            _note_damage(args, path, result.damages)
            if result.failures:
                failed += 1
                print(f"FAIL  {path.name}")
                for msg in result.failures:
                    print(f"      {msg}")
            else:
                print(f"OK    {path.name} ({result.records} records)")
            if result.warnings and (args.verbose or result.failures):
                for msg in result.warnings:
                    print(f"      warning: {msg}")
    finally:
        if index is not None:
            index.close()
    print(f"{len(files)} file(s), {total_records} records, {failed} failed")
    return 1 if failed else 0


EXIT_LOCKED = 3  # as northnews-cron's "another run holds the lock"


def _locked(archive_dir: Path, root: Path, *, recover: bool = True,
            repair: bool = False) -> list[tuple[str, Recovery | Repair]] | None:
    """Recover ``.open`` files (and/or repair closed ones) under ``root`` holding the archive's
    lock; None if a crawl holds it: recovery truncates and renames files, and must never race a
    crawl that is creating one. Returns ``(label, result)`` pairs."""

    def work() -> list[tuple[str, Recovery | Repair]]:
        done: list[tuple[str, Recovery | Repair]] = []
        if recover:
            done += [("RECOVER", r) for r in recover_all(root)]
        if repair:
            done += [("REPAIR ", r) for r in repair_all(root) if r.index or r.manifest or r.error]
        return done

    if os.environ.get(LOCK_FD_ENV):  # started by a process that holds the lock for us
        return work()
    lock = ArchiveLock(archive_dir)
    try:
        lock.acquire("northnews-archive recover")
    except LockHeld as exc:
        print(f"northnews-archive: {exc}; not recovering while a crawl writes", file=sys.stderr)
        return None
    except FileNotFoundError:  # no archive dir: nothing to recover there
        return work() if root.exists() else []
    try:
        return work()
    finally:
        lock.release()


def cmd_recover(args: argparse.Namespace) -> int:
    results = _locked(Path(args.archive_dir), Path(args.archive_dir))
    if results is None:
        return EXIT_LOCKED
    for _kind, rec in results:
        print(rec.describe())
    if not results:
        print("no .open files")
    return 0


def _note_damage(args: argparse.Namespace, path: Path, damages: list[Damage]) -> None:
    """Remember damaged spans on ``args`` for the layer above (the store: captures to fetch again)."""
    if damages:
        args.damaged = [*getattr(args, "damaged", []), *((path, d) for d in damages)]


def cmd_index(args: argparse.Namespace) -> int:
    written = []
    bad = 0
    for target in args.paths or [args.archive_dir]:
        for path in iter_warc_files(target, include_open=False):
            done = cdxj.reindex(path)
            written.append(done.path)
            _note_damage(args, path, done.scan.damages)
            if not done.scan.damages and not done.shrank:
                print(f"{done.path}")
                continue
            bad += 1
            old = done.old_lines
            print(f"{done.path}: {done.lines} lines"
                  + (f" (was {old}: {old - done.lines} fewer)" if old is not None and done.shrank else ""))
            for damage in done.scan.damages:
                print(f"      {path.name}: {damage.describe()}")
            for url, offset in done.lost:
                print(f"      lost capture: {url} (offset {offset})")
    if args.merged:
        cdxj.merge(written, args.merged)
        print(f"merged index: {args.merged}")
    if not written:
        print("no closed WARC files to index")
        return 1
    if bad:
        print(f"{bad} file(s) damaged or indexed with fewer lines than before: every intact record is "
              "indexed; the damaged ones are listed above")
    return 1 if bad else 0


def cmd_list(args: argparse.Namespace) -> int:
    types = ("response", "revisit", "request") if args.requests else ("response", "revisit")
    damaged = 0
    for target in args.paths or [args.archive_dir]:
        root = warc_root(target)
        for path in iter_warc_files(target):
            name = relative_name(path, root)
            scan = WarcScan(path)
            for rec in scan:
                url = rec.target_uri or ""
                if rec.rec_type not in types or (args.url_contains and args.url_contains not in url):
                    continue
                status = rec.status_code()
                row = {
                    "url": url,
                    "status": status,
                    "date": rec.date,
                    "type": rec.rec_type,
                    "file": name,
                    "offset": rec.offset,
                    "record_id": rec.record_id,
                }
                if args.json:
                    print(json.dumps(row, ensure_ascii=False))
                else:
                    print(f"{rec.date}\t{status if status is not None else '-'}\t{rec.rec_type}\t{url}\t{name}:{rec.offset}")
            for damage in scan.damages:
                if damage.end is None and path.name.endswith(OPEN_SUFFIX) and _in_use(path):
                    continue  # the record a running crawl is writing
                damaged += 1
                print(f"northnews-archive list: {name}: {damage.describe()}", file=sys.stderr)
            _note_damage(args, path, scan.damages)
    return 1 if damaged else 0


STORE_FILES = {"store": "northnews.sqlite3", "digests": f"warc/{DB_NAME}"}


def cmd_store_check(args: argparse.Namespace) -> int:
    """``PRAGMA integrity_check`` of the archive's SQLite files (read-only): one line each."""
    paths = [Path(p) for p in args.paths] or [
        Path(args.archive_dir) / name for name in STORE_FILES.values() if (Path(args.archive_dir) / name).exists()]
    if not paths:
        print(f"northnews-archive store-check: no store under {args.archive_dir}", file=sys.stderr)
        return 1
    bad = 0
    for path in paths:
        sound, line = storeguard.check(path)
        bad += not sound
        print(("OK    " if sound else "FAIL  ") + line)
    return 1 if bad else 0


def cmd_store_backup(args: argparse.Namespace) -> int:
    """A consistent copy of the store (or the digest index) made with SQLite's backup API."""
    source = Path(args.archive_dir) / STORE_FILES[args.file]
    out = Path(args.output)
    try:
        safewrite.check_target(out, follow=args.follow_symlinks)
        size = storeguard.backup(source, out)
    except storeguard.Refused as exc:
        print(f"northnews-archive store-backup: {exc}", file=sys.stderr)
        return exc.exit_code
    except safewrite.NotOurs as exc:
        print(f"northnews-archive store-backup: {exc}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as exc:
        print(f"northnews-archive store-backup: {out}: {getattr(exc, 'strerror', None) or exc}", file=sys.stderr)
        return 1
    print(f"{out}: backup of {source} ({size} bytes, quick_check ok)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="northnews-archive",
        description="Check, recover, index and list the northnews WARC archive.",
    )
    dir_help = "archive dir (holds warc/); default: NORTHNEWS_ARCHIVE_DIR of the project, else ./archive"
    parser.add_argument("-d", "--archive-dir", default=None, help=dir_help)
    # Also accepted after the command (`northnews-archive check -d DIR`).
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-d", "--archive-dir", default=argparse.SUPPRESS, help=dir_help)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("check", parents=[common],
                       help="verify every WARC: warcio check + completeness + manifest")
    p.add_argument("paths", nargs="*", help="WARC files or dirs (default: the archive dir)")
    p.add_argument("--recover", action="store_true", help="recover .open files of killed crawls first")
    p.add_argument("--repair", action="store_true",
                   help="first add the manifest entry and CDXJ index a kill left missing for closed files")
    p.add_argument("-v", "--verbose", action="store_true", help="show warnings for passing files too")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("recover", parents=[common], help="truncate, close and rename .open files left by killed crawls")
    p.set_defaults(func=cmd_recover)
    p = sub.add_parser("index", parents=[common], help="rebuild the CDXJ index of every closed WARC")
    p.add_argument("paths", nargs="*", help="WARC files or dirs (default: the archive dir)")
    p.add_argument("--merged", metavar="OUT", help="also write one sorted index of all files (pywb)")
    p.set_defaults(func=cmd_index)
    p = sub.add_parser("list", parents=[common], help="what is archived: date, status, type, URL, file:offset")
    p.add_argument("paths", nargs="*", help="WARC files or dirs (default: the archive dir)")
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p.add_argument("--requests", action="store_true", help="list request records too")
    p.add_argument("--url-contains", metavar="TEXT", help="only URLs containing TEXT")
    p.set_defaults(func=cmd_list)
    p = sub.add_parser("store-check", parents=[common],
                       help="integrity_check of the store and the digest index (read-only)")
    p.add_argument("paths", nargs="*", help="SQLite files (default: the archive's store and digest index)")
    p.set_defaults(func=cmd_store_check)
    p = sub.add_parser("store-backup", parents=[common],
                       help="copy the live store with SQLite's backup API (consistent while a crawl writes)")
    p.add_argument("output", metavar="OUT", help="the backup file to write (a regular file or a new name)")
    p.add_argument("--file", choices=sorted(STORE_FILES), default="store",
                   help="which database: the store of record (default) or the WARC digest index")
    p.add_argument("--follow-symlinks", action="store_true", help="write through OUT when it is a symlink")
    p.set_defaults(func=cmd_store_backup)
    from northnews.archive import wacz  # the WACZ packager registers its own arguments

    wacz.add_parser(sub, common)
    return parser


def main(argv: Sequence[str] | None = None, parser: argparse.ArgumentParser | None = None) -> int:
    """Run one command; ``parser``: this one with more commands (``northnews.ops.archive_cli``)."""
    args = (parser or build_parser()).parse_args(argv)
    # The commands print their own report; library log lines would only repeat it.
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s: %(message)s")
    if args.archive_dir is None:
        args.archive_dir = default_archive_dir()
    try:
        code: int = args.func(args)
        return code
    except FileNotFoundError as exc:
        print(f"northnews-archive: {exc}", file=sys.stderr)
        return 2
    except sqlite3.Error as exc:  # a refused digest index or store (northnews.util.storeguard): one line
        print(f"northnews-archive: {exc}", file=sys.stderr)
        return getattr(exc, "exit_code", 1)
    except OSError as exc:  # a read-only archive, a full disk: one line, not a traceback
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"northnews-archive: {where}{exc.strerror or exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `northnews-archive list | head`
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silences the flush at exit
        return 0


if __name__ == "__main__":
    sys.exit(main())
