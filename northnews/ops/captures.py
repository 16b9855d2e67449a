"""Stored articles whose capture became unreadable are fetched again.

When an archive tool reads past a damaged span of a WARC file (:mod:`northnews.archive.scan`), or
replay finds a record unreadable where its index says it is, the store of record may still name
that record as the capture of an article's latest version. Such an article is stored, so nothing
would ever fetch it again: this module makes it pending (reason ``capture_unreadable``, due now,
attempts from 0), which the next run fetches like any pending article; its new capture then
resolves it (the stored text is kept as a version). ``northnews-archive check``, ``index``,
``list`` and ``extract`` call it with the spans they read past.
"""

from __future__ import annotations

import os
from pathlib import Path

from northnews.ops.store import Store, iso, store_path
from northnews.util.urls import url_key

REASON = "capture_unreadable"


def requeue_unreadable(archive_dir: str | os.PathLike[str],
                       spans: list[tuple[str, int, int | None]]) -> list[str]:
    """Make pending the stored articles whose latest capture lies in one of ``spans`` (WARC file
    name as in provenance pointers, start offset, end offset or None for "to the end"); returns
    their URLs. Without a store, nothing to do."""
    path = store_path(Path(archive_dir))
    if not spans or not path.is_file():
        return []
    found: list[str] = []
    with Store(path) as store:
        now = iso(store.clock())
        with store.transaction() as db:
            for name, start, end in spans:
                rows = db.execute(
                    "SELECT v.url, a.site, v.warc_offset FROM articles a JOIN article_versions v"
                    " ON v.url = a.url AND v.version = a.latest_version"
                    " WHERE v.warc_file = ? AND v.warc_offset >= ? AND (? IS NULL OR v.warc_offset < ?)",
                    (name, start, end, end),
                ).fetchall()
                for url, site, offset in rows:
                    detail = f"capture {name} offset {offset} unreadable: fetched again"
                    db.execute(
                        "INSERT INTO article_pending (url, url_key, site, status, reason, detail, attempts,"
                        " first_seen, last_attempt, next_attempt, run_id)"
                        " VALUES (?, ?, ?, 'pending', ?, ?, 0, ?, ?, ?, NULL)"
                        " ON CONFLICT (url) DO UPDATE SET status = 'pending', reason = excluded.reason,"
                        " detail = excluded.detail, next_attempt = excluded.next_attempt",
                        (url, url_key(url), site, REASON, detail, now, now, now),
                    )
                    found.append(url)
    return found
