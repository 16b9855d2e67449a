"""Page requisites: each page the spider parses hands its requisites to the pipeline
(:mod:`northnews.crawl.pipelines.requisites`, which fetches each once per crawl)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from northnews.crawl.context import CrawlContext
from northnews.crawl.keys import PAGE_META
from northnews.crawl.pipelines.requisites import META, RequisitesPipeline, page_requisites

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class RequisitesMiddleware(BaseSpiderMiddleware):
    """Spider middleware: the requisites of each page the spider parses go to the pipeline."""

    #: ``meta["northnews_page"]`` of the pages whose images are requisites (list pages: template only).
    ARTICLE_PAGES = ("article", "article_page")

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.pipeline: RequisitesPipeline | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequisitesMiddleware:
        if not CrawlContext.of(crawler).get("NORTHNEWS_REQUISITES_ENABLED"):
            raise NotConfigured("NORTHNEWS_REQUISITES_ENABLED is off")
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self, spider: Spider) -> None:
        self.pipeline = self.crawler.get_item_pipeline(RequisitesPipeline)
        if self.pipeline is None:
            logger.warning("RequisitesMiddleware without RequisitesPipeline in ITEM_PIPELINES: no requisites")

    def _page(self, response: Response | None) -> None:
        if self.pipeline is None or not isinstance(response, TextResponse) or META in response.meta:
            return
        if response.status != 200 or b"html" not in (response.headers.get("Content-Type") or b"text/html").lower():
            return
        article = response.meta.get(PAGE_META) in self.ARTICLE_PAGES
        self.pipeline.page(response.url, page_requisites(response, images=article))

    def process_spider_output(self, response: Response | None, result: Iterable[Any],
                              spider: Spider | None = None) -> Iterable[Any]:
        self._page(response)
        yield from result

    async def process_spider_output_async(self, response: Response | None, result: AsyncIterator[Any],
                                          spider: Spider | None = None) -> AsyncIterator[Any]:
        # A callback that reads its page in a worker process (NORTHNEWS_PARSE_WORKERS) puts the
        # page's requisites in its meta before its first output: read then (or at its end), still
        # before anything it yields goes on, so that the page is never parsed here.
        pending = True
        async for o in result:
            if pending:
                pending = False
                self._page(response)
            yield o
        if pending:
            self._page(response)
