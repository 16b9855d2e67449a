"""No silent zero: a run that archived nothing it should have says so and exits non-zero.

With the fault server: a profile whose article rule matches no link, an edition whose robots.txt
says ``Disallow: /``, a full re-crawl where every article answers a maintenance page although the
store holds the site's articles; a plain ``scrapy crawl`` stopped by SIGINT; a misspelt spider
name; a pending row dated 2046 by a clock that ran ahead. The judgement itself
(:func:`northnews.crawl.stats.silent_zero`, read by cron's ``classify``) is also checked on
plain stats, without a crawl.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
from pathlib import Path

import pytest

from northnews.crawl.stats import silent_zero
from northnews.ops import manifest
from tests.conftest import EXPECTED, FAST, PORTAL, REPO, SCRAPY, read_jsonl, run_crawl
from tests.faultserver import FaultPortal
from tests.opskit import query, run_cron, wait_for

PROFILE = REPO / "northnews" / "sites" / "northnews" / "site.toml"
ZH, EN = "http://www.northnews.cn", "http://english.northnews.cn"
RUN = {"northnews/run/id": "20261207T000000Z", "northnews/pages/answered": 20, "northnews/pages/fetched": 20,
       "finish_reason": "finished"}


def classify(stats: dict) -> tuple[int, str]:
    return manifest.classify(0, {"status": "finished", "stats": stats, "complete": True}, 0.05)


# --- the judgement, on plain stats ----------------------------------------------------------------


def test_a_quiet_incremental_run_is_no_alarm() -> None:
    stats = {**RUN, "northnews/pages/list": 20, "northnews/spider/article_links": 40,
             "northnews/spider/article_known": 40, "northnews/store/articles_before": 46}
    assert silent_zero(stats) == [] and classify(stats) == (0, "ok")
    # Every link older than -a since: nothing to archive, by choice.
    stats = {**RUN, "northnews/pages/list": 20, "northnews/spider/article_too_old": 40,
             "northnews/store/articles_before": 46}
    assert silent_zero(stats) == []
    # A replay (no run in the store) is never judged.
    assert silent_zero({"northnews/pages/list": 3}) == []


def test_no_article_link_nothing_archived_and_a_robots_disallowed_edition_are_alarms() -> None:
    zero = {**RUN, "northnews/pages/list": 20}
    assert classify(zero)[0] == manifest.EXIT_LAYOUT_DRIFT == 7
    assert "matched the site profile's article rule" in classify(zero)[1]
    nothing = {**RUN, "northnews/pages/list": 20, "northnews/spider/article_links": 46,
               "northnews/store/articles_before": 46}
    assert classify(nothing) == (7, silent_zero(nothing)[0][1]) and "nothing archived" in classify(nothing)[1]
    # The same with nothing in the store yet: articles failing on a first run are pending, no alarm.
    assert silent_zero({**nothing, "northnews/store/articles_before": 0}) == []
    robots = {**RUN, "northnews/pages/list": 9, "northnews/spider/article_links": 30, "northnews/store/new": 30,
              "northnews/robots/edition_disallowed": 1, "northnews/robots/edition_disallowed/en": 1}
    assert classify(robots) == (manifest.EXIT_UNREACHABLE, "edition en disallowed by robots.txt: nothing of it crawled")


# --- with the fault server ------------------------------------------------------------------------


slow = pytest.mark.slow  # the crawls in subprocesses; the judgement above is fast


def zero_match_profile(tmp_path: Path) -> Path:
    """The northnews profile with an article rule the site's links no longer match (a URL redesign)."""
    text = PROFILE.read_text(encoding="utf-8")
    # The rule is one pattern or a list of them: either way replaced by one no link matches.
    text, found = re.subn(r"^article = (?:\[.*?^\]|'[^\n]*')$", lambda m: "article = '/articles/(?P<id>\\d+)\\.html$'",
                          text, count=1, flags=re.M | re.S)
    assert found == 1
    path = tmp_path / "northnews.toml"
    path.write_text(text, encoding="utf-8")
    return path


@slow
def test_a_profile_whose_article_rule_matches_no_link_is_drift_not_ok(tmp_path: Path) -> None:
    with FaultPortal(PORTAL) as server:
        result = run_cron(tmp_path / "archive", "-a", f"site={zero_match_profile(tmp_path)}", proxy=server.proxy_url)
    assert result.returncode == manifest.EXIT_LAYOUT_DRIFT, result.stderr
    assert "matched the site profile's article rule" in result.manifest["reason"]
    log = (result.archive / result.manifest["log"]).read_text(encoding="utf-8")
    assert "WARNING: No silent zero: no link on" in log
    assert "Traceback" not in log


@slow
def test_an_edition_disallowed_by_robots_txt_is_unreachable_not_ok(tmp_path: Path) -> None:
    with FaultPortal(PORTAL) as server:
        server.pages[f"{EN}/robots.txt"] = lambda url: (200, [("Content-Type", "text/plain")], b"User-agent: *\nDisallow: /\n")
        result = run_cron(tmp_path / "archive", proxy=server.proxy_url)
        english = [u for u in server.requested_urls() if u.startswith(EN) and not u.endswith("/robots.txt")]
    assert result.returncode == manifest.EXIT_UNREACHABLE, result.stderr
    assert result.manifest["reason"] == "edition en disallowed by robots.txt: nothing of it crawled"
    assert not english  # obeyed
    assert result.manifest["articles"]["new"] > 0  # the other edition was archived
    log = (result.archive / result.manifest["log"]).read_text(encoding="utf-8")
    assert f"Edition en: its start page {EN}/ is disallowed by robots.txt" in log


@slow
def test_nothing_archived_though_the_store_knows_the_site_is_drift_not_ok(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    articles = [item["url"] for item in read_jsonl(EXPECTED / "portal.jsonl")]
    with FaultPortal(PORTAL) as server:
        first = run_cron(archive, proxy=server.proxy_url)
        assert first.returncode == 0, first.stderr
        for url in articles:
            server.fault(url, "maintenance")
        # A full re-crawl (not incremental) on a day every article answers a maintenance page.
        second = run_cron(archive, "-s", "NORTHNEWS_INCREMENTAL=False", proxy=server.proxy_url)
    assert second.returncode == manifest.EXIT_LAYOUT_DRIFT, second.stderr
    assert "nothing archived" in second.manifest["reason"] and "store holds" in second.manifest["reason"]


@slow
def test_a_plain_crawl_that_archives_nothing_it_should_exits_as_cron_does(tmp_path: Path) -> None:
    """The same judgement without cron: ``scrapy crawl`` exits 7 with one line, not 0 after a WARNING;
    a plain crawl that archived its articles exits 0 (no false alarm)."""
    with FaultPortal(PORTAL) as server:
        env = {"http_proxy": server.proxy_url}
        zero = run_crawl(tmp_path / "zero", "-a", f"site={zero_match_profile(tmp_path)}", env=env)
        fine = run_crawl(tmp_path / "fine", env=env)
    assert zero.returncode == manifest.EXIT_LAYOUT_DRIFT, zero.stderr[-2000:]
    assert zero.items == [] and "Traceback" not in zero.stderr
    [line] = [x for x in zero.stderr.splitlines() if x.startswith("scrapy crawl articles: ")]
    assert "no silent zero: no link on" in line and "matched the site profile's article rule" in line
    assert line.endswith("(exit 7)")
    assert fine.returncode == 0, fine.stderr[-2000:]
    assert len(fine.items) == len(read_jsonl(EXPECTED / "portal.jsonl"))


# --- plain scrapy crawl: signals and a misspelt spider --------------------------------------------


def interrupt_plain_crawl(archive: Path, signals: int) -> tuple[int, str]:
    """A plain ``scrapy crawl`` sent SIGINT ``signals`` times while pages are still slow to come."""
    with FaultPortal(PORTAL) as server:
        # Slow article pages: the crawl is still running when the signal comes.
        for item in read_jsonl(EXPECTED / "portal.jsonl")[:12]:
            server.fault(item["url"], "timeout", arg=20)
        env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
        env["http_proxy"] = env["https_proxy"] = server.proxy_url
        proc = subprocess.Popen(
            [str(SCRAPY), "crawl", "articles", "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}", "-s", "DOWNLOAD_TIMEOUT=30", *FAST],
            cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(iter(proc.stderr.readline, "")), daemon=True)
        reader.start()
        wait_for(lambda: any(kind == "timeout" for _, kind in server.faulted), timeout=120)
        for n in range(signals):
            if n:
                # The second Ctrl-C of an impatient operator (Scrapy then forces an unclean stop), sent once
                # the first was handled: two signals before Python's handler runs are seen as one.
                wait_for(lambda: any("Received SIGINT" in line for line in lines), timeout=120)
            proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
        reader.join(timeout=30)
    return proc.returncode, "".join(lines)


@slow
def test_sigint_on_a_plain_crawl_exits_nonzero_and_closes_its_run(tmp_path: Path) -> None:
    returncode, err = interrupt_plain_crawl(tmp_path / "archive", 1)
    assert returncode == manifest.EXIT_TERMINATED == 8, err[-2000:]
    assert "stopped by a signal (cleanly)" in err and "Traceback" not in err
    assert [r[0] for r in query(tmp_path / "archive", "SELECT status FROM runs")] == ["shutdown"]


@slow
def test_a_second_sigint_forcing_an_unclean_stop_still_closes_the_run(tmp_path: Path) -> None:
    returncode, err = interrupt_plain_crawl(tmp_path / "archive", 2)
    assert returncode == 8, err[-2000:]
    assert "Traceback" not in err
    assert "Received SIGINT twice, forcing unclean shutdown" in err
    assert [r[0] for r in query(tmp_path / "archive", "SELECT status FROM runs")] == ["shutdown"]  # not left "running"


def test_a_misspelt_spider_name_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run([str(SCRAPY), "crawl", "article", "-s", f"NORTHNEWS_ARCHIVE_DIR={tmp_path}"],
                          cwd=REPO, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip() == "scrapy crawl article: error: unknown spider 'article'; this project has: articles"
    assert not (tmp_path / "northnews.sqlite3").exists()


# --- time: a clock that ran ahead -----------------------------------------------------------------


@slow
def test_a_pending_article_dated_2046_is_fetched_by_the_next_run(tmp_path: Path, expected_items: dict) -> None:
    """What a clock 20 years ahead leaves (a pending row due in 2046), then the clock corrected."""
    archive = tmp_path / "archive"
    url = f"{ZH}/2015/0916/2049502.shtml"
    with FaultPortal(PORTAL) as server:
        server.fault(url, "empty", times=1)
        first = run_crawl(archive, env={"http_proxy": server.proxy_url})
        assert first.returncode == 0, first.stderr[-2000:]
        assert query(archive, "SELECT reason FROM article_pending WHERE url = ?", url) == [("empty",)]
        import sqlite3

        db = sqlite3.connect(archive / "northnews.sqlite3")
        with db:
            db.execute("UPDATE article_pending SET attempts = 2, last_attempt = '2046-01-01T00:00:00.000000Z',"
                       " next_attempt = '2046-01-01T01:00:00.000000Z' WHERE url = ?", (url,))
        db.close()
        second = run_crawl(archive, env={"http_proxy": server.proxy_url})
        requested = server.requested_urls()
    assert second.returncode == 0, second.stderr[-2000:]
    assert requested.count(url) == 2  # fetched again, now
    assert "1 pending article(s) were due as late as 2046-01-01T01:00:00.000000Z" in second.stderr
    assert query(archive, "SELECT url FROM article_pending WHERE url = ?", url) == []
    stored = json.loads(query(archive, "SELECT item_json FROM article_versions WHERE url = ?", url)[0][0])
    assert stored["body"] == expected_items[url]["body"]
