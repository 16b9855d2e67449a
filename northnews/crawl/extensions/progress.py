"""Progress on long runs: one line in the log every ``NORTHNEWS_PROGRESS_INTERVAL`` seconds.

    Progress: 312 pages (20 list, 290 article, 2 other; 120/min), 280 articles (275 new,
    2 updated, 3 unchanged; 110/min), 1 rejected, 0 errors, 45 queued, 2m35s

The counts come from :class:`~northnews.crawl.downloadermiddlewares.outcomes.Outcomes`, a
downloader middleware placed outermost, which sees what finally became of each request (after
redirects and retries) and counts pages by kind and status and errors by kind (stats
``northnews/pages/…`` and ``northnews/errors/…``); :mod:`northnews.crawl.stats` reads them, for
this line as for the run manifest and the decision whether a run was complete.

What counts as an error: a request that failed for good (a download exception after retries,
``download/<Exception>``; an HTTP status ≥ 400 other than 404/410, ``http_<status>``), an exception
in a spider callback (``spider/<Exception>``) or an item pipeline (``item/<Exception>``), and an
article left incomplete because one of its pages failed (``article_incomplete``). A 404/410 is
the site's answer, not a failure: counted as ``northnews/pages/gone``. ``robots.txt`` requests,
and requests that robots.txt forbids, are neither pages nor errors.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.utils.asyncio import create_looping_call

from northnews.crawl.context import CrawlContext
from northnews.crawl.keys import (
    DRIFT_GENERIC_STAT,
)
from northnews.crawl.stats import ERRORS, PAGES, error_count, error_kinds

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

PAGE_KINDS = ("list", "article", "other")


def format_duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def format_progress(
    stats: Mapping[str, Any],
    *,
    elapsed: float,
    previous: Mapping[str, Any] | None = None,
    interval: float | None = None,
    queued: int | None = None,
    final: bool = False,
) -> str:
    """The progress line. Rates are per minute over the last interval (over the whole run when
    ``final`` or when there is no previous snapshot)."""
    pages = int(stats.get(PAGES + "fetched", 0))
    items = int(stats.get("item_scraped_count", 0))
    if previous is not None and interval and not final:
        span = interval
        page_delta = pages - int(previous.get(PAGES + "fetched", 0))
        item_delta = items - int(previous.get("item_scraped_count", 0))
    else:
        span, page_delta, item_delta = elapsed, pages, items
    per_min = (lambda n: n * 60.0 / span) if span > 0 else (lambda n: 0.0)
    kinds = ", ".join(f"{int(stats.get(PAGES + k, 0))} {k}" for k in PAGE_KINDS)
    stored = [
        f"{int(stats[f'northnews/store/{o}'])} {o}"
        for o in ("new", "updated", "unchanged") if stats.get(f"northnews/store/{o}")
    ]
    rejected = int(stats.get("item_dropped_count", 0))
    generic = int(stats.get(DRIFT_GENERIC_STAT, 0))
    errors = error_count(stats)
    parts = [
        f"{pages} pages ({kinds}; {per_min(page_delta):.0f}/min)",
        f"{items} articles ({', '.join(stored) + '; ' if stored else ''}{per_min(item_delta):.0f}/min)",
        f"{generic} generic ({generic / items:.0%})" if items else "0 generic",
        f"{rejected} rejected",
        f"{errors} error{'s' if errors != 1 else ''}"
        + (" (" + ", ".join(f"{k} {v}" for k, v in error_kinds(stats).items()) + ")" if errors else ""),
    ]
    if queued is not None and not final:
        parts.append(f"{queued} queued")
    parts.append(format_duration(elapsed))
    return ("Progress (final): " if final else "Progress: ") + ", ".join(parts)


class Progress:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.interval = interval
        self.task: Any = None
        self.started = time.monotonic()
        self.previous: dict[str, Any] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = CrawlContext.of(crawler).get("NORTHNEWS_PROGRESS_INTERVAL")  # validated: >= 0
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.started = time.monotonic()
        if self.interval > 0:
            self.task = create_looping_call(self.log)
            self.task.start(self.interval, now=False)

    def queued(self) -> int | None:
        try:
            scheduler = self.crawler.engine.scheduler
        except RuntimeError:  # Crawler.engine before the crawl starts
            return None
        return len(scheduler) if scheduler is not None and hasattr(scheduler, "__len__") else None

    def line(self, final: bool = False) -> str:
        stats = dict(self.stats.get_stats())
        line = format_progress(
            stats,
            elapsed=time.monotonic() - self.started,
            previous=self.previous,
            interval=self.interval,
            queued=None if final else self.queued(),
            final=final,
        )
        self.previous = stats
        return line

    def log(self) -> None:
        logger.info(self.line())

    def item_error(self, item: Any, response: Response, spider: Spider, failure: Failure) -> None:
        self.stats.inc_value(f"{ERRORS}item/{type(failure.value).__name__}")

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        logger.info(self.line(final=True))
