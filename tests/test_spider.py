"""The ``articles`` spider end to end: replay of the bundled mirror, and live mode through a
local server acting as the portal via ``http_proxy``."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from northnews.discovery import Kind, classify, list_section, url_date
from northnews.sites import load_site
from tests.conftest import EXPECTED as EXPECTED_DIR
from tests.conftest import PORTAL, REPO, CrawlResult, page_view, read_jsonl, run_crawl
from tests.mockserver import MockPortal

NN = load_site("northnews")

# What page requisites look like (northnews.crawl.pipelines.requisites fetches them; the spider never does).
REQUISITE_SUFFIXES = (".jpg", ".gif", ".png", ".css", ".js")
# Fields that depend on when/where a capture happened, not on the page.
CAPTURE_FIELDS = {"fetched_at", "warc"}
CHROME = [
    "Related News", "相关新闻", "分享到", "责任编辑", "网站介绍", "Copyright", "蒙ICP备",
    "上一页", "下一页", "Edition:English", "document.write", "NORTHNEWS:A State-level",
]


def replay(tmp_path_factory: pytest.TempPathFactory, mirror: Path) -> CrawlResult:
    result = run_crawl(tmp_path_factory.mktemp(mirror.name), "-a", f"replay={mirror}")
    assert result.returncode == 0, result.stderr[-3000:]
    return result


@pytest.fixture(scope="module")
def replay_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return replay(tmp_path_factory, PORTAL)


def comparable(item: dict) -> dict:
    return {k: v for k, v in page_view(item).items() if k not in CAPTURE_FIELDS | {"content_digest"}}


def test_every_fixture_article_is_one_item_equal_to_its_expected_json(
    replay_crawl: CrawlResult, expected_items: dict[str, dict]
) -> None:
    urls = [item["url"] for item in replay_crawl.items]
    assert len(urls) == len(set(urls)), [u for u, n in Counter(urls).items() if n > 1]
    assert set(urls) == set(expected_items)
    for url, expected in expected_items.items():
        got = page_view(replay_crawl.by_url[url])
        for field, value in expected.items():
            assert got[field] == value, f"{url} {field}"


def test_items_carry_every_contract_field(replay_crawl: CrawlResult) -> None:
    from northnews.items import ArticleItem

    for item in replay_crawl.items:
        assert set(item) == set(ArticleItem.fields), item["url"]
        assert item["fetched_at"].endswith("Z")
        assert item["content_digest"].startswith("sha1:")


def test_no_chrome_and_no_replacement_characters(replay_crawl: CrawlResult) -> None:
    for item in replay_crawl.items:
        for chrome in CHROME:
            assert chrome not in item["body"], (item["url"], chrome)
        assert "\ufffd" not in str(item), item["url"]


def test_only_article_pages_become_items(replay_crawl: CrawlResult) -> None:
    for item in replay_crawl.items:
        assert classify(item["url"], NN) is Kind.ARTICLE
        assert "_2." not in item["url"] and "_3." not in item["url"]


def test_quarantined_pages_leave_a_reject_record(
    replay_crawl: CrawlResult, expected_rejects: dict[str, dict]
) -> None:
    rejects = {r["url"]: r for r in read_jsonl(replay_crawl.archive / "rejects.jsonl")}
    assert expected_rejects, "the fixture set must contain quarantine cases"
    for url, expected in expected_rejects.items():
        assert rejects[url]["reason"] == expected["reason"]
        assert url not in replay_crawl.by_url


def test_summary_is_printed(replay_crawl: CrawlResult) -> None:
    assert "northnews: crawl finished (finished)" in replay_crawl.stdout
    assert f"articles:  {len(replay_crawl.items)} scraped" in replay_crawl.stdout


def test_replay_opens_no_socket_and_resolves_no_name(tmp_path: Path, expected_items: dict) -> None:
    guard_log = tmp_path / "netguard.log"
    result = run_crawl(
        tmp_path / "archive",
        "-a", f"replay={PORTAL}",
        env={"PYTHONPATH": str(REPO / "tests" / "netguard"), "NORTHNEWS_NETGUARD_LOG": str(guard_log)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(result.items) == len(expected_items)
    assert not guard_log.exists(), guard_log.read_text()[:3000]


def test_default_feed_goes_to_the_archive_dir(tmp_path: Path, expected_items: dict) -> None:
    result = run_crawl(tmp_path / "archive", "-a", f"replay={PORTAL}", "-a", "editions=en", feed=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "archive" / "articles.jsonl").exists()
    english = {u for u, item in expected_items.items() if item["edition"] == "en"}
    assert {item["url"] for item in result.items} == english


@pytest.fixture(scope="module")
def proxy_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlResult, list[str]]:
    with MockPortal(PORTAL) as server:
        result = run_crawl(tmp_path_factory.mktemp("live"), env={"http_proxy": server.proxy_url})
        requested = server.requested_urls()
    assert result.returncode == 0, result.stderr[-3000:]
    return result, requested


def test_live_crawl_through_http_proxy_equals_replay(
    proxy_crawl: tuple[CrawlResult, list[str]], replay_crawl: CrawlResult
) -> None:
    live, _ = proxy_crawl
    assert live.items, "the live crawl found nothing"
    assert {u: comparable(i) for u, i in live.by_url.items()} == {
        u: comparable(i) for u, i in replay_crawl.by_url.items()
    }


def test_live_crawl_stays_in_scope(proxy_crawl: tuple[CrawlResult, list[str]]) -> None:
    _, requested = proxy_crawl
    assert requested
    kinds = Counter(classify(url, NN) for url in requested)
    assert kinds[Kind.EXCLUDED] == kinds[Kind.OFFSITE] == 0, kinds
    # Attachment-shaped URLs are fetched only as page requisites (images, CSS, JS), never a PDF.
    attachments = [url for url in requested if classify(url, NN) is Kind.ATTACHMENT]
    assert attachments and all(url.endswith(REQUISITE_SUFFIXES) for url in attachments), attachments
    assert any(url.endswith("/robots.txt") for url in requested)
    assert len(requested) == len(set(requested)), "a page was fetched twice"


def test_max_pages_limits_list_pages_per_section(tmp_path: Path) -> None:
    with MockPortal(PORTAL) as server:
        result = run_crawl(tmp_path, "-a", "max_pages=1", env={"http_proxy": server.proxy_url})
        requested = server.requested_urls()
    assert result.returncode == 0, result.stderr[-3000:]
    lists = Counter(list_section(u) for u in requested if classify(u, NN) is Kind.LIST)
    assert lists and max(lists.values()) == 1, lists


def test_since_skips_older_articles(tmp_path: Path, expected_items: dict[str, dict]) -> None:
    dates = sorted({item["published"][:10] for item in expected_items.values()})
    since = dates[len(dates) // 2]
    result = run_crawl(tmp_path, "-a", f"replay={PORTAL}", "-a", f"since={since}")
    assert result.returncode == 0, result.stderr[-3000:]
    newer = {u for u, item in expected_items.items() if item["published"][:10] >= since}
    got = {item["url"] for item in result.items}
    assert got and got < set(expected_items)
    # The spider filters on the date it sees before fetching: the list entry's, else the URL's.
    def url_newer(url: str) -> bool:
        return url_date(url, NN) is not None and url_date(url, NN).isoformat() >= since

    for item in result.items:
        assert item["published"][:10] >= since or url_newer(item["url"]), item["url"]
    for url in newer - got:
        assert not url_newer(url), f"{url} is newer than {since} but was not crawled"


def test_an_article_linked_over_http_https_and_with_a_query_is_one_item(tmp_path: Path) -> None:
    import shutil

    mirror = tmp_path / "mirror"
    shutil.copytree(PORTAL, mirror)
    home = mirror / "www.northnews.cn" / "index.html"
    raw = home.read_bytes()
    article = b"/2015/0915/2049381.shtml"
    assert article in raw
    extra = (
        b'<a href="https://www.northnews.cn' + article + b'">again</a>'
        b'<a href="' + article + b'?from=rss#comments">and again</a>'
    )
    home.write_bytes(raw.replace(b"</body>", extra + b"</body>", 1))
    result = run_crawl(tmp_path / "archive", "-a", f"replay={mirror}", "-a", "editions=zh")
    assert result.returncode == 0, result.stderr[-3000:]
    urls = [item["url"] for item in result.items]
    assert urls.count("http://www.northnews.cn" + article.decode()) == 1
    assert not any(u.startswith("https://") or "?" in u for u in urls)


def test_sections_are_discovered_not_hard_coded(tmp_path: Path, expected_items: dict[str, dict]) -> None:
    """Move every section to paths the code has never seen: the same articles are found."""
    import shutil

    mirror = tmp_path / "mirror"
    shutil.copytree(PORTAL, mirror)
    # Same depth, so that the pages' relative links (../../2015/…) stay valid.
    moves = {
        b"/news/nmgnews/": b"/region/inner-mongolia/",
        b"/news/guonei/": b"/china/home/",
        b"/finance/": b"/caijing/",
        b"/news/china/": b"/cn/nation/",
    }
    for old, new in moves.items():
        for host in ("www.northnews.cn", "english.northnews.cn"):
            src = mirror / host / old.decode().strip("/")
            if src.is_dir():
                dest = mirror / host / new.decode().strip("/")
                dest.parent.mkdir(parents=True, exist_ok=True)
                src.rename(dest)
    for page in mirror.rglob("*"):
        if page.is_file() and page.suffix in (".html", ".shtml", ".htm"):
            raw = page.read_bytes()
            for old, new in moves.items():
                raw = raw.replace(old, new)
            page.write_bytes(raw)
    assert not (mirror / "www.northnews.cn" / "news" / "nmgnews").exists()
    result = run_crawl(tmp_path / "archive", "-a", f"replay={mirror}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert {item["url"] for item in result.items} == set(expected_items)
    pages_line = next(line for line in result.stdout.splitlines() if "pages:" in line)
    assert "404" not in pages_line, pages_line  # no link into the old paths was left to follow


# A second, independently written mirror (tests/fixtures/make_portal_b.py): other section paths,
# other markup around the same layouts, other noise; written without reading the parsers.
PORTAL_B = PORTAL.parent / "portal_b"


@pytest.fixture(scope="module")
def portal_b_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return replay(tmp_path_factory, PORTAL_B)


def test_independent_mirror_every_article_found_and_exact(portal_b_crawl: CrawlResult) -> None:
    expected = {item["url"]: item for item in read_jsonl(EXPECTED_DIR / "portal_b.jsonl")}
    assert len(expected) >= 50
    urls = [item["url"] for item in portal_b_crawl.items]
    assert len(urls) == len(set(urls))
    assert set(urls) == set(expected)
    for url, want in expected.items():
        got = page_view(portal_b_crawl.by_url[url])
        for field, value in want.items():
            assert got[field] == value, f"{url} {field}"


def test_independent_mirror_rejects(portal_b_crawl: CrawlResult) -> None:
    expected = {r["url"]: r["reason"] for r in read_jsonl(EXPECTED_DIR / "portal_b_rejects.jsonl")}
    got = {r["url"]: r["reason"] for r in read_jsonl(portal_b_crawl.archive / "rejects.jsonl")}
    assert expected and got == expected


def test_an_article_whose_page_fails_is_quarantined_not_lost(tmp_path: Path, expected_items: dict) -> None:
    article = "http://www.northnews.cn/2015/0915/2049381.shtml"  # three pages
    assert article in expected_items

    def page_two_gone(url: str):
        if url.endswith("/2015/0915/2049381_2.shtml"):
            return 404, [("Content-Type", "text/plain")], b"gone\n"
        return None

    with MockPortal(PORTAL, override=page_two_gone) as server:
        result = run_crawl(tmp_path, "-s", "NORTHNEWS_STORE_ENABLED=False", env={"http_proxy": server.proxy_url})
    assert article not in result.by_url
    assert set(result.by_url) == set(expected_items) - {article}
    rejects = {r["url"]: r for r in read_jsonl(tmp_path / "rejects.jsonl")}
    assert rejects[article]["reason"] == "incomplete"
    assert "2049381_2.shtml" in rejects[article]["detail"]
