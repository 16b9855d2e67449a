"""The fleet on a real PostgreSQL server: workers as ``northnews-fleet worker`` processes, crawls
as procrastinate jobs, two portals served by one local server (tests/mockserver.py).

* two sites crawled at the same time by two workers into one store: every article once; a second
  round (by two new workers) incremental, its revisits pointing at the first round's captures of
  other workers; ``scrapy export`` from the server equal, record for record, to the same sites'
  crawls into a SQLite store (capture times and WARC pointers aside: they are another crawl's);
* a worker killed with everything it started (a machine dying): its job is taken by another
  worker, which resumes the site: 0 articles lost, 0 stored twice, the ``.open`` WARC recovered
  into the fleet's manifest.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from northnews.discovery import Kind, classify
from northnews.sites import load_site
from tests.conftest import EXPECTED, FIXTURES, REPO, SCRAPY, read_jsonl, run_crawl
from tests.fleetkit import (
    FAST_SETTINGS,
    RENDEZVOUS_SETTINGS,
    Rendezvous,
    fleet,
    jobs,
    kill_tree,
    live_workers,
    sql,
    start_worker,
    stop,
    two_portals,
    wait_for,
)
from tests.mockserver import MockPortal

pytestmark = pytest.mark.slow

SITES = {"northnews": load_site("northnews"), "yunhe": load_site("yunhe")}
WANT = {
    "northnews": {i["url"] for i in read_jsonl(EXPECTED / "portal.jsonl")},
    "yunhe": {i["url"] for i in read_jsonl(FIXTURES / "sites" / "yunhe" / "expected" / "items.jsonl")},
}
#: What depends on the crawl, not on the page: compared apart.
CAPTURE_FIELDS = ("fetched_at", "warc", "first_seen", "last_seen")


def article_fetches(urls: list[str], site: str) -> Counter[str]:
    return Counter(u for u in urls if classify(u, SITES[site]) is Kind.ARTICLE)


def site_of(url: str) -> str:
    return "yunhe" if "yunhe" in url else "northnews"


def all_done(url: str, count: int) -> bool:
    found = jobs(url)
    return len(found) == count and all(j[3] in ("succeeded", "failed") for j in found)


def comparable(record: dict) -> dict:
    out = {k: v for k, v in record.items() if k not in CAPTURE_FIELDS}
    out["images"] = [{k: v for k, v in i.items() if k != "warc"} for i in record.get("images") or []]
    return out


def export(*settings: str) -> list[dict]:
    argv = [str(SCRAPY), "export", "-o", "-"]
    for value in settings:
        argv += ["-s", value]
    out = subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return [json.loads(line) for line in out.stdout.splitlines()]


def warc_records(path: Path) -> list[tuple[str, str, str | None]]:
    """(type, record id, refers-to) of every record of a WARC file."""
    with open(path, "rb") as fh:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Record-ID"), r.rec_headers.get_header("WARC-Refers-To"))
                for r in ArchiveIterator(fh)]


def test_the_rendezvous_fails_loudly_for_crawls_run_one_after_the_other() -> None:
    import threading

    alone = Rendezvous(["a", "b"], lambda u: u.split("/")[2], timeout=0.2)
    assert alone("http://a/robots.txt") is None  # b never comes: a's request goes out after the wait
    assert alone("http://b/robots.txt") is None  # then b, too late: a had its answer already
    with pytest.raises(AssertionError, match="a waited 0.2 s at http://a/robots.txt for b"):
        alone.check(["http://a/robots.txt", "http://b/robots.txt"])
    met = Rendezvous(["a", "b"], lambda u: u.split("/")[2], timeout=60)
    waiting = threading.Thread(target=met, args=("http://a/robots.txt",))
    waiting.start()
    met("http://b/robots.txt")
    waiting.join(60)
    assert not waiting.is_alive()
    met.check(["http://b/robots.txt", "http://a/robots.txt", "http://a/"])
    with pytest.raises(AssertionError, match="answered 2 times"):  # a gave up on it and asked again
        met.check(["http://a/robots.txt", "http://b/robots.txt", "http://a/robots.txt"])


@pytest.fixture(scope="module")
def two_rounds(postgres, tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("fleet")
    url = postgres.create_database("fleet_two_sites")
    root = tmp / "root"
    rounds = []
    # The first round's two crawls must run at the same time: each one's first request waits at
    # the server for the other's (tests/fleetkit.Rendezvous), instead of comparing run times.
    meeting = Rendezvous(list(SITES), site_of)
    with MockPortal(two_portals(tmp), delay=0.01) as server:
        for names in (("w1", "w2"), ("w3", "w4")):
            settings = FAST_SETTINGS + RENDEZVOUS_SETTINGS
            workers = [start_worker(url, n, root, server.proxy_url, tmp / f"{n}.log", settings=settings)
                       for n in names]
            try:
                wait_for(lambda: live_workers(url) == 2, 90, what="two live workers")
                before = len(server.requested_urls())
                server.override = meeting if not rounds else None
                for site in SITES:
                    assert fleet(url, "crawl", site).returncode == 0
                wait_for(lambda: all_done(url, 2 * (len(rounds) + 1)), 2 * meeting.timeout + 300,
                         what="the crawl jobs")
                rounds.append(server.requested_urls()[before:])
            finally:
                server.override = None
                for w in workers:
                    stop(w)
        # The same two sites into a SQLite store (the default), one after the other.
        lite = tmp / "sqlite-archive"
        for site in SITES:
            done = run_crawl(lite, "-a", f"site={site}", env={"http_proxy": server.proxy_url})
            assert done.returncode == 0, done.stderr[-2000:]
    logs = {p.stem: p.read_text(errors="replace") for p in tmp.glob("w*.log")}
    return url, root, rounds, lite, logs, meeting


def test_two_workers_crawl_two_sites_at_once_into_one_store(two_rounds) -> None:
    url, root, rounds, _, logs, meeting = two_rounds
    first = jobs(url)[:2]
    assert [j[3] for j in first] == ["succeeded", "succeeded"], logs
    # Two workers, one site each (the worker is in each file's name).
    by = {site: {p.name[: -len(".warc.gz")].rsplit("-", 1)[1] for p in root.glob(f"{site}/warc/*-w[12].warc.gz")}
          for site in SITES}
    assert len(by["northnews"]) == len(by["yunhe"]) == 1 and by["northnews"] != by["yunhe"], by
    meeting.check(rounds[0])  # at the same time: each crawl's first request waited for the other's
    for site, want in WANT.items():
        stored = {r[0] for r in sql(url, "SELECT url FROM articles WHERE site = %s", site)}
        assert stored == want, site
        versions = sql(url, "SELECT url, count(*) FROM article_versions WHERE site = %s GROUP BY url", site)
        assert all(n == 1 for _, n in versions) and len(versions) == len(want)
        fetched = article_fetches([u for u in rounds[0] if site_of(u) == site], site)
        assert {u for u, n in fetched.items() if n > 1} == set()  # no article page fetched twice


def test_the_second_round_is_incremental_and_revisits_cross_workers(two_rounds) -> None:
    url, root, rounds, _, _, _ = two_rounds
    assert [j[3] for j in jobs(url)[2:]] == ["succeeded", "succeeded"]
    for site in SITES:
        fetched = article_fetches([u for u in rounds[1] if site_of(u) == site], site)
        # Stored articles: at most 2 fetched again (none here). The fixture's broken pages are
        # pending, fetched again by design until they fail for good ("Nothing lost").
        assert sum(n for u, n in fetched.items() if u in WANT[site]) <= 2, (site, fetched)
        pending = {r[0] for r in sql(url, "SELECT url FROM article_pending WHERE site = %s", site)}
        assert set(fetched) - WANT[site] <= pending, (site, fetched)
        stored = sql(url, "SELECT count(*), count(DISTINCT url) FROM article_versions WHERE site = %s", site)[0]
        assert stored == (len(WANT[site]), len(WANT[site]))
    # Revisits of the second round (workers w3, w4) point at records the first round's workers wrote.
    first_ids = {}
    for path in root.glob("*/warc/*-w[12].warc.gz"):
        first_ids.update({rid: path.name for kind, rid, _ in warc_records(path) if kind in ("response", "revisit")})
    revisits = [(path.name, ref) for path in root.glob("*/warc/*-w[34].warc.gz")
                for kind, _, ref in warc_records(path) if kind == "revisit"]
    assert revisits and all(ref in first_ids for _, ref in revisits)
    worker = lambda name: name[: -len(".warc.gz")].rsplit("-", 1)[1]  # noqa: E731
    assert all(worker(name) != worker(first_ids[ref]) for name, ref in revisits)


def test_one_manifest_of_every_file_with_names_unique_across_workers(two_rounds) -> None:
    url, root, _, _, _, _ = two_rounds
    manifest = {r[0]: (r[1], r[2]) for r in sql(url, "SELECT name, size, records FROM warc_files")}
    on_disk = {p.name: p for p in root.glob("*/warc/*.warc.gz")}
    assert set(manifest) == set(on_disk) and len(manifest) >= 4
    for name, path in on_disk.items():
        site, *_, worker = name[: -len(".warc.gz")].split("-")
        assert site in SITES and worker in ("w1", "w2", "w3", "w4") and path.parent.parent.name == site
        assert manifest[name][0] == path.stat().st_size
    assert not list(root.glob("*/warc/*.open")) and not list(root.glob("*/warc/digests.sqlite3"))
    listed = fleet(url, "files")
    assert listed.returncode == 0 and sorted(line.split("\t")[0] for line in listed.stdout.splitlines()) == sorted(manifest)


def test_export_from_postgresql_equals_the_sqlite_store_of_the_same_crawls(two_rounds) -> None:
    url, _, _, lite, _, _ = two_rounds
    from_pg = export(f"NORTHNEWS_STORE_URL={url}", "NORTHNEWS_ARCHIVE_DIR=/nonexistent")
    from_lite = export(f"NORTHNEWS_ARCHIVE_DIR={lite}")
    assert len(from_pg) == len(from_lite) == sum(len(w) for w in WANT.values())
    assert [r["url"] for r in from_pg] == [r["url"] for r in from_lite]
    for pg_record, lite_record in zip(from_pg, from_lite, strict=True):
        assert comparable(pg_record) == comparable(lite_record), pg_record["url"]


def test_a_killed_worker_s_crawl_is_resumed_by_another_with_nothing_lost_or_twice(postgres, tmp_path: Path) -> None:
    url = postgres.create_database("fleet_kill")
    root = tmp_path / "root"
    with MockPortal(two_portals(tmp_path), delay=0.15) as server:
        doomed = start_worker(url, "doomed", root, server.proxy_url, tmp_path / "doomed.log")
        try:
            wait_for(lambda: live_workers(url) == 1, 90, what="the worker")
            assert fleet(url, "crawl", "northnews").returncode == 0
            wait_for(lambda: sql(url, "SELECT count(*) FROM articles")[0][0] >= 10, 240, what="ten stored articles")
        finally:
            kill_tree(doomed)
        stored_before = sql(url, "SELECT count(*) FROM articles")[0][0]
        assert stored_before < len(WANT["northnews"])  # killed mid-crawl
        assert list(root.glob("northnews/warc/*.open"))  # what a dead machine leaves
        server.delay = 0.0
        heir = start_worker(url, "heir", root, server.proxy_url, tmp_path / "heir.log")
        try:
            wait_for(lambda: all_done(url, 1), 240, what="the crawl job, retried")
        finally:
            stop(heir)
    [(_, _, _, status, _, attempts)] = jobs(url)
    assert status == "succeeded" and attempts >= 2, (tmp_path / "heir.log").read_text()[-3000:]
    stored = {r[0] for r in sql(url, "SELECT url FROM articles WHERE site = 'northnews'")}
    assert WANT["northnews"] - stored == set()  # 0 lost
    per_url = sql(url, "SELECT url, count(*) FROM article_versions GROUP BY url HAVING count(*) > 1")
    new_twice = sql(url, "SELECT url FROM article_captures WHERE outcome = 'new' GROUP BY url HAVING count(*) > 1")
    assert per_url == [] and new_twice == []  # 0 stored twice
    runs = sql(url, "SELECT status, complete FROM runs ORDER BY id")
    assert runs[0][0] in ("killed", "shutdown") and runs[-1] == ("finished", 1)
    assert not list(root.glob("northnews/warc/*.open"))
    how = {r[0] for r in sql(url, "SELECT how FROM warc_files")}
    assert "recovered" in how and not (root / "northnews" / "warc" / "digests.sqlite3").exists()


def test_backfill_and_reextract_jobs(postgres, tmp_path: Path) -> None:
    url = postgres.create_database("fleet_jobs")
    root = tmp_path / "root"
    with MockPortal(two_portals(tmp_path)) as server:
        worker = start_worker(url, "solo", root, server.proxy_url, tmp_path / "solo.log")
        try:
            wait_for(lambda: live_workers(url) == 1, 90, what="the worker")
            bad = fleet(url, "backfill", "yunhe")
            assert bad.returncode == 2 and "-a NAME=VALUE" in bad.stderr
            assert fleet(url, "backfill", "yunhe", "-a", "max_pages=1").returncode == 0
            wait_for(lambda: all_done(url, 1), 240, what="the backfill job")
            [warc] = [p.name for p in root.glob("yunhe/warc/*.warc.gz")]
            assert fleet(url, "reextract", "yunhe", warc).returncode == 0
            wait_for(lambda: sql(url, "SELECT status::text FROM procrastinate_jobs WHERE task_name = 'northnews_reextract'")
                     in ([("succeeded",)], [("failed",)]), 240, what="the re-extraction job")
        finally:
            stop(worker)
    log = (tmp_path / "solo.log").read_text(errors="replace")
    assert jobs(url)[0][3] == "succeeded", log[-3000:]
    assert json.loads(sql(url, "SELECT args_json FROM runs")[0][0])["max_pages"] == "1"  # the backfill's -a
    assert sql(url, "SELECT status::text FROM procrastinate_jobs WHERE task_name = 'northnews_reextract'") == \
        [("succeeded",)], log[-3000:]
    items = read_jsonl(root / "yunhe" / "extract" / (warc + ".jsonl"))
    stored = {r[0] for r in sql(url, "SELECT url FROM articles WHERE site = 'yunhe'")}
    assert items and {i["url"] for i in items} <= stored
    # Re-extracting the same pages with the same parsers stores no new version, only captures.
    assert sql(url, "SELECT count(*) FROM article_versions")[0][0] == len(stored)
    assert sql(url, "SELECT count(*) FROM article_captures WHERE outcome = 'unchanged'")[0][0] == len(items)


def test_two_crawls_at_once_without_the_fleet_share_an_archive_dir_and_the_store(postgres, two_rounds,
                                                                                  tmp_path: Path) -> None:
    """What an operator does by hand: two `northnews-cron` runs of two sites at the same moment,
    one archive dir, `-s NORTHNEWS_STORE_URL=postgresql://…`: per-site locks, run ids and WARC
    names keep them apart; the second round is incremental; export equals the SQLite store's."""
    from tests.opskit import start_cron

    url = postgres.create_database("two_crons")
    archive = tmp_path / "archive"
    lite = two_rounds[3]
    meeting = Rendezvous(list(SITES), site_of)  # the first round's two crawls at the same time
    with MockPortal(two_portals(tmp_path), delay=0.01) as server:
        for round_ in range(2):
            before = len(server.requested_urls())
            server.override = None if round_ else meeting
            timeout = [x for value in RENDEZVOUS_SETTINGS for x in ("-s", value)]
            procs = [start_cron(archive, "-a", f"site={site}", "-s", f"NORTHNEWS_STORE_URL={url}", *timeout,
                                proxy=server.proxy_url, log=tmp_path / f"{site}-{round_}.log") for site in SITES]
            assert [p.wait(timeout=2 * meeting.timeout + 300) for p in procs] == [0, 0], [
                (tmp_path / f"{s}-{round_}.log").read_text(errors="replace")[-2000:] for s in SITES]
            fetched = server.requested_urls()[before:]
            if not round_:
                meeting.check(fetched)  # each crawl's first request waited for the other's
            for site in SITES:
                again = article_fetches([u for u in fetched if site_of(u) == site], site)
                stored_again = sum(n for u, n in again.items() if u in WANT[site])
                assert stored_again == 0 if round_ else max(again.values()) == 1, (site, again)
    runs = sql(url, "SELECT run_id, site, started_at, ended_at, status FROM runs ORDER BY id")
    assert len(runs) == 4 and {r[4] for r in runs} == {"finished"} and len({r[0] for r in runs}) == 4
    names = [p.name for p in (archive / "warc").glob("*.warc.gz")]
    assert len(names) == len(set(names)) >= 4 and not list((archive / "warc").glob("*.open"))
    from_pg = export(f"NORTHNEWS_STORE_URL={url}", f"NORTHNEWS_ARCHIVE_DIR={archive}")
    from_lite = export(f"NORTHNEWS_ARCHIVE_DIR={lite}")
    assert [comparable(r) for r in from_pg] == [comparable(r) for r in from_lite]
