"""northnews.util.decompress gives what Scrapy's HttpCompressionMiddleware gives (its public
``process_response``), on the same bodies: ``northnews-archive extract`` serves pages as the spider
receives them without reaching into Scrapy's private decoders."""

from __future__ import annotations

import gzip
import zlib

import brotli
import pytest
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from northnews.util import decompress

try:
    from compression import zstd  # type: ignore[import-not-found]
except ImportError:
    from backports import zstd

PAGE = ("<html><body>" + "<p>呼和浩特 Hohhot 内蒙古</p>" * 400 + "</body></html>").encode("utf-8")


def scrapy_decoded(body: bytes, encodings: list[bytes], max_size: int = 0) -> tuple[bytes, list[bytes]]:
    with pytest.warns(Warning):  # "without a 'crawler' argument is deprecated": none is needed here
        mw = HttpCompressionMiddleware()
    mw._max_size = max_size  # what DOWNLOAD_MAXSIZE sets (from_crawler); no crawler here
    mw._warn_size = 0
    response = Response("http://example.com/a", body=body, headers={"Content-Encoding": encodings})
    out = mw.process_response(Request("http://example.com/a"), response)
    return out.body, out.headers.getlist("Content-Encoding")


def ours(body: bytes, encodings: list[bytes], max_size: int = 0) -> tuple[bytes, list[bytes]]:
    decoded, keep = decompress.decode_all(body, [e.decode() for e in encodings], max_size)
    return decoded, [e.encode() for e in keep]


def raw_deflate(data: bytes) -> bytes:
    c = zlib.compressobj(wbits=-15)
    return c.compress(data) + c.flush()


CASES = {
    "gzip": (gzip.compress(PAGE), [b"gzip"]),
    "x-gzip, upper case": (gzip.compress(PAGE), [b"X-GZIP"]),
    "two gzip members": (gzip.compress(PAGE[:100]) + gzip.compress(PAGE[100:]), [b"gzip"]),
    "gzip cut short": (gzip.compress(PAGE)[:-200], [b"gzip"]),
    "gzip bad crc": (gzip.compress(PAGE)[:-8] + b"\0\0\0\0" + gzip.compress(PAGE)[-4:], [b"gzip"]),
    "deflate (zlib)": (zlib.compress(PAGE), [b"deflate"]),
    "deflate (raw)": (raw_deflate(PAGE), [b"deflate"]),
    "br": (brotli.compress(PAGE), [b"br"]),
    "zstd": (zstd.compress(PAGE), [b"zstd"]),
    "zstd cut short": (zstd.compress(PAGE)[:-10], [b"zstd"]),
    "gzip then br, one header": (brotli.compress(gzip.compress(PAGE)), [b"gzip, br"]),
    "gzip then br, two headers": (brotli.compress(gzip.compress(PAGE)), [b"gzip", b"br"]),
    "unknown outer coding kept": (gzip.compress(PAGE), [b"gzip", b"compress"]),
    "unknown inner coding kept": (gzip.compress(PAGE), [b"compress", b"gzip"]),
}


def scrapy_reads_br() -> bool:
    """Scrapy 2.19 decodes ``br`` with Google's ``brotli`` API; with brotlipy (pywb's dependency)
    installed over it under the same name, Scrapy's own decoder raises AttributeError."""
    return hasattr(brotli.Decompressor(), "process")


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_same_body_and_leftover_encodings_as_scrapy(name: str) -> None:
    body, encodings = CASES[name]
    if b"br" in b",".join(encodings) and not scrapy_reads_br():
        # Scrapy cannot be asked here (see scrapy_reads_br): the page itself is the answer.
        assert ours(body, encodings)[0] == PAGE
        return
    assert ours(body, encodings) == scrapy_decoded(body, encodings)


@pytest.mark.parametrize("coding", ["gzip", "deflate", "br", "zstd"])
def test_a_bomb_over_max_size_is_refused_like_scrapy(coding: str) -> None:
    body, _ = CASES[{"gzip": "gzip", "deflate": "deflate (zlib)", "br": "br", "zstd": "zstd"}[coding]]
    with pytest.raises(decompress.TooLarge):
        ours(body, [coding.encode()], max_size=1000)
    if coding != "br" or scrapy_reads_br():
        with pytest.raises(IgnoreRequest):
            scrapy_decoded(body, [coding.encode()], max_size=1000)
    assert ours(body, [coding.encode()], max_size=len(PAGE))[0] == PAGE  # exactly the limit passes


def test_garbage_that_decodes_to_nothing_raises_like_scrapy() -> None:
    with pytest.raises(OSError):
        ours(b"not gzip at all", [b"gzip"])
    with pytest.raises(OSError):
        scrapy_decoded(b"not gzip at all", [b"gzip"])
