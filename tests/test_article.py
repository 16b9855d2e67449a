"""The one article path (northnews/article): a page's verdict and fields, an article's pages in order,
its item, canonical aliases, the robots.txt policy; and that the package stays pure (no Scrapy)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from northnews.article import Assembly, read_page, robots
from northnews.article.aliases import REDIRECT_LOOP, canonical_alias, canonical_url
from northnews.encoding import decode
from northnews.pagecheck import Verdict
from northnews.sites import load_site
from tests.conftest import REPO

PORTAL = REPO / "tests" / "fixtures" / "portal"
EXPECTED = {json.loads(line)["url"]: json.loads(line)
            for line in (REPO / "tests/fixtures/expected/portal.jsonl").read_text("utf-8").splitlines() if line.strip()}
NN = load_site("northnews")
MILLBROOK = load_site("millbrook")


def page(url: str):
    raw = (PORTAL / url.split("://", 1)[1]).read_bytes()
    text, _ = decode(raw, "text/html")
    return read_page(url, raw, "text/html", text, NN)


def test_a_page_that_is_no_article_page_gets_its_verdict_and_is_not_parsed() -> None:
    assert read_page("http://x/1.shtml", b"  \n", "text/html", "  \n", NN).verdict.reason == "empty"
    png = read_page("http://x/1.shtml", b"\x89PNG\r\n\x1a\n....", "text/html", "....", NN)
    assert png.verdict.reason == "not_html" and png.page is None and png.root is None
    assert read_page("http://x/1.shtml", b"<p>x</p>", "image/jpeg", None, NN).verdict.reason == "not_html"
    notice = "<html><head><title>页面不存在</title></head><body><h1>404 页面不存在</h1></body></html>"
    assert read_page("http://x/1.shtml", notice.encode(), "text/html", notice, NN).verdict.reason == "soft_404"


def test_a_tree_the_caller_keeps_is_used_not_parsed_again() -> None:
    from northnews.pages import parse_html

    html = (PORTAL / "www.northnews.cn/2015/0915/2049381.shtml").read_bytes().decode("utf-8")
    calls = []

    def tree():
        calls.append(1)
        return parse_html(html)

    read = read_page("http://www.northnews.cn/2015/0915/2049381.shtml", html.encode(), "text/html", html, NN, tree=tree)
    assert read.verdict is None and read.page.title and calls == [1]
    read_page("http://x/1.shtml", b"", "text/html", "", NN, tree=tree)
    assert calls == [1]  # an empty page is judged before any parse


def test_a_split_article_is_its_pages_in_pager_order_then_the_expected_item() -> None:
    url = "http://www.northnews.cn/2015/0915/2049381.shtml"
    article = Assembly.start(url, page(url), NN, capture={"fetched_at": "2026-11-28T11:59:00Z"})
    asked = []
    while (nxt := article.next_page()) is not None:
        asked.append(nxt)
        assert article.add(page(nxt)) is None
    assert asked == ["http://www.northnews.cn/2015/0915/2049381_2.shtml", "http://www.northnews.cn/2015/0915/2049381_3.shtml"]
    fields, problems = article.item()
    want = EXPECTED[url]
    assert {k: fields[k] for k in ("title", "published", "body", "source", "section")} == {
        k: want[k] for k in ("title", "published", "body", "source", "section")}
    assert fields["redirected_from"] is None and fields["fetched_at"] == "2026-11-28T11:59:00Z"


def test_a_later_page_that_is_not_a_page_of_it_makes_the_article_incomplete() -> None:
    url = "http://www.northnews.cn/2015/0915/2049381.shtml"
    article = Assembly.start(url, page(url), NN)
    nxt = article.next_page()
    empty = read_page(nxt, b"", "text/html", "", NN)
    verdict = article.add(empty)
    assert verdict == Verdict("incomplete", f"page {nxt}: empty (the server answered with an empty body)")
    assert Assembly.page_failed(nxt, Verdict("http_404", "answered 404"), "Ignoring non-200 response") == Verdict(
        "incomplete", f"page {nxt} failed: http_404: Ignoring non-200 response")
    loop = Verdict(REDIRECT_LOOP, "redirect loop: a → b → a")
    assert Assembly.page_failed(nxt, loop, "x") is loop  # a refused redirect keeps its reason


def wp(canonical: str) -> str:
    return f'<html><head><link rel="canonical" href="{canonical}" /></head><body><p>x</p></body></html>'


@pytest.mark.parametrize(("url", "canonical", "alias"), [
    # the shortlink saved as the post: an alias of the permalink
    ("https://www.millbrookledger.com/?p=101", "https://www.millbrookledger.com/2024/02/12/grants/",
     "https://www.millbrookledger.com/2024/02/12/grants/"),
    # relative canonical
    ("https://www.millbrookledger.com/?p=101", "/2024/02/12/grants/", "https://www.millbrookledger.com/2024/02/12/grants/"),
    # the page itself (another spelling): no alias
    ("https://www.millbrookledger.com/2024/02/12/grants/", "http://www.millbrookledger.com/2024/02/12/grants/", None),
    # the home page, a list page, another site: CMSs print those; ignored
    ("https://www.millbrookledger.com/?p=101", "https://www.millbrookledger.com/", None),
    ("https://www.millbrookledger.com/?p=101", "https://www.millbrookledger.com/category/local/", None),
    ("https://www.millbrookledger.com/?p=101", "https://example.org/2024/02/12/grants/", None),
    # a later page of another article
    ("https://www.millbrookledger.com/?p=101", "https://www.millbrookledger.com/2024/02/12/grants/2/", None),
])
def test_canonical_alias(url: str, canonical: str, alias: str | None) -> None:
    from northnews.pages import parse_html

    assert canonical_alias(parse_html(wp(canonical)), url, MILLBROOK) == alias


def test_no_canonical_link_is_no_alias() -> None:
    from northnews.pages import parse_html

    root = parse_html("<html><head><link rel='shortlink' href='/?p=5'></head><body></body></html>")
    assert canonical_url(root, "https://www.millbrookledger.com/?p=5") is None
    assert canonical_alias(None, "https://www.millbrookledger.com/?p=5", MILLBROOK) is None


def test_robots_policy() -> None:
    assert robots.rules(503, b"User-agent: *\nAllow: /\n") == robots.DISALLOW_ALL
    assert robots.rules(500, b"") == robots.DISALLOW_ALL
    assert robots.rules(200, b"User-agent: *\nDisallow: /search/\n") == b"User-agent: *\nDisallow: /search/\n"
    assert robots.rules(404, b"<html>not found</html>") == b"<html>not found</html>"  # no rules: allow
    assert robots.MAX_REDIRECTS == 5


def _imports(path: Path) -> set[str]:
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING":
            return
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_the_article_package_is_pure_no_scrapy_no_twisted_no_crawl_no_ops() -> None:
    """Below the crawl and the operations: the spider and `extract` both import it, it imports neither
    (nor anything that imports Scrapy's engine at module level)."""
    banned = ("scrapy", "twisted", "northnews.spiders", "northnews.ops", "northnews.archive", "northnews.crawl",
              "northnews.commands", "northnews.view", "northnews.fleet")
    wrong = {}
    for path in sorted((REPO / "northnews" / "article").glob("*.py")):
        bad = sorted(m for m in _imports(path) if m.startswith(banned))
        if bad:
            wrong[path.name] = bad
    assert not wrong


@pytest.mark.slow
def test_pages_parsed_in_worker_processes_give_the_same_items(tmp_path: Path) -> None:
    """NORTHNEWS_PARSE_WORKERS=2: article pages parsed and extracted off the reactor thread (fed the
    page's HTML, returning its fields), the same items and rejects as on it; counted in the stats."""
    from tests.conftest import PORTAL, run_crawl

    on = run_crawl(tmp_path / "on", "-a", f"replay={PORTAL}")
    off = run_crawl(tmp_path / "off", "-a", f"replay={PORTAL}", "-s", "NORTHNEWS_PARSE_WORKERS=2")
    assert on.returncode == 0 and off.returncode == 0, off.stderr[-3000:]

    def comparable(items: list[dict]) -> list[dict]:
        return sorted(({k: v for k, v in i.items() if k != "fetched_at"} for i in items), key=lambda i: i["url"])

    assert on.items and comparable(off.items) == comparable(on.items)
    rejects = [(r["url"], r["reason"]) for r in map(json.loads, (tmp_path / "off" / "rejects.jsonl").read_text().splitlines())]
    assert sorted(rejects) == sorted((r["url"], r["reason"]) for r in map(
        json.loads, (tmp_path / "on" / "rejects.jsonl").read_text().splitlines()))
    assert "northnews/errors/parser" not in off.stderr
