"""Incremental crawling: the store of record consulted and the run recorded, for every live crawl.

When built (before the WARC writer, which is why its priority is lower), this extension takes
the archive's lock (or adopts the one ``northnews-cron`` holds for it), so two crawls never write
one archive at once — also with ``NORTHNEWS_STORE_ENABLED`` off, when the lock is all it does.
At ``spider_opened`` it

* records the run in the store (``runs``);
* answers "already archived?" for :class:`~northnews.crawl.spidermiddlewares.incremental.IncrementalMiddleware` (a spider middleware), which
  drops the spider's requests for article pages the store knows (``-a refresh=DAYS`` re-fetches
  articles first seen within DAYS days), and the next list page after a list page holding only
  known articles — the latter only if the previous run of the same site walked every list page
  cleanly. After a kill, page 1 may be all known while page 3 still holds articles never
  fetched, so the next run walks every page; the run after it may stop early again.

The spider says what each request fetches in ``meta["northnews_page"]`` and, on the request for
a next list page, which articles the current page listed (``meta["northnews_listing"]``); this
module knows nothing else of the spider.

It also keeps every article URL that was fetched but not stored complete *pending* in the store
(:mod:`northnews.ops.pending`): the spider's ``article_pending`` signal (a soft 404, an empty
200, a failed fetch, a split article missing a page) and items dropped by validation. At start it
answers the spider's ``articles_wanted`` signal with the pending articles now due, so they are
fetched again whatever the list pages link; with ``-a retry_failed`` the failed ones first
become pending again.

At ``spider_closed`` it records the run's end, its final stats and whether it was *complete*:
finished normally, unrestricted (no ``max_pages``, ``since`` or edition subset), and no error.

Replay (``-a replay=…``) neither consults nor writes the store: re-extraction after a parser fix
must see every article, and a replay must not leave traces in the record of what was crawled.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from northnews.archive.lock import ArchiveLock, LockHeld
from northnews.crawl import keys
from northnews.crawl.context import CrawlContext
from northnews.crawl.keys import (
    INCREMENTAL_FULL_WALK,
    PAGES_ANSWERED,
    RUN_ID_STAT,
    STORE_ARTICLES_BEFORE,
    STORE_REJECTED,
)
from northnews.crawl.stats import error_count
from northnews.crawl.writeerrors import stop_crawl
from northnews.ops.aliases import Aliases
from northnews.ops.pending import PendingArticles, Policy
from northnews.ops.runfiles import new_run_id
from northnews.ops.schema import legacy_reason
from northnews.ops.store import DB_ERRORS, StoreBase, open_store, store_url
from northnews.util.pg import is_pg_url

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)
# What the store and its files raise (a tuple of its own: mypy does not follow a starred except tuple).
_ERRORS: tuple[type[Exception], ...] = (OSError, *DB_ERRORS)

#: Request meta the spider sets (see northnews.spiders.articles): what a request fetches, and
#: on a next-list-page request, the articles the current list page listed.
#: Set here on the start requests for pending articles (read by northnews.crawl.extensions.drift).


@dataclass
class CrawlRun:
    """The store, run id and site of one crawl, shared by the extension, middleware and pipeline."""

    store: StoreBase
    run_id: str
    site: str
    pending: PendingArticles


def lock_scope(settings: Any, site: str) -> str | None:
    """The archive lock's scope: the whole archive dir, or one site of it when the store is a
    server's (crawls of different sites then share an archive dir; see ArchiveLock)."""
    return site if is_pg_url(store_url(settings)) else None


class IncrementalCrawl:
    def __init__(self, crawler: Crawler, archive_dir: Path, run_id: str, incremental: bool) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.context = CrawlContext.of(crawler)
        self.archive_dir = archive_dir
        self.run_id = run_id
        self.incremental = incremental
        self.site = self.context.site.name
        self.lock = ArchiveLock(archive_dir, lock_scope(crawler.settings, self.site))
        self.restricted: list[str] = []
        self.run: CrawlRun | None = None
        #: "Already archived?" (None: not incremental) and whether an all-known list page ends
        #: its section's pagination; set at spider_opened, read by IncrementalMiddleware.
        self.known: Callable[[str], bool] | None = None
        self.stop_at_known_page = True
        self._recorded: set[str] = set()  # URLs made pending this run
        self.due: set[str] = set()  # pending URLs handed to the spider at start
        self.aliases: Aliases | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalCrawl:
        settings = crawler.settings
        context = CrawlContext.of(crawler)
        if context.replay:
            raise NotConfigured("replay: the store of record is neither consulted nor written")
        archive_dir = context.archive_dir
        archive_dir.mkdir(parents=True, exist_ok=True)
        ext = cls(
            crawler,
            archive_dir,
            context.get("NORTHNEWS_RUN_ID") or new_run_id(archive_dir / "runs", lock_scope(settings, context.site.name)),
            context.get("NORTHNEWS_INCREMENTAL"),
        )
        if not ext.lock.inherit():
            try:
                ext.lock.acquire(ext.run_id)
            except LockHeld as exc:
                # Raised here, before anything is fetched or written; scrapy exits non-zero.
                logger.error("%s; not crawling", exc)
                raise RuntimeError(f"{exc}; not crawling") from None
        if not context.get("NORTHNEWS_STORE_ENABLED"):
            # No store to consult or write, but the WARCs are still this archive's: keep the lock.
            logger.info("Run %s: NORTHNEWS_STORE_ENABLED is off (no store of record, not incremental)", ext.run_id)
            crawler.signals.connect(ext.release_lock, signal=signals.spider_closed)
            return ext
        store = open_store(archive_dir, store_url(settings))
        ext.run = CrawlRun(store, ext.run_id, ext.site, PendingArticles(store, Policy.from_settings(settings)))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.article_pending, signal=keys.article_pending)
        crawler.signals.connect(ext.articles_wanted, signal=keys.articles_wanted)
        crawler.signals.connect(ext.article_alias, signal=keys.article_alias)
        ext.aliases = Aliases(store)  # northnews.ops.aliases: redirects to other articles
        return ext

    def release_lock(self, spider: Spider) -> None:
        self.lock.release()

    def spider_opened(self, spider: Spider) -> None:
        assert self.run is not None
        store = self.run.store
        args = dict(self.context.args.raw)
        try:
            store.begin_run(self.run_id, pid=os.getpid(), args=args, site=self.site)
        except _ERRORS as exc:
            stop_crawl(self.crawler, "store", exc)
            return
        self.stats.set_value(RUN_ID_STAT, self.run_id)
        self.stats.set_value("northnews/run/site", self.site)
        try:  # "the store knew the site had articles" (northnews.crawl.stats.silent_zero)
            self.stats.set_value(STORE_ARTICLES_BEFORE, store.counts(self.site)["articles"])
        except DB_ERRORS:
            pass
        self.restricted = self.context.restrictions
        if not self.incremental:
            logger.info("Run %s: not incremental (every article page is fetched)", self.run_id)
            return
        refresh = self.context.args.refresh
        self.known = _or_alias_known(store.is_known_fn(refresh_days=refresh, site=self.site), self.aliases, self.site)
        previous = store.previous_run(self.run_id, site=self.site)
        if previous is None or not previous["complete"]:
            self.stop_at_known_page = False
            self.stats.set_value(INCREMENTAL_FULL_WALK, 1)
            why = (
                "first run on this store" if previous is None
                else f"previous run {previous['run_id']} ended '{previous['status']}' without completing"
            )
            logger.info("Run %s: incremental, walking every list page (%s)", self.run_id, why)
        else:
            logger.info(
                "Run %s: incremental, stopping a section at its first all-known list page%s",
                self.run_id, f"; refreshing articles first seen within {refresh:g} days" if refresh else "",
            )

    def articles_wanted(self, spider: Spider) -> list[str]:
        """The pending articles now due (the spider requests them at start)."""
        if self.run is None:
            return []
        if self.context.args.retry_failed:
            again = self.run.pending.requeue_failed(self.site, run_id=self.run_id)
            self.stats.set_value("northnews/pending/requeued_failed", again)
            logger.info("Run %s: -a retry_failed: %d failed article(s) pending again", self.run_id, again)
        try:
            ahead = self.run.pending.clamp_future(self.site)
        except _ERRORS as exc:
            stop_crawl(self.crawler, "store", exc)
            return []
        if ahead:
            self.stats.set_value("northnews/pending/clock_ahead", len(ahead))
            logger.warning(
                "Run %s: %d pending article(s) were due as late as %s, further than NORTHNEWS_PENDING_BACKOFF_MAX"
                " past now (a clock that ran ahead and was corrected?): due now", self.run_id, len(ahead),
                max(when for _, when in ahead),
            )
        due = self.run.pending.due(self.site)
        self.due = set(due)
        if due:
            self.stats.set_value("northnews/pending/scheduled", len(due))
            logger.info("Run %s: fetching %d pending article(s) again", self.run_id, len(due))
        return due

    def article_alias(self, url: str, target: str) -> str:
        """An article URL redirects to another article (northnews.crawl.redirects): recorded. Answers
        ``"archived"`` when the target is known (stored, or pending and not yet due: nothing to
        fetch), ``"loop: A → B → A"`` when this run's aliases lead from the target back to ``url``
        (then nothing is recorded), else ``""``."""
        if self.run is None or self.aliases is None:
            return ""
        try:
            loop = self.aliases.leads_to(target, url, site=self.site, run_id=self.run_id)
            if loop:
                return "loop: " + " → ".join([url, *loop])
            if self.aliases.record(url, target, site=self.site, run_id=self.run_id):
                self.stats.inc_value("northnews/store/aliases_new")
        except _ERRORS as exc:
            stop_crawl(self.crawler, "store", exc)
            return ""
        return "archived" if self.known is not None and self.known(target) else ""

    def article_pending(self, url: str, reason: str, detail: str = "") -> None:
        """An article URL fetched without a complete item: one more attempt, in the store."""
        if self.run is None:
            return
        self._recorded.add(url)
        try:
            row = self.run.pending.record(url, reason, detail, site=self.site, run_id=self.run_id)
        except _ERRORS as exc:
            stop_crawl(self.crawler, "store", exc)
            return
        if row is None:  # stored already: a failed refresh keeps the stored version
            self.stats.inc_value("northnews/pending/refresh_failed")
            return
        self.stats.inc_value("northnews/pending/recorded")
        self.stats.inc_value(f"northnews/pending/reason/{reason}")
        if row.status == "failed":
            self.stats.inc_value("northnews/pending/failed")
            logger.error(
                "Article %s failed %d times (last: %s, %s): given up until -a retry_failed",
                url, row.attempts, reason, detail,
            )

    def item_dropped(self, item: Any, response: Response, exception: BaseException, spider: Spider) -> None:
        url = item.get("url") if hasattr(item, "get") else None
        if url and self.run is not None and url not in self._recorded:
            # The validation pipeline says why in its DropItem: "<reason>: <url>".
            self.article_pending(url, legacy_reason(str(exception)), f"{type(exception).__name__}: {exception}")
            self.stats.inc_value(STORE_REJECTED)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.run is None:
            return
        stats = self.crawler.stats.get_stats()
        errors = error_count(stats)
        answered = stats.get(PAGES_ANSWERED, 0)
        complete = reason == "finished" and not self.restricted and errors == 0 and answered > 0
        why = []
        if reason != "finished":
            why.append(f"finish reason {reason}")
        if self.restricted:
            why.append("restricted by " + ", ".join(self.restricted))
        if errors:
            why.append(f"{errors} errors")
        if not answered:
            why.append("nothing fetched")
        self.stats.set_value("northnews/run/complete", complete)
        stats = self.crawler.stats.get_stats()
        stats.setdefault("finish_reason", reason)
        try:
            self.run.store.end_run(
                self.run_id, status=reason, complete=complete, stats=stats,
                note=("; ".join(why) or None),
            )
        except _ERRORS as exc:
            # The run stays "running" in the store; northnews-cron (or the next run) closes it.
            logger.error("Run %s: its end could not be recorded in the store (%s)", self.run_id, exc)
        finally:
            self.run.store.close()
            self.lock.release()
        if complete:
            logger.info("Run %s complete: the next run may stop paginating at known pages", self.run_id)
        else:
            logger.info("Run %s not complete (%s): the next run walks every list page", self.run_id, "; ".join(why))


def _or_alias_known(known: Callable[[str], bool], aliases: Aliases | None, site: str) -> Callable[[str], bool]:
    """"Already archived?", also yes for an alias (northnews.ops.aliases) whose target is."""
    if aliases is None:
        return known

    def alias_known(url: str) -> bool:
        if known(url):
            return True
        target = aliases.target(url, site)
        return target is not None and known(target)

    return alias_known
