"""Sanity of the ``harwick`` fixture (a Drupal 10 county newspaper), not of the crawler.

Written by ``tests/fixtures/sites/harwick/make_mirror.py``; these tests check it reproduces the
committed files, stays independent of the project, has Drupal's shapes (pathauto
``/news/<Y>/<m>/<d>/<title>`` articles, ``/sections/<term>`` lists with the zero-based
``?page=`` pager that links the first page as ``?page=0``, the node's ``<time datetime>`` in
UTC), and that each expected value sits where the article template prints it.
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

FX = Fixture("harwick")
globals().update(fixture_tests(FX, url_dates=True))
ITEMS = FX.items
PAGES = FX.pages
HOST = "www.harwickcourier.com"


def collapse(text: str) -> str:
    return " ".join(text.split())


def test_counts_and_shape() -> None:
    assert 20 <= len(ITEMS) <= 60
    for item in ITEMS:
        assert list(item) == ITEM_KEYS and (item["site"], item["edition"]) == ("harwick", "en")
    assert [r["reason"] for r in FX.expected("rejects.jsonl")] == ["missing_body"]
    offsets = {item["published"][-6:] for item in ITEMS}
    assert offsets == {"-06:00", "-05:00"}, "stories on both sides of the change to daylight saving time"


def test_every_followed_link_is_in_the_mirror() -> None:
    skip = [r"^/(user|contact|taxonomy|media)/?", r"^/contact$", r"\?page=0$"]
    assert missing_links(FX, {HOST}, skip) == []


def test_the_pager_links_the_first_page_as_page_0() -> None:
    second = [p for p in PAGES if p["kind"] == "list" and p["url"].endswith("?page=1")]
    assert second and all(any(t.endswith("?page=0") for t, pages in links(FX).items() if p["url"] in pages) for p in second)


@pytest.mark.parametrize("item", ITEMS, ids=[urlsplit(i["url"]).path for i in ITEMS])
def test_expected_values_sit_in_the_article_template(item: dict) -> None:
    sel = FX.selector(item["url"])
    node = sel.css("article.node--view-mode-full")
    assert collapse(sel.css("h1.page-title ::text").get()) == item["title"]
    assert sel.css("title::text").get() == f"{item['title']} | The Harwick Courier"
    assert node.css(".field--name-created time::attr(datetime)").get() == item["published_raw"]
    assert node.css(".field--name-field-section a::text").get() == item["section"]
    byline = node.css(".field--name-field-byline::text").get()
    assert (byline or "").removeprefix("By ").split(",")[0] == (item["author"] or "")
    body = node.css(".field--name-body")
    assert "\n\n".join(collapse(t) for t in body.css("p").xpath("string()").getall()) == item["body"]
    images = [{"url": urljoin(item["url"], img.attrib["src"]), "caption": None} for img in node.css(".field--name-field-image img")]
    images += [{"url": urljoin(item["url"], f.css("img::attr(src)").get()), "caption": f.css("figcaption::text").get()}
               for f in body.css("figure")]
    assert images == item["images"]
    assert node.css(".field--name-field-tags a::text").getall() == item["tags"]
    assert sel.css('link[rel="canonical"]::attr(href)').get() == item["url"]
