"""A write that fails (disk full, an I/O error) stops the crawl cleanly, in one line, no traceback.

An archiver that cannot write must stop rather than crawl on without a record: the components
that write the store, the feed and ``rejects.jsonl`` call :func:`stop_crawl` when a write fails.
It logs one ERROR line naming what could not be written, counts
``northnews/errors/write/<what>`` (an error of the run), and closes the spider once with the
finish reason ``northnews_write_error`` (``northnews-cron`` exits 9). What was already committed
stays consistent: the store writes one transaction per item, and an article whose item could
not be stored is not known, so the next run fetches it again. The WARC writer does the same for
its files with the reason ``northnews_warc_error``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.utils.defer import deferred_from_coro

from northnews.crawl.keys import WRITE_ERROR_REASON

if TYPE_CHECKING:  # pragma: no cover
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

REASON = WRITE_ERROR_REASON
_STOPPING = "northnews/write_error/stopping"


def stop_crawl(crawler: Crawler, what: str, exc: BaseException) -> None:
    """``what`` (``store``, ``feed``, ``rejects``) could not be written: stop, once."""
    stats = crawler.stats
    stats.inc_value(f"northnews/errors/write/{what}")
    if stats.get_value(_STOPPING):
        return
    stats.set_value(_STOPPING, what)
    detail = getattr(exc, "strerror", None) or str(exc)
    logger.error("Cannot write the %s (%s: %s): stopping the crawl", what, type(exc).__name__, detail)
    engine = getattr(crawler, "engine", None)
    if engine is not None and getattr(engine, "running", True):
        deferred_from_coro(engine.close_spider_async(reason=REASON))
