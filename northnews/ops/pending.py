"""Pending articles: every fetched article URL ends stored complete, or pending with a reason.

An article URL whose fetch did not become a complete item (a soft 404, an empty 200, page 2 of
a split article missing, a timeout, a validation reject…; the reasons are listed in
:mod:`northnews.pagecheck`) gets a row in the store's ``article_pending`` table: its reason and
detail, how many attempts were made, and when it may be fetched again. The next run fetches it
again whatever the list pages say (the spider asks for the due ones at start, with the
``articles_wanted`` signal); the run after the first failure may retry at once, later ones back off
exponentially (``NORTHNEWS_PENDING_BACKOFF`` × 2^(attempts−2) seconds after the last attempt), never
longer than ``NORTHNEWS_PENDING_BACKOFF_MAX``. That bound also guards against the clock: a row
whose next attempt lies further than the bound past now was dated by a clock that ran ahead and
was corrected (a pending article waiting for 2046); at the start of a run it is made due now, with
a WARNING, instead of waiting for that date.
After ``NORTHNEWS_PENDING_MAX_ATTEMPTS`` attempts the row is ``failed``: known (not fetched again),
listed by ``scrapy pending``, and retried only with ``-a retry_failed=1``. Storing the article deletes
its row. A pending row that is not yet due counts as known, so list pages do not fetch it early.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from northnews.util.urls import url_key

if TYPE_CHECKING:
    from northnews.ops.storebase import StoreBase

DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_BACKOFF = 3600.0
DEFAULT_BACKOFF_MAX = 7 * 86400.0


@dataclass(frozen=True)
class Policy:
    """How often and how soon a pending article is fetched again."""

    max_attempts: int = DEFAULT_MAX_ATTEMPTS
    backoff: float = DEFAULT_BACKOFF
    backoff_max: float = DEFAULT_BACKOFF_MAX

    @classmethod
    def from_settings(cls, settings: Any) -> Policy:
        return cls(
            settings.getint("NORTHNEWS_PENDING_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS),
            settings.getfloat("NORTHNEWS_PENDING_BACKOFF", DEFAULT_BACKOFF),
            settings.getfloat("NORTHNEWS_PENDING_BACKOFF_MAX", DEFAULT_BACKOFF_MAX),
        )

    def delay(self, attempts: int) -> float | None:
        """Seconds after attempt number ``attempts`` before the next one (at most ``backoff_max``);
        ``None``: give up (failed)."""
        if attempts >= self.max_attempts:
            return None
        if attempts <= 1:
            return 0.0
        # 2 ** n overflows a float (and timedelta) long before max_attempts could stop it.
        exponent = min(attempts - 2, 64)
        return min(self.backoff * 2.0 ** exponent, self.backoff_max)


@dataclass(frozen=True)
class PendingRow:
    url: str
    site: str
    status: str  # "pending" | "failed"
    reason: str
    detail: str | None
    attempts: int
    first_seen: str
    last_attempt: str
    next_attempt: str | None
    run_id: str | None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class PendingArticles:
    """The ``article_pending`` table of one store."""

    def __init__(self, store: StoreBase, policy: Policy | None = None) -> None:
        self.store = store
        self.policy = policy or Policy()

    def _now(self) -> datetime:
        return self.store.clock()

    def record(
        self, url: str, reason: str, detail: str = "", *, site: str, run_id: str | None = None
    ) -> PendingRow | None:
        """One more failed attempt for ``url``; ``None`` when the article is stored already (a
        failed refresh of a stored article leaves the stored version as it is)."""
        from northnews.ops.store import iso

        now = self._now()
        key = url_key(url)
        with self.store.transaction() as db:
            if db.execute("SELECT 1 FROM articles WHERE site = ? AND url_key = ?", (site, key)).fetchone():
                return None
            row = db.execute(
                "SELECT url, attempts, first_seen FROM article_pending WHERE site = ? AND url_key = ?", (site, key)
            ).fetchone()
            attempts = (int(row["attempts"]) if row else 0) + 1
            delay = self.policy.delay(attempts)
            status = "failed" if delay is None else "pending"
            next_attempt = None if delay is None else iso(now + timedelta(seconds=delay))
            values = (status, reason, (detail or "")[:1000], attempts, iso(now), next_attempt, run_id)
            if row is None:
                db.execute(
                    "INSERT INTO article_pending (status, reason, detail, attempts, last_attempt, next_attempt,"
                    " run_id, url, url_key, site, first_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (*values, url, key, site, iso(now)),
                )
            else:
                url = row["url"]
                db.execute(
                    "UPDATE article_pending SET status = ?, reason = ?, detail = ?, attempts = ?, last_attempt = ?,"
                    " next_attempt = ?, run_id = ? WHERE url = ?",
                    (*values, url),
                )
        return self.get(url, site)

    def get(self, url: str, site: str) -> PendingRow | None:
        row = self.store.db.execute(
            "SELECT * FROM article_pending WHERE site = ? AND url_key = ?", (site, url_key(url))
        ).fetchone()
        return _row(row) if row else None

    def clamp_future(self, site: str, now: datetime | None = None) -> list[tuple[str, str]]:
        """Pending rows of ``site`` due further than ``backoff_max`` past now (a clock that ran ahead
        and was corrected backwards): made due now. Returns ``(url, the date they carried)``."""
        from northnews.ops.store import iso

        now = now or self._now()
        limit = iso(now + timedelta(seconds=self.policy.backoff_max))
        with self.store.transaction() as db:
            rows = [(r[0], r[1]) for r in db.execute(
                "SELECT url, next_attempt FROM article_pending WHERE site = ? AND status = 'pending'"
                " AND next_attempt > ? ORDER BY url", (site, limit),
            )]
            if rows:
                db.execute(
                    "UPDATE article_pending SET next_attempt = ? WHERE site = ? AND status = 'pending'"
                    " AND next_attempt > ?", (iso(now), site, limit),
                )
        return rows

    def due(self, site: str, now: datetime | None = None) -> list[str]:
        """Pending URLs of ``site`` whose next attempt has come, oldest first."""
        from northnews.ops.store import iso

        when = iso(now or self._now())
        return [r[0] for r in self.store.db.execute(
            "SELECT url FROM article_pending WHERE site = ? AND status = 'pending' AND next_attempt <= ?"
            " ORDER BY first_seen, url", (site, when),
        )]

    def requeue_failed(self, site: str, run_id: str | None = None) -> int:
        """``-a retry_failed``: every failed URL of ``site`` pending again, due now, attempts from 0."""
        from northnews.ops.store import iso

        with self.store.transaction() as db:
            cursor = db.execute(
                "UPDATE article_pending SET status = 'pending', attempts = 0, next_attempt = ?, run_id = ?"
                " WHERE site = ? AND status = 'failed'", (iso(self._now()), run_id, site),
            )
        changed: int = cursor.rowcount
        return changed

    def rows(self, site: str | None = None, status: str | None = None) -> list[PendingRow]:
        where, params = [], []
        if site:
            where.append("site = ?")
            params.append(site)
        if status:
            where.append("status = ?")
            params.append(status)
        sql = "SELECT * FROM article_pending" + (" WHERE " + " AND ".join(where) if where else "")
        return [_row(r) for r in self.store.db.execute(sql + " ORDER BY site, status, first_seen, url", params)]

    def counts(self, site: str | None = None) -> dict[str, int]:
        sql = "SELECT status, count(*) FROM article_pending" + (" WHERE site = ?" if site else "") + " GROUP BY status"
        found = {row[0]: int(row[1]) for row in self.store.db.execute(sql, (site,) if site else ())}
        return {"pending": found.get("pending", 0), "failed": found.get("failed", 0)}


def _row(row: Any) -> PendingRow:
    return PendingRow(**{name: row[name] for name in PendingRow.__dataclass_fields__})
