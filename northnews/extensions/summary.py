"""A short end-of-crawl summary: articles, pages, errors, and where the output went."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

from scrapy import signals

from northnews.extensions.progress import error_count

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


class CrawlSummary:
    def __init__(self, crawler: Crawler, stream: TextIO | None = None) -> None:
        self.crawler = crawler
        self.stream = stream or sys.stdout

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlSummary:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def summary(self, reason: str) -> str:
        stats = self.crawler.stats.get_stats()
        settings = self.crawler.settings
        # The same count as the progress line, the run manifest and cron's error rate.
        errors = error_count(stats)
        statuses = ", ".join(
            f"{k.rsplit('/', 1)[1]}: {v}" for k, v in sorted(stats.items())
            if k.startswith("downloader/response_status_count/")
        )
        replay = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("northnews/replay/")}
        rejected = sum(v for k, v in stats.items() if k.startswith("northnews/rejected/"))
        unwritten = set(stats.get("northnews/feed/not_written") or [])  # never named as written
        feeds = ", ".join(f"{uri} (NOT written)" if str(uri) in unwritten else str(uri)
                          for uri in settings.getdict("FEEDS")) or "(no feed)"
        lines = [
            f"northnews: crawl finished ({reason})",
            f"  articles:  {stats.get('item_scraped_count', 0)} scraped, {rejected} rejected,"
            f" {stats.get('item_dropped_count', 0) - rejected} dropped otherwise",
            f"  pages:     {stats.get('response_received_count', 0)} responses ({statuses or 'none'})"
            + (f"; replay hits {replay.get('hit', 0)}, misses {replay.get('miss', 0)}" if replay else ""),
            f"  errors:    {errors}",
            f"  items:     {feeds}",
            f"  archive:   {settings.get('NORTHNEWS_ARCHIVE_DIR')}",
        ]
        return "\n".join(lines)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        print(self.summary(reason), file=self.stream, flush=True)
