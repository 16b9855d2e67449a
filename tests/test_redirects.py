"""Redirects are facts, not content: every way an article's page can redirect, with the fault server.

One crawl meets every redirect shape at once (each on its own article of the fixture portal):
301/302 to another article (an alias), to the home page, to another site, a loop, more than 20
hops, for an article's first page and for page 2 of a split article; a ``<meta refresh>``; and,
in the same crawl, the other page faults (empty, soft 404, 503, 404, reset, a 2099 date). Every article URL the crawl
met must end stored, pending with its reason, or an alias of a stored/pending article, and no
stored article may hold another page's text. A second crawl with the faults gone stores every
pending one. The expected texts are the portal generator's (tests/fixtures/expected), never the
crawler's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from tests.conftest import PORTAL, CrawlResult, run_crawl
from tests.faultserver import FaultPortal
from tests.opskit import clear_log, query

pytestmark = pytest.mark.slow

ZH = "http://www.northnews.cn"
EN = "http://english.northnews.cn"
HOME = f"{ZH}/"
OFFSITE = "http://elsewhere.invalid/2015/0101/1.shtml"  # never fetched: the guard would fail the test

#: first page → (status, Location) and the alias target it must become
ALIASED = {
    f"{ZH}/2015/1022/2052371.shtml": ((301, f"{ZH}/2015/1027/2052711.shtml"), f"{ZH}/2015/1027/2052711.shtml"),
    f"{ZH}/2015/1029/2052933.shtml": ((302, f"{ZH}/201510/28/2052820.html"), f"{ZH}/201510/28/2052820.html"),
}
#: first page → (status, Location), the pending reason it must end in
REFUSED = {
    f"{ZH}/2016/0108/2069122.shtml": ((301, HOME), "redirected"),
    f"{ZH}/2016/0112/2069250.shtml": ((302, OFFSITE), "redirected"),
    f"{ZH}/2015/0924/2050388.htm": ((302, f"{ZH}/2015/0915/2049381_3.shtml"), "redirected"),  # another's page 3
}
#: a later page → (status, Location); its article must end pending "redirected", never stitched
PAGE_REFUSED = {
    f"{ZH}/2015/0915/2049381_2.shtml": ((301, f"{ZH}/2015/1026/2052600.shtml"), f"{ZH}/2015/0915/2049381.shtml"),
    f"{ZH}/2015/0926/2050620_2.shtml": ((302, HOME), f"{ZH}/2015/0926/2050620.shtml"),
    f"{ZH}/2015/1013/2051590_2.shtml": ((301, OFFSITE), f"{ZH}/2015/1013/2051590.shtml"),
}
#: <meta http-equiv="refresh"> on a first page: to the home page (pending), to another article (alias).
REFRESH_HOME = f"{ZH}/2015/0921/2050012.shtml"
REFRESH_ALIAS, REFRESH_TARGET = f"{ZH}/2015/0922/2050133.shtml", f"{ZH}/2015/0923/2050260.shtml"
#: Loops: A ↔ B between two articles; A → A?hop=1 → A; page 2 → page 2?hop=1 → page 2.
LOOP_A, LOOP_B = f"{ZH}/2016/0115/2069377.shtml", f"{ZH}/2016/0302/2081234.shtml"
SELF_LOOP = f"{ZH}/201601/05/2069001.htm"
PAGE_LOOP, PAGE_LOOP_ARTICLE = f"{ZH}/2015/1026/2052600_2.shtml", f"{ZH}/2015/1026/2052600.shtml"
#: More than 20 hops (Scrapy's REDIRECT_MAX_TIMES): a first page, and page 2 of a split article.
HOPS, HOPS_PAGE, HOPS_PAGE_ARTICLE = f"{ZH}/2016/0512/2090555.shtml", f"{EN}/2015/0916/90102_2.shtml", f"{EN}/2015/0916/90102.shtml"

#: The other ways an article page fails (tests/test_faults.py checks each reason; here they are in
#: the same crawl, so that "stored, pending or an alias" is checked over every shape at once).
OTHER_FAULTS = {
    f"{ZH}/2015/0916/2049502.shtml": ("empty", None, "empty"),
    f"{ZH}/2015/0918/2049790.shtml": ("soft_404", None, "soft_404"),
    f"{ZH}/2015/0925/2050501.shtml": ("status", 503, "http_503"),
    f"{ZH}/2015/0927/2050702.shtml": ("status", 404, "http_404"),
    f"{ZH}/2015/0928/2050811.shtml": ("reset", None, "connection"),
    f"{ZH}/2015/1009/2051805.shtml": ("date", "2099-09-15 15:21", "implausible_date"),
}

ARTICLE = re.compile(r"/(\d{4}/\d{4}|\d{6}/\d\d)/\d+\.s?html?$")


@dataclass
class Runs:
    first: CrawlResult
    second: CrawlResult
    met1: set[str]  # the article first pages the first run requested
    requested2: list[str]
    texts1: dict[str, dict]  # the store after the first run: url → latest item
    pending1: dict[str, tuple[str, str]]  # url → (reason, detail)
    aliases1: dict[str, str]  # alias → target


def configure(server: FaultPortal) -> None:
    for url, (answer, _) in {**ALIASED, **REFUSED, **PAGE_REFUSED}.items():
        server.fault(url, "redirect", arg=answer)
    server.fault(LOOP_A, "redirect", arg=(301, LOOP_B))
    server.fault(LOOP_B, "redirect", arg=(302, LOOP_A))
    server.fault(SELF_LOOP, "redirect", arg=(302, f"{SELF_LOOP}?hop=1"))
    server.fault(f"{SELF_LOOP}?hop=1", "redirect", arg=(301, SELF_LOOP))
    server.fault(PAGE_LOOP, "redirect", arg=(302, f"{PAGE_LOOP}?hop=1"))
    server.fault(f"{PAGE_LOOP}?hop=1", "redirect", arg=(301, PAGE_LOOP))
    server.redirect_chain(HOPS, 25)
    server.redirect_chain(HOPS_PAGE, 25)
    server.fault(REFRESH_HOME, "body", arg=lambda page: refresh(HOME))
    server.fault(REFRESH_ALIAS, "body", arg=lambda page: refresh(REFRESH_TARGET))
    for url, (kind, arg, _) in OTHER_FAULTS.items():
        server.fault(url, kind, arg=arg)


def refresh(url: str) -> bytes:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0; url={url}">'
            f"<title>跳转中</title></head><body><p>页面跳转中……</p></body></html>").encode()


def first_pages(urls: list[str]) -> set[str]:
    """The article first pages among requested URLs (queries dropped; later pages left out)."""
    return {u.split("?", 1)[0] for u in urls if ARTICLE.search(u.split("?", 1)[0]) and not re.search(r"_\d+\.", u)}


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    archive = tmp_path_factory.mktemp("redirects") / "archive"
    with FaultPortal(PORTAL) as server:
        configure(server)
        first = run_crawl(archive, "-s", "RETRY_TIMES=1", env={"http_proxy": server.proxy_url}, timeout=600)
        met1 = first_pages(server.requested_urls())
        texts1, pending1, aliases1 = stored(archive), pending(archive), aliases(archive)
        server.clear_faults()
        clear_log(server)
        second = run_crawl(archive, "-s", "RETRY_TIMES=1", env={"http_proxy": server.proxy_url}, timeout=600)
        requested2 = server.requested_urls()
    return Runs(first, second, met1, requested2, texts1, pending1, aliases1)


def stored(archive) -> dict[str, dict]:
    import json

    rows = query(archive, "SELECT v.url, v.item_json FROM article_versions v JOIN articles a"
                          " ON a.url = v.url AND a.latest_version = v.version")
    return {url: json.loads(item) for url, item in rows}


def pending(archive) -> dict[str, tuple[str, str]]:
    return {r[0]: (r[1], r[2]) for r in query(archive, "SELECT url, reason, detail FROM article_pending")}


def aliases(archive) -> dict[str, str]:
    return dict(query(archive, "SELECT url, target FROM article_aliases"))


def test_every_article_met_is_stored_pending_or_an_alias_and_no_text_is_wrong(
    runs: Runs, expected_items: dict[str, dict], expected_rejects: dict[str, dict],
) -> None:
    first = runs.first
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Traceback" not in first.stderr
    texts, waiting, alias = runs.texts1, runs.pending1, runs.aliases1
    # 0 wrong texts: every stored article holds its own page's text (the generator's expectation).
    for url, item in texts.items():
        assert url in expected_items, f"{url} stored but the portal has no such article"
        for field in ("title", "body", "published"):
            assert item[field] == expected_items[url][field], (url, field)
    # 0 missing: every article URL requested is stored, pending, or an alias of one of those.
    assert OFFSITE not in runs.met1  # refused, never fetched
    missing = {
        url for url in runs.met1
        if url not in texts and url not in waiting and alias.get(url) not in {*texts, *waiting}
    }
    assert not missing, sorted(missing)
    assert LOOP_A in runs.met1 and LOOP_B in runs.met1 and HOPS in runs.met1
    assert {url: waiting.get(url, ("-",))[0] for url in OTHER_FAULTS} == {u: r for u, (_, _, r) in OTHER_FAULTS.items()}


def test_a_redirect_to_another_article_is_an_alias_one_text_one_item(runs: Runs, expected_items: dict) -> None:
    texts, alias = runs.texts1, runs.aliases1
    for url, target in [*((u, t) for u, (_, t) in ALIASED.items()), (REFRESH_ALIAS, REFRESH_TARGET)]:
        assert alias[url] == target
        assert url not in texts  # never the target's text under the alias's URL
        assert texts[target]["body"] == expected_items[target]["body"]
        items = [i for i in runs.first.items if i["url"] == target]
        assert len(items) == 1, (target, len(items))  # one item, whichever request fetched it
        assert items[0]["redirected_from"] in (None, [url])
    assert all(i["url"] not in ALIASED for i in runs.first.items)
    assert "'northnews/redirect/alias':" in runs.first.stderr


def test_redirects_off_the_article_leave_it_pending_with_a_reason(runs: Runs) -> None:
    first = runs.first
    waiting, texts = runs.pending1, runs.texts1
    wanted = {url: reason for url, (_, reason) in REFUSED.items()}
    wanted.update({article: "redirected" for _, article in PAGE_REFUSED.values()})
    wanted.update({REFRESH_HOME: "redirected", SELF_LOOP: "redirect_loop", PAGE_LOOP_ARTICLE: "redirect_loop",
                   HOPS: "redirect_loop", HOPS_PAGE_ARTICLE: "redirect_loop"})
    assert {url: waiting.get(url, ("-",))[0] for url in wanted} == wanted
    assert not set(wanted) & set(texts)  # never stitched, never stored under the wrong URL
    assert not set(wanted) & {i["url"] for i in first.items}
    # The detail says where it went.
    assert "redirected to http://www.northnews.cn/ (a list page)" in waiting[f"{ZH}/2016/0108/2069122.shtml"][1]
    assert "another site" in waiting[f"{ZH}/2016/0112/2069250.shtml"][1]
    assert "2049381_2.shtml" in waiting[f"{ZH}/2015/0915/2049381.shtml"][1]
    assert "more than 20 redirects" in waiting[HOPS][1]
    # The offsite case is logged (it used to vanish silently).
    assert f"redirected to {OFFSITE} (another site)" in first.stderr
    # A ↔ B: one of them ends pending redirect_loop, the other is its alias or pending too.
    loop = {u: waiting.get(u, ("",))[0] for u in (LOOP_A, LOOP_B)}
    assert "redirect_loop" in loop.values(), loop
    for url in (LOOP_A, LOOP_B):
        assert loop[url] == "redirect_loop" or runs.aliases1.get(url) in (LOOP_A, LOOP_B)


def test_the_next_run_without_the_redirects_stores_every_pending_one(runs: Runs, expected_items: dict) -> None:
    second = runs.second
    assert second.returncode == 0, second.stderr[-3000:]
    archive = second.archive
    texts, waiting, alias = stored(archive), pending(archive), aliases(archive)
    for url in [*REFUSED, *(a for _, a in PAGE_REFUSED.values()), *OTHER_FAULTS, REFRESH_HOME, SELF_LOOP, PAGE_LOOP_ARTICLE, HOPS, HOPS_PAGE_ARTICLE]:
        assert url in texts and url not in waiting, url
        assert texts[url]["body"] == expected_items[url]["body"], url
    for url in (LOOP_A, LOOP_B):  # stored with its own text (no longer an alias), or an alias of a stored one
        assert (url in texts and url not in alias) or alias.get(url) in texts, url
    # An alias of a stored article is known: not fetched again.
    assert not set(ALIASED) & set(runs.requested2)
    for url, item in texts.items():
        assert item["body"] == expected_items[url]["body"], url


def test_a_page_that_cannot_spell_a_refresh_skips_scrapys_scan_with_the_same_answer() -> None:
    """MetaRefreshMiddleware hands a page on without Scrapy's get_meta_refresh when its first 4,096
    characters hold neither the word "refresh" nor a numeric character reference: Scrapy's scan
    finds none there either; a page that has one is still redirected."""
    from scrapy.http import HtmlResponse, Request
    from scrapy.utils.response import get_meta_refresh
    from scrapy.utils.test import get_crawler

    from northnews.crawl.downloadermiddlewares.redirect import MetaRefreshMiddleware, could_refresh

    url = "http://www.northnews.cn/2015/0916/1.shtml"
    pages = [
        "<html><head><title>新闻</title></head><body><p>正文</p></body></html>",
        '<html><head><meta http-equiv="REFRESH" content="0;url=/2015/0916/2.shtml"></head></html>',
        '<html><head><meta http-equiv="&#114;efresh" content="0;url=/2015/0916/2.shtml"></head></html>',
        '<html><head><meta http-equiv="&#x52;efresh" content="0;url=/2015/0916/2.shtml"></head></html>',
        "<html><head>" + "x" * 5000 + '<meta http-equiv="refresh" content="0;url=/2.shtml"></head></html>',
        '<html><head><meta http-equiv="re&shy;fresh" content="0;url=/2.shtml"></head></html>',
    ]
    for text in pages:
        response = HtmlResponse(url, body=text.encode("utf-8"), encoding="utf-8", request=Request(url))
        if not could_refresh(response.text):
            assert get_meta_refresh(response) == (None, None), text
    assert [could_refresh(t) for t in pages] == [False, True, True, True, False, False]  # &shy; is no letter
    crawler = get_crawler(settings_dict={"METAREFRESH_ENABLED": True})
    mw = MetaRefreshMiddleware.from_crawler(crawler)
    plain = HtmlResponse(url, body=pages[0].encode("utf-8"), encoding="utf-8", request=Request(url))
    assert mw.process_response(Request(url), plain) is plain
    moved = HtmlResponse(url, body=pages[1].encode("utf-8"), encoding="utf-8", request=Request(url))
    assert mw.process_response(Request(url), moved).url == "http://www.northnews.cn/2015/0916/2.shtml"
