"""Where Scrapy's defaults fall short: Retry-After, robots.txt 5xx, redirect loops."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred
from twisted.internet.task import Clock

from northnews.crawl.downloadermiddlewares.redirect import RedirectMiddleware
from northnews.crawl.downloadermiddlewares.retry import RetryAfterMiddleware, retry_after_seconds
from northnews.discovery import Kind, classify
from northnews.sites import load_site
from tests.conftest import PORTAL, run_crawl
from tests.mockserver import MockPortal

NN = load_site("northnews")

NOW = datetime(2026, 11, 28, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (b" 5 ", 5.0),
        ("Sat, 28 Nov 2026 12:01:30 GMT", 90.0),
        ("Sat, 28 Nov 2026 11:00:00 GMT", 0.0),  # in the past: no wait
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_seconds(value: str | bytes | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == seconds


def retry_mw(**settings: object) -> tuple[RetryAfterMiddleware, Clock]:
    crawler = get_crawler(settings_dict={"RETRY_TIMES": 2, **settings})
    crawler.stats.open_spider()
    crawler.spider = crawler._create_spider("test")
    mw = build_from_crawler(RetryAfterMiddleware, crawler)
    clock = Clock()
    mw._clock = clock
    return mw, clock


def answer(status: int, **headers: str) -> tuple[Request, Response]:
    request = Request("http://www.northnews.cn/2015/0915/1.shtml")
    return request, Response(request.url, status=status, headers=headers, request=request)


def fired(d: Deferred) -> list:
    out: list = []
    d.addCallback(out.append)
    return out


def test_a_503_with_retry_after_is_retried_after_the_wait() -> None:
    mw, clock = retry_mw()
    result = mw.process_response(*answer(503, **{"Retry-After": "30"}))
    assert isinstance(result, Deferred)
    got = fired(result)
    clock.advance(29.9)
    assert got == []
    clock.advance(0.1)
    assert len(got) == 1 and isinstance(got[0], Request)
    assert got[0].meta["retry_times"] == 1
    assert mw.crawler.stats.get_value("northnews/retry_after/waits") == 1


def test_the_wait_is_capped() -> None:
    mw, clock = retry_mw(NORTHNEWS_RETRY_AFTER_MAX=10)
    got = fired(mw.process_response(*answer(429, **{"Retry-After": "3600"})))
    clock.advance(10)
    assert len(got) == 1 and isinstance(got[0], Request)


def test_a_429_without_retry_after_backs_off_exponentially() -> None:
    mw, clock = retry_mw(RETRY_TIMES=3)
    request, response = answer(429)
    waits = []
    for _ in range(3):
        got = fired(mw.process_response(request, response))
        waited = 0.0
        while not got:
            clock.advance(0.5)
            waited += 0.5
        waits.append(waited)
        request = got[0]
        assert isinstance(request, Request)
        response = Response(request.url, status=429, request=request)
    assert waits == [2.0, 4.0, 8.0]
    assert mw.crawler.stats.get_value("northnews/retry_after/backoffs") == 3
    gave_up = mw.process_response(request, response)  # retries exhausted: the 429 itself
    assert isinstance(gave_up, Response) and gave_up.status == 429


def test_the_backoff_is_capped_too() -> None:
    mw, clock = retry_mw(RETRY_TIMES=5, NORTHNEWS_RETRY_AFTER_MAX=3)
    request = Request("http://www.northnews.cn/2015/0915/1.shtml", meta={"retry_times": 4})
    got = fired(mw.process_response(request, Response(request.url, status=429, request=request)))
    clock.advance(2.9)
    assert got == []
    clock.advance(0.1)
    assert len(got) == 1


def test_without_retry_after_or_retries_left_nothing_waits() -> None:
    mw, _ = retry_mw()
    assert isinstance(mw.process_response(*answer(503)), Request)
    mw, _ = retry_mw(RETRY_TIMES=0)
    response = mw.process_response(*answer(503, **{"Retry-After": "30"}))
    assert isinstance(response, Response) and response.status == 503
    mw, _ = retry_mw()
    ok = mw.process_response(*answer(200, **{"Retry-After": "30"}))
    assert isinstance(ok, Response) and ok.status == 200


def test_a_redirect_back_into_the_chain_is_a_reported_loop() -> None:
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    crawler.spider = crawler._create_spider("test")
    mw = build_from_crawler(RedirectMiddleware, crawler)
    a, b = "http://www.northnews.cn/a.shtml", "http://www.northnews.cn/b.shtml"
    request = Request(b, meta={"redirect_urls": [a], "redirect_times": 1})
    response = Response(b, status=301, headers={"Location": a}, request=request)
    with pytest.raises(IgnoreRequest, match="redirect loop"):
        mw.process_response(request, response)
    assert crawler.stats.get_value("northnews/redirect/loop") == 1
    onward = mw.process_response(Request(a), Response(a, status=301, headers={"Location": b}))
    assert isinstance(onward, Request) and onward.url == b


def test_robots_txt_answering_503_disallows_the_host(tmp_path: Path) -> None:
    def robots_down(url: str):
        if url.endswith("/robots.txt"):
            return 503, [("Content-Type", "text/plain")], b""
        return None

    with MockPortal(PORTAL, override=robots_down) as server:
        result = run_crawl(
            tmp_path, "-s", "RETRY_TIMES=1", "-s", "NORTHNEWS_STORE_ENABLED=False",
            env={"http_proxy": server.proxy_url},
        )
        requested = server.requested_urls()
    assert result.items == []
    assert requested and all(url.endswith("/robots.txt") for url in requested), requested
    assert not any(classify(u, NN) is Kind.ARTICLE for u in requested)
    assert "treating www.northnews.cn as disallowed entirely" in result.stderr


def test_robots_txt_unreachable_disallows_the_host(tmp_path: Path) -> None:
    # Nothing listens on the proxy port: every fetch, robots.txt included, fails to connect.
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    result = run_crawl(
        tmp_path, "-s", "RETRY_TIMES=0", "-s", "NORTHNEWS_STORE_ENABLED=False",
        env={"http_proxy": f"http://127.0.0.1:{port}"},
    )
    assert result.items == []
    assert "could not be fetched" in result.stderr and "treating it as disallowed entirely" in result.stderr
    assert "'northnews/robots/unavailable': 2" in result.stderr  # both editions' hosts
    assert "Forbidden by robots.txt" in result.stderr or "robotstxt/forbidden" in result.stderr


def test_robots_txt_redirected_to_another_host_is_followed_and_obeyed(tmp_path: Path) -> None:
    """RFC 9309 §2.3.1.2: up to five redirects, across hosts; the rules found apply to the host asked.

    Stock Scrapy drops the redirect as offsite and crawls everything.
    """
    rules = "http://rules.example.org/policy/robots.txt"

    def redirected(url: str):
        if url == "http://www.northnews.cn/robots.txt":
            return 301, [("Location", "http://rules.example.org/robots.txt")], b""
        if url == "http://rules.example.org/robots.txt":
            return 302, [("Location", rules)], b""
        if url == rules:
            return 200, [("Content-Type", "text/plain")], b"User-agent: *\nDisallow: /\n"
        return None

    with MockPortal(PORTAL, override=redirected) as server:
        result = run_crawl(tmp_path, "-a", "editions=zh", "-s", "NORTHNEWS_STORE_ENABLED=False",
                           env={"http_proxy": server.proxy_url})
        requested = server.requested_urls()
    assert rules in requested
    assert [u for u in requested if "www.northnews.cn" in u] == ["http://www.northnews.cn/robots.txt"]
    assert result.items == []
    assert "robotstxt/forbidden" in result.stderr


def test_robots_txt_redirecting_too_often_is_unavailable(tmp_path: Path) -> None:
    def endless(url: str):
        if url.startswith("http://www.northnews.cn/robots") or url.startswith("http://loop.example.org/"):
            n = int(url.rsplit("=", 1)[1]) if "=" in url else 0
            return 302, [("Location", f"http://loop.example.org/robots.txt?n={n + 1}")], b""
        return None

    with MockPortal(PORTAL, override=endless) as server:
        result = run_crawl(tmp_path, "-a", "editions=zh", "-a", "max_pages=1", "-s", "NORTHNEWS_STORE_ENABLED=False",
                           env={"http_proxy": server.proxy_url})
        requested = server.requested_urls()
    assert len([u for u in requested if "loop.example.org" in u]) == 5  # the first answer + 5 redirects followed
    assert "redirects more than 5 times: treating it as unavailable" in result.stderr
    assert result.items  # unavailable means allowed (RFC 9309 §2.3.1.3)


ZH = "http://www.northnews.cn"


@pytest.mark.parametrize(
    ("kind", "chain", "target", "action", "reason"),
    [
        # the same page under another spelling: followed
        ("article", [f"{ZH}/2015/0915/2049381.shtml"], "https://www.northnews.cn/2015/0915/2049381.shtml", "follow", None),
        ("article", [f"{ZH}/2015/0915/2049381.shtml"], f"{ZH}/2015/0915/2049381.shtml?from=rss", "follow", None),
        ("article_page", [f"{ZH}/2015/0915/2049381_2.shtml"], "https://WWW.northnews.cn/2015/0915/2049381_2.shtml", "follow", None),
        # another article's first page: an alias (first pages only)
        ("article", [f"{ZH}/2015/0915/2049381.shtml"], f"{ZH}/2015/1027/2052711.shtml", "alias", None),
        ("article", [f"{ZH}/2015/0915/2049381.shtml"], "http://english.northnews.cn/2015/0915/90088.shtml", "alias", None),
        ("article_page", [f"{ZH}/2015/0915/2049381_2.shtml"], f"{ZH}/2015/1027/2052711.shtml", "refuse", "redirected"),
        # off the article: refused
        ("article", [f"{ZH}/2015/0915/2049381.shtml"], f"{ZH}/", "refuse", "redirected"),
        ("article", [f"{ZH}/2015/0915/2049381.shtml"], f"{ZH}/news/nmgnews/", "refuse", "redirected"),
        ("article", [f"{ZH}/2015/0915/2049381.shtml"], "http://other.example/2015/0915/1.shtml", "refuse", "redirected"),
        ("article", [f"{ZH}/2015/0915/2049381.shtml"], f"{ZH}/2015/1026/2052600_2.shtml", "refuse", "redirected"),
        ("article_page", [f"{ZH}/2015/0915/2049381_2.shtml"], f"{ZH}/", "refuse", "redirected"),
        # back to a URL of the chain: a loop
        ("article", [f"{ZH}/2015/0915/2049381.shtml", f"{ZH}/2015/1027/2052711.shtml"], f"{ZH}/2015/0915/2049381.shtml",
         "refuse", "redirect_loop"),
        ("article_page", [f"{ZH}/x_2.shtml", f"{ZH}/x_2.shtml?a=1"], f"{ZH}/x_2.shtml", "refuse", "redirect_loop"),
    ],
)
def test_an_article_pages_redirect_is_judged(kind: str, chain: list[str], target: str, action: str, reason: str | None) -> None:
    from northnews.crawl.redirects import judge

    got, value = judge(kind, chain, target, NN, NN.allowed_domains)
    assert got == action
    if action == "refuse":
        assert value.reason == reason and target in value.detail
    if action == "alias":
        assert value == target


def test_the_middleware_refuses_an_article_redirect_off_the_article_with_its_verdict() -> None:
    from scrapy import Spider

    from northnews.crawl.redirects import RedirectRefused
    from northnews.pagecheck import failure_verdict

    class Articles(Spider):
        name = "articles"
        site = NN
        allowed_domains = list(NN.allowed_domains)

    def middleware(**spider_args: object) -> RedirectMiddleware:
        crawler = get_crawler(Articles)
        crawler.spider = Articles(**spider_args)
        return build_from_crawler(RedirectMiddleware, crawler)

    mw = middleware()
    crawler = mw.crawler
    url = f"{ZH}/2015/0915/2049381.shtml"
    request = Request(url, meta={"northnews_page": "article"})
    with pytest.raises(RedirectRefused) as refused:
        mw.process_response(request, Response(url, status=302, headers={"Location": "/"}, request=request))
    from twisted.python.failure import Failure

    verdict = failure_verdict(Failure(refused.value))
    assert verdict is not None and verdict.reason == "redirected"
    assert crawler.stats.get_value("northnews/redirect/refused/redirected") == 1
    # Another article in an edition this crawl leaves out (-a editions=zh): pending, not fetched.
    en = "http://english.northnews.cn/2015/0915/90088.shtml"
    with pytest.raises(RedirectRefused, match="an edition not crawled"):
        middleware(editions=["zh"]).process_response(
            request, Response(url, status=301, headers={"Location": en}, request=request))
    # A list page's redirect is Scrapy's business: followed.
    home = Request(f"{ZH}/news/", meta={"northnews_page": "list"})
    onward = mw.process_response(home, Response(home.url, status=301, headers={"Location": f"{ZH}/"}, request=home))
    assert isinstance(onward, Request) and onward.url == f"{ZH}/"
