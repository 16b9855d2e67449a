"""Recovery of ``.open`` WARC files left by a killed crawl.

A file still named ``….warc.gz.open`` was being written when its crawl died (SIGKILL, OOM, power).
Every record before the last was flushed whole; the last may be cut anywhere. Recovery keeps the
file up to the end of its last complete record (see :mod:`northnews.archive.scan`), truncates the
rest, writes its CDXJ index and manifest entry, drops digest-index entries that pointed past the
cut, and renames it without ``.open``. A file with no capture left (warcinfo only) is removed.

A live crawl holds an exclusive ``flock`` on its ``.open`` file, so recovery skips files in use:
running it at the start of every run (the cron job does) is safe even when crawls overlap.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from northnews.archive.cdxj import index_path, lines_for_scan, write_lines
from northnews.archive.digests import DigestIndex
from northnews.archive.scan import OPEN_SUFFIX, final_name, iter_warc_files, scan_file, warc_root

logger = logging.getLogger(__name__)


@dataclass
class Recovery:
    path: Path  # the .open file
    outcome: str  # "recovered", "removed" (nothing worth keeping), "in-use"
    final: Path | None = None
    records: int = 0
    kept_bytes: int = 0
    dropped_bytes: int = 0
    error: str | None = None  # what was cut off, as the scanner described it

    def describe(self) -> str:
        if self.outcome == "in-use":
            return f"{self.path.name}: in use by a running crawl, left alone"
        if self.outcome == "removed":
            return f"{self.path.name}: removed (no complete capture; {self.dropped_bytes} bytes dropped)"
        cut = f", dropped {self.dropped_bytes} bytes ({self.error})" if self.dropped_bytes else ""
        return f"{self.path.name}: recovered as {self.final.name if self.final else '?'} ({self.records} records{cut})"


def recover_file(path: str | os.PathLike[str], index: DigestIndex | None = None) -> Recovery:
    p = Path(path)
    if not p.name.endswith(OPEN_SUFFIX):
        raise ValueError(f"not an .open WARC file: {p}")
    with open(p, "rb+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return Recovery(p, "in-use")
        scan = scan_file(p)
        keep = scan.good_end if scan.error else scan.size
        dropped = scan.size - keep
        final = p.with_name(final_name(p.name))
        captures = [r for r in scan.records if r.rec_type != "warcinfo"]
        if not captures:
            p.unlink()
            if index is not None:
                index.forget_from(final.name, 0)
            logger.warning("Removed %s: no complete capture", p)
            return Recovery(p, "removed", dropped_bytes=scan.size, error=scan.error)
        if dropped:
            fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
        fh.seek(0)
        sha1 = hashlib.sha1()
        while chunk := fh.read(1 << 20):
            sha1.update(chunk)
        if final.exists():
            raise FileExistsError(f"cannot recover {p}: {final} exists")
        write_lines(index_path(final), lines_for_scan(scan, final.name))
        os.rename(p, final)
    if index is not None:
        index.forget_from(final.name, keep)
        index.add_file(
            final.name, keep, sha1.hexdigest(), len(scan.records),
            datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), "recovered",
        )
    logger.warning("Recovered %s as %s (%d records, %d bytes dropped)", p, final.name, len(scan.records), dropped)
    return Recovery(p, "recovered", final, len(scan.records), keep, dropped, scan.error)


def open_files(root: str | os.PathLike[str]) -> list[Path]:
    return [p for p in iter_warc_files(root) if p.name.endswith(OPEN_SUFFIX)]


def recover_all(root: str | os.PathLike[str]) -> list[Recovery]:
    """Recover every ``.open`` file under an archive dir (or WARC dir) not held by a live crawl.

    This is what a cron run calls before crawling.
    """
    files = open_files(root)
    if not files:
        return []
    index = DigestIndex.for_warc_dir(warc_root(root))
    try:
        return [recover_file(p, index) for p in files]
    finally:
        index.close()
