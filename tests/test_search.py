"""Full-text search over the store (northnews.ops.search, ``scrapy search``): what is found, how it
is ranked, kept current by the store, rebuilt for an archive of the first release. The semantics
tests run on both backends, SQLite and a real PostgreSQL server (tests/pgserver.py; skipped with
the reason where none can start), with the same assertions."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from datetime import date
from pathlib import Path

import pytest

from northnews.ops import search
from northnews.ops.store import DB_ERRORS, Store, StoreBase, open_store
from tests.conftest import EXPECTED, FIXTURES, REPO, SCRAPY, read_jsonl

V1 = FIXTURES / "archive_v1_full" / "archive"

# Hand-written articles: the expected hits below are read off these texts, not computed by the index.
ARTICLES = [
    {"url": "http://a.test/1.html", "title": "包头市长会见呼和浩特代表团", "published": "2015-09-01T10:00:00+08:00",
     "body": "内蒙古自治区包头市长昨日会见了来自呼和浩特的代表团。\n\nThe mayor of Baotou met a delegation."},
    {"url": "http://a.test/2.html", "title": "Hohhot opens a 24-hour library", "published": "2015-09-10T10:00:00+08:00",
     "body": "A self-service LIBRARY opened in Hohhot, the capital of Inner Mongolia.\n\n呼和浩特新图书馆开放。"},
    {"url": "http://a.test/3.html", "title": "草原牧民秋季转场", "published": "2015-10-01T10:00:00+08:00",
     "body": "锡林郭勒的牧民开始转场。今年包头的雨水多，草原长势好。"},
    {"url": "http://b.test/4.html", "title": "草原旅游", "published": "2015-10-05T10:00:00+08:00",
     "body": "鄂尔多斯草原旅游人数同比增长。草原草原草原。", "site": "other"},
]


def stored(store: StoreBase, item: dict, **changes: str) -> None:
    item = {"site": "northnews", **item, **changes}
    item["content_digest"] = "sha1:" + str(abs(hash((item["title"], item["body"]))))
    store.record_item(item)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path: Path):
    """The hand-written articles in a store of each backend (PostgreSQL: a fresh database)."""
    url = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    with open_store(tmp_path, url) as s:
        for item in ARTICLES:
            stored(s, item)
        yield s


def urls(hits: list[search.Hit]) -> list[str]:
    return [h.url for h in hits]


def test_segmentation_is_bigrams_of_cjk_runs_and_words_as_they_are() -> None:
    assert search.segment("包头市长Baotou") == " 包头 头市 市长 长 Baotou"
    assert search.segment("内蒙古，2015年") == " 内蒙 蒙古 古 ，2015 年 "
    assert search.fts_query("包头") == '"包头"'
    assert search.fts_query("呼和浩特 mayor") == '"呼和 和浩 浩特" AND "mayor"'
    assert search.fts_query("蒙") == '"蒙"*'
    assert search.fts_query('G6高速 "x') == '"g6 高速" AND "x"'
    with pytest.raises(search.SearchError):
        search.fts_query(" ，。 ")


def test_chinese_words_of_two_or_more_characters_match_as_substrings(store: StoreBase) -> None:
    assert sorted(urls(search.search(store.db, "包头"))) == ["http://a.test/1.html", "http://a.test/3.html"]
    # 市长 and 头市 inside 包头市长: a segmenter might cut either way; bigrams find both.
    assert urls(search.search(store.db, "市长")) == ["http://a.test/1.html"]
    assert urls(search.search(store.db, "头市")) == ["http://a.test/1.html"]
    assert urls(search.search(store.db, "呼和浩特")) == ["http://a.test/1.html", "http://a.test/2.html"]
    assert urls(search.search(store.db, "蒙")) == ["http://a.test/1.html"]  # one character: prefix of a bigram
    assert search.search(store.db, "包子") == []


def test_english_words_match_whole_and_in_any_case(store: StoreBase) -> None:
    assert urls(search.search(store.db, "library")) == ["http://a.test/2.html"]
    assert urls(search.search(store.db, "HOHHOT")) == ["http://a.test/2.html"]
    assert search.search(store.db, "libr") == []
    assert urls(search.search(store.db, "hohhot 图书馆")) == ["http://a.test/2.html"]  # every term must occur


def test_ranked_title_first_with_a_marked_snippet(store: StoreBase) -> None:
    hits = search.search(store.db, "草原")
    # 3 has 草原 in its title and body; 4 too, more often; both beat a body-only hit (none here).
    assert set(urls(hits)) == {"http://a.test/3.html", "http://b.test/4.html"}
    assert hits[0].rank <= hits[1].rank
    hit = search.search(store.db, "包头", site="northnews")[0]
    assert search.MARK_START + "包头" + search.MARK_END in hit.snippet
    assert search.marked(hit.snippet, "[", "]").count("[包头]") >= 1


def test_filters_by_site_and_published_date(store: StoreBase) -> None:
    assert urls(search.search(store.db, "草原", site="other")) == ["http://b.test/4.html"]
    assert urls(search.search(store.db, "草原", until=date(2015, 10, 1))) == ["http://a.test/3.html"]
    assert urls(search.search(store.db, "包头", since=date(2015, 9, 2))) == ["http://a.test/3.html"]


def test_a_new_version_is_searchable_at_once_and_the_old_words_still_find_it(store: StoreBase) -> None:
    stored(store, ARTICLES[2], body="锡林郭勒的牧民开始转场。今年赤峰的雨水多。")
    new = search.search(store.db, "赤峰")
    assert [(h.url, h.version, h.latest_version) for h in new] == [("http://a.test/3.html", 2, 2)]
    old = [h for h in search.search(store.db, "包头") if h.url == "http://a.test/3.html"]
    assert [(h.version, h.latest_version) for h in old] == [(1, 2)]
    assert search.coverage(store.db).current


def test_a_failed_store_write_leaves_no_index_entry(store: StoreBase) -> None:
    before = search.coverage(store.db)
    if search.is_pg(store.db):
        store.db.execute("CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS $$"
                         " BEGIN RAISE EXCEPTION 'disk'; END $$")
        store.db.execute("CREATE TRIGGER boom BEFORE INSERT ON article_captures FOR EACH ROW EXECUTE FUNCTION boom()")
    else:
        store.db.execute("CREATE TRIGGER boom BEFORE INSERT ON article_captures BEGIN SELECT RAISE(ABORT, 'disk'); END")
    with pytest.raises(DB_ERRORS):
        stored(store, {**ARTICLES[0], "url": "http://a.test/9.html", "body": "独一无二的句子"})
    assert search.search(store.db, "独一无二") == []
    assert search.coverage(store.db) == before


def scrapy_search(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRAPY), "search", *args, "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)


def table_rows(path: Path) -> dict[str, list[tuple]]:
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'"
                                           " AND name NOT LIKE 'search%' AND name NOT LIKE 'sqlite%'")]
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in tables}
    finally:
        db.close()


def test_an_archive_of_the_first_release_is_indexed_by_rebuild(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(V1, archive)
    original = table_rows(archive / "northnews.sqlite3")
    # Truth from the fixture's expected items (written by the portal's generator), not the index.
    want = sorted(i["url"] for i in read_jsonl(EXPECTED / "portal.jsonl") if "包头" in i["title"] + (i["body"] or ""))
    assert want

    before = scrapy_search(archive, "包头", "--json")
    assert before.returncode == 0, before.stderr
    assert "the index holds 0 of 46 stored versions: run `scrapy search --rebuild`" in before.stderr

    rebuilt = scrapy_search(archive, "--rebuild")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "indexed 46 versions; the index holds 46 of 46" in rebuilt.stderr

    after = scrapy_search(archive, "包头", "--json", "--limit", "100")
    assert after.returncode == 0 and "warning" not in after.stderr, after.stderr
    found = [json.loads(line) for line in after.stdout.splitlines()]
    assert sorted(h["url"] for h in found) == want
    assert all("包头" in h["snippet"] or "包头" in h["title"] for h in found)
    # The first release's rows are as they were (the migration adds a site column at the end):
    # the index only added tables of its own.
    migrated = table_rows(archive / "northnews.sqlite3")
    for table, rows in original.items():
        if table != "store_meta" and rows:  # the migration records itself in store_meta
            assert [row[:len(rows[0])] for row in migrated[table]] == rows, table
    again = scrapy_search(archive, "--rebuild")
    assert "indexed 0 versions; the index holds 46 of 46" in again.stderr


def test_the_command_prints_results_and_refuses_bad_input(tmp_path: Path) -> None:
    with Store.open(tmp_path) as s:
        for item in ARTICLES:
            stored(s, item)
    text = scrapy_search(tmp_path, "呼和浩特", "--limit", "1")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.splitlines()
    assert lines[0].startswith("2015-09-") and lines[1].strip().startswith("http://a.test/")
    assert "[呼和浩特]" in lines[2]
    assert "1 article(s)" in text.stderr
    assert scrapy_search(tmp_path).returncode == 2
    assert scrapy_search(tmp_path, "x", "--since", "yesterday").returncode == 2
    assert scrapy_search(tmp_path, "，").returncode == 2
    assert scrapy_search(tmp_path / "nothing", "x").returncode == 1


# --- PostgreSQL: the same hits as SQLite, an earlier release's server store, long articles ------


def test_the_benchmark_queries_find_exactly_the_articles_holding_them_on_both_backends(
        tmp_path: Path, pg_url: str) -> None:
    """The hand-written query set of `make bench-search` over 300 generated articles: every
    article whose title or body holds the query (Python's ``in``; an English query as a whole
    word, i.e. between characters that are not ASCII letters or digits: 呼和浩特Hohhot holds
    Hohhot) is found, and nothing else, on SQLite and on PostgreSQL."""
    import re

    from benchmarks.search import QUERIES, articles

    def truth(docs: list[tuple[str, str]], query: str) -> set[int]:
        if query.isascii():
            word = re.compile(rf"(?<![A-Za-z0-9]){re.escape(query)}(?![A-Za-z0-9])", re.IGNORECASE)
            return {i for i, (a, b) in enumerate(docs, 1) if word.search(a) or word.search(b)}
        return {i for i, (a, b) in enumerate(docs, 1) if query in a or query in b}

    docs = articles(300)
    stores = [Store.open(tmp_path / "lite"), open_store(tmp_path, pg_url)]
    try:
        for store in stores:
            for i, (title, body) in enumerate(docs, 1):
                stored(store, {"url": f"http://q.test/{i}.html", "title": title, "body": body,
                               "published": "2015-09-01T10:00:00+08:00"})
        checked = 0
        for query in QUERIES:
            want = {f"http://q.test/{i}.html" for i in truth(docs, query)}
            found = [{h.url for h in search.search(s.db, query, limit=1000)} for s in stores]
            assert found[0] == want, (query, "sqlite")
            assert found[1] == want, (query, "postgresql")
            checked += bool(want)
        assert checked >= len(QUERIES) - 2  # the set is not vacuous: nearly every query has articles
        # Ranked by the same idea: the best hit of a title word has it in its title on both.
        for s in stores:
            best = search.search(s.db, "草原", limit=1)[0]
            assert "草原" in best.title or all("草原" not in t for t, _ in docs)
    finally:
        for store in stores:
            store.close()


def test_a_long_article_is_found_by_words_anywhere_in_it_on_postgresql(pg_url: str, tmp_path: Path) -> None:
    """A tsvector keeps 16,383 positions: a long body is several parts, and a phrase across a
    part's end, a word near the end, and two terms in different parts are all found."""
    filler = "草原牧民" * 3000  # 12,000 characters: 12,000 bigram tokens, 3 parts
    step = search.PG_PART_TOKENS - search.PG_PART_OVERLAP
    body = filler[:step - 2] + "呼和浩特" + filler[step + 2:] + "锡林郭勒盟" + " the end word zebra"
    with open_store(tmp_path, pg_url) as store:
        stored(store, {"url": "http://a.test/long.html", "title": "长文", "body": body})
        stored(store, ARTICLES[0])
        parts = store.db.execute("SELECT count(*) FROM search_fts WHERE version_id = 1").fetchone()[0]
        assert parts == len(search.pg_documents("长文", body)) >= 3
        for query in ("呼和浩特", "锡林郭勒盟", "zebra", "呼和浩特 锡林郭勒", "长文 zebra"):
            assert "http://a.test/long.html" in urls(search.search(store.db, query)), query
        assert urls(search.search(store.db, "呼和浩特 市长")) == ["http://a.test/1.html"]


def test_lexemes_are_what_unicode61_makes_of_the_segmented_text() -> None:
    assert search.lexemes("Café_Déjà-vu 包头市") == ["cafe", "deja", "vu", "包头", "头市", "市"]
    assert search.pg_query("呼和浩特 Mayor 蒙") == ["'呼和' <-> '和浩' <-> '浩特'", "'mayor'", "'蒙':*"]
    assert search.pg_query("G6高速") == ["'g6' <-> '高速'"]
    with pytest.raises(search.SearchError):
        search.pg_query("__ ，")


def scrapy_search_pg(archive: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return scrapy_search(archive, *args, "-s", f"NORTHNEWS_STORE_URL={url}")


def test_a_postgresql_store_of_an_earlier_release_gains_the_index_and_rebuild_fills_it(
        tmp_path: Path, pg_url: str) -> None:
    import psycopg

    with open_store(tmp_path, pg_url) as store:
        for item in ARTICLES:
            stored(store, item)
    with psycopg.connect(pg_url, autocommit=True) as conn:  # the fleet release's store: no index tables
        conn.execute("DROP TABLE search_fts, search_docs, search_meta")
        before = conn.execute("SELECT id, url, version, item_json FROM article_versions ORDER BY id").fetchall()
    old = scrapy_search_pg(tmp_path, pg_url, "呼和浩特", "--json")
    assert old.returncode == 0, old.stderr
    assert "the index holds 0 of 4 stored versions: run `scrapy search --rebuild`" in old.stderr
    rebuilt = scrapy_search_pg(tmp_path, pg_url, "--rebuild")
    assert rebuilt.returncode == 0 and "indexed 4 versions; the index holds 4 of 4" in rebuilt.stderr, rebuilt.stderr
    found = scrapy_search_pg(tmp_path, pg_url, "呼和浩特", "--json")
    assert found.returncode == 0 and "warning" not in found.stderr, found.stderr
    assert sorted(json.loads(line)["url"] for line in found.stdout.splitlines()) == [
        "http://a.test/1.html", "http://a.test/2.html"]
    with psycopg.connect(pg_url) as conn:  # the store's own rows untouched
        assert conn.execute("SELECT id, url, version, item_json FROM article_versions ORDER BY id").fetchall() == before
    assert not (tmp_path / "northnews.sqlite3").exists()  # the server was searched, not a file


def test_the_first_release_archive_migrated_to_postgresql_is_searchable_at_once(tmp_path: Path, pg_url: str) -> None:
    archive = tmp_path / "archive"
    shutil.copytree(V1, archive)
    want = sorted(i["url"] for i in read_jsonl(EXPECTED / "portal.jsonl") if "包头" in i["title"] + (i["body"] or ""))
    migrated = subprocess.run([str(SCRAPY.parent / "northnews-archive"), "-d", str(archive), "migrate-store",
                               "--to", pg_url], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert migrated.returncode == 0, migrated.stdout + migrated.stderr
    assert "full-text index: 46 versions indexed on the server" in migrated.stdout
    found = scrapy_search_pg(archive, pg_url, "包头", "--json", "--limit", "100")
    assert found.returncode == 0 and "warning" not in found.stderr, found.stderr
    assert sorted(json.loads(line)["url"] for line in found.stdout.splitlines()) == want


def test_a_pg_1_index_is_searched_as_it_is_then_upgraded_in_place_by_rebuild(tmp_path: Path, pg_url: str) -> None:
    """The index of the previous release (``pg-1``: no ranking columns) keeps answering, and
    ``scrapy search --rebuild`` adds the columns without segmenting a version again."""
    import psycopg

    with open_store(tmp_path, pg_url) as store:
        for item in ARTICLES:
            stored(store, item)
    with psycopg.connect(pg_url, autocommit=True) as conn:  # as the previous release left it
        conn.execute("DROP INDEX search_fts_title")
        conn.execute("ALTER TABLE search_fts DROP COLUMN title, DROP COLUMN lexemes")
        conn.execute("UPDATE search_meta SET value = %s WHERE key = 'tokenizer'", (search.PG_TOKENIZER_1,))
        docs = conn.execute("SELECT version_id, part, doc::text FROM search_fts ORDER BY 1, 2").fetchall()
    old = scrapy_search_pg(tmp_path, pg_url, "呼和浩特", "--json")
    assert old.returncode == 0, old.stderr
    assert "run `scrapy search --rebuild`" in old.stderr
    assert [json.loads(line)["url"] for line in old.stdout.splitlines()] == ["http://a.test/1.html", "http://a.test/2.html"]
    rebuilt = scrapy_search_pg(tmp_path, pg_url, "--rebuild")
    assert rebuilt.returncode == 0 and "indexed 0 versions; the index holds 4 of 4" in rebuilt.stderr, rebuilt.stderr
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version_id, part, doc::text FROM search_fts ORDER BY 1, 2").fetchall() == docs
        # 草原 is in the titles of 3 and 4 only (ARTICLES); 4's body repeats it.
        assert conn.execute("SELECT version_id FROM search_fts WHERE title @@ '草原'::tsquery ORDER BY 1").fetchall() == [
            (3,), (4,)]
    new = scrapy_search_pg(tmp_path, pg_url, "呼和浩特", "--json")
    assert new.returncode == 0 and "warning" not in new.stderr, new.stderr
    assert [json.loads(line)["url"] for line in new.stdout.splitlines()] == ["http://a.test/1.html", "http://a.test/2.html"]


def test_postgresql_ranks_the_best_candidates_as_ranking_every_match_does(
        tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ranking reads only the best candidates' documents (title hits first, then the shortest): on
    the benchmark's query set over 300 generated articles, the best hit scores what the best of
    every match ranked by ``ts_rank`` scores, and the top five are the same articles up to ties."""
    from benchmarks.search import QUERIES, articles

    with open_store(tmp_path, pg_url) as store:
        for i, (title, body) in enumerate(articles(300), 1):
            stored(store, {"url": f"http://q.test/{i}.html", "title": title, "body": body,
                           "published": "2015-09-01T10:00:00+08:00"})
        compared = 0
        for query in (*QUERIES, "呼和浩特 经济", "内蒙古 记者 发展"):
            best = search.search(store.db, query, limit=5)
            with monkeypatch.context() as m:
                m.setattr(search, "_pg_ranking_columns", lambda db: False)  # every match ranked
                every = search.search(store.db, query, limit=300)
            assert [h.url for h in best] == [h.url for h in every[:len(best)]] or (
                [round(h.rank, 6) for h in best] == [round(h.rank, 6) for h in every[:len(best)]]), query
            compared += bool(best)
        assert compared >= len(QUERIES) - 2
