"""Page requisites: what a page loads, the scope rules, and crawls of the fixture portal showing
that every image of every item has its own record in the WARCs, that the template's CSS and JS
are stored once and then revisited, and that replay from WARCs gives the same pointers."""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from scrapy.http import HtmlResponse
from warcio.archiveiterator import ArchiveIterator

from northnews.crawl.pipelines.requisites import REASONS, Scope, css_references, page_requisites
from tests.conftest import PORTAL, CrawlResult, read_jsonl, run_crawl
from tests.mockserver import MockPortal

PAGE = b"""<html><head><base href="http://www.northnews.cn/2015/0915/">
<link href="/css/global.css" rel="stylesheet" type="text/css" />
<link rel="Shortcut Icon" href="/favicon.ico">
<link rel="preload" as="font" href="/fonts/kai.woff2" crossorigin>
<link rel="alternate" href="/rss.xml"><link rel="canonical" href="/2015/0915/1.shtml">
<script src="/js/jquery-1.7.2.min.js"></script><script>var x = 1;</script>
<script src="http://s95.cnzz.com/stat.php?id=1"></script></head>
<body><img src="images/1.jpg#top"><img src="images/1.jpg"><img srcset="/a-1x.jpg 1x, /a-2x.jpg 2x" src="/a.jpg">
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="IMAGE" src="/go.gif"><img alt="no source">
<a href="/big.jpg">a link is not a requisite</a></body></html>"""


def response(body: bytes = PAGE, url: str = "http://www.northnews.cn/2015/0915/1.shtml") -> HtmlResponse:
    return HtmlResponse(url, body=body, headers={"Content-Type": "text/html"})


def test_page_requisites_template_files_then_images_in_order() -> None:
    found = [(r.kind, r.url) for r in page_requisites(response(), images=True)]
    assert found == [
        ("stylesheet", "http://www.northnews.cn/css/global.css"),
        ("icon", "http://www.northnews.cn/favicon.ico"),
        ("font", "http://www.northnews.cn/fonts/kai.woff2"),
        ("script", "http://www.northnews.cn/js/jquery-1.7.2.min.js"),
        ("script", "http://s95.cnzz.com/stat.php?id=1"),
        ("image", "http://www.northnews.cn/2015/0915/images/1.jpg"),  # relative to <base>, once
        ("image", "http://www.northnews.cn/a.jpg"),
        ("image", "http://www.northnews.cn/a-1x.jpg"),
        ("image", "http://www.northnews.cn/a-2x.jpg"),
        ("image", "data:image/gif;base64,R0lGODlhAQABAAAAACw="),
        ("image", "http://www.northnews.cn/go.gif"),
    ]


def test_list_pages_get_their_template_files_only() -> None:
    kinds = {r.kind for r in page_requisites(response(), images=False)}
    assert kinds == {"stylesheet", "icon", "font", "script"}


def test_css_references_one_level() -> None:
    css = """@import "reset.css"; @import url(print.css);
    body { background: url(../images/bg.gif) } .a { background-image: url( "/i/a.png" ) }
    @font-face { font-family: K; src: url('../fonts/k.woff2') format("woff2"), url(../fonts/k.ttf); }
    .b { background: url(../images/bg.gif#x) }"""
    assert css_references(css, "http://www.northnews.cn/css/global.css") == [
        "http://www.northnews.cn/css/reset.css",
        "http://www.northnews.cn/css/print.css",
        "http://www.northnews.cn/images/bg.gif",
        "http://www.northnews.cn/i/a.png",
        "http://www.northnews.cn/fonts/k.woff2",
        "http://www.northnews.cn/fonts/k.ttf",
    ]


def test_scope() -> None:
    scope = Scope(["northnews.cn"], ["img.cdn.example"])
    assert scope.reason("http://upload.northnews.cn/1.jpg") is None
    assert scope.reason("https://northnews.cn/1.jpg") is None
    assert scope.reason("http://a.img.cdn.example/1.jpg") is None
    assert scope.reason("http://s95.cnzz.com/stat.php") == "offsite"
    assert scope.reason("http://evilnorthnews.cn/1.jpg") == "offsite"
    assert scope.reason("data:image/gif;base64,AAAA") == "not_http"
    assert not scope.needs_allow_offsite("http://upload.northnews.cn/1.jpg")
    assert scope.needs_allow_offsite("http://img.cdn.example/1.jpg")


def test_every_reason_is_documented() -> None:
    assert {"disabled", "offsite", "not_http", "too_many", "too_large", "robots", "replay_miss", "failed",
            "no_warc", "http_<status>"} == set(REASONS)


# --- crawls of the fixture portal -------------------------------------------------------------

TEMPLATE = ("/css/global.css", "/js/jquery-1.7.2.min.js")
# The stand-in server speaks plain HTTP only: an https URL through it (the proxy's CONNECT) fails.
HTTPS_IMAGE = "https://upload.northnews.cn/2015/1010/1444479300701.jpg"


def mirror_file(url: str) -> bytes:
    parts = urlsplit(url)
    return (PORTAL / parts.hostname / parts.path.lstrip("/")).read_bytes()


def records(warc_dir: Path, since: set[str] = frozenset()) -> Iterator[tuple[str, dict, bytes]]:
    """(file, headers, payload) of every response/revisit, in files not named in ``since``."""
    for path in sorted(warc_dir.glob("*.warc.gz")):
        if path.name in since:
            continue
        with open(path, "rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type in ("response", "revisit"):
                    headers = dict(rec.rec_headers.headers)
                    headers["type"] = rec.rec_type
                    headers["status"] = rec.http_headers.get_statuscode() if rec.http_headers else None
                    yield path.name, headers, rec.content_stream().read()


def record_at(warc_dir: Path, pointer: dict) -> tuple[dict, bytes]:
    with open(warc_dir / pointer["file"], "rb") as fh:
        fh.seek(pointer["offset"])
        rec = next(iter(ArchiveIterator(fh)))
        headers = dict(rec.rec_headers.headers)
        headers["type"] = rec.rec_type
        return headers, rec.content_stream().read()


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlResult, CrawlResult, set[str], list[str], list[str]]:
    """Two proxy crawls into one archive; the second fetches every article again."""
    archive = tmp_path_factory.mktemp("requisites") / "archive"
    with MockPortal(PORTAL, gzip=True) as server:
        first = run_crawl(archive, env={"http_proxy": server.proxy_url})
        first_requests = server.requested_urls()
        files = {p.name for p in (archive / "warc").glob("*.warc.gz")}
        server.log.clear()
        second = run_crawl(archive, "-s", "NORTHNEWS_INCREMENTAL=False", env={"http_proxy": server.proxy_url})
        second_requests = server.requested_urls()
    assert first.returncode == 0, first.stderr[-3000:]
    assert second.returncode == 0, second.stderr[-3000:]
    return first, second, files, first_requests, second_requests



@pytest.mark.slow
def test_every_image_of_every_item_has_its_record(two_runs, expected_items: dict[str, dict]) -> None:
    first, *_ = two_runs
    warc = first.archive / "warc"
    assert len(first.items) == len(expected_items)
    count = 0
    for item in first.items:
        assert [i["url"] for i in item["images"]] == [i["url"] for i in expected_items[item["url"]]["images"]]
        for image in item["images"]:
            assert set(image) == {"url", "caption", "warc", "warc_missing_reason"}
            if image["url"] == HTTPS_IMAGE:
                assert image["warc"] is None and image["warc_missing_reason"] == "failed"
                continue
            assert image["warc_missing_reason"] is None, image
            headers, payload = record_at(warc, image["warc"])
            assert headers["WARC-Record-ID"] == image["warc"]["record_id"]
            assert headers["WARC-Target-URI"] == image["url"]
            assert headers["type"] == "response"
            assert payload == mirror_file(image["url"])
            count += 1
    assert count >= 25


@pytest.mark.slow
def test_template_files_are_fetched_once_and_stored_once(two_runs) -> None:
    first, _, files, first_requests, _ = two_runs
    fetched = Counter(first_requests)
    assert all(n == 1 for n in fetched.values()), [u for u, n in fetched.items() if n > 1]
    stored = Counter(h["WARC-Target-URI"] for _, h, _ in records(first.archive / "warc")
                     if h["type"] == "response")
    for host in ("www.northnews.cn", "english.northnews.cn"):
        for path in TEMPLATE:
            assert stored[f"http://{host}{path}"] == 1, (host, path)
            assert fetched[f"http://{host}{path}"] == 1
    # What the stylesheet loads (one level deep) is archived too.
    assert stored["http://www.northnews.cn/images/bg_body.gif"] == 1
    assert stored["http://www.northnews.cn/images/nav_bg.gif"] == 1


@pytest.mark.slow
def test_offsite_requisites_are_never_fetched(two_runs) -> None:
    _, _, _, first_requests, second_requests = two_runs
    hosts = {urlsplit(u).hostname for u in first_requests + second_requests}
    assert hosts <= {"www.northnews.cn", "english.northnews.cn", "upload.northnews.cn"}, hosts


@pytest.mark.slow
def test_requisites_are_neither_items_nor_pages(two_runs) -> None:
    first, *_ = two_runs
    assert all(urlsplit(i["url"]).path.endswith((".shtml", ".html", ".htm")) for i in first.items)
    final = [line for line in first.stderr.splitlines() if "Progress (final)" in line]
    assert final and "(20 list, 56 article, 0 other;" in final[0], final
    assert "northnews/requisites/archived" in first.stderr
    assert "errors:    0" in first.stdout


@pytest.mark.slow
def test_second_run_writes_revisits_for_every_unchanged_requisite(two_runs) -> None:
    first, second, files, _, second_requests = two_runs
    requisite = [u for u in second_requests if not u.endswith(("/", ".shtml", ".html", ".htm", "robots.txt"))]
    assert len(requisite) >= 35
    kinds = {h["WARC-Target-URI"]: h["type"] for _, h, _ in records(second.archive / "warc", since=files)}
    for url in requisite:
        assert kinds[url] == "revisit", url
    # The items of the second run point at their images' revisit records.
    for item in second.items:
        for image in item["images"]:
            if image["warc"] is not None:
                assert image["warc"]["file"] not in files
                headers, _ = record_at(second.archive / "warc", image["warc"])
                assert headers["type"] == "revisit"
                assert headers["WARC-Refers-To-Target-URI"] == image["url"]


@pytest.mark.slow
def test_replay_from_warcs_gives_the_same_image_pointers(two_runs, tmp_path: Path) -> None:
    first, *_ = two_runs
    only_first = tmp_path / "first"
    (only_first / "warc").mkdir(parents=True)
    for path in sorted((first.archive / "warc").glob("*.warc.gz"))[:1]:
        shutil.copy(path, only_first / "warc" / path.name)
        shutil.copy(path.with_name(path.name.replace(".warc.gz", ".cdxj")), only_first / "warc")
    replayed = run_crawl(tmp_path / "replay", "-a", f"replay={only_first}")
    assert replayed.returncode == 0, replayed.stderr[-3000:]
    live = {(i["url"], image["url"]): image for i in first.items for image in i["images"]}
    again = {(i["url"], image["url"]): image for i in replayed.items for image in i["images"]}
    assert set(again) == set(live)
    for key, image in again.items():
        assert image["warc"] == live[key]["warc"], key
        # What the live crawl could not archive, replay cannot serve.
        assert image["warc_missing_reason"] == (None if image["warc"] else "replay_miss"), key


# --- settings, limits, failures (replay of the mirror: fast, no server) -------------------------


def replay(tmp_path: Path, *settings: str, portal: Path = PORTAL) -> CrawlResult:
    args = [a for s in settings for a in ("-s", s)]
    result = run_crawl(tmp_path / "archive", "-a", f"replay={portal}", *args)
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def reasons(result: CrawlResult) -> Counter[str | None]:
    return Counter(image["warc_missing_reason"] for item in result.items for image in item["images"])


@pytest.mark.slow
def test_mirror_replay_fetches_requisites_but_has_no_warc_for_them(tmp_path: Path) -> None:
    result = replay(tmp_path)
    assert set(reasons(result)) == {"no_warc"}


@pytest.mark.slow
def test_disabled(tmp_path: Path) -> None:
    result = replay(tmp_path, "NORTHNEWS_REQUISITES_ENABLED=False")
    assert set(reasons(result)) == {"disabled"}
    assert "northnews/requisites/fetched" not in result.stderr


@pytest.mark.slow
def test_limits_per_page_and_size(tmp_path: Path) -> None:
    few = replay(tmp_path / "few", "NORTHNEWS_REQUISITES_MAX_PER_PAGE=1")
    assert reasons(few)["too_many"] > 0
    small = replay(tmp_path / "small", "NORTHNEWS_REQUISITE_MAX_SIZE=2000")
    assert reasons(small)["too_large"] > 0  # the photos are ~3-5 kB


@pytest.mark.slow
def test_robots_and_http_errors_are_counted_not_fatal(tmp_path: Path) -> None:
    portal = tmp_path / "portal"
    shutil.copytree(PORTAL, portal)
    (portal / "www.northnews.cn" / "robots.txt").write_bytes(b"User-agent: *\nDisallow: /search/\nDisallow: /uploads/\n")
    (portal / "upload.northnews.cn" / "2015" / "0927" / "1443353400211.jpg").unlink()  # a 404
    result = replay(tmp_path, portal=portal)
    assert reasons(result)["robots"] >= 3  # www.northnews.cn/uploads/allimg/…
    assert reasons(result)["http_404"] == 1
    assert "errors:    0" in result.stdout
    assert "northnews/requisites/failed" in result.stderr
    rejects = read_jsonl(result.archive / "rejects.jsonl")
    assert all(r["reason"] != "incomplete" for r in rejects)
