"""The store's schema, its version, and the in-place migrations from older versions.

Schema 1 (the first release) had no ``site`` column; schema 2 adds it to every table with the
value ``northnews``, the only portal that release crawled; schema 3 adds ``article_pending``.
Migrations only ever add: ``ALTER TABLE … ADD COLUMN`` rewrites no row and fires no trigger, and
no table is dropped. A store written by a newer release is refused
with a message saying so.

The same schema serves both backends of the store (:mod:`northnews.ops.store`): SQLite as
written here, PostgreSQL as :func:`pg_schema` derives it from this text (``BIGINT`` for
``INTEGER``, identity columns, text compared byte-wise with ``COLLATE "C"`` as SQLite does, the
insert-only triggers as PL/pgSQL), so a table or column added here exists in both.

Tables (the WARC writer's digest index lives apart, in ``warc/digests.sqlite3``, or beside these
tables on a PostgreSQL server, see :mod:`northnews.archive.digests`):

``articles``
    one row per article URL: when it was first and last seen, its latest version and digest.
``article_versions``
    one row per *version* of an article — the item as JSON, its content digest, title,
    published, WARC pointer. Insert-only: triggers refuse UPDATE and DELETE, so a version is
    never overwritten in place. A new version is written exactly when the content digest
    differs from the latest version's.
``article_captures``
    one row per time an article was processed (``new``, ``updated`` or ``unchanged``), with
    the WARC pointer of that capture. A version's ``last_seen`` is its latest capture.
``article_pending`` (schema 3)
    article URLs fetched but not stored complete, one row per URL: ``status`` ``pending`` (to be
    fetched again, from ``next_attempt`` on) or ``failed`` (after ``NORTHNEWS_PENDING_MAX_ATTEMPTS``
    attempts), the ``reason`` (see :mod:`northnews.pagecheck`), its ``detail``, ``attempts``. A row
    is deleted when the article is stored (:mod:`northnews.ops.pending`).
``article_rejects`` (schemas 1-2, kept as written)
    URLs fetched but not stored, which those releases counted as known forever. Schema 3 reads
    nothing from it: migrating copies each row into ``article_pending`` as pending and due, so
    that the next run fetches every one of them again (a transient glitch is no longer a
    permanent hole).
``article_aliases`` (added beside schema 3, no version change: created on open, nothing else touched)
    article URLs that redirect to another article (:mod:`northnews.ops.aliases`), one row per URL
    and site: the ``target`` (stored under its own URL in ``articles``), first and last seen, the
    run that saw it last. The alias's fate is its target's; earlier releases ignore the table.
``runs``
    one row per crawl: status, whether it walked every list page cleanly (``complete``),
    and its final stats. Incremental runs stop paginating a section at an all-known list page
    only when the previous run was complete.

Every row carries the ``site`` (profile name) it belongs to: one archive may hold several
portals, and "already archived?" is asked per site. Schema 1 (the first release, one portal,
no site column) is migrated in place on first open: a ``site`` column is added with the value
``northnews`` (the only portal that release crawled); no row is rewritten or dropped. A store
written by a newer release is refused with a message saying so.
"""

from __future__ import annotations

import re
import sqlite3

STORE_NAME = "northnews.sqlite3"
SCHEMA_VERSION = 3
#: The site of every row a schema-1 store holds: the first release crawled northnews.cn only.
V1_SITE = "northnews"
_SITE_TABLES = ("articles", "article_versions", "article_captures", "article_rejects", "runs")


class StoreError(RuntimeError):
    """A store this release cannot open (newer schema, not a store); the message says why."""

SCHEMA = """
CREATE TABLE IF NOT EXISTS store_meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS articles (
    url TEXT PRIMARY KEY,
    url_key TEXT NOT NULL,
    site TEXT NOT NULL DEFAULT 'northnews',
    edition TEXT,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    latest_version INTEGER NOT NULL,
    latest_digest TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_url_key ON articles (url_key);
CREATE INDEX IF NOT EXISTS articles_site_url_key ON articles (site, url_key);
CREATE TABLE IF NOT EXISTS article_versions (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL REFERENCES articles (url),
    version INTEGER NOT NULL,
    content_digest TEXT NOT NULL,
    title TEXT,
    published TEXT,
    edition TEXT,
    first_seen TEXT NOT NULL,
    fetched_at TEXT,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_record_id TEXT,
    item_json TEXT NOT NULL,
    run_id TEXT,
    site TEXT NOT NULL DEFAULT 'northnews',
    UNIQUE (url, version)
);
CREATE INDEX IF NOT EXISTS article_versions_published ON article_versions (published);
CREATE TRIGGER IF NOT EXISTS article_versions_no_update BEFORE UPDATE ON article_versions
BEGIN SELECT RAISE(ABORT, 'article versions are never overwritten in place'); END;
CREATE TRIGGER IF NOT EXISTS article_versions_no_delete BEFORE DELETE ON article_versions
BEGIN SELECT RAISE(ABORT, 'article versions are never deleted'); END;
CREATE TABLE IF NOT EXISTS article_captures (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    version INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('new', 'updated', 'unchanged')),
    seen_at TEXT NOT NULL,
    fetched_at TEXT,
    warc_file TEXT,
    warc_offset INTEGER,
    warc_record_id TEXT,
    run_id TEXT,
    site TEXT NOT NULL DEFAULT 'northnews'
);
CREATE INDEX IF NOT EXISTS article_captures_version ON article_captures (url, version);
CREATE TABLE IF NOT EXISTS article_rejects (
    url TEXT PRIMARY KEY,
    url_key TEXT NOT NULL,
    reason TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    run_id TEXT,
    site TEXT NOT NULL DEFAULT 'northnews'
);
CREATE INDEX IF NOT EXISTS article_rejects_url_key ON article_rejects (url_key);
CREATE INDEX IF NOT EXISTS article_rejects_site_url_key ON article_rejects (site, url_key);
CREATE TABLE IF NOT EXISTS article_pending (
    url TEXT PRIMARY KEY,
    url_key TEXT NOT NULL,
    site TEXT NOT NULL DEFAULT 'northnews',
    status TEXT NOT NULL CHECK (status IN ('pending', 'failed')),
    reason TEXT NOT NULL,
    detail TEXT,
    attempts INTEGER NOT NULL,
    first_seen TEXT NOT NULL,
    last_attempt TEXT NOT NULL,
    next_attempt TEXT,
    run_id TEXT
);
CREATE INDEX IF NOT EXISTS article_pending_site_url_key ON article_pending (site, url_key);
CREATE INDEX IF NOT EXISTS article_pending_due ON article_pending (site, status, next_attempt);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL UNIQUE,
    pid INTEGER,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL,
    complete INTEGER NOT NULL DEFAULT 0,
    args_json TEXT,
    stats_json TEXT,
    note TEXT,
    site TEXT NOT NULL DEFAULT 'northnews'
);
CREATE TABLE IF NOT EXISTS article_aliases (
    url TEXT NOT NULL,
    url_key TEXT NOT NULL,
    site TEXT NOT NULL,
    target TEXT NOT NULL,
    target_key TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    run_id TEXT,
    PRIMARY KEY (site, url_key)
);
CREATE INDEX IF NOT EXISTS article_aliases_target ON article_aliases (site, target_key);
"""

#: The store's tables in the order rows must be copied (foreign keys first); ``store_meta`` apart.
DATA_TABLES = ("articles", "article_versions", "article_captures", "article_rejects", "article_pending", "runs",
               "article_aliases")
#: Tables whose ``id`` is assigned by the database (not copied by ``migrate-store``).
IDENTITY_TABLES = ("article_versions", "article_captures", "runs")

_PG_TRIGGERS = """
CREATE OR REPLACE FUNCTION northnews_versions_insert_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'article versions are never overwritten in place';
    END IF;
    RAISE EXCEPTION 'article versions are never deleted';
END $$;
CREATE OR REPLACE TRIGGER article_versions_no_update BEFORE UPDATE ON article_versions
FOR EACH ROW EXECUTE FUNCTION northnews_versions_insert_only();
CREATE OR REPLACE TRIGGER article_versions_no_delete BEFORE DELETE ON article_versions
FOR EACH ROW EXECUTE FUNCTION northnews_versions_insert_only();
"""


def pg_schema(schema: str = SCHEMA) -> str:
    """The PostgreSQL form of the SQLite ``schema``: same tables, columns, keys, checks, indexes."""
    text = re.sub(r"CREATE TRIGGER IF NOT EXISTS .*?END;\n", "", schema, flags=re.S)
    text = re.sub(r"\bINTEGER PRIMARY KEY( AUTOINCREMENT)?", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY", text)
    text = re.sub(r"\bINTEGER\b", "BIGINT", text)
    text = re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', text)
    return text + (_PG_TRIGGERS if "CREATE TABLE IF NOT EXISTS article_versions" in schema else "")


def migrate(db: sqlite3.Connection, found: int) -> None:
    """Bring a store at schema ``found`` to :data:`SCHEMA_VERSION`, inside the caller's transaction."""
    if found == 1:
        # ALTER TABLE … ADD COLUMN rewrites no row and fires no trigger: every article,
        # version, capture, reject and run is kept as written, now with its site.
        for table in _SITE_TABLES:
            db.execute(f"ALTER TABLE {table} ADD COLUMN site TEXT NOT NULL DEFAULT '{V1_SITE}'")
        found = 2
    if found == 2:
        _pending_from_rejects(db)
        found = 3
    db.execute("UPDATE store_meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION),))


def legacy_reason(text: str) -> str:
    """The reason code of a schema-1/2 reject: ``DropItem: missing_date: <url>`` → ``missing_date``."""
    text = (text or "").strip()
    if text.startswith("DropItem:"):
        text = text[len("DropItem:"):].strip()
    code = text.split(":", 1)[0].split()[0] if text else "unknown"
    return code if code.replace("_", "").isalnum() else "unknown"


def _pending_from_rejects(db: sqlite3.Connection) -> None:
    """Schema 2 → 3: every reject becomes a pending article, due at once (its row is kept)."""
    start = SCHEMA.index("CREATE TABLE IF NOT EXISTS article_pending")
    end = SCHEMA.index("CREATE TABLE IF NOT EXISTS runs")
    for statement in SCHEMA[start:end].split(";"):
        if statement.strip():
            db.execute(statement)
    rows = db.execute(
        "SELECT r.url, r.url_key, r.site, r.reason, r.first_seen, r.last_seen, r.run_id FROM article_rejects r"
        " WHERE NOT EXISTS (SELECT 1 FROM articles a WHERE a.site = r.site AND a.url_key = r.url_key)"
    ).fetchall()
    db.executemany(
        "INSERT OR IGNORE INTO article_pending (url, url_key, site, status, reason, detail, attempts, first_seen,"
        " last_attempt, next_attempt, run_id) VALUES (?, ?, ?, 'pending', ?, ?, 1, ?, ?, ?, ?)",
        [(r[0], r[1], r[2], legacy_reason(r[3]), r[3], r[4], r[5], r[5], r[6]) for r in rows],
    )
