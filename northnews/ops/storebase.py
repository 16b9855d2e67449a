"""The store of record's interface and semantics, shared by its backends (see :mod:`northnews.ops.store`).

:class:`StoreBase` holds what storing an article, "already archived?", exports and runs mean, in
SQL that SQLite and PostgreSQL both run (``?`` placeholders; the PostgreSQL connection translates
them). A backend provides the connection (``db``), :meth:`StoreBase.transaction` and ``close``;
nothing here knows which database answers.
"""

from __future__ import annotations

import json
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from northnews.ops.schema import SCHEMA_VERSION, V1_SITE, StoreError
from northnews.util.clock import iso_z
from northnews.util.digestset import DigestSet, url_digest
from northnews.util.urls import url_key

__all__ = ["DB_ERRORS", "ExportRow", "Recorded", "StoreBase", "StoreError", "iso"]

try:  # psycopg is a dependency; the tuple is what callers catch for "the store failed"
    import psycopg

    DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)
except ImportError:  # pragma: no cover - a broken install: the SQLite store still works
    DB_ERRORS = (sqlite3.Error,)




def iso(when: datetime) -> str:
    """Store timestamps: UTC with microseconds, so runs within one second still order."""
    return iso_z(when, micro=True)



@dataclass(frozen=True)
class Recorded:
    """What storing one item did."""

    outcome: str  # "new" | "updated" | "unchanged"
    version: int
    resolved: bool = False  # it was pending (see northnews.ops.pending) until now


@dataclass(frozen=True)
class ExportRow:
    item: dict[str, Any]
    version: int
    first_seen: str
    last_seen: str


def _warc_fields(item: Mapping[str, Any]) -> tuple[str | None, int | None, str | None]:
    warc = item.get("warc") or {}
    if not isinstance(warc, Mapping):
        return None, None, None
    offset = warc.get("offset")
    return warc.get("file"), int(offset) if offset is not None else None, warc.get("record_id")


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


class StoreBase(ABC):
    """The store of record's semantics, in SQL both backends run (``?`` placeholders).

    A backend sets ``db`` (``execute`` returning a cursor whose rows read by name and position),
    ``clock`` and ``where`` (for messages), and provides :meth:`transaction`. One connection, used
    from one thread (the reactor's).
    """

    db: Any
    clock: Callable[[], datetime]
    where: str
    #: Whether other processes write this store while one holds it (a fleet's shared server): runs
    #: found ``running`` are then another worker's, not necessarily dead ones.
    shared = False

    @abstractmethod
    def transaction(self, lock: str | None = None, group: bool = False) -> Any:
        """A context manager: one transaction, yielding ``db``. ``lock`` names what it must hold
        alone against other writers of a shared store (one article of one site); ``group``: an
        item's, which may be committed with the next ones (:meth:`group_commits`)."""

    @abstractmethod
    def close(self) -> None: ...

    def group_commits(self, seconds: float) -> bool:
        """Commit transactions in groups of up to ``seconds`` (a backend that can: the SQLite
        one); False when this backend commits each transaction as it ends (the PostgreSQL one,
        whose transactions hold a fleet's advisory locks)."""
        return False

    def flush(self) -> None:
        """Commit what :meth:`group_commits` holds open (nothing, by default)."""
        return None

    def __enter__(self) -> StoreBase:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _refuse_newer(self, found: int | None) -> None:
        if found is not None and found > SCHEMA_VERSION:
            raise StoreError(
                f"{self.where}: store schema {found} was written by a newer northnews; this release"
                f" reads schemas 1-{SCHEMA_VERSION}: upgrade northnews (the store is left untouched)"
            )

    def json_text(self, column: str, key: str) -> str:
        """SQL for the text of ``key`` in a JSON ``column`` (``item_json``)."""
        return f"json_extract({column}, '$.{key}')"

    def meta(self) -> dict[str, str]:
        """``store_meta``: schema version, migrations, where a migrated store came from."""
        return {r[0]: r[1] for r in self.db.execute("SELECT key, value FROM store_meta ORDER BY key")}


    # --- articles -------------------------------------------------------------------------

    def record_item(self, item: Mapping[str, Any], *, run_id: str | None = None) -> Recorded:
        """Store one article item, in its own transaction; idempotent per content version.

        The first sighting of a URL writes version 1 (``new``); a digest that differs from the
        latest version's writes the next version (``updated``); the same digest writes only a
        capture row (``unchanged``).
        """
        url = item.get("url")
        site = item.get("site") or V1_SITE
        digest = item.get("content_digest")
        if not url:
            raise ValueError("item without url")
        if not digest:
            raise ValueError(f"item without content_digest: {url}")
        now = iso(self.clock())
        warc_file, warc_offset, warc_record_id = _warc_fields(item)
        key = url_key(url)  # the article's, whichever scheme it was first seen with
        with self.transaction(lock=f"{site} {key}", group=True) as db:
            # One article is one row whatever the scheme it was linked with (as is_known
            # decides): http://…/1.shtml and https://…/1.shtml are versions of one article,
            # kept under the URL it was first seen at.
            row = db.execute(
                "SELECT url, latest_version, latest_digest FROM articles WHERE site = ? AND url_key = ?"
                " ORDER BY first_seen LIMIT 1",
                (site, key),
            ).fetchone()
            if row is not None:
                url = row["url"]
            if row is not None and row["latest_digest"] == digest:
                outcome, version = "unchanged", int(row["latest_version"])
                db.execute("UPDATE articles SET last_seen = ? WHERE url = ?", (now, url))
            else:
                outcome = "new" if row is None else "updated"
                version = 1 if row is None else int(row["latest_version"]) + 1
                if row is None:
                    db.execute(
                        "INSERT INTO articles (url, url_key, site, edition, first_seen, last_seen,"
                        " latest_version, latest_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        (url, key, site, item.get("edition"), now, now, version, digest),
                    )
                else:
                    db.execute(
                        "UPDATE articles SET last_seen = ?, latest_version = ?, latest_digest = ?"
                        " WHERE url = ?",
                        (now, version, digest, url),
                    )
                cursor = db.execute(
                    "INSERT INTO article_versions (url, version, content_digest, title, published,"
                    " edition, first_seen, fetched_at, warc_file, warc_offset, warc_record_id,"
                    " item_json, run_id, site) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        url, version, digest, item.get("title"), item.get("published"),
                        item.get("edition"), now, item.get("fetched_at"), warc_file, warc_offset,
                        warc_record_id, json.dumps(dict(item), ensure_ascii=False, default=_jsonable),
                        run_id, site,
                    ),
                )
                self._index_version(db, cursor, item)  # searchable as it is stored
            # Stored complete: no longer pending, whatever it was pending for.
            resolved = db.execute(
                "DELETE FROM article_pending WHERE site = ? AND url_key = ?", (site, key)
            ).rowcount
            db.execute(
                "INSERT INTO article_captures (url, version, outcome, seen_at, fetched_at,"
                " warc_file, warc_offset, warc_record_id, run_id, site) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (url, version, outcome, now, item.get("fetched_at"), warc_file, warc_offset,
                 warc_record_id, run_id, site),
            )
        return Recorded(outcome, version, resolved=bool(resolved))

    def _index_version(self, db: Any, cursor: Any, item: Mapping[str, Any]) -> None:
        """Index a newly written version for full-text search, inside its transaction. The
        SQLite backend keeps an FTS5 index (:mod:`northnews.ops.search`); a backend without a
        full-text index leaves this a no-op."""
        return None

    def is_known(self, url: str, refresh_days: float | None = None, site: str = V1_SITE) -> bool:
        """True when the URL (either scheme) is archived and not due for a refresh, or pending and
        not due yet, or failed (see :mod:`northnews.ops.pending`). With ``refresh_days``, articles
        first seen within the last DAYS days are fetched again (edits happen early)."""
        key = url_key(url)
        rows = self.db.execute("SELECT first_seen FROM articles WHERE site = ? AND url_key = ?", (site, key)).fetchall()
        if not rows:
            waiting = self.db.execute(
                "SELECT 1 FROM article_pending WHERE site = ? AND url_key = ?"
                " AND (status = 'failed' OR next_attempt > ?)", (site, key, iso(self.clock())),
            ).fetchone()
            return waiting is not None
        if refresh_days is None:
            return True
        cutoff = iso(self.clock() - timedelta(days=refresh_days))
        return all(row["first_seen"] < cutoff for row in rows)

    def is_known_fn(self, refresh_days: float | None = None, site: str = V1_SITE) -> Callable[[str], bool]:
        """"Already archived?" for the incremental middleware, answered once per URL per run.

        Navigation and "hot news" sidebars repeat the same links on every page; within one run
        the answer cannot change in a way that matters (a URL first requested in this run is
        then kept out by the duplicate filter), so one query per URL is enough. The answers are
        kept for the whole run as 21 bytes a URL (its digest and the answer: a
        :class:`~northnews.util.digestset.DigestSet`), not as strings: the memo must not grow the
        crawl's memory with the portal.
        """
        answers = DigestSet(value_size=1)

        def known(url: str) -> bool:
            digest = url_digest(url)
            found = answers.get(digest)
            if found is None:
                found = b"\x01" if self.is_known(url, refresh_days, site) else b"\x00"
                answers.setdefault(digest, found)
            return found == b"\x01"

        return known

    def versions(self, url: str) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT * FROM article_versions WHERE url = ? ORDER BY version", (url,)
        ).fetchall()
        return [dict(row) for row in rows]

    def counts(self, site: str | None = None) -> dict[str, int]:
        """Rows per table, of one site or of all."""
        where, params = (" WHERE site = ?", (site,)) if site else ("", ())

        def one(table: str) -> int:
            return int(self.db.execute(f"SELECT count(*) FROM {table}{where}", params).fetchone()[0])

        return {
            "articles": one("articles"),
            "versions": one("article_versions"),
            "captures": one("article_captures"),
            "pending": int(self.db.execute(
                f"SELECT count(*) FROM article_pending{where}{' AND' if site else ' WHERE'} status = 'pending'", params
            ).fetchone()[0]),
            "failed": int(self.db.execute(
                f"SELECT count(*) FROM article_pending{where}{' AND' if site else ' WHERE'} status = 'failed'", params
            ).fetchone()[0]),
        }

    def sites(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT site FROM articles ORDER BY site")]

    def export_rows(
        self,
        since: date | None = None,
        until: date | None = None,
        all_versions: bool = False,
        site: str | None = None,
    ) -> Iterator[ExportRow]:
        """Latest version of every article (or every version), optionally with ``published``
        within [since, until] (dates as printed, China time; inclusive). Ordered by
        published, URL and version; articles without a date sort first and are left out
        when a range is given."""
        where, params = [], []
        if not all_versions:
            where.append("v.version = a.latest_version")
        if site is not None:
            where.append("v.site = ?")
            params.append(site)
        if since is not None:
            where.append("substr(v.published, 1, 10) >= ?")
            params.append(since.isoformat())
        if until is not None:
            where.append("substr(v.published, 1, 10) <= ?")
            params.append(until.isoformat())
        sql = (
            "SELECT v.item_json, v.version, v.first_seen,"
            " (SELECT max(c.seen_at) FROM article_captures c"
            "   WHERE c.url = v.url AND c.version = v.version) AS last_seen"
            " FROM article_versions v JOIN articles a ON a.url = v.url"
            + (" WHERE " + " AND ".join(where) if where else "")
            + " ORDER BY v.published NULLS FIRST, v.url, v.version"
        )
        for row in self.db.execute(sql, params):
            yield ExportRow(
                json.loads(row["item_json"]), int(row["version"]), row["first_seen"],
                row["last_seen"] or row["first_seen"],
            )

    # --- runs -----------------------------------------------------------------------------

    def begin_run(
        self, run_id: str, *, pid: int | None = None, args: Mapping[str, Any] | None = None, site: str = V1_SITE,
    ) -> None:
        """Record a crawl as running (``northnews-cron`` may have inserted the row already)."""
        now = iso(self.clock())
        with self.transaction() as db:
            db.execute(
                "INSERT INTO runs (run_id, pid, started_at, status, args_json, site)"
                " VALUES (?, ?, ?, 'running', ?, ?)"
                " ON CONFLICT (run_id) DO UPDATE SET pid = excluded.pid, status = 'running',"
                " args_json = excluded.args_json, site = excluded.site",
                (run_id, pid, now, json.dumps(dict(args or {}), default=_jsonable), site),
            )

    def end_run(
        self,
        run_id: str,
        *,
        status: str,
        complete: bool,
        stats: Mapping[str, Any] | None = None,
        note: str | None = None,
    ) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET ended_at = ?, status = ?, complete = ?,"
                " stats_json = coalesce(?, stats_json), note = coalesce(?, note) WHERE run_id = ?",
                (
                    iso(self.clock()), status, int(complete),
                    json.dumps(dict(stats), default=_jsonable, sort_keys=True) if stats is not None else None,
                    note, run_id,
                ),
            )

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        row = self.db.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return _run_dict(row) if row else None

    def previous_run(self, run_id: str | None = None, site: str | None = None) -> dict[str, Any] | None:
        """The latest run recorded before ``run_id`` (or the latest of all), of ``site`` if given:
        whether a site's last run completed is that site's business only."""
        only = " AND site = ?" if site else ""
        extra = (site,) if site else ()
        if run_id is None:
            row = self.db.execute(f"SELECT * FROM runs WHERE TRUE{only} ORDER BY id DESC LIMIT 1", extra).fetchone()
        else:
            row = self.db.execute(
                "SELECT * FROM runs WHERE id < coalesce((SELECT id FROM runs WHERE run_id = ?),"
                f" (SELECT max(id) + 1 FROM runs), 1){only} ORDER BY id DESC LIMIT 1",
                (run_id, *extra),
            ).fetchone()
        return _run_dict(row) if row else None

    def close_stale_runs(self, status: str = "killed", site: str | None = None) -> list[str]:
        """Runs still marked ``running`` when nobody holds the lock died without closing. On a
        shared store pass ``site``: only that site's runs are known dead (one crawl per site at a
        time is the fleet's job lock), other workers' runs are alive."""
        only, extra = (" AND site = ?", (site,)) if site else ("", ())
        with self.transaction() as db:
            ids = [r[0] for r in db.execute(f"SELECT run_id FROM runs WHERE status = 'running'{only} ORDER BY id", extra)]
            db.execute(
                "UPDATE runs SET status = ?, complete = 0, note = 'found running by a later run:"
                f" the process died without closing' WHERE status = 'running'{only}",
                (status, *extra),
            )
        return ids


def _run_dict(row: Any) -> dict[str, Any]:
    run = dict(row)
    run["complete"] = bool(run["complete"])
    for key in ("args_json", "stats_json"):
        raw = run.pop(key)
        run[key[: -len("_json")]] = json.loads(raw) if raw else None
    return run
