"""Article aliases in the store (northnews.ops.aliases): additive on old stores, resolved with their target."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from northnews.ops.aliases import Aliases
from northnews.ops.pending import PendingArticles
from northnews.ops.store import Store

FIXTURES = Path(__file__).parent / "fixtures"
ZH = "http://www.northnews.cn"
A, B, C = f"{ZH}/2015/1022/2052371.shtml", f"{ZH}/2015/1027/2052711.shtml", f"{ZH}/2015/1029/2052933.shtml"


TABLES = ("articles", "article_versions", "article_captures", "article_aliases")


def dump(path: Path) -> dict[str, list[tuple]]:
    """Every row of the article tables (and the aliases, if any), read without the store's code."""
    db = sqlite3.connect(path)
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {t: db.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in TABLES if t in tables}
    finally:
        db.close()


@pytest.mark.parametrize("fixture", ["store_v1", "store_v2"])
def test_opening_an_earlier_store_adds_the_table_and_touches_no_article(tmp_path: Path, fixture: str) -> None:
    path = tmp_path / "northnews.sqlite3"
    shutil.copy(FIXTURES / fixture / "northnews.sqlite3", path)
    before = dump(path)
    assert "article_aliases" not in before
    with Store(path) as store:
        assert Aliases(store).target(A, "northnews") is None and Aliases(store).rows() == []
    after = dump(path)
    assert after["article_aliases"] == []
    for table in ("articles", "article_versions", "article_captures"):  # as written (schema 1 gains its site column)
        assert [row[: len(before[table][0])] for row in after[table]] == before[table], table


def test_an_alias_follows_its_target_and_is_forgotten_when_it_has_its_own_text(tmp_path: Path) -> None:
    with Store(tmp_path / "northnews.sqlite3") as store:
        aliases, pending = Aliases(store), PendingArticles(store)
        pending.record(A, "redirected", "redirected to …", site="northnews")
        assert aliases.record(A, B, site="northnews", run_id="r1") is True
        assert aliases.record(A, B, site="northnews", run_id="r1") is False  # known already
        assert pending.get(A, "northnews") is not None  # the target is not stored yet: still pending
        store.record_item({"url": B, "site": "northnews", "content_digest": "sha1:B"})
        aliases.record(A, B, site="northnews", run_id="r2")
        assert pending.get(A, "northnews") is None  # its fate is its stored target's
        assert aliases.target(A, "northnews") == B and aliases.target(A, "yunhe") is None
        assert aliases.target(A.replace("http:", "https:"), "northnews") == B  # one URL key
        # A loop through this run's aliases: B → A with A → B recorded by the same run.
        assert aliases.leads_to(A, B, site="northnews", run_id="r2") == [A, B]
        assert aliases.leads_to(A, B, site="northnews", run_id="r1") is None  # another run's: no loop
        assert aliases.leads_to(C, B, site="northnews", run_id="r2") is None
        aliases.forget(A, "northnews")
        assert aliases.target(A, "northnews") is None
