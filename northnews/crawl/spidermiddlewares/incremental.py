"""Incremental crawling, the spider's side: requests for what the store of record knows are dropped
(the store is consulted by :class:`~northnews.crawl.extensions.incremental.IncrementalCrawl`)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.exceptions import NotConfigured

from northnews.crawl.extensions.incremental import IncrementalCrawl
from northnews.crawl.keys import (
    ARTICLE_KNOWN_STAT,
    ARTICLE_LINKS_STAT,
    LISTING_META,
    PAGE_META,
    PAGINATION_STOPPED_STAT,
    RETRY_META,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class IncrementalMiddleware:
    """Spider middleware: article pages the store knows are not requested again.

    Reads only request meta: ``northnews_page == "article"`` marks an article's first page;
    a request carrying ``northnews_listing`` is a next list page, dropped when every article of
    the page before it is known (and the previous run walked every list page).
    """

    def __init__(self, crawler: Crawler, ext: IncrementalCrawl) -> None:
        self.stats = crawler.stats
        self.ext = ext

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        ext = crawler.get_extension(IncrementalCrawl)
        if ext is None or ext.run is None:
            raise NotConfigured("no store of record for this crawl (replay, or store disabled)")
        return cls(crawler, ext)

    def _known(self, url: str) -> bool:
        return self.ext.known is not None and self.ext.known(url)

    def _keep(self, item: Any) -> bool:
        if not isinstance(item, Request):
            return True
        kind = item.meta.get(PAGE_META)
        if kind == "article":  # every article link the site's pages gave (no silent zero: summary.py)
            self.stats.inc_value(ARTICLE_LINKS_STAT)
        if kind == "article" and self._known(item.url):
            self.stats.inc_value(ARTICLE_KNOWN_STAT)
            return False
        listing = item.meta.get(LISTING_META)
        if kind == "list" and listing and self.ext.stop_at_known_page and all(self._known(u) for u in listing):
            # A whole list page of already-archived articles: the rest of the section is too.
            self.stats.inc_value(PAGINATION_STOPPED_STAT)
            return False
        return True

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """Marks the start requests for pending articles (``meta["northnews_pending_retry"]``), so
        that the drift monitor does not count an old reject again as this run's."""
        async for item in start:
            if isinstance(item, Request) and item.url in self.ext.due:
                item.meta[RETRY_META] = True
            yield item

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterable[Any]:
        return (item for item in result if self._keep(item))

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item in result:
            if self._keep(item):
                yield item
