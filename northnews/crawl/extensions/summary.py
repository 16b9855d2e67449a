"""A short end-of-crawl summary: articles, pages, errors, and where the output went.

Also where a run that did nothing useful says so (:func:`silent_zero`): an edition whose start page
robots.txt disallows; list pages fetched but no link matching the profile's article rule (the
profile no longer fits the site); or nothing archived and no known article met although the store
holds articles of the site. Each is a WARNING here and a line of the summary, and
``northnews-cron`` exits 4 (unreachable) for the first and 7 (layout drift) for the others
(:func:`northnews.ops.manifest.classify` reads the same function), never 0.
"""

from __future__ import annotations

import logging
import sys
from typing import TYPE_CHECKING, TextIO

from scrapy import signals

from northnews.crawl.context import CrawlContext
from northnews.crawl.keys import (
    FEED_NOT_WRITTEN,
    REJECTED_STATS,
    REPLAY_STATS,
)
from northnews.crawl.pipelines.validate import DROPPED_STAT
from northnews.crawl.stats import error_count, silent_zero

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


logger = logging.getLogger(__name__)

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
        replay = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith(REPLAY_STATS)}
        rejected = sum(v for k, v in stats.items() if k.startswith(REJECTED_STATS))
        unwritten = set(stats.get(FEED_NOT_WRITTEN) or [])  # never named as written
        feeds = ", ".join(f"{uri} (NOT written)" if str(uri) in unwritten else str(uri)
                          for uri in settings.getdict("FEEDS")) or "(no feed)"
        lines = [
            f"northnews: crawl finished ({reason})",
            f"  articles:  {stats.get('item_scraped_count', 0)} scraped, {rejected} rejected,"
            f" {stats.get('item_dropped_count', 0) - stats.get(DROPPED_STAT, 0)} dropped otherwise",
            f"  pages:     {stats.get('response_received_count', 0)} responses ({statuses or 'none'})"
            + (f"; replay hits {replay.get('hit', 0)}, misses {replay.get('miss', 0)}" if replay else ""),
            f"  errors:    {errors}",
            f"  items:     {feeds}",
            f"  archive:   {CrawlContext.of(self.crawler).archive_dir}",
        ]
        lines += [f"  WARNING:   {message}" for _, message in silent_zero(stats)]
        return "\n".join(lines)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        for _, message in silent_zero(self.crawler.stats.get_stats()):
            logger.warning("No silent zero: %s", message)
        print(self.summary(reason), file=self.stream, flush=True)
