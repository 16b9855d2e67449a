"""The archive's own bookkeeping in SQLite: payload digests for revisits, and a file manifest.

``warc_digests`` holds, per URL, the payload digest of its last full capture and where that
record is, so that a later capture with the same payload (in this crawl or any later one) is
written as a ``revisit`` record pointing at it. ``warc_files`` is the manifest of closed WARC
files (size, sha1, record count): ``northnews-archive check`` compares each file with it, which
catches a file cut at a record boundary, the one damage no reader can see.

The database lives in the WARC directory (``<NORTHNEWS_ARCHIVE_DIR>/warc/digests.sqlite3``), in
WAL mode so that readers (``northnews-archive``) never block a running crawl. With a PostgreSQL
store of record (``NORTHNEWS_STORE_URL=postgresql://…``) both tables live on that server instead
(:class:`PgDigestIndex`, same columns), shared by every worker of a fleet: a revisit written on one
worker refers to a capture another worker wrote, and ``warc_files`` is the manifest of every
file of the fleet (names are unique across workers, see :mod:`northnews.archive.files`).
"""

from __future__ import annotations

import os
import re
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from northnews.util import storeguard
from northnews.util.pg import is_pg_url

DB_NAME = "digests.sqlite3"

try:  # what a failing index raises, on either backend (callers go on without a revisit)
    import psycopg

    INDEX_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)
except ImportError:  # pragma: no cover
    INDEX_ERRORS = (sqlite3.Error,)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS warc_digests (
    url TEXT PRIMARY KEY,
    payload_digest TEXT NOT NULL,
    record_id TEXT NOT NULL,
    warc_date TEXT NOT NULL,
    file TEXT NOT NULL,
    offset INTEGER NOT NULL,
    status INTEGER
);
CREATE INDEX IF NOT EXISTS warc_digests_file ON warc_digests (file, offset);
CREATE TABLE IF NOT EXISTS warc_files (
    name TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    sha1 TEXT NOT NULL,
    records INTEGER NOT NULL,
    closed_at TEXT NOT NULL,
    how TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Capture:
    """The last full (non-revisit) capture of a URL."""

    url: str
    payload_digest: str
    record_id: str
    warc_date: str
    file: str
    offset: int
    status: int | None


class DigestIndex:
    # Captures are committed in batches: a commit per capture cost ~45 us, a fifth of the
    # writer's time per page. Losing the last batch to a kill is harmless: those URLs are just
    # stored in full next time instead of as revisits. An entry never points to a record that
    # is not on disk, because it is added after the record was written and flushed. A batch is
    # also closed after MAX_HOLD seconds, so a concurrent crawl on the same archive never waits
    # long for the write lock.
    BATCH = 256
    MAX_HOLD = 1.0

    #: Where it is, for messages.
    where: str

    @storeguard.guarded(sqlite3.DatabaseError, db_attr="_db")  # one line for a damaged/busy/read-only file
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The writer lives on the reactor thread; CLI tools open their own connection.
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL: WAL commits survive a process kill (the case that matters) without an fsync.
        self._db.execute("PRAGMA synchronous=NORMAL")
        # A 256 KiB page cache, not SQLite's 2 MB: one lookup and one insert per response are
        # random B-tree paths, as fast with it (50,000 of each: 1.4 s either way), and a crawl's
        # memory no longer grows with the index until the default cache is full (+1.8 MB by 10,000
        # captures).
        self._db.execute("PRAGMA cache_size=-256")
        self._db.executescript(_SCHEMA)
        self._pending = 0
        self._started = 0.0

    @classmethod
    def for_warc_dir(cls, warc_dir: str | os.PathLike[str]) -> DigestIndex:
        return cls(Path(warc_dir) / DB_NAME)

    def last(self, url: str) -> Capture | None:
        row = self._db.execute(
            'SELECT url, payload_digest, record_id, warc_date, file, "offset", status '
            "FROM warc_digests WHERE url = ?",
            (url,),
        ).fetchone()
        return Capture(*row) if row else None

    #: One statement per backend (SQLite's INSERT OR REPLACE is PostgreSQL's ON CONFLICT … UPDATE).
    RECORD_SQL = (
        'INSERT OR REPLACE INTO warc_digests (url, payload_digest, record_id, warc_date, file, "offset", status) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    ADD_FILE_SQL = (
        "INSERT OR REPLACE INTO warc_files (name, size, sha1, records, closed_at, how) VALUES (?, ?, ?, ?, ?, ?)"
    )

    def _begin(self) -> None:
        self._db.execute("BEGIN")

    def record(self, capture: Capture) -> None:
        if not self._db.in_transaction:
            self._begin()
            self._started = time.monotonic()
        self._db.execute(
            self.RECORD_SQL,
            (
                capture.url,
                capture.payload_digest,
                capture.record_id,
                capture.warc_date,
                capture.file,
                capture.offset,
                capture.status,
            ),
        )
        self._pending += 1
        if self._pending >= self.BATCH or time.monotonic() - self._started > self.MAX_HOLD:
            self.commit()

    def commit(self) -> None:
        if self._db.in_transaction:
            self._db.execute("COMMIT")
        self._pending = 0

    def forget_from(self, file: str, offset: int) -> int:
        """Drop captures at or after ``offset`` in ``file`` (records lost to a kill)."""
        cur = self._db.execute(
            'DELETE FROM warc_digests WHERE file = ? AND "offset" >= ?', (file, offset)
        )
        self.commit()
        return cur.rowcount

    def add_file(self, name: str, size: int, sha1: str, records: int, closed_at: str, how: str) -> None:
        self._db.execute(self.ADD_FILE_SQL, (name, size, sha1, records, closed_at, how))
        self.commit()

    def file_entry(self, name: str) -> tuple[int, str, int] | None:
        """``(size, sha1, records)`` of a closed file, as recorded when it was closed."""
        row = self._db.execute(
            "SELECT size, sha1, records FROM warc_files WHERE name = ?", (name,)
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def close(self) -> None:
        self.commit()
        self._db.close()


class PgDigestIndex(DigestIndex):
    """The same two tables on the fleet's PostgreSQL server (``NORTHNEWS_STORE_URL``).

    Batches are transactions, as in SQLite: a capture becomes visible to other workers within
    ``MAX_HOLD`` seconds (the committer calls :meth:`commit` every second). ``record`` replaces a
    URL's entry whoever wrote it last, so the latest full capture in the fleet is the one a revisit
    points at.
    """

    RECORD_SQL = (
        'INSERT INTO warc_digests (url, payload_digest, record_id, warc_date, file, "offset", status)'
        " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET payload_digest = excluded.payload_digest,"
        " record_id = excluded.record_id, warc_date = excluded.warc_date, file = excluded.file,"
        ' "offset" = excluded."offset", status = excluded.status'
    )
    ADD_FILE_SQL = (
        "INSERT INTO warc_files (name, size, sha1, records, closed_at, how) VALUES (?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET size = excluded.size, sha1 = excluded.sha1,"
        " records = excluded.records, closed_at = excluded.closed_at, how = excluded.how"
    )

    def __init__(self, url: str) -> None:  # noqa: B042 - no super().__init__: no file to open
        from northnews.util.pg import ADVISORY_LOCK, Connection
        from northnews.util.redact import redact_url

        self.path = None  # type: ignore[assignment]
        self.where = redact_url(url)
        # Not autocommit: a batch of captures is one transaction, committed by commit().
        self._db: Any = Connection(url, autocommit=False, application_name="northnews-digests")
        self._db.execute(ADVISORY_LOCK, ("northnews digest schema",))
        self._db.execute(pg_digest_schema())
        self._db.commit()
        self._pending = 0
        self._started = 0.0

    def _begin(self) -> None:
        pass  # psycopg opens the transaction with the first statement

    def commit(self) -> None:
        if self._db.in_transaction:
            self._db.commit()
        self._pending = 0


def pg_digest_schema() -> str:
    """:data:`_SCHEMA` for PostgreSQL: ``"offset"`` quoted (a keyword there), ``BIGINT``, byte-wise text."""
    text = re.sub(r"\boffset INTEGER", '"offset" INTEGER', _SCHEMA)
    text = re.sub(r"\(file, offset\)", '(file, "offset")', text)
    text = re.sub(r"\bINTEGER\b", "BIGINT", text)
    return re.sub(r"\bTEXT\b", 'TEXT COLLATE "C"', text)


def open_digest_index(warc_dir: str | os.PathLike[str], store_url: str | None = None) -> DigestIndex:
    """The digest index and file manifest of an archive: beside its WARCs, or on the store's
    PostgreSQL server when ``store_url`` is ``postgresql://…``."""
    if store_url and is_pg_url(store_url):
        return PgDigestIndex(store_url)
    return DigestIndex.for_warc_dir(warc_dir)
