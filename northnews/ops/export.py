"""Export the store of record as JSON Lines or CSV, for people who never open SQLite.

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
import json
from datetime import date
from typing import IO, Any

from northnews.ops.storebase import StoreBase

FORMATS = ("jsonl", "csv")
STORE_FIELDS = ("version", "first_seen", "last_seen")


def _cell(value: Any) -> Any:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def export(
    store: StoreBase,
    out: IO[str],
    fmt: str = "jsonl",
    *,
    since: date | None = None,
    until: date | None = None,
    all_versions: bool = False,
    fields: list[str] | None = None,
    site: str | None = None,
) -> int:
    """Write the store's articles to ``out``; returns the number of records written."""
    n = 0
    writer = None
    for row in store.export_rows(since=since, until=until, all_versions=all_versions, site=site):
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
