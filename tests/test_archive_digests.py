"""The archive's SQLite bookkeeping (northnews.archive.digests): the last full capture of each URL
(what a revisit points at) and the manifest of closed WARC files. The PostgreSQL twin runs the
same statements on a real server in test_store_pg.py and test_fleet.py."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from northnews.archive.digests import DB_NAME, Capture, DigestIndex, open_digest_index, pg_digest_schema

URL = "http://www.northnews.cn/2026/1128/1.shtml"


def capture(file: str, offset: int, digest: str = "sha1:AAAA", url: str = URL) -> Capture:
    return Capture(url, digest, f"<urn:uuid:{file}-{offset}>", "2026-11-28T11:20:00Z", file, offset, 200)


def test_the_last_full_capture_of_a_url_is_what_a_revisit_points_at(tmp_path: Path) -> None:
    index = open_digest_index(tmp_path)
    assert isinstance(index, DigestIndex) and index.path == tmp_path / DB_NAME
    assert index.last(URL) is None
    index.record(capture("a.warc.gz", 0, "sha1:OLD"))
    index.record(capture("b.warc.gz", 512, "sha1:NEW"))
    assert index.last(URL) == capture("b.warc.gz", 512, "sha1:NEW")
    index.close()
    reopened = DigestIndex.for_warc_dir(tmp_path)
    assert reopened.last(URL) == capture("b.warc.gz", 512, "sha1:NEW")
    reopened.close()


def test_captures_are_committed_in_batches_and_at_close(tmp_path: Path) -> None:
    index = DigestIndex(tmp_path / DB_NAME)
    index.MAX_HOLD = 3600.0  # only the batch size closes a batch in this test
    other = sqlite3.connect(tmp_path / DB_NAME)

    def seen() -> int:
        return int(other.execute("SELECT count(*) FROM warc_digests").fetchone()[0])

    for n in range(index.BATCH - 1):
        index.record(capture("a.warc.gz", n, url=f"{URL}?n={n}"))
    assert seen() == 0  # a reader sees none of an open batch
    index.record(capture("a.warc.gz", index.BATCH, url=f"{URL}?n=last"))
    assert seen() == index.BATCH
    index.record(capture("a.warc.gz", index.BATCH + 1, url=f"{URL}?n=after"))
    index.close()
    assert seen() == index.BATCH + 1
    other.close()


def test_captures_lost_to_a_kill_are_forgotten_in_their_file_only(tmp_path: Path) -> None:
    index = DigestIndex(tmp_path / DB_NAME)
    for file in ("a.warc.gz", "b.warc.gz"):
        for offset in (0, 100, 200):
            index.record(capture(file, offset, url=f"{URL}?{file}={offset}"))
    assert index.forget_from("a.warc.gz", 100) == 2
    assert index.last(f"{URL}?a.warc.gz=0") is not None
    assert index.last(f"{URL}?a.warc.gz=100") is None and index.last(f"{URL}?a.warc.gz=200") is None
    assert index.last(f"{URL}?b.warc.gz=200") is not None
    index.close()


def test_the_file_manifest_keeps_size_sha1_and_record_count(tmp_path: Path) -> None:
    index = DigestIndex(tmp_path / DB_NAME)
    assert index.file_entry("a.warc.gz") is None
    index.add_file("a.warc.gz", 1234, "0" * 40, 7, "2026-11-28T11:20:00Z", "closed")
    index.add_file("a.warc.gz", 1300, "1" * 40, 8, "2026-11-28T11:21:00Z", "recovered")  # the later entry wins
    assert index.file_entry("a.warc.gz") == (1300, "1" * 40, 8)
    index.close()


def test_the_postgresql_schema_is_the_same_tables_in_its_dialect() -> None:
    schema = pg_digest_schema()
    assert '"offset" BIGINT' in schema and 'TEXT COLLATE "C"' in schema
    assert "INTEGER" not in schema and "warc_digests" in schema and "warc_files" in schema


def test_the_index_page_cache_is_bounded_below_sqlites_default(tmp_path: Path) -> None:
    """A crawl's memory must not grow with the index: 256 KiB of page cache (SQLite's default,
    2 MB, filled by ~10,000 captures), and every capture still found after it is far exceeded."""
    index = DigestIndex(tmp_path / DB_NAME)
    try:
        assert index._db.execute("PRAGMA cache_size").fetchone()[0] == -256
        for n in range(3000):
            index.record(Capture(f"http://www.northnews.cn/{n * 7919 % 3000}.shtml", f"sha1:{n:032d}",
                                 f"<urn:uuid:{n}>", "2026-12-07T00:00:00Z", "a.warc.gz", n * 1000, 200))
        index.commit()
        assert index._db.execute("SELECT count(*) FROM warc_digests").fetchone()[0] == 3000
        found = index.last("http://www.northnews.cn/1234.shtml")
        assert found is not None and found.offset == (1234 * pow(7919, -1, 3000) % 3000) * 1000  # the n that wrote it
    finally:
        index.close()
