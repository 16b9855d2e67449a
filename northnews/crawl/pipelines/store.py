"""The item pipeline that writes every valid article into the store of record.

It runs after validation (items dropped there never reach it; the incremental extension
remembers their URLs). One transaction per item: a kill loses at most the items in flight,
and those are fetched again by the next run because the store does not know them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem, NotConfigured

from northnews.crawl.extensions.incremental import CrawlRun, IncrementalCrawl
from northnews.crawl.writeerrors import stop_crawl
from northnews.ops.aliases import Aliases
from northnews.ops.store import DB_ERRORS

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class StorePipeline:
    def __init__(self, crawler: Crawler, run: CrawlRun) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.run = run

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        ext = crawler.get_extension(IncrementalCrawl)
        run = ext.run if ext is not None else None
        if run is None:
            # The extension decides: replay, NORTHNEWS_STORE_ENABLED off, or not loaded.
            raise NotConfigured("no store of record for this crawl")
        return cls(crawler, run)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        try:
            recorded = self.run.store.record_item(adapter.asdict(), run_id=self.run.run_id)
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
