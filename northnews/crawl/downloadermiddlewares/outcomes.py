"""What finally became of each request, counted (the outermost downloader middleware; the counts
are what :mod:`northnews.crawl.extensions.progress`, the run manifest and the "complete run" read)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from northnews.crawl.keys import ERRORS_STATS as ERRORS
from northnews.crawl.keys import PAGE_META, REQUISITE_META
from northnews.crawl.keys import PAGES_STATS as PAGES

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

GONE_STATUSES = (404, 410)


def _is_robots(url: str) -> bool:
    return urlsplit(url).path == "/robots.txt"


#: What the spider says a request fetches (``meta["northnews_page"]``) → the counted kind.
_KINDS = {"list": "list", "article": "article", "article_page": "article"}


def page_kind(request: Request) -> str:
    return _KINDS.get(request.meta.get(PAGE_META, ""), "other")


class Outcomes:
    """Counts what finally became of each request (outermost downloader middleware)."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Outcomes:
        return cls(crawler)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        # Page requisites (images, CSS, JS) are not pages: northnews.crawl.pipelines.requisites counts them.
        if _is_robots(request.url) or request.meta.get(REQUISITE_META):
            return response
        status = response.status
        self.stats.inc_value(PAGES + "fetched")
        self.stats.inc_value(PAGES + page_kind(request))
        self.stats.inc_value(f"{PAGES}status/{status}")
        if status < 500:
            self.stats.inc_value(PAGES + "answered")
        if status in GONE_STATUSES:
            self.stats.inc_value(PAGES + "gone")
        elif status >= 400:
            self.stats.inc_value(f"{ERRORS}http_{status}")
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        # IgnoreRequest: robots.txt forbids, or replay has no such URL — an outcome, not a failure.
        if isinstance(exception, IgnoreRequest) or _is_robots(request.url) or request.meta.get(REQUISITE_META):
            return None
        self.stats.inc_value(PAGES + "failed")
        self.stats.inc_value(f"{ERRORS}download/{type(exception).__name__}")
        return None
