"""Stock Scrapy settings plus northnews's speed settings, and nothing else: the "tuned" no-op row
of ``make bench`` (the engine's floor with our settings; :mod:`benchmarks.stock_settings` is the
stock one). Every value is taken from ``northnews/settings.py``, where each is measured and
explained; no pipeline, no WARC, no store, no robots.txt, no spider middleware of ours."""

from benchmarks.stock_settings import *  # noqa: F403
from northnews import settings as _ours

CONCURRENT_ITEMS = _ours.CONCURRENT_ITEMS
WARN_ON_GENERATOR_RETURN_VALUE = _ours.WARN_ON_GENERATOR_RETURN_VALUE
LOG_LEVEL = _ours.LOG_LEVEL
LOGSTATS_INTERVAL = _ours.LOGSTATS_INTERVAL
TELNETCONSOLE_ENABLED = _ours.TELNETCONSOLE_ENABLED
REMOTE_CONTROL_ENABLED = _ours.REMOTE_CONTROL_ENABLED
EXTENSIONS_BASE = _ours.EXTENSIONS_BASE
COOKIES_ENABLED = _ours.COOKIES_ENABLED
# Scrapy's decompression without the charset guess it makes and throws away.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "northnews.crawl.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": 590,
}
