"""The ``northnews-archive`` entry point: the archive's own commands plus ``extract``.

:mod:`northnews.archive.cli` knows nothing of pages or sites (the archive layer must not import
them); ``extract`` re-reads pages with the parsers, so it is registered here, one layer up::

    northnews-archive [-d ARCHIVE] extract [ARCHIVE|WARC ...] [-o OUT] [--rejects FILE] [--jobs N]
                      [--site NAME] [--since DATE] [--until DATE] [--store [--store-url URL]]
    northnews-archive [-d ARCHIVE] migrate-store --to postgresql://… [--from FILE]

Exit status: 0 done, 1 no WARC under the paths or damage read past (each damaged span or
unreadable capture is one line; every intact record is extracted), 2 usage error, 3 ``--store``
while another run holds the archive lock.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from northnews.archive import cli as archive_cli
from northnews.archive.lock import ArchiveLock, LockHeld
from northnews.archive.paths import index_path, iter_warc_files

if TYPE_CHECKING:
    from scrapy.settings import Settings


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from None


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive number of processes, got {text!r}")
    return value


def add_extract(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "extract", parents=[common],
        help="re-extract every article of the archive without Scrapy's engine (items as the spider's replay)",
        description="Re-extract every article of the WARCs with the current parsers: the items"
        " `scrapy crawl articles -a replay=ARCHIVE` gives, without Scrapy's engine.",
    )
    p.add_argument("paths", nargs="*", help="archive dirs, WARC dirs or WARC files (default: the archive dir)")
    p.add_argument("-o", "--output", metavar="OUT",
                   help="items as JSON Lines ('-': stdout; default: ARCHIVE/extract.jsonl)")
    p.add_argument("--rejects", metavar="FILE",
                   help="rejected articles as rejects.jsonl lines (default: OUT's name with .rejects.jsonl)")
    p.add_argument("-j", "--jobs", type=_jobs, default=1,
                   help="processes extracting: this one and N-1 forked workers (default 1)")
    p.add_argument("--site", metavar="NAME", help="site profile (default: NORTHNEWS_SITE of the project)")
    p.add_argument("--since", type=_date, metavar="DATE", help="only articles captured on or after DATE (UTC)")
    p.add_argument("--until", type=_date, metavar="DATE", help="only articles captured on or before DATE (UTC)")
    p.add_argument("--store", action="store_true",
                   help="also record the items in the store of record (new versions where the text changed)")
    p.add_argument("--store-url", metavar="URL",
                   help="the store --store records into (default: NORTHNEWS_STORE_URL of the project)")
    p.add_argument("--follow-symlinks", action="store_true",
                   help="when OUT or FILE is a symbolic link, write the file it points to (refused otherwise)")
    p.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None,
                   help="progress line on stderr (default: when stderr is a terminal)")
    p.set_defaults(func=cmd_extract)


def add_migrate_store(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "migrate-store", parents=[common],
        help="copy the archive's SQLite store (and WARC digest index) into a PostgreSQL store, verified",
        description="Copy every row of ARCHIVE/northnews.sqlite3 and ARCHIVE/warc/digests.sqlite3 into the"
        " PostgreSQL store at --to, count and verify them; the SQLite files are not written (an old schema is"
        " migrated in a copy). Exit 0 verified, 1 a count or value differs, 2 refused or failed (nothing written).",
    )
    p.add_argument("--to", required=True, metavar="URL", help="postgresql://USER@HOST:PORT/DB")
    p.add_argument("--from", dest="source", metavar="FILE", help="the SQLite store (default: ARCHIVE/northnews.sqlite3)")
    p.set_defaults(func=cmd_migrate_store)


def cmd_migrate_store(args: argparse.Namespace) -> int:
    from northnews.ops.migrate_store import MigrateError, migrate_store
    from northnews.ops.store import StoreError
    from northnews.util.pg import is_pg_url

    if not is_pg_url(args.to):
        print(f"northnews-archive migrate-store: --to: expected postgresql://…, got {args.to!r}", file=sys.stderr)
        return 2
    try:
        result = migrate_store(args.archive_dir, args.to, sqlite_path=args.source)
    except (MigrateError, StoreError) as exc:
        print(f"northnews-archive migrate-store: {exc}", file=sys.stderr)
        return 2
    print("\n".join(result.lines()))
    if not result.ok:
        print("northnews-archive migrate-store: verification FAILED (see MISMATCH above)", file=sys.stderr)
        return 1
    total = sum(t.copied for t in result.tables)
    print(f"northnews-archive migrate-store: {total} rows copied and verified; the SQLite files are untouched",
          file=sys.stderr)
    return 0


def _requeue(archive_dir: Path, spans: list[tuple[str, int, int | None]]) -> None:
    """Stored articles whose capture lies in a damaged span: pending again (next run fetches them)."""
    from northnews.ops.captures import requeue_unreadable

    try:
        urls = requeue_unreadable(archive_dir, spans)
    except Exception as exc:  # noqa: BLE001 - the report above stands; the store is a bonus here
        print(f"northnews-archive: the store was not told of the damage ({type(exc).__name__}: {exc})",
              file=sys.stderr)
        return
    for url in urls:
        print(f"northnews-archive: pending again (its capture is unreadable): {url}", file=sys.stderr)


def _and_requeue(func: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """An archive command that reads past damage, then the store told which captures it lost."""

    def run(args: argparse.Namespace) -> int:
        code = func(args)
        damaged = getattr(args, "damaged", [])
        if damaged:
            from northnews.archive.paths import relative_name, warc_root

            root = warc_root(args.archive_dir)
            _requeue(Path(args.archive_dir), [(relative_name(path, root), d.offset, d.end) for path, d in damaged])
        return code

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = archive_cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in ("check", "index", "list"):
        command = sub.choices[name]
        command.set_defaults(func=_and_requeue(command.get_default("func")))
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-d", "--archive-dir", default=argparse.SUPPRESS,
                        help="archive dir (holds warc/); default: NORTHNEWS_ARCHIVE_DIR of the project")
    add_extract(sub, common)
    add_migrate_store(sub, common)
    parser.description = "Check, recover, index, list, package and re-extract the northnews WARC archive."
    return parser


def _project_settings() -> Settings:
    from scrapy.settings import Settings
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    if settings.get("BOT_NAME") != "northnews":  # not run from the project: our settings still apply
        settings = Settings()
        settings.setmodule("northnews.settings", priority="project")
    return settings


def _one_root(paths: list[str], tmp: str) -> str:
    """One path WarcSource can open: the path itself, or a directory of links to every WARC
    (and its index) under several."""
    if len(paths) == 1:
        return paths[0]
    root = Path(tmp) / "warc"
    root.mkdir()
    for target in paths:
        for path in iter_warc_files(target):
            link = root / path.name
            if not link.exists():
                link.symlink_to(path.resolve())
                index = index_path(path)
                if index.exists():
                    index_path(link).symlink_to(index.resolve())
    return str(root)


def cmd_extract(args: argparse.Namespace) -> int:
    from northnews.archive.warcreplay import WarcSource
    from northnews.ops import extract
    from northnews.sites import SiteError, load_site

    settings = _project_settings()
    try:
        site = load_site(args.site or settings.get("NORTHNEWS_SITE") or "northnews")
    except SiteError as exc:
        print(f"northnews-archive extract: --site: {exc}", file=sys.stderr)
        return 2
    archive_dir = Path(args.archive_dir)
    paths = args.paths or [str(archive_dir)]
    out = args.output or str(archive_dir / "extract.jsonl")
    rejects = args.rejects or (str(archive_dir / "extract.rejects.jsonl") if out == "-"
                               else str(Path(out).with_suffix("")) + ".rejects.jsonl")
    from northnews.util import safewrite

    try:  # a symlink, FIFO or device is refused, a read-only place fails, before any work
        for target in (out, rejects):
            if target != "-":
                Path(target).parent.mkdir(parents=True, exist_ok=True)
                safewrite.check_writable(target, follow=args.follow_symlinks)
    except (OSError, ValueError) as exc:
        print(f"northnews-archive extract: error: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, safewrite.NotOurs) else 1
    lock = store = None
    with tempfile.TemporaryDirectory(prefix="northnews-extract-") as tmp:
        try:
            source = WarcSource(_one_root(paths, tmp))
        except ValueError as exc:
            print(f"northnews-archive extract: {exc}", file=sys.stderr)
            return 1
        try:
            if args.store:
                from northnews.ops.store import open_store, store_url

                try:
                    lock = ArchiveLock(archive_dir).acquire(run_id="extract")
                except LockHeld as exc:
                    print(f"northnews-archive extract: {exc}", file=sys.stderr)
                    return archive_cli.EXIT_LOCKED
                from northnews.ops.store import StoreError

                try:
                    store = open_store(archive_dir, args.store_url or store_url(settings))
                except StoreError as exc:  # damaged, empty, busy, read-only: one line
                    print(f"northnews-archive extract: error: {exc}", file=sys.stderr)
                    return getattr(exc, "exit_code", 2)
            extractor = extract.ArticleExtractor(source, site, settings, since=args.since, until=args.until)
            summary = extract.Summary()
            progress = extract.Progress(enabled=args.progress)
            started = time.monotonic()
            try:
                with extract.open_output(out, args.follow_symlinks) as items, \
                        extract.open_output(rejects, args.follow_symlinks) as rejected:
                    results = extract.outcomes(extractor, extract.article_urls(source, site), jobs=args.jobs)
                    extract.write_outcomes(results, items, rejected, summary, progress, store)
            except (OSError, safewrite.NotOurs) as exc:  # WriteFailed / NotOurs: nothing replaced
                print(f"northnews-archive extract: error: {exc} (nothing written)", file=sys.stderr)
                return 1
            summary.seconds = time.monotonic() - started
            progress.update(summary, final=True)
        finally:
            if store is not None:
                store.close()
            if lock is not None:
                lock.release()
            source.close()
    print(summary.line() + f"\n  items:   {out}\n  rejects: {rejects}", file=sys.stderr)
    damages = list(dict.fromkeys([*source.damages, *summary.damages]))
    for name, _offset, _end, what in damages:
        print(f"northnews-archive extract: {name}: {what}", file=sys.stderr)
    if damages:
        _requeue(archive_dir, [(name, offset, end) for name, offset, end, _what in damages])
        print(f"northnews-archive extract: {len(damages)} damaged record(s) or span(s) read past; every "
              "intact record was extracted", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    return archive_cli.main(argv, build_parser())


if __name__ == "__main__":
    sys.exit(main())
