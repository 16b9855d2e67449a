"""``scrapy crawl``, with every setting and the spider's ``-a`` arguments checked before anything starts.

Scrapy reports a bad spider argument or setting value as a traceback from deep inside the crawler
(an asyncio "Task exception was never retrieved" for some); a scheduler's operator deserves one
line naming the argument or setting and what was expected, and a non-zero exit status (2, like any
usage error): :mod:`northnews.config` knows every setting. Likewise an archive locked by another
run: one line, exit 3. Secrets given on the command line (``-s DEFAULT_REQUEST_HEADERS=…``) are
redacted from every log line the crawl writes (:mod:`northnews.util.redact`).

No silent zero: a crawl that archived nothing while it should have (list pages whose links no
longer match the profile's article rule, nothing stored though the store holds the site's
articles: 7; an edition robots.txt disallows: 4; :func:`~northnews.crawl.stats.silent_zero`)
exits as ``northnews-cron`` does for it, with one line, not 0 after a WARNING. Under cron (which
judges the same stats and writes the manifest) the crawl leaves the exit status to cron.

An unknown spider name (``scrapy crawl article``) is one line, exit 2, not a ``KeyError``
traceback. A crawl stopped by a signal (SIGINT/Ctrl-C, SIGTERM: finish reason ``shutdown``, or a
second signal forcing an unclean stop) exits 8, as ``northnews-cron`` does for a terminated run,
and its run is closed in the store (``shutdown``, not complete) even when the forced stop gave
the crawl no chance to close it: the next run resumes, walking every list page.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any, NoReturn

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader

from northnews import config, inputs
from northnews.archive.lock import LOCK_FD_ENV, ArchiveLock, LockHeld
from northnews.crawl import feeds
from northnews.crawl.extensions.incremental import IncrementalCrawl, lock_scope
from northnews.crawl.keys import FEED_NOT_WRITTEN, REPLAY_DAMAGED, RUN_ID_STAT
from northnews.crawl.stats import UNREACHABLE, silent_zero
from northnews.ops.manifest import (
    EXIT_LAYOUT_DRIFT,
    EXIT_TERMINATED,
    EXIT_UNREACHABLE,
    EXIT_WRITE_ERROR,
    WRITE_ERROR_REASONS,
)
from northnews.ops.store import DB_ERRORS, StoreError, open_store, store_exists, store_url
from northnews.sites import DEFAULT_SITE, SiteError, load_site
from northnews.spiders.articles import ARGUMENTS, ArgumentError, ArticlesSpider, parse_args
from northnews.util import storeguard
from northnews.util.fileperms import prepare_archive_dir, private_umask
from northnews.util.logredact import install_log_redaction

# What closing a run can raise (a tuple of its own: mypy does not follow a starred except tuple).
_STORE_ERRORS: tuple[type[Exception], ...] = (OSError, StoreError, *DB_ERRORS)


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        spider = args[0] if args else "articles"
        # Files 0640, directories 0750, before anything is created (northnews.util.fileperms).
        private_umask()
        try:
            config.check_cmdline_pairs(opts.set)
        except config.ConfigError as exc:
            self._usage_error(spider, exc)
        super().process_options(args, opts)
        self._check_spider(spider)
        # Checked here, before the crawler process starts logging: the error stays one line.
        if args and args[0] == ArticlesSpider.name:
            unknown = sorted(set(opts.spargs) - set(ARGUMENTS))
            try:
                if unknown:
                    raise ArgumentError(
                        f"-a {unknown[0]}: unknown argument; expected one of {', '.join(ARGUMENTS)}"
                    )
                assert self.settings is not None
                spargs = dict(opts.spargs)
                spargs.setdefault("site", self.settings.get("NORTHNEWS_SITE") or DEFAULT_SITE)
                parse_args(**spargs)
                if "replay" in spargs:
                    inputs.check_replay(spargs["replay"])
                # Replay writes nothing but the feed and rejects; the archive dir must still take them.
                config.validate(self.settings)
            except (ArgumentError, config.ConfigError) as exc:
                self._usage_error(args[0], exc)
            try:  # -o/-O to a symlink, FIFO, device or a read-only place: one line, before the crawl
                feeds.check_feed_targets(self.settings.getdict("FEEDS"))
            except (OSError, ValueError) as exc:
                self._usage_error(args[0], exc)
            install_log_redaction(self.settings, sys.argv)
            # In NORTHNEWS_FILE_GROUP if set; the archive dir itself 0750 (northnews.util.fileperms).
            try:
                prepare_archive_dir(config.archive_dir(self.settings),
                                    self.settings.get("NORTHNEWS_FILE_GROUP") or None)
            except (OSError, LookupError) as exc:
                self._usage_error(args[0], exc)
            if not opts.spargs.get("replay"):
                self._check_lock(args[0], opts.spargs.get("site"))
                self._check_store(args[0])

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        """Scrapy's ``crawl``, then the exit status of a crawl a signal stopped (8) and its run closed."""
        if len(args) != 1:
            raise UsageError("expected one spider name" if not args else
                             "running 'scrapy crawl' with more than one spider is not supported")
        assert self.crawler_process is not None
        crawler = self.crawler_process.create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats() if crawler.stats is not None else {}
        reason = stats.get("finish_reason")
        if reason is not None and reason != "shutdown":
            self.exitcode = _integrity_exit(args[0], reason, stats) or _silent_zero_exit(args[0], stats)
            return
        # "shutdown": a signal stopped it cleanly; None: a second signal forced an unclean stop.
        closed = _close_interrupted_run(crawler, stats)
        how = "cleanly" if reason == "shutdown" else "forced, unclean"
        print(
            f"scrapy crawl {args[0]}: stopped by a signal ({how}); what was stored is kept"
            f"{closed}, the next run resumes (exit {EXIT_TERMINATED})", file=sys.stderr,
        )
        self.exitcode = EXIT_TERMINATED

    def _check_spider(self, spider: str) -> None:
        """An unknown spider name: one line naming the known ones, exit 2 (no KeyError traceback)."""
        assert self.settings is not None
        try:
            known = sorted(get_spider_loader(self.settings).list())
        except Exception:  # noqa: BLE001 (a broken SPIDER_MODULES: Scrapy says why, later)
            return
        if spider not in known:
            self._usage_error(spider, ValueError(f"unknown spider {spider!r}; this project has: {', '.join(known)}"))

    @staticmethod
    def _usage_error(spider: str, exc: Exception) -> NoReturn:
        print(f"scrapy crawl {spider}: error: {exc}", file=sys.stderr)
        sys.exit(2)

    def _check_lock(self, spider: str, site: str | None = None) -> None:
        """Another run writing the same archive: say so in one line and exit 3 (as cron does).

        The crawl's own IncrementalCrawl extension takes the lock for real; this early look only
        spares the operator a traceback. Under northnews-cron the lock is inherited: no check.
        """
        assert self.settings is not None
        archive_dir = config.archive_dir(self.settings)
        if os.environ.get(LOCK_FD_ENV) or not archive_dir.is_dir():
            return
        try:
            scope = lock_scope(self.settings, load_site(site or self.settings.get("NORTHNEWS_SITE") or DEFAULT_SITE).name)
        except SiteError:
            return  # reported in one line by the crawl itself
        try:
            ArchiveLock(archive_dir, scope).acquire().release()
        except LockHeld as exc:
            print(f"scrapy crawl {spider}: error: {exc}; not crawling", file=sys.stderr)
            sys.exit(3)

    def _check_store(self, spider: str) -> None:
        """A store this release cannot read (written by a newer one): one line, exit 2.

        Opening an older store migrates it in place (see northnews.ops.store), here or later.
        """
        assert self.settings is not None
        refused = storeguard.preflight(config.archive_dir(self.settings),  # damaged, busy, read-only
                                       integrity=not os.environ.get(LOCK_FD_ENV))  # cron checked already
        if refused is not None:
            print(f"scrapy crawl {spider}: error: {refused}", file=sys.stderr)
            sys.exit(refused.exit_code)
        if not self.settings.getbool("NORTHNEWS_STORE_ENABLED", True):
            return
        archive, url = config.archive_dir(self.settings), store_url(self.settings)
        if not store_exists(archive, url):
            return
        try:
            open_store(archive, url).close()
        except StoreError as exc:
            print(f"scrapy crawl {spider}: error: {exc}", file=sys.stderr)
            sys.exit(getattr(exc, "exit_code", 2))


def _close_interrupted_run(crawler: Crawler, stats: dict[str, Any]) -> str:
    """A run a forced stop left ``running`` in the store: closed as ``shutdown``; says what it did."""
    run_id = stats.get(RUN_ID_STAT)
    settings = crawler.settings
    if not run_id or not settings.getbool("NORTHNEWS_STORE_ENABLED", True) or settings.get("NORTHNEWS_REPLAY"):
        return ""
    try:
        # The crawl's own connection first: the items it grouped and has not committed yet (the
        # store pipeline's commits in groups; a forced stop ends the reactor before the pipeline
        # closes) are committed, and its write lock is free for the connection below.
        ext = crawler.get_extension(IncrementalCrawl)
        if ext is not None and ext.run is not None:
            ext.run.store.flush()
        with open_store(config.archive_dir(settings), store_url(settings)) as store:
            run = store.get_run(run_id)
            if run is None or run["status"] != "running":
                return ""
            store.end_run(run_id, status="shutdown", complete=False,
                          note="stopped by a second signal (forced, unclean): closed by scrapy crawl on its way out")
    except _STORE_ERRORS as exc:
        return f" (its run {run_id} could not be closed: {exc}; the next run closes it)"
    return f"; its run {run_id} closed as shutdown"


def _silent_zero_exit(spider: str, stats: dict[str, Any]) -> int:
    """7 (or 4 for an edition robots.txt disallows) when the crawl archived nothing it should have,
    as ``northnews-cron`` exits for it; 0 otherwise, and always under cron (cron judges it)."""
    alarms = silent_zero(stats)
    if not alarms or os.environ.get(LOCK_FD_ENV):
        return 0
    kind, message = alarms[0]
    code = EXIT_UNREACHABLE if kind == UNREACHABLE else EXIT_LAYOUT_DRIFT
    print(f"scrapy crawl {spider}: no silent zero: {message} (exit {code})", file=sys.stderr)
    return code


def _integrity_exit(spider: str, reason: str, stats: dict[str, Any]) -> int:
    """The exit status of a crawl that ran to its end: 9 when it stopped because it could not
    write (a feed, the store, a WARC: northnews.crawl.writeerrors; as northnews-cron's 9), 1 when replay
    read past damaged records (every intact one was replayed); 0 otherwise. One line each."""
    if reason in WRITE_ERROR_REASONS:
        unwritten = ", ".join(stats.get(FEED_NOT_WRITTEN) or []) or "see the log"
        print(f"scrapy crawl {spider}: stopped: the archive or its output could not be written "
              f"(finish reason {reason}; not written: {unwritten}) (exit {EXIT_WRITE_ERROR})", file=sys.stderr)
        return EXIT_WRITE_ERROR
    damaged = stats.get(REPLAY_DAMAGED)
    if damaged:
        print(f"scrapy crawl {spider}: the replayed archive has {damaged} damaged record(s) or span(s); every "
              "intact record was replayed (`northnews-archive check` names them) (exit 1)", file=sys.stderr)
        return 1
    return 0
