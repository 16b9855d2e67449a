"""``northnews serve`` over HTTP (no browser: tests/test_view_browser.py is the one in Chromium): every
page of a hand-made store, read-only, loopback by default; on both backends of the store (the
archive's SQLite file, and the store of record on a real PostgreSQL server: tests/pgserver.py,
skipped with the reason where none can start)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote
from wsgiref.simple_server import WSGIRequestHandler, make_server

import psycopg
import pytest

from northnews.ops.aliases import Aliases
from northnews.ops.pending import PendingArticles
from northnews.ops.store import DB_ERRORS, open_store
from northnews.view import diff, plots
from northnews.view.app import build
from northnews.view.data import ArchiveData, ViewError
from tests.conftest import FIXTURES

NORTHNEWS = Path(sys.executable).parent / "northnews"
URL = "http://www.example.test/2015/0927/1.shtml"
ALIAS = "http://www.example.test/s/1"  # a short link that redirected to URL
V1 = {"url": URL, "site": "northnews", "title": "中秋夜 首府市民共赏超级月亮", "section": "图解阅读",
      "published": "2015-09-27T19:30:00+08:00", "fetched_at": "2026-12-01T10:00:00Z",
      "body": "呼和浩特市民纷纷走出家门，登高赏月。\n\n天文专家介绍，当晚月亮距离地球约35.7万公里。",
      "images": [], "content_digest": "sha1:A"}
V2 = {**V1, "body": "呼和浩特市民陆续走出家门，登高赏月，共度佳节。\n\n天文专家介绍，当晚月亮距离地球约35.7万公里。",
      "fetched_at": "2026-12-02T10:00:00Z", "content_digest": "sha1:B"}
OTHER = {**V1, "url": "http://www.example.test/2015/0928/2.shtml", "title": "锡林郭勒牧民开始秋季转场",
         "section": "内蒙古新闻", "published": "2015-09-28T08:00:00+08:00",
         "body": "锡林郭勒盟的牧民开始赶着牛羊转场。", "content_digest": "sha1:C"}
MANIFEST = {"run_id": "20261202T100000Z", "site": "northnews", "status": "layout_drift", "exit_code": 7,
            "reason": "layout_drift", "started": "2026-12-02T10:00:00Z", "ended": "2026-12-02T10:01:00Z",
            "pages": {"fetched": 12}, "articles": {"new": 0, "updated": 1, "unchanged": 1, "rejected": 1},
            "errors": {"total": 2, "by_kind": {"timeout": 2}},
            # The shape northnews.crawl.extensions.drift writes.
            "drift": {"flagged": True, "site": {"items": 12, "generic": 6, "generic_share": 0.5},
                      "over": [{"scope": "site", "name": "site", "kind": "generic", "share": 0.5,
                                "threshold": 0.3, "examples": [URL]}]}}


def build_archive(root: Path, url: str | None) -> Path:
    """The hand-made archive: runs, two versions of one article, another article, a pending one."""
    with open_store(root, url) as store:
        store.begin_run("20261201T100000Z")
        store.record_item(V1, run_id="20261201T100000Z")
        store.record_item(OTHER, run_id="20261201T100000Z")
        store.end_run("20261201T100000Z", status="ok", complete=True, stats={"northnews/store/new": 2})
        store.begin_run("20261202T100000Z")
        store.record_item(V2, run_id="20261202T100000Z")
        PendingArticles(store).record("http://www.example.test/2015/0929/3.shtml", "soft_404", site="northnews",
                                      detail="页面不存在", run_id="20261202T100000Z")
        Aliases(store).record(ALIAS, URL, site="northnews", run_id="20261202T100000Z")  # redirected to URL
        store.end_run("20261202T100000Z", status="layout_drift", complete=True)
    (root / "runs").mkdir(parents=True)  # on PostgreSQL the archive dir holds only the manifests
    (root / "runs" / "20261202T100000Z.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    return root


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str | None:
    """None: the archive's SQLite file; else the URL of a fresh database on the real server."""
    return request.getfixturevalue("postgres").create_database() if request.param == "postgresql" else None


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory, backend: str | None) -> Path:
    return build_archive(tmp_path_factory.mktemp("view") / "archive", backend)


@pytest.fixture
def postgres_url(request: pytest.FixtureRequest):
    """A fresh database on the real server, made only when called (the SQLite runs start none)."""
    return lambda: request.getfixturevalue("postgres").create_database()


def digest_of(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha1(p.read_bytes()).hexdigest() for p in sorted(directory.rglob("*")) if p.is_file()}


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(archive: Path, backend: str | None) -> Iterator[str]:
    with serving(archive, backend) as url:
        yield url


@contextmanager
def serving(archive: Path, store_url: str | None = None) -> Iterator[str]:
    data = ArchiveData(archive, store_url)
    server = make_server("127.0.0.1", 0, None, handler_class=_Quiet)  # type: ignore[arg-type]
    port = server.server_address[1]
    server.set_app(build(data, replay_url="http://127.0.0.1:9/nn/", allowed_hosts={f"127.0.0.1:{port}"}))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()
    data.close()


OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str, **headers: str) -> tuple[int, str]:
    try:
        with OPENER.open(urllib.request.Request(url, headers=headers), timeout=30) as resp:
            return resp.status, resp.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def test_search_finds_by_a_chinese_body_word_with_a_marked_snippet(site: str) -> None:
    status, html = get(f"{site}/search?q={quote('转场')}")
    assert status == 200
    assert '<p id="count">1 article(s)' in html
    assert "锡林郭勒牧民开始秋季转场" in html and "<mark>转场</mark>" in html
    status, html = get(f"{site}/search?q={quote('登高赏月')}&since=2015-09-28")
    assert '<p id="count">0 article(s)' in html
    assert get(f"{site}/search?q=x&since=tomorrow")[0] == 400


def test_an_old_word_finds_the_article_and_says_which_version(site: str) -> None:
    # Both versions hold 赏月; 佳节 is only in version 2, 纷纷 only in version 1.
    status, html = get(f"{site}/search?q={quote('赏月')}")
    assert status == 200 and "matched version" not in html
    status, html = get(f"{site}/search?q={quote('佳节')}")
    assert "中秋夜" in html and "matched version" not in html
    status, html = get(f"{site}/search?q={quote('纷纷')}")
    assert "matched version 1 of 2" in html


def test_the_article_page_shows_both_versions_and_their_diff(site: str) -> None:
    status, html = get(f"{site}/article?url={quote(URL)}")
    assert status == 200
    assert html.count('<tr class="version">') == 2
    assert "Changes from version 1 to version 2" in html
    assert "<ins>，共度佳节</ins>" in html and "<del>纷纷</del><ins>陆续</ins>" in html
    assert 'href="http://127.0.0.1:9/nn/20261202100000/' + URL + '"' in html
    assert 'href="http://127.0.0.1:9/nn/20261201100000/' + URL + '"' in html
    status, old = get(f"{site}/article?url={quote(URL)}&v=1")
    assert "2015-09-27" in old and "共度佳节" not in old.split("<h2>Version 1</h2>")[1]
    assert get(f"{site}/article?url={quote(URL)}&a=1&b=9")[0] == 404
    assert get(f"{site}/article?url=http://nowhere.test/")[0] == 404


def test_an_article_is_found_by_its_other_scheme_and_by_a_url_that_redirected_to_it(site: str) -> None:
    """A reader pastes the https link, or the short link the crawl met as a redirect: the stored
    article's page (redirected to its stored URL, the version asked for kept), not a 404."""
    for asked in (URL.replace("http://", "https://"), ALIAS):
        req = urllib.request.Request(f"{site}/article?url={quote(asked)}&v=1")
        with OPENER.open(req, timeout=30) as resp:
            html = resp.read().decode("utf-8")
            assert resp.url == f"{site}/article?url={quote(URL, safe='')}&v=1", resp.url
        assert "<b>(shown)</b>" in html and html.count('<tr class="version">') == 2
        assert "纷纷" in html.split("<h2>Version 1</h2>")[1]  # version 1's body


def test_runs_timeline_and_manifest(site: str) -> None:
    status, html = get(f"{site}/runs")
    assert status == 200
    assert html.count('<tr class="run">') == 2 and html.count('class="run"') >= 4  # rows and bars
    assert "<svg" in html and "layout_drift" in html and "flagged" in html
    row = html.split("20261202T100000Z</a>")[1].split("</tr>")[0]
    assert "<td>7</td>" in row and "<td>12</td>" in row and "<td>2</td>" in row
    status, html = get(f"{site}/runs/20261202T100000Z")
    assert status == 200 and "timeout" in html and "exit 7" in html
    # The run report's plots: the article the run changed (2015-09-27, 图解阅读), the run history.
    assert html.count('<svg class="plot"') == 2 and "图解阅读" in html
    status, html = get(f"{site}/runs/20261201T100000Z")
    assert status == 200 and "No manifest file" in html
    # No runs/<id>.html beside this manifest: the report is rendered from it.
    status, html = get(f"{site}/runs/20261202T100000Z/report")
    assert status == 200 and html.lower().startswith("<!doctype html>") and "20261202T100000Z" in html
    assert get(f"{site}/runs/20261201T100000Z/report")[0] == 404


def test_sections_per_day_and_pending(site: str) -> None:
    status, html = get(f"{site}/sites/northnews")
    assert status == 200 and html.count("<svg") == 2 and "图解阅读" in html and "内蒙古新闻" in html
    assert "2015-09-27: 1" in html
    status, html = get(f"{site}/pending")
    assert status == 200 and "soft_404" in html and "页面不存在" in html


def test_a_foreign_host_header_is_refused(site: str) -> None:
    assert get(f"{site}/", Host="attacker.example:80")[0] == 403
    assert get(f"{site}/")[0] == 200


def test_the_view_writes_nothing(archive: Path, site: str, backend: str | None) -> None:
    before = digest_of(archive)
    for path in ("/", "/search?q=%E8%BD%AC%E5%9C%BA", f"/article?url={quote(URL)}", "/runs", "/pending"):
        assert get(site + path)[0] == 200
    assert digest_of(archive) == before
    data = ArchiveData(archive, backend)
    with pytest.raises(DB_ERRORS, match="readonly|read-only"):
        data.db.execute("DELETE FROM runs")
    data.close()


def test_a_store_of_the_first_release_is_refused_with_what_to_do(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "archive_v1_full" / "archive", tmp_path / "a")
    with pytest.raises(ViewError, match="scrapy search --rebuild"):
        ArchiveData(tmp_path / "a")
    with pytest.raises(ViewError, match="no store of record"):
        ArchiveData(tmp_path / "nothing")


def test_diff_and_charts_in_isolation() -> None:
    assert diff.inline("登高赏月。", "登高赏月，共度佳节。") == "登高赏月<ins>，共度佳节</ins>。"  # the smallest edit
    kinds = [k for k, _ in diff.body("a\n\nb\n\nc", "a\n\nB\n\nc\n\nd")]
    assert kinds == ["same", "changed", "same", "added"]
    assert diff.fields({"title": "x", "tags": ["a"]}, {"title": "x<", "tags": ["a"]}) == [("title", "x<ins>&lt;</ins>")]
    from datetime import date

    svg = plots.per_day({date(2015, 9, 1): 2, date(2015, 9, 3): 1}, "s")
    assert svg.count('class="bar"') == 2 and "3 days, 3 articles" in svg
    # Three years of a section: 36 monthly bars, not 1,095 bars of a pixel.
    svg = plots.per_day({date(2013, 1, 1): 1, date(2015, 12, 31): 2}, "s")
    assert svg.count('class="bar"') == 2 and "(36 months, 3 articles)" in svg and "month 2015-12-01: 2" in svg
    runs = [{"run_id": "a", "started": "2026-12-01T00:00:00Z", "status": "ok", "new": 3},
            {"run_id": "b", "started": "2026-12-03T00:00:00Z", "status": "layout_drift", "new": 0},
            {"run_id": "c", "started": None, "status": "crashed"}]
    svg = plots.run_history(runs, "runs", by_time=True, link=lambda r: f"/runs/{r}")
    assert svg.count('<a href="/runs/') == 2 and "(2 runs)" in svg  # c has no start: not on a time line
    assert 'x="41.0"' in svg and 'x="703.0"' in svg  # the first at the left edge, the last at the right


def test_the_command_binds_loopback_and_warns_for_anything_else(archive: Path, backend: str | None) -> None:
    store = ["--store", backend] if backend else []
    proc = subprocess.Popen([str(NORTHNEWS), "serve", "-d", str(archive), *store, "--host", "0.0.0.0", "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        warning = proc.stderr.readline() if proc.stderr else ""
        started = proc.stdout.readline() if proc.stdout else ""
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert "warning: binding 0.0.0.0" in warning and "no login" in warning
    assert "read-only" in started and "http://127.0.0.1:" in started
    assert ("store postgresql://" in started) == bool(backend), started
    missing = subprocess.run([str(NORTHNEWS), "serve", "-d", str(archive.parent / "none")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode == 1 and "no store of record" in missing.stderr


def test_an_index_behind_the_store_is_said_on_the_pages(tmp_path: Path, backend: str | None, postgres_url) -> None:
    url = postgres_url() if backend else None
    copy = build_archive(tmp_path / "archive", url)
    # What a store written before the index looks like to it.
    if url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DELETE FROM search_docs")
            conn.execute("DELETE FROM search_fts")
    else:
        db = sqlite3.connect(copy / "northnews.sqlite3")
        db.execute("DELETE FROM search_docs")
        db.execute("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
        db.commit()
        db.close()
    with serving(copy, url) as site:
        home = get(f"{site}/")[1]
        found = get(f"{site}/search?q={quote('转场')}")[1]
    assert "The search index holds 0 of 3 stored versions" in home
    assert "The index holds 0 of 3 stored versions" in found and '<p id="count">0 article(s)' in found


def test_search_results_come_in_pages_with_next_and_previous_links(tmp_path: Path, backend: str | None,
                                                                    postgres_url) -> None:
    """55 articles hold 草原: 50 on the first page with a link to the next, 5 on the second; no
    article twice, none lost; a bad page number is a 400."""
    url = postgres_url() if backend else None
    with open_store(tmp_path, url) as store:
        for n in range(55):
            store.record_item({**OTHER, "url": f"http://www.example.test/grass/{n}.shtml", "title": f"草原新闻{n}",
                               "body": f"第{n}篇：草原上的牧民。", "content_digest": f"sha1:grass{n}"})
        store.record_item({**OTHER, "url": "http://www.example.test/undated.shtml", "title": "无日期",
                           "published": None, "content_digest": "sha1:undated"})
    with serving(tmp_path, url) as site:
        first = get(f"{site}/search?q={quote('草原')}")[1]
        second = get(f"{site}/search?q={quote('草原')}&page=2")[1]
        bad = get(f"{site}/search?q={quote('草原')}&page=0")[0]
        section = get(f"{site}/sites/northnews/section?name={quote('内蒙古新闻')}")[1]
    # Latest published first, the undated article last on both backends (PostgreSQL sorts NULL first).
    listed = re.findall(r"<li>([0-9-]*) <a", section)
    assert len(listed) == 56 and listed[-1] == "" and listed[:-1] == sorted(listed[:-1], reverse=True)
    assert '<p id="count">50 article(s) for <b>草原</b> (results 1–50)</p>' in first
    assert 'rel="next" href="/search?q=%E8%8D%89%E5%8E%9F&amp;page=2"' in first and 'rel="prev"' not in first
    assert '<p id="count">5 article(s) for <b>草原</b> (results 51–55)</p>' in second
    assert 'rel="prev"' in second and 'rel="next"' not in second
    shown = re.findall(r"<div class='url'>(http://[^ ]+) ·", first + second)
    assert len(shown) == len(set(shown)) == 55
    assert bad == 400


def test_only_the_latest_runs_are_read_and_one_run_is_read_alone(tmp_path: Path, backend: str | None,
                                                                  postgres_url) -> None:
    url = postgres_url() if backend else None
    root = build_archive(tmp_path / "archive", url)
    # The latest run crashed before the store recorded it: only its manifest says it happened.
    crashed = {**MANIFEST, "run_id": "20261203T100000Z", "started": "2026-12-03T10:00:00Z", "status": "crashed"}
    (root / "runs" / "20261203T100000Z.json").write_text(json.dumps(crashed), encoding="utf-8")
    data = ArchiveData(root, url)
    try:
        every = [r["run_id"] for r in data.runs()]  # by start time
        assert sorted(every) == ["20261201T100000Z", "20261202T100000Z", "20261203T100000Z"]
        assert [r["run_id"] for r in data.runs(limit=2)] == every[-2:]
        assert data.run_count() == 3
        assert data.run("20261203T100000Z")["status"] == "crashed"
        both = data.run("20261202T100000Z")
        assert both["store"]["status"] == "layout_drift" and both["manifest"]["exit_code"] == 7
        assert data.run("20261201T100000Z")["manifest"] is None and data.run("nope") is None
    finally:
        data.close()
