"""Article aliases: an article URL that redirects to another article (see :mod:`northnews.crawl.redirects`).

The store's ``article_aliases`` table holds one row per alias URL and site: the ``target`` it
redirected to (the article's first page, stored in ``articles`` under its own URL), when the
redirect was first and last seen, and the run that saw it last. The alias's text is never stored
under the alias's URL; its fate is its target's (stored, or pending with a reason).

"Already archived?" (:class:`northnews.crawl.extensions.incremental.IncrementalCrawl`) answers yes for an alias
whose target is known, so list pages linking the old URL do not fetch it again every run.

Additive: the table is part of :data:`northnews.ops.schema.SCHEMA` (``CREATE TABLE IF NOT
EXISTS``, so opening a store of an earlier release adds it, on SQLite and PostgreSQL alike); no
other table is touched and no schema version changes, so every earlier release keeps reading the
store (it ignores the table).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from northnews.ops.storebase import DB_ERRORS, iso
from northnews.util.urls import url_key

if TYPE_CHECKING:
    from northnews.ops.storebase import StoreBase



@dataclass(frozen=True)
class Alias:
    url: str
    site: str
    target: str
    first_seen: str
    last_seen: str
    run_id: str | None


class Aliases:
    """The ``article_aliases`` table of one store."""

    def __init__(self, store: StoreBase) -> None:
        self.store = store

    def record(self, url: str, target: str, *, site: str, run_id: str | None = None) -> bool:
        """``url`` redirects to ``target``; True when it was not known as that alias before.

        A pending row of ``url`` is resolved (deleted) once ``target`` is stored: the alias's fate
        is its target's from then on.
        """
        now = iso(self.store.clock())
        key, target_key = url_key(url), url_key(target)
        with self.store.transaction() as db:
            row = db.execute(
                "SELECT target_key FROM article_aliases WHERE site = ? AND url_key = ?", (site, key)
            ).fetchone()
            if row is None:
                db.execute(
                    "INSERT INTO article_aliases (url, url_key, site, target, target_key, first_seen, last_seen,"
                    " run_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (url, key, site, target, target_key, now, now, run_id),
                )
            else:
                db.execute(
                    "UPDATE article_aliases SET target = ?, target_key = ?, last_seen = ?, run_id = ?"
                    " WHERE site = ? AND url_key = ?",
                    (target, target_key, now, run_id, site, key),
                )
            if db.execute("SELECT 1 FROM articles WHERE site = ? AND url_key = ?", (site, target_key)).fetchone():
                db.execute("DELETE FROM article_pending WHERE site = ? AND url_key = ?", (site, key))
        return row is None or row["target_key"] != target_key

    def leads_to(self, start: str, url: str, *, site: str, run_id: str | None) -> list[str] | None:
        """The aliases recorded by ``run_id`` from ``start`` on, if they lead back to ``url``: a
        redirect loop spread over two requests (the duplicate filter fetches each URL once)."""
        path, seen, here = [start], {url_key(start)}, start
        while (row := self.store.db.execute(
            "SELECT target FROM article_aliases WHERE site = ? AND url_key = ? AND run_id = ?",
            (site, url_key(here), run_id),
        ).fetchone()) is not None:
            here = row[0]
            path.append(here)
            if url_key(here) == url_key(url):
                return path
            if url_key(here) in seen:
                return None
            seen.add(url_key(here))
        return None

    def forget(self, url: str, site: str) -> None:
        """``url`` was stored with its own text: no longer an alias."""
        if self.target(url, site) is None:  # the common case: a read, no write transaction per item
            return
        with self.store.transaction() as db:
            db.execute("DELETE FROM article_aliases WHERE site = ? AND url_key = ?", (site, url_key(url)))

    def target(self, url: str, site: str) -> str | None:
        """The article ``url`` is an alias of, or None."""
        try:
            row = self.store.db.execute(
                "SELECT target FROM article_aliases WHERE site = ? AND url_key = ?", (site, url_key(url))
            ).fetchone()
        except DB_ERRORS:  # a store without the table (opened by an earlier release's code): none
            return None
        return row[0] if row else None

    def rows(self, site: str | None = None) -> list[Alias]:
        sql = "SELECT * FROM article_aliases" + (" WHERE site = ?" if site else "") + " ORDER BY site, url"
        try:
            found = self.store.db.execute(sql, (site,) if site else ()).fetchall()
        except DB_ERRORS:
            return []
        return [_alias(r) for r in found]


def _alias(row: Any) -> Alias:
    return Alias(**{name: row[name] for name in Alias.__dataclass_fields__})
