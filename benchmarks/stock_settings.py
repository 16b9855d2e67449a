"""Stock Scrapy settings for the ``articles`` spider: the "stock" rows of ``make bench``.

Only what Scrapy needs to find the spider; everything else is Scrapy's default (LOG_LEVEL DEBUG,
CONCURRENT_ITEMS 100, its own middlewares only: no WARC, no store, no robots.txt, no encoding
repair). The benchmark sets the same concurrency and no delay for both rows.
"""

BOT_NAME = "northnews"
SPIDER_MODULES = ["northnews.spiders"]
NEWSPIDER_MODULE = "northnews.spiders"
# The feed must read the same for both rows.
FEED_EXPORT_ENCODING = "utf-8"
