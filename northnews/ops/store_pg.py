"""The PostgreSQL backend of the store of record (``NORTHNEWS_STORE_URL=postgresql://…``).

Same tables, columns and semantics as the SQLite file (the DDL is derived from
:data:`northnews.ops.schema.SCHEMA` by :func:`~northnews.ops.schema.pg_schema`), so every query of
:class:`~northnews.ops.store.StoreBase` runs unchanged. What differs is concurrency: several
workers write one database at once, so

* the schema is created under an advisory lock (two workers starting together do not race);
* storing an article holds a transaction-level advisory lock on its site and URL key, so two
  writers of the same article (a crawl and a re-extraction, say) serialise as SQLite's
  ``BEGIN IMMEDIATE`` makes them, and "first sighting or new version" is decided once;
* the full-text index is a tsvector per article version with a GIN index
  (:mod:`northnews.ops.search`), written in the version's transaction as on SQLite;
* the store is ``shared``: a run found ``running`` may be another worker's, so only the runs of
  the site being crawled are closed as killed (one crawl per site at a time is the fleet's lock).

Timestamps stay ISO 8601 text, compared byte-wise (``COLLATE "C"``) as SQLite compares them, so
ordering, "first seen before", exports and the migration are identical on both backends.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from northnews.ops import search
from northnews.ops.schema import SCHEMA, SCHEMA_VERSION, pg_schema
from northnews.ops.storebase import StoreBase, StoreError
from northnews.util.clock import utc_now
from northnews.util.pg import ADVISORY_LOCK, Connection
from northnews.util.redact import redact_url

#: The advisory lock key under which the schema is created or checked.
SCHEMA_LOCK = "northnews store schema"


class PgStore(StoreBase):
    shared = True

    def __init__(self, url: str, *, clock: Callable[[], datetime] = utc_now) -> None:
        import psycopg

        self.url = url
        self.where = redact_url(url)
        self.clock = clock
        try:
            self.db = Connection(url)
        except psycopg.OperationalError as exc:
            raise StoreError(f"{self.where}: cannot connect to the store: {str(exc).strip().splitlines()[0]}") from None
        try:
            self._create()
        except BaseException:
            self.db.close()
            raise

    def _create(self) -> None:
        with self.transaction(lock=SCHEMA_LOCK) as db:
            found = None
            exists = db.execute("SELECT to_regclass('store_meta')").fetchone()[0]
            if exists is not None:
                row = db.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
                found = int(row[0]) if row else None
            elif db.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema()"
                " AND table_name IN ('articles', 'article_versions', 'runs')"
            ).fetchone()[0]:
                raise StoreError(f"{self.where}: not a northnews store (no store_meta table)")
            self._refuse_newer(found)
            # A store is created at the current schema: the SQLite migrations of schemas 1-2 never
            # apply here (an older file is migrated on its way in, by migrate-store). The DDL runs
            # only when something of it is missing, so workers may connect as a role that does not
            # own the tables.
            if self._missing(db):
                db.execute(pg_schema(SCHEMA))
            db.execute(
                "INSERT INTO store_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO NOTHING",
                (str(SCHEMA_VERSION),),
            )
            # The full-text index's own tables, additive as on SQLite (a store of an earlier
            # release gains them here; `scrapy search --rebuild` indexes what it stored).
            search.ensure_tables(db)

    @staticmethod
    def _missing(db: Connection) -> bool:
        """Whether a table, index or trigger of the schema is not there yet."""
        ddl = pg_schema(SCHEMA)
        tables = set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", ddl))
        indexes = set(re.findall(r"CREATE INDEX IF NOT EXISTS (\w+)", ddl))
        triggers = set(re.findall(r"CREATE OR REPLACE TRIGGER (\w+)", ddl))
        have = {r[0] for r in db.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            " UNION SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
            " UNION SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")}
        return not (tables | indexes | triggers) <= have

    def _index_version(self, db: Any, cursor: Any, item: Mapping[str, Any]) -> None:
        """Index a version for full-text search, in the version's transaction (a tsvector per
        part: see :mod:`northnews.ops.search`). Its id is the identity this session just drew."""
        version_id = db.execute("SELECT currval(pg_get_serial_sequence('article_versions', 'id'))").fetchone()[0]
        search.index_version(db, int(version_id), item)

    def json_text(self, column: str, key: str) -> str:
        return f"({column}::jsonb ->> '{key}')"

    def schema_version(self) -> int | None:
        row = self.db.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
        return int(row[0]) if row else None

    @contextmanager
    def transaction(self, lock: str | None = None, group: bool = False) -> Iterator[Connection]:
        with self.db.transaction():
            if lock is not None:
                self.db.execute(ADVISORY_LOCK, (lock,))
            yield self.db

    def close(self) -> None:
        self.db.close()

    def table_counts(self) -> dict[str, int]:
        """Rows per table (``migrate-store``'s count)."""
        from northnews.ops.schema import DATA_TABLES

        return {t: int(self.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]) for t in DATA_TABLES}

