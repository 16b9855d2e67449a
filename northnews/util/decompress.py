"""HTTP ``Content-Encoding`` decoded as Scrapy's HttpCompressionMiddleware decodes it, with public libraries.

``northnews-archive extract`` serves each archived page as the spider receives it in replay, after
Scrapy's decompression middleware; this module gives the same body with the standard library's
:mod:`zlib`/:mod:`gzip`, ``brotli`` and ``zstd`` (the standard library's ``compression.zstd`` from
Python 3.14, its ``backports.zstd`` before: both are what Scrapy 2.19 itself decodes with), so
that nothing reaches into Scrapy's private helpers. Behaviour checked against Scrapy 2.19.0
(``tests/test_decompress.py`` compares the two on the same bodies):

* the encodings of every ``Content-Encoding`` value, comma-split, lower-cased, are undone last
  first while they are ones Scrapy accepts (``gzip``/``x-gzip``, ``deflate``, ``br``, ``zstd``);
  the first unknown one stops decoding and it and those before it are kept;
* gzip is read member after member and "as much as possible": a truncated stream or a bad CRC
  keeps what decoded, unless nothing did; ``deflate`` is zlib-wrapped or raw; a truncated zstd
  frame keeps what decoded;
* more than ``max_size`` decoded bytes (``0``: no limit) raises :class:`TooLarge`.
"""

from __future__ import annotations

import struct
import sys
import zlib
from collections.abc import Iterator
from gzip import GzipFile
from io import BytesIO

import brotli

if sys.version_info >= (3, 14):  # pragma: no cover - the standard library's from 3.14
    from compression import zstd
else:
    from backports import zstd

#: The encodings decoded (what Scrapy 2.19 accepts); others are left as they are.
SUPPORTED = frozenset({"gzip", "x-gzip", "deflate", "br", "zstd"})
_CHUNK = 65536


class TooLarge(ValueError):
    """More than ``max_size`` bytes decoded."""

    def __init__(self, decoded: int, max_size: int) -> None:
        super().__init__(f"more than {max_size} bytes once decompressed ({decoded} so far)")
        self.decoded, self.max_size = decoded, max_size


def split(values: list[str]) -> tuple[list[str], list[str]]:
    """``(to_decode, to_keep)`` of ``Content-Encoding`` header values: the encodings undone, in the
    order they are undone, and those left (outermost first)."""
    keep = [part.strip().lower() for value in values for part in value.split(",")]
    undo: list[str] = []
    while keep:
        encoding = keep.pop()
        if encoding not in SUPPORTED:
            keep.append(encoding)
            break
        undo.append(encoding)
    return undo, keep


def decode(body: bytes, encoding: str, max_size: int = 0) -> bytes:
    """``body`` with one content coding undone."""
    if encoding in ("gzip", "x-gzip"):
        return _gunzip(body, max_size)
    if encoding == "deflate":
        return _inflate(body, max_size)
    if encoding == "br":
        return _unbrotli(body, max_size)
    if encoding == "zstd":
        return _unzstd(body, max_size)
    return body


def decode_all(body: bytes, values: list[str], max_size: int = 0) -> tuple[bytes, list[str]]:
    """``body`` with every supported coding of ``Content-Encoding`` ``values`` undone, and the
    encodings left (empty when all were undone)."""
    undo, keep = split(values)
    for encoding in undo:
        body = decode(body, encoding, max_size)
    return body, keep


def _collect(chunks: Iterator[bytes], max_size: int) -> bytes:
    """The decoded chunks joined, :class:`TooLarge` as soon as they pass ``max_size``."""
    out = BytesIO()
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if max_size and size > max_size:
            raise TooLarge(size, max_size)
        out.write(chunk)
    return out.getvalue()


def _gunzip(data: bytes, max_size: int) -> bytes:
    # The common case in one zlib call: one whole gzip member (CRC and length checked by zlib),
    # within max_size. Anything else (several members, a cut, a bad CRC, a bomb) is read as below.
    inflater = zlib.decompressobj(31)
    try:
        whole = inflater.decompress(data, max_size + 1 if max_size else 0)
    except zlib.error:
        whole = None
    if whole is not None and inflater.eof and not inflater.unused_data and (not max_size or len(whole) <= max_size):
        return whole

    def chunks() -> Iterator[bytes]:
        reader = GzipFile(fileobj=BytesIO(data))
        some = False
        while True:
            try:
                chunk = reader.read1(_CHUNK)
            except (OSError, EOFError, struct.error):
                if some:  # as much as possible: a cut or a bad CRC keeps what decoded
                    return
                raise
            if not chunk:
                return
            some = True
            yield chunk

    return _collect(chunks(), max_size)


def _inflate(data: bytes, max_size: int) -> bytes:
    def chunks() -> Iterator[bytes]:
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(data, _CHUNK)
        except zlib.error:  # raw deflate, as some servers send it
            inflater = zlib.decompressobj(wbits=-15)
            chunk = inflater.decompress(data, _CHUNK)
        yield chunk
        while inflater.unconsumed_tail and not inflater.eof:
            yield inflater.decompress(inflater.unconsumed_tail, _CHUNK)

    return _collect(chunks(), max_size)


def _unbrotli(data: bytes, max_size: int) -> bytes:
    def chunks() -> Iterator[bytes]:
        decompressor = brotli.Decompressor()
        if not hasattr(decompressor, "process"):
            # brotlipy (a dependency of pywb, which the tests install) shadows Google's ``brotli``
            # package under the same name; its decompressor has no output limit: one call.
            yield decompressor.decompress(data)
            return
        yield decompressor.process(data, output_buffer_limit=_CHUNK)
        while not decompressor.is_finished():
            chunk = decompressor.process(b"", output_buffer_limit=_CHUNK)
            if not chunk:
                return
            yield chunk

    return _collect(chunks(), max_size)


def _unzstd(data: bytes, max_size: int) -> bytes:
    def chunks() -> Iterator[bytes]:
        reader = zstd.ZstdFile(BytesIO(data))
        while True:
            try:
                chunk = reader.read(_CHUNK)
            except EOFError:  # a truncated frame: what decoded
                return
            if not chunk:
                return
            yield chunk

    return _collect(chunks(), max_size)
