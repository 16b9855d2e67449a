"""Stores written by earlier releases (schema 1, schema 2) are migrated in place, nothing lost."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from northnews.ops.store import SCHEMA_VERSION, Store, StoreError
from tests.conftest import REPO, SCRAPY

V1 = Path(__file__).parent / "fixtures" / "store_v1" / "northnews.sqlite3"
V2 = Path(__file__).parent / "fixtures" / "store_v2" / "northnews.sqlite3"
TABLES = ("articles", "article_versions", "article_captures", "article_rejects", "runs")


def rows(path: Path, table: str) -> list[tuple]:
    """Every row as the file holds it, without going through the store's code."""
    db = sqlite3.connect(path)
    try:
        names = [r[1] for r in db.execute(f"PRAGMA table_info({table})") if r[1] != "site"]
        return db.execute(f"SELECT {', '.join(names)} FROM {table} ORDER BY rowid").fetchall()
    finally:
        db.close()


@pytest.fixture
def v1_store(tmp_path: Path) -> Path:
    path = tmp_path / "northnews.sqlite3"
    shutil.copy(V1, path)
    return path


def test_first_open_migrates_in_place_and_keeps_every_row(v1_store: Path) -> None:
    before = {t: rows(v1_store, t) for t in TABLES}
    assert [len(before[t]) for t in TABLES] == [12, 13, 13, 1, 2]
    with Store(v1_store) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.counts() == {"articles": 12, "versions": 13, "captures": 13, "pending": 1, "failed": 0}
        assert store.counts("northnews") == store.counts()
        assert store.sites() == ["northnews"]
    after = {t: rows(v1_store, t) for t in TABLES}
    assert after == before  # every value of every row, as the first release wrote it
    db = sqlite3.connect(v1_store)
    assert {r[0] for r in db.execute("SELECT DISTINCT site FROM article_versions")} == {"northnews"}
    assert db.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    # The reject that release counted as known forever is pending now, due at once.
    [(url, reason, status, attempts)] = db.execute("SELECT url, reason, status, attempts FROM article_pending").fetchall()
    assert (status, attempts) == ("pending", 1) and reason.replace("_", "").isalnum()
    assert db.execute("SELECT url FROM article_rejects").fetchone()[0] == url  # kept as written
    db.close()


def test_a_migrated_store_continues_incrementally(v1_store: Path) -> None:
    with Store(v1_store) as store:
        url = before_url = rows(v1_store, "articles")[0][0]
        assert store.is_known(url, site="northnews")
        assert not store.is_known(url, site="yunhe")  # known per site
        versions = store.versions(before_url)
        assert [v["version"] for v in versions] == [1, 2]
        previous = store.previous_run(site="northnews")
        assert previous is not None and previous["run_id"] == "20261129T110000Z" and previous["complete"]
        item = {"url": url, "site": "northnews", "content_digest": versions[-1]["content_digest"]}
        assert store.record_item(item).outcome == "unchanged"
    with Store(v1_store) as store:  # a second open is a no-op
        assert store.counts()["versions"] == 13


def test_export_of_a_migrated_store(v1_store: Path) -> None:
    import subprocess

    archive = v1_store.parent
    out = subprocess.run(
        [SCRAPY, "export", "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}", "--site", "northnews"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    lines = out.stdout.splitlines()
    assert len(lines) == 12 and "12 records" in out.stderr


def test_a_newer_store_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "northnews.sqlite3"
    shutil.copy(V1, path)
    db = sqlite3.connect(path)
    db.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="schema 99 was written by a newer northnews"):
        Store(path)
    assert path.read_bytes() == before


def test_a_newer_store_stops_a_crawl_with_one_line(tmp_path: Path) -> None:
    import subprocess

    path = tmp_path / "northnews.sqlite3"
    shutil.copy(V1, path)
    db = sqlite3.connect(path)
    db.execute("UPDATE store_meta SET value = '4' WHERE key = 'schema_version'")
    db.commit()
    db.close()
    result = subprocess.run(
        [SCRAPY, "crawl", "articles", "-s", f"NORTHNEWS_ARCHIVE_DIR={tmp_path}"],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines()[-1].startswith("scrapy crawl articles: error: ")
    assert "newer northnews" in result.stderr and "Traceback" not in result.stderr


def test_not_a_store_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "northnews.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE other (x)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a northnews store"):
        Store(path)


@pytest.fixture
def v2_store(tmp_path: Path) -> Path:
    path = tmp_path / "northnews.sqlite3"
    shutil.copy(V2, path)
    return path


def test_a_schema_2_store_is_migrated_in_place_and_its_rejects_become_pending(v2_store: Path) -> None:
    from northnews.ops.pending import PendingArticles

    before = {t: rows(v2_store, t) for t in TABLES}
    assert [len(before[t]) for t in TABLES] == [14, 15, 15, 3, 3]
    with Store(v2_store) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.counts() == {"articles": 14, "versions": 15, "captures": 15, "pending": 3, "failed": 0}
        assert store.counts("yunhe")["pending"] == 1 and store.sites() == ["northnews", "yunhe"]
        pending = PendingArticles(store)
        by_url = {row.url: row for row in pending.rows()}
        assert {r.reason for r in by_url.values()} == {"missing_date", "http_404", "missing_body"}
        assert all(r.status == "pending" and r.attempts == 1 for r in by_url.values())
        assert by_url["http://www.northnews.cn/2015/0916/9999998.shtml"].detail == "http_404"
        # Due at once: the next run of each site fetches them again; never "known" any more.
        assert set(pending.due("northnews")) == {"http://www.northnews.cn/2015/0915/9999999.shtml",
                                                 "http://www.northnews.cn/2015/0916/9999998.shtml"}
        for url in by_url:
            assert not store.is_known(url, site=by_url[url].site)
        # Stored articles stay known, with every version.
        first = rows(v2_store, "articles")[0][0]
        assert store.is_known(first, site="northnews") and [v["version"] for v in store.versions(first)] == [1, 2]
        previous = store.previous_run(site="northnews")
        assert previous is not None and previous["run_id"] == "20261201T110000Z" and previous["complete"]
    after = {t: rows(v2_store, t) for t in TABLES}
    assert after == before  # every value of every row of every earlier table, as written
    db = sqlite3.connect(v2_store)
    assert db.execute("SELECT value FROM store_meta WHERE key = 'migrated_from_2'").fetchone()
    db.close()
    with Store(v2_store) as store:  # a second open is a no-op
        assert store.counts()["pending"] == 3
