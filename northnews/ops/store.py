"""The store of record: one SQLite file per archive, ``<NORTHNEWS_ARCHIVE_DIR>/northnews.sqlite3``
(the default), or a PostgreSQL database that a fleet of workers shares (``NORTHNEWS_STORE_URL``).

It is what incremental runs consult, what ``scrapy export`` reads, and where run state lives, so
that a run killed at any moment (SIGKILL included, where Scrapy's JOBDIR is useless) is followed by
one that completes what is missing.

The tables and their migrations are described in :mod:`northnews.ops.schema`; the pending
articles (fetched, not stored complete) are :mod:`northnews.ops.pending`'s. Every row carries
the ``site`` it belongs to: one archive may hold several portals, and "already archived?" is
asked per site.

Writes commit per item (a crawl groups them: :meth:`Store.group_commits`, at most
``NORTHNEWS_STORE_COMMIT_INTERVAL`` seconds of items per commit): a kill loses at most the items
in flight or in the open group, and those are not known, so the next run fetches them again. ``synchronous=NORMAL`` in WAL mode survives process
kills (our threat model); a power cut may lose the last commits, which the next run re-fetches
for the same reason.

One interface, two backends: :class:`StoreBase` holds the semantics (insert-only versions,
captures, pending, runs, "already archived?" per site) in SQL that both backends run;
:class:`Store` is the SQLite backend (its file, pragmas, in-place migrations of schemas 1-2) and
``northnews.ops.store_pg.PgStore`` the PostgreSQL one (psycopg 3). :func:`open_store` picks one
from ``NORTHNEWS_STORE_URL``. Code that only a backend can run (PRAGMAs, advisory locks) stays
in that backend; code that opens "the store" calls :func:`open_store`.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from northnews.ops import search
from northnews.ops.schema import SCHEMA, SCHEMA_VERSION, StoreError, migrate
from northnews.ops.storebase import DB_ERRORS, ExportRow, Recorded, StoreBase, iso
from northnews.util import storeguard
from northnews.util.clock import utc_now
from northnews.util.pg import is_pg_url
from northnews.util.redact import redact_url

STORE_NAME = "northnews.sqlite3"
__all__ = ["DB_ERRORS", "SCHEMA_VERSION", "STORE_NAME", "ExportRow", "Recorded", "Store", "StoreBase", "StoreError",
           "iso", "open_store",
           "store_path", "store_url"]


def store_path(archive_dir: str | os.PathLike[str]) -> Path:
    return Path(archive_dir) / STORE_NAME


def store_url(settings: Any) -> str:
    """``NORTHNEWS_STORE_URL`` as set (empty: the SQLite file in the archive)."""
    return str(settings.get("NORTHNEWS_STORE_URL") or "").strip()


def describe_store(archive_dir: str | os.PathLike[str], url: str | None = None) -> str:
    """Where the store is, for messages (credentials redacted)."""
    return redact_url(url) if url and is_pg_url(url) else str(Path(url) if url else store_path(archive_dir))


def store_exists(archive_dir: str | os.PathLike[str], url: str | None = None) -> bool:
    """Whether there is a store to read (a server is asked when opened, so it counts as there)."""
    return is_pg_url(url) or (Path(url) if url else store_path(archive_dir)).is_file()


def open_store(archive_dir: str | os.PathLike[str], url: str | None = None, **kwargs: Any) -> StoreBase:
    """The store of record of an archive: PostgreSQL when ``url`` is ``postgresql://…``, else the
    SQLite file (``url`` as a path, or ``<archive_dir>/northnews.sqlite3``)."""
    if url and is_pg_url(url):
        from northnews.ops.store_pg import PgStore

        return PgStore(url, **kwargs)
    return Store(Path(url) if url else store_path(archive_dir), **kwargs)


class Store(StoreBase):
    """The SQLite backend: ``<archive>/northnews.sqlite3`` in WAL mode, migrated in place."""

    @storeguard.guarded(StoreError, db_attr="db")  # refuses a damaged/empty/busy/read-only file in one line
    def __init__(self, path: str | os.PathLike[str], *, clock: Callable[[], datetime] = utc_now) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self.clock = clock
        self._group_seconds = 0.0  # group_commits: 0 commits each transaction
        self._group_open = False
        self._group_began = 0.0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE … COMMIT) below.
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30.0)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()
        self.db.executescript(SCHEMA)  # idempotent (IF NOT EXISTS); commits on its own
        search.ensure_tables(self.db)  # the full-text index's own tables (additive)
        self.db.execute(
            "INSERT OR IGNORE INTO store_meta (key, value) VALUES ('schema_version', ?)",
            (str(SCHEMA_VERSION),),
        )

    def schema_version(self) -> int | None:
        """The schema of the file as found (``None`` for a new, empty one)."""
        try:
            row = self.db.execute("SELECT value FROM store_meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            if "no such table" in str(exc):
                tables = self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
                if tables:
                    raise StoreError(f"{self.path}: not a northnews store (no store_meta table)") from None
                return None
            raise StoreError(f"{self.path}: not a readable SQLite store: {exc}") from None
        return int(row[0]) if row else None

    def _migrate(self) -> None:
        """Bring an older store up to :data:`SCHEMA_VERSION` in place, in one transaction."""
        found = self.schema_version()
        if found is None or found == SCHEMA_VERSION:
            return
        self._refuse_newer(found)
        with self.transaction() as db:
            migrate(db, found)
            db.execute(
                "INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)",
                (f"migrated_from_{found}", iso(self.clock())),
            )

    @classmethod
    def open(cls, archive_dir: str | os.PathLike[str], **kwargs: Any) -> Store:
        return cls(store_path(archive_dir), **kwargs)

    def close(self) -> None:
        try:
            self.flush()  # a group of transactions still open (see group_commits) is committed
        finally:
            self.db.close()

    def group_commits(self, seconds: float) -> bool:
        """Commit transactions in groups: each :meth:`transaction` is then a savepoint of one
        ``BEGIN IMMEDIATE … COMMIT`` that stays open until ``seconds`` have passed since it began
        (checked as each transaction ends) or :meth:`flush` is called. ``0`` commits each one.

        Only item transactions (``transaction(group=True)``: :meth:`record_item`) join the group;
        any other transaction (a run's record, a pending article, an alias) commits the open group
        first, then itself, so that a kill never loses the run's record (cron's second SIGINT).
        Each transaction is still all or nothing (a failure rolls back to its savepoint only), and
        this connection reads its own uncommitted writes, so "already archived?" answers as before.
        A kill (or a commit that fails, the disk full) loses the open group whole: those articles
        are not known and the next run fetches them again, as with items in flight. The WAL commit
        of one item rewrote the same index pages every time: ~7% of a crawl's reactor time."""
        self._group_seconds = max(0.0, float(seconds))
        if not self._group_seconds:
            self.flush()
        return True

    def flush(self) -> None:
        """Commit the open group of transactions, if any (:meth:`group_commits`)."""
        if self._group_open:
            self._group_open = False
            try:
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.in_transaction:  # SQLite rolls back by itself on a full disk, not always
                    self.db.execute("ROLLBACK")
                raise

    @contextmanager
    def transaction(self, lock: str | None = None, group: bool = False) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the file's write lock: every transaction is alone, whatever ``lock``.
        if group and self._group_seconds:
            yield from self._grouped()
            return
        # Anything but an item (a run's record, a pending article, an alias) is committed as it
        # ends, after the open group: a kill never loses it, and the order of commits is kept.
        self.flush()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    def _grouped(self) -> Iterator[sqlite3.Connection]:
        """One transaction as a savepoint of the open group (see :meth:`group_commits`)."""
        if not self._group_open:
            self.db.execute("BEGIN IMMEDIATE")
            self._group_open, self._group_began = True, time.monotonic()
        self.db.execute("SAVEPOINT northnews_item")
        try:
            yield self.db
        except BaseException:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK TO northnews_item")
                self.db.execute("RELEASE northnews_item")
            else:  # SQLite rolled the whole group back itself (a full disk): it is lost, not known
                self._group_open = False
            raise
        self.db.execute("RELEASE northnews_item")
        if time.monotonic() - self._group_began >= self._group_seconds:
            self.flush()

    def _index_version(self, db: Any, cursor: Any, item: Mapping[str, Any]) -> None:
        """Index a version for full-text search, in the version's transaction (SQLite FTS5: see
        :mod:`northnews.ops.search`)."""
        if cursor.lastrowid is not None:
            search.index_version(db, cursor.lastrowid, item)
