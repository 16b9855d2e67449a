"""Faults from a hostile or broken portal (tests/faultserver.py): each ends in a named outcome.

One crawl meets every page-level fault at once (each on its own article), then a second crawl
with the faults gone must repair every transient one: nothing lost, nothing stored half.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import FAST, PORTAL, REPO, SCRAPY, CrawlResult, read_jsonl, run_crawl
from tests.faultserver import FaultPortal, gzip_bomb
from tests.opskit import article_requests, clear_log, pending_urls, query, stored_urls

pytestmark = pytest.mark.slow

ZH = "http://www.northnews.cn"
#: article URL → (fault kind, arg, the pending reason it must end in)
PENDING_FAULTS = {
    f"{ZH}/2015/0916/2049502.shtml": ("empty", None, "empty"),
    f"{ZH}/2015/0918/2049790.shtml": ("soft_404", None, "soft_404"),
    f"{ZH}/2015/0921/2050012.shtml": ("soft_404_en", None, "soft_404"),
    f"{ZH}/2015/0922/2050133.shtml": ("maintenance", None, "maintenance"),
    f"{ZH}/2015/0923/2050260.shtml": ("png", None, "not_html"),
    f"{ZH}/2015/0925/2050501.shtml": ("status", 503, "http_503"),
    f"{ZH}/2015/0927/2050702.shtml": ("status", 404, "http_404"),
    f"{ZH}/2015/0928/2050811.shtml": ("reset", None, "connection"),
    f"{ZH}/2015/1005/2051120.shtml": ("timeout", 6, "timeout"),
    f"{ZH}/2015/1009/2051805.shtml": ("date", "2099-09-15 15:21", "implausible_date"),
    f"{ZH}/2015/1014/2051702.shtml": ("date", "1990-10-14 09:00", "implausible_date"),
    f"{ZH}/2015/1016/2051930.shtml": ("gzip_bomb", None, "too_large"),
}
#: A later page of a split article → the article that must be pending "incomplete".
PAGE_FAULTS = {
    f"{ZH}/2015/0915/2049381_2.shtml": ("soft_404", f"{ZH}/2015/0915/2049381.shtml"),
    f"{ZH}/2015/1013/2051590_2.shtml": ("empty", f"{ZH}/2015/1013/2051590.shtml"),
}
#: Faults a crawl must read through: the article is stored, field for field as expected.
SURVIVED = {
    f"{ZH}/2015/1008/2051236.shtml": ("deep", None),
    f"{ZH}/2015/1010/2051350.shtml": ("nul", None),
    f"{ZH}/2015/1012/2051477.shtml": ("unclosed", None),
    f"{ZH}/2015/1019/2052044.shtml": ("huge", None),
}
#: 429 without Retry-After twice, then the page: retried after backoffs, stored.
BACKED_OFF = f"{ZH}/2015/1021/2052263.shtml"

# A 3 s timeout: a loaded 2-core machine must not make a slow real page time out.
SETTINGS = ["-s", "RETRY_TIMES=2", "-s", "DOWNLOAD_TIMEOUT=3", "-s", "NORTHNEWS_RETRY_AFTER_MAX=0.2",
            "-s", "NORTHNEWS_MAX_LIST_PAGES=5"]


def live(server: FaultPortal) -> dict[str, str]:
    return {"http_proxy": server.proxy_url}


@dataclass
class FaultRuns:
    first: CrawlResult
    second: CrawlResult
    requested1: list[str]
    requested2: list[str]
    pending1: dict[str, tuple]  # the pending table after the first run
    rejects1: dict[str, str]  # rejects.jsonl after the first run: url → reason


@pytest.fixture(scope="module")
def fault_runs(tmp_path_factory: pytest.TempPathFactory) -> FaultRuns:
    archive = tmp_path_factory.mktemp("faults") / "archive"
    with FaultPortal(PORTAL) as server:
        for url, (kind, arg, _) in PENDING_FAULTS.items():
            server.fault(url, kind, arg=arg)
        for url, (kind, _) in PAGE_FAULTS.items():
            server.fault(url, kind)
        for url, (kind, arg) in SURVIVED.items():
            server.fault(url, kind, arg=arg)
        server.fault(BACKED_OFF, "status", times=2, arg=429)
        server.link(f"{ZH}/", server.trap_chain(), server.many_pages())
        gzip_bomb()  # made before the crawl: the server answers it at once
        first = run_crawl(archive, *SETTINGS, env=live(server), timeout=600)
        requested1 = server.requested_urls()
        pending1 = pending_rows(archive)
        rejects1 = {r["url"]: r["reason"] for r in read_jsonl(archive / "rejects.jsonl")}
        server.clear_faults()
        clear_log(server)
        second = run_crawl(archive, *SETTINGS, env=live(server), timeout=600)
        requested2 = server.requested_urls()
    return FaultRuns(first, second, requested1, requested2, pending1, rejects1)


def pending_rows(archive: Path) -> dict[str, tuple[str, str, int, str]]:
    return {r[0]: r[1:] for r in query(archive, "SELECT url, status, reason, attempts, detail FROM article_pending")}


def test_every_fault_ends_pending_with_its_reason(fault_runs: FaultRuns, expected_rejects: dict) -> None:
    first = fault_runs.first
    assert first.returncode == 0, first.stderr[-3000:]
    assert "Traceback" not in first.stderr
    got = {url: row for url, row in fault_runs.pending1.items() if url not in expected_rejects}
    wanted = {url: reason for url, (_, _, reason) in PENDING_FAULTS.items()}
    wanted.update({article: "incomplete" for _, article in PAGE_FAULTS.values()})
    assert {url: row[1] for url, row in got.items()} == wanted
    assert all(row[0] == "pending" and row[2] == 1 for row in got.values())
    # An incomplete article says which page was what.
    assert "2049381_2.shtml: soft_404" in got[f"{ZH}/2015/0915/2049381.shtml"][3]
    assert "2051590_2.shtml: empty" in got[f"{ZH}/2015/1013/2051590.shtml"][3]
    # Nothing of theirs reached the feed or the store: no item without its page 2, no 2099 date.
    assert not set(wanted) & {item["url"] for item in first.items}
    # Each is in rejects.jsonl too, with its reason, and logged.
    assert {url: fault_runs.rejects1.get(url) for url in wanted} == wanted
    for reason in ("empty", "soft_404", "maintenance", "not_html", "too_large", "timeout", "connection"):
        assert f"'northnews/pending/reason/{reason}':" in first.stderr, reason


def test_pages_that_must_be_read_through_are_stored_whole(fault_runs: FaultRuns, expected_items: dict) -> None:
    got = fault_runs.first.by_url
    for url in [*SURVIVED, BACKED_OFF]:
        assert url in got, url
        for field in ("title", "body", "published", "source", "author"):
            assert got[url][field] == expected_items[url][field], (url, field)
    body = got[f"{ZH}/2015/1010/2051350.shtml"]["body"]
    assert "\ufffd" not in body and "\x00" not in body
    assert "\ufffd" not in json.dumps(got[f"{ZH}/2015/1019/2052044.shtml"], ensure_ascii=False)


def test_a_429_without_retry_after_is_retried_after_a_backoff(fault_runs: FaultRuns) -> None:
    first = fault_runs.first
    assert fault_runs.requested1.count(BACKED_OFF) == 3
    assert "'northnews/retry_after/backoffs': 2" in first.stderr
    assert "answered 429, no Retry-After, backoff: waiting 0.2 s" in first.stderr


def test_pagination_traps_are_capped_and_the_run_finishes(fault_runs: FaultRuns) -> None:
    first, requested1 = fault_runs.first, fault_runs.requested1
    assert "'northnews/spider/pagination_capped': 2" in first.stderr
    assert "NORTHNEWS_MAX_LIST_PAGES reached" in first.stderr
    assert len([u for u in requested1 if "/trap/" in u]) == 5
    assert len([u for u in requested1 if "/many/" in u]) == 5
    assert "Spider closed (finished)" in first.stderr


def test_the_next_run_repairs_every_transient_fault(fault_runs: FaultRuns, expected_items: dict,
                                                   expected_rejects: dict) -> None:
    second, requested2 = fault_runs.second, fault_runs.requested2
    assert second.returncode == 0, second.stderr[-3000:]
    repaired = {*PENDING_FAULTS, *(article for _, article in PAGE_FAULTS.values())}
    # Fetched again whatever the list pages say, and stored complete this time.
    assert repaired <= {u for u in article_requests_of(requested2)}
    assert sorted(item["url"] for item in second.items) == sorted(repaired)
    assert stored_urls(second.archive) == sorted(expected_items)
    for url in repaired:
        assert second.by_url[url]["body"] == expected_items[url]["body"], url
    assert pending_urls(second.archive) == set(expected_rejects)  # only the fixture's real rejects
    assert f"'northnews/pending/resolved': {len(repaired)}" in second.stderr


def article_requests_of(urls: list[str]) -> list[str]:
    from tests.opskit import ARTICLE_URL

    return [u for u in urls if ARTICLE_URL.match(u)]


# --- the cap, failed, retry_failed, and the listing command -------------------------------------

EN_ARTICLE = "http://english.northnews.cn/2015/0918/90131.shtml"


def pending_cmd(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRAPY), "pending", *args, "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"],
                          cwd=REPO, capture_output=True, text=True, timeout=60)


def test_after_the_cap_an_article_is_failed_listed_and_retried_only_on_request(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    cap = ["-a", "editions=en", "-s", "NORTHNEWS_PENDING_MAX_ATTEMPTS=2", "-s", "NORTHNEWS_PENDING_BACKOFF=0"]
    with FaultPortal(PORTAL) as server:
        server.fault(EN_ARTICLE, "soft_404")
        for attempt in (1, 2):
            result = run_crawl(archive, *cap, env=live(server))
            assert result.returncode == 0, result.stderr[-2000:]
            assert pending_rows(archive)[EN_ARTICLE][:3] == ("pending" if attempt == 1 else "failed", "soft_404", attempt)
        assert "failed 2 times (last: soft_404" in result.stderr
        listed = pending_cmd(archive, "--failed")
        assert listed.returncode == 0
        # The fixture's own reject on the English edition (no body) is failed after 2 attempts too.
        lines = {re.search(r"https?://\S+", line).group(0): line.split()[:3] for line in listed.stdout.splitlines()}
        assert lines[EN_ARTICLE] == ["failed", "2", "soft_404"] and len(lines) == 2
        assert "0 pending, 2 failed" in listed.stderr
        as_json = {r["url"]: r for r in map(json.loads, pending_cmd(archive, "--json").stdout.splitlines())}
        assert (as_json[EN_ARTICLE]["status"], as_json[EN_ARTICLE]["attempts"]) == ("failed", 2)
        # Failed is known: a plain run does not fetch it again, even once the page is back.
        server.clear_faults()
        clear_log(server)
        run_crawl(archive, *cap, env=live(server))
        assert EN_ARTICLE not in article_requests(server)
        # -a retry_failed does.
        clear_log(server)
        retried = run_crawl(archive, *cap, "-a", "retry_failed=1", env=live(server))
        assert retried.returncode == 0, retried.stderr[-2000:]
        assert EN_ARTICLE in article_requests(server)
        assert EN_ARTICLE in retried.by_url and EN_ARTICLE in stored_urls(archive)
    assert EN_ARTICLE not in pending_rows(archive)
    assert "'northnews/pending/requeued_failed': 2" in retried.stderr  # with the fixture's reject


# --- a gzip bomb is cut at DOWNLOAD_MAXSIZE: bounded memory ------------------------------------

RSS_BOUND_KB = 450_000  # the bomb inflates to 256 MiB; a crawl that held it would peak far above this


def test_a_gzip_bomb_is_cut_and_memory_stays_bounded(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    url = f"{ZH}/2015/1016/2051930.shtml"
    with FaultPortal(PORTAL) as server:
        server.fault(url, "gzip_bomb")
        cmd = [str(SCRAPY), "crawl", "articles", "-a", "editions=zh", "-O", str(archive / "items.jsonl"),
               "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}", *FAST]
        # The crawl is the only child of a fresh interpreter, whose RUSAGE_CHILDREN is then the crawl's own.
        probe = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
                 " sys.stderr.write(p.stderr); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
        env = {"http_proxy": server.proxy_url, "PATH": "/usr/bin:/bin"}
        proc = subprocess.run([sys.executable, "-c", probe, *cmd], cwd=REPO, env=env, capture_output=True,
                              text=True, timeout=300)
    peak_kb = int(proc.stdout.strip().splitlines()[-1])
    assert pending_rows(archive)[url][1] == "too_large"
    assert "exceeded DOWNLOAD_MAXSIZE (67108864 B) during decompression" in proc.stderr
    assert peak_kb < RSS_BOUND_KB, f"peak RSS {peak_kb} kB"
