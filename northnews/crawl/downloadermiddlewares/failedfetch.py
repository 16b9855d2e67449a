"""Failed fetches kept in the WARCs (the request and the error of every attempt that got no answer),
and each response held until its WARC records are written."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future

from northnews.archive.writer import WarcWriter

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response


class FailedFetchRecorder:
    """Downloader middleware: every attempt that ends in an exception (timeout, connection reset or
    refused, DNS) is recorded by the WARC writer; an archive says what was tried, not only what
    answered. Next to the downloader (950 is replay, which raises no network errors), so that each
    retry's failure is seen, not only the last. It also hands each response on only once its
    records are written (the WARC writer's thread: see :mod:`northnews.archive.writer`), so every
    other middleware and the spider find the capture's pointer in ``request.meta`` as when writing
    was inline."""

    def __init__(self, writer: WarcWriter) -> None:
        self.writer = writer

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FailedFetchRecorder:
        writer = crawler.get_extension(WarcWriter)
        if writer is None:
            raise NotConfigured("no WARC writer in this crawl")
        writer.use_thread()  # this middleware hands each response on once its record is written
        return cls(writer)

    async def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        """Hold the response until its records are written and its pointer is in its meta."""
        written = self.writer.written(request)
        if written is not None:
            await maybe_deferred_to_future(written)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        if not isinstance(exception, IgnoreRequest):  # robots.txt, a replay miss: nothing was sent
            self.writer.record_failure(request, exception)
        return None
