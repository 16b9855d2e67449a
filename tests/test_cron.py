"""``northnews-cron`` end to end: lock, exit codes, manifests, and resume after SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from northnews.archive.lock import ArchiveLock, LockHeld
from northnews.ops import cron
from northnews.ops.store import Store
from tests.conftest import PORTAL
from tests.mockserver import MockPortal
from tests.opskit import (
    ARTICLE_URL,
    article_requests,
    clear_log,
    first_pages,
    known_count,
    known_urls,
    query,
    run_cron,
    running_pid,
    slow,
    start_cron,
    stored_urls,
    unresolved_pointers,
    wait_for,
)

WARCIO = Path(sys.executable).parent / "warcio"

# --- exit codes ---------------------------------------------------------------------------------


def test_exit_codes_are_distinct_and_documented() -> None:
    codes = [cron.EXIT_OK, cron.EXIT_USAGE, cron.EXIT_LOCKED, cron.EXIT_UNREACHABLE,
             cron.EXIT_ERROR_RATE, cron.EXIT_CRASHED, cron.EXIT_LAYOUT_DRIFT, cron.EXIT_TERMINATED,
             cron.EXIT_WRITE_ERROR]
    assert len(set(codes)) == len(codes) and codes[0] == 0
    for code in codes:
        assert f"\n{code}  " in cron.__doc__


def finished(**stats) -> dict:
    return {"status": "finished", "complete": True, "stats": {"northnews/pages/answered": 30,
                                                               "northnews/pages/fetched": 30, **stats}}


@pytest.mark.parametrize(
    ("returncode", "run", "code"),
    [
        (0, finished(), cron.EXIT_OK),
        (0, finished(**{"northnews/errors/http_503": 1}), cron.EXIT_OK),  # 1 of 30: under 5%
        (0, finished(**{"northnews/errors/download/TimeoutError": 2, "northnews/pages/failed": 2,
                        "northnews/errors/http_503": 1}), cron.EXIT_ERROR_RATE),  # 3 of 32
        (0, {"status": "finished", "stats": {"northnews/pages/failed": 4}}, cron.EXIT_UNREACHABLE),
        (0, {"status": "finished", "stats": {"northnews/pages/fetched": 3}}, cron.EXIT_UNREACHABLE),  # all 5xx
        (0, {"status": "closespider_timeout", "stats": {"northnews/pages/answered": 1}}, cron.EXIT_OK),
        (0, {"status": "shutdown", "stats": {"northnews/pages/answered": 1}}, cron.EXIT_TERMINATED),
        (0, {"status": "northnews_warc_error", "stats": {"northnews/pages/answered": 1}}, cron.EXIT_WRITE_ERROR),
        (0, {"status": "northnews_write_error", "stats": {"northnews/pages/answered": 1}}, cron.EXIT_WRITE_ERROR),
        (-15, {"status": "running", "stats": None}, cron.EXIT_TERMINATED),
        (-9, {"status": "running", "stats": None}, cron.EXIT_CRASHED),
        (1, None, cron.EXIT_CRASHED),
        (0, None, cron.EXIT_CRASHED),
        (2, None, cron.EXIT_USAGE),
    ],
)
def test_classify(returncode: int, run: dict | None, code: int) -> None:
    assert cron.classify(returncode, run, 0.05)[0] == code


# --- runs against the local portal --------------------------------------------------------------


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def test_overlapping_runs_second_exits_with_the_lock_code(tmp_path: Path, expected_items: dict) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    with MockPortal(PORTAL, override=slow(0.05)) as server:
        first = start_cron(archive, "-s", "NORTHNEWS_PROGRESS_INTERVAL=0.2", proxy=server.proxy_url,
                           log=tmp_path / "first.out")
        try:
            wait_for(lambda: running_pid(archive) is not None or first.poll() is not None)
            assert first.poll() is None
            requests_before = len(server.requested_urls())
            second = run_cron(archive, proxy=server.proxy_url)
            assert second.returncode == cron.EXIT_LOCKED
            assert "another northnews run holds the lock" in second.stderr
            run_id = query(archive, "SELECT run_id FROM runs")[0][0]
            assert run_id in second.stderr  # who holds it
            assert second.stdout == ""
        finally:
            assert first.wait(timeout=120) == 0, (tmp_path / "first.out").read_text()
        assert len(server.requested_urls()) > requests_before
    # Only the first run left a log, a manifest and its report; the second did nothing.
    assert sorted(p.name for p in (archive / "runs").iterdir()) == [f"{run_id}.html", f"{run_id}.json", f"{run_id}.log"]
    manifest = second.manifest
    assert (manifest["run_id"], manifest["status"], manifest["exit_code"]) == (run_id, "ok", 0)
    assert manifest["articles"]["new"] == len(expected_items)
    assert manifest["articles"]["rejected"] == 3
    assert manifest["errors"] == {"total": 0, "rate": 0.0, "max_rate": 0.05, "by_kind": {}}
    assert manifest["warc"]["files_closed"] and manifest["warc"]["open_files_left"] == []
    assert all((archive / "warc" / name).is_file() for name in manifest["warc"]["files_closed"])
    log = (archive / "runs" / f"{run_id}.log").read_text(encoding="utf-8")
    assert "Progress: " in log  # a periodic line (interval 0.2 s), not only the final one
    assert "Progress (final): " in log


def test_a_held_lock_touches_nothing(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    Store.open(archive).close()
    with MockPortal(PORTAL) as server, ArchiveLock(archive).acquire("20261101T000000Z"):
        before = snapshot(archive)
        result = run_cron(archive, proxy=server.proxy_url)
        assert result.returncode == cron.EXIT_LOCKED
        assert "20261101T000000Z" in result.stderr
        assert snapshot(archive) == before
        assert server.requested_urls() == []


def test_second_run_fetches_no_stored_article_page(tmp_path: Path, expected_items: dict, expected_rejects: dict) -> None:
    archive = tmp_path / "archive"
    with MockPortal(PORTAL) as server:
        first = run_cron(archive, proxy=server.proxy_url)
        assert first.returncode == 0, first.stderr
        assert first.manifest["articles"]["new"] == len(expected_items)
        clear_log(server)
        second = run_cron(archive, proxy=server.proxy_url)
        assert second.returncode == 0, second.stderr
        # Only the rejects, pending since run 1, are fetched again (their second attempt).
        assert sorted(article_requests(server)) == sorted(expected_rejects)
    m = second.manifest
    assert m["pages"]["article"] == len(expected_rejects) and m["pages"]["list"] > 0
    assert (m["articles"]["new"], m["articles"]["updated"], m["articles"]["unchanged"]) == (0, 0, 0)
    assert m["crawl"]["walked_every_list_page"] is False  # run 1 was complete: stop at known pages
    assert second.stdout.startswith(f"northnews-cron: run {m['run_id']} ok: ")


def test_unreachable_site(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with MockPortal(PORTAL) as closed:
        dead = closed.proxy_url  # a port nobody listens on once the server is gone
    result = run_cron(archive, "-s", "RETRY_TIMES=0", proxy=dead)
    assert result.returncode == cron.EXIT_UNREACHABLE, result.stderr
    m = result.manifest
    assert m["status"] == "unreachable" and m["pages"]["fetched"] == 0
    # robots.txt could not be fetched, so the hosts are disallowed (RFC 9309): that is the error.
    assert m["errors"]["by_kind"].get("robots_unavailable") == 2
    assert "site unreachable" in result.stderr
    ArchiveLock(archive).acquire().release()  # the lock went with the run


def test_errors_over_the_rate_and_the_next_run_completes(tmp_path: Path, expected_items: dict,
                                                         expected_rejects: dict) -> None:
    archive = tmp_path / "archive"
    failing = sorted(expected_items)[:5]

    def unavailable(url: str):
        return (503, [("Content-Type", "text/plain")], b"busy\n") if url in failing else None

    with MockPortal(PORTAL, override=unavailable) as server:
        bad = run_cron(archive, "-s", "RETRY_TIMES=0", "-s", "NORTHNEWS_MAX_ERROR_RATE=0.02", proxy=server.proxy_url)
        assert bad.returncode == cron.EXIT_ERROR_RATE, bad.stderr
        assert bad.manifest["errors"]["by_kind"] == {"http_503": 5}
        assert bad.manifest["crawl"]["complete"] is False
        server.override = None
        clear_log(server)
        good = run_cron(archive, proxy=server.proxy_url)
        assert good.returncode == 0, good.stderr
    assert good.manifest["crawl"]["walked_every_list_page"] is True
    # The failed articles are fetched again (pending, due), and so are the rejects (pending too).
    assert sorted(first_pages(article_requests(server))) == sorted([*failing, *expected_rejects])
    assert good.manifest["pending"]["resolved"] == len(failing)
    assert stored_urls(archive) == sorted(expected_items)


def test_usage_errors(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    replay = run_cron(archive, "-a", f"replay={PORTAL}", proxy=None)
    assert replay.returncode == cron.EXIT_USAGE
    assert "-a replay" in replay.stderr
    assert not archive.exists()
    no_store = run_cron(archive, "-s", "NORTHNEWS_STORE_ENABLED=False", proxy=None)
    assert no_store.returncode == cron.EXIT_USAGE
    assert "NORTHNEWS_STORE_ENABLED" in no_store.stderr
    assert not archive.exists()
    bad = run_cron(archive, "-a", "max_pages=0", proxy=None)
    assert bad.returncode == cron.EXIT_USAGE
    assert bad.manifest["status"] == "usage_error"
    assert "-a max_pages" in (archive / "runs" / f"{bad.manifest['run_id']}.log").read_text()
    # The crawl's own line, not "see the log".
    assert bad.manifest["reason"] == "-a max_pages: expected a positive integer, got '0'"
    assert "(exit 2: -a max_pages: expected a positive integer, got '0')" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-s", "NORTHNEWS_WARC_GZIP_LEVEL=11"], "-s NORTHNEWS_WARC_GZIP_LEVEL: expected an integer 0-9, got '11'"),
        (["-s", "NORTHNEWS_WARC_ENABLED=maybe"], "-s NORTHNEWS_WARC_ENABLED: expected True or False, got 'maybe'"),
        (["-s", "NORTHNEWS_START_URLS=foo"], "-s NORTHNEWS_START_URLS: no longer a setting"),
        (["-s", "NORTHNEWS_WARC_PREFIX=a/b"], "-s NORTHNEWS_WARC_PREFIX: expected a string"),
        (["-s", "NORTHNEWS_RETRY_AFTER_MAX=-5"], "-s NORTHNEWS_RETRY_AFTER_MAX: expected a number >= 0"),
        (["-s", "NORTHNEWS_WARC_GIZP_LEVEL=3"], "did you mean NORTHNEWS_WARC_GZIP_LEVEL?"),
    ],
)
def test_bad_settings_are_one_line_and_exit_2_before_anything_runs(tmp_path: Path, args: list[str], message: str) -> None:
    archive = tmp_path / "archive"
    result = run_cron(archive, *args, proxy=None)
    assert result.returncode == cron.EXIT_USAGE
    assert result.stderr.strip().splitlines() == [f"northnews-cron: error: {message}"] or (
        len(result.stderr.strip().splitlines()) == 1 and message in result.stderr)
    assert "Traceback" not in result.stderr and not (archive / "runs").exists()


def test_an_unwritable_archive_dir_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cron(Path("/proc/northnews-archive"), proxy=None)
    assert result.returncode == cron.EXIT_USAGE
    assert "-s NORTHNEWS_ARCHIVE_DIR: expected a writable directory" in result.stderr
    assert "Traceback" not in result.stderr


# --- SIGKILL at several points, then resume --------------------------------------------------------


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def lock_free(archive: Path) -> bool:
    try:
        ArchiveLock(archive).acquire().release()
    except LockHeld:
        return False
    return True


def kill_at(archive: Path, proc: subprocess.Popen[bytes], known: int, *, crawl_only: bool = False) -> int:
    """SIGKILL once the store knows ``known`` articles: the crawl and northnews-cron together
    (a machine crash, an OOM kill of the group), or only the crawl. Returns cron's exit status."""
    wait_for(lambda: known_count(archive) >= known or proc.poll() is not None)
    assert proc.poll() is None, "the crawl ended before the kill point"
    child = running_pid(archive)
    assert child is not None
    if crawl_only:
        os.kill(child, signal.SIGKILL)
        status = proc.wait(timeout=60)
    else:
        os.kill(child, signal.SIGSTOP)  # so that it cannot react to its parent's death
        os.kill(proc.pid, signal.SIGKILL)
        os.kill(child, signal.SIGKILL)
        status = proc.wait(timeout=60)
        wait_for(lambda: not alive(child))
    wait_for(lambda: lock_free(archive))
    return status


def test_kills_at_several_points_then_resume(
    tmp_path: Path, expected_items: dict[str, dict], expected_rejects: dict[str, dict]
) -> None:
    archive = tmp_path / "archive"
    everything = {*expected_items, *expected_rejects}
    killed_runs = []
    with MockPortal(PORTAL, override=slow(0.2)) as server:
        for n, (known, crawl_only) in enumerate([(3, False), (20, False), (len(everything) - 6, True)]):
            before = known_urls(archive)
            clear_log(server)
            proc = start_cron(archive, proxy=server.proxy_url, log=tmp_path / f"kill{n}.out")
            status = kill_at(archive, proc, known, crawl_only=crawl_only)
            after = known_urls(archive)
            assert before < after < everything  # it got somewhere, and was stopped mid-way
            # Whatever this run fetched, it was missing from the store when it started.
            assert not first_pages(article_requests(server)) & before
            killed_runs.append(query(archive, "SELECT run_id, status FROM runs ORDER BY id DESC LIMIT 1")[0])
            assert list((archive / "warc").glob("*.warc.gz.open")), "a killed crawl leaves its WARC open"
            if crawl_only:
                # The wrapper survived: it says so, with a manifest, and closes the run.
                assert status == cron.EXIT_CRASHED
                assert killed_runs[-1][1] == "crashed"
                manifest = sorted((archive / "runs").glob("*.json"))[-1]
                assert '"status": "crashed"' in manifest.read_text()
            else:
                assert status == -signal.SIGKILL
                assert killed_runs[-1][1] == "running"

        # The resumed run completes what is missing, and only that.
        server.override = None
        known_before = known_urls(archive)
        clear_log(server)
        final = run_cron(archive, proxy=server.proxy_url)
        assert final.returncode == 0, final.stderr
        assert first_pages(article_requests(server)) == everything - known_before

    manifests = final.manifests()  # runs killed with their wrapper left none
    assert [m["status"] for m in manifests] == ["crashed", "ok"]
    assert manifests[0]["interrupted_runs_closed"] == [killed_runs[1][0]]
    assert manifests[-1]["crawl"]["walked_every_list_page"] is True
    assert manifests[-1]["warc"]["recovered_before_crawl"]  # the crashed run's .open file
    # Each run after a SIGKILL closed the killed run's books.
    statuses = query(archive, "SELECT run_id, status, complete FROM runs ORDER BY id")
    assert statuses == [
        (killed_runs[0][0], "killed", 0),
        (killed_runs[1][0], "killed", 0),
        (killed_runs[2][0], "crashed", 0),
        (manifests[-1]["run_id"], "finished", 1),
    ]

    # Every article exactly once, one version each; rejects pending (fetched again later), not stored.
    assert stored_urls(archive) == sorted(expected_items)
    assert query(archive, "SELECT count(*), count(DISTINCT url), max(version) FROM article_versions") == [
        (len(expected_items), len(expected_items), 1)
    ]
    assert {r[0] for r in query(archive, "SELECT url FROM article_pending WHERE status = 'pending'")} == set(expected_rejects)

    # Every WARC closed, readable to the end, passing `warcio check`; every pointer resolves.
    warcs = sorted((archive / "warc").glob("*.warc.gz"))
    assert not list((archive / "warc").glob("*.open"))
    check = subprocess.run([str(WARCIO), "check", *map(str, warcs)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    from warcio.archiveiterator import ArchiveIterator

    for path in warcs:
        with open(path, "rb") as fh:
            assert sum(1 for _ in ArchiveIterator(fh)) > 1
    assert unresolved_pointers(archive) == []
    assert all(ARTICLE_URL.match(u) for u in stored_urls(archive))
