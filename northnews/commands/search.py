"""``scrapy search QUERY``: full-text search over the store of record (see northnews.ops.search)."""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from northnews import config
from northnews.commands.export import _date
from northnews.ops import search
from northnews.ops.store import DB_ERRORS, StoreError, describe_store, open_store, store_exists, store_url


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "QUERY [--site NAME] [--since DATE] [--until DATE] [--limit N] [--json] | --rebuild [--full]"

    def short_desc(self) -> str:
        return "Search the stored articles' titles and bodies (Chinese and English), best first, with snippets"

    def long_desc(self) -> str:
        return (
            "Every word of QUERY must occur in the article's title or body (a Chinese word as written, "
            "an English word whole, any case). Articles are ranked by BM25, a title hit weighing more. "
            "Each result is the article's best-matching version (an edited article is found by its "
            "old words too, marked 'in version N of M'). The index is kept by the store as articles "
            "are stored; --rebuild indexes what an archive of an earlier release stored without it "
            "(--full: everything again)."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--site", metavar="NAME", help="only this site profile's articles")
        parser.add_argument("--since", metavar="DATE", help="only articles published on or after DATE (YYYY-MM-DD)")
        parser.add_argument("--until", metavar="DATE", help="only articles published on or before DATE (YYYY-MM-DD)")
        parser.add_argument("--limit", metavar="N", type=int, default=20, help="results at most (default 20)")
        parser.add_argument("--json", action="store_true", help="one JSON object a line")
        parser.add_argument("--rebuild", action="store_true",
                            help="index every stored version not indexed yet (archives of earlier releases)")
        parser.add_argument("--full", action="store_true", help="with --rebuild: drop the index and build it anew")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        if opts.rebuild:
            if args:
                raise UsageError("--rebuild takes no QUERY", print_help=False)
        elif not args:
            raise UsageError("give a QUERY (or --rebuild)", print_help=False)
        if opts.limit < 1:
            raise UsageError(f"--limit: expected a positive integer, got {opts.limit}", print_help=False)
        since = _date(opts.since, "--since") if opts.since else None
        until = _date(opts.until, "--until") if opts.until else None
        archive, url = config.archive_dir(self.settings), store_url(self.settings)
        if not store_exists(archive, url):
            print(f"scrapy search: no store of record: {describe_store(archive, url)} does not exist", file=sys.stderr)
            self.exitcode = 1
            return
        try:
            store = open_store(archive, url)
        except StoreError as exc:
            print(f"scrapy search: error: {exc}", file=sys.stderr)
            self.exitcode = getattr(exc, "exit_code", 2)  # read-only 9, locked 3, as every command
            return
        with store:
            if opts.rebuild:
                added = search.rebuild(store.db, full=opts.full)
                cov = search.coverage(store.db)
                print(f"scrapy search: indexed {added} versions; the index holds {cov.indexed} of {cov.versions}",
                      file=sys.stderr)
                return
            cov = search.coverage(store.db)
            if not cov.current:
                print(f"scrapy search: warning: the index holds {cov.indexed} of {cov.versions} stored versions:"
                      " run `scrapy search --rebuild`", file=sys.stderr)
            try:
                hits = search.search(store.db, " ".join(args), site=opts.site, since=since, until=until,
                                     limit=opts.limit)
            except (search.SearchError, sqlite3.OperationalError) as exc:  # a query FTS5 cannot parse
                raise UsageError(str(exc), print_help=False) from None
            except DB_ERRORS as exc:  # the server failed under us: one line
                print(f"scrapy search: error: {describe_store(archive, url)}: {str(exc).strip().splitlines()[0]}",
                      file=sys.stderr)
                self.exitcode = 1
                return
        for hit in hits:
            if opts.json:
                row = hit.as_dict()
                row["snippet"] = search.marked(hit.snippet, "", "")
                print(json.dumps(row, ensure_ascii=False))
            else:
                which = "" if hit.version == hit.latest_version else f"  (in version {hit.version} of {hit.latest_version})"
                print(f"{(hit.published or '-')[:10]}  {hit.title or '(no title)'}{which}\n"
                      f"    {hit.url}\n    {search.marked(hit.snippet, '[', ']')}")
        print(f"scrapy search: {len(hits)} article(s)", file=sys.stderr)
