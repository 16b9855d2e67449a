"""Sanity of the ``lanling`` fixture (a Founder-style newspaper digital edition), not of the crawler.

Written by ``tests/fixtures/sites/lanling/make_mirror.py``; these tests check it reproduces the
committed files, stays independent of the project, has what issue 15 asks of a digital edition
(issues by date, 版面 pages, gb2312 older issues and UTF-8 newer ones, continued stories, an ad
page), and that each expected value sits where the template prints it.
"""

from __future__ import annotations

import re
from collections import Counter
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
    profile_of,
)

FX = Fixture("lanling")
ITEMS = FX.items
REJECTS = FX.expected("rejects.jsonl")
PAGES = FX.pages
BY_URL = FX.by_url
HOST = "epaper.lanlingdaily.cn"


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
    issue = re.compile(profile_of("lanling")["issues"]["page"])
    for page in PAGES:
        assert bool(issue.search(urlsplit(page["url"]).path)) == (page["kind"] == "issue"), page["url"]


def test_counts_and_shape() -> None:
    assert 30 <= len(ITEMS) <= 60
    for item in ITEMS:
        assert list(item) == ITEM_KEYS and (item["site"], item["edition"]) == ("lanling", "zh")
    assert [r["reason"] for r in REJECTS] == ["missing_body"]
    assert sum(1 for i in ITEMS if i["kicker"]) >= 4 and sum(1 for i in ITEMS if i["subtitle"]) >= 4
    pairs = [i for i in ITEMS if i["continued_to"]]
    assert len(pairs) == 3
    by_url = {i["url"]: i for i in ITEMS}
    for first in pairs:
        rest = by_url[first["continued_to"]]
        assert rest["continued_from"] == first["url"] and (first["page"], rest["page"]) == ("01", "03")
    assert Counter(p["kind"] for p in PAGES)["issue"] == 20


def test_older_issues_gb2312_newer_utf8() -> None:
    for page in PAGES:
        if not page["encoding"] or page["kind"] == "home":
            continue
        raw = (FX.mirror / page["path"]).read_bytes()
        newer = "/2024-03/" in page["url"]
        assert page["encoding"] == ("utf-8" if newer else "gbk")
        raw.decode(page["encoding"])
        assert (b"charset=utf-8" in raw) == newer and (b"charset=gb2312" in raw) != newer


def test_issues_are_linked_by_date_and_every_page_is_in_the_mirror() -> None:
    assert missing_links(FX, {HOST}, [r"^/lldb/page/"]) == []
    issues = sorted({re.search(r"/html/(\d{4}-\d{2}/\d{2})/", p["url"])[1] for p in PAGES if p["kind"] == "issue"})
    assert issues == ["2024-02/28", "2024-02/29", "2024-03/01", "2024-03/02", "2024-03/04"]
    linked = links(FX)
    for day in issues[:-1]:  # each earlier issue is linked (上一期) from the next one
        assert any(BY_URL[s]["kind"] == "issue" for s in linked[f"http://{HOST}/lldb/html/{day}/node_2.htm"])
    home = FX.selector(f"http://{HOST}/lldb/")
    assert home.css("a::attr(href)").get() == "html/2024-03/04/node_2.htm"


def test_the_ad_page_has_no_text() -> None:
    (ad,) = REJECTS
    sel = FX.selector(ad["url"])
    assert sel.css(".article h1::text").get() == "广告" and not "".join(sel.css("#ozoom ::text").getall()).strip()


@pytest.mark.parametrize("item", ITEMS, ids=[urlsplit(i["url"]).path for i in ITEMS])
def test_expected_values_sit_in_the_template(item: dict) -> None:
    sel = FX.selector(item["url"])
    art = sel.css(".article")
    assert art.css("h1::text").get() == item["title"]
    assert art.css(".yinti::text").get() == item["kicker"] and art.css(".futi::text").get() == item["subtitle"]
    banci = art.css(".banci::text").get()
    assert banci == f"第{item['page']}版：{item['section']}"
    author = art.css(".author::text").get()
    assert (author is None) == (item["author"] is None) and (author is None or author.endswith(item["author"]))
    assert art.css(".date::text").get() == item["published_raw"]
    assert item["body"] == "\n\n".join(collapse(p) for p in sel.css("#ozoom p").xpath("string()").getall())
    assert [{"url": urljoin(item["url"], pic.css("img::attr(src)").get()), "caption": pic.css(".pic-txt::text").get()}
            for pic in art.css(".pic")] == item["images"]
    for key in ("continued_to", "continued_from"):
        if item[key]:
            assert urljoin(item["url"], art.css(".zhuan a::attr(href)").get()) == item[key]
    # the 版面 page lists the story
    issue = [p for p in PAGES if p["kind"] == "issue" and p["url"].rsplit("/", 1)[0] == item["url"].rsplit("/", 1)[0]
             and p["page"] == int(item["page"])]
    assert issue and item["url"] in links(FX, issue)


def test_the_profiles_url_dates_agree_with_the_items() -> None:
    assert_url_dates_agree(FX)
