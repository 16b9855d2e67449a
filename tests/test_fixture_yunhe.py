"""Sanity of the ``yunhe`` fixture (a TRS portal) and of its site profile, not of the crawler.

The mirror and its expected items are written by ``tests/fixtures/sites/yunhe/make_mirror.py``
from the same data. These tests check that the committed files are what the generator writes,
that the generator stays independent of the project, that the set covers what issue 8 asks for,
and that ``northnews/sites/yunhe/site.toml`` points at the places where the expected values
really sit (with parsel, never with northnews's extractor).
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from parsel import Selector

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "sites" / "yunhe"
GENERATOR = FIXTURE / "make_mirror.py"
MIRROR = FIXTURE / "mirror"
EXPECTED = FIXTURE / "expected"
PROFILE_PATH = REPO / "northnews" / "sites" / "yunhe" / "site.toml"
HOST = "www.yunhenews.cn"

KEYS = ["url", "site", "edition", "section", "title", "source", "source_raw", "author", "editor",
        "published", "published_raw", "body", "images", "tags", "template"]


def load(name: str) -> list[dict]:
    with open(EXPECTED / name, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


ITEMS = load("items.jsonl")
REJECTS = load("rejects.jsonl")
PAGES = load("pages.jsonl")
BY_URL = {p["url"]: p for p in PAGES}
PROFILE = tomllib.loads(PROFILE_PATH.read_text(encoding="utf-8"))
LAYOUTS = {layout["name"]: layout for layout in PROFILE["layouts"]}


def collapse(text: str) -> str:
    return " ".join(text.split())


def page_text(page: dict) -> str:
    return (MIRROR / page["path"]).read_bytes().decode("utf-8")


def selector(url: str) -> Selector:
    return Selector(text=page_text(BY_URL[url]))


def text_of(nodes) -> str:
    """Visible text of the nodes, scripts and styles left out, whitespace collapsed."""
    parts = []
    for node in nodes:
        parts += node.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]").getall()
    return collapse("".join(parts))


def not_chrome(nodes):
    chrome = PROFILE["text"]["chrome_classes"]
    test = " or ".join(f"contains(concat(' ', normalize-space(@class), ' '), ' {c} ')" for c in chrome)
    return [n for n in nodes if not n.xpath(f"ancestor-or-self::*[{test}]")]


# ------------------------------------------------------------------------------------------
# The generator
# ------------------------------------------------------------------------------------------


def test_generator_imports_nothing_of_the_project() -> None:
    tree = ast.parse(GENERATOR.read_text(encoding="utf-8"))
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import in the generator"
            modules.append(node.module or "")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            pytest.fail("dynamic import in the generator")
    assert modules, "no imports parsed: the check would pass vacuously"
    roots = {m.split(".")[0] for m in modules}
    assert "northnews" not in roots
    assert not roots & {"make_portal", "make_portal_b", "tests"}
    assert roots <= set(sys.stdlib_module_names) | {"__future__"}, roots


def test_generator_reproduces_every_committed_byte(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(tmp_path)], check=True)

    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    fresh, committed = tree(tmp_path / "mirror"), tree(MIRROR)
    assert sorted(fresh) == sorted(committed)
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale fixture files, re-run make_mirror.py: {stale[:5]}"
    for name in ("items.jsonl", "rejects.jsonl", "pages.jsonl"):
        assert (tmp_path / "expected" / name).read_bytes() == (EXPECTED / name).read_bytes(), name


def test_manifest_lists_exactly_the_mirror() -> None:
    on_disk = sorted(str(p.relative_to(MIRROR)) for p in MIRROR.rglob("*") if p.is_file())
    assert on_disk == sorted(p["path"] for p in PAGES)
    for page in PAGES:
        parts = urlsplit(page["url"])
        assert page["path"] == parts.netloc + parts.path + ("index.html" if parts.path.endswith("/") else "")


# ------------------------------------------------------------------------------------------
# Coverage of the set
# ------------------------------------------------------------------------------------------


def test_counts_and_shape() -> None:
    assert len(ITEMS) >= 30
    assert [i["url"] for i in ITEMS] == sorted({i["url"] for i in ITEMS})
    for item in ITEMS:
        assert list(item) == KEYS
        assert (item["site"], item["edition"]) == ("yunhe", "zh")
    templates = Counter(i["template"] for i in ITEMS)
    assert set(templates) == {"trs-article", "trs-gallery"} and min(templates.values()) >= 5
    assert sorted(r["reason"] for r in REJECTS) == ["missing_body", "missing_date", "missing_title"]
    kinds = Counter(p["kind"] for p in PAGES)
    assert kinds["article"] == len(ITEMS) and kinds["reject"] == len(REJECTS)
    assert kinds["home"] == kinds["robots"] == kinds["search"] == 1 and kinds["attachment"] >= 1
    lists = Counter(p["section"] for p in PAGES if p["kind"] == "list" and "same_as" not in p)
    assert len(lists) >= 4 and sum(1 for n in lists.values() if n >= 2) >= len(lists) - 1
    assert max(lists.values()) >= 3
    # TRS list numbering: index.htm, index_1.htm, index_2.htm ...
    for page in PAGES:
        if page["kind"] == "list" and "same_as" not in page:
            k = page["list_page"] - 1
            assert page["url"].endswith("/index.htm" if k == 0 else f"/index_{k}.htm")


def test_utf8_everywhere_some_pages_undeclared() -> None:
    html_pages = [p for p in PAGES if p["encoding"]]
    for page in html_pages:
        page_text(page)  # strict UTF-8
    undeclared = [p for p in html_pages if p["encoding"] == "utf-8-undeclared"]
    assert sum(p["kind"] == "article" for p in undeclared) >= 2 and any(p["kind"] == "list" for p in undeclared)
    for page in html_pages:
        declared = re.search(r"<meta[^>]+charset=", page_text(page), re.IGNORECASE) is not None
        assert declared == (page["encoding"] == "utf-8"), page["path"]


def test_robots_and_search() -> None:
    robots = (MIRROR / HOST / "robots.txt").read_text(encoding="ascii")
    assert "Disallow: /search/" in robots.splitlines()
    home = selector(f"http://{HOST}/")
    assert "/search/" in home.css(".top-r a::attr(href), form::attr(action)").getall()
    assert len(home.css(".nav a::attr(href)").getall()) >= 5


def all_links() -> dict[str, set[str]]:
    """Every <a href> of every HTML page, resolved, fragment dropped: target -> pages linking it."""
    out: dict[str, set[str]] = {}
    for page in PAGES:
        if not page["encoding"]:
            continue
        for raw in Selector(text=page_text(page)).css("a::attr(href)").getall():
            target = urljoin(page["url"], raw.strip()).split("#", 1)[0]
            out.setdefault(target, set()).add(page["url"])
    return out


def test_every_internal_link_is_in_the_mirror() -> None:
    """Pages a crawler follows (not excluded, not attachments) are all there: a replay 404s nothing."""
    excluded = [re.compile(p) for p in PROFILE["urls"]["excluded"]]
    attachments = tuple("." + ext for ext in PROFILE["urls"]["attachment_ext"])
    missing = []
    for target in all_links():
        parts = urlsplit(target)
        if parts.scheme != "http" or parts.netloc != HOST or any(p.search(parts.path) for p in excluded):
            continue
        if parts.path.lower().endswith(attachments) and target not in BY_URL:
            continue
        if target not in BY_URL:
            missing.append(target)
    assert not missing
    assert any(urlsplit(t).netloc not in (HOST, "img.yunhenews.cn") and urlsplit(t).scheme in ("http", "https")
               for t in all_links()), "no links to other sites"


def test_one_article_is_linked_only_from_another_articles_related_list() -> None:
    links = all_links()
    articles = {p["url"] for p in PAGES if p["kind"] == "article"}
    lonely = [u for u in articles if links.get(u) and all(BY_URL[s]["kind"] == "article" for s in links[u] - {u})]
    assert lonely
    for url in lonely:
        for source in links[url] - {url}:
            related = Selector(text=page_text(BY_URL[source])).css(".related a::attr(href)").getall()
            assert url in {urljoin(source, h) for h in related}


# ------------------------------------------------------------------------------------------
# The profile describes the mirror
# ------------------------------------------------------------------------------------------


def test_profile_url_shapes_match_the_manifest() -> None:
    urls = PROFILE["urls"]
    article, listing = re.compile(urls["article"]), re.compile(urls["list"])
    dates = [re.compile(p) for p in urls["url_dates"]]
    for page in PAGES:
        path = urlsplit(page["url"]).path
        is_article = page["kind"] in ("article", "reject")
        assert bool(article.search(path)) == is_article, path
        if is_article:
            match = article.search(path)
            assert match["id"] and "page" not in match.groupdict()
            (d,) = [m for m in (p.search(page["url"]) for p in dates) if m]
            assert f"t{d['y']}{d['m']}{d['d']}_" in path
        if page["kind"] == "list":
            match = listing.search(path)
            assert match, path
            page_no = int(match["page"]) if match["page"] else urls["list_unsuffixed_page"]
            assert page_no == page["list_page"] - 1
        if page["kind"] == "search":
            assert any(re.search(p, path) for p in urls["excluded"])
        if page["kind"] == "attachment":
            assert path.rsplit(".", 1)[-1] in urls["attachment_ext"]
    assert urls["pager"] == "none"
    assert PROFILE["site"]["name"] == "yunhe" and list(PROFILE["editions"]) == ["zh"]


def test_profile_publishers_give_the_expected_canonical_names() -> None:
    index = {alias: name for name, aliases in PROFILE["publishers"].items() for alias in aliases}
    for item in ITEMS:
        raw = item["source_raw"]
        assert item["source"] == (None if raw is None else index.get(raw, raw)), item["url"]
    printed = {i["source_raw"] for i in ITEMS}
    assert {"新华社", "新华网", "人民网", "运河新闻网", "运河日报", "清源县报"} <= printed
    assert any(i["source_raw"] and i["source_raw"] not in index for i in ITEMS), "no pass-through publisher"
    assert any(i["source_raw"] is None for i in ITEMS)


def layout_of(sel: Selector) -> dict | None:
    for layout in PROFILE["layouts"]:
        if sel.css(layout["title"]) and sel.css(layout["body"]):
            return layout
    return None


@pytest.mark.parametrize("item", ITEMS, ids=[urlsplit(i["url"]).path for i in ITEMS])
def test_expected_values_sit_where_the_profile_points(item: dict) -> None:
    sel = selector(item["url"])
    layout = layout_of(sel)
    assert layout is not None and layout["name"] == item["template"] == BY_URL[item["url"]]["layout"]
    assert collapse(text_of(sel.css(layout["title"]))) == item["title"]
    assert sel.css("title::text").get() == item["title"] + "_运河新闻网"
    byline = text_of(sel.css(layout["byline"]))
    assert item["published_raw"] in byline
    for value in (item["source_raw"], item["author"], item["editor"]):
        if value is not None:
            assert value in byline
    assert item["published"][:10] == re.sub(r"\D+", "-", item["published_raw"])[:10]
    (body,) = sel.css(layout["body"])
    paragraphs = item["body"].split("\n\n")
    body_text = text_of([body])
    pos = 0
    for para in paragraphs:
        found = body_text.find(para, pos)
        assert found >= 0, para
        pos = found + len(para)
    images = not_chrome(body.css("img"))
    assert [urljoin(item["url"], i.attrib["src"]) for i in images] == [i["url"] for i in item["images"]]
    for image in item["images"]:
        assert image["caption"] is None or image["caption"] in body_text
        assert image["caption"] is None or image["caption"] not in paragraphs
    crumbs = text_of(sel.css(layout["crumb"]))
    assert item["section"] in crumbs
    keywords = sel.xpath("//meta[translate(@name, 'K', 'k')='keywords']/@content").get()
    for tag in item["tags"]:
        assert tag in keywords


@pytest.mark.parametrize("reject", REJECTS, ids=[r["reason"] for r in REJECTS])
def test_rejects_lack_what_their_reason_says(reject: dict) -> None:
    sel = selector(reject["url"])
    layout = layout_of(sel)
    assert layout is not None
    if reject["reason"] == "missing_title":
        assert text_of(sel.css(layout["title"])) == ""
        assert sel.css("title::text").get() == "运河新闻网"
    if reject["reason"] == "missing_body":
        assert not sel.css(f"{layout['body']} p::text").re(r"\S")
    if reject["reason"] == "missing_date":
        page = text_of(sel.xpath("/html"))
        assert not re.search(r"\d{4}\s*[-/年]\s*\d{1,2}\s*[-/月]\s*\d{1,2}", page)
        assert not sel.xpath("//meta[@name='PubDate']")
