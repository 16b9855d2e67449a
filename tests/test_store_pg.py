"""The store of record on a real PostgreSQL server: same schema and semantics as the SQLite file,
concurrent writers, kills, and ``migrate-store`` (every row counted and verified, SQLite untouched).

The server is a throw-away cluster started by ``tests/pgserver.py`` (skipped, with the reason,
where none can start). Semantics tests run on both backends with the same assertions.
"""

from __future__ import annotations

import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest

from northnews.archive.digests import Capture, PgDigestIndex, open_digest_index
from northnews.ops.pending import PendingArticles
from northnews.ops.schema import DATA_TABLES
from northnews.ops.store import Store, StoreError, open_store
from northnews.ops.store_pg import PgStore
from tests.conftest import FIXTURES, REPO

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=timezone.utc)
ARCHIVE_CLI = Path(sys.executable).parent / "northnews-archive"
V1 = FIXTURES / "store_v1" / "northnews.sqlite3"
V2 = FIXTURES / "store_v2" / "northnews.sqlite3"
V1_ARCHIVE = FIXTURES / "archive_v1_full" / "archive"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def article(url: str = "http://www.northnews.cn/2015/0915/2049381.shtml", body: str = "text", **extra) -> dict:
    item = {"url": url, "site": "northnews", "edition": "zh", "title": "标题", "published": "2015-09-15T15:21:00+08:00",
            "body": body, "content_digest": "sha1:" + hashlib.sha1(body.encode()).hexdigest(),
            "fetched_at": "2026-11-01T08:00:00Z",
            "warc": {"file": "northnews-x.warc.gz", "offset": 1234, "record_id": "<urn:uuid:1>"}}
    item.update(extra)
    return item


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request, tmp_path: Path):
    """(store, clock) on each backend; the PostgreSQL one on a fresh database of the real server."""
    clock = Clock()
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    store = open_store(tmp_path, url, clock=clock)
    yield store, clock
    store.close()


def columns_sqlite(path: Path) -> dict[str, list[str]]:
    db = sqlite3.connect(path)
    try:
        return {t: [r[1] for r in db.execute(f"PRAGMA table_info({t})")] for t in ("store_meta", *DATA_TABLES)}
    finally:
        db.close()


def columns_pg(url: str) -> dict[str, list[str]]:
    with psycopg.connect(url) as conn:
        return {t: [r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position", (t,))]
            for t in ("store_meta", *DATA_TABLES)}


def test_the_same_tables_and_columns_on_both_backends(tmp_path: Path, pg_url: str) -> None:
    Store.open(tmp_path).close()
    PgStore(pg_url).close()
    assert columns_pg(pg_url) == columns_sqlite(tmp_path / "northnews.sqlite3")


def test_new_unchanged_updated_keep_every_version(backend) -> None:
    store, clock = backend
    url = "http://www.northnews.cn/2015/0915/2049381.shtml"
    assert store.record_item(article(body="one"), run_id="r1").outcome == "new"
    clock.now += timedelta(hours=1)
    assert store.record_item(article(body="one"), run_id="r2").outcome == "unchanged"
    clock.now += timedelta(hours=1)
    rec = store.record_item(article(body="two", warc={"file": "f2", "offset": 9, "record_id": "<r2>"}), run_id="r3")
    assert (rec.outcome, rec.version) == ("updated", 2)
    clock.now += timedelta(hours=1)
    assert store.record_item(article(url=url.replace("http:", "https:"), body="one"), run_id="r4").version == 3
    versions = store.versions(url)
    assert [v["version"] for v in versions] == [1, 2, 3]
    assert [json.loads(v["item_json"])["body"] for v in versions] == ["one", "two", "one"]
    assert (versions[1]["warc_file"], versions[1]["warc_offset"], versions[1]["warc_record_id"]) == ("f2", 9, "<r2>")
    assert store.counts() == {"articles": 1, "versions": 3, "captures": 4, "pending": 0, "failed": 0}
    exported = list(store.export_rows(all_versions=True))
    assert [(r.version, r.item["body"]) for r in exported] == [(1, "one"), (2, "two"), (3, "one")]
    assert exported[0].first_seen == "2026-11-01T08:00:00.000000Z" and exported[0].last_seen == "2026-11-01T09:00:00.000000Z"


def test_known_refresh_pending_and_sites(backend) -> None:
    store, clock = backend
    old, new = "http://www.northnews.cn/2015/0901/1.shtml", "http://www.northnews.cn/2015/0902/2.shtml"
    store.record_item(article(url=old))
    clock.now += timedelta(days=3)
    store.record_item(article(url=new, body="b"))
    clock.now += timedelta(hours=1)
    known = store.is_known_fn(refresh_days=2, site="northnews")
    assert known(old) and not known(new)
    assert store.is_known("https://www.northnews.cn:443/2015/0901/1.shtml", site="northnews")
    assert not store.is_known(old, site="yunhe")
    pending = "http://www.northnews.cn/2015/0930/3.shtml"
    PendingArticles(store).record(pending, "missing_date", "DropItem: missing_date", site="northnews", run_id="r1")
    assert not store.is_known(pending, site="northnews")
    assert PendingArticles(store).due("northnews") == [pending]
    store.record_item(article(url=pending, body="c"))
    assert PendingArticles(store).counts() == {"pending": 0, "failed": 0}
    assert store.sites() == ["northnews"]


def test_runs_previous_and_stale_per_site(backend) -> None:
    store, _ = backend
    store.begin_run("r1", pid=11, args={"refresh": "2"}, site="a")
    store.end_run("r1", status="finished", complete=True, stats={"northnews/pages/fetched": 3})
    store.begin_run("r2", pid=12, site="a")
    store.begin_run("r3", pid=13, site="b")
    prev = store.previous_run("r2", site="a")
    assert (prev["run_id"], prev["complete"], prev["stats"]) == ("r1", True, {"northnews/pages/fetched": 3})
    assert store.close_stale_runs(site="a") == ["r2"]  # b's run is another worker's, alive
    assert store.get_run("r3")["status"] == "running"
    assert store.close_stale_runs() == ["r3"]


def test_export_orders_undated_articles_first_on_both(backend) -> None:
    store, _ = backend
    store.record_item(article(url="http://www.northnews.cn/b.shtml", body="b"))
    store.record_item(article(url="http://www.northnews.cn/a.shtml", body="a", published=None))
    store.record_item(article(url="http://www.northnews.cn/B.shtml", body="c"))
    assert [r.item["url"] for r in store.export_rows()] == [
        "http://www.northnews.cn/a.shtml", "http://www.northnews.cn/B.shtml", "http://www.northnews.cn/b.shtml"]


def test_versions_are_insert_only_on_postgresql(pg_url: str) -> None:
    with PgStore(pg_url) as store:
        store.record_item(article())
    with psycopg.connect(pg_url, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.RaiseException, match="never overwritten"):
            conn.execute("UPDATE article_versions SET title = 'x'")
        with pytest.raises(psycopg.errors.RaiseException, match="never deleted"):
            conn.execute("DELETE FROM article_versions")


def test_a_newer_store_on_the_server_is_refused_untouched(pg_url: str) -> None:
    PgStore(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE store_meta SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema 99 was written by a newer northnews"):
        PgStore(pg_url)


def test_an_unreachable_server_is_one_line() -> None:
    with pytest.raises(StoreError, match="cannot connect"):
        PgStore("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2")


WRITER = textwrap.dedent("""
    import sys
    from northnews.ops.store import open_store
    url, site, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open_store(".", url) as s:
        for i in range(n):
            # both writers store the same shared URLs too: one article, one version, whoever wins
            for u in (f"http://{site}.example/{i}.shtml", f"http://shared.example/{i}.shtml"):
                s.record_item({"url": u, "site": "one", "content_digest": f"sha1:{i}"})
""")


def test_concurrent_writers_store_every_article_once(pg_url: str, tmp_path: Path) -> None:
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, pg_url, name, "60"], cwd=REPO) for name in ("a", "b")]
    assert [p.wait(timeout=300) for p in procs] == [0, 0]
    with PgStore(pg_url) as store:
        assert store.counts() == {"articles": 180, "versions": 180, "captures": 240, "pending": 0, "failed": 0}
        outcomes = [r[0] for r in store.db.execute(
            "SELECT outcome FROM article_captures WHERE url LIKE 'http://shared.example/%' ORDER BY id")]
        assert outcomes.count("new") == 60 and outcomes.count("unchanged") == 60


def test_a_kill_loses_nothing_committed(pg_url: str) -> None:
    script = WRITER + "\nimport os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n"
    script = script.replace("with open_store(\".\", url) as s:", "s = open_store('.', url)\nif True:")
    proc = subprocess.run([sys.executable, "-c", script, pg_url, "k", "7"], cwd=REPO)
    assert proc.returncode == -signal.SIGKILL
    with PgStore(pg_url) as store:
        assert store.counts()["articles"] == 14


def test_the_digest_index_is_shared_between_workers(pg_url: str, tmp_path: Path) -> None:
    first = open_digest_index(tmp_path / "w1", pg_url)
    second = open_digest_index(tmp_path / "w2", pg_url)
    assert isinstance(first, PgDigestIndex)
    first.record(Capture("http://a/1", "sha1:X", "<urn:uuid:1>", "2026-11-01T08:00:00Z", "f-w1.warc.gz", 10, 200))
    first.commit()
    assert second.last("http://a/1") == Capture("http://a/1", "sha1:X", "<urn:uuid:1>", "2026-11-01T08:00:00Z",
                                                "f-w1.warc.gz", 10, 200)
    second.add_file("f-w2.warc.gz", 100, "ab", 3, "2026-11-01T08:00:01Z", "closed")
    assert first.file_entry("f-w2.warc.gz") == (100, "ab", 3)
    assert first.forget_from("f-w1.warc.gz", 0) == 1
    assert second.last("http://a/1") is None
    first.close()
    second.close()


def test_qmark_placeholders_outside_literals_only() -> None:
    from northnews.util.pg import qmark

    assert qmark("SELECT ? WHERE a LIKE 'x?%' AND b = \"c?\" AND d % 2 = ?") == \
        "SELECT %s WHERE a LIKE 'x?%%' AND b = \"c?\" AND d %% 2 = %s"


def test_a_store_whose_schema_is_there_runs_no_ddl(pg_url: str) -> None:
    PgStore(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE ROLE reader LOGIN")
        conn.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO reader")
        conn.execute("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO reader")
    as_reader = pg_url.replace("postgres@", "reader@")
    with PgStore(as_reader) as store:  # not the tables' owner: no DDL may run
        assert store.record_item(article()).outcome == "new"
