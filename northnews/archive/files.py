"""Rotating WARC files: naming, warcinfo, one gzip member per record, close, index and manifest.

Files are ``<prefix>-<yyyymmddhhmmss>-<serial>-<host>.warc.gz`` (IIPC naming; a fleet worker adds
its name, ``…-<host>-<worker>.warc.gz``, so names are unique across workers), written as
``….warc.gz.open`` under an exclusive ``flock`` (recovery leaves a file its writer still holds
alone) and renamed when closed: at ``max_size`` (rotation, checked after each batch, so a
request and its response share a file) or at the end of the crawl. Each record is its own gzip
member, written with ``os.write`` and no user-space buffer, so a kill leaves whole members
behind the last one; a failed write (disk full) is cut off again, so the file still ends with a
whole record (see :meth:`WarcFiles.write`).

Memory is flat whatever the file's size: each indexed record's CDXJ fields are appended to a
side file (``<stem>.cdxj.pending``) as it is written; closing fsyncs and renames the file,
records its manifest entry (size, sha1, records) in the digest index, and builds the sorted
CDXJ index from the side file on a thread (SURT keys cost ~0.1 ms a record: seconds for a 1 GB
file, kept off the reactor). A process that dies first leaves the side file; recovery and
``northnews-archive check --repair`` rebuild the index from the WARC itself.

Independent of Scrapy (the extension feeds it warcio records), so tests drive it directly.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import logging
import os
import socket
import struct
import threading
import uuid
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from northnews.archive.cdxj import cdxj_line, index_file, record_fields, write_sorted
from northnews.archive.digests import INDEX_ERRORS
from northnews.archive.http import RawRecord, record_builder
from northnews.archive.paths import OPEN_SUFFIX, index_path, pending_index_path
from northnews.archive.scan import RecordInfo
from northnews.util.clock import compact, iso_z, utc_now

if TYPE_CHECKING:
    from warcio.recordloader import ArcWarcRecord

    from northnews.archive.digests import DigestIndex

logger = logging.getLogger(__name__)

_write = os.write  # every byte of a WARC goes through here (tests make it fail like a full disk)


@dataclass
class _OpenFile:
    path: Path  # the .open path
    name: str  # final name, relative to the WARC dir
    fd: int
    warcinfo_id: str
    pending: IO[str] | None  # the CDXJ side file (None once a write to it failed)
    size: int = 0
    records: int = 0
    sha1: Any = field(default_factory=hashlib.sha1)


class WarcFiles:
    """Rotating WARC files (see module docstring)."""

    def __init__(
        self,
        warc_dir: str | os.PathLike[str],
        *,
        prefix: str = "northnews",
        max_size: int = 1_000_000_000,
        gzip_level: int = 6,
        warcinfo: Callable[[], list[tuple[str, str]]] = lambda: [],
        index: DigestIndex | None = None,
        hostname: str | None = None,
        worker: str | None = None,
        now: Callable[[], datetime] = utc_now,
        make_id: Callable[[], str] = lambda: f"<urn:uuid:{uuid.uuid4()}>",
    ) -> None:
        self.dir = Path(warc_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_size = max_size
        self.gzip_level = gzip_level
        self.warcinfo = warcinfo
        self.index = index
        self.hostname = (hostname or socket.gethostname()).replace("-", "_").replace("/", "_")
        if worker:  # a fleet worker's name: two workers on one host never make the same name
            self.hostname += "-" + worker.replace("-", "_").replace("/", "_")
        self.now = now
        self.make_id = make_id
        self.serial = 0
        self.current: _OpenFile | None = None
        self.closed: list[str] = []
        self._indexers: list[threading.Thread] = []
        self.builder = record_builder()

    # -- records ----------------------------------------------------------------------------

    def serialise(self, record: ArcWarcRecord) -> bytes:
        buf = io.BytesIO()
        self.builder.out = buf
        self.builder.write_record(record)
        return buf.getvalue()

    def _compress(self, data: bytes) -> bytes:
        return gzip_member(data, self.gzip_level)

    def write(self, records: Sequence[ArcWarcRecord | RawRecord]) -> tuple[str, list[int]]:
        """Write records together into the current file; returns its final name and offsets.

        All or nothing: if a write fails (``ENOSPC``, ``EIO``), the file is cut back to where the
        batch began and closed (``how="write-error"``), so it ends with a whole record and its
        manifest entry agrees with it; the error is raised for the caller to stop the crawl.
        """
        f = self.current or self._open()
        start = (f.size, f.records, f.sha1.copy())
        for record in records:
            if not isinstance(record, RawRecord):  # a RawRecord writes it as it is serialised
                record.rec_headers.replace_header("WARC-Warcinfo-ID", f.warcinfo_id)
        try:
            offsets = self._put(f, records)
        except Exception:
            self._cut_back(f, *start)
            raise
        if f.size >= self.max_size:
            self.close()
        return f.name, offsets

    def _put(self, f: _OpenFile, records: Sequence[ArcWarcRecord | RawRecord]) -> list[int]:
        """Append the records, each its own gzip member, in one write; their offsets."""
        offsets = []
        members = []
        offset = f.size
        for record in records:
            if isinstance(record, RawRecord):  # the crawl's exchanges: bytes made without warcio's objects
                member = raw_member(record, f.warcinfo_id, self.gzip_level)
            else:
                member = self._compress(self.serialise(record))
            offsets.append(offset)
            members.append(member)
            offset += len(member)
        batch = members[0] if len(members) == 1 else b"".join(members)
        view = memoryview(batch)
        while view:  # one write for the batch; os.write may write less than asked
            written = _write(f.fd, view)
            view = view[written:]
        f.sha1.update(batch)
        f.size += len(batch)
        f.records += len(members)
        if f.pending is not None:
            for record, at, member in zip(records, offsets, members, strict=True):
                self._pend(f, record.info(f.warcinfo_id, at, len(member)) if isinstance(record, RawRecord)
                           else RecordInfo.from_record(record, at, len(member)))
        return offsets

    def _pend(self, f: _OpenFile, info: RecordInfo) -> None:
        fields = record_fields(info, f.name)
        if fields is None or f.pending is None:
            return
        try:
            f.pending.write(json.dumps([info.target_uri or "", info.date or "", fields]) + "\n")
        except OSError as exc:  # the index is rebuilt from the WARC at close instead
            logger.warning("CDXJ side file of %s: %s (the index will be rebuilt from the WARC)", f.name, exc)
            self._drop_pending(f)

    def _cut_back(self, f: _OpenFile, size: int, records: int, sha1: Any) -> None:
        logger.error("WARC write to %s failed: cutting it back to its last whole record (%d bytes)",
                     f.path.name, size)
        os.ftruncate(f.fd, size)
        f.size, f.records, f.sha1 = size, records, sha1
        self._drop_pending(f)  # it may list records that were cut: the index is rebuilt from the WARC
        try:
            self.close("write-error")
        except (OSError,) + INDEX_ERRORS:  # the manifest's disk may be full too: `check --repair`
            logger.exception("Closing %s after the write error failed (`northnews-archive recover` "
                             "closes it)", f.path.name)

    @staticmethod
    def _drop_pending(f: _OpenFile) -> None:
        _close_quietly(f.pending)
        f.pending = None
        pending_index_path(f.path).unlink(missing_ok=True)

    # -- files ------------------------------------------------------------------------------

    def _open(self) -> _OpenFile:
        stamp = compact(self.now()).replace("T", "").rstrip("Z")  # IIPC: yyyymmddhhmmss
        while True:
            name = f"{self.prefix}-{stamp}-{self.serial:05d}-{self.hostname}.warc.gz"
            self.serial += 1
            path = self.dir / (name + OPEN_SUFFIX)
            if (self.dir / name).exists():
                continue
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:  # another crawl in the same second
                continue
            break
        # The lock tells recovery that this .open file belongs to a live writer; the kernel
        # drops it when the process dies, whatever the signal.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            pending: IO[str] | None = open(pending_index_path(path), "w", encoding="utf-8")  # noqa: SIM115
        except OSError as exc:
            logger.warning("No CDXJ side file for %s (%s): its index will be built from the WARC", name, exc)
            pending = None
        f = _OpenFile(path, name, fd, self.make_id(), pending)
        payload = "".join(f"{k}: {v}\r\n" for k, v in self.warcinfo() if v not in (None, ""))
        body = payload.encode("utf-8")
        record = self.builder.create_warc_record(
            "", "warcinfo",
            payload=io.BytesIO(body), length=len(body),
            warc_headers_dict={
                "WARC-Type": "warcinfo",
                "WARC-Record-ID": f.warcinfo_id,
                "WARC-Date": iso_z(self.now(), micro=True),
                "WARC-Filename": name,
            },
        )
        self.current = f
        try:
            self._put(f, [record])
        except OSError:
            self.current = None
            os.close(fd)
            path.unlink(missing_ok=True)
            _close_quietly(pending)
            pending_index_path(path).unlink(missing_ok=True)
            raise
        logger.info("Writing WARC %s", path)
        return f

    def close(self, how: str = "closed") -> str | None:
        """Close the current file: fsync, rename without ``.open``, manifest, index.

        Once renamed, the file is closed whatever fails next: a manifest entry that could not be
        recorded (the database's disk is full too) is raised after the index is started, and
        ``northnews-archive check --repair`` adds it later.
        """
        f = self.current
        if f is None:
            return None
        self.current = None
        final = self.dir / f.name
        try:
            os.fsync(f.fd)
            os.rename(f.path, final)
            _fsync_dir(self.dir)
        finally:
            os.close(f.fd)  # releases the lock, after the rename
        pending = None
        if f.pending is not None:
            try:
                f.pending.close()
                pending = pending_index_path(f.path)
            except OSError:
                pending_index_path(f.path).unlink(missing_ok=True)
        self.closed.append(f.name)
        thread = threading.Thread(target=_write_index, args=(final, pending), name=f"cdxj-{f.name}", daemon=True)
        thread.start()
        self._indexers.append(thread)
        logger.info("Closed WARC %s (%d records, %d bytes)", final, f.records, f.size)
        if self.index is not None:
            self.index.add_file(f.name, f.size, f.sha1.hexdigest(), f.records, iso_z(self.now()), how)
        return f.name

    def wait_for_indexes(self) -> None:
        for thread in self._indexers:
            thread.join()
        self._indexers.clear()


#: What a gzip member written by :func:`gzip_member` starts with (zlib's own header: no name, no
#: time, OS Unix), and the payloads that are compressed already (gzip, JPEG, PNG, GIF, zstd).
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
_COMPRESSED = (b"\x1f\x8b", b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"\x28\xb5\x2f\xfd")
_STORED_MAX = 65535  # bytes in one stored deflate block
_RECORD_END = b"\r\n\r\n"  # after a record's payload


def _deflater(size: int, level: int) -> Any:
    """A raw-deflate compressor sized to ``size`` bytes of input: a window no larger than needed
    (zlib's 32 KiB window and 64 KiB hash cost ~22 µs to set up per member, more than deflating a
    request record) compresses the same, since every match lies inside the data."""
    bits = max(9, min(15, (size - 1).bit_length()))
    return zlib.compressobj(level, zlib.DEFLATED, -bits, bits - 7)


def gzip_member(data: bytes | memoryview, level: int) -> bytes:
    """``data`` as one gzip member (RFC 1952), deflated at ``level``."""
    comp = _deflater(len(data), level)
    return b"".join((_GZIP_HEADER, comp.compress(data), comp.flush(),
                     struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)))


def raw_member(record: RawRecord, warcinfo_id: str, level: int) -> bytes:
    """One exchange record as a gzip member. A payload compressed already (``Content-Encoding``,
    or an image's bytes) is not deflated again: zlib spent ~40 µs a record (~0.15 ms on a 30 KB
    page) finding nothing to gain. Its head (WARC and HTTP headers) is deflated at ``level`` and
    flushed to a byte boundary, then the payload and the record's end follow as stored deflate
    blocks: one valid member, the same record bytes, ~30 bytes larger than deflating it all."""
    data = record.serialised(warcinfo_id)
    payload = len(record.payload)
    if payload < 64 or not (record.payload.startswith(_COMPRESSED)
                            or b"\ncontent-encoding:" in record.block.lower()):
        return gzip_member(data, level)
    view = memoryview(data)
    cut = len(data) - payload - len(_RECORD_END)
    head = view[:cut]
    comp = _deflater(cut, level)
    parts = [_GZIP_HEADER, comp.compress(head), comp.flush(zlib.Z_SYNC_FLUSH)]  # ends byte-aligned
    for at in range(cut, len(data), _STORED_MAX):
        chunk = view[at:at + _STORED_MAX]
        final = at + _STORED_MAX >= len(data)
        parts += [struct.pack("<BHH", final, len(chunk), len(chunk) ^ 0xFFFF), chunk]
    parts.append(struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF))
    return b"".join(parts)


def _pending_lines(pending: Path) -> Iterator[str]:
    with open(pending, encoding="utf-8") as fh:
        for line in fh:
            url, date, fields = json.loads(line)
            yield cdxj_line(url, date, fields)


#: Index lines a closing file's index is sorted in at once (~1.3 MB), the rest spilled in sorted
#: runs and merged: the crawl's memory at its end does not grow with the file (cdxj's default,
#: 100,000 lines, held a 50,000-article crawl's ~55,000 lines at once: ~20 MB of peak RSS).
INDEX_RUN_LINES = 4096


def _write_index(final: Path, pending: Path | None) -> None:
    try:
        if pending is not None:
            write_sorted(index_path(final), _pending_lines(pending), run_lines=INDEX_RUN_LINES)
        else:
            index_file(final)
    except Exception:  # noqa: BLE001 - a thread must not die silently
        logger.exception("Could not write the CDXJ index of %s (run `northnews-archive index`)", final)
    finally:
        if pending is not None:
            pending.unlink(missing_ok=True)


def _close_quietly(fh: IO[str] | None) -> None:
    if fh is None:
        return
    try:
        fh.close()
    except OSError:
        pass


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
