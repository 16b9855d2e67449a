"""Sanity of the ``fenshui`` fixture (a DedeCMS 5.7 GBK portal), not of the crawler.

The mirror and its expected items are written by ``tests/fixtures/sites/fenshui/make_mirror.py``
from the same records; these tests check the committed files are what it writes, that it stays
independent of the project, that the set has what issue 15 asks of a DedeCMS portal, and that each
expected value sits where the DedeCMS templates print it (parsel only, never northnews).
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
)

FX = Fixture("fenshui")
ITEMS = FX.items
REJECTS = FX.expected("rejects.jsonl")
PENDING = FX.expected("pending.jsonl")
PAGES = FX.pages
BY_URL = FX.by_url
HOST = "www.fenshuinews.cn"
#: robots.txt's Disallow lines, and DedeCMS's tag cloud (a search page)
SKIP = [r"^/plus/(?!view\.php|list\.php)", r"^/tags\.php"]


def collapse(text: str) -> str:
    return " ".join(text.split())


def text_of(nodes) -> str:
    parts = []
    for node in nodes:
        parts += node.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    return collapse("".join(parts))


def test_generator_imports_nothing_of_the_project() -> None:
    assert_generator_independent(FX)


def test_generator_reproduces_every_committed_byte(tmp_path: Path) -> None:
    assert_generator_reproduces(FX, tmp_path)


def test_manifest_lists_exactly_the_mirror() -> None:
    assert_manifest_is_the_mirror(FX)


def test_counts_and_shape() -> None:
    assert 30 <= len(ITEMS) <= 60
    assert [i["url"] for i in ITEMS] == sorted({i["url"] for i in ITEMS})
    for item in ITEMS:
        assert list(item) == ITEM_KEYS and (item["site"], item["edition"]) == ("fenshui", "zh")
    assert Counter(i["template"] for i in ITEMS) == {"dede-article": 32, "dede-photo": 5}
    assert [r["reason"] for r in REJECTS] == ["missing_body"]
    assert [p["reason"] for p in PENDING] == ["soft_404"]
    kinds = Counter(p["kind"] for p in PAGES)
    assert kinds["article"] == len(ITEMS) and kinds["reject"] == 1 and kinds["soft404"] == 1
    split = [i for i in ITEMS if sum(1 for p in PAGES if p.get("key") and p["url"] != i["url"]
                                      and BY_URL[i["url"]].get("key") == p["key"]) > 0]
    assert len(split) >= 8, "split articles and photo sets"


def test_url_shapes_of_dedecms() -> None:
    static = re.compile(r"^/a/[a-z]+/\d{8}/\d+(?:_\d+)?\.html$")
    dynamic = re.compile(r"^/plus/view\.php\?aid=\d+(?:&pageno=\d+)?$")
    for page in PAGES:
        parts = urlsplit(page["url"])
        whole = parts.path + (f"?{parts.query}" if parts.query else "")
        if page["kind"] in ("article", "article_page", "reject", "soft404"):
            assert static.match(whole) or dynamic.match(whole), whole
        if page["kind"] == "list":
            assert re.match(r"^/a/[a-z]+/(?:list_\d+_\d+\.html)?$", whole) or \
                re.match(r"^/plus/list\.php\?tid=\d+(?:&TotalResult=\d+&PageNo=\d+)?$", whole), whole
    dyn_items = [i for i in ITEMS if "/plus/view.php" in i["url"]]
    assert len(dyn_items) >= 5 and all("pageno" not in i["url"] for i in dyn_items)
    # the dynamic channel's split pieces are &pageno=2 …; its pager (GetPagebreakDM) links page 1 bare
    split = [i for i in dyn_items if i["url"] + "&pageno=2" in BY_URL]
    assert len(split) >= 2
    assert not [t for t in links(FX) if t.endswith("&pageno=1")]
    # list pages: list_<tid>_<n>.html, the channel directory is the first one again
    lists = [p for p in PAGES if p["kind"] == "list" and "same_as" not in p]
    assert Counter(p["section"] for p in lists)["本地新闻"] == 3
    for page in lists:
        if "/a/" in page["url"]:
            assert page["url"].endswith(f"_{page['list_page']}.html")
        else:
            assert page["url"].endswith(f"&PageNo={page['list_page']}")


def test_gbk_everywhere_declared_gb2312() -> None:
    html_pages = [p for p in PAGES if p["encoding"]]
    assert {p["encoding"] for p in html_pages} == {"gbk"}
    gbk_only = 0
    for page in html_pages:
        raw = (FX.mirror / page["path"]).read_bytes()
        text = raw.decode("gbk")  # strict
        assert 'charset=gb2312"' in text
        with pytest.raises(UnicodeDecodeError):
            raw.decode("utf-8")
        try:
            raw.decode("gb2312")
        except UnicodeDecodeError:
            gbk_only += 1
    assert gbk_only >= 1, "no page with a character outside GB2312 (喆): the declared gb2312 must be read as GBK"


def test_every_followed_link_is_in_the_mirror() -> None:
    assert missing_links(FX, {HOST}, SKIP) == []
    robots = (FX.mirror / HOST / "robots.txt").read_text(encoding="ascii").splitlines()
    disallowed = [line.split(": ", 1)[1] for line in robots if line.startswith("Disallow: ")]
    for target in links(FX):
        path = urlsplit(target).path
        if urlsplit(target).hostname == HOST and any(path.startswith(d) for d in disallowed):
            assert re.search(SKIP[0], path), target


def test_the_soft_404_is_a_full_page_answered_at_an_article_url() -> None:
    (gone,) = PENDING
    page = BY_URL[gone["url"]]
    sel = FX.selector(gone["url"])
    assert "404" in sel.css("title::text").get() and "页面不存在" in sel.css(".viewbox h2::text").get()
    assert len(sel.css("#navMenu a")) >= 5 and sel.css(".pright a") and sel.css(".footer")
    linking = links(FX)[gone["url"]]
    assert any(BY_URL[u]["kind"] == "list" for u in linking), "the deleted article is still in its list"
    assert page["kind"] == "soft404"


def test_the_reject_has_no_text_in_its_body() -> None:
    (reject,) = REJECTS
    sel = FX.selector(reject["url"])
    assert sel.css(".title h2::text").get().strip() and sel.css(".content embed")
    assert not re.search(r"\w", text_of(sel.css(".content")))


@pytest.mark.parametrize("item", ITEMS, ids=[urlsplit(i["url"]).path + "?" + urlsplit(i["url"]).query for i in ITEMS])
def test_expected_values_sit_in_the_dedecms_template(item: dict) -> None:
    key = BY_URL[item["url"]]["key"]
    pages = sorted((p for p in PAGES if p.get("key") == key and p["kind"] in ("article", "article_page")
                    and "pageno=1" not in p["url"]), key=lambda p: p["page"])
    assert [p["page"] for p in pages] == list(range(1, len(pages) + 1))
    bodies, images = [], []
    for page in pages:
        sel = FX.selector(page["url"])
        assert collapse(sel.css(".title h2::text").get()) == item["title"]
        assert sel.css("title::text").get() == item["title"] + "_汾水新闻网"
        info = text_of(sel.css(".info"))
        assert f"时间:{item['published_raw']}" in info
        assert f"来源:{item['source_raw'] or ''} 作者:{item['author'] or ''}" in info
        assert item["section"] == collapse(sel.css(".place a::text").getall()[-1])
        if item["template"] == "dede-photo":
            bodies.append([collapse(t) for t in sel.css(".imgtext p").xpath("string()").getall()])
            for img in sel.css(".imgview"):
                images.append({"url": urljoin(page["url"], img.css("img::attr(src)").get()),
                               "caption": img.css(".pic-desc::text").get()})
        else:
            bodies.append([collapse(t) for t in sel.css(".content td > p").xpath("string()").getall()])
            for p in sel.css(".content td > p"):
                if p.css("img"):
                    nxt = p.xpath("following-sibling::p[1]")
                    caption = nxt.xpath("string()").get() if nxt and nxt.attrib.get("style") else None
                    images.append({"url": urljoin(page["url"], p.css("img::attr(src)").get()), "caption": caption})
        keywords = sel.css("meta[name=keywords]::attr(content)").get()
        assert all(t in keywords for t in item["tags"])
    captions = {i["caption"] for i in images}
    if item["template"] == "dede-photo":
        assert all(b == bodies[0] for b in bodies), "the set's text is on every page"
        assert item["body"] == "\n\n".join(bodies[0])
    else:
        assert item["body"] == "\n\n".join(p for b in bodies for p in b if p and p not in captions)
    assert images == item["images"]
    assert item["published"][:16] == item["published_raw"][:16].replace(" ", "T")


def test_the_profiles_url_rules_classify_the_manifest() -> None:
    assert_profile_classifies_the_manifest(FX)


def test_the_profiles_url_dates_agree_with_the_items() -> None:
    assert_url_dates_agree(FX)
