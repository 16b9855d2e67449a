"""What the archive view reads: the store, opened read-only, and the run manifests beside it.

Nothing here writes: the store is opened with SQLite's ``mode=ro`` (a write would fail), or, for a
store of record on PostgreSQL (``NORTHNEWS_STORE_URL``), over connections whose every transaction
is read-only (``default_transaction_read_only``); the manifests are only read, and images come
from the WARCs through the replay reader (which indexes a file without an up-to-date index into a
temporary directory, never beside the file). The SQL is the same on both backends but for a JSON
field (:meth:`ArchiveData.json_text`).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from northnews.archive.warcreplay import WarcSource
from northnews.ops import search
from northnews.ops.pending import PendingArticles
from northnews.ops.store import DB_ERRORS, SCHEMA_VERSION, store_path
from northnews.util.pg import is_pg_url
from northnews.util.redact import redact_url
from northnews.util.urls import url_key


class ViewError(RuntimeError):
    """An archive the view cannot open; the message says why."""


@dataclass
class Version:
    id: int
    version: int
    first_seen: str
    fetched_at: str | None
    run_id: str | None
    digest: str
    warc_file: str | None
    warc_offset: int | None
    item: dict[str, Any]


@dataclass
class Article:
    url: str
    site: str
    first_seen: str
    last_seen: str
    versions: list[Version]
    captures: list[dict[str, Any]] = field(default_factory=list)

    @property
    def latest(self) -> Version:
        return self.versions[-1]


class _ReadOnlyStore:
    """What :class:`~northnews.ops.pending.PendingArticles` reads of a store: its connection."""

    def __init__(self, db: Any) -> None:
        self.db = db


class ArchiveData:
    """One archive directory, read-only. A connection per thread (the server answers requests on
    several); the WARC reader is shared behind a lock."""

    def __init__(self, archive_dir: str | Path, store_url: str | None = None) -> None:
        self.archive = Path(archive_dir).resolve()
        self.store_url = store_url if is_pg_url(store_url) else None
        self.store_file = store_path(self.archive)
        self.where = redact_url(self.store_url) if self.store_url else str(self.store_file)
        if self.store_url is None and not self.store_file.is_file():
            raise ViewError(f"{self.store_file}: no store of record (crawl first: northnews-cron or scrapy crawl articles)")
        self._local = threading.local()
        self._warc_lock = threading.Lock()
        self._warcs: WarcSource | None = None
        self._pg: Any = None
        self.db  # noqa: B018 - open once now, so a bad file is one error at start

    @property
    def db(self) -> Any:
        """SQLite: a connection per thread (the server answers each request on a thread of its
        own). PostgreSQL: one connection for all, which psycopg serialises (a connection per
        request would be a server process per request)."""
        db = getattr(self._local, "db", None) if self._pg is None else self._pg
        if db is None:
            db = self._connect_pg() if self.store_url else self._connect_sqlite()
            try:
                found = db.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()
            except DB_ERRORS as exc:
                db.close()
                raise ViewError(f"{self.where}: not a readable store: {str(exc).strip().splitlines()[0]}") from None
            if found is None or int(found[0]) != SCHEMA_VERSION:
                db.close()
                # Read-only: the view cannot migrate an older store, and must not guess at a newer one.
                raise ViewError(
                    f"{self.where}: store schema {found[0] if found else '?'}, this release reads"
                    f" {SCHEMA_VERSION}: {'open it once with `scrapy search --rebuild` (it migrates and indexes)' if found and int(found[0]) < SCHEMA_VERSION else 'upgrade northnews'}")
            if self.store_url:
                self._pg = db
            else:
                self._local.db = db
        return db

    def _connect_sqlite(self) -> sqlite3.Connection:
        try:
            db = sqlite3.connect(f"{self.store_file.as_uri()}?mode=ro", uri=True, timeout=30, check_same_thread=False)
        except sqlite3.DatabaseError as exc:
            raise ViewError(f"{self.store_file}: not a readable store: {exc}") from None
        db.row_factory = sqlite3.Row
        return db

    def _connect_pg(self) -> Any:
        import psycopg

        from northnews.util.pg import Connection

        assert self.store_url is not None
        try:
            db = Connection(self.store_url, application_name="northnews-serve")
            db.execute("SET default_transaction_read_only = on")  # every statement: a read-only transaction
        except psycopg.Error as exc:
            raise ViewError(f"{self.where}: cannot connect to the store: {str(exc).strip().splitlines()[0]}") from None
        return db

    def json_text(self, column: str, key: str) -> str:
        """SQL for the text of ``key`` in a JSON column, on this backend."""
        return f"({column}::jsonb ->> '{key}')" if self.store_url else f"json_extract({column}, '$.{key}')"

    # --- overview and search -----------------------------------------------------------------

    def sites(self) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT site, count(*) AS articles, min(first_seen) AS first, max(last_seen) AS last"
            " FROM articles GROUP BY site ORDER BY site").fetchall()
        out = []
        for row in rows:
            versions = self.db.execute("SELECT count(*) FROM article_versions WHERE site = ?", (row["site"],)).fetchone()
            out.append({**dict(row), "versions": int(versions[0]), **self.pending_counts(row["site"])})
        return out

    def search_coverage(self) -> search.Coverage:
        return search.coverage(self.db)

    def search(self, query: str, **kwargs: Any) -> list[search.Hit]:
        return search.search(self.db, query, **kwargs)

    # --- articles ------------------------------------------------------------------------------

    def article(self, url: str) -> Article | None:
        row = self.db.execute("SELECT * FROM articles WHERE url = ?", (url,)).fetchone()
        if row is None:
            return None
        versions = [
            Version(r["id"], r["version"], r["first_seen"], r["fetched_at"], r["run_id"], r["content_digest"],
                    r["warc_file"], r["warc_offset"], json.loads(r["item_json"]))
            for r in self.db.execute("SELECT * FROM article_versions WHERE url = ? ORDER BY version", (url,))
        ]
        captures = [dict(r) for r in self.db.execute(
            "SELECT version, outcome, seen_at, fetched_at, warc_file, warc_offset, run_id FROM article_captures"
            " WHERE url = ? ORDER BY id", (url,))]
        return Article(row["url"], row["site"], row["first_seen"], row["last_seen"], versions, captures)

    def stored_url(self, url: str) -> str | None:
        """The stored article a reader's URL means, when it is not stored as written: the same
        article under the other scheme (http/https) or host spelling, or the article an alias (a
        URL that redirected to it, :mod:`northnews.ops.aliases`) leads to. None: not archived."""
        key = url_key(url)
        row = self.db.execute("SELECT url FROM articles WHERE url_key = ? ORDER BY first_seen LIMIT 1", (key,)).fetchone()
        if row is None:
            try:
                alias = self.db.execute("SELECT target, target_key FROM article_aliases WHERE url_key = ?"
                                        " ORDER BY last_seen DESC LIMIT 1", (key,)).fetchone()
            except DB_ERRORS:  # a store no release with aliases has opened yet: no such table
                alias = None
            if alias is not None:
                row = self.db.execute("SELECT url FROM articles WHERE url_key = ? ORDER BY first_seen LIMIT 1",
                                      (alias[1],)).fetchone()
        return row[0] if row is not None and row[0] != url else None

    def recent(self, site: str | None = None, section: str | None = None, limit: int = 50,
               offset: int = 0) -> list[dict[str, Any]]:
        """Latest versions, latest published first (undated last, on both backends)."""
        where, params = ["v.version = a.latest_version"], []
        if site is not None:
            where.append("v.site = ?")
            params.append(site)
        if section is not None:
            where.append(f"coalesce({self.json_text('v.item_json', 'section')}, '') = ?")
            params.append(section)
        rows = self.db.execute(
            "SELECT v.url, v.title, v.published, v.site, a.latest_version FROM article_versions v"
            " JOIN articles a ON a.url = v.url WHERE " + " AND ".join(where)
            + " ORDER BY v.published DESC NULLS LAST, v.url LIMIT ? OFFSET ?", (*params, limit, offset)).fetchall()
        return [dict(r) for r in rows]

    def changed(self, limit: int = 20) -> list[dict[str, Any]]:
        """Articles stored in more than one version, latest change first."""
        rows = self.db.execute(
            "SELECT a.url, a.site, a.latest_version, v.title, v.first_seen FROM articles a JOIN article_versions v"
            " ON v.url = a.url AND v.version = a.latest_version WHERE a.latest_version > 1"
            " ORDER BY v.first_seen DESC LIMIT ?", (limit,)).fetchall()
        return [dict(r) for r in rows]

    def section_days(self, site: str) -> dict[str, dict[date, int]]:
        """Articles (latest versions) per section and day of publication, as printed."""
        out: dict[str, dict[date, int]] = {}
        for row in self.db.execute(
            f"SELECT coalesce({self.json_text('v.item_json', 'section')}, '') AS section,"
            " substr(v.published, 1, 10) AS day, count(*) AS n FROM article_versions v"
            " JOIN articles a ON a.url = v.url AND v.version = a.latest_version"
            " WHERE v.site = ? AND v.published IS NOT NULL GROUP BY section, day", (site,)):
            try:
                day = date.fromisoformat(row["day"])
            except (TypeError, ValueError):
                continue
            out.setdefault(row["section"], {})[day] = int(row["n"])
        return dict(sorted(out.items(), key=lambda kv: -sum(kv[1].values())))

    # --- runs and pending --------------------------------------------------------------------------

    def runs(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The runs the store recorded, oldest first, with their manifests (``runs/<id>.json``) when
        there are; manifests of runs the store does not know (a crash before it) too. ``limit``:
        only the latest so many (an archive of a year of hourly runs has thousands of manifests,
        read at each page view otherwise)."""
        sql = "SELECT * FROM runs ORDER BY id DESC" + (" LIMIT ?" if limit else "")
        seen = {run["run_id"]: {"run_id": run["run_id"], "store": run, "manifest": None}
                for run in map(_run_row, self.db.execute(sql, (limit,) if limit else ()))}
        runs_dir = self.archive / "runs"
        paths = sorted(runs_dir.glob("*.json")) if runs_dir.is_dir() else []  # run ids sort by time
        for path in paths[-limit:] if limit else paths:
            manifest = _manifest(path)
            if manifest is None:
                continue
            run_id = str(manifest.get("run_id") or path.stem)
            seen.setdefault(run_id, {"run_id": run_id, "store": None, "manifest": None})
            seen[run_id].update(_with_manifest(manifest, path))
        for entry in seen.values():
            entry.update(_run_summary(entry))
        ordered = sorted(seen.values(), key=lambda e: e["started"] or "")
        return ordered[-limit:] if limit else ordered

    def run_count(self) -> int:
        """Runs the store recorded or whose manifest (``runs/<run id>.json``) is there: no file read."""
        runs_dir = self.archive / "runs"
        files = {p.stem for p in runs_dir.glob("*.json")} if runs_dir.is_dir() else set()
        return len(files | {r[0] for r in self.db.execute("SELECT run_id FROM runs")})

    def run(self, run_id: str) -> dict[str, Any] | None:
        """One run: its store row and its manifest, read alone."""
        row = self.db.execute("SELECT * FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        entry: dict[str, Any] = {"run_id": run_id, "store": _run_row(row) if row else None, "manifest": None}
        path = self.archive / "runs" / f"{run_id}.json"
        manifest = _manifest(path) if "/" not in run_id and path.is_file() else None
        if manifest is not None:
            entry.update(_with_manifest(manifest, path))
        elif row is None:
            return None
        entry.update(_run_summary(entry))
        return entry

    def pending(self, status: str | None = None) -> list[dict[str, Any]]:
        rows = PendingArticles(_ReadOnlyStore(self.db)).rows(status=status)  # type: ignore[arg-type]
        return [row.as_dict() for row in rows]

    def pending_counts(self, site: str | None = None) -> dict[str, int]:
        try:
            return PendingArticles(_ReadOnlyStore(self.db)).counts(site)  # type: ignore[arg-type]
        except sqlite3.OperationalError:  # a store of the first release: no pending table yet (SQLite only)
            return {"pending": 0, "failed": 0}

    # --- WARC payloads -----------------------------------------------------------------------------

    def capture(self, url: str) -> tuple[int, str, bytes] | None:
        """The latest archived response for ``url``: status, content type, decoded body."""
        with self._warc_lock:
            if self._warcs is None:
                self._warcs = WarcSource(self.archive)
            hit = self._warcs.lookup(url)
        if hit is None:
            return None
        headers = {k.lower(): v for k, v in hit.headers}
        body = hit.body
        encoding = headers.get("content-encoding", "").strip().lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            try:
                body = zlib.decompress(body, 47 if "gzip" in encoding else 15)
            except zlib.error:
                return None
        return hit.status, headers.get("content-type", "application/octet-stream"), body

    def close(self) -> None:
        if self._warcs is not None:
            self._warcs.close()
        if self._pg is not None:
            self._pg.close()
            self._pg = None


def _run_row(row: Any) -> dict[str, Any]:
    run = dict(row)
    run["stats"] = json.loads(run.pop("stats_json") or "null")
    run["args"] = json.loads(run.pop("args_json") or "null")
    return run


def _manifest(path: Path) -> dict[str, Any] | None:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _with_manifest(manifest: dict[str, Any], path: Path) -> dict[str, Any]:
    report = path.with_suffix(".html")
    return {"manifest": manifest, "report": report.name if report.is_file() else None}


def _run_summary(entry: dict[str, Any]) -> dict[str, Any]:
    """The figures the timeline shows, from the manifest, else from the store's run row."""
    m = entry.get("manifest") or {}
    s = entry.get("store") or {}
    stats = s.get("stats") or {}
    articles = m.get("articles") or {}
    new = articles.get("new", stats.get("northnews/store/new", 0))
    updated = articles.get("updated", stats.get("northnews/store/updated", 0))
    return {
        "site": m.get("site") or s.get("site"),
        "started": m.get("started") or s.get("started_at"),
        "ended": m.get("ended") or s.get("ended_at"),
        "status": m.get("status") or s.get("status"),
        "exit_code": m.get("exit_code"),
        "reason": m.get("reason"),
        "new": int(new or 0),
        "updated": int(updated or 0),
        "unchanged": int(articles.get("unchanged", stats.get("northnews/store/unchanged", 0)) or 0),
        "rejected": int(articles.get("rejected", 0) or 0),
        "errors": int((m.get("errors") or {}).get("total", 0) or 0),
        "pages": int((m.get("pages") or {}).get("fetched", 0) or 0),
        "drift_flagged": bool((m.get("drift") or {}).get("flagged")),
    }


def day_range(days: dict[date, int]) -> list[date]:
    if not days:
        return []
    first, last = min(days), max(days)
    return [first + timedelta(n) for n in range((last - first).days + 1)]
