"""``northnews-archive migrate-store``: an archive's SQLite store into PostgreSQL on a real server,
every row counted and verified, the SQLite files untouched; then incremental crawls go on there."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from northnews.archive.digests import PgDigestIndex
from northnews.discovery import Kind, classify
from northnews.ops.migrate_store import MigrateError, migrate_store
from northnews.ops.store import Store
from northnews.ops.store_pg import PgStore
from northnews.sites import load_site
from tests.conftest import FIXTURES, PORTAL, REPO
from tests.mockserver import MockPortal
from tests.opskit import run_cron

ARCHIVE_CLI = Path(sys.executable).parent / "northnews-archive"
V1 = FIXTURES / "store_v1" / "northnews.sqlite3"
V2 = FIXTURES / "store_v2" / "northnews.sqlite3"
V1_ARCHIVE = FIXTURES / "archive_v1_full" / "archive"


def sha(path: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(path.parent.glob(path.name + "*"))}


def sqlite_rows(path: Path, table: str) -> list[tuple]:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return db.execute(f"SELECT * FROM {table}").fetchall()
    finally:
        db.close()


@pytest.mark.parametrize("fixture, schema, counts", [
    (V1, 1, {"articles": 12, "article_versions": 13, "article_captures": 13, "article_rejects": 1,
             "article_pending": 1, "runs": 2, "article_aliases": 0}),
    (V2, 2, {"articles": 14, "article_versions": 15, "article_captures": 15, "article_rejects": 3,
             "article_pending": 3, "runs": 3, "article_aliases": 0}),
])
def test_migrate_store_copies_every_row_verified_and_leaves_sqlite_untouched(
        fixture: Path, schema: int, counts: dict, tmp_path: Path, pg_url: str) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    shutil.copy(fixture, archive / "northnews.sqlite3")
    before = sha(archive / "northnews.sqlite3")
    result = migrate_store(archive, pg_url)
    assert sha(archive / "northnews.sqlite3") == before  # not a byte written, though schema < 3
    assert result.schema_from == schema and result.ok
    assert {t.table: t.copied for t in result.tables} == counts
    with PgStore(pg_url) as pg, Store(shutil.copy(fixture, tmp_path / "migrated.sqlite3")) as lite:
        assert pg.table_counts() == counts
        assert pg.counts() == lite.counts()
        assert [(r.item, r.version, r.first_seen, r.last_seen) for r in pg.export_rows(all_versions=True)] == \
               [(r.item, r.version, r.first_seen, r.last_seen) for r in lite.export_rows(all_versions=True)]
        for site in lite.sites():
            assert pg.previous_run(site=site) == {**lite.previous_run(site=site), "id": pg.previous_run(site=site)["id"]}
        for (url,) in lite.db.execute("SELECT url FROM articles"):
            assert pg.is_known(url, site="northnews") == lite.is_known(url, site="northnews")
    # The same archive twice would duplicate its captures: refused, nothing written.
    with pytest.raises(MigrateError, match="already holds"):
        migrate_store(archive, pg_url)
    with PgStore(pg_url) as pg:
        assert pg.table_counts() == counts


def test_migrate_store_command_of_the_first_release_archive(tmp_path: Path, pg_url: str) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(V1_ARCHIVE, archive)
    files = {p.relative_to(archive): p.read_bytes() for p in archive.rglob("*") if p.is_file()}
    out = subprocess.run([str(ARCHIVE_CLI), "-d", str(archive), "migrate-store", "--to", pg_url],
                         cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "rows copied and verified" in out.stderr and "MISMATCH" not in out.stdout
    for table in ("articles", "article_versions", "article_captures", "runs", "warc_digests", "warc_files"):
        assert f"  {table} " in out.stdout
    assert {p.relative_to(archive): p.read_bytes() for p in archive.rglob("*") if p.is_file()} == files
    digests = sqlite_rows(archive / "warc" / "digests.sqlite3", "warc_files")
    index = PgDigestIndex(pg_url)
    assert digests and all(index.file_entry(name) == (size, sha1, records)
                           for name, size, sha1, records, *_ in digests)
    index.close()
    bad = subprocess.run([str(ARCHIVE_CLI), "-d", str(archive), "migrate-store", "--to", "sqlite:///x"],
                         cwd=REPO, capture_output=True, text=True)
    assert bad.returncode == 2 and "expected postgresql://" in bad.stderr


@pytest.mark.slow
def test_the_first_release_archive_migrated_then_crawled_incrementally_fetches_no_stored_article(
        tmp_path: Path, pg_url: str) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(V1_ARCHIVE, archive)
    assert migrate_store(archive, pg_url).ok
    lite = sqlite3.connect(f"file:{archive / 'northnews.sqlite3'}?mode=ro", uri=True)
    stored = {r[0] for r in lite.execute("SELECT url FROM articles")}
    lite.close()
    before = sha(archive / "northnews.sqlite3")["northnews.sqlite3"]
    with MockPortal(PORTAL, gzip=True) as server:
        result = run_cron(archive, "-s", f"NORTHNEWS_STORE_URL={pg_url}", proxy=server.proxy_url)
        requested = server.requested_urls()
    assert result.returncode == 0, result.stdout + result.stderr
    site = load_site("northnews")
    again = [u for u in requested if classify(u, site) is Kind.ARTICLE and u in stored]
    assert again == []  # 0 stored articles fetched again
    assert result.manifest["articles"]["new"] == 0 and result.manifest["store"]["articles"] == len(stored)
    # The crawl wrote to the server only: the file is as it was, and no write waits in a WAL (the
    # empty -wal/-shm this test's own read-only connection left may be tidied away by the crawl's
    # store check, storeguard.reader).
    assert sha(archive / "northnews.sqlite3")["northnews.sqlite3"] == before
    assert not any(p.stat().st_size for p in archive.glob("northnews.sqlite3-wal"))
    with PgStore(pg_url) as pg:
        runs = pg.db.execute("SELECT run_id, status, complete FROM runs ORDER BY id").fetchall()
        assert len(runs) == 3 and runs[-1][1:] == ("finished", 1)
        assert pg.counts()["versions"] == len(stored)
    # Unchanged pages became revisits of the first release's records, found in the migrated index.
    new_files = {r[0] for r in PgDigestIndex(pg_url)._db.execute("SELECT name FROM warc_files")} - \
        {p.name for p in V1_ARCHIVE.joinpath("warc").glob("*.warc.gz")}
    assert new_files and all((archive / "warc" / n).exists() for n in new_files)
    from warcio.archiveiterator import ArchiveIterator

    def records(path: Path) -> list:
        with open(path, "rb") as fh:
            return [(r.rec_type, r.rec_headers.get_header("WARC-Record-ID"), r.rec_headers.get_header("WARC-Refers-To"))
                    for r in ArchiveIterator(fh)]

    old_ids = {rid for p in V1_ARCHIVE.joinpath("warc").glob("*.warc.gz") for _, rid, _ in records(p)}
    refs = [ref for n in new_files for kind, _, ref in records(archive / "warc" / n) if kind == "revisit"]
    assert refs and all(ref in old_ids for ref in refs)
