"""Recovery of ``.open`` WARC files left by a killed crawl, and repair of closed files a kill left
without their index or manifest entry.

A file still named ``….warc.gz.open`` was being written when its crawl died (SIGKILL, OOM, power).
Every record before the last was written whole; the last may be cut anywhere. Recovery keeps the
file up to the end of its last complete record (see :mod:`northnews.archive.scan`), truncates the
rest, writes its CDXJ index and manifest entry, drops digest-index entries that pointed past the
cut, and renames it without ``.open``. A file with no capture left (warcinfo only) is removed.
Each file is read once (index lines, record count and sha1 in the same pass) and memory does not
grow with its size.

A live crawl holds an exclusive ``flock`` on its ``.open`` file, so recovery skips files in use:
running it at the start of every run (the cron job does) is safe even when crawls overlap.

A crawl killed between renaming a closed file and recording it leaves a closed file without a
manifest entry (or without its CDXJ index, if the index thread had not finished):
:func:`repair_all` completes both (``northnews-archive check --repair``).
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from northnews.archive.cdxj import lines_for, write_sorted
from northnews.archive.digests import DigestIndex
from northnews.archive.paths import (
    OPEN_SUFFIX,
    final_name,
    index_path,
    iter_warc_files,
    pending_index_path,
    warc_root,
)
from northnews.archive.scan import RecordInfo, WarcScan
from northnews.util.clock import iso_z

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


def _counting(scan: WarcScan, captures: list[int]) -> Iterator[RecordInfo]:
    for rec in scan:
        if rec.rec_type != "warcinfo":
            captures[0] += 1
        yield rec


def recover_file(path: str | os.PathLike[str], index: DigestIndex | None = None) -> Recovery:
    p = Path(path)
    if not p.name.endswith(OPEN_SUFFIX):
        raise ValueError(f"not an .open WARC file: {p}")
    final = p.with_name(final_name(p.name))
    with open(p, "rb+") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return Recovery(p, "in-use")
        if final.exists():
            raise FileExistsError(f"cannot recover {p}: {final} exists")
        # One pass: the index (written beside, as .tmp until complete), the count, the sha1.
        # The sha1 covers what is kept only when nothing is cut; otherwise it is taken again.
        scan = WarcScan(p, payload_digests=True, file_sha1=True)
        captures = [0]
        staged = index_path(final).with_name(index_path(final).name + ".recovering")
        write_sorted(staged, lines_for(_counting(scan, captures), final.name))
        pending_index_path(p).unlink(missing_ok=True)
        if not captures[0]:
            staged.unlink(missing_ok=True)
            p.unlink()
            if index is not None:
                index.forget_from(final.name, 0)
            logger.warning("Removed %s: no complete capture", p)
            return Recovery(p, "removed", dropped_bytes=scan.size, error=scan.error)
        keep = scan.good_end if scan.error else scan.size
        dropped = scan.size - keep
        sha1 = scan.sha1
        if dropped:
            fh.truncate(keep)
            sha1 = _sha1_of(fh)
        fh.flush()
        os.fsync(fh.fileno())
        os.replace(staged, index_path(final))
        os.utime(index_path(final))  # newer than the truncated WARC: replay trusts it
        os.rename(p, final)
    if index is not None:
        index.forget_from(final.name, keep)
        index.add_file(final.name, keep, sha1 or "", scan.count, iso_z(), "recovered")
    logger.warning("Recovered %s as %s (%d records, %d bytes dropped)", p, final.name, scan.count, dropped)
    return Recovery(p, "recovered", final, scan.count, keep, dropped, scan.error)


def _sha1_of(fh: IO[bytes]) -> str:
    fh.seek(0)
    h = hashlib.sha1()
    while chunk := fh.read(1 << 20):
        h.update(chunk)
    return h.hexdigest()


def open_files(root: str | os.PathLike[str]) -> list[Path]:
    return [p for p in iter_warc_files(root) if p.name.endswith(OPEN_SUFFIX)]


def recover_all(root: str | os.PathLike[str], index: DigestIndex | None = None) -> list[Recovery]:
    """Recover every ``.open`` file under an archive dir (or WARC dir) not held by a live crawl.

    This is what a cron run calls before crawling. ``index``: the manifest to record them in
    (a fleet's, on its server); default the one beside the WARCs.
    """
    files = open_files(root)
    if not files:
        return []
    own = index is None
    index = index or DigestIndex.for_warc_dir(warc_root(root))
    try:
        return [recover_file(p, index) for p in files]
    finally:
        if own:
            index.close()


@dataclass
class Repair:
    path: Path
    index: bool = False  # the CDXJ index was (re)built
    manifest: bool = False  # a manifest entry was added
    error: str | None = None  # the file is not sound: nothing recorded for it

    def describe(self) -> str:
        if self.error:
            return f"{self.path.name}: not repaired ({self.error})"
        done = [what for what, did in (("CDXJ index", self.index), ("manifest entry", self.manifest)) if did]
        return f"{self.path.name}: " + (" and ".join(done) + " written" if done else "nothing to do")


def repair_file(path: Path, index: DigestIndex) -> Repair:
    """Complete what a kill left undone for a closed file: its CDXJ index, its manifest entry.

    An entry is written only for a sound file (every record whole); an existing one is never
    changed (it is what the file must agree with).
    """
    result = Repair(path)
    needs_manifest = index.file_entry(path.name) is None
    cdxj = index_path(path)
    needs_index = not cdxj.exists() or cdxj.stat().st_mtime < path.stat().st_mtime \
        or pending_index_path(path).exists()
    if not (needs_manifest or needs_index):
        return result
    scan = WarcScan(path, payload_digests=True, file_sha1=True)
    staged = cdxj.with_name(cdxj.name + ".repairing")
    write_sorted(staged, lines_for(scan, final_name(path.name)))
    if scan.error:
        staged.unlink(missing_ok=True)
        result.error = f"incomplete at offset {scan.error_offset}: {scan.error}"
        return result
    if needs_index:
        os.replace(staged, cdxj)
        pending_index_path(path).unlink(missing_ok=True)
        result.index = True
    else:
        staged.unlink(missing_ok=True)
    if needs_manifest:
        index.add_file(path.name, scan.size, scan.sha1 or "", scan.count, iso_z(), "repaired")
        result.manifest = True
    return result


def repair_all(root: str | os.PathLike[str], index: DigestIndex | None = None) -> list[Repair]:
    """Repair every closed WARC under ``root`` that lacks its manifest entry or CDXJ index."""
    files = list(iter_warc_files(root, include_open=False))
    if not files:
        return []
    own = index is None
    index = index or DigestIndex.for_warc_dir(warc_root(root))
    try:
        return [repair_file(p, index) for p in files]
    finally:
        if own:
            index.close()
