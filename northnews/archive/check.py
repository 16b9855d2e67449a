"""``northnews-archive check`` of one closed WARC file, in one pass over it.

What ``warcio check`` checks (every block and payload digest, with warcio's own digest checker;
revisits are not digest-checked, as warcio does: their payload is the original's) plus what it
does not see: every gzip member ends and every block matches its Content-Length (a kill can cut
a last record in half and ``warcio check`` still passes), the file equals its manifest entry
(size, sha1, record count: catches a file cut at a record boundary, the one damage no reader can
see), it starts with ``warcinfo``, its CDXJ index exists and holds exactly the lines the file
gives (compared by URL, offset, length, digest, status, type and file: not by SURT key, whose
computation would double check's time) (an emptied or stale index would hide intact records from replay). Damage is read past
(:mod:`northnews.archive.scan`): each damaged span is a failure naming its offset and the
records lost (exactly, from the manifest's record count, when the file has an entry), and every
record after it is still checked. The sha1 is taken on the bytes the reader reads, so a sound
file is read once; memory does not grow with its size.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from northnews.archive.cdxj import LineSet, record_fields
from northnews.archive.digests import DigestIndex
from northnews.archive.paths import final_name, index_path, pending_index_path
from northnews.archive.scan import Damage, WarcScan
from northnews.util import storeguard


class Manifest:
    """The manifest (``warc_files`` of ``digests.sqlite3``) read-only and quick_checked: ``check`` writes nothing,
    so it works on a read-only archive (``immutable=1`` when SQLite cannot create the WAL's
    shared-memory file there) and says one line for a damaged or busy database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        storeguard.inspect_readonly(path)  # empty, not SQLite, truncated: Refused
        self._db = storeguard.reader(path, 5)
        try:
            self._db.execute("SELECT count(*) FROM warc_files").fetchone()
            problem = storeguard.quick_check(self._db)  # check reads every WARC: this is cheap next to it
        except sqlite3.Error:
            self._db.close()
            raise
        if problem is not None:
            self._db.close()
            raise storeguard.Refused(path, "corrupt", f"damaged (quick_check: {problem[:200]})")

    def file_entry(self, name: str) -> tuple[int, str, int] | None:
        row = self._db.execute("SELECT size, sha1, records FROM warc_files WHERE name = ?", (name,)).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def close(self) -> None:
        self._db.close()


def open_manifest(path: Path) -> tuple[Manifest | None, str | None]:
    """The manifest, or None and the one line saying why it cannot be read."""
    if not path.exists():
        return None, None
    try:
        return Manifest(path), None
    except storeguard.Refused as exc:
        return None, str(exc)
    except sqlite3.Error as exc:
        kind = storeguard.classify(exc) or "corrupt"
        return None, str(storeguard.Refused(path, kind, storeguard.describe(kind, exc)))


@dataclass
class FileCheck:
    path: Path
    records: int = 0
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    damages: list[Damage] = field(default_factory=list)
    records_lost: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures


def check_file(path: Path, index: DigestIndex | Manifest | None) -> FileCheck:
    """Failures and warnings of one closed WARC file (see module docstring)."""
    result = FileCheck(path)
    scan = WarcScan(path, digests=True, file_sha1=True, payload_digests=True)
    expected = LineSet()
    name = final_name(path.name)
    for rec in scan:
        fields = record_fields(rec, name)
        if fields is not None:
            expected.add(_projection(fields))
    result.records = scan.count
    result.damages = list(scan.damages)
    result.records_lost = scan.records_lost
    entry = index.file_entry(path.name) if index is not None else None
    if entry is not None and scan.damages and entry[2] > scan.count:
        result.records_lost = entry[2] - scan.count  # exact: the manifest counted them
    for damage in scan.damages:
        result.failures.append(damage.describe())
    if len(scan.damages) > 1 or (entry is not None and scan.damages):
        result.failures.append(f"{result.records_lost} record(s) lost in all, {scan.count} intact"
                               + (f" (manifest: {entry[2]})" if entry is not None else ""))
    if scan.first_type is not None and scan.first_type != "warcinfo":
        result.warnings.append("first record is not warcinfo")
    result.failures += [f"warcio check: {problem}" for problem in scan.digest_problems]
    if scan.digest_failures > len(scan.digest_problems):
        result.failures.append(f"warcio check: … {scan.digest_failures} records failed their digests in all")
    if entry is None:
        result.warnings.append("no manifest entry (not closed by northnews, or a kill came first: "
                               "`check --repair` adds it)")
    else:
        size, sha1, records = entry
        if scan.size != size:
            result.failures.append(f"size {scan.size} differs from manifest {size}")
        elif scan.sha1 != sha1:
            result.failures.append("sha1 differs from manifest")
        if not scan.damages and scan.count != records:
            result.failures.append(f"{scan.count} records, manifest says {records}")
    cdxj = index_path(path)
    if not cdxj.exists() or pending_index_path(path).exists():
        result.warnings.append("no CDXJ index (run `northnews-archive index` or `check --repair`)")
    else:
        _check_index(result, cdxj, expected)
    return result


def _projection(fields: dict[str, Any]) -> str:
    """What an index line must say about its record, without its SURT key (computing keys would
    double the time of ``check``): URL, offset, length, digest, status, type, file."""
    return json.dumps([fields.get(k) for k in ("url", "offset", "length", "digest", "status", "mime", "filename")])


def _check_index(result: FileCheck, cdxj: Path, expected: LineSet) -> None:
    """The index must hold exactly the lines of the file's intact records."""
    found = LineSet()
    try:
        with open(cdxj, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    fields = json.loads(line.split(" ", 2)[2])
                except (IndexError, ValueError):
                    fields = {"unreadable": line}
                found.add(_projection(fields))
    except OSError as exc:
        result.failures.append(f"CDXJ index {cdxj.name} unreadable: {exc.strerror or exc}")
        return
    if found == expected:
        return
    if found.count == 0:
        what = "is empty"
    elif found.count != expected.count:
        what = f"has {found.count} lines"
    else:
        what = f"has {found.count} lines that differ from them"
    result.failures.append(f"CDXJ index {cdxj.name} {what}, the file gives {expected.count}: replay would "
                           "miss or misplace captures (run `northnews-archive index`)")
