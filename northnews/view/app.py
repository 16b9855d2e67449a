"""``northnews serve``'s pages: a bottle application over :class:`~northnews.view.data.ArchiveData`.

Every page is rendered on the server (bottle's SimpleTemplate, which escapes ``{{…}}`` by
default), plots are inline SVG (:mod:`northnews.view.plots`, the run report's too), and there is no script at all: the
view works offline and has nothing to build. Archived bytes (images) are served with
``Content-Security-Policy: default-src 'none'`` and ``nosniff``, so nothing archived runs in the
view's origin.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from html import escape
from typing import Any, Protocol, TypeVar
from urllib.parse import quote, urlencode

import bottle

from northnews.ops import search
from northnews.view import diff, plots, report
from northnews.view.data import ArchiveData

LAYOUT = bottle.SimpleTemplate("""<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{{title}} · northnews archive</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,"Noto Sans CJK SC",sans-serif;margin:0;color:#222}
header{background:#263238;color:#fff;padding:.5em 1em}header a{color:#fff;margin-right:1.2em}
main{padding:1em 1.5em;max-width:1100px}table{border-collapse:collapse}td,th{padding:.2em .6em;
border-bottom:1px solid #ddd;text-align:left;vertical-align:top}mark{background:#fff176}
del{background:#ffcdd2}ins{background:#c8e6c9;text-decoration:none}.muted{color:#777}
.hit{margin:.8em 0}.hit .url{color:#2e7d32;font-size:.85em}.bad{color:#c62828}.ok{color:#2e7d32}
.para{margin:.4em 0}.changed,.added,.removed{border-left:3px solid #ef6c00;padding-left:.5em}
img.photo{max-width:480px;display:block;margin:.5em 0}pre{white-space:pre-wrap;background:#f5f5f5;padding:.5em}
form.search input[name=q]{width:24em}svg.plot,svg.chart{max-width:100%;height:auto}
</style></head><body>
<header><a href="/"><b>northnews</b></a><a href="/search">search</a><a href="/runs">runs</a>
<a href="/pending">pending &amp; failed</a>
<form class="search" action="/search" style="display:inline"><input name="q" value="{{q}}" placeholder="搜索 / search">
<button>search</button></form></header>
<main>{{!body}}</main></body></html>""")


#: Search results per page; a section's articles per page.
PER_PAGE, SECTION_PAGE = 50, 200
#: Runs on the home page's timeline, and on the runs page (a year of hourly runs is 8,760).
HOME_RUNS, RUNS_SHOWN = 100, 500


def page(title: str, body: str, q: str = "") -> str:
    rendered: str = LAYOUT.render(title=title, body=body, q=q)  # bottle has no types: Any
    return rendered


_Handler = TypeVar("_Handler", bound=Callable[..., Any])


class _Routes(Protocol):
    """The decorators of :class:`bottle.Bottle` that :func:`build` uses, typed (bottle has no
    types, so its decorators would leave every handler untyped): each returns the handler."""

    def hook(self, name: str) -> Callable[[_Handler], _Handler]: ...
    def error(self, code: int) -> Callable[[_Handler], _Handler]: ...
    def get(self, path: str) -> Callable[[_Handler], _Handler]: ...


def _date_arg(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise bottle.HTTPError(400, f"{name}: expected a date YYYY-MM-DD, got {value!r}") from None


def stamp(fetched_at: str | None) -> str:
    """``2026-12-01T23:10:45Z`` → ``20261201231045``: a capture's timestamp in replay URLs."""
    return "".join(ch for ch in (fetched_at or "") if ch.isdigit())[:14]


def article_link(url: str, **extra: Any) -> str:
    return "/article?" + urlencode({"url": url, **extra})


def build(data: ArchiveData, *, replay_url: str | None = None, allowed_hosts: set[str] | None = None) -> bottle.Bottle:
    """The application. ``replay_url`` is a replay collection's prefix (pywb:
    ``http://127.0.0.1:8080/northnews/``); an article's capture opens at
    ``<prefix><timestamp>/<url>``. ``allowed_hosts`` (``host:port`` values) are the only ``Host``
    headers answered: a page elsewhere cannot reach the view through a rebound DNS name."""
    app: _Routes = bottle.Bottle()

    @app.hook("before_request")
    def _host_check() -> None:
        if allowed_hosts is not None and bottle.request.get_header("Host", "") not in allowed_hosts:
            raise bottle.HTTPError(403, "unexpected Host header")

    @app.hook("after_request")
    def _headers() -> None:
        bottle.response.set_header("X-Content-Type-Options", "nosniff")
        bottle.response.set_header("Referrer-Policy", "no-referrer")

    @app.error(400)
    @app.error(403)
    @app.error(404)
    def _error(err: bottle.HTTPError) -> str:
        return page(f"{err.status_code}", f"<h1>{err.status_code}</h1><p>{escape(str(err.body))}</p>")

    @app.get("/favicon.ico")
    def favicon() -> bottle.HTTPResponse:
        return bottle.HTTPResponse(status=204)

    @app.get("/")
    def home() -> str:
        cov = data.search_coverage()
        out = ["<h1>Archive</h1>", f'<p class="muted">{escape(str(data.archive))}</p>']
        if not cov.current:
            out.append(f'<p class="bad">The search index holds {cov.indexed} of {cov.versions} stored versions:'
                       " run <code>scrapy search --rebuild</code> (the view opens the store read-only).</p>")
        out.append("<table><tr><th>site</th><th>articles</th><th>versions</th><th>pending</th><th>failed</th>"
                   "<th>first seen</th><th>last seen</th></tr>")
        for s in data.sites():
            out.append(f'<tr><td><a href="/sites/{quote(s["site"])}">{escape(s["site"])}</a></td><td>{s["articles"]}</td>'
                       f'<td>{s["versions"]}</td><td>{s["pending"]}</td><td>{s["failed"]}</td>'
                       f'<td>{escape(s["first"][:19])}</td><td>{escape(s["last"][:19])}</td></tr>')
        out.append("</table><h2>Runs</h2>" + _timeline(data.runs(limit=HOME_RUNS)))
        changed = data.changed()
        if changed:
            out.append("<h2>Changed articles</h2><ul>")
            out.extend(f'<li><a href="{escape(article_link(c["url"]))}">{escape(c["title"] or c["url"])}</a>'
                       f' <span class="muted">{c["latest_version"]} versions</span></li>' for c in changed)
            out.append("</ul>")
        out.append("<h2>Latest articles</h2>" + _article_list(data.recent(limit=20)))
        return page("Archive", "".join(out))

    @app.get("/search")
    def search_page() -> str:
        q = bottle.request.query.getunicode("q", "") or ""
        site = bottle.request.query.getunicode("site") or None
        since = _date_arg(bottle.request.query.getunicode("since", ""), "since")
        until = _date_arg(bottle.request.query.getunicode("until", ""), "until")
        sites = "".join(f'<option{" selected" if s["site"] == site else ""}>{escape(s["site"])}</option>'
                        for s in data.sites())
        form = (f'<form action="/search"><input name="q" value="{escape(q)}" size="30"> site <select name="site">'
                f'<option value="">all</option>{sites}</select> published from <input name="since" type="date"'
                f' value="{since or ""}"> to <input name="until" type="date" value="{until or ""}">'
                " <button>search</button></form>")
        if not q.strip():
            return page("Search", "<h1>Search</h1>" + form, q)
        number = _page_arg()
        first = (number - 1) * PER_PAGE
        try:  # one more than the page holds: whether there is a next page
            hits = data.search(q, site=site, since=since, until=until, limit=first + PER_PAGE + 1)
        except search.SearchError as exc:
            return page("Search", f"<h1>Search</h1>{form}<p class='bad'>{escape(str(exc))}</p>", q)
        more = len(hits) > first + PER_PAGE
        hits = hits[first:first + PER_PAGE]
        where = f" (results {first + 1}–{first + len(hits)})" if hits and (more or number > 1) else ""
        out = [f"<h1>Search</h1>{form}", f'<p id="count">{len(hits)} article(s) for <b>{escape(q)}</b>{where}</p>']
        cov = data.search_coverage()
        if not cov.current:
            out.insert(1, f'<p class="bad">The index holds {cov.indexed} of {cov.versions} stored versions: run'
                          " <code>scrapy search --rebuild</code> to search them all.</p>")
        for hit in hits:
            which = "" if hit.version == hit.latest_version else (
                f' <span class="muted">(matched version {hit.version} of {hit.latest_version})</span>')
            snippet = search.marked(escape(hit.snippet), "<mark>", "</mark>")
            out.append(f'<div class="hit"><a href="{escape(article_link(hit.url, v=hit.version))}">'
                       f"{escape(hit.title or hit.url)}</a>{which}<div class='url'>{escape(hit.url)} · "
                       f"{escape((hit.published or '')[:10])} · {escape(hit.site)}</div><div>{snippet}</div></div>")
        args = {k: v for k, v in (("q", q), ("site", site), ("since", since), ("until", until)) if v}
        out.append(_pages("/search", args, number, more))
        return page(f"{q} · search", "".join(out), q)

    @app.get("/article")
    def article_page() -> str:
        url = bottle.request.query.getunicode("url", "") or ""
        art = data.article(url)
        if art is None:
            stored = data.stored_url(url)  # https for http, or a URL that redirected to an article
            if stored is not None:
                bottle.redirect(article_link(stored, **{k: v for k, v in bottle.request.query.items() if k != "url"}))
            raise bottle.HTTPError(404, f"no stored article {url}")
        numbers = [v.version for v in art.versions]
        shown = _int_arg("v", numbers[-1])
        version = next((v for v in art.versions if v.version == shown), art.latest)
        item = version.item
        out = [f"<h1>{escape(item.get('title') or url)}</h1>",
               f'<p class="muted"><a href="{escape(url)}" rel="noreferrer">{escape(url)}</a> · {escape(art.site)} ·'
               f" {escape(item.get('section') or '')} · published {escape(item.get('published') or '?')} ·"
               f" {escape(item.get('source') or '')} {escape(item.get('author') or '')}</p>"]
        out.append("<h2>Versions</h2><table id='versions'><tr><th>version</th><th>stored</th><th>captured</th>"
                   "<th>run</th><th>digest</th><th>replay</th></tr>")
        for v in art.versions:
            mark = " <b>(shown)</b>" if v.version == version.version else ""
            out.append(f'<tr class="version"><td><a href="{escape(article_link(url, v=v.version))}">{v.version}</a>{mark}</td>'
                       f"<td>{escape(v.first_seen[:19])}</td><td>{escape(v.fetched_at or '')}</td>"
                       f"<td>{_run_link(v.run_id)}</td><td><code>{escape(v.digest[:17])}</code></td>"
                       f"<td>{_replay_link(replay_url, v.item.get('fetched_at') or v.fetched_at, url)}</td></tr>")
        out.append("</table>")
        if len(art.versions) > 1:
            a = _int_arg("a", numbers[-2])
            b = _int_arg("b", numbers[-1])
            va = next((v for v in art.versions if v.version == a), None)
            vb = next((v for v in art.versions if v.version == b), None)
            if va is None or vb is None:
                raise bottle.HTTPError(404, f"no version {a if va is None else b} of {url}")
            out.append(f'<h2 id="diff">Changes from version {a} to version {b}</h2><div class="diff">')
            changed = diff.fields(va.item, vb.item)
            if changed:
                out.append("<table>" + "".join(f"<tr><th>{escape(n)}</th><td>{h}</td></tr>" for n, h in changed)
                           + "</table>")
            out.extend(f'<p class="para {kind}">{html}</p>' for kind, html in diff.body(va.item.get("body"),
                                                                                       vb.item.get("body")))
            out.append("</div>")
            pairs = [f'<a href="{escape(article_link(url, a=x, b=y))}#diff">{x}→{y}</a>'
                     for x, y in zip(numbers, numbers[1:], strict=False)]
            out.append("<p>Other changes: " + " ".join(pairs) + "</p>")
        out.append(f"<h2>Version {version.version}</h2>")
        for image in item.get("images") or []:
            src = "/image?" + urlencode({"url": image.get("url") or ""})
            out.append(f'<figure><img class="photo" src="{escape(src)}" alt="{escape(image.get("caption") or "")}">'
                       f'<figcaption class="muted">{escape(image.get("caption") or "")}</figcaption></figure>')
        out.extend(f'<p class="para">{escape(p)}</p>' for p in (item.get("body") or "").split("\n\n") if p.strip())
        out.append(f"<h2>Captures</h2><table><tr><th>seen</th><th>version</th><th>outcome</th><th>WARC</th>"
                   f"<th>run</th></tr>{''.join(_capture_row(c) for c in art.captures)}</table>")
        return page(item.get("title") or url, "".join(out))

    @app.get("/image")
    def image() -> bottle.HTTPResponse:
        url = bottle.request.query.getunicode("url", "") or ""
        found = data.capture(url) if url else None
        if found is None or found[0] != 200:
            raise bottle.HTTPError(404, f"not archived: {url}")
        _status, ctype, body = found
        return bottle.HTTPResponse(body, status=200, headers={
            "Content-Type": ctype, "Content-Security-Policy": "default-src 'none'", "Cache-Control": "max-age=3600"})

    @app.get("/sites/<site>")
    def site_page(site: str) -> str:
        days = data.section_days(site)
        if not days:
            raise bottle.HTTPError(404, f"no dated article of site {site}")
        out = [f"<h1>{escape(site)}: sections</h1>", "<p>Articles per day of publication (latest versions).</p>"]
        for section, counts in days.items():
            name = section or "(no section)"
            link = f"/sites/{quote(site)}/section?" + urlencode({"name": section})
            out.append(f'<h2><a href="{escape(link)}">{escape(name)}</a> <span class="muted">'
                       f"{sum(counts.values())}</span></h2>" + plots.per_day(counts, f"{site} {name}: articles per day"))
        return page(site, "".join(out))

    @app.get("/sites/<site>/section")
    def section_page(site: str) -> str:
        name = bottle.request.query.getunicode("name", "") or ""
        number = _page_arg()
        first = (number - 1) * SECTION_PAGE
        rows = data.recent(site=site, section=name, limit=SECTION_PAGE + 1, offset=first)
        more = len(rows) > SECTION_PAGE
        rows = rows[:SECTION_PAGE]
        where = f'<p class="muted">articles {first + 1}–{first + len(rows)}</p>' if rows and (more or number > 1) else ""
        return page(f"{site} {name}", f"<h1>{escape(site)} · {escape(name or '(no section)')}</h1>{where}"
                    + _article_list(rows) + _pages(f"/sites/{quote(site)}/section", {"name": name}, number, more))

    @app.get("/runs")
    def runs_page() -> str:
        runs = data.runs(limit=RUNS_SHOWN)
        total = data.run_count() if len(runs) >= RUNS_SHOWN else len(runs)
        note = f'<p class="muted">the latest {len(runs)} of {total} runs</p>' if total > len(runs) else ""
        out = ["<h1>Runs</h1>", note, _timeline(runs),
               "<table id='runs'><tr><th>run</th><th>site</th><th>started</th><th>status</th><th>exit</th>"
               "<th>pages</th><th>new</th><th>updated</th><th>unchanged</th><th>rejected</th><th>errors</th>"
               "<th>drift</th></tr>"]
        for r in reversed(runs):
            cls = "ok" if r["status"] == "ok" else "bad"
            out.append(f'<tr class="run"><td><a href="/runs/{quote(r["run_id"])}">{escape(r["run_id"])}</a></td>'
                       f"<td>{escape(r['site'] or '')}</td><td>{escape((r['started'] or '')[:19])}</td>"
                       f'<td class="{cls}">{escape(r["status"] or "")}</td><td>{_none(r["exit_code"])}</td>'
                       f"<td>{r['pages']}</td><td>{r['new']}</td><td>{r['updated']}</td><td>{r['unchanged']}</td>"
                       f"<td>{r['rejected']}</td><td>{r['errors']}</td><td>{'flagged' if r['drift_flagged'] else ''}</td></tr>")
        out.append("</table>")
        return page("Runs", "".join(out))

    @app.get("/runs/<run_id>")
    def run_page(run_id: str) -> str:
        run = data.run(run_id)
        if run is None:
            raise bottle.HTTPError(404, f"no run {run_id}")
        m = run.get("manifest") or {}
        out = [f"<h1>Run {escape(run_id)}</h1>",
               f"<p>{escape(run['site'] or '')} · {escape(run['status'] or '')} · exit {_none(run['exit_code'])}"
               f" · {escape(run.get('reason') or '')} · {escape(run['started'] or '')} → {escape(run['ended'] or '')}</p>"]
        if m:
            # The run report's plots (northnews.view.report and .plots), as cron's runs/<id>.html has them.
            facts = report.run_facts(data.archive, run_id, db=data.db)
            out.append(f'<p><a href="/runs/{quote(run_id)}/report">the run report</a>'
                       f"{'' if run.get('report') else ' (rendered now: no runs/' + escape(run_id) + '.html)'}</p>")
            out.append("<h2>Articles stored new or changed, per publication day and section</h2>"
                       + plots.stacked_days(facts.per_day, f"run {run_id}: articles per day"))
            out.append("<h2>Run history</h2>" + plots.run_history(
                report.history(data.archive / "runs", run_id), "runs up to this one", current=run_id))
        for key in ("articles", "pages", "errors", "pending", "drift", "crawl", "warc", "store"):
            if key in m:
                out.append(f"<h2>{key}</h2><pre>{escape(json.dumps(m[key], ensure_ascii=False, indent=1))}</pre>")
        if not m:
            out.append("<p class='muted'>No manifest file: what the store recorded.</p>"
                       f"<pre>{escape(json.dumps(run.get('store'), ensure_ascii=False, indent=1))}</pre>")
        return page(f"run {run_id}", "".join(out))

    @app.get("/runs/<run_id>/report")
    def run_report(run_id: str) -> bottle.HTTPResponse:
        """The run's ``runs/<id>.html`` as cron wrote it, else rendered now from its manifest."""
        run = data.run(run_id)
        if run is None or not run.get("manifest"):
            raise bottle.HTTPError(404, f"no manifest for run {run_id}")
        if run.get("report"):
            body = (data.archive / "runs" / run["report"]).read_bytes()
        else:
            body = report.render(run["manifest"], report.run_facts(data.archive, run_id, db=data.db),
                                 report.history(data.archive / "runs", run_id)).encode("utf-8")
        return bottle.HTTPResponse(body, headers={"Content-Type": "text/html; charset=utf-8"})

    @app.get("/pending")
    def pending_page() -> str:
        rows = data.pending()
        out = [f"<h1>Pending and failed articles</h1><p>{len(rows)} article(s) fetched but not stored complete;"
               " pending ones are fetched again by later runs, failed ones only with"
               " <code>-a retry_failed=1</code>.</p><table id='pending'><tr><th>status</th><th>site</th>"
               "<th>reason</th><th>attempts</th><th>next attempt</th><th>URL</th><th>detail</th></tr>"]
        for r in rows:
            out.append(f"<tr><td class=\"{'bad' if r['status'] == 'failed' else ''}\">{escape(r['status'])}</td>"
                       f"<td>{escape(r['site'])}</td><td>{escape(r['reason'])}</td><td>{r['attempts']}</td>"
                       f"<td>{escape(r['next_attempt'] or '-')}</td><td>{escape(r['url'])}</td>"
                       f"<td>{escape(r['detail'] or '')}</td></tr>")
        out.append("</table>")
        return page("Pending", "".join(out))

    return app


def _page_arg() -> int:
    number = _int_arg("page", 1)
    if number < 1:
        raise bottle.HTTPError(400, f"page: expected a positive number, got {number}")
    return number


def _pages(path: str, args: dict[str, Any], number: int, more: bool) -> str:
    """Links to the previous and the next page of a listing ('' when it is one page)."""
    nav = [f'<a rel="prev" href="{path}?{escape(urlencode({**args, "page": number - 1}))}">← previous</a>'
           ] if number > 1 else []
    if more:
        nav.append(f'<a rel="next" href="{path}?{escape(urlencode({**args, "page": number + 1}))}">next →</a>')
    return '<p class="pages">' + " · ".join(nav) + "</p>" if nav else ""


def _int_arg(name: str, default: int) -> int:
    raw = bottle.request.query.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise bottle.HTTPError(400, f"{name}: expected a whole number, got {raw!r}") from None


def _none(value: Any) -> str:
    return "-" if value is None else escape(str(value))


def _timeline(runs: list[dict[str, Any]]) -> str:
    """Every run at its start time, each bar a link to the run's page."""
    return plots.run_history(runs, "runs", by_time=True, link=lambda run_id: f"/runs/{quote(run_id)}",
                             empty="no run recorded")


def _run_link(run_id: str | None) -> str:
    return f'<a href="/runs/{quote(run_id)}">{escape(run_id)}</a>' if run_id else "-"


def _replay_link(prefix: str | None, fetched_at: str | None, url: str) -> str:
    ts = stamp(fetched_at)
    if not prefix or not ts:
        return '<span class="muted">no replay configured (--replay-url)</span>' if not prefix else "-"
    return f'<a class="replay" href="{escape(prefix + ts + "/" + url)}">open capture {escape(ts)}</a>'


def _capture_row(c: dict[str, Any]) -> str:
    where = f"{c['warc_file']}@{c['warc_offset']}" if c.get("warc_file") else "-"
    return (f"<tr><td>{escape(c['seen_at'][:19])}</td><td>{c['version']}</td><td>{escape(c['outcome'])}</td>"
            f"<td><code>{escape(where)}</code></td><td>{_run_link(c.get('run_id'))}</td></tr>")


def _article_list(rows: list[dict[str, Any]]) -> str:
    items = "".join(
        f'<li>{escape((r["published"] or "")[:10])} <a href="{escape(article_link(r["url"]))}">'
        f'{escape(r["title"] or r["url"])}</a>{" <span class=muted>(" + str(r["latest_version"]) + " versions)</span>" if r["latest_version"] > 1 else ""}</li>'
        for r in rows)
    return f"<ul>{items}</ul>" if items else "<p class='muted'>none</p>"
