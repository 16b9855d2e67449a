"""Where Scrapy's defaults fall short: Retry-After, robots.txt 5xx, redirect loops."""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Coroutine, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from twisted.internet.task import Clock

from northnews.crawl.downloadermiddlewares.redirect import RedirectMiddleware
from northnews.crawl.downloadermiddlewares.retry import RetryAfterMiddleware, retry_after_seconds
from northnews.discovery import Kind, classify
from northnews.sites import load_site
from tests.conftest import PORTAL, run_crawl
from tests.mockserver import MockPortal

DriveFn = Callable[[Coroutine[Any, Any, Request | Response], Clock], "Driven"]

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
    crawler.spider = crawler.spidercls.from_crawler(crawler, "test")  # public API (not Crawler._create_spider)
    mw = build_from_crawler(RetryAfterMiddleware, crawler)
    clock = Clock()
    mw._clock = clock  # the fake clock the wait is timed on (the reactor in a crawl)
    return mw, clock


class Driven:
    """``RetryAfterMiddleware.process_response`` (a coroutine, as Scrapy >= 2.14 wants) run on an
    asyncio loop of its own, its wait timed on a fake :class:`~twisted.internet.task.Clock`.

    The running loop makes ``maybe_deferred_to_future`` hand the coroutine an asyncio Future, the
    way the crawl's asyncio reactor does, whichever reactor (asyncio, another, none) this test
    process happens to have installed; nothing here reads the wall clock.
    """

    def __init__(self, coro: Coroutine[Any, Any, Request | Response], clock: Clock) -> None:
        self.clock = clock
        self.loop = asyncio.new_event_loop()
        self.task = self.loop.create_task(coro)
        self.turn()

    def turn(self) -> None:
        """Let the loop run everything that is ready (the coroutine up to its wait, or to its end)."""
        for _ in range(3):
            self.loop.run_until_complete(asyncio.sleep(0))

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)
        self.turn()

    @property
    def got(self) -> list[Request | Response]:
        """[] while it waits; [what it returned] once done."""
        return [self.task.result()] if self.task.done() else []

    def close(self) -> None:
        if not self.task.done():
            self.task.cancel()
            self.turn()
        self.loop.close()


@pytest.fixture
def drive() -> Iterator[Callable[[Coroutine[Any, Any, Request | Response], Clock], Driven]]:
    runs: list[Driven] = []

    def start(coro: Coroutine[Any, Any, Request | Response], clock: Clock) -> Driven:
        runs.append(Driven(coro, clock))
        return runs[-1]

    yield start
    for run in runs:
        run.close()


def answer(status: int, **headers: str) -> tuple[Request, Response]:
    request = Request("http://www.northnews.cn/2015/0915/1.shtml")
    return request, Response(request.url, status=status, headers=headers, request=request)


def test_process_response_is_a_coroutine_not_a_deferred() -> None:
    """Scrapy 2.14+ deprecates a Deferred from ``process_response`` (ScrapyDeprecationWarning)."""
    assert inspect.iscoroutinefunction(RetryAfterMiddleware.process_response)


def test_a_503_with_retry_after_is_retried_after_the_wait(drive: DriveFn) -> None:
    mw, clock = retry_mw()
    run = drive(mw.process_response(*answer(503, **{"Retry-After": "30"})), clock)
    run.advance(29.9)
    assert run.got == []
    run.advance(0.1)
    assert len(run.got) == 1 and isinstance(run.got[0], Request)
    assert run.got[0].meta["retry_times"] == 1
    assert mw.crawler.stats.get_value("northnews/retry_after/waits") == 1
    assert mw.crawler.stats.get_value("northnews/retry_after/seconds") == 30


def test_the_wait_is_capped(drive: DriveFn) -> None:
    mw, clock = retry_mw(NORTHNEWS_RETRY_AFTER_MAX=10)
    run = drive(mw.process_response(*answer(429, **{"Retry-After": "3600"})), clock)
    run.advance(9.9)
    assert run.got == []
    run.advance(0.1)
    assert len(run.got) == 1 and isinstance(run.got[0], Request)
    assert mw.crawler.stats.get_value("northnews/retry_after/seconds") == 10


def test_a_429_without_retry_after_backs_off_exponentially(drive: DriveFn, caplog: pytest.LogCaptureFixture) -> None:
    mw, clock = retry_mw(RETRY_TIMES=3)
    request, response = answer(429)
    waits = []
    caplog.set_level(logging.INFO, logger="northnews.crawl.downloadermiddlewares.retry")
    for _ in range(3):
        run = drive(mw.process_response(request, response), clock)
        waited = 0.0
        while not run.got:
            run.advance(0.5)
            waited += 0.5
        waits.append(waited)
        request = run.got[0]
        assert isinstance(request, Request)
        response = Response(request.url, status=429, request=request)
    assert waits == [2.0, 4.0, 8.0]
    assert mw.crawler.stats.get_value("northnews/retry_after/backoffs") == 3
    assert "no Retry-After, backoff: waiting 8.0 s before retrying" in caplog.text
    gave_up = drive(mw.process_response(request, response), clock)  # retries exhausted: the 429 itself
    assert len(gave_up.got) == 1 and isinstance(gave_up.got[0], Response) and gave_up.got[0].status == 429


def test_the_backoff_is_capped_too(drive: DriveFn) -> None:
    mw, clock = retry_mw(RETRY_TIMES=5, NORTHNEWS_RETRY_AFTER_MAX=3)
    request = Request("http://www.northnews.cn/2015/0915/1.shtml", meta={"retry_times": 4})
    run = drive(mw.process_response(request, Response(request.url, status=429, request=request)), clock)
    run.advance(2.9)
    assert run.got == []
    run.advance(0.1)
    assert len(run.got) == 1


def test_without_retry_after_or_retries_left_nothing_waits(drive: DriveFn) -> None:
    mw, clock = retry_mw()
    at_once = drive(mw.process_response(*answer(503)), clock)  # the clock never moves
    assert len(at_once.got) == 1 and isinstance(at_once.got[0], Request)
    mw, clock = retry_mw(RETRY_TIMES=0)
    gave_up = drive(mw.process_response(*answer(503, **{"Retry-After": "30"})), clock)
    assert len(gave_up.got) == 1 and isinstance(gave_up.got[0], Response) and gave_up.got[0].status == 503
    mw, clock = retry_mw()
    ok = drive(mw.process_response(*answer(200, **{"Retry-After": "30"})), clock)
    assert len(ok.got) == 1 and isinstance(ok.got[0], Response) and ok.got[0].status == 200
    assert mw.crawler.stats.get_value("northnews/retry_after/waits") is None


def test_a_redirect_back_into_the_chain_is_a_reported_loop() -> None:
    crawler = get_crawler(settings_dict={})
    crawler.stats.open_spider()
    crawler.spider = crawler.spidercls.from_crawler(crawler, "test")
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


def test_a_live_crawl_waits_out_retry_after_without_deprecated_scrapy_api(tmp_path: Path) -> None:
    """The real crawl (a subprocess, asyncio reactor): a 503 with ``Retry-After`` is waited out
    and retried, and Scrapy warns of no deprecated API on the way (a deprecated path breaks in a
    later Scrapy release); in-process tests cannot see a crawl subprocess's warnings, so this does."""
    article = "http://www.northnews.cn/2015/0915/2049381.shtml"
    shed = {"left": 1}

    def busy_once(url: str):
        if url == article and shed["left"]:
            shed["left"] -= 1
            return 503, [("Content-Type", "text/plain"), ("Retry-After", "1")], b"busy\n"
        return None

    with MockPortal(PORTAL, override=busy_once) as server:
        result = run_crawl(
            tmp_path, "-a", "max_pages=1", "-s", "NORTHNEWS_STORE_ENABLED=False", "-s", "NORTHNEWS_RETRY_AFTER_MAX=0.2",
            env={"http_proxy": server.proxy_url},
        )
        asked = server.requested_urls().count(article)
    assert result.returncode == 0, result.stderr[-3000:]
    assert asked == 2 and article in result.by_url
    assert "'northnews/retry_after/waits': 1" in result.stderr
    assert "waiting 0.2 s before retrying" in result.stderr
    assert "ScrapyDeprecationWarning" not in result.stderr, result.stderr[-3000:]
