"""The second portal, yunhe (运河新闻网, a TRS/WCM site), held to the same tests as northnews.cn:
replay of its mirror field by field, a live crawl through a local server, WARCs, incremental runs.

Its profile (northnews/sites/yunhe/site.toml) and fixture (tests/fixtures/sites/yunhe/, written by
a generator that does not import northnews) are the only files that describe it.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from northnews.discovery import Kind, classify
from northnews.sites import load_site
from tests.conftest import FIXTURES, CrawlResult, page_view, read_jsonl, run_crawl
from tests.mockserver import MockPortal

pytestmark = pytest.mark.slow

SITE = load_site("yunhe")
ROOT = FIXTURES / "sites" / "yunhe"
MIRROR = ROOT / "mirror"
EXPECTED = {item["url"]: item for item in read_jsonl(ROOT / "expected" / "items.jsonl")}
REJECTS = {r["url"]: r for r in read_jsonl(ROOT / "expected" / "rejects.jsonl")}
#: Fields that depend on the capture, not on the page.
CAPTURE_FIELDS = ("fetched_at", "warc", "content_digest")


def comparable(item: dict) -> dict:
    return {k: v for k, v in item.items() if k not in CAPTURE_FIELDS}


def assert_items_exact(result: CrawlResult) -> None:
    assert result.returncode == 0, result.stderr[-3000:]
    urls = [item["url"] for item in result.items]
    assert len(urls) == len(set(urls)), "an article became two items"
    assert set(urls) == set(EXPECTED)
    for url, want in EXPECTED.items():
        got = page_view(result.by_url[url])
        for field, value in want.items():
            assert got[field] == value, f"{url} {field}"


def rejects_of(archive: Path) -> dict[str, str]:
    return {r["url"]: r["reason"] for r in read_jsonl(archive / "rejects.jsonl")}


@pytest.fixture(scope="module")
def replay_crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(tmp_path_factory.mktemp("yunhe-replay"), "-a", "site=yunhe", "-a", f"replay={MIRROR}")


def test_fixture_is_large_enough() -> None:
    assert len(EXPECTED) >= 30 and len(REJECTS) == 3
    assert {item["template"] for item in EXPECTED.values()} == {"trs-article", "trs-gallery"}


def test_replay_gives_every_expected_item_field_by_field(replay_crawl: CrawlResult) -> None:
    assert_items_exact(replay_crawl)
    assert all(item["site"] == "yunhe" and item["warc"] is None for item in replay_crawl.items)


def test_replay_quarantines_the_rejects(replay_crawl: CrawlResult) -> None:
    assert rejects_of(replay_crawl.archive) == {u: r["reason"] for u, r in REJECTS.items()}


@pytest.fixture(scope="module")
def live_crawl(tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlResult, list[str], MockPortal]:
    archive = tmp_path_factory.mktemp("yunhe-live") / "archive"
    with MockPortal(MIRROR) as server:
        result = run_crawl(archive, "-a", "site=yunhe", env={"http_proxy": server.proxy_url})
        requested = server.requested_urls()
        # The same archive, run again: incremental per site.
        server_log_before = len(requested)
        again = run_crawl(archive, "-a", "site=yunhe", env={"http_proxy": server.proxy_url})
        second = server.requested_urls()[server_log_before:]
    assert again.returncode == 0, again.stderr[-3000:]
    return result, requested, second


def test_live_crawl_through_a_proxy_gives_the_same_items(live_crawl) -> None:
    result, _, _ = live_crawl
    assert_items_exact(result)
    assert all(item["warc"] and item["warc"]["file"].endswith(".warc.gz") for item in result.items)


def test_live_crawl_stays_in_the_profiles_scope(live_crawl) -> None:
    _, requested, _ = live_crawl
    kinds = Counter(classify(url, SITE) for url in requested)
    assert kinds[Kind.EXCLUDED] == kinds[Kind.OFFSITE] == 0, kinds
    assert not any(url.endswith(".pdf") for url in requested)
    assert any(url.endswith("/robots.txt") for url in requested)


def test_a_second_run_fetches_no_stored_article_page(live_crawl) -> None:
    _, _, second = live_crawl
    assert second, "the second run fetched nothing at all"
    articles = [u for u in second if classify(u, SITE) is Kind.ARTICLE]
    # Only the rejects, pending since the first run, are fetched once more (northnews.ops.pending).
    assert sorted(articles) == sorted(REJECTS), articles


def test_the_warcs_pass_warcio_check_and_replay_gives_the_same_items(live_crawl, tmp_path: Path) -> None:
    result, _, _ = live_crawl
    warcs = sorted((result.archive / "warc").glob("*.warc.gz"))
    assert warcs
    check = subprocess.run(
        [str(Path(sys.executable).parent / "warcio"), "check", *map(str, warcs)], capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
    replayed = run_crawl(tmp_path / "replayed", "-a", "site=yunhe", "-a", f"replay={result.archive}")
    assert replayed.returncode == 0, replayed.stderr[-3000:]
    assert {u: comparable(i) for u, i in replayed.by_url.items()} == {
        u: comparable(i) for u, i in result.by_url.items()
    }
    assert {u: i["warc"] for u, i in replayed.by_url.items()} == {u: i["warc"] for u, i in result.by_url.items()}


def test_two_sites_share_one_archive(live_crawl, tmp_path: Path) -> None:
    """northnews.cn crawled into the archive that holds yunhe: each site's state is its own."""
    from tests.conftest import PORTAL
    from tests.opskit import query

    result, _, _ = live_crawl
    archive = result.archive
    with MockPortal(PORTAL) as server:
        nn = run_crawl(archive, env={"http_proxy": server.proxy_url})
    assert nn.returncode == 0, nn.stderr[-3000:]
    assert nn.items and all(item["site"] == "northnews" for item in nn.items)
    sites = dict(query(archive, "SELECT site, count(*) FROM articles GROUP BY site"))
    assert sites == {"yunhe": len(EXPECTED), "northnews": len(nn.items)}
    runs = [r[0] for r in query(archive, "SELECT site FROM runs ORDER BY id")]
    assert runs == ["yunhe", "yunhe", "northnews"]
