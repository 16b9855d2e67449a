"""``scrapy crawl``, with the spider's ``-a`` arguments checked before anything starts.

Scrapy reports a bad spider argument as a traceback from deep inside the crawler; a scheduler's
operator deserves one line naming the argument, and a non-zero exit status (2, like any usage
error).
"""

from __future__ import annotations

import argparse
import sys

from scrapy.commands.crawl import Command as ScrapyCrawlCommand

from northnews.spiders.articles import ARGUMENTS, ArgumentError, ArticlesSpider, parse_args


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
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
                parse_args(**opts.spargs, available_editions=self.settings.getdict("NORTHNEWS_START_URLS"))
            except ArgumentError as exc:
                print(f"scrapy crawl {args[0]}: error: {exc}", file=sys.stderr)
                sys.exit(2)
