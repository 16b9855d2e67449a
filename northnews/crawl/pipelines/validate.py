"""Item pipelines."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DropItem

# The rules, shared with `northnews-archive extract` (one article path: northnews.article).
from northnews.article.validate import (  # noqa: F401 - re-exported
    EARLIEST_PLAUSIBLE,
    FUTURE_SLACK,
    incomplete_record,
    reject_reasons,
    reject_record,
    rejected_now,
)
from northnews.crawl import keys
from northnews.crawl.context import CrawlContext

if TYPE_CHECKING:  # pragma: no cover
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

#: Items :class:`ValidatePipeline` dropped as rejects; the other rejects (soft 404s, incomplete
#: articles) never were items, so the summary's "dropped otherwise" subtracts only these.
DROPPED_STAT = "northnews/rejected_items"


class ValidatePipeline:
    """Quarantine article items with no title, no body or no parseable ``published`` date.

    Such an item is not emitted: one JSON line (``reason``, ``reasons``, ``url``, ``template``,
    ``title``, ``rejected_at``) goes to ``<NORTHNEWS_ARCHIVE_DIR>/rejects.jsonl``, the stats count
    ``northnews/rejected/<reason>``, a WARNING is logged, and the item is dropped with
    :class:`~scrapy.exceptions.DropItem`. Nothing is lost without a trace.
    """

    def __init__(self, archive_dir: str | Path, stats: StatsCollector | None = None) -> None:
        self.path = Path(archive_dir) / "rejects.jsonl"
        self.stats = stats
        self._file: IO[str] | None = None
        self.crawler: Crawler | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        pipeline = cls(CrawlContext.of(crawler).archive_dir, crawler.stats)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(pipeline.article_incomplete, signal=keys.article_incomplete)
        pipeline.crawler = crawler
        return pipeline

    def article_incomplete(self, url: str, reason: str, detail: str = "") -> None:
        """An article the spider could not assemble (no item exists): quarantined the same way."""
        self._reject(incomplete_record(url, detail, reason))

    def process_item(self, item: Any) -> Any:
        reasons = reject_reasons(item)
        if not reasons:
            return item
        record = reject_record(item, reasons)
        reason = record["reason"]
        self._reject(record)
        if self.stats is not None:  # items this pipeline dropped (a reject need not have been an item)
            self.stats.inc_value(DROPPED_STAT)
        # The WARNING in _reject is the trace; Scrapy's own "Dropped:" line would repeat it with the
        # whole item (body included), so it goes to DEBUG.
        raise DropItem(f"{reason}: {record['url']}", log_level="DEBUG")

    def _reject(self, record: dict[str, Any]) -> None:
        record["rejected_at"] = rejected_now()
        try:
            self._write(record)
        except OSError as exc:  # disk full: the crawl stops; the article stays pending in the store
            if self.crawler is not None:
                from northnews.crawl.writeerrors import stop_crawl

                stop_crawl(self.crawler, "rejects", exc)
        if self.stats is not None:
            self.stats.inc_value(f"northnews/rejected/{record['reason']}")
            self.stats.inc_value("northnews/rejected")
        logger.warning("Rejected %s: %s (written to %s)", record["url"], record["reason"], self.path)

    def _write(self, record: dict[str, Any]) -> None:
        if self._file is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Append: a crawl resumed into the same archive keeps the earlier rejects.
            self._file = self.path.open("a", encoding="utf-8")
        self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._file.flush()

    def spider_closed(self, spider: Spider) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError:
                pass  # reported when the write failed
            self._file = None
