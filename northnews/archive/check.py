"""``northnews-archive check`` of one closed WARC file, in one pass over it.

What ``warcio check`` checks (every block and payload digest, with warcio's own digest checker;
revisits are not digest-checked, as warcio does: their payload is the original's) plus what it
does not see: every gzip member ends and every block matches its Content-Length (a kill can cut
a last record in half and ``warcio check`` still passes), the file equals its manifest entry
(size, sha1, record count: catches a file cut at a record boundary, the one damage no reader can
see), it starts with ``warcinfo``, its CDXJ index exists. The sha1 is taken on the bytes the
reader reads, so the file is read once; memory does not grow with its size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from northnews.archive.digests import DigestIndex
from northnews.archive.paths import index_path, pending_index_path
from northnews.archive.scan import WarcScan


@dataclass
class FileCheck:
    path: Path
    records: int = 0
    failures: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures


def check_file(path: Path, index: DigestIndex | None) -> FileCheck:
    """Failures and warnings of one closed WARC file (see module docstring)."""
    result = FileCheck(path)
    scan = WarcScan(path, digests=True, file_sha1=True)
    for _ in scan:
        pass
    result.records = scan.count
    if scan.error:
        result.failures.append(f"incomplete at offset {scan.error_offset}: {scan.error}")
    if scan.first_type is not None and scan.first_type != "warcinfo":
        result.warnings.append("first record is not warcinfo")
    result.failures += [f"warcio check: {problem}" for problem in scan.digest_problems]
    if scan.digest_failures > len(scan.digest_problems):
        result.failures.append(f"warcio check: … {scan.digest_failures} records failed their digests in all")
    entry = index.file_entry(path.name) if index is not None else None
    if entry is None:
        result.warnings.append("no manifest entry (not closed by northnews, or a kill came first: "
                               "`check --repair` adds it)")
    else:
        size, sha1, records = entry
        if scan.size != size:
            result.failures.append(f"size {scan.size} differs from manifest {size}")
        elif scan.sha1 != sha1:
            result.failures.append("sha1 differs from manifest")
        if not scan.error and scan.count != records:
            result.failures.append(f"{scan.count} records, manifest says {records}")
    if not index_path(path).exists() or pending_index_path(path).exists():
        result.warnings.append("no CDXJ index (run `northnews-archive index` or `check --repair`)")
    return result
