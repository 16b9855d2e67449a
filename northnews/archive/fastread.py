"""One WARC record read at a known offset with FastWARC, as warcio would give it, or ``None``.

Replay and ``northnews-archive extract`` read each capture where its CDXJ line says it is: a seek and
one record. FastWARC (Rust; ``benchmarks/warcread.py``) reads a record there in about half warcio's
time. :func:`read_at` is that fast path, and only that: it answers only when the record is a whole
``response``/``revisit``/``resource``/``metadata`` record whose block was read to its last byte
and whose headers are plain ASCII lines, with the attributes of warcio's record that
:mod:`northnews.archive.warcreplay` reads (``rec_type``, ``rec_headers.get_header``,
``http_headers`` with ``get_statuscode``/``get_header``/``headers``/``protocol``, ``raw_stream``:
the payload as stored, content- and transfer-encoded). Anything else (FastWARC not installed, a
damaged or cut record, an ARC file, a header line warcio would read differently) is ``None``, and
the caller reads the record with warcio, whose verdict on damage stands.
``tests/test_archive_fastread.py`` compares the two on every record of the archive fixtures.
"""

from __future__ import annotations

import io
import zlib
from typing import IO, Any

_FastIterator: Any
_FastRecord: Any
try:
    from fastwarc import ArchiveIterator as _FastIterator
    from fastwarc import WarcRecord as _FastRecord
except ImportError:  # pragma: no cover - FastWARC is optional: warcio reads everything
    _FastIterator = _FastRecord = None

AVAILABLE = _FastIterator is not None
_TYPES = ("response", "revisit", "resource", "metadata")
_GZIP_MAGIC = b"\x1f\x8b"


class _Headers:
    """``get_header`` over a list of (name, value), case-insensitive, the first one (warcio's)."""

    def __init__(self, headers: list[tuple[str, str]], statusline: str = "", protocol: str = "") -> None:
        self.headers = headers
        self.statusline = statusline
        self.protocol = protocol
        self._first: dict[str, str] | None = None  # lower-cased name -> its first value, when asked

    def get_header(self, name: str, default: str | None = None) -> str | None:
        if self._first is None:
            self._first = {}
            for key, value in self.headers:
                self._first.setdefault(key.lower(), value)
        return self._first.get(name.lower(), default)

    def get_statuscode(self) -> str:
        return self.statusline.split(" ", 1)[0]


class FastRecord:
    """The attributes of a warcio record that replay reads, from a FastWARC record."""

    def __init__(self, rec_type: str, rec_headers: _Headers, http_headers: _Headers | None, payload: bytes) -> None:
        self.rec_type = rec_type
        self.rec_headers = rec_headers
        self.http_headers = http_headers
        self.raw_stream: IO[bytes] = io.BytesIO(payload)


def _ascii_pairs(pairs: Any) -> list[tuple[str, str]] | None:
    out = []
    for name, value in pairs:
        if not (name.isascii() and value.isascii()) or "\n" in value or "\r" in value:
            return None
        out.append((name, value))
    return out


def _record_of(data: bytes) -> Any:
    """The one record ``data`` holds (a whole gzip member, or a plain record), parsed by FastWARC;
    ``None`` when the member is cut short or more than one member is there."""
    if data[:2] == _GZIP_MAGIC:
        inflate = zlib.decompressobj(31)
        data = inflate.decompress(data)
        if not inflate.eof or inflate.unused_data:
            return None
    return _FastRecord.from_bytes(data)


def read_at(fh: IO[bytes], offset: int, url: str | None = None, length: int | None = None) -> FastRecord | None:
    """The record at ``offset`` of the open WARC ``fh`` (gzip members or plain), or ``None`` when
    the fast path does not answer (see the module docstring). ``url``: the record's target URI as
    the index has it, checked; ``length``: the record's length in the file as the index has it:
    its bytes are then read in one call, inflated by zlib as one gzip member and parsed by
    FastWARC in memory, about 40% of the time FastWARC takes reading through the Python file
    (``benchmarks/warcread.py``); bytes that are not exactly one whole member (a stale length,
    a cut or damaged member) are ``None``."""
    if _FastIterator is None:
        return None
    try:
        fh.seek(offset)
        if length is not None and length > 0:
            record = _record_of(fh.read(length))
        else:
            record = next(iter(_FastIterator(fh, parse_http=False, auto_decode="none", fsspec_args=False)), None)
        if record is None:
            return None
        rec_type = str(record.record_type)
        if rec_type not in _TYPES:
            return None
        rec_headers = _ascii_pairs(record.headers.items())
        if rec_headers is None:
            return None
        warc = _Headers(rec_headers, str(record.headers.status_line))
        if url is not None and warc.get_header("WARC-Target-URI") != url:
            return None
        declared = warc.get_header("Content-Length") or ""
        if not declared.isdigit() or int(declared) != record.content_length:
            return None  # a block cut short (FastWARC counts what it has when parsing bytes)
        http = None
        content_type = (warc.get_header("Content-Type") or "").lower()
        if rec_type in ("response", "revisit") and content_type.startswith("application/http"):
            if record.content_length == 0:  # a revisit with no HTTP headers at all
                payload = b""
            else:
                record.parse_http()
                if not record.http_headers or not record.http_headers.status_line:
                    return None
                pairs = _ascii_pairs(record.http_headers.items())
                status_line = str(record.http_headers.status_line)
                if pairs is None or not status_line.isascii():
                    return None
                protocol, _, rest = status_line.partition(" ")
                http = _Headers(pairs, rest, protocol)
                payload = record.reader.read()
        else:
            payload = record.reader.read()
        if len(payload) != record.content_length:  # cut short: warcio says how
            return None
        return FastRecord(rec_type, warc, http, payload)
    except Exception:  # noqa: BLE001 - damage of any kind: warcio reads it and says what
        return None
