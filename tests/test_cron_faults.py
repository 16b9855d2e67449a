"""northnews-cron under faults: secrets, file modes, SIGTERM, a full disk (each a named outcome)."""

from __future__ import annotations

import grp
import gzip
import json
import os
import resource
import signal
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest

from northnews.ops import cron
from northnews.ops.runfiles import crawl_usage_error, disk_full_in, write_manifest
from tests.conftest import PORTAL, REPO
from tests.mockserver import MockPortal
from tests.opskit import cron_command, cron_env, run_cron, running_pid, slow, stored_urls, wait_for

SECRET_TOKEN = "s3cr3t-bearer-token-4242"
SECRET_COOKIE = "sid=cookie-value-9876"
SECRET_PROXY_PASSWORD = "pr0xy-pa55word"
HEADERS = json.dumps({"Authorization": f"Bearer {SECRET_TOKEN}", "Cookie": SECRET_COOKIE, "Accept-Language": "zh-CN"})
SECRETS = (SECRET_TOKEN, SECRET_COOKIE, "cookie-value-9876", SECRET_PROXY_PASSWORD)


def files_under(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def holding_a_secret(paths: list[Path]) -> dict[str, str]:
    found = {}
    for path in paths:
        data = path.read_bytes()
        if data[:2] == b"\x1f\x8b":  # a .warc.gz: every record its own gzip member
            data = gzip.decompress(data)
        for secret in SECRETS:
            if secret.encode() in data:
                found[str(path)] = secret
    return found


@pytest.fixture(scope="module")
def secret_run(tmp_path_factory: pytest.TempPathFactory) -> cron.Options:
    archive = tmp_path_factory.mktemp("secrets") / "archive"
    with MockPortal(PORTAL) as server:
        result = run_cron(
            archive, "-a", "editions=en", "-s", f"DEFAULT_REQUEST_HEADERS={HEADERS}",
            "-s", f"HTTPPROXY_PASSWORD={SECRET_PROXY_PASSWORD}", proxy=server.proxy_url,
        )
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.slow
def test_no_secret_in_the_manifest_log_store_or_feed(secret_run) -> None:
    archive = secret_run.archive
    manifest = secret_run.manifest
    command = " ".join(manifest["command"])
    assert "[redacted]" in command and "Accept-Language" in command
    outside_warcs = [p for p in files_under(archive) if "warc" not in p.relative_to(archive).parts]
    assert {p.name for p in outside_warcs} >= {"northnews.sqlite3", f"{manifest['run_id']}.json",
                                               f"{manifest['run_id']}.log"}
    assert holding_a_secret(outside_warcs) == {}
    assert SECRET_TOKEN not in secret_run.stdout + secret_run.stderr


@pytest.mark.slow
def test_no_secret_in_the_warcs(secret_run) -> None:
    """Request records redact Cookie/Authorization, the warcinfo its command line (northnews.util.redact)."""
    warcs = files_under(secret_run.archive / "warc")
    assert warcs
    assert holding_a_secret(warcs) == {}


@pytest.mark.slow
def test_archive_files_are_0640_and_directories_0750(secret_run) -> None:
    archive = secret_run.archive
    for path in [archive, *archive.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        if path.is_dir():
            assert mode & 0o027 == 0, f"{path}: {oct(mode)}"
        elif "warc" not in path.relative_to(archive).parts or path.suffix != ".lock":
            assert mode & 0o137 == 0, f"{path}: {oct(mode)}"


@pytest.mark.slow
@pytest.mark.skipif(os.geteuid() != 0, reason="giving files another group needs root or membership")
def test_the_group_setting_gives_every_file_the_group(tmp_path: Path) -> None:
    other = next(g for g in grp.getgrall() if g.gr_gid != os.getgid())
    archive = tmp_path / "archive"
    with MockPortal(PORTAL) as server:
        result = run_cron(archive, "-a", "editions=en", "-a", "max_pages=1", "-s", f"NORTHNEWS_FILE_GROUP={other.gr_name}",
                          proxy=server.proxy_url)
    assert result.returncode == 0, result.stderr
    paths = [archive, *archive.rglob("*")]
    assert {p.stat().st_gid for p in paths} == {other.gr_gid}
    assert all(p.stat().st_mode & stat.S_ISGID for p in paths if p.is_dir())
    bad = run_cron(archive, "-s", "NORTHNEWS_FILE_GROUP=no-such-group-here", proxy=None)
    assert bad.returncode == cron.EXIT_USAGE and "no such group: 'no-such-group-here'" in bad.stderr


@pytest.mark.slow
def test_sigterm_is_terminated_not_crashed(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with MockPortal(PORTAL, override=slow(0.3)) as server:
        proc = subprocess.Popen(cron_command(archive), cwd=REPO, env=cron_env(server.proxy_url),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        wait_for(lambda: running_pid(archive) is not None and stored_urls(archive), timeout=120)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == cron.EXIT_TERMINATED, err
    manifest = json.loads(sorted((archive / "runs").glob("*.json"))[-1].read_text())
    assert manifest["status"] == "terminated" and manifest["exit_code"] == 8
    assert manifest["reason"].startswith("terminated by SIGTERM")
    assert "Traceback" not in err
    db = sqlite3.connect(archive / "northnews.sqlite3")
    assert db.execute("SELECT status FROM runs").fetchall() == [("shutdown",)]
    db.close()


@pytest.mark.slow
def test_a_full_disk_stops_cleanly_with_a_manifest_and_the_next_run_completes(tmp_path: Path, expected_items) -> None:
    archive = tmp_path / "archive"

    def small_disk() -> None:  # every file of the run may grow to 256 KB, no further (EFBIG, like ENOSPC)
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))

    with MockPortal(PORTAL) as server:
        proc = subprocess.run(cron_command(archive), cwd=REPO, env=cron_env(server.proxy_url), capture_output=True,
                              text=True, timeout=300, preexec_fn=small_disk)
        assert proc.returncode == cron.EXIT_WRITE_ERROR, proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
        manifest = json.loads(sorted((archive / "runs").glob("*.json"))[-1].read_text())
        assert manifest["status"] == "write_error" and manifest["exit_code"] == 9
        # The store is consistent: every stored article is whole, and the next run completes the rest.
        db = sqlite3.connect(archive / "northnews.sqlite3")
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        db.close()
        final = run_cron(archive, proxy=server.proxy_url)
    assert final.returncode == 0, final.stderr
    assert stored_urls(archive) == sorted(expected_items)


def test_the_manifest_goes_to_a_fallback_when_the_archive_takes_none(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    blocked = tmp_path / "archive" / "runs"
    blocked.parent.mkdir()
    blocked.write_text("a file where the runs directory should be")
    path, error = write_manifest(blocked, "20261201T000000Z", {"status": "write_error"})
    assert path == tmp_path / "state" / "northnews" / "runs" / "20261201T000000Z.json"
    data = json.loads(path.read_text())
    assert data["status"] == "write_error" and data["manifest_fallback"]["wanted"].endswith("runs/20261201T000000Z.json")
    assert error and "runs/20261201T000000Z.json" in error


def test_the_log_tells_the_wrapper_what_the_crawl_said() -> None:
    lines = ["2026-12-01 [scrapy] INFO: started", "scrapy crawl articles: error: -a since: expected a date YYYY-MM-DD, got 'x'"]
    assert crawl_usage_error(lines) == "-a since: expected a date YYYY-MM-DD, got 'x'"
    assert disk_full_in(["ok", "OSError: [Errno 28] No space left on device"]).endswith("No space left on device")
    assert disk_full_in(["all fine"]) is None
