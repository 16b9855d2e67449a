"""Incremental crawling against a local portal: what each run fetches, and what the store keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from northnews.archive.lock import ArchiveLock
from northnews.crawl.extensions.incremental import IncrementalCrawl
from northnews.ops.store import Store
from northnews.spiders.articles import ArticlesSpider
from tests.conftest import PORTAL, run_crawl
from tests.mockserver import MockPortal
from tests.opskit import (
    SECTION_PAGE,
    add_articles,
    article_requests,
    change_article,
    clear_log,
    copy_portal,
    feed,
    first_pages,
    known_urls,
    query,
    stored_urls,
    unresolved_pointers,
    warc_record,
)

# --- the extension, unit by unit ---------------------------------------------------------------


def opened(tmp_path: Path, previous: dict | None = None, **spider_args):
    """Open the extension for a spider as a crawl would; ``previous`` seeds an earlier run."""
    if previous is not None:
        with Store.open(tmp_path) as store:
            store.begin_run("20261101T000000Z")
            if previous["status"] != "running":
                store.end_run("20261101T000000Z", **previous)
    # A feed given, so that the spider leaves the (frozen) settings alone.
    settings = {
        "NORTHNEWS_ARCHIVE_DIR": str(tmp_path),
        "NORTHNEWS_SITE": "northnews",
        "FEEDS": {str(tmp_path / "items.jsonl"): {"format": "jsonlines"}},
    }
    crawler = get_crawler(ArticlesSpider, settings)
    spider = ArticlesSpider.from_crawler(crawler, **spider_args)
    crawler.spider = spider
    ext = IncrementalCrawl.from_crawler(crawler)
    ext.spider_opened(spider)
    return crawler, ext, spider


def test_first_run_walks_every_list_page_and_knows_nothing(tmp_path: Path) -> None:
    crawler, ext, spider = opened(tmp_path)
    try:
        assert ext.stop_at_known_page is False
        assert ext.known("http://www.northnews.cn/2015/0915/2049381.shtml") is False
        assert ext.run.store.get_run(ext.run_id)["status"] == "running"
    finally:
        ext.spider_closed(spider, "shutdown")


def test_after_a_complete_run_pagination_stops_at_known_pages(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        store.record_item({"url": "http://www.northnews.cn/2015/0915/1.shtml", "content_digest": "sha1:x"})
    _, ext, spider = opened(tmp_path, {"status": "finished", "complete": True})
    try:
        assert ext.stop_at_known_page is True
        assert ext.known("https://www.northnews.cn/2015/0915/1.shtml") is True
    finally:
        ext.spider_closed(spider, "finished")


@pytest.mark.parametrize(
    "previous",
    [
        {"status": "running"},  # killed: never closed
        {"status": "shutdown", "complete": False},
        {"status": "finished", "complete": False},  # errors, or max_pages/since/editions
    ],
)
def test_after_an_incomplete_run_every_list_page_is_walked(tmp_path: Path, previous: dict) -> None:
    _, ext, spider = opened(tmp_path, previous)
    try:
        assert ext.stop_at_known_page is False
    finally:
        ext.spider_closed(spider, "finished")


def test_restricted_runs_are_not_complete(tmp_path: Path) -> None:
    crawler, ext, spider = opened(tmp_path, None, max_pages="1", editions="en")
    crawler.stats.set_value("northnews/pages/answered", 5)
    ext.spider_closed(spider, "finished")
    with Store.open(tmp_path) as store:
        run = store.get_run(ext.run_id)
    assert (run["status"], run["complete"]) == ("finished", False)
    assert run["note"] == "restricted by max_pages, editions"


def test_replay_neither_reads_nor_writes_the_store(tmp_path: Path) -> None:
    crawler = get_crawler(ArticlesSpider, {"NORTHNEWS_ARCHIVE_DIR": str(tmp_path), "NORTHNEWS_REPLAY": str(PORTAL)})
    with pytest.raises(NotConfigured):
        IncrementalCrawl.from_crawler(crawler)
    assert not (tmp_path / "northnews.sqlite3").exists()


# --- crawls against the local portal -----------------------------------------------------------


def live(server: MockPortal) -> dict[str, str]:
    return {"http_proxy": server.proxy_url}


def versions(archive: Path) -> list[tuple[str, int, str]]:
    return query(archive, "SELECT url, version, item_json FROM article_versions ORDER BY url, version")


def test_runs_over_a_changing_site(
    tmp_path: Path, expected_items: dict[str, dict], expected_rejects: dict[str, dict]
) -> None:
    root = copy_portal(tmp_path)
    archive = tmp_path / "archive"
    with MockPortal(root) as server:
        # Run 1 archives every article, and none of the rejects: those are pending.
        run1 = run_crawl(archive, env=live(server))
        assert run1.returncode == 0, run1.stderr[-3000:]
        assert stored_urls(archive) == sorted(expected_items)
        assert set(query(archive, "SELECT url, status, attempts FROM article_pending")) == {
            (url, "pending", 1) for url in expected_rejects
        }
        assert len(versions(archive)) == len(expected_items)
        fetched1 = article_requests(server)
        assert first_pages(fetched1) == set(expected_items) | set(expected_rejects)
        assert "Progress (final):" in run1.stderr

        # Run 2, nothing changed: no stored article fetched again, nothing written; the rejects,
        # pending, are fetched once more (a glitch is never a permanent hole), then back off.
        clear_log(server)
        run2 = run_crawl(archive, env=live(server))
        assert run2.returncode == 0, run2.stderr[-3000:]
        assert server.requested_urls(), "run 2 fetched nothing at all"
        assert sorted(article_requests(server)) == sorted(expected_rejects)
        assert {r[0] for r in query(archive, "SELECT attempts FROM article_pending")} == {2}
        assert f"'northnews/pending/scheduled': {len(expected_rejects)}" in run2.stderr
        assert feed(archive) == []
        assert len(versions(archive)) == len(expected_items)
        assert query(archive, "SELECT count(*) FROM article_captures")[0][0] == len(expected_items)
        assert "'northnews/spider/pagination_stopped'" in run2.stderr

        # Three new articles: run 3 fetches exactly those.
        new = add_articles(root, 3)
        clear_log(server)
        run3 = run_crawl(archive, env=live(server))
        assert run3.returncode == 0, run3.stderr[-3000:]
        assert sorted(article_requests(server)) == sorted(new)
        assert sorted(item["url"] for item in feed(archive)) == sorted(new)
        assert stored_urls(archive) == sorted([*expected_items, *new])

        # One article's text changes: a refresh run re-fetches recent articles, and only the
        # changed one gets a new version.
        url, text = change_article(root)
        clear_log(server)
        run4 = run_crawl(archive, "-a", "refresh=1", env=live(server))
        assert run4.returncode == 0, run4.stderr[-3000:]
        assert url in article_requests(server)
        rows = [(v, json.loads(j)) for u, v, j in versions(archive) if u == url]
        assert [v for v, _ in rows] == [1, 2]
        assert text not in rows[0][1]["body"] and text in rows[1][1]["body"]
        assert rows[0][1]["content_digest"] != rows[1][1]["content_digest"]
        assert len(versions(archive)) == len(expected_items) + 3 + 1
        last_run = "(SELECT run_id FROM runs ORDER BY id DESC LIMIT 1)"
        outcomes = dict(query(archive, f"SELECT outcome, count(*) FROM article_captures WHERE run_id = {last_run}"
                                       " GROUP BY outcome"))
        assert outcomes == {"updated": 1, "unchanged": len(expected_items) + 3 - 1}
        # The changed article was captured whole; unchanged ones as revisits of their first capture.
        kinds = {
            url_: warc_record(archive, file, offset)["type"]
            for url_, file, offset in query(
                archive, f"SELECT url, warc_file, warc_offset FROM article_captures WHERE run_id = {last_run}"
            )
        }
        assert kinds.pop(url) == "response"
        assert set(kinds.values()) == {"revisit"}
    assert unresolved_pointers(archive) == []


def test_a_limited_run_does_not_let_the_next_one_stop_early(
    tmp_path: Path, expected_items: dict[str, dict], expected_rejects: dict[str, dict]
) -> None:
    """After -a max_pages=1, list page 1 is all known while page 2 holds articles never fetched:
    the next run must walk past page 1 (and fetch only what is missing)."""
    root = copy_portal(tmp_path)
    deep = add_articles(root, 3, list_page=SECTION_PAGE.with_name("index_2.shtml"))
    archive = tmp_path / "archive"
    with MockPortal(root) as server:
        limited = run_crawl(archive, "-a", "max_pages=1", env=live(server))
        assert limited.returncode == 0, limited.stderr[-3000:]
        assert not set(deep) & set(stored_urls(archive))
        known = known_urls(archive)
        clear_log(server)
        full = run_crawl(archive, env=live(server))
        assert full.returncode == 0, full.stderr[-3000:]
        assert first_pages(article_requests(server)) == {*expected_items, *expected_rejects, *deep} - known
        assert stored_urls(archive) == sorted([*expected_items, *deep])


def test_replay_re_extracts_everything_and_leaves_the_store_alone(tmp_path: Path, expected_items: dict) -> None:
    archive = tmp_path / "archive"
    with MockPortal(PORTAL) as server:
        assert run_crawl(archive, env=live(server)).returncode == 0
    before = query(archive, "SELECT count(*), max(id) FROM article_captures"), query(archive, "SELECT * FROM runs")
    replay = run_crawl(archive, "-a", f"replay={PORTAL}")
    assert replay.returncode == 0, replay.stderr[-3000:]
    assert sorted(item["url"] for item in replay.items) == sorted(expected_items)
    after = query(archive, "SELECT count(*), max(id) FROM article_captures"), query(archive, "SELECT * FROM runs")
    assert after == before


def test_a_crawl_started_by_hand_during_a_run_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    with MockPortal(PORTAL) as server, ArchiveLock(archive).acquire("20261101T000000Z"):
        result = run_crawl(archive, env=live(server))
        assert result.returncode == 3  # the lock code, as northnews-cron's
        assert result.stderr.strip().count("\n") == 0, "one line, no traceback"
        assert "another northnews run holds the lock" in result.stderr
        assert "20261101T000000Z" in result.stderr
        assert server.requested_urls() == []
    assert not (archive / "northnews.sqlite3").exists()


def test_the_lock_holds_without_the_store_too(tmp_path: Path) -> None:
    """WARCs are the archive's as much as the store: a store-less crawl still takes the lock."""
    archive = tmp_path / "archive"
    archive.mkdir()
    with MockPortal(PORTAL) as server, ArchiveLock(archive).acquire("20261101T000000Z"):
        result = run_crawl(archive, "-s", "NORTHNEWS_STORE_ENABLED=False", env=live(server))
        assert result.returncode == 3, result.stderr[-2000:]
        assert server.requested_urls() == []
    assert not (archive / "warc").exists()
    # And a store-less crawl holds it while it runs: the lock is free again afterwards.
    with MockPortal(PORTAL) as server:
        result = run_crawl(archive, "-s", "NORTHNEWS_STORE_ENABLED=False", env=live(server))
    assert result.returncode == 0 and result.items, result.stderr[-2000:]
    assert "NORTHNEWS_STORE_ENABLED is off" in result.stderr  # the extension ran, for the lock alone
    assert not (archive / "northnews.sqlite3").exists()
    ArchiveLock(archive).acquire().release()
