"""``scrapy export``: the store of record as JSON Lines or CSV (see :mod:`northnews.ops.export`)."""

from __future__ import annotations

import argparse
import io
import sys
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from northnews import config
from northnews.ops.export import FORMATS, export
from northnews.ops.store import STORE_NAME, StoreError, describe_store, open_store, store_exists, store_url
from northnews.util import safewrite


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: expected a date YYYY-MM-DD, got {value!r}", print_help=False) from None


#: Output file name endings and the format they say; anything else needs ``-t``.
SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".jl": "jsonl", ".ndjson": "jsonl"}


def _format_of(output: str) -> str:
    """The format an output name says (``-`` is JSON Lines); a UsageError for any other name."""
    if output == "-":
        return "jsonl"
    suffix = Path(output).suffix.lower()
    if suffix in SUFFIXES:
        return SUFFIXES[suffix]
    raise UsageError(
        f"-o {output}: cannot tell the format from {suffix or 'a name without an extension'!r}; the formats are"
        f" {', '.join(FORMATS)} (.jsonl, .jl, .ndjson, .csv), or give -t", print_help=False,
    )


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[-o FILE] [-t jsonl|csv] [--site NAME] [--since DATE] [--until DATE] [--all-versions] [--excel] [--follow-symlinks]"

    def short_desc(self) -> str:
        return "Export the store of record (or a date range of it) as JSON Lines or CSV"

    def long_desc(self) -> str:
        return (
            "Export the articles in <NORTHNEWS_ARCHIVE_DIR>/northnews.sqlite3 as JSON Lines or CSV: the "
            "latest version of each (or every version with --all-versions), optionally only those "
            "published between --since and --until (inclusive dates). Each record is the item plus "
            "version, first_seen and last_seen."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", default="-",
                            help="write to FILE (default: stdout)")
        parser.add_argument("-t", "--format", choices=FORMATS, default=None,
                            help="jsonl or csv (default: from the output's extension: .jsonl/.jl/.ndjson or .csv)")
        parser.add_argument("--site", metavar="NAME", help="only the articles of this site profile (default: all)")
        parser.add_argument("--since", metavar="DATE", help="only articles published on or after DATE (YYYY-MM-DD)")
        parser.add_argument("--until", metavar="DATE", help="only articles published on or before DATE (YYYY-MM-DD)")
        parser.add_argument("--all-versions", action="store_true", help="every version, not only the latest")
        parser.add_argument("--excel", action="store_true", help="CSV with a UTF-8 byte-order mark, for Excel")
        parser.add_argument("--follow-symlinks", action="store_true",
                            help="when FILE is a symbolic link, write the file it points to (refused otherwise)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if args:
            raise UsageError(f"unexpected argument(s): {' '.join(args)}", print_help=False)
        since = _date(opts.since, "--since") if opts.since else None
        until = _date(opts.until, "--until") if opts.until else None
        if since and until and since > until:
            raise UsageError("--since is after --until", print_help=False)
        try:
            fmt = opts.format or _format_of(opts.output)
            if opts.output != "-" and not Path(opts.output).parent.is_dir():
                raise UsageError(f"-o {opts.output}: no such directory: {Path(opts.output).parent}")
            if opts.output != "-":  # a symlink, FIFO or device is refused before the store is read
                safewrite.check_writable(opts.output, follow=opts.follow_symlinks)
        except (UsageError, safewrite.NotOurs) as exc:
            print(f"scrapy export: error: {exc}", file=sys.stderr)  # one line, no usage text
            self.exitcode = 2
            return
        except OSError as exc:
            print(f"scrapy export: error: {exc}", file=sys.stderr)
            self.exitcode = 1
            return
        archive = config.archive_dir(self.settings)
        url = store_url(self.settings)
        if not store_exists(archive, url):
            print(f"scrapy export: no store of record: {describe_store(archive, url)} does not exist "
                  f"(set NORTHNEWS_ARCHIVE_DIR; {STORE_NAME} is written by live crawls)", file=sys.stderr)
            self.exitcode = 1
            return
        fields = self.settings.getlist("FEED_EXPORT_FIELDS") or None
        encoding = "utf-8-sig" if (opts.excel and fmt == "csv") else "utf-8"
        try:
            store = open_store(archive, url)
        except StoreError as exc:
            print(f"scrapy export: error: {exc}", file=sys.stderr)  # damaged, empty, busy, read-only: one line
            self.exitcode = getattr(exc, "exit_code", 2)
            return
        with store:
            if opts.output == "-":
                out = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="", write_through=True)
                try:
                    n = export(store, out, fmt, since=since, until=until,
                               all_versions=opts.all_versions, fields=fields, site=opts.site)
                finally:
                    out.flush()
                    out.detach()
            else:
                # Written beside, then moved over, and only over a regular file (northnews.util.safewrite).
                try:
                    with safewrite.replacing(opts.output, "w", follow=opts.follow_symlinks,
                                             encoding=encoding, newline="") as dest:
                        n = export(store, dest, fmt, since=since, until=until,
                                   all_versions=opts.all_versions, fields=fields, site=opts.site)
                except safewrite.NotOurs as exc:
                    print(f"scrapy export: error: {exc}", file=sys.stderr)
                    self.exitcode = 2
                    return
                except OSError as exc:  # WriteFailed: one line naming the output
                    print(f"scrapy export: error: {exc}", file=sys.stderr)
                    self.exitcode = 1
                    return
        print(f"scrapy export: {n} record{'s' if n != 1 else ''} written to "
              f"{'stdout' if opts.output == '-' else opts.output}", file=sys.stderr)
