"""Offline replay: a downloader middleware that answers every request from a local source.

``-a replay=PATH`` on the spider sets ``NORTHNEWS_REPLAY``; this middleware then answers each
request from a mirror directory (:mod:`northnews.archive.mirror`) or from WARCs
(:mod:`northnews.archive.warcreplay`) and the request never reaches the downloader: no socket
is opened, no host name resolved, and ``response_downloaded`` does not fire, so nothing is
re-archived. It sits just above the downloader, so every other middleware (robots.txt,
decompression, redirects, retries) runs exactly as in a live crawl.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from northnews.archive.hits import ReplaySource
from northnews.archive.mirror import MirrorSource
from northnews.archive.paths import is_warc_path
from northnews.archive.warcreplay import WarcSource
from northnews.crawl.context import CrawlContext
from northnews.crawl.keys import CAPTURE_META, REPLAY_DAMAGED

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class ReplayMiss(IgnoreRequest):
    """The URL is not in the archive being replayed."""


def open_source(path: str | os.PathLike[str]) -> ReplaySource:
    """A mirror directory, or WARC file(s): a file, a directory of WARCs, or an archive dir."""
    p = Path(path)
    if not p.exists():
        raise ValueError(f"replay path does not exist: {path}")
    if is_warc_path(p):
        return WarcSource(p)
    return MirrorSource(p)


class ReplayMiddleware:
    """Answers requests from ``NORTHNEWS_REPLAY`` (a mirror or WARCs) instead of the network."""

    def __init__(self, crawler: Crawler, source: ReplaySource, path: str) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.source = source
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayMiddleware:
        path = CrawlContext.of(crawler).replay
        if not path:
            raise NotConfigured  # a live crawl: nothing to say (a reason would log a WARNING)
        mw = cls(crawler, open_source(path), str(path))
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        logger.info("Replaying from %s (%s): no network access", path, type(mw.source).__name__)
        return mw

    def process_request(self, request: Request, spider: Spider | None = None) -> Response:
        hit = self.source.lookup(request.url)
        if hit is None:
            self.stats.inc_value("northnews/replay/miss")
            logger.warning("Not in the replayed archive: %s", request.url)
            raise ReplayMiss(f"not archived: {request.url}")
        self.stats.inc_value("northnews/replay/hit")
        self.stats.inc_value(f"northnews/replay/status/{hit.status}")
        if hit.capture is not None:
            request.meta[CAPTURE_META] = hit.capture
        headers = Headers()
        for name, value in hit.headers:
            headers.appendlist(name, value)
        respcls = responsetypes.from_args(headers=headers, url=request.url, body=hit.body)
        return respcls(
            url=request.url,
            status=hit.status,
            headers=headers,
            body=hit.body,
            request=request,
            flags=["replay"],
            protocol=hit.protocol,
        )

    def spider_closed(self, spider: Spider) -> None:
        damages = getattr(self.source, "damages", [])
        if damages:
            self.stats.set_value(REPLAY_DAMAGED, len(damages))
            logger.error("Replay read past %d damaged record(s) or span(s) of %s (every intact record was "
                         "replayed; `northnews-archive check` names them): %s", len(damages), self.path,
                         "; ".join(f"{name}: {what}" for name, _offset, _end, what in damages[:5]))
        self.source.close()
