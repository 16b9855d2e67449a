"""A portal of a CMS family the README does not describe, with a profile written from the README
alone, crawled through a fault-injecting server: every article ends as an item (field for field
as the generator says) or as a logged, counted failure; the WARCs pass ``warcio check`` and ours;
extract gives the spider replay's items; the next run repairs every transient fault.

The portal (:mod:`tests.heldoutportal`, no northnews import) is a Ghost-style blog reachable from
its sitemaps only (robots.txt → sitemap index → sitemaps), dates in the path, one split post.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from northnews import sources
from northnews.ops.archive_cli import main as archive_main
from northnews.pagecheck import list_verdict, unterminated
from northnews.pages import parse_html
from tests import heldoutportal, sectionportal
from tests.conftest import REPO, CrawlResult, read_jsonl, run_crawl
from tests.faultserver import HTML, FaultPortal
from tests.opskit import pending_urls, stored_urls

BIN = Path(sys.executable).parent

#: Written by someone who had only the README's "Site profiles" section and the portal's pages.
PROFILE = """\
[site]
name = "aldercreek"
title = "阿尔德溪时报"
timezone = "Asia/Shanghai"
allowed_domains = ["aldercreek.test"]

[editions.zh]
start_url = "http://www.aldercreek.test/"
language = "zh-CN"

[urls]
# /archives/2024-05-04/story-03/ and its second page /archives/2024-05-04/story-03/2/
article = '^/archives/\\d{4}-\\d{2}-\\d{2}/(?P<id>[a-z0-9-]+)/(?P<paged>(?P<page>\\d+)/)?$'
list = '^/tag/[a-z-]+/$'
url_dates = ['/archives/(?P<y>\\d{4})-(?P<m>\\d{2})-(?P<d>\\d{2})/']
pager = "pages"

[sources]
robots = true          # the Sitemap: line of robots.txt: the only way to the posts

[text]
site_names = ['阿尔德溪时报']
home_crumbs = ["首页"]

[[layouts]]
name = "ghost-post"
title = "h1.post-title"
byline = "time.post-date, .post-author"
date = "time.post-date"
author = ".post-author"
body = ".post-content"
crumb = ".crumbs"
"""

URLS = [post.url for post in heldoutportal.POSTS]
SITEMAP = f"{heldoutportal.BASE}/sitemap-posts.xml"
#: A 3 s timeout, two retries, Retry-After honoured up to 2 s.
SETTINGS = ["-s", "RETRY_TIMES=2", "-s", "DOWNLOAD_TIMEOUT=3", "-s", "NORTHNEWS_RETRY_AFTER_MAX=2"]
#: Article → the pending reason its fault must end in (the fault stays for the whole first run).
FAILS = {URLS[0]: "connection", URLS[3]: "incomplete", URLS[5]: "download_error", URLS[6]: "not_html",
         URLS[7]: "http_500"}


def busy(page: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    return 503, [*HTML, ("Retry-After", "1")], b"<html><body>busy</body></html>"


def faults(server: FaultPortal) -> None:
    server.fault(URLS[0], "reset")  # every time: connection, after the retries
    server.fault(URLS[1], "raw", times=2, arg=busy)  # 503 + Retry-After twice, then the page
    server.fault(URLS[3] + "2/", "status", arg=500)  # the split post's second page
    server.fault(URLS[4], "slow", arg=1.0)  # slow, under the timeout
    server.fault(URLS[5], "raw", arg=lambda page: (200, [*HTML, ("Content-Encoding", "gzip")], page))  # a gzip lie
    server.fault(URLS[6], "raw", arg=lambda page: (200, HTML, gzip.compress(page)))  # gzip undeclared
    server.fault(URLS[7], "status", arg=500)
    # The header says GBK, the page (and its <meta>) UTF-8.
    server.fault(URLS[8], "raw", arg=lambda page: (200, [("Content-Type", "text/html; charset=gbk")], page))
    server.fault(SITEMAP, "raw", times=1, arg=busy)


@dataclass
class Runs:
    archive: Path
    clean: CrawlResult
    first: CrawlResult
    second: CrawlResult
    rejects1: dict[str, dict]
    pending1: set[str]  # the store's pending articles after the first run
    truncated: list[str]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    tmp = tmp_path_factory.mktemp("heldout")
    mirror, _ = heldoutportal.write(tmp / "mirror")
    profile = tmp / "aldercreek" / "site.toml"
    profile.parent.mkdir()
    profile.write_text(PROFILE, encoding="utf-8")
    site = ["-a", f"site={profile}", *SETTINGS]
    with FaultPortal(mirror) as server:
        clean = run_crawl(tmp / "clean", *site, env={"http_proxy": server.proxy_url})
    archive = tmp / "archive"
    with FaultPortal(mirror, truncate_first=[URLS[2]]) as server:  # half the body, then the connection closed
        faults(server)
        first = run_crawl(archive, *site, env={"http_proxy": server.proxy_url}, timeout=600)
        rejects1 = {r["url"]: r for r in read_jsonl(archive / "rejects.jsonl")}
        pending1 = pending_urls(archive)
        truncated = [s.url for s in server.log if not s.complete]
        server.clear_faults()
        second = run_crawl(archive, *site, env={"http_proxy": server.proxy_url}, timeout=600)
    return Runs(archive, clean, first, second, rejects1, pending1, truncated)


def fields(item: dict) -> dict:
    return {k: item[k] for k in ("url", "title", "author", "published", "section", "body")}


@pytest.mark.slow
def test_the_readme_profile_finds_every_post_field_for_field(runs: Runs) -> None:
    assert runs.clean.returncode == 0, runs.clean.stderr[-3000:]
    assert sorted((fields(i) for i in runs.clean.items), key=lambda i: i["url"]) == heldoutportal.expected_items()


@pytest.mark.slow
def test_every_article_is_an_item_or_a_logged_counted_failure(runs: Runs) -> None:
    assert runs.first.returncode == 0, runs.first.stderr[-3000:]
    assert URLS[2] in runs.truncated  # the server did cut it: a retry got it whole
    want = {i["url"]: i for i in heldoutportal.expected_items()}
    items = {i["url"]: i for i in runs.first.items}
    assert set(items) | set(runs.rejects1) == set(URLS) and not set(items) & set(runs.rejects1)
    assert {url: fields(item) for url, item in items.items()} == {url: want[url] for url in items}
    assert {url: r["reason"] for url, r in runs.rejects1.items()} == FAILS
    for url in FAILS:  # each said on the console, and pending in the store for the next run
        assert f"Article {url}: " in runs.first.stderr
    assert runs.pending1 == set(FAILS)
    assert "'northnews/run/complete': False" in runs.first.stderr


@pytest.mark.slow
def test_the_warcs_pass_warcio_check_and_ours(runs: Runs, capsys: pytest.CaptureFixture[str]) -> None:
    warcs = list((runs.archive / "warc").glob("*.warc.gz"))
    assert warcs and not list((runs.archive / "warc").glob("*.open"))
    for path in warcs:
        proc = subprocess.run([str(BIN / "warcio"), "check", "-v", str(path)], capture_output=True, text=True)
        assert proc.returncode == 0 and "digest pass" in proc.stdout, proc.stdout
    assert archive_main(["-d", str(runs.archive), "check"]) == 0, capsys.readouterr().out


@pytest.mark.slow
def test_the_next_run_repairs_every_transient_fault(runs: Runs) -> None:
    assert runs.second.returncode == 0, runs.second.stderr[-3000:]
    assert stored_urls(runs.archive) == sorted(URLS)
    assert pending_urls(runs.archive) == set()
    repaired = {i["url"]: fields(i) for i in runs.second.items}
    want = {i["url"]: i for i in heldoutportal.expected_items()}
    assert set(FAILS) <= set(repaired) and all(repaired[u] == want[u] for u in repaired)


@pytest.mark.slow
def test_extract_of_the_faulted_archive_is_the_spiders_replay(runs: Runs, tmp_path: Path) -> None:
    profile = ["-a", f"site={runs.archive.parent / 'aldercreek' / 'site.toml'}"]
    replay = run_crawl(tmp_path / "replay", *profile, "-a", f"replay={runs.archive}")
    assert replay.returncode == 0, replay.stderr[-3000:]
    out = tmp_path / "items.jsonl"
    proc = subprocess.run([str(BIN / "northnews-archive"), "-d", str(runs.archive), "extract", "--site",
                           str(runs.archive.parent / "aldercreek" / "site.toml"), "-o", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    got = sorted(line for line in out.read_text(encoding="utf-8").splitlines() if line)
    assert got == sorted(line for line in (replay.archive / "items.jsonl").read_text(encoding="utf-8").splitlines() if line)
    assert {json.loads(line)["url"] for line in got} == set(URLS)


# --- a sitemap or a page cut short: said, never silent ----------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("cut", ["sitemap", "gzip sitemap", "page"])
def test_a_body_cut_short_with_a_length_that_agrees_is_said(cut: str, tmp_path: Path) -> None:
    """The server writes a whole answer (its length agrees) of a document cut short: a sitemap that
    stops mid-list is an error of the run (its URLs after the cut are missing); a page that stops
    mid-text is kept, with a warning and a count."""
    mirror, _ = heldoutportal.write(tmp_path / "mirror")
    profile = tmp_path / "aldercreek" / "site.toml"
    profile.parent.mkdir()
    text = PROFILE
    if cut == "gzip sitemap":  # the index names a .xml.gz, cut in its middle
        index = mirror / heldoutportal.HOST / "sitemap.xml"
        index.write_text(index.read_text(encoding="utf-8").replace("sitemap-posts.xml", "sitemap-posts.xml.gz"),
                         encoding="utf-8")
        body = gzip.compress((mirror / heldoutportal.HOST / "sitemap-posts.xml").read_bytes())
        (mirror / heldoutportal.HOST / "sitemap-posts.xml.gz").write_bytes(body[: len(body) * 9 // 10])
    profile.write_text(text, encoding="utf-8")
    with FaultPortal(mirror) as server:
        if cut == "sitemap":
            server.fault(SITEMAP, "body", arg=lambda page: page[: len(page) // 2])
        elif cut == "page":
            server.fault(URLS[9], "body", arg=lambda page: page[: len(page) * 55 // 100])
        result = run_crawl(tmp_path / "archive", "-a", f"site={profile}", *SETTINGS, env={"http_proxy": server.proxy_url})
    assert result.returncode == 0, result.stderr[-3000:]
    if cut == "page":
        assert f"Article {URLS[9]}: unterminated page" in result.stderr
        assert "'northnews/extract/unterminated_page': 1" in result.stderr
        assert "'northnews/run/complete': True" in result.stderr
    else:
        assert "cannot be read whole" in result.stderr
        assert "'northnews/errors/source_damaged': 1" in result.stderr
        assert "'northnews/run/complete': False" in result.stderr


def test_what_makes_a_source_damaged() -> None:
    whole = (b'<?xml version="1.0"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
             + b"".join(b"<url><loc>http://a.test/%d.html</loc></url>\n" % n for n in range(200)) + b"</urlset>\n")
    packed = gzip.compress(whole)
    assert sources.damage(whole, "http://a.test/s.xml", "sitemap") is None
    assert sources.damage(whole + b"<!-- cached 2024-05-01 -->\n", "http://a.test/s.xml", "sitemap") is None
    assert sources.damage(packed, "http://a.test/s.xml.gz", "sitemap") is None
    assert sources.damage(packed + packed, "http://a.test/s.xml.gz", "sitemap") is None  # two members
    assert "</urlset>" in (sources.damage(whole[:-20], "http://a.test/s.xml", "sitemap") or "")
    assert "cut short" in (sources.damage(packed[: len(packed) // 2], "http://a.test/s.xml.gz", "sitemap") or "")
    assert sources.damage(b"", "http://a.test/s.xml", "sitemap") == "it is empty"
    assert sources.damage(b"User-agent: *\n", "http://a.test/robots.txt", "robots") is None
    # What can be read of a cut one still is: the URLs before the cut.
    entries, _ = sources.read_source(packed[: len(packed) // 2], "http://a.test/s.xml.gz", "sitemap")
    assert 0 < len(entries) < 200 and entries[0] == ("http://a.test/0.html", None)
    corrupt = bytearray(packed)
    corrupt[len(packed) // 2 : len(packed) // 2 + 8] = b"\xff" * 8
    assert "corrupt" in (sources.damage(bytes(corrupt), "http://a.test/s.xml.gz", "sitemap") or "")


def test_a_page_that_never_closes() -> None:
    assert not unterminated("<html><body><p>正文</p></BODY></html>")
    assert not unterminated("<p>正文</p></html >\n<!-- 0.012s -->")
    assert unterminated("<html><body><p>正文的前半")


# --- a list page answered 200 that is no list -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("fault", ["maintenance", "soft_404", "empty"])
def test_a_list_page_that_is_a_notice_is_an_error_of_the_run(fault: str, tmp_path: Path) -> None:
    """A list page answered 200 with a maintenance notice, an error page or nothing: the articles
    it lists are not seen this run, which says so (ERROR, ``northnews/errors/list_<reason>``, the
    run not complete, so an incremental run walks again); every other article is stored."""
    mirror, profile, want = sectionportal.write(tmp_path / "portal", "crumb")
    hidden = f"http://{sectionportal.HOST}/list-9-1.html"  # lists article 104 alone
    with FaultPortal(mirror) as server:
        server.fault(hidden, fault)
        result = run_crawl(tmp_path / "archive", "-a", f"site={profile}", env={"http_proxy": server.proxy_url})
    assert result.returncode == 0, result.stderr[-3000:]
    assert set(result.by_url) == set(want) - {f"http://{sectionportal.HOST}/a/104.html"}
    reason = "empty" if fault == "empty" else fault
    assert f"List page {hidden}: {reason} (" in result.stderr
    assert f"'northnews/errors/list_{reason}': 1" in result.stderr
    assert "'northnews/run/complete': False" in result.stderr


def test_what_makes_a_list_page_no_list() -> None:
    def verdict(html: str) -> str | None:
        found = list_verdict(html.encode(), "text/html", True, parse_html(html) if html.strip() else None)
        return found.reason if found else None

    assert verdict("") == "empty"
    assert verdict("<html><head><title>系统维护中</title></head><body><p>请稍后再试</p></body></html>") == "maintenance"
    assert verdict("<html><head><title>404 Not Found</title></head><body></body></html>") == "soft_404"
    # A script-rendered list, and a short one whose footer names who maintains the site: lists.
    assert verdict('<html><head><title>新闻</title></head><body><div id="app">加载中…</div></body></html>') is None
    assert verdict("<html><head><title>本地新闻</title></head><body><ul><li><a href='/a/1.html'>一</a></li></ul>"
                   "<p>网站维护：某某网络公司</p></body></html>") is None
