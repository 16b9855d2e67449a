"""Sanity of the ``qinghe`` fixture (a Discuz! X3.4 portal), not of the crawler.

Written by ``tests/fixtures/sites/qinghe/make_mirror.py``; these tests check it reproduces the
committed files, stays independent of the project, has Discuz's URL shapes (the rewritten
``article-<aid>-<page>.html`` with page 1 numbered, the dynamic ``portal.php?mod=view&aid=``,
``portal.php?mod=list&catid=&page=``), and that each expected value sits where portal/view.htm
prints it.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from tests.portalkit import (
    ITEM_KEYS,
    Fixture,
    fixture_tests,
    missing_links,
)

FX = Fixture("qinghe")
globals().update(fixture_tests(FX))
ITEMS = FX.items
PAGES = FX.pages
HOST = "www.qinghebbs.cn"


def collapse(text: str) -> str:
    return " ".join(text.split())


def test_counts_and_shape() -> None:
    assert 30 <= len(ITEMS) <= 60
    for item in ITEMS:
        assert list(item) == ITEM_KEYS and (item["site"], item["edition"]) == ("qinghe", "zh")
        assert re.fullmatch(r"http://www\.qinghebbs\.cn/article-\d+-1\.html", item["url"])
    assert [r["reason"] for r in FX.expected("rejects.jsonl")] == ["missing_body"]
    assert [r["reason"] for r in FX.expected("pending.jsonl")] == ["soft_404"]
    assert sum(1 for p in PAGES if p["kind"] == "article_page") >= 4
    assert sum(1 for p in PAGES if p.get("alias")) == len(ITEMS), "every article also answers its dynamic URL"
    assert any(p["url"].endswith("&page=2") for p in PAGES if p["kind"] == "list")


def test_every_followed_link_is_in_the_mirror() -> None:
    skip = [r"^/(home|forum|group|member|search|misc)\.php", r"^/archiver/", r"^/portal\.php\?mod=comment", r"^/$"]
    assert missing_links(FX, {HOST}, skip) == []


def test_both_url_shapes_of_an_article_are_linked() -> None:
    from tests.portalkit import links

    targets = set(links(FX))
    assert any("portal.php?mod=view&aid=" in t for t in targets) and any(re.search(r"/article-\d+-1\.html$", t) for t in targets)


def test_the_deleted_article_is_discuz_s_message_page() -> None:
    ((url, _),) = [(r["url"], r["reason"]) for r in FX.expected("pending.jsonl")]
    sel = FX.selector(url)
    assert sel.css("title::text").get().startswith("提示信息") and "不存在或已被删除" in "".join(sel.css("#messagetext ::text").getall())


@pytest.mark.parametrize("item", ITEMS, ids=[urlsplit(i["url"]).path for i in ITEMS])
def test_expected_values_sit_in_the_view_template(item: dict) -> None:
    key = FX.by_url[item["url"]]["key"]
    pages = sorted((p for p in PAGES if p.get("key") == key and not p.get("alias")), key=lambda p: p["page"])
    paras, images = [], []
    for page in pages:
        sel = FX.selector(page["url"])
        assert collapse(sel.css(".vw h1.ph::text").get()) == item["title"]
        info = collapse(" ".join(sel.css(".vw .h p.xg1 ::text").getall()))
        assert info.startswith(item["published_raw"] + " |")
        assert (f"来自: {item['source_raw']}" in info) == bool(item["source_raw"])
        assert (f"原作者: {item['author']}" in info) == bool(item["author"])
        assert sel.css("#pt .z a::text").getall()[-1] == item["section"]
        paras += [collapse(t) for t in sel.css("#article_content > p").xpath("string()").getall()]
        images += [urljoin(sel.css("base::attr(href)").get(), s) for s in sel.css("#article_content img::attr(src)").getall()]
    assert "\n\n".join(paras) == item["body"]
    assert [i["url"] for i in item["images"]] == images
    keywords = FX.selector(item["url"]).css("meta[name=keywords]::attr(content)").get()
    assert keywords == ",".join(item["tags"])
