"""Sanity of the ``yecheng`` fixture (a county government site on TRS WCM), not of the crawler.

Written by ``tests/fixtures/sites/yecheng/make_mirror.py``; these tests check it reproduces the
committed files, stays independent of the project, has TRS's shapes (relative
``./202307/t20230705_1234567.html`` links, a column's ``index.html``, ``index_1.html``… and an
article's ``t…_1.html`` second page, both counted from 0 and linked only by the
``createPageHTML(count, current, name, ext)`` script), the government-site metas, and that each
expected value sits where the template prints it.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from tests.portalkit import (
    ITEM_KEYS,
    Fixture,
    fixture_tests,
    links,
    missing_links,
)

FX = Fixture("yecheng")
globals().update(fixture_tests(FX, url_dates=True))
ITEMS = FX.items
PAGES = FX.pages
HOST = "www.yecheng.gov.cn"


def collapse(text: str) -> str:
    return " ".join(text.split())


def test_counts_and_shape() -> None:
    assert 15 <= len(ITEMS) <= 60
    for item in ITEMS:
        assert list(item) == ITEM_KEYS and (item["site"], item["edition"]) == ("yecheng", "zh")
    assert [r["reason"] for r in FX.expected("rejects.jsonl")] == ["missing_body"]
    assert sum(1 for p in PAGES if p["kind"] == "article_page") >= 2


def test_later_pages_are_linked_by_script_only() -> None:
    """No ``<a>`` links index_1.html or t…_1.html: only the createPageHTML call names them."""
    targets = set(links(FX))
    later = [p["url"] for p in PAGES if p["kind"] == "article_page" or re.search(r"/index_\d+\.html$", p["url"])]
    assert later and not set(later) & targets
    for page in PAGES:
        if page["kind"] == "list":
            assert re.search(r'createPageHTML\(\d+, \d+, "index", "html"\)', FX.text(page))


def test_every_followed_link_is_in_the_mirror() -> None:
    assert missing_links(FX, {HOST}, [r"\.pdf$", r"^/visit/"]) == []


@pytest.mark.parametrize("item", ITEMS, ids=[urlsplit(i["url"]).path for i in ITEMS])
def test_expected_values_sit_in_the_template(item: dict) -> None:
    key = FX.by_url[item["url"]]["key"]
    pages = sorted((p for p in PAGES if p.get("key") == key), key=lambda p: p["page"])
    paras, images = [], []
    for page in pages:
        sel = FX.selector(page["url"])
        assert sel.css("h1.xl-title::text").get() == item["title"]
        assert sel.css("meta[name=ArticleTitle]::attr(content)").get() == item["title"]
        assert sel.css("meta[name=PubDate]::attr(content)").get() == item["published_raw"]
        assert sel.css("meta[name=ContentSource]::attr(content)").get() == item["source_raw"]
        assert sel.css("meta[name=ColumnName]::attr(content)").get() == item["section"]
        assert sel.css(".crumbs a::text").getall()[-1] == item["section"]
        assert collapse(sel.css(".xl-bottom span::text").get()) == f"责任编辑：{item['editor']}"
        body = sel.css(".TRS_UEDITOR > p")
        paras += [t for t in (collapse(x) for x in body.xpath("string()").getall()) if t]
        images += [urljoin(page["url"], s) for s in sel.css(".TRS_UEDITOR img::attr(src)").getall()]
    assert "\n\n".join(paras) == item["body"]
    assert [i["url"] for i in item["images"]] == images
    assert FX.selector(item["url"]).css("meta[name=Keywords]::attr(content)").get() == ",".join(item["tags"])
