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
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TextIO

from scrapy import signals

from northnews.extensions.progress import PAGES, error_count
from northnews.pipelines import DROPPED_STAT

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


logger = logging.getLogger(__name__)

#: The kinds of :func:`silent_zero` alarms (cron: 4 for "unreachable", 7 for "drift").
UNREACHABLE, DRIFT = "unreachable", "drift"


def silent_zero(stats: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(kind, message)`` for each way this run archived nothing while it should have; [] if none.

    Judged only for a crawl recorded in the store (``northnews/run/id``): replay and a crawl
    without a store have nothing to compare with. A run that met only known articles (an
    incremental run on a quiet day) is no alarm, nor is one whose article links were all older
    than ``-a since``.
    """
    if not stats.get("northnews/run/id"):
        return []
    count = lambda key: int(stats.get(key, 0) or 0)  # noqa: E731
    alarms = []
    disallowed = sorted(k.rsplit("/", 1)[1] for k in stats if k.startswith("northnews/robots/edition_disallowed/"))
    if disallowed:
        alarms.append((UNREACHABLE, f"edition {', '.join(disallowed)} disallowed by robots.txt: nothing of it crawled"))
    lists, links = count(PAGES + "list"), count("northnews/spider/article_links")
    matched = links + count("northnews/spider/article_too_old")
    archived = sum(count(f"northnews/store/{k}") for k in ("new", "updated", "unchanged"))
    known, before = count("northnews/spider/article_known"), count("northnews/store/articles_before")
    if lists and not matched:
        alarms.append((DRIFT, f"no link on {lists} list page(s) matched the site profile's article rule"
                              " (urls.article): the profile no longer fits the site"))
    elif links and not archived and not known and before:
        alarms.append((DRIFT, f"nothing archived: {links} article link(s), none stored or already known,"
                              f" though the store holds {before} article(s) of this site"))
    return alarms


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
            f" {stats.get('item_dropped_count', 0) - stats.get(DROPPED_STAT, 0)} dropped otherwise",
            f"  pages:     {stats.get('response_received_count', 0)} responses ({statuses or 'none'})"
            + (f"; replay hits {replay.get('hit', 0)}, misses {replay.get('miss', 0)}" if replay else ""),
            f"  errors:    {errors}",
            f"  items:     {feeds}",
            f"  archive:   {settings.get('NORTHNEWS_ARCHIVE_DIR')}",
        ]
        lines += [f"  WARNING:   {message}" for _, message in silent_zero(stats)]
        return "\n".join(lines)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        for _, message in silent_zero(self.crawler.stats.get_stats()):
            logger.warning("No silent zero: %s", message)
        print(self.summary(reason), file=self.stream, flush=True)
