"""A Scrapy add-on for benchmarks: the reactor thread's own CPU time, in the crawl's stats.

    PYTHONPATH=benchmarks scrapy crawl articles -s 'ADDONS={"threadcpu.ReactorCPU": 0}'

On a shared machine the wall time of a crawl says as much about the other processes as about the
crawl; the CPU the reactor thread used does not, and it is what bounds a CPU-bound crawl (the WARC
writer's thread and the server run beside it). At ``spider_closed`` it sets
``bench/reactor_cpu_seconds`` (``time.thread_time()`` of the thread the reactor runs on) and
``bench/process_cpu_seconds`` (every thread), which the stats dump at the end of the log shows.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from scrapy import signals

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings


class ReactorCPU:
    """The add-on (``ADDONS``): enables :class:`ReactorCPUExtension`."""

    def update_settings(self, settings: BaseSettings) -> None:
        settings["EXTENSIONS"][ReactorCPUExtension] = 1000


class ReactorCPUExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReactorCPUExtension:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: object) -> None:
        self.stats.set_value("bench/reactor_cpu_seconds", round(time.thread_time(), 3))
        self.stats.set_value("bench/process_cpu_seconds", round(time.process_time(), 3))
