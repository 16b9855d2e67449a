"""Progress lines and the request outcomes they (and run manifests) count."""

from __future__ import annotations

import logging

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from twisted.internet.error import ConnectionRefusedError, TimeoutError
from twisted.python.failure import Failure

from northnews.crawl.downloadermiddlewares.outcomes import Outcomes
from northnews.crawl.extensions.progress import Progress, format_duration, format_progress
from northnews.crawl.stats import error_count, error_kinds, request_count
from northnews.discovery import Kind, classify
from northnews.sites import load_site
from northnews.spiders.articles import ArticlesSpider

NN = load_site("northnews")

ARTICLE = "http://www.northnews.cn/2015/0915/2049381.shtml"
LIST = "http://www.northnews.cn/news/nmgnews/index_2.shtml"


def crawler(**settings):
    c = get_crawler(ArticlesSpider, settings)
    return c


def request_for(url: str) -> Request:
    """A request as the spider makes it: the page kind in its meta."""
    kind = {Kind.ARTICLE: "article", Kind.LIST: "list"}.get(classify(url, NN))
    return Request(url, meta={"northnews_page": kind} if kind else {})


def respond(mw: Outcomes, url: str, status: int = 200) -> Response:
    request = request_for(url)
    return mw.process_response(request, HtmlResponse(url, status=status, body=b"<html></html>", request=request))


def test_outcomes_count_final_pages_and_errors_by_kind() -> None:
    c = crawler()
    mw = Outcomes.from_crawler(c)
    respond(mw, "http://www.northnews.cn/robots.txt")  # neither a page nor an error
    respond(mw, "http://www.northnews.cn/robots.txt", 503)
    respond(mw, "http://www.northnews.cn/")
    respond(mw, LIST)
    respond(mw, ARTICLE)
    respond(mw, ARTICLE.replace("2049381", "2049382"), 404)  # gone: the site's answer
    respond(mw, ARTICLE.replace("2049381", "2049383"), 503)  # after retries: a failure
    respond(mw, "http://www.northnews.cn/about/us.php", 403)
    mw.process_exception(Request(ARTICLE), TimeoutError())
    mw.process_exception(Request(ARTICLE), ConnectionRefusedError())
    mw.process_exception(Request(ARTICLE), IgnoreRequest("forbidden by robots.txt"))
    stats = c.stats.get_stats()
    assert stats["northnews/pages/fetched"] == 6
    assert stats["northnews/pages/answered"] == 5
    assert (stats["northnews/pages/list"], stats["northnews/pages/article"], stats["northnews/pages/other"]) == (2, 3, 1)
    assert stats["northnews/pages/gone"] == 1
    assert stats["northnews/pages/failed"] == 2
    assert stats["northnews/pages/status/503"] == 1
    assert error_kinds(stats) == {
        "download/ConnectionRefusedError": 1,
        "download/TimeoutError": 1,
        "http_403": 1,
        "http_503": 1,
    }
    assert request_count(stats) == 8


def test_error_kinds_include_spider_item_and_incomplete_articles() -> None:
    stats = {
        "spider_exceptions/count": 2,
        "spider_exceptions/ValueError": 2,
        "northnews/errors/item/KeyError": 1,
        "northnews/spider/article_incomplete": 1,
        "northnews/pages/gone": 4,
    }
    assert error_kinds(stats) == {"article_incomplete": 1, "item/KeyError": 1, "spider/ValueError": 2}
    assert error_count(stats) == 4
    assert error_count({}) == 0


def test_the_line_says_pages_articles_rates_and_errors() -> None:
    stats = {
        "northnews/pages/fetched": 312,
        "northnews/pages/list": 20,
        "northnews/pages/article": 290,
        "northnews/pages/other": 2,
        "item_scraped_count": 280,
        "item_dropped_count": 1,
        "northnews/store/new": 275,
        "northnews/store/updated": 2,
        "northnews/store/unchanged": 3,
        "northnews/errors/http_503": 2,
        "northnews/drift/generic": 14,
    }
    previous = {"northnews/pages/fetched": 192, "item_scraped_count": 170}
    line = format_progress(stats, elapsed=155, previous=previous, interval=60, queued=45)
    assert line == (
        "Progress: 312 pages (20 list, 290 article, 2 other; 120/min), 280 articles (275 new, "
        "2 updated, 3 unchanged; 110/min), 14 generic (5%), 1 rejected, 2 errors (http_503 2), 45 queued, 2m35s"
    )
    final = format_progress(stats, elapsed=120, previous=previous, interval=60, final=True)
    assert final.startswith("Progress (final): 312 pages (20 list, 290 article, 2 other; 156/min), 280 articles")
    assert "queued" not in final
    assert format_progress({}, elapsed=0) == (
        "Progress: 0 pages (0 list, 0 article, 0 other; 0/min), 0 articles (0/min), 0 generic, 0 rejected, 0 errors, 0s"
    )


@pytest.mark.parametrize(("seconds", "text"), [(5, "5s"), (155, "2m35s"), (3 * 3600 + 61, "3h01m")])
def test_durations(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_extension_logs_lines_and_a_final_one(caplog: pytest.LogCaptureFixture) -> None:
    c = crawler(NORTHNEWS_PROGRESS_INTERVAL=0)  # 0: no periodic line, the final one only
    ext = Progress.from_crawler(c)
    spider = ArticlesSpider()
    ext.spider_opened(spider)
    assert ext.task is None
    c.stats.inc_value("northnews/pages/fetched", 3)
    c.stats.inc_value("item_scraped_count", 2)
    ext.item_error(item={}, response=None, spider=spider, failure=Failure(KeyError("x")))
    with caplog.at_level(logging.INFO, logger="northnews.crawl.extensions.progress"):
        ext.log()
        ext.spider_closed(spider, "finished")
    lines = [r.getMessage() for r in caplog.records]
    assert lines[0].startswith("Progress: 3 pages") and "2 articles" in lines[0]
    assert lines[1].startswith("Progress (final): 3 pages") and "1 error (item/KeyError 1)" in lines[1]


def test_a_negative_interval_is_refused() -> None:
    """The crawl's context validates the settings once: a bad value is one line naming it."""
    from northnews.config import ConfigError

    with pytest.raises(ConfigError, match="NORTHNEWS_PROGRESS_INTERVAL: expected a number >= 0"):
        Progress.from_crawler(crawler(NORTHNEWS_PROGRESS_INTERVAL=-1))
