"""The item pipeline that writes every valid article into the store of record.

It runs after validation (items dropped there never reach it; the incremental extension
remembers their URLs). One transaction per item, committed in groups of up to
``NORTHNEWS_STORE_COMMIT_INTERVAL`` seconds on the SQLite store (:meth:`Store.group_commits
<northnews.ops.store.Store.group_commits>`; a timer commits a group the crawl leaves open while it
waits, and closing the spider commits the last): a kill loses at most the items in flight and
in the open group, and those are fetched again by the next run because the store does not know
them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured
from twisted.internet import task

from northnews.crawl.context import CrawlContext
from northnews.crawl.extensions.incremental import CrawlRun, IncrementalCrawl
from northnews.crawl.writeerrors import stop_crawl
from northnews.ops.aliases import Aliases
from northnews.ops.store import DB_ERRORS

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_SCALARS = (str, int, float, bool, type(None))


def plain(adapter: ItemAdapter) -> dict[str, Any]:
    """``adapter.asdict()``, the same dict, without asking every string whether it is an item
    (itemadapter does, through each adapter class: 2% of a crawl's reactor time)."""
    return {key: _plain(value) for key, value in adapter.items()}


def _plain(obj: Any) -> Any:
    if type(obj) in _SCALARS:
        return obj
    if isinstance(obj, dict):
        return {key: _plain(value) for key, value in obj.items()}
    if isinstance(obj, (list, set, tuple)):
        return obj.__class__(_plain(x) for x in obj)
    if isinstance(obj, ItemAdapter):
        return obj.asdict()
    if ItemAdapter.is_item(obj):
        return ItemAdapter(obj).asdict()
    return obj


class StorePipeline:
    def __init__(self, crawler: Crawler, run: CrawlRun) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.run = run
        self.commit_interval: float = CrawlContext.of(crawler).get("NORTHNEWS_STORE_COMMIT_INTERVAL")
        self._committer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        ext = crawler.get_extension(IncrementalCrawl)
        run = ext.run if ext is not None else None
        if run is None:
            # The extension decides: replay, NORTHNEWS_STORE_ENABLED off, or not loaded.
            raise NotConfigured("no store of record for this crawl")
        return cls(crawler, run)

    def open_spider(self) -> None:
        if self.commit_interval and self.run.store.group_commits(self.commit_interval):
            # A group the crawl leaves open while it waits (a slow server) is committed all the same.
            self._committer = task.LoopingCall(self._flush)
            self._committer.start(self.commit_interval, now=False)

    def close_spider(self) -> None:
        if self._committer is not None and self._committer.running:
            self._committer.stop()
        self._flush()
        try:
            self.run.store.group_commits(0)  # the run's end (the extension's) commits on its own
        except (OSError,) + DB_ERRORS as exc:  # not (OSError, *DB_ERRORS): mypy cannot read that
            stop_crawl(self.crawler, "store", exc)

    def _flush(self) -> None:
        try:
            self.run.store.flush()
        except (OSError,) + DB_ERRORS as exc:  # not (OSError, *DB_ERRORS): mypy cannot read that
            # The open group is lost (rolled back): its articles are not known, the next run fetches them.
            stop_crawl(self.crawler, "store", exc)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        try:
            recorded = self.run.store.record_item(plain(adapter), run_id=self.run.run_id)
        except (OSError,) + DB_ERRORS as exc:  # not (OSError, *DB_ERRORS): mypy cannot read that
            # Disk full (or an I/O error): the transaction rolled back, so the store is as it was
            # and the article is not known; the crawl stops and the next run fetches it again.
            stop_crawl(self.crawler, "store", exc)
            raise DropItem(f"write_error: not stored ({exc}): {adapter.get('url')}", log_level="DEBUG") from None
        self.stats.inc_value(f"northnews/store/{recorded.outcome}")
        try:
            aliases = Aliases(self.run.store)
            aliases.forget(adapter["url"], self.run.site)  # its own text now, if it was an alias
            for alias in adapter.get("redirected_from") or ():  # northnews.crawl.redirects: both URLs known
                aliases.record(alias, adapter["url"], site=self.run.site, run_id=self.run.run_id)
        except (OSError,) + DB_ERRORS as exc:  # not (OSError, *DB_ERRORS): mypy cannot read that
            stop_crawl(self.crawler, "store", exc)
        if recorded.resolved:
            self.stats.inc_value("northnews/pending/resolved")
            logger.info("Article %s stored: no longer pending", adapter.get("url"))
        if recorded.outcome == "updated":
            logger.info("Article changed: %s (version %d)", adapter.get("url"), recorded.version)
        return item
