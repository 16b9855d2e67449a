"""The archive's own bookkeeping in SQLite: payload digests for revisits, and a file manifest.

``warc_digests`` holds, per URL, the payload digest of its last full capture and where that
record is, so that a later capture with the same payload (in this crawl or any later one) is
written as a ``revisit`` record pointing at it. ``warc_files`` is the manifest of closed WARC
files (size, sha1, record count): ``northnews-archive check`` compares each file with it, which
catches a file cut at a record boundary, the one damage no reader can see.

The database lives in the WARC directory (``<NORTHNEWS_ARCHIVE_DIR>/warc/digests.sqlite3``), in
WAL mode so that readers (``northnews-archive``) never block a running crawl.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from northnews.util import storeguard

DB_NAME = "digests.sqlite3"

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

    @storeguard.guarded(sqlite3.DatabaseError, db_attr="_db")  # one line for a damaged/busy/read-only file
    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # The writer lives on the reactor thread; CLI tools open their own connection.
        self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL: WAL commits survive a process kill (the case that matters) without an fsync.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self._pending = 0
        self._started = 0.0

    @classmethod
    def for_warc_dir(cls, warc_dir: str | os.PathLike[str]) -> DigestIndex:
        return cls(Path(warc_dir) / DB_NAME)

    def last(self, url: str) -> Capture | None:
        row = self._db.execute(
            "SELECT url, payload_digest, record_id, warc_date, file, offset, status "
            "FROM warc_digests WHERE url = ?",
            (url,),
        ).fetchone()
        return Capture(*row) if row else None

    def record(self, capture: Capture) -> None:
        if not self._db.in_transaction:
            self._db.execute("BEGIN")
            self._started = time.monotonic()
        self._db.execute(
            "INSERT OR REPLACE INTO warc_digests "
            "(url, payload_digest, record_id, warc_date, file, offset, status) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
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
            "DELETE FROM warc_digests WHERE file = ? AND offset >= ?", (file, offset)
        )
        self.commit()
        return cur.rowcount

    def add_file(self, name: str, size: int, sha1: str, records: int, closed_at: str, how: str) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO warc_files (name, size, sha1, records, closed_at, how) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (name, size, sha1, records, closed_at, how),
        )
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
