"""The run report: ``runs/<run id>.html`` beside each run's manifest, one self-contained file
(inline CSS and SVG, no script, nothing fetched) a cron mail can attach or link, and the archive
view can serve as a run's page.

Its plots are :mod:`northnews.view.plots`, which draws the archive view's too.

What it shows: the run's outcome (status, exit code, reason, times), its figures (pages by kind and
status, articles new/updated/unchanged/rejected, errors by kind and rate, pending by reason, WARC
files, store totals), and plots: the articles the run stored new or changed per publication day
and section, failures (errors by kind, HTTP statuses >= 400), pending reasons, layout drift per
section against its thresholds, and the run history (the last :data:`HISTORY` manifests); then
the articles themselves (up to :data:`LISTED`) and the pending and failed ones the run left, with
their reasons. Everything comes from the manifest, the earlier manifests beside it, and the
SQLite store of record read-only (without a store, the store's parts say so).

``northnews-cron`` calls :func:`write_run_report` after writing the manifest; it never raises (a
report that cannot be written does not change how the run ended).
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import psycopg

from northnews.util.pg import Connection, is_pg_url
from northnews.view import plots

logger = logging.getLogger(__name__)
#: A store that cannot be read (either backend): the report says so, and is written all the same.
DB_ERRORS = (sqlite3.Error, psycopg.Error)

#: Earlier runs shown in the history plot.
HISTORY = 40
#: Articles and pending rows listed in full.
LISTED = 200
STORE_NAME = "northnews.sqlite3"
NO_SECTION = "(no section)"


@dataclass
class RunFacts:
    """What the store knows of one run, beyond its manifest."""

    store: bool = False  # a store was found and read
    per_day: dict[date, dict[str, int]] = field(default_factory=dict)  # publication day → section → n
    undated: int = 0
    articles: list[dict[str, Any]] = field(default_factory=list)  # new/updated: outcome, title, url, …
    articles_total: int = 0
    pending: list[dict[str, Any]] = field(default_factory=list)  # left pending/failed by this run
    pending_total: int = 0
    error: str | None = None


def run_facts(archive_dir: str | os.PathLike[str], run_id: str, *, store_url: str | None = None,
              db: Any = None) -> RunFacts:
    """The run's stored articles and pending rows, from the store of record read-only: ``db`` (a
    connection the caller holds, the archive view's), else the PostgreSQL store at ``store_url``
    (read-only transactions), else the archive's SQLite file (``mode=ro``)."""
    facts = RunFacts()
    own = db is None
    if own:
        try:
            db = _open_read_only(Path(archive_dir), store_url)
        except DB_ERRORS as exc:
            facts.error = str(exc).strip()
            return facts
        if db is None:
            return facts
    try:
        per_day: dict[date, Counter[str]] = {}
        rows = db.execute(
            "SELECT c.outcome, v.url, v.title, v.published, v.item_json FROM article_captures c"
            " JOIN article_versions v ON v.url = c.url AND v.version = c.version"
            " WHERE c.run_id = ? AND c.outcome IN ('new', 'updated') ORDER BY v.published DESC, v.url", (run_id,))
        for outcome, url, title, published, item_json in rows:
            try:
                section = json.loads(item_json).get("section") or NO_SECTION
            except (ValueError, AttributeError):
                section = NO_SECTION
            facts.articles_total += 1
            if len(facts.articles) < LISTED:
                facts.articles.append({"outcome": outcome, "url": url, "title": title, "published": published,
                                       "section": section})
            try:
                day = date.fromisoformat(str(published)[:10])
            except ValueError:
                facts.undated += 1
                continue
            per_day.setdefault(day, Counter())[section] += 1
        facts.per_day = {day: dict(c) for day, c in per_day.items()}
        for status, reason, url, detail, attempts, next_attempt in db.execute(
            "SELECT status, reason, url, detail, attempts, next_attempt FROM article_pending WHERE run_id = ?"
            " ORDER BY status, reason, url", (run_id,)
        ):
            facts.pending_total += 1
            if len(facts.pending) < LISTED:
                facts.pending.append({"status": status, "reason": reason, "url": url, "detail": detail,
                                      "attempts": attempts, "next_attempt": next_attempt})
        facts.store = True
    except DB_ERRORS as exc:  # a store of an earlier schema, a locked or damaged file, a server gone
        facts.error = str(exc).strip()
    finally:
        if own:
            db.close()
    return facts


def _open_read_only(archive: Path, store_url: str | None) -> Any:
    """A read-only connection to the store of record, or None when the archive has no store."""
    if is_pg_url(store_url):
        assert store_url is not None
        conn = Connection(store_url, application_name="northnews-report")
        conn.execute("SET default_transaction_read_only = on")
        return conn
    path = archive / STORE_NAME
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10) if path.is_file() else None


def history(runs_dir: Path, upto: str, limit: int = HISTORY, site: str | None = None) -> list[dict[str, Any]]:
    """The last ``limit`` runs up to ``upto`` (by run id, which sorts by start time) of ``site``
    (all sites when None: an archive dir shared by several sites has their runs side by side),
    from their manifests: run_id, status, exit_code, new, updated, errors."""
    out: list[dict[str, Any]] = []
    names = sorted((p for p in runs_dir.glob("*.json") if p.stem <= upto), reverse=True) if runs_dir.is_dir() else []
    for path in names:
        if len(out) >= limit:
            break
        try:
            m = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(m, dict) or (site is not None and m.get("site") not in (site, None)):
            continue
        articles = m.get("articles") or {}
        out.append({"run_id": m.get("run_id") or path.stem, "status": m.get("status"), "exit_code": m.get("exit_code"),
                    "new": int(articles.get("new") or 0), "updated": int(articles.get("updated") or 0),
                    "errors": int((m.get("errors") or {}).get("total") or 0), "started": m.get("started")})
    return out[::-1]


# --- rendering ----------------------------------------------------------------------------------

CSS = """
body{font:14px/1.4 sans-serif;margin:1.5em auto;max-width:760px;color:#222;padding:0 1em}
h1{font-size:1.4em;margin:.2em 0} h2{font-size:1.1em;margin:1.4em 0 .4em;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:.3em 0} td,th{padding:2px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3} td.n{text-align:right;font-variant-numeric:tabular-nums}
tr:nth-child(even) td{background:#fafafa} .status{padding:2px 8px;border-radius:4px;color:#fff}
.ok{background:#2e7d32} .bad{background:#c62828} .warn{background:#ef6c00} .muted{color:#666}
.grid{display:flex;flex-wrap:wrap;gap:0 2em} code{font-size:12px} a{color:#1565c0}
"""


def _n(value: Any) -> str:
    return "–" if value is None else escape(str(value))


def _table(rows: list[tuple[str, Any]], caption: str) -> str:
    body = "".join(f"<tr><td>{escape(k)}</td><td class='n'>{_n(v)}</td></tr>" for k, v in rows)
    return f"<table><tr><th colspan='2'>{escape(caption)}</th></tr>{body}</table>"


def _listing(title: str, total: int, head: tuple[str, ...], rows: list[tuple[str, ...]]) -> str:
    """A titled table of already-escaped cells; empty when there is no row."""
    if not rows:
        return ""
    more = f" (the first {len(rows)} of {total})" if total > len(rows) else ""
    cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return (f"<h2>{escape(title)}{more}</h2><table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in head)
            + f"</tr>{cells}</table>")


def _status_class(status: str | None) -> str:
    return "ok" if status == "ok" else "warn" if status in ("layout_drift", "terminated") else "bad"


def _drift_plots(drift: Mapping[str, Any] | None) -> str:
    if not drift:
        return "<p class='muted'>No drift report (the crawl did not finish).</p>"
    sections = drift.get("sections") or {}
    limits = drift.get("thresholds") or {}
    section_limits = limits.get("section") or [None, None]
    out = []
    for kind, index in (("generic", 0), ("quarantined", 1)):
        shares = {name: float(s.get(f"{kind}_share") or 0) for name, s in sections.items() if s.get("items") or s.get(kind)}
        limit = section_limits[index] if index < len(section_limits) else None
        out.append(f"<h3>{kind.capitalize()} share per section</h3>" + plots.hbars(
            shares, f"{kind} share per section", empty="no section", percent=True,
            limits={name: float(limit) for name in shares} if limit is not None else None))
    site = drift.get("site") or {}
    flagged = "<b>flagged</b>" if drift.get("flagged") else "not flagged"
    out.insert(0, f"<p>Site: {_n(site.get('items'))} items, generic {float(site.get('generic_share') or 0):.1%},"
                  f" quarantined {float(site.get('quarantined_share') or 0):.1%}; {flagged}"
                  f" (thresholds: site {_n(limits.get('site'))}, section {_n(limits.get('section'))},"
                  f" judged from {_n(limits.get('min_pages'))} pages).</p>")
    for over in drift.get("over") or []:
        examples = "".join(f"<li><code>{escape(str(u))}</code></li>" for u in over.get("examples") or [])
        out.append(f"<p><b>{escape(str(over.get('name')))}</b>: {escape(str(over.get('kind')))}"
                   f" {float(over.get('share') or 0):.0%} over {float(over.get('threshold') or 0):.0%}</p><ul>{examples}</ul>")
    return "".join(out)


def render(manifest: Mapping[str, Any], facts: RunFacts, runs: list[dict[str, Any]]) -> str:
    """The report of one run as a complete HTML document."""
    m = manifest
    run_id = str(m.get("run_id") or "")
    status = m.get("status")
    pages, articles = m.get("pages") or {}, m.get("articles") or {}
    errors, pending = m.get("errors") or {}, m.get("pending") or {}
    crawl, warc, store = m.get("crawl") or {}, m.get("warc") or {}, m.get("store") or {}
    rate = errors.get("rate")
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta name='viewport' content='width=device-width, initial-scale=1'>",
        f"<title>northnews run {escape(run_id)}: {escape(str(status))}</title><style>{CSS}</style></head><body>",
        f"<h1>Run {escape(run_id)} <span class='status {_status_class(status)}'>{escape(str(status))}</span></h1>",
        f"<p>Site <b>{_n(m.get('site'))}</b> · exit {_n(m.get('exit_code'))}: {_n(m.get('reason'))}<br>",
        f"{_n(m.get('started'))} → {_n(m.get('ended'))} ({float(m.get('duration_seconds') or 0):.0f} s) ·"
        f" finish reason {_n(crawl.get('finish_reason'))} · {'complete' if crawl.get('complete') else 'incomplete'}"
        + (f" ({escape(str(crawl.get('incomplete_because')))})" if crawl.get("incomplete_because") else "")
        + f"<br><span class='muted'>archive {_n(m.get('archive_dir'))} · log {_n(m.get('log'))}</span></p>",
        "<h2>Figures</h2><div class='grid'>",
        _table([(k, pages.get(k)) for k in ("fetched", "list", "article", "other", "gone", "failed")], "pages"),
        _table([(k, articles.get(k)) for k in ("new", "updated", "unchanged", "rejected", "skipped_known")], "articles"),
        _table([("total", errors.get("total")), ("rate", f"{rate:.2%}" if isinstance(rate, int | float) else None),
                ("max rate", errors.get("max_rate"))], "errors"),
        _table([(k, pending.get(k)) for k in ("recorded", "failed", "resolved", "scheduled")], "pending"),
        _table([(k, v) for k, v in store.items()], "store (after the run)"),
        "</div>",
        f"<p>WARC files closed: {len(warc.get('files_closed') or [])}"
        f" ({', '.join(escape(str(f)) for f in (warc.get('files_closed') or [])[:5])}"
        f"{' …' if len(warc.get('files_closed') or []) > 5 else ''}); left open: {len(warc.get('open_files_left') or [])};"
        f" recovered before the crawl: {len(warc.get('recovered_before_crawl') or [])}.</p>",
        "<h2>Articles stored, per publication day and section</h2>",
    ]
    if facts.store:
        out.append(plots.stacked_days(facts.per_day, "articles new or updated per day and section"))
        if facts.undated:
            out.append(f"<p class='muted'>{facts.undated} without a publication date.</p>")
    else:
        why = facts.error or "no SQLite store in the archive dir; a PostgreSQL store is not read by the report"
        out.append(f"<p class='muted'>No store to read ({escape(why)}).</p>")
    failures = {f"error: {k}": v for k, v in (errors.get("by_kind") or {}).items()}
    failures.update({f"HTTP {k}": v for k, v in (pages.get("by_status") or {}).items() if str(k)[:1] in "45"})
    if pages.get("failed"):
        failures["pages failed"] = pages["failed"]
    out += ["<h2>Failures</h2>", plots.hbars(failures, "failures", empty="no error, no HTTP status >= 400", fill="#c62828"),
            "<h2>Pending reasons</h2>", plots.hbars(pending.get("by_reason") or {}, "pending reasons",
                                                    empty="no article left pending", fill="#ef6c00"),
            "<h2>Layout drift</h2>", _drift_plots(m.get("drift")),
            "<h2>Run history</h2>", plots.run_history(runs, "runs: articles new + updated", current=run_id)]
    out.append(_listing("Articles new or updated", facts.articles_total, ("", "published", "section", "title"), [
        (escape(a["outcome"]), _n((a["published"] or "")[:16]), escape(a["section"]),
         f"<a href='{escape(a['url'])}'>{escape(a['title'] or a['url'])}</a>") for a in facts.articles]))
    out.append(_listing("Pending and failed articles", facts.pending_total,
                        ("status", "reason", "attempts", "next attempt", "URL · detail"), [
        (escape(p["status"]), escape(p["reason"]), _n(p["attempts"]), _n(p["next_attempt"]),
         f"<code>{escape(p['url'])}</code>" + ("<br>" + escape(str(p["detail"])) if p["detail"] else ""))
        for p in facts.pending]))
    out.append(f"<p class='muted'>Written by northnews-cron beside runs/{escape(run_id)}.json.</p></body></html>")
    return "\n".join(out)


def write_run_report(manifest_path: Path | None, manifest: Mapping[str, Any], *,
                     store_url: str | None = None) -> Path | None:
    """``<run id>.html`` beside the manifest (written atomically); None when there is no manifest
    or the report could not be written (logged, never raised). ``store_url``: the store of record
    on PostgreSQL (a fleet's), else the archive's SQLite file is read."""
    if manifest_path is None:
        return None
    out = manifest_path.with_suffix(".html")
    tmp = out.with_name(out.name + ".tmp")
    try:
        run_id = str(manifest.get("run_id") or manifest_path.stem)
        facts = run_facts(manifest.get("archive_dir") or manifest_path.parent.parent, run_id, store_url=store_url)
        text = render(manifest, facts, history(manifest_path.parent, run_id, site=manifest.get("site")))
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out)
        return out
    except Exception:  # noqa: BLE001 - the run has ended; its report must not change how
        logger.exception("could not write the run report %s", out)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return None
