"""The speed settings stay what the benchmarks measured, and follow Scrapy's defaults where they copy them."""

from __future__ import annotations

from scrapy.settings import default_settings

from northnews import settings

LEFT_OUT = {"scrapy.extensions.telnet.TelnetConsole", "scrapy.extensions.remote_control.RemoteControl"}


def test_extensions_base_is_scrapys_minus_the_two_servers_we_never_start() -> None:
    # When Scrapy adds an extension, this fails: copy it into settings.EXTENSIONS_BASE.
    assert settings.EXTENSIONS_BASE == {k: v for k, v in default_settings.EXTENSIONS_BASE.items() if k not in LEFT_OUT}
    assert not settings.TELNETCONSOLE_ENABLED and not settings.REMOTE_CONTROL_ENABLED


def test_tuned_values() -> None:
    assert settings.CONCURRENT_ITEMS == 1
    assert settings.WARN_ON_GENERATOR_RETURN_VALUE is False
    assert settings.LOG_LEVEL == "INFO"
    # The compression middleware is ours at Scrapy's place; the encoding middleware below it.
    mws = settings.DOWNLOADER_MIDDLEWARES
    assert mws["scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"] is None
    assert mws["northnews.crawl.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"] == 590
    assert mws["northnews.crawl.downloadermiddlewares.encoding.EncodingMiddleware"] < 590


def test_the_benchmarks_settings_name_components_that_exist() -> None:
    # make bench's no-op rows load these by dotted path in a crawler process: a component moved
    # without them fails only there, minutes into a benchmark.
    from scrapy.utils.misc import load_object

    from benchmarks import stock_settings, tuned_settings

    paths = [path for module in (stock_settings, tuned_settings)
             for name in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "ITEM_PIPELINES", "EXTENSIONS")
             for path, order in (getattr(module, name, None) or {}).items() if order is not None]
    assert "northnews.crawl.downloadermiddlewares.httpcompression.HttpCompressionMiddleware" in paths
    for path in paths:
        assert callable(load_object(path)), path
