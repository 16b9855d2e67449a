"""Drift alarms: a portal whose templates change must not degrade silently.

Per run, the share of article items that came from the generic extractor (no layout of the site
profile claimed the page) and the share of article pages quarantined (``rejects.jsonl``), for the
whole site and per section (the host and directory of the list page an article was found in,
``meta["northnews_section"]``; the breadcrumb is no help here: a page no layout claims rarely
yields one). Over a threshold the run is flagged: a WARNING with example URLs, the stats
``northnews/drift/flagged`` and ``northnews/drift/report`` (which the cron manifest copies as
``drift``), and ``northnews-cron`` exits with its own code (7, ``layout_drift``).

Replay runs are watched too: re-extraction after a parser fix is exactly when one wants to know
how many pages are still generic.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import signals

from northnews.crawl.context import CrawlContext
from northnews.crawl.keys import DRIFT_REPORT_STAT, RETRY_META, SECTION_META

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: On the request for an article an earlier run left pending (set by the spider, see northnews.ops.pending).
GENERIC = "generic"
EXAMPLES = 5
NO_SECTION = "(no section)"


@dataclass
class Tally:
    items: int = 0
    generic: int = 0
    quarantined: int = 0
    examples: dict[str, list[str]] = field(default_factory=lambda: {"generic": [], "quarantined": []})

    @property
    def pages(self) -> int:
        """Article pages judged: emitted items plus quarantined pages."""
        return self.items + self.quarantined

    def shares(self) -> tuple[float, float]:
        generic = self.generic / self.items if self.items else 0.0
        quarantined = self.quarantined / self.pages if self.pages else 0.0
        return generic, quarantined

    def note(self, kind: str, url: str) -> None:
        if len(self.examples[kind]) < EXAMPLES:
            self.examples[kind].append(url)


class DriftMonitor:
    def __init__(self, crawler: Crawler, max_generic: float, max_quarantined: float,
                 section_max_generic: float, section_max_quarantined: float, min_pages: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.limits = {
            "site": (max_generic, max_quarantined),
            "section": (section_max_generic, section_max_quarantined),
        }
        self.min_pages = min_pages
        self.site = Tally()
        self.sections: defaultdict[str, Tally] = defaultdict(Tally)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DriftMonitor:
        get = CrawlContext.of(crawler).get
        ext = cls(
            crawler,
            get("NORTHNEWS_DRIFT_MAX_GENERIC"),
            get("NORTHNEWS_DRIFT_MAX_QUARANTINED"),
            get("NORTHNEWS_DRIFT_SECTION_MAX_GENERIC"),
            get("NORTHNEWS_DRIFT_SECTION_MAX_QUARANTINED"),
            get("NORTHNEWS_DRIFT_MIN_PAGES"),
        )
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _count(self, response: Response | None, event: str, url: str | None = None) -> None:
        """``event`` (items, generic, quarantined) for the site and the article's section."""
        section = (response.meta.get(SECTION_META) if response is not None else None) or NO_SECTION
        for tally in (self.site, self.sections[section]):
            setattr(tally, event, getattr(tally, event) + 1)
            if url is not None:
                tally.note(event, url)
        self.stats.inc_value(f"northnews/drift/{event}")
        self.stats.inc_value(f"northnews/drift/section/{section}/{event}")

    def item_scraped(self, item: Any, response: Response, spider: Spider) -> None:
        adapter = ItemAdapter(item)
        self._count(response, "items")
        if adapter.get("template") == GENERIC:
            self._count(response, "generic", adapter.get("url") or "")

    def item_dropped(self, item: Any, response: Response, exception: BaseException, spider: Spider) -> None:
        if response is not None and response.meta.get(RETRY_META):
            # An article quarantined by an earlier run, fetched again because it is pending: counting
            # it every run would make a few old rejects look like a redesign.
            self.stats.inc_value("northnews/drift/pending_retry_skipped")
            return
        self._count(response, "quarantined", ItemAdapter(item).get("url") or "")

    def report(self) -> dict[str, Any]:
        """Shares for the site and every section, and what went over its threshold."""
        over: list[dict[str, Any]] = []

        def judge(scope: str, name: str, tally: Tally) -> dict[str, Any]:
            generic, quarantined = tally.shares()
            max_generic, max_quarantined = self.limits[scope]
            entry = {
                "items": tally.items, "generic": tally.generic, "quarantined": tally.quarantined,
                "generic_share": round(generic, 4), "quarantined_share": round(quarantined, 4),
            }
            if tally.pages >= self.min_pages:
                for kind, share, limit in (("generic", generic, max_generic), ("quarantined", quarantined, max_quarantined)):
                    if share > limit:
                        over.append({"scope": scope, "name": name, "kind": kind, "share": round(share, 4),
                                     "threshold": limit, "examples": list(tally.examples[kind])})
            return entry

        site = judge("site", "site", self.site)
        sections = {name: judge("section", name, t) for name, t in sorted(self.sections.items())}
        return {"flagged": bool(over), "site": site, "sections": sections, "over": over,
                "thresholds": {"site": list(self.limits["site"]), "section": list(self.limits["section"]),
                               "min_pages": self.min_pages}}

    def spider_closed(self, spider: Spider, reason: str) -> None:
        report = self.report()
        self.stats.set_value(DRIFT_REPORT_STAT, report)
        self.stats.set_value("northnews/drift/flagged", int(report["flagged"]))
        for entry in report["over"]:
            logger.warning(
                "Layout drift: %s %s: %.0f%% of its article pages %s (threshold %.0f%%); for example %s",
                entry["scope"], entry["name"], 100 * entry["share"],
                "came from the generic extractor" if entry["kind"] == "generic" else "were quarantined",
                100 * entry["threshold"], ", ".join(entry["examples"]) or "-",
            )
