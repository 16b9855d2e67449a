"""``scrapy sites``: the site profiles this installation knows, one profile checked, a profile's
saved pages tested (``scrapy sites test``), or a first profile drafted (``scrapy sites draft``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlsplit

from scrapy.commands import ScrapyCommand

from northnews import sitekit
from northnews.sites import SiteError, known_sites, load_site
from northnews.spiders.articles import ArgumentError, check_selectors


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[NAME | PATH.toml] | test NAME|PATH.toml | draft MIRROR|URL [-o FILE]"

    def short_desc(self) -> str:
        return "List the known site profiles, check one, test one on its saved pages, or draft one"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="draft: write the profile to FILE (default: stdout)")
        parser.add_argument("--max-pages", type=int, default=200, help="draft URL: pages fetched at most (default 200)")
        parser.add_argument("--delay", type=float, default=1.0, help="draft URL: seconds between requests (default 1)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args and args[0] == "test":
            self.exitcode = self.test(args[1:])
        elif args and args[0] == "draft":
            self.exitcode = self.draft(args[1:], opts)
        else:
            self.exitcode = self.check(args or known_sites())

    @staticmethod
    def error(message: str) -> None:
        print(f"scrapy sites: error: {message}", file=sys.stderr)

    def load(self, name: str) -> Any:
        """The profile, every key known and every selector compiled; None (one line said) if not."""
        try:
            site = load_site(name)
            check_selectors(site)
        except SiteError as exc:
            self.error(str(exc))
            return None
        except ArgumentError as exc:
            self.error(str(exc).removeprefix("-a site: "))
            return None
        return site

    def check(self, names: list[str]) -> int:
        code = 0
        for name in names:
            site = self.load(name)
            if site is None:
                code = 2
                continue
            layouts = ", ".join(spec.name for spec in site.layouts) or "none (generic extraction only)"
            print(f"{site.describe()}\n    profile: {site.path}\n    time zone: {site.timezone_name};"
                  f" layouts: {layouts}")
        return code

    def test(self, args: list[str]) -> int:
        if len(args) != 1:
            self.error("usage: scrapy sites test NAME|PATH.toml")
            return 2
        site = self.load(args[0])
        if site is None:
            return 2
        cases = sitekit.test_cases(site)
        if not cases:
            self.error(f"{site.name}: no saved pages in {site.tests_dir} (NAME.html + NAME.json per case)")
            return 2
        failed = 0
        for result in (sitekit.run_case(site, case) for case in cases):
            if result.mismatches:
                failed += 1
                for m in result.mismatches:
                    print(f"FAIL {result.name} {m.field}: got {m.got!r}, expected {m.want!r}")
            else:
                print(f"ok   {result.name} ({result.checked} fields) {result.url}")
        print(f"{site.name}: {len(cases) - failed} of {len(cases)} saved pages exact")
        return 1 if failed else 0

    def draft(self, args: list[str], opts: argparse.Namespace) -> int:
        if len(args) != 1:
            self.error("usage: scrapy sites draft MIRROR|URL [-o FILE]")
            return 2
        source = args[0]
        sitemaps = False
        if urlsplit(source).scheme in ("http", "https"):
            sample = sitekit.crawl_pages(source, limit=opts.max_pages, delay=opts.delay)
        elif Path(source).is_dir():
            sample = sitekit.mirror_pages(Path(source))
            sitemaps = sitekit.robots_sitemaps(Path(source))
        else:
            self.error(f"draft: {source}: expected a mirror directory (DIR/<host>/<path>) or an http(s) URL")
            return 2
        try:
            result = sitekit.draft(sample, sitemaps=sitemaps)
        except ValueError as exc:
            self.error(f"draft: {source}: {exc}")
            return 2
        if opts.output:
            Path(opts.output).write_text(result.toml, encoding="utf-8")
            print(f"draft: {result.articles} article rule(s), {result.layouts} layout(s) → {opts.output}", file=sys.stderr)
        else:
            print(result.toml)
        return 0
