"""Downloader middlewares."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.http import Request, Response, TextResponse

from northnews.encoding import detect_encoding, same_codec

if TYPE_CHECKING:  # pragma: no cover
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class EncodingMiddleware:
    """Re-decode text responses whose declared encoding does not fit their bytes.

    Scrapy believes an HTTP ``charset=utf-8`` over GBK bytes and silently turns the page into
    U+FFFD. This middleware decides the encoding with :mod:`northnews.encoding` and, when it
    differs from Scrapy's choice, returns the response replaced with that ``encoding=``.

    It must see the decompressed body: give it a priority below
    ``HttpCompressionMiddleware`` (590), e.g. 585, so its ``process_response`` runs after it.
    """

    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodingMiddleware:
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        if response.body.isascii() and not response.encoding.lower().startswith("utf-16"):
            return response  # every ASCII-compatible codec reads it the same
        content_type = response.headers.get(b"Content-Type")
        codec = detect_encoding(response.body, content_type)
        if same_codec(codec, response.encoding):
            return response
        logger.debug(
            "Re-decoding %s as %s (Scrapy chose %s)", response.url, codec, response.encoding
        )
        if self.stats is not None:
            self.stats.inc_value("northnews/encoding/redecoded")
            self.stats.inc_value(f"northnews/encoding/redecoded/{codec}")
        return response.replace(encoding=codec)
