"""``northnews-archive migrate-store --to postgresql://…``: an archive's SQLite store into PostgreSQL.

Copies every row of the store of record (``northnews.sqlite3``: articles, versions, captures,
rejects, pending, runs) and of the WARC digest index and file manifest (``warc/digests.sqlite3``)
into a PostgreSQL store, counts them on both sides and verifies them value for value; the SQLite
files are never written.

* **Untouched**: the SQLite files (with their ``-wal``/``-shm``) are copied to a temporary
  directory and read there. A store of an older schema (1, 2) is migrated *in that copy*, by the
  same in-place migration an old store gets on first open, so the server receives schema 3 rows
  while the user's file stays as the old release wrote it.
* **All or nothing**: the copy is one PostgreSQL transaction; a failure leaves the server as it
  was. A server that already holds rows of one of the archive's sites is refused (copying the
  same archive twice would duplicate its captures): several archives of different sites may be
  migrated into one server, one after the other.
* **Counted and verified**: after the commit, the rows are read back over a new connection and
  compared, table by table and in order, with the source's (every column but the ``id`` the
  server assigns to versions, captures and runs, in the same order). ``runs`` keep their order, so
  "the previous run of a site" is the same question on both.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from northnews.archive.digests import DB_NAME, PgDigestIndex
from northnews.ops import search
from northnews.ops.schema import DATA_TABLES, IDENTITY_TABLES
from northnews.ops.store import Store, StoreError, iso, store_path
from northnews.ops.store_pg import PgStore
from northnews.util.clock import utc_now
from northnews.util.pg import Connection
from northnews.util.redact import redact_url

DIGEST_TABLES = ("warc_digests", "warc_files")
_KEYS = {"warc_digests": "url", "warc_files": "name"}


class MigrateError(RuntimeError):
    """The migration was refused or failed; nothing was written to the server."""


@dataclass
class TableResult:
    table: str
    source: int
    copied: int
    verified: bool
    digest: str


@dataclass
class Migration:
    source: Path
    target: str
    sites: list[str]
    schema_from: int | None
    tables: list[TableResult] = field(default_factory=list)
    indexed: int = 0  # versions added to the server's full-text index after the copy

    @property
    def ok(self) -> bool:
        return all(t.verified and t.source == t.copied for t in self.tables)

    def lines(self) -> list[str]:
        out = [f"{self.source} (schema {self.schema_from}) -> {self.target}: sites {', '.join(self.sites) or '-'}"]
        for t in self.tables:
            state = "verified" if t.verified and t.source == t.copied else "MISMATCH"
            out.append(f"  {t.table:<18} {t.source:>9} rows  copied {t.copied:>9}  {state}  sha256:{t.digest[:16]}")
        if self.ok:
            out.append(f"  full-text index: {self.indexed} versions indexed on the server")
        return out


def _copy_sqlite(path: Path, into: Path) -> Path:
    """The file and its WAL companions, copied; the copy is what is opened (and migrated)."""
    target = into / path.name
    for suffix in ("", "-wal", "-shm"):
        src = path.with_name(path.name + suffix)
        if src.exists():
            shutil.copyfile(src, into / src.name)
    return target


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def _rows_digest(rows: list[tuple[Any, ...]]) -> str:
    h = hashlib.sha256()
    for row in rows:
        h.update(repr(tuple(row)).encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def _source_rows(db: sqlite3.Connection, table: str, cols: list[str]) -> list[tuple[Any, ...]]:
    order = "id" if table in IDENTITY_TABLES else "rowid"
    quoted = ", ".join(f'"{c}"' for c in cols)
    return [tuple(r) for r in db.execute(f"SELECT {quoted} FROM {table} ORDER BY {order}")]


def _copy_rows(conn: Connection, table: str, cols: list[str], rows: list[tuple[Any, ...]]) -> None:
    quoted = ", ".join(f'"{c}"' for c in cols)
    with conn.raw.cursor().copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def migrate_store(archive_dir: str | Path, to_url: str, *, sqlite_path: str | Path | None = None) -> Migration:
    """Copy the archive's SQLite store and digest index into the PostgreSQL store at ``to_url``."""
    archive = Path(archive_dir)
    source = Path(sqlite_path) if sqlite_path else store_path(archive)
    if not source.is_file():
        raise MigrateError(f"no SQLite store at {source}")
    digests = archive / "warc" / DB_NAME
    with tempfile.TemporaryDirectory(prefix="northnews-migrate-") as tmp:
        copy = _copy_sqlite(source, Path(tmp))
        raw = sqlite3.connect(copy)
        try:
            row = raw.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise MigrateError(f"{source}: not a northnews store ({exc})") from None
        finally:
            raw.close()
        schema_from = int(row[0]) if row else None
        with Store(copy):  # the same in-place migration as a first open, applied to the copy
            pass
        src = sqlite3.connect(copy)
        dig = None
        if digests.is_file():
            dig_dir = Path(tmp) / "warc"
            dig_dir.mkdir()
            dig = sqlite3.connect(_copy_sqlite(digests, dig_dir))
        try:
            return _migrate(src, dig, source, schema_from, to_url)
        finally:
            src.close()
            if dig is not None:
                dig.close()


def _migrate(src: sqlite3.Connection, dig: sqlite3.Connection | None, source: Path, schema_from: int | None,
             to_url: str) -> Migration:
    sites = sorted({r[0] for t in DATA_TABLES for r in src.execute(f"SELECT DISTINCT site FROM {t}")})
    result = Migration(source, redact_url(to_url), sites, schema_from)
    # Creates the tables (store and digest index) if the server has none yet.
    PgStore(to_url).close()
    PgDigestIndex(to_url).close()
    plan: list[tuple[str, list[str], list[tuple[Any, ...]]]] = []
    for table in DATA_TABLES:
        cols = [c for c in _columns(src, table) if not (c == "id" and table in IDENTITY_TABLES)]
        plan.append((table, cols, _source_rows(src, table, cols)))
    if dig is not None:
        for table in DIGEST_TABLES:
            cols = _columns(dig, table)
            plan.append((table, cols, _source_rows(dig, table, cols)))
    conn = Connection(to_url, application_name="northnews-migrate-store")
    try:
        with conn.transaction():
            # One migration at a time per server; crawls keep running (they touch other sites).
            conn.execute("SELECT pg_advisory_xact_lock(hashtextextended('northnews migrate-store', 0))")
            if sites:
                marks = ", ".join("?" for _ in sites)
                for table in DATA_TABLES:
                    held = conn.execute(f"SELECT DISTINCT site FROM {table} WHERE site IN ({marks})", sites).fetchall()
                    if held:
                        raise MigrateError(
                            f"{result.target} already holds {table} rows of site(s) {', '.join(r[0] for r in held)}:"
                            " refusing to copy them twice (migrate into a store without them)"
                        )
            for table, cols, rows in plan:
                if table in DIGEST_TABLES and rows:
                    key = _KEYS[table]
                    at = cols.index(key)
                    clash = conn.execute(
                        f"SELECT {key} FROM {table} WHERE {key} = ANY(?) LIMIT 1", ([r[at] for r in rows],)
                    ).fetchone()
                    if clash:
                        raise MigrateError(f"{result.target} already holds {table} entry {clash[0]!r}: refusing to overwrite it")
                _copy_rows(conn, table, cols, rows)
            conn.execute(
                "INSERT INTO store_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (f"migrated_from_sqlite:{source}", iso(utc_now())),
            )
    except MigrateError:
        raise
    except Exception as exc:  # the transaction rolled back: the server is as it was
        raise MigrateError(f"copy into {result.target} failed, nothing written: {type(exc).__name__}: {exc}") from None
    finally:
        conn.close()
    result.tables = _verify(plan, to_url, sites)
    if result.ok:  # searchable at once, as on SQLite (the index is the server's own: not copied, built)
        with PgStore(to_url) as store:
            result.indexed = search.rebuild(store.db)
    return result


def _verify(plan: list[tuple[str, list[str], list[tuple[Any, ...]]]], to_url: str, sites: list[str]) -> list[TableResult]:
    """Read every copied row back over a new connection and compare it with the source's."""
    conn = Connection(to_url, application_name="northnews-migrate-store-verify")
    out = []
    try:
        for table, cols, rows in plan:
            quoted = ", ".join(f'"{c}"' for c in cols)
            if table in DIGEST_TABLES:
                key = _KEYS[table]
                at = cols.index(key)
                got = conn.execute(f"SELECT {quoted} FROM {table} WHERE {key} = ANY(?)", ([r[at] for r in rows],)).fetchall()
                want = sorted(rows, key=lambda r: r[at])
                got = sorted((tuple(r) for r in got), key=lambda r: r[at])
            else:
                marks = ", ".join("?" for _ in sites) or "NULL"
                order = "id" if table in IDENTITY_TABLES else cols[0]
                got = [tuple(r) for r in conn.execute(
                    f"SELECT {quoted} FROM {table} WHERE site IN ({marks}) ORDER BY {order}", sites)]
                want = rows if table in IDENTITY_TABLES else sorted(rows, key=lambda r: r[0])
            out.append(TableResult(table, len(rows), len(got), list(got) == list(want), _rows_digest(want)))
    finally:
        conn.close()
    return out


__all__ = ["MigrateError", "Migration", "StoreError", "migrate_store"]
