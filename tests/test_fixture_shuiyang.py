"""Sanity of the ``shuiyang`` fixture (a 动易 PowerEasy 2006 county site, ASP, GB2312), not of the
crawler.

Written by ``tests/fixtures/sites/shuiyang/make_mirror.py``; these tests check it reproduces the
committed files, stays independent of the project, has PowerEasy's dynamic URL shapes
(``ShowArticle.asp?ArticleID=`` with ``&ArticlePage=N`` pages, page 1 linked with its number by the
pager; ``ShowClass.asp?ClassID=&page=N``, page 1 linked as ``&page=1``), and that each expected
value sits where ShowArticle.asp prints it.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

import pytest

from tests.portalkit import (
    ITEM_KEYS,
    Fixture,
    fixture_tests,
    links,
    missing_links,
)

FX = Fixture("shuiyang")
globals().update(fixture_tests(FX))
ITEMS = FX.items
PAGES = FX.pages
HOST = "www.shuiyang.gov.cn"


def collapse(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def test_counts_and_shape() -> None:
    assert 20 <= len(ITEMS) <= 60
    for item in ITEMS:
        assert list(item) == ITEM_KEYS and (item["site"], item["edition"]) == ("shuiyang", "zh")
    assert [r["reason"] for r in FX.expected("rejects.jsonl")] == ["missing_body"]
    assert [r["reason"] for r in FX.expected("pending.jsonl")] == ["soft_404"]
    assert sum(1 for p in PAGES if p["kind"] == "article_page" and not p.get("alias")) >= 4
    assert any(item["subtitle"] for item in ITEMS) and any(item["subtitle"] is None for item in ITEMS)


def test_every_followed_link_is_in_the_mirror() -> None:
    skip = [r"^/(Admin|GuestBook|Copyright|Announce)", r"^/Article/(Index|Comment|GetHits)\.asp"]
    assert missing_links(FX, {HOST}, skip) == []


def test_page_one_is_linked_with_its_number() -> None:
    targets = set(links(FX))
    assert any(t.endswith("&ArticlePage=1") for t in targets) and any(t.endswith("&page=1") for t in targets)


def test_the_pages_say_gb2312_and_are_gbk() -> None:
    page = next(p for p in PAGES if p["kind"] == "article")
    raw = (FX.mirror / page["path"]).read_bytes()
    assert b"charset=gb2312" in raw and page["encoding"] == "gbk"


@pytest.mark.parametrize("item", ITEMS, ids=[urlsplit(i["url"]).query for i in ITEMS])
def test_expected_values_sit_in_the_article_template(item: dict) -> None:
    key = FX.by_url[item["url"]]["key"]
    pages = sorted((p for p in PAGES if p.get("key") == key and not p.get("alias")), key=lambda p: p["page"])
    paras, images = [], []
    for page in pages:
        sel = FX.selector(page["url"])
        assert sel.css(".main_ArticleTitle::text").get() == item["title"]
        assert (sel.css(".main_ArticleSubheading::text").get() or None) == item["subtitle"]
        info = collapse("".join(sel.css(".Article_tdbgall ::text").getall()))
        assert f"作者：{item['author'] or ''} 文章来源：{item['source_raw'] or ''}" in info
        assert info.endswith(f"更新时间：{item['published_raw']}")
        assert sel.css(".main_title_760 a::text").getall()[-1] == item["section"]
        assert f"责任编辑：{item['editor']}" in collapse("".join(sel.css("td[align=right]::text").getall()))
        body = sel.css("#fontzoom > p:not([align])")
        paras += [collapse(t) for t in body.xpath("string()").getall()]
        images += [urljoin(page["url"], s) for s in sel.css("#fontzoom img::attr(src)").getall()]
    assert "\n\n".join(paras) == item["body"]
    assert [i["url"] for i in item["images"]] == images
    assert FX.selector(item["url"]).css("meta[name=keywords]::attr(content)").get() == ",".join(item["tags"])
