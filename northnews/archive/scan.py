"""Walk a WARC file record by record, checking that every record is complete.

``warcio check`` verifies digests and gzip checksums, but it passes a file whose last record a
kill cut in half, and it passes an empty file. This scanner is the completeness check: every gzip
member must end (zlib verifies its CRC and length on the way), every record must start with a
``WARC/1.x`` line, and every block must be exactly ``Content-Length`` bytes followed by the
``\\r\\n\\r\\n`` trailer. It never holds a record body in memory, so it runs on 1 GB files.

It also collects what the index, the listing and replay need from each record (WARC headers,
offset and length in the file, the HTTP status line and headers), so one pass serves them all.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

OPEN_SUFFIX = ".open"
WARC_SUFFIXES = (".warc.gz", ".warc")

_READ_SIZE = 1 << 20
_MAX_OUT = 4 << 20  # bound on decompressed bytes per zlib call
_MAX_HEAD = 1 << 20  # WARC headers larger than this are not a WARC
_MAX_HTTP_HEAD = 64 << 10  # HTTP headers kept per record (for status, mime, replay)
_TRAILER = b"\r\n\r\n"


class ScanError(Exception):
    """A record or gzip member that is not complete or not well formed."""


@dataclass
class RecordInfo:
    """One WARC record as found in a file (its body is not kept)."""

    offset: int  # offset of the record's gzip member (or of the record, uncompressed)
    length: int  # length of the member (or of the record) in the file
    version: str  # "WARC/1.1"
    headers: list[tuple[str, str]]
    content_length: int
    http_head: bytes = b""  # the block's HTTP status line and headers, for HTTP records

    def header(self, name: str) -> str | None:
        lname = name.lower()
        for key, value in self.headers:
            if key.lower() == lname:
                return value
        return None

    @property
    def rec_type(self) -> str | None:
        return self.header("WARC-Type")

    @property
    def record_id(self) -> str | None:
        return self.header("WARC-Record-ID")

    @property
    def target_uri(self) -> str | None:
        return self.header("WARC-Target-URI")

    @property
    def date(self) -> str | None:
        return self.header("WARC-Date")

    def http_status(self) -> int | None:
        """Status code of a response/revisit record's HTTP status line."""
        if not self.http_head.startswith(b"HTTP/"):
            return None
        parts = self.http_head.split(b"\r\n", 1)[0].split(b" ", 2)
        try:
            return int(parts[1])
        except (IndexError, ValueError):
            return None

    def http_header(self, name: str) -> str | None:
        lname = name.lower().encode("ascii")
        for line in self.http_head.split(b"\r\n")[1:]:
            key, sep, value = line.partition(b":")
            if sep and key.strip().lower() == lname:
                return _decode_header(value.strip())
        return None


@dataclass
class ScanResult:
    path: Path
    size: int
    gzipped: bool
    records: list[RecordInfo] = field(default_factory=list)
    # End of the last complete gzip member (or record): the file is sound up to here.
    good_end: int = 0
    error: str | None = None
    error_offset: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _decode_header(raw: bytes) -> str:
    # Same rule as warcio's parser, so both read a header the same way.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("iso-8859-1")


class _RecordParser:
    """Incremental parser of a stream of WARC records (the decompressed bytes of a member)."""

    def __init__(self) -> None:
        self.done: list[RecordInfo] = []
        self._state = "head"
        self._buf = bytearray()
        self._remaining = 0
        self._current: RecordInfo | None = None
        self._http = bytearray()
        self._trailer = bytearray()

    def at_boundary(self) -> bool:
        return self._state == "head" and not self._buf

    def feed(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            if self._state == "head":
                view = self._feed_head(view)
            elif self._state == "block":
                take = min(self._remaining, len(view))
                if len(self._http) < _MAX_HTTP_HEAD and b"\r\n\r\n" not in self._http:
                    self._http += view[: min(take, _MAX_HTTP_HEAD - len(self._http))]
                self._remaining -= take
                view = view[take:]
                if self._remaining == 0:
                    self._state = "trailer"
            else:  # trailer
                take = min(4 - len(self._trailer), len(view))
                self._trailer += view[:take]
                view = view[take:]
                if len(self._trailer) == 4:
                    if bytes(self._trailer) != _TRAILER:
                        raise ScanError(
                            "block does not match Content-Length "
                            f"{self._current.content_length if self._current else '?'} "
                            "(no \\r\\n\\r\\n after it)"
                        )
                    self._finish()

    def _feed_head(self, view: memoryview) -> memoryview:
        start = len(self._buf)
        self._buf += view
        end = self._buf.find(b"\r\n\r\n", max(0, start - 3))
        if end < 0:
            if len(self._buf) > _MAX_HEAD:
                raise ScanError("no end of WARC headers in the first MB")
            if not self._buf.startswith(b"WARC/"[: len(self._buf)]):
                raise ScanError("record does not start with WARC/")
            return memoryview(b"")
        head = bytes(self._buf[:end])
        rest = memoryview(bytes(self._buf[end + 4 :]))
        self._buf.clear()
        lines = head.split(b"\r\n")
        if not lines[0].startswith(b"WARC/1."):
            raise ScanError(f"record does not start with WARC/1.x: {lines[0][:40]!r}")
        headers: list[tuple[str, str]] = []
        for line in lines[1:]:
            if line[:1] in (b" ", b"\t") and headers:  # continuation line
                name, value = headers[-1]
                headers[-1] = (name, value + " " + _decode_header(line.strip()))
                continue
            key, sep, value = line.partition(b":")
            if not sep:
                raise ScanError(f"malformed WARC header line: {line[:60]!r}")
            headers.append((_decode_header(key.strip()), _decode_header(value.strip())))
        record = RecordInfo(0, 0, lines[0].decode("ascii"), headers, -1)
        length = record.header("Content-Length")
        if length is None or not length.strip().isdigit():
            raise ScanError("record without a valid Content-Length")
        record.content_length = int(length)
        # Exact size of the record in an uncompressed file (a gzip member's size replaces it).
        record.length = end + 4 + record.content_length + 4
        self._current = record
        self._http = bytearray()
        self._trailer = bytearray()
        self._remaining = record.content_length
        self._state = "block" if self._remaining else "trailer"
        return rest

    def _finish(self) -> None:
        assert self._current is not None
        http = bytes(self._http)
        if http.startswith(b"HTTP/") or self._current.rec_type == "request":
            end = http.find(b"\r\n\r\n")
            self._current.http_head = http if end < 0 else http[:end]
        self.done.append(self._current)
        self._current = None
        self._state = "head"


def scan_file(path: str | os.PathLike[str]) -> ScanResult:
    """Scan a ``.warc.gz`` (one or more records per gzip member) or a plain ``.warc``."""
    p = Path(path)
    size = p.stat().st_size
    with open(p, "rb") as fh:
        magic = fh.read(2)
        fh.seek(0)
        if magic == b"\x1f\x8b":
            result = ScanResult(p, size, True)
            _scan_gzip(fh, result)
        else:
            result = ScanResult(p, size, False)
            _scan_plain(fh, result)
    if not result.records and result.error is None:
        result.error = "no WARC record in file" if size == 0 else "no complete WARC record"
        result.error_offset = 0
    return result


def _scan_gzip(fh, result: ScanResult) -> None:
    member_start = 0
    consumed = 0  # compressed bytes of the current member fed so far
    parser = _RecordParser()
    decomp: zlib._Decompress | None = None
    pending = b""
    while True:
        if not pending:
            pending = fh.read(_READ_SIZE)
            if not pending:
                break
        if decomp is None:
            if pending[:1] != b"\x1f" or (len(pending) > 1 and pending[1:2] != b"\x8b"):
                result.error = "data that is not a gzip member (a record not compressed on its own?)"
                result.error_offset = member_start
                return
            decomp = zlib.decompressobj(zlib.MAX_WBITS | 16)
            consumed = 0
        try:
            data = pending
            while True:
                out = decomp.decompress(data, _MAX_OUT)
                parser.feed(out)
                data = decomp.unconsumed_tail
                if not data or decomp.eof:
                    break
        except (zlib.error, ScanError) as exc:
            result.error = f"{type(exc).__name__ if isinstance(exc, zlib.error) else 'record'}: {exc}"
            result.error_offset = member_start
            return
        if decomp.eof:
            used = len(pending) - len(decomp.unused_data)
            member_len = consumed + used
            if not parser.at_boundary():
                result.error = "gzip member ends inside a record"
                result.error_offset = member_start
                return
            if not parser.done:
                result.error = "gzip member holds no WARC record"
                result.error_offset = member_start
                return
            for rec in parser.done:
                rec.offset, rec.length = member_start, member_len
                result.records.append(rec)
            parser.done.clear()
            member_start += member_len
            result.good_end = member_start
            pending = decomp.unused_data
            decomp = None
        else:
            consumed += len(pending)
            pending = b""
    if decomp is not None:
        result.error = "gzip member does not end (file truncated?)"
        result.error_offset = member_start


def _scan_plain(fh, result: ScanResult) -> None:
    parser = _RecordParser()
    rec_start = 0
    while chunk := fh.read(_READ_SIZE):
        try:
            parser.feed(chunk)
        except ScanError as exc:
            result.error = f"record: {exc}"
            result.error_offset = rec_start
            return
        for rec in parser.done:
            rec.offset = rec_start
            rec_start += rec.length
            result.records.append(rec)
            result.good_end = rec_start
        parser.done.clear()
    if not parser.at_boundary():
        result.error = "record does not end (file truncated?)"
        result.error_offset = rec_start


def final_name(name: str) -> str:
    """The name a WARC gets when it is closed: without ``.open``."""
    return name[: -len(OPEN_SUFFIX)] if name.endswith(OPEN_SUFFIX) else name


def iter_warc_files(root: str | os.PathLike[str], include_open: bool = True) -> Iterator[Path]:
    """WARC files under ``root`` (a file, a directory of WARCs, or an archive dir), sorted."""
    p = Path(root)
    if p.is_file():
        yield p
        return
    if (p / "warc").is_dir():
        p = p / "warc"
    suffixes = WARC_SUFFIXES + tuple(s + OPEN_SUFFIX for s in WARC_SUFFIXES) if include_open else WARC_SUFFIXES
    yield from sorted(f for f in p.rglob("*") if f.is_file() and f.name.endswith(suffixes))


def warc_root(root: str | os.PathLike[str]) -> Path:
    """The directory that WARC file names are relative to, for a replay/list/check root."""
    p = Path(root)
    if p.is_file():
        return p.parent
    if (p / "warc").is_dir():
        return p / "warc"
    return p
