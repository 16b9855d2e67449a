"""``scrapy export``: the store of record as JSON Lines or CSV, for people who never open SQLite.

    scrapy export -o articles.jsonl
    scrapy export -o 2015-09.csv --since 2015-09-01 --until 2015-09-30
    scrapy export --all-versions -s NORTHNEWS_ARCHIVE_DIR=/srv/nn > everything.jsonl

Each record is the article item as stored (the fields of ``ArticleItem``) plus ``version`` (1, 2, …),
``first_seen`` and ``last_seen`` (when the store first and last saw *this version*, ISO 8601 UTC).
By default the latest version of each article; ``--all-versions`` writes every version. ``--since``
and ``--until`` select on the date of ``published`` (China time, inclusive); articles without
a date are then left out. CSV cells holding lists or objects (``images``, ``tags``, ``warc``) are
JSON. Output is UTF-8; CSV starts with a byte-order mark only with ``--excel``.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from northnews.store import STORE_NAME, Store, store_path

if TYPE_CHECKING:
    import argparse

FORMATS = ("jsonl", "csv")
STORE_FIELDS = ("version", "first_seen", "last_seen")


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{option}: expected a date YYYY-MM-DD, got {value!r}", print_help=False) from None


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def export(
    store: Store,
    out: TextIO,
    fmt: str = "jsonl",
    *,
    since: date | None = None,
    until: date | None = None,
    all_versions: bool = False,
    fields: list[str] | None = None,
) -> int:
    """Write the store's articles to ``out``; returns the number of records written."""
    n = 0
    writer = None
    for row in store.export_rows(since=since, until=until, all_versions=all_versions):
        record = dict(row.item)
        record.update(version=row.version, first_seen=row.first_seen, last_seen=row.last_seen)
        if fmt == "jsonl":
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            if writer is None:
                columns = [f for f in (fields or []) if f not in STORE_FIELDS]
                columns += [k for k in record if k not in columns and k not in STORE_FIELDS]
                writer = csv.DictWriter(out, [*columns, *STORE_FIELDS], extrasaction="ignore", lineterminator="\n")
                writer.writeheader()
            writer.writerow({k: _cell(v) for k, v in record.items()})
        n += 1
    if fmt == "csv" and writer is None:
        header = [f for f in (fields or []) if f not in STORE_FIELDS] + list(STORE_FIELDS)
        csv.writer(out, lineterminator="\n").writerow(header)
    return n


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[-o FILE] [-t jsonl|csv] [--since DATE] [--until DATE] [--all-versions]"

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
                            help="jsonl or csv (default: from the output's extension, else jsonl)")
        parser.add_argument("--since", metavar="DATE", help="only articles published on or after DATE (YYYY-MM-DD)")
        parser.add_argument("--until", metavar="DATE", help="only articles published on or before DATE (YYYY-MM-DD)")
        parser.add_argument("--all-versions", action="store_true", help="every version, not only the latest")
        parser.add_argument("--excel", action="store_true", help="CSV with a UTF-8 byte-order mark, for Excel")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if args:
            raise UsageError(f"unexpected argument(s): {' '.join(args)}", print_help=False)
        since = _date(opts.since, "--since") if opts.since else None
        until = _date(opts.until, "--until") if opts.until else None
        if since and until and since > until:
            raise UsageError("--since is after --until", print_help=False)
        fmt = opts.format or ("csv" if opts.output.lower().endswith(".csv") else "jsonl")
        archive = Path(self.settings.get("NORTHNEWS_ARCHIVE_DIR", "archive"))
        path = store_path(archive)
        if not path.is_file():
            print(f"scrapy export: no store of record: {path} does not exist "
                  f"(set NORTHNEWS_ARCHIVE_DIR; {STORE_NAME} is written by live crawls)", file=sys.stderr)
            self.exitcode = 1
            return
        fields = self.settings.getlist("FEED_EXPORT_FIELDS") or None
        encoding = "utf-8-sig" if (opts.excel and fmt == "csv") else "utf-8"
        with Store(path) as store:
            if opts.output == "-":
                out = io.TextIOWrapper(sys.stdout.buffer, encoding=encoding, newline="", write_through=True)
                try:
                    n = export(store, out, fmt, since=since, until=until,
                               all_versions=opts.all_versions, fields=fields)
                finally:
                    out.flush()
                    out.detach()
            else:
                with open(opts.output, "w", encoding=encoding, newline="") as out:
                    n = export(store, out, fmt, since=since, until=until,
                               all_versions=opts.all_versions, fields=fields)
        print(f"scrapy export: {n} record{'s' if n != 1 else ''} written to "
              f"{'stdout' if opts.output == '-' else opts.output}", file=sys.stderr)
