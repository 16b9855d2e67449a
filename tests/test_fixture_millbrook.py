"""Sanity of the ``millbrook`` fixture (a WordPress news site), not of the crawler.

Written by ``tests/fixtures/sites/millbrook/make_mirror.py``; these tests check it reproduces the
committed files, stays independent of the project, has what issue 15 asks of a WordPress portal
(``/yyyy/mm/dd/slug/`` permalinks and one article also linked as ``?p=``, ``/category/x/page/2/``,
a sitemap index with post sitemaps, an RSS feed, posts found only through the sitemap), and that
each expected value sits where the theme prints it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

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

FX = Fixture("millbrook")
ITEMS = FX.items
REJECTS = FX.expected("rejects.jsonl")
PAGES = FX.pages
BY_URL = FX.by_url
HOST = "www.millbrookledger.com"
BASE = f"https://{HOST}"
#: author and tag archives, WordPress's own endpoints
SKIP = [r"^/author/", r"^/tag/", r"^/wp-"]
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def collapse(text: str) -> str:
    return " ".join(text.split())


def xml(name: str) -> ET.Element:
    return ET.fromstring((FX.mirror / HOST / name).read_bytes())


def test_generator_imports_nothing_of_the_project() -> None:
    assert_generator_independent(FX)


def test_generator_reproduces_every_committed_byte(tmp_path: Path) -> None:
    assert_generator_reproduces(FX, tmp_path)


def test_manifest_lists_exactly_the_mirror() -> None:
    assert_manifest_is_the_mirror(FX)


def test_counts_and_shape() -> None:
    assert 30 <= len(ITEMS) <= 60
    for item in ITEMS:
        assert list(item) == ITEM_KEYS and (item["site"], item["edition"]) == ("millbrook", "en")
        assert re.match(rf"^{BASE}/\d{{4}}/\d{{2}}/\d{{2}}/[a-z0-9-]+/$", item["url"]), item["url"]
    assert [r["reason"] for r in REJECTS] == ["missing_body"]
    assert {i["published"][-6:] for i in ITEMS} == {"-05:00", "-06:00"}, "both sides of the DST change"
    assert sum(1 for p in PAGES if p["kind"] == "article_page" and "?p=" not in p["url"]) >= 4


def test_robots_names_the_sitemap_index_and_it_lists_every_post() -> None:
    robots = (FX.mirror / HOST / "robots.txt").read_text(encoding="ascii")
    assert f"Sitemap: {BASE}/sitemap.xml" in robots.splitlines()
    index = [e.text for e in xml("sitemap.xml").iter(f"{SM}loc")]
    posts = [u for u in index if "post-sitemap" in u]
    assert len(posts) == 2
    listed = [e.text for name in posts for e in xml(urlsplit(name).path.lstrip("/")).iter(f"{SM}loc")]
    assert sorted(listed) == sorted([i["url"] for i in ITEMS]), "every post, once, and no reject-less extra"


def test_the_feed_is_rss_with_the_latest_posts() -> None:
    channel = xml("feed/index.html").find("channel")
    entries = channel.findall("item")
    assert len(entries) == 10
    urls = {i["url"] for i in ITEMS}
    assert all(e.findtext("link") in urls for e in entries)
    assert all(re.match(rf"^{BASE}/\?p=\d+$", e.findtext("guid")) for e in entries)
    home = FX.selector(f"{BASE}/")
    assert home.css("link[type='application/rss+xml']::attr(href)").get() == f"{BASE}/feed/"


def test_some_posts_are_found_only_through_the_sitemap() -> None:
    """Walking <a> links from the home page reaches every post but the two "Briefs", which are in
    no menu, no widget and no other post's related list: only the sitemap lists them."""
    linked = links(FX)
    outgoing: dict[str, set[str]] = {}
    for target, sources in linked.items():
        for source in sources:
            outgoing.setdefault(source, set()).add(target)
    seen, todo = {f"{BASE}/"}, [f"{BASE}/"]
    while todo:
        for target in outgoing.get(todo.pop(), ()):
            if target in BY_URL and target not in seen:
                seen.add(target)
                todo.append(target)
    unreached = sorted(i["url"] for i in ITEMS if i["url"] not in seen)
    assert [BY_URL[u]["key"] for u in unreached] == ["R1", "R2"]
    assert {i["section"] for i in ITEMS if i["url"] in unreached} == {"Briefs"}


def test_one_article_is_also_linked_by_its_shortlink() -> None:
    short = [p for p in PAGES if "?p=" in p["url"]]
    assert len(short) == 1
    (page,) = short
    target = page["same_as"]
    assert (FX.mirror / page["path"]).read_bytes() == (FX.mirror / BY_URL[target]["path"]).read_bytes()
    sel = FX.selector(page["url"])
    assert sel.css("link[rel=canonical]::attr(href)").get() == target
    assert sel.css("link[rel=shortlink]::attr(href)").get() == page["url"]
    assert any(BY_URL[s]["kind"] == "article" for s in links(FX)[page["url"]])


def test_every_followed_link_is_in_the_mirror() -> None:
    assert missing_links(FX, {HOST}, SKIP) == []
    lists = Counter(p["section"] for p in PAGES if p["kind"] == "list")
    assert max(lists.values()) >= 3 and any(p["url"].endswith("/page/2/") for p in PAGES)


@pytest.mark.parametrize("item", ITEMS, ids=[urlsplit(i["url"]).path for i in ITEMS])
def test_expected_values_sit_in_the_theme(item: dict) -> None:
    key = BY_URL[item["url"]]["key"]
    pages = sorted((p for p in PAGES if p.get("key") == key and "?p=" not in p["url"]), key=lambda p: p["page"])
    paras, images = [], []
    for page in pages:
        sel = FX.selector(page["url"])
        assert collapse(sel.css("h1.entry-title::text").get()) == item["title"]
        assert sel.css("time.entry-date.published::attr(datetime)").get() == item["published_raw"] == item["published"]
        assert sel.css(".byline .author a::text").get() == item["author"]
        assert sel.css(".cat-links a[rel~=category]::text").get() == item["section"]
        assert sel.css("meta[name=keywords]::attr(content)").get() == ",".join(item["tags"])
        images += [{"url": u, "caption": None} for u in sel.css(".featured-image img::attr(src)").getall()]
        content = sel.css(".entry-content")
        for fig in content.css("figure"):
            images.append({"url": fig.css("img::attr(src)").get(),
                           "caption": collapse(fig.css("figcaption").xpath("string()").get() or "") or None})
        paras += [collapse(t) for t in content.xpath("./p").xpath("string()").getall()]
    # a shortlink's "(Read our earlier story.)" is part of the paragraph that holds it
    assert "\n\n".join(paras) == item["body"]
    assert images == item["images"]


def test_the_profiles_url_rules_classify_the_manifest() -> None:
    assert_profile_classifies_the_manifest(FX)


def test_the_profiles_url_dates_agree_with_the_items() -> None:
    assert_url_dates_agree(FX)
