"""``scrapy sites``: the site profiles this installation knows, or one profile checked."""

from __future__ import annotations

import argparse
import sys
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand

from northnews.sites import SiteError, known_sites, load_site


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[NAME | PATH.toml]"

    def short_desc(self) -> str:
        return "List the known site profiles, or check one (scrapy crawl articles -a site=NAME)"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        names = args or known_sites()
        for name in names:
            try:
                site = load_site(name)
            except SiteError as exc:
                print(f"scrapy sites: error: {exc}", file=sys.stderr)
                self.exitcode = 2
                continue
            layouts = ", ".join(spec.name for spec in site.layouts) or "none (generic extraction only)"
            print(f"{site.describe()}\n    profile: {site.path}\n    time zone: {site.timezone_name};"
                  f" layouts: {layouts}")
