"""``scrapy pending``: the article URLs fetched but not stored complete, and why (see northnews.ops.pending)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from northnews import config
from northnews.ops.pending import PendingArticles
from northnews.ops.store import StoreError, describe_store, open_store, store_exists, store_url


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--failed | --all] [--site NAME] [--json]"

    def short_desc(self) -> str:
        return "List the articles waiting to be fetched again (pending) or given up (failed), with reasons"

    def long_desc(self) -> str:
        return (
            "Every article URL a crawl fetched without storing a complete item is pending in the store "
            "with its reason (soft_404, empty, not_html, too_large, timeout, http_503, incomplete, "
            "missing_date, ...) and fetched again by later runs; after NORTHNEWS_PENDING_MAX_ATTEMPTS "
            "attempts it is failed, and only `scrapy crawl articles -a retry_failed=1` fetches it again. "
            "By default both are listed."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--failed", action="store_const", dest="status", const="failed",
                           help="only the failed ones")
        which.add_argument("--pending", action="store_const", dest="status", const="pending",
                           help="only those still pending")
        parser.add_argument("--site", metavar="NAME", help="only this site profile's (default: all)")
        parser.add_argument("--json", action="store_true", help="one JSON object a line")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if args:
            raise UsageError(f"unexpected argument(s): {' '.join(args)}", print_help=False)
        archive, url = config.archive_dir(self.settings), store_url(self.settings)
        if not store_exists(archive, url):
            print(f"scrapy pending: no store of record: {describe_store(archive, url)} does not exist", file=sys.stderr)
            self.exitcode = 1
            return
        try:
            store = open_store(archive, url)
        except StoreError as exc:
            print(f"scrapy pending: error: {exc}", file=sys.stderr)
            self.exitcode = getattr(exc, "exit_code", 2)  # read-only 9, locked 3, as every command
            return
        with store:
            pending = PendingArticles(store)
            rows = pending.rows(site=opts.site, status=opts.status)
            counts = pending.counts(opts.site)
        for row in rows:
            if opts.json:
                print(json.dumps(row.as_dict(), ensure_ascii=False))
            else:
                when = row.next_attempt or "-"
                print(f"{row.status:7}  {row.attempts:>2}  {row.reason:16}  next {when:27}  {row.url}"
                      + (f"  ({row.detail})" if row.detail else ""))
        print(f"scrapy pending: {counts['pending']} pending, {counts['failed']} failed"
              + (f" ({opts.site})" if opts.site else ""), file=sys.stderr)
