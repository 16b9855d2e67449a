"""Page encodings decided by :mod:`northnews.encoding`, never guessed by Scrapy."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.http import Response, TextResponse

from northnews.crawl.downloadermiddlewares.httpcompression import copy_response
from northnews.encoding import bom_charset, detect_encoding, header_charset, meta_charset, same_codec

if TYPE_CHECKING:  # pragma: no cover
    from scrapy.crawler import Crawler
    from scrapy.http import Request
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class EncodingMiddleware:
    """Decode text responses with :mod:`northnews.encoding`'s choice, never Scrapy's guess.

    Scrapy believes an HTTP ``charset=utf-8`` over GBK bytes and silently turns the page into
    U+FFFD; with no declaration at all it runs charset_normalizer (about 1-3 ms a page). This
    middleware decides the encoding with :func:`~northnews.encoding.detect_encoding` (a BOM, or
    a declaration the bytes strictly decode under, is trusted; detection only when there is
    none or it fails) and returns the response with that ``encoding=``, so
    ``TextResponse.encoding`` is never inferred. It never reads ``response.encoding`` itself.
    ASCII bodies (every ASCII-compatible codec reads them alike), empty and binary responses are
    returned as they are. ``northnews/encoding/redecoded`` counts the responses whose declared
    charset was overruled.

    It must see the decompressed body: give it a priority below
    ``HttpCompressionMiddleware`` (590), e.g. 585, so its ``process_response`` runs after it.
    """

    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodingMiddleware:
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse):
            return response
        codec = self.codec(response.url, response.body, response.headers.get(b"Content-Type"))
        return response if codec is None else copy_response(response, encoding=codec)

    def codec(self, url: str, body: bytes, content_type: bytes | None) -> str | None:
        """The ``encoding=`` a text response of this body and ``Content-Type`` gets, or ``None``
        when it is returned as it is (empty, or ASCII). ``northnews-archive extract`` builds its
        replayed responses with it directly (one response built instead of two)."""
        if not body:
            return None
        # What Scrapy would believe first: a BOM, the header, then the page's <meta>.
        declared = bom_charset(body) or header_charset(content_type) or meta_charset(body)
        if body.isascii() and not (declared or "").startswith(("utf-16", "utf-32")):
            return None  # every ASCII-compatible codec reads it the same
        codec = detect_encoding(body, content_type)
        if declared is not None and not same_codec(codec, declared):
            logger.debug("Re-decoding %s as %s (declared %s)", url, codec, declared)
            if self.stats is not None:
                self.stats.inc_value("northnews/encoding/redecoded")
                self.stats.inc_value(f"northnews/encoding/redecoded/{codec}")
        return codec
