"""Failed fetches kept in the WARCs: the request and the error of every attempt that got no answer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest, NotConfigured

from northnews.archive.writer import WarcWriter

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler


class FailedFetchRecorder:
    """Downloader middleware: every attempt that ends in an exception (timeout, connection reset or
    refused, DNS) is recorded by the WARC writer; an archive says what was tried, not only what
    answered. Next to the downloader (950 is replay, which raises no network errors), so that each
    retry's failure is seen, not only the last."""

    def __init__(self, writer: WarcWriter) -> None:
        self.writer = writer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailedFetchRecorder:
        writer = crawler.get_extension(WarcWriter)
        if writer is None:
            raise NotConfigured("no WARC writer in this crawl")
        return cls(writer)

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        if not isinstance(exception, IgnoreRequest):  # robots.txt, a replay miss: nothing was sent
            self.writer.record_failure(request, exception)
        return None
