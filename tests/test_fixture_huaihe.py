"""Sanity of the ``huaihe`` fixture (a PHPCMS v9 English edition on https), not of the crawler.

Written by ``tests/fixtures/sites/huaihe/make_mirror.py``; these tests check it reproduces the
committed files, stays independent of the project, has what issue 15 asks of a PHPCMS portal
(``show-<catid>-<id>-<page>.html`` with page 1 as ``-1``, ``list-<catid>-<page>.html`` in the root,
``index.php?m=content&c=index&a=show&catid=&id=`` links, the byline inside ``<h1>``, http links to
an https site), and that each expected value sits where PHPCMS's show.html prints it.
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
    links,
    missing_links,
)

FX = Fixture("huaihe")
ITEMS = FX.items
REJECTS = FX.expected("rejects.jsonl")
PENDING = FX.expected("pending.jsonl")
PAGES = FX.pages
BY_URL = FX.by_url
HOST = "en.huaihenews.cn"
#: tag lists, search, links, guestbook: PHPCMS modules that are not content
SKIP = [r"^/index\.php\?m=(?!content&c=index&a=(?:show|lists)&)"]


def collapse(text: str) -> str:
    return " ".join(text.split())


def test_generator_imports_nothing_of_the_project() -> None:
    assert_generator_independent(FX)


def test_generator_reproduces_every_committed_byte(tmp_path: Path) -> None:
    assert_generator_reproduces(FX, tmp_path)


def test_manifest_lists_exactly_the_mirror() -> None:
    assert_manifest_is_the_mirror(FX)


def test_counts_and_shape() -> None:
    assert 30 <= len(ITEMS) <= 60
    for item in ITEMS:
        assert list(item) == ITEM_KEYS and (item["site"], item["edition"]) == ("huaihe", "en")
        assert item["url"].startswith("https://")
    assert [r["reason"] for r in REJECTS] == ["missing_body"] and [p["reason"] for p in PENDING] == ["soft_404"]
    assert len({i["section"] for i in ITEMS}) == 5
    assert sum(1 for p in PAGES if p["kind"] == "article_page") >= 4


def test_url_shapes_of_phpcms() -> None:
    show = re.compile(r"^/show-(\d+)-(\d+)-(\d+)\.html$")
    dyn = re.compile(r"^/index\.php\?m=content&c=index&a=show&catid=(\d+)&id=(\d+)(?:&page=(\d+))?$")
    for page in PAGES:
        parts = urlsplit(page["url"])
        whole = parts.path + (f"?{parts.query}" if parts.query else "")
        if page["kind"] in ("article", "article_page", "reject", "soft404"):
            m = show.match(whole) or dyn.match(whole)
            assert m, whole
            number = int(m[3] or 1)
            assert number == page.get("page", 1)
        if page["kind"] == "list":
            assert re.match(r"^/list-\d+-\d+\.html$", whole) or re.match(
                r"^/index\.php\?m=content&c=index&a=lists&catid=\d+(?:&page=\d+)?$", whole), whole
    assert all(re.search(r"/show-\d+-\d+-1\.html$|&id=\d+$", i["url"]) for i in ITEMS), "page 1 is -1, or no &page="
    assert sum("index.php?m=content" in i["url"] for i in ITEMS) >= 4


def test_http_links_to_the_https_site() -> None:
    http = [t for t in links(FX) if t.startswith(f"http://{HOST}/")]
    assert len(http) >= 3
    assert all(t.replace("http://", "https://", 1) in {i["url"] for i in ITEMS} for t in http)


def test_every_followed_link_is_in_the_mirror() -> None:
    assert missing_links(FX, {HOST}, SKIP) == []


def test_the_deleted_id_is_phpcms_message_page() -> None:
    (gone,) = PENDING
    sel = FX.selector(gone["url"])
    assert sel.css(".showMsg .content::text").get() == "信息不存在" and not sel.css(".crumbs")
    assert any(BY_URL[u]["kind"] == "article" for u in links(FX)[gone["url"]])


def test_the_reject_has_no_text() -> None:
    (reject,) = REJECTS
    sel = FX.selector(reject["url"])
    assert sel.css("#Article .content embed") and not re.search(r"\w", "".join(sel.css("#Article .content ::text").getall()))


@pytest.mark.parametrize("item", ITEMS, ids=[urlsplit(i["url"]).path + "?" + urlsplit(i["url"]).query for i in ITEMS])
def test_expected_values_sit_in_the_phpcms_template(item: dict) -> None:
    key = BY_URL[item["url"]]["key"]
    pages = sorted((p for p in PAGES if p.get("key") == key), key=lambda p: p["page"])
    paras, images = [], []
    for page in pages:
        sel = FX.selector(page["url"])
        h1 = sel.css("#Article h1")
        # the title is the h1's own first text; the byline is the <span> inside the same h1
        assert collapse(h1.xpath("text()").get()) == item["title"]
        byline = collapse("".join(h1.css("span:first-of-type ::text").getall()))
        assert byline.startswith(f"{item['published_raw']} Source: {item['source_raw']} Comments:")
        assert sel.css(".crumbs a::text").getall()[-1] == item["section"]
        assert sel.css("title::text").get() == f"{item['title']} - {item['section']} - Huaihe News"
        assert sel.css("meta[name=keywords]::attr(content)").get() == ",".join(item["tags"])
        ps = sel.css("#Article .content > p")
        captions = set()
        for p in ps:
            if p.css("img"):
                nxt = p.xpath("following-sibling::p[1]")
                cap = nxt.xpath("string()").get() if nxt and "center" in (nxt.attrib.get("style") or "") and not nxt.css("img") else None
                captions.add(cap)
                images.append({"url": urljoin(page["url"], p.css("img::attr(src)").get()), "caption": cap})
        paras += [t for t in (collapse(x) for x in ps.xpath("string()").getall()) if t and t not in captions]
    assert "\n\n".join(paras) == item["body"]
    assert images == item["images"]
    assert item["published"] == item["published_raw"].replace(" ", "T") + "+08:00"


def test_the_profiles_url_rules_classify_the_manifest() -> None:
    assert_profile_classifies_the_manifest(FX)
