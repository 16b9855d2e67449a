"""``scrapy crawl``, with every setting and the spider's ``-a`` arguments checked before anything starts.

Scrapy reports a bad spider argument or setting value as a traceback from deep inside the crawler
(an asyncio "Task exception was never retrieved" for some); a scheduler's operator deserves one
line naming the argument or setting and what was expected, and a non-zero exit status (2, like any
usage error): :mod:`northnews.config` knows every setting. Likewise an archive locked by another
run: one line, exit 3. Secrets given on the command line (``-s DEFAULT_REQUEST_HEADERS=…``) are
redacted from every log line the crawl writes (:mod:`northnews.util.redact`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from northnews import config, inputs
from northnews.archive.lock import LOCK_FD_ENV, ArchiveLock, LockHeld
from northnews.ops.incremental import lock_scope
from northnews.ops.store import StoreError, open_store, store_exists, store_url
from northnews.sites import DEFAULT_SITE, SiteError, load_site
from northnews.spiders.articles import ARGUMENTS, ArgumentError, ArticlesSpider, parse_args
from northnews.util.fileperms import prepare_archive_dir, private_umask
from northnews.util.logredact import install_log_redaction


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
            install_log_redaction(self.settings, sys.argv)
            # In NORTHNEWS_FILE_GROUP if set; the archive dir itself 0750 (northnews.util.fileperms).
            try:
                prepare_archive_dir(self.settings.get("NORTHNEWS_ARCHIVE_DIR", "archive"),
                                    self.settings.get("NORTHNEWS_FILE_GROUP") or None)
            except (OSError, LookupError) as exc:
                self._usage_error(args[0], exc)
            if not opts.spargs.get("replay"):
                self._check_lock(args[0], opts.spargs.get("site"))
                self._check_store(args[0])

    @staticmethod
    def _usage_error(spider: str, exc: Exception) -> None:
        print(f"scrapy crawl {spider}: error: {exc}", file=sys.stderr)
        sys.exit(2)

    def _check_lock(self, spider: str, site: str | None = None) -> None:
        """Another run writing the same archive: say so in one line and exit 3 (as cron does).

        The crawl's own IncrementalCrawl extension takes the lock for real; this early look only
        spares the operator a traceback. Under northnews-cron the lock is inherited: no check.
        """
        assert self.settings is not None
        archive_dir = Path(self.settings.get("NORTHNEWS_ARCHIVE_DIR", "archive"))
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
        if not self.settings.getbool("NORTHNEWS_STORE_ENABLED", True):
            return
        archive, url = self.settings.get("NORTHNEWS_ARCHIVE_DIR", "archive"), store_url(self.settings)
        if not store_exists(archive, url):
            return
        try:
            open_store(archive, url).close()
        except StoreError as exc:
            print(f"scrapy crawl {spider}: error: {exc}", file=sys.stderr)
            sys.exit(2)
