"""Sanity of the ``xishan`` fixture (an EmpireCMS 7.5 portal), not of the crawler.

Written by ``tests/fixtures/sites/xishan/make_mirror.py``; these tests check it reproduces the
committed files, stays independent of the project, has EmpireCMS's URL shapes (``/<classpath>/<Y-m-d>/<id>.html``,
``<id>_2.html``, ``index_2.html`` lists, the dynamic ``e/action/ListInfo/?classid=&page=`` list
counted from 0, ``e/action/ShowInfo.php``), and that each expected value sits where the news
content template prints it.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from tests.portalkit import (
    ITEM_KEYS,
    Fixture,
    assert_generator_independent,
    assert_generator_reproduces,
    assert_manifest_is_the_mirror,
    assert_profile_classifies_the_manifest,
    assert_url_dates_agree,
    links,
    missing_links,
)

FX = Fixture("xishan")
ITEMS = FX.items
PAGES = FX.pages
BY_URL = FX.by_url
HOST = "www.xishannews.cn"


def collapse(text: str) -> str:
    return " ".join(text.split())


def test_generator_imports_nothing_of_the_project() -> None:
    assert_generator_independent(FX)


def test_generator_reproduces_every_committed_byte(tmp_path: Path) -> None:
    assert_generator_reproduces(FX, tmp_path)


def test_manifest_lists_exactly_the_mirror() -> None:
    assert_manifest_is_the_mirror(FX)


def test_the_profiles_url_rules_classify_the_manifest() -> None:
    assert_profile_classifies_the_manifest(FX)


def test_the_profiles_url_dates_agree_with_the_items() -> None:
    assert_url_dates_agree(FX)


def test_counts_and_shape() -> None:
    assert 30 <= len(ITEMS) <= 60
    for item in ITEMS:
        assert list(item) == ITEM_KEYS and (item["site"], item["edition"]) == ("xishan", "zh")
    assert [r["reason"] for r in FX.expected("rejects.jsonl")] == ["missing_body"]
    assert [r["reason"] for r in FX.expected("pending.jsonl")] == ["soft_404"]
    assert sum(1 for p in PAGES if p["kind"] == "article_page") >= 4
    dynamic = [p for p in PAGES if p["kind"] == "list" and "ListInfo" in p["url"]]
    assert [p["url"].endswith("&page=1") for p in dynamic] == [False, True], "page 2 of a dynamic list is &page=1"


def test_every_followed_link_is_in_the_mirror() -> None:
    assert missing_links(FX, {HOST}, [r"^/e/(?!action/)", r"^/d/"]) == []
    assert any("/e/tags/" in t for t in links(FX)) and any("/e/pl/" in t for t in links(FX))


def test_the_deleted_id_is_empires_message_page() -> None:
    ((url, _),) = [(r["url"], r["reason"]) for r in FX.expected("pending.jsonl")]
    sel = FX.selector(url)
    assert sel.css("title::text").get() == "信息提示" and "此信息不存在" in "".join(sel.css("td ::text").getall())


@pytest.mark.parametrize("item", ITEMS, ids=[urlsplit(i["url"]).path for i in ITEMS])
def test_expected_values_sit_in_the_news_template(item: dict) -> None:
    key = BY_URL[item["url"]]["key"]
    pages = sorted((p for p in PAGES if p.get("key") == key), key=lambda p: p["page"])
    paras, images = [], []
    for page in pages:
        sel = FX.selector(page["url"])
        assert sel.css(".title_info h1::text").get() == item["title"]
        info = collapse("".join(sel.css(".title_info .info_text ::text").getall()))
        assert info == f"时间：{item['published_raw']} 来源：{item['source_raw']} 作者：{item['author'] or ''}".strip()
        assert sel.css(".position a::text").getall()[-1] == item["section"]
        assert sel.css("title::text").get() == f"{item['title']} - 西山新闻网"
        ps = sel.css("#text > p:not(.pageLink)")
        captions = set()
        for p in ps:
            if p.css("img"):
                nxt = p.xpath("following-sibling::p[1]")
                cap = nxt.xpath("string()").get() if nxt and not nxt.css("img") and nxt.attrib.get("style") else None
                captions.add(cap)
                images.append({"url": urljoin(page["url"], p.css("img::attr(src)").get()), "caption": cap})
        paras += [t for t in (collapse(x) for x in ps.xpath("string()").getall()) if t and t not in captions]
    assert "\n\n".join(paras) == item["body"]
    assert images == item["images"]
    keywords = FX.selector(item["url"]).css("meta[name=keywords]::attr(content)").get()
    assert keywords == ",".join(item["tags"])
    assert re.match(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", item["published_raw"])
