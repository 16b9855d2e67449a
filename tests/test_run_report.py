"""The run report ``runs/<run id>.html`` that ``northnews-cron`` writes beside each manifest: one
self-contained file (no script, nothing fetched: checked in headless Chromium's own network log),
whose figures and plots agree with the crawl's expected items and rejects (written independently
of the code, ``tests/fixtures/expected``), and whose history grows run by run."""

from __future__ import annotations

import base64
import json
import re
import shutil
import tempfile
from collections import Counter
from datetime import date, timedelta
from html import unescape
from pathlib import Path

import pytest

from northnews.view import plots, report
from tests.conftest import PORTAL
from tests.mockserver import MockPortal
from tests.opskit import CronResult, run_cron
from tests.test_browser_replay import CHROMIUM, Browser
from tests.test_replaywebpage import Tab

TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def svg(html: str, label: str) -> str:
    """The inline SVG plot labelled ``label``."""
    match = re.search(r'<svg class="plot" role="img" aria-label="' + re.escape(label) + r'".*?</svg>', html, re.S)
    assert match, f"no plot {label!r}"
    return match.group(0)


def titles(plot: str) -> list[str]:
    return [unescape(t) for t in TITLE.findall(plot)[1:]]  # the first is the plot's own


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> list[CronResult]:
    archive = tmp_path_factory.mktemp("report") / "archive"
    with MockPortal(PORTAL) as server:
        first = run_cron(archive, proxy=server.proxy_url)
        second = run_cron(archive, proxy=server.proxy_url)
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    return [first, second]


def read_report(result: CronResult, index: int) -> tuple[dict, str]:
    manifest = result.manifests()[index]
    path = result.archive / "runs" / f"{manifest['run_id']}.html"
    assert path.is_file(), sorted(p.name for p in path.parent.iterdir())
    return manifest, path.read_text(encoding="utf-8")


@pytest.mark.slow
def test_each_run_has_a_self_contained_report(runs: list[CronResult]) -> None:
    for index in (0, 1):
        manifest, html = read_report(runs[1], index)
        assert html.startswith("<!DOCTYPE html>")
        lowered = html.lower()
        assert "<script" not in lowered and "<link" not in lowered and " src=" not in lowered
        assert "url(" not in lowered and "@import" not in lowered
        assert f"Run {manifest['run_id']}" in html and ">ok</span>" in html
        assert html.count('<svg class="plot"') >= 5


@pytest.mark.slow
def test_articles_per_day_and_section_match_the_expected_items(runs: list[CronResult], expected_items: dict) -> None:
    manifest, html = read_report(runs[1], 0)
    assert manifest["articles"]["new"] == len(expected_items)
    plot = svg(html, "articles new or updated per day and section")
    shown: Counter[tuple[str, str, str]] = Counter()
    for text in titles(plot):
        unit, day, rest = text.split(" ", 2)
        section, _, n = rest.rpartition(": ")
        shown[(unit, day, section)] += int(n)
    [unit] = {u for u, _, _ in shown}
    # The same figures, from the expected items: published day (China time, as printed) → bucket.
    expected: Counter[tuple[str, str, str]] = Counter()
    for item in expected_items.values():
        day = date.fromisoformat(item["published"][:10])
        start = day - timedelta(days=day.weekday()) if unit == "week" else day.replace(day=1) if unit == "month" else day
        expected[(unit, start.isoformat(), item["section"] or report.NO_SECTION)] += 1
    assert sum(shown.values()) == sum(expected.values()) == len(expected_items)
    named = {sec for _, _, sec in shown} - {"other sections"}
    assert len(named) >= 6
    for (u, d, sec), n in shown.items():
        if sec == "other sections":  # the smaller sections, drawn together
            assert n == sum(m for (u2, d2, s2), m in expected.items() if (u2, d2) == (u, d) and s2 not in named)
        else:
            assert n == expected[(u, d, sec)], (d, sec)
    # The second run stored nothing new: its plot says so.
    _, second = read_report(runs[1], 1)
    assert "no article with a publication date in this run" in svg(second, "articles new or updated per day and section")


@pytest.mark.slow
def test_pending_reasons_and_history(runs: list[CronResult], expected_rejects: dict) -> None:
    _, html = read_report(runs[1], 0)
    reasons = dict(t.rsplit(": ", 1) for t in titles(svg(html, "pending reasons")) if not t.startswith("threshold"))
    assert {k: int(v) for k, v in reasons.items()} == Counter(r["reason"] for r in expected_rejects.values())
    for url in expected_rejects:
        assert f"<code>{url}</code>" in html  # listed with its reason
    assert "no error, no HTTP status &gt;= 400" in html or "no error, no HTTP status >= 400" in html
    _, second = read_report(runs[1], 1)
    history = titles(svg(second, "runs: articles new + updated"))
    ids = [m["run_id"] for m in runs[1].manifests()]
    assert [t.split(":", 1)[0] for t in history] == ids
    assert f", {runs[1].manifests()[0]['articles']['new']} new," in history[0] and ", 0 new," in history[1]


# --- without a crawl -----------------------------------------------------------------------------


def test_a_report_without_store_renders_the_manifest(tmp_path: Path) -> None:
    manifest = {"run_id": "20261201T000000Z", "site": "northnews", "status": "unreachable", "exit_code": 4,
                "reason": "site unreachable: no page answered (connection_refused 3)",
                "pages": {"fetched": 0, "failed": 3, "by_status": {}},
                "errors": {"total": 3, "rate": 1.0, "by_kind": {"connection_refused": 3}}, "drift": None}
    (tmp_path / "runs").mkdir()
    path = tmp_path / "runs" / "20261201T000000Z.json"
    path.write_text(json.dumps(manifest))
    written = report.write_run_report(path, manifest | {"archive_dir": str(tmp_path)})
    assert written == tmp_path / "runs" / "20261201T000000Z.html"
    html = written.read_text(encoding="utf-8")
    assert ">unreachable</span>" in html and "No store to read" in html
    assert titles(svg(html, "failures")) == ["error: connection_refused: 3", "pages failed: 3"]


def test_a_report_that_cannot_be_written_is_not_an_error(tmp_path: Path) -> None:
    assert report.write_run_report(None, {}) is None
    missing = tmp_path / "no-such-dir" / "x.json"
    assert report.write_run_report(missing, {"run_id": "x"}) is None


def test_long_spans_are_drawn_by_week_then_month() -> None:
    assert plots.buckets_for(date(2026, 1, 1), date(2026, 1, 31), 120)[0] == "day"
    unit, starts = plots.buckets_for(date(2026, 1, 1), date(2026, 12, 31), 120)
    assert unit == "week" and all(d.weekday() == 0 for d in starts)
    unit, starts = plots.buckets_for(date(2015, 1, 1), date(2026, 12, 31), 120)
    assert unit == "month" and len(starts) == 144


@pytest.mark.slow
def test_the_report_renders_in_chromium_with_nothing_fetched(runs: list[CronResult], tmp_path: Path) -> None:
    """Opened from disk as a mail attachment would be: every plot drawn with a size, no console
    error, and the only request the browser makes is the file itself. Screenshot kept."""
    if not CHROMIUM:
        pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk; .ci/run does it)")
    manifest = runs[1].manifests()[0]
    path = runs[1].archive / "runs" / f"{manifest['run_id']}.html"
    profile = Path(tempfile.mkdtemp(prefix="chromium-report-"))
    browser = Browser(CHROMIUM, profile, tmp_path / "chromium.log")
    try:
        try:
            browser.call("Browser.getVersion", timeout=60)
        except (AssertionError, OSError) as exc:
            pytest.skip(f"Chromium did not start ({exc}); see {tmp_path / 'chromium.log'}")
        tab = Tab(browser)
        browser.call("Network.enable", session=tab.session)
        start = len(browser.events)
        tab.navigate(path.as_uri())
        sizes = json.loads(tab.eval("JSON.stringify(Array.from(document.querySelectorAll('svg.plot'))"
                                    ".map(s => [s.getAttribute('aria-label'), s.getBoundingClientRect().width,"
                                    " s.getBoundingClientRect().height]))"))
        shot = browser.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                            session=tab.session)
        (tmp_path / "run-report.png").write_bytes(base64.b64decode(shot["data"]))
        requested = [p["request"]["url"] for name, p, sid in browser.events[start:]
                     if name == "Network.requestWillBeSent" and sid == tab.session]
        console = [c for c in tab.console() if c.startswith(("error", "exception", "warning"))]
        tab.close()
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)
    assert requested == [path.as_uri()], requested
    assert not console, console
    assert len(sizes) >= 5 and all(w > 100 and h > 10 for _, w, h in sizes), sizes
    print(f"report screenshot: {tmp_path / 'run-report.png'}")


def test_history_keeps_the_runs_own_site_up_to_it(tmp_path: Path) -> None:
    """An archive dir shared by several sites (PostgreSQL store) has their manifests side by side."""
    for run_id, site, new in (("20261201T000000Z-a", "a", 5), ("20261201T000001Z-b", "b", 7),
                              ("20261201T010000Z-a", "a", 2), ("20261201T020000Z-a", "a", 9)):
        (tmp_path / f"{run_id}.json").write_text(json.dumps({"run_id": run_id, "site": site, "status": "ok",
                                                             "articles": {"new": new}}))
    runs = report.history(tmp_path, "20261201T010000Z-a", site="a")
    assert [(r["run_id"], r["new"]) for r in runs] == [("20261201T000000Z-a", 5), ("20261201T010000Z-a", 2)]
    assert len(report.history(tmp_path, "20261201T020000Z-a", limit=2, site="a")) == 2


def test_a_report_reads_the_store_of_record_on_postgresql(tmp_path: Path, pg_url: str) -> None:
    """A fleet's cron writes the report of a run whose store is on the server: the run's articles
    per day and section and what it left pending come from there (the archive has no SQLite file)."""
    from northnews.ops.pending import PendingArticles
    from northnews.ops.store import open_store

    run_id = "20261207T000000Z"
    items = [{"url": f"http://a.test/{n}.html", "site": "northnews", "title": f"标题{n}", "section": section,
              "published": published, "body": f"正文{n}", "content_digest": f"sha1:{n}"}
             for n, (section, published) in enumerate([("要闻", "2015-09-01T08:00:00+08:00"),
                                                       ("要闻", "2015-09-01T09:00:00+08:00"),
                                                       ("体育", "2015-09-03T08:00:00+08:00")])]
    with open_store(tmp_path, pg_url) as store:
        store.begin_run(run_id)
        for item in items:
            store.record_item(item, run_id=run_id)
        PendingArticles(store).record("http://a.test/9.html", "soft_404", site="northnews", run_id=run_id)
        store.end_run(run_id, status="ok", complete=True)
    manifest = {"run_id": run_id, "site": "northnews", "status": "ok", "exit_code": 0, "archive_dir": str(tmp_path)}
    (tmp_path / "runs").mkdir()
    path = tmp_path / "runs" / f"{run_id}.json"
    path.write_text(json.dumps(manifest))
    html = report.write_run_report(path, manifest, store_url=pg_url).read_text(encoding="utf-8")
    assert sorted(titles(svg(html, "articles new or updated per day and section"))) == [
        "day 2015-09-01 要闻: 2", "day 2015-09-03 体育: 1"]
    assert "<code>http://a.test/9.html</code>" in html and "No store to read" not in html
    assert not (tmp_path / "northnews.sqlite3").exists()
