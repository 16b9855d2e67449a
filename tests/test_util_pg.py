"""PostgreSQL spoken like sqlite3 (northnews.util.pg): one SQL text with ``?`` placeholders for
both store backends, rows read by position, by name and as a mapping. The connection tests run
on the real throw-away server of tests/pgserver.py (skipped, with the reason, where none starts)."""

from __future__ import annotations

import pytest

from northnews.util.pg import ADVISORY_LOCK, Connection, is_pg_url, qmark, quote_ident


def test_placeholders_and_percent_signs_outside_literals_only() -> None:
    assert qmark("SELECT * FROM t WHERE a = ? AND b LIKE 'x?%' AND c = ?") == (
        "SELECT * FROM t WHERE a = %s AND b LIKE 'x?%%' AND c = %s"
    )
    assert qmark('SELECT "odd?name", 100 % 7 FROM t WHERE d = ?') == 'SELECT "odd?name", 100 %% 7 FROM t WHERE d = %s'


def test_which_urls_are_postgresql_and_which_names_are_identifiers() -> None:
    assert is_pg_url("postgresql://u@127.0.0.1/db") and is_pg_url("postgres://h/db")
    assert not is_pg_url("archive/store.sqlite3") and not is_pg_url(None) and not is_pg_url("")
    assert quote_ident("northnews_1") == '"northnews_1"'
    for bad in ('x"; DROP TABLE t; --', "1abc", "a b", ""):
        with pytest.raises(ValueError, match="not an SQL identifier"):
            quote_ident(bad)


def test_rows_read_like_sqlite3_rows_on_a_real_server(pg_url: str) -> None:
    conn = Connection(pg_url)
    try:
        conn.execute("CREATE TABLE t (id INTEGER, label TEXT)")
        conn.executemany("INSERT INTO t VALUES (?, ?)", [(1, "50% 北方"), (2, "it's ?")])
        row = conn.execute("SELECT id, label FROM t WHERE id = ?", [1]).fetchone()
        assert row[0] == 1 and row["label"] == "50% 北方" and row[-1] == "50% 北方"
        assert dict(row) == {"id": 1, "label": "50% 北方"} and row.keys() == ("id", "label")
        assert [r["id"] for r in conn.execute("SELECT id FROM t WHERE label LIKE '%?%' ORDER BY id")] == [2]
        with conn.transaction():
            conn.execute(ADVISORY_LOCK, ["site:northnews"])
            assert conn.in_transaction
            conn.execute("UPDATE t SET label = ? WHERE id = ?", ["x", 2])
        assert not conn.in_transaction
        assert conn.execute("SELECT label FROM t WHERE id = 2").fetchone()["label"] == "x"
    finally:
        conn.close()
