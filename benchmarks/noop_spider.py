"""The engine's floor for ``make bench``: a spider that requests a list of URLs and does nothing
with the answers.

    scrapy runspider benchmarks/noop_spider.py -a urls=URLS.txt

``make bench`` gives it the URLs the live crawl of the same portal fetched (its CDXJ indexes), so
both fetch the same pages through the same server; run with Scrapy's stock settings
(:mod:`benchmarks.stock_settings`) or with our speed settings (:mod:`benchmarks.tuned_settings`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import scrapy


class NoopSpider(scrapy.Spider):
    name = "noop"

    def __init__(self, urls: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls_file = urls

    async def start(self) -> AsyncIterator[scrapy.Request]:
        with open(self.urls_file, encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    yield scrapy.Request(line.strip(), callback=self.parse)

    def parse(self, response: scrapy.http.Response) -> None:
        return None
