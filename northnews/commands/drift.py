"""``scrapy drift``: the recent article pages no layout claimed, and the quarantined ones, with why.

For the person who writes a new layout: which pages to look at. Read from the store of record
(``article_versions`` whose item came from the generic extractor; the pending articles a page
check or the validation quarantined, ``article_pending``, and an earlier release's
``article_rejects``), newest first. A replay writes no store: after one, look at its feed's ``template`` and ``rejects.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import timedelta
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from northnews import config
from northnews.ops.store import StoreBase, StoreError, describe_store, iso, open_store, store_exists, store_url
from northnews.util.clock import utc_now

#: Pending reasons that are the page's own doing (the validation pipeline's and the page checks'):
#: a layout to look at. Fetch failures (timeouts, 5xx, redirects) are `scrapy pending`'s business.
QUARANTINE_REASONS = (
    "missing_title", "missing_body", "missing_date", "implausible_date", "soft_404", "maintenance", "empty",
    "not_html",
)


def drift_rows(store: StoreBase, *, since: str, site: str | None, limit: int) -> list[dict[str, Any]]:
    """Generic-path versions and quarantined pages seen at or after ``since``, newest first.

    Quarantined pages are the store's ``article_pending`` rows (schema 3) with a reason of
    :data:`QUARANTINE_REASONS`, and the ``article_rejects`` rows an earlier release wrote (schemas
    1-2; kept as written) whose URL is neither pending nor stored since.
    """
    db = store.db
    only = " AND site = ?" if site else ""
    params: tuple[Any, ...] = (since, *((site,) if site else ()))
    rows = [
        {"seen": r[0], "site": r[1], "kind": "generic", "reason": "no layout of the site matched", "url": r[2],
         "title": r[3]}
        for r in db.execute(
            "SELECT first_seen, site, url, title FROM article_versions"
            f" WHERE first_seen >= ?{only} AND {store.json_text('item_json', 'template')} = 'generic'",
            params,
        )
    ]
    marks = ", ".join("?" for _ in QUARANTINE_REASONS)
    rows += [
        {"seen": r[0], "site": r[1], "kind": "quarantined", "reason": r[2], "url": r[3], "title": None,
         "detail": r[4], "status": r[5]}
        for r in db.execute(
            f"SELECT last_attempt, site, reason, url, detail, status FROM article_pending WHERE last_attempt >= ?{only}"
            f" AND reason IN ({marks})", (*params, *QUARANTINE_REASONS),
        )
    ]
    rows += [
        {"seen": r[0], "site": r[1], "kind": "quarantined", "reason": r[2], "url": r[3], "title": None}
        for r in db.execute(
            f"SELECT last_seen, site, reason, url FROM article_rejects r WHERE last_seen >= ?{only.replace('site', 'r.site')}"
            " AND NOT EXISTS (SELECT 1 FROM article_pending p WHERE p.site = r.site AND p.url_key = r.url_key)"
            " AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.site = r.site AND a.url_key = r.url_key)", params,
        )
    ]
    rows.sort(key=lambda r: (r["seen"], r["url"]), reverse=True)
    return rows[:limit]


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[--days N] [--site NAME] [--limit N] [--json]"

    def short_desc(self) -> str:
        return "List recent article pages no layout claimed (generic) or quarantined, with the reason"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--days", type=float, default=7.0, help="first seen within the last N days (default 7)")
        parser.add_argument("--site", metavar="NAME", help="only this site profile's pages")
        parser.add_argument("--limit", type=int, default=200, help="at most N lines (default 200)")
        parser.add_argument("--json", action="store_true", help="one JSON object per line")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if args:
            raise UsageError(f"unexpected argument(s): {' '.join(args)}", print_help=False)
        if opts.days < 0 or opts.limit < 1:
            raise UsageError("--days must be >= 0 and --limit >= 1", print_help=False)
        archive, url = config.archive_dir(self.settings), store_url(self.settings)
        if not store_exists(archive, url):
            print(f"scrapy drift: no store of record: {describe_store(archive, url)} does not exist", file=sys.stderr)
            self.exitcode = 1
            return
        try:
            store = open_store(archive, url)
        except StoreError as exc:
            print(f"scrapy drift: {exc}", file=sys.stderr)
            self.exitcode = 2
            return
        with store:
            since = iso(utc_now() - timedelta(days=opts.days))
            rows = drift_rows(store, since=since, site=opts.site, limit=opts.limit)
        for row in rows:
            if opts.json:
                print(json.dumps(row, ensure_ascii=False))
            else:
                print(f"{row['seen'][:19]}  {row['site']:<10} {row['kind']:<11} {row['url']}  ({row['reason']})")
        print(f"scrapy drift: {len(rows)} page{'s' if len(rows) != 1 else ''}", file=sys.stderr)
