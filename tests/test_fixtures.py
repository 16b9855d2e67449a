"""Sanity tests of the bundled fixture portal itself (not of the crawler or the parsers).

The portal and its expected items are written by ``tests/fixtures/make_portal.py`` from the same
data; these tests check that the committed files are what the generator writes, that the set
covers what the issues ask for, and that the pages really are what the manifest claims
(encodings, reachability, where the expected text sits in the markup).
"""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PORTAL = FIXTURES / "portal"
EXPECTED = FIXTURES / "expected"

FIELDS = ["url", "edition", "section", "title", "source", "source_raw", "author", "editor",
          "published", "published_raw", "body", "images", "tags", "template"]
LAYOUTS = {"english", "l-cont", "l-tit", "wz-tit", "title-h3", "generic"}
ZH_LAYOUTS = ("l-cont", "l-tit", "wz-tit", "title-h3")
ARTICLE_SHAPE = re.compile(r"/\d{4,6}/\d{2,4}/\d*\.s?html?$")
# Strings that betray mis-decoding: UTF-8 read as cp1252/latin-1, GBK read as UTF-8, the GBK
# rendering of U+FFFD twice (锟斤拷).
MOJIBAKE = ("\ufffd", "Ã", "Â", "â€", "ï¼", "ã€", "锟斤拷", "鈥")
CHROME = ("分享到", "相关新闻", "Related News", "责任编辑", "上一页", "下一页", "Copyright", "蒙ICP备",
          "网站介绍", "document.write", "cpro_id", "text-indent", "您现在的位置", "当前位置", "Edition:English",
          "NORTHNEWS:A State-level", "热点排行", "Most Popular", "Editor:")


def load(name: str) -> list[dict]:
    with open(EXPECTED / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


ITEMS = load("portal.jsonl")
REJECTS = load("rejects.jsonl")
PAGES = load("pages.jsonl")
BY_URL = {i["url"]: i for i in ITEMS}


def mirror_file(url: str) -> Path:
    parts = urlsplit(url)
    path = parts.path + ("index.html" if parts.path.endswith("/") else "")
    if parts.query:
        path += "?" + parts.query
    return PORTAL / parts.netloc / path.lstrip("/")


def decode(page: dict) -> str:
    data = (PORTAL / page["path"]).read_bytes()
    return data.decode("utf-8" if page["encoding"] == "utf-8" else "gb18030")


def visible_text(markup: str) -> str:
    """Tags dropped (without separators), entities resolved, whitespace collapsed."""
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", markup)
    markup = re.sub(r"(?s)<!--.*?-->", " ", markup)
    text = html.unescape(re.sub(r"<[^>]+>", "", markup))
    return " ".join(text.split())


def article_pages(url: str) -> list[dict]:
    pages = [p for p in PAGES if p.get("article") == url]
    return sorted(pages, key=lambda p: p["page"])


# ------------------------------------------------------------------------------------------
# The generator
# ------------------------------------------------------------------------------------------


def test_generator_reproduces_committed_files_byte_for_byte(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(FIXTURES / "make_portal.py"), "--out", str(tmp_path)], check=True)
    fresh = {p.relative_to(tmp_path / "portal"): p.read_bytes() for p in (tmp_path / "portal").rglob("*") if p.is_file()}
    committed = {p.relative_to(PORTAL): p.read_bytes() for p in PORTAL.rglob("*") if p.is_file()}
    assert sorted(fresh) == sorted(committed)
    changed = [str(k) for k in fresh if fresh[k] != committed[k]]
    assert not changed, f"stale fixture files, re-run make_portal.py: {changed[:5]}"
    for name in ("portal.jsonl", "rejects.jsonl", "pages.jsonl"):
        assert (tmp_path / "expected" / name).read_bytes() == (EXPECTED / name).read_bytes(), name


def test_generator_never_imports_the_project() -> None:
    source = (FIXTURES / "make_portal.py").read_text(encoding="utf-8")
    assert not re.search(r"^\s*(from|import)\s+northnews\b", source, re.M)


def test_manifest_lists_exactly_the_mirror() -> None:
    on_disk = sorted(str(p.relative_to(PORTAL)) for p in PORTAL.rglob("*") if p.is_file())
    assert on_disk == sorted(p["path"] for p in PAGES)


# ------------------------------------------------------------------------------------------
# Coverage of the set
# ------------------------------------------------------------------------------------------


def test_counts() -> None:
    assert len(ITEMS) >= 45
    assert len(BY_URL) == len(ITEMS), "duplicate expected url"
    by_template = Counter(i["template"] for i in ITEMS)
    assert by_template["english"] >= 8
    for layout in ZH_LAYOUTS:
        assert by_template[layout] >= 6, layout
    assert by_template["generic"] >= 2
    assert sum(1 for i in ITEMS if i["edition"] == "en") >= 8
    assert {r["reason"] for r in REJECTS} >= {"missing_date", "missing_title", "missing_body"}
    multi = Counter(max(p["page"] for p in article_pages(u)) for u in {p["article"] for p in PAGES if p.get("article")})
    assert multi[2] >= 1 and multi[3] >= 1 and sum(v for k, v in multi.items() if k > 1) >= 3
    lists = Counter(p["section"] for p in PAGES if p["kind"] == "list")
    assert sum(1 for n in lists.values() if n >= 3) >= 2


def test_every_layout_meets_every_encoding() -> None:
    seen = {(p["layout"], p["encoding"]) for p in PAGES if p["kind"] == "article"}
    for layout in LAYOUTS:
        for enc in ("utf-8", "gbk-declared", "gbk-undeclared"):
            assert (layout, enc) in seen, (layout, enc)


def test_multi_page_articles_in_both_editions() -> None:
    multi = {p["article"] for p in PAGES if p.get("page", 1) > 1}
    assert any("english." in u for u in multi) and any("www." in u for u in multi)


def test_hard_cases_present() -> None:
    raws = {i["published_raw"] for i in ITEMS}
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", r) for r in raws)
    assert any(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", r) for r in raws)
    assert any(re.fullmatch(r"\d{4}年\d\d月\d\d日 \d\d:\d\d", r) for r in raws)
    assert any(re.fullmatch(r"\d{4}/\d\d/\d\d \d\d:\d\d", r) for r in raws)
    assert any("T" in r for r in raws)
    assert any(i["source"] is None for i in ITEMS)
    assert any(i["source"] == i["source_raw"] and not i["source_raw"].isascii() for i in ITEMS if i["source"])
    assert any(i["author"] is None and i["template"] in ("l-cont", "wz-tit") for i in ITEMS)
    assert any(i["section"] is None for i in ITEMS)
    assert any(i["tags"] == [] for i in ITEMS)
    assert any(img["caption"] is None for i in ITEMS for img in i["images"])
    # the URL's date disagrees with the printed one somewhere
    assert any(m and m.group(1) + m.group(2) != i["published"][:10].replace("-", "")[:4] + i["published"][5:7] + i["published"][8:10]
               for i in ITEMS for m in [re.search(r"/(\d{4})/(\d{4})/", i["url"])])


# ------------------------------------------------------------------------------------------
# The expected items are well-formed
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("item", ITEMS, ids=[i["url"] for i in ITEMS])
def test_expected_item_shape(item: dict) -> None:
    assert list(item) == FIELDS
    assert item["url"].startswith("http://") and ARTICLE_SHAPE.search(urlsplit(item["url"]).path)
    assert item["edition"] == ("en" if urlsplit(item["url"]).netloc == "english.northnews.cn" else "zh")
    assert item["template"] in LAYOUTS
    assert (item["template"] == "english") == (item["edition"] == "en" and item["template"] != "generic")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00", item["published"])
    assert item["title"] and item["title"] == " ".join(item["title"].split())
    assert "正北方网" not in item["title"]
    assert item["body"] and "\n\n\n" not in item["body"]
    for para in item["body"].split("\n\n"):
        assert para and para == " ".join(para.split())
    for chrome in CHROME:
        assert chrome not in item["body"], chrome
    for img in item["images"]:
        assert set(img) == {"url", "caption"}
        assert urlsplit(img["url"]).scheme in ("http", "https") and urlsplit(img["url"]).netloc
        assert img["caption"] is None or (img["caption"] and img["caption"] not in item["body"])
    assert len(set(item["tags"])) == len(item["tags"]) and all(t and t == t.strip() for t in item["tags"])
    assert (item["source"] is None) == (item["source_raw"] is None)
    for key in ("section", "source_raw", "author", "editor"):
        assert item[key] is None or (item[key] and item[key] == item[key].strip())


def test_no_mojibake_in_expected_values() -> None:
    for item in ITEMS:
        for value in json.dumps(item, ensure_ascii=False), :
            for bad in MOJIBAKE:
                assert bad not in value, (item["url"], bad)


def test_rejects_are_not_expected_items() -> None:
    for rej in REJECTS:
        assert set(rej) == {"url", "reason"}
        assert rej["url"] not in BY_URL
        assert mirror_file(rej["url"]).is_file()


# ------------------------------------------------------------------------------------------
# The pages are what the manifest says
# ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", [p for p in PAGES if p["encoding"]], ids=lambda p: p["path"])
def test_encoding_as_claimed(page: dict) -> None:
    data = (PORTAL / page["path"]).read_bytes()
    head = data[:1024].lower()
    if page["encoding"] == "utf-8":
        data.decode("utf-8")
        assert b'charset="utf-8"' in head or b"charset=utf-8" in head
    else:
        text = data.decode("gb18030")
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        assert "\ufffd" not in text
        if page["encoding"] == "gbk-declared":
            assert b'content="text/html; charset=gb2312"' in head
        else:
            assert b"charset" not in data.lower()


def test_gbk_pages_need_more_than_gb2312() -> None:
    """Some declared-gb2312 and undeclared pages carry characters GB2312 lacks (王喆, 朱镕基, 刘䶮)."""
    for enc in ("gbk-declared", "gbk-undeclared"):
        beyond = 0
        for page in PAGES:
            if page["encoding"] == enc and page["kind"] == "article":
                text = decode(page)
                if any(_not_gb2312(ch) for ch in text):
                    beyond += 1
        assert beyond >= 2, enc
    # 䶮 is a four-byte/extension character: only GB18030 round-trips it
    assert any("䶮" in decode(p) for p in PAGES if p["encoding"] == "gbk-declared" and p["kind"] == "article")


def _not_gb2312(ch: str) -> bool:
    if ch.isascii():
        return False
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return True
    return False


def test_robots_and_mirror_layout() -> None:
    for host in ("www.northnews.cn", "english.northnews.cn"):
        assert (PORTAL / host / "robots.txt").read_bytes() == b"User-agent: *\nDisallow: /search/\n"
        assert (PORTAL / host / "index.html").is_file()
        assert (PORTAL / host / "search" / "index.html").is_file()


@pytest.mark.parametrize("item", ITEMS, ids=[i["url"] for i in ITEMS])
def test_expected_values_are_on_the_page(item: dict) -> None:
    pages = article_pages(item["url"])
    assert pages and pages[0]["path"] == str(mirror_file(item["url"]).relative_to(PORTAL))
    assert [p["page"] for p in pages] == list(range(1, len(pages) + 1))
    texts = [visible_text(decode(p)) for p in pages]
    for para in item["body"].split("\n\n"):
        assert any(para in t for t in texts), para[:40]
    first = texts[0]
    assert item["title"] in first
    assert item["published_raw"] in decode(pages[0])
    for key in ("source_raw", "author"):
        if item[key]:
            assert item[key] in first, key
    if item["editor"]:  # in the meta line, or as a line at the end of the last page's body
        assert any(item["editor"] in t for t in texts)
    for img in item["images"]:
        assert any(urlsplit(img["url"]).path.rsplit("/", 1)[-1] in decode(p) for p in pages)
        if img["caption"]:
            assert any(img["caption"] in t for t in texts)
    raw = decode(pages[0])
    if item["tags"]:
        assert re.search(r'<meta (name="keywords" content|content="[^"]*" name="keywords")', raw)
    if item["section"]:
        assert item["section"] in first


def test_reject_pages_lack_what_they_claim() -> None:
    for rej in REJECTS:
        page = next(p for p in PAGES if p["url"] == rej["url"])
        raw = decode(page)
        if rej["reason"] == "missing_date":
            assert not re.search(r"\d{4}[-/年]\d{1,2}[-/月]\d{1,2}", visible_text(raw))
            assert "datetime" not in raw
        elif rej["reason"] == "missing_title":
            assert re.search(r"<h1>\s*</h1>", raw)
        elif rej["reason"] == "missing_body":
            assert not re.search(r"<div class=\"zhengwen\">\s*(<[^>]+>\s*)*<p>[^<]", raw)


# ------------------------------------------------------------------------------------------
# Reachability: a crawler that follows the rules finds every article, and nothing else is one
# ------------------------------------------------------------------------------------------

HREF = re.compile(r'(?:href|src)="([^"]+)"')


def _crawl() -> set[str]:
    hosts = {"www.northnews.cn", "english.northnews.cn"}
    seen, queue = set(), [f"http://{h}/" for h in sorted(hosts)]
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        page = next((p for p in PAGES if p["url"] == url), None)
        if page is None or not page["encoding"]:
            continue
        for link in HREF.findall(decode(page)):
            absolute = urljoin(url, html.unescape(link)).split("#")[0]
            parts = urlsplit(absolute)
            if parts.scheme not in ("http", "https") or parts.netloc not in hosts:
                continue
            if parts.path.startswith("/search/") or not re.search(r"(/|\.s?html?)$", parts.path):
                continue
            queue.append(absolute.replace("https://", "http://", 1))
    return seen


def test_every_article_and_reject_is_reachable_without_search() -> None:
    seen = _crawl()
    for url in list(BY_URL) + [r["url"] for r in REJECTS]:
        for page in article_pages(url):
            assert page["url"] in seen, page["url"]
    assert not any(urlsplit(u).path.startswith("/search/") for u in seen)


def test_article_shaped_files_are_all_accounted_for() -> None:
    known = set(BY_URL) | {r["url"] for r in REJECTS}
    for page in PAGES:
        if ARTICLE_SHAPE.search(urlsplit(page["url"]).path):
            assert page["url"] in known, page["url"]
            assert page["kind"] in ("article", "reject")


def test_article_links_are_http() -> None:
    """https appears (images, other sites), but every link to an article page is http or relative."""
    for page in PAGES:
        if page["encoding"]:
            for link in HREF.findall(decode(page)):
                if link.startswith("https://") and "northnews.cn" in link:
                    assert not ARTICLE_SHAPE.search(urlsplit(link).path), (page["path"], link)


# ------------------------------------------------------------------------------------------
# Each article page carries its layout's markup, and no other layout's
# ------------------------------------------------------------------------------------------

MARKERS = {
    "english": ("div.l-cont > h1", "div.l-cont div.name", "div.zhengwen"),
    "l-cont": ("div.l-cont > h1", "div.l-cont div.name", "div.zhengwen"),
    "l-tit": ("div.l-tit > h1", "div.l-tit > p", "div.picture-main div.summary"),
    "wz-tit": ("div.wz-tit > h1", "div.auth", "div.zhengwen.content"),
    "title-h3": ("div.title > h3", "div.author > p", "div.txt-content"),
}


@pytest.mark.parametrize("page", [p for p in PAGES if p["kind"] in ("article", "reject")], ids=lambda p: p["path"])
def test_layout_markup(page: dict) -> None:
    from parsel import Selector

    sel = Selector(text=decode(page))
    layout = page["layout"]
    if layout == "generic":
        for selectors in MARKERS.values():
            assert not any(sel.css(s) for s in selectors)
        assert len(sel.css("article h1")) == 1
        return
    for s in MARKERS[layout]:
        assert len(sel.css(s)) == 1, s
    for other, selectors in MARKERS.items():
        if other not in (layout, "english", "l-cont"):
            assert not sel.css(selectors[0]), other
    if layout == "english":
        assert "Edition:English" in page_text(sel)


def page_text(sel) -> str:
    return " ".join(sel.css("body ::text").getall())
