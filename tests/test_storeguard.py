"""The store guards itself (northnews.util.storeguard): a zero-byte, truncated, damaged, busy or
read-only SQLite file is refused by every command in one line naming the file and what to do,
with its documented exit status, and left byte for byte as it was; a backup restores it."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from northnews.ops.store import Store, StoreError
from tests.conftest import PORTAL, REPO, SCRAPY

CONSOLE = Path(sys.executable).parent / "northnews-archive"
CRON = Path(sys.executable).parent / "northnews-cron"
V1 = Path(__file__).parent / "fixtures" / "archive_v1_full" / "archive"


def _sha1(path: Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def _archive(tmp_path: Path) -> Path:
    archive = tmp_path / "archive"
    shutil.copytree(V1, archive)
    for db in (archive / "northnews.sqlite3", archive / "warc" / "digests.sqlite3"):
        con = sqlite3.connect(db)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
    for extra in archive.rglob("*.sqlite3-*"):
        extra.unlink()
    return archive


def _truncate(db: Path) -> None:
    with open(db, "r+b") as fh:
        fh.truncate(db.stat().st_size // 2)


def _overwrite_pages(db: Path) -> None:
    """Garbage over pages in the middle (not the header): only reading them shows it."""
    page = int.from_bytes(db.read_bytes()[16:18], "big")
    data = bytearray(db.read_bytes())
    middle = (len(data) // page // 2) * page
    data[middle : middle + 3 * page] = bytes(range(256)) * (3 * page // 256)
    db.write_bytes(bytes(data))


DAMAGE = {
    "zero bytes": (lambda db: db.write_bytes(b""), "zero bytes, not a database"),
    "truncated": (_truncate, "truncated ("),
    "pages overwritten": (_overwrite_pages, "damaged ("),
    "header overwritten": (lambda db: db.write_bytes(b"\0" * 100 + db.read_bytes()[100:]), "not an SQLite database"),
}


def _one_line(proc: subprocess.CompletedProcess[str]) -> str:
    text = (proc.stdout + proc.stderr).strip()
    assert "Traceback" not in text, text
    lines = [li for li in proc.stderr.strip().splitlines() if li.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = str(REPO)
    return env


def _scrapy(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRAPY), *args, "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"], cwd=REPO,
                          env=_env(), capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("case", list(DAMAGE))
def test_a_damaged_store_is_refused_in_one_line_and_left_untouched(tmp_path: Path, case: str) -> None:
    archive = _archive(tmp_path)
    db = archive / "northnews.sqlite3"
    spoil, says = DAMAGE[case]
    spoil(db)
    before = _sha1(db)
    runs_before = sorted((archive / "runs").iterdir())
    with pytest.raises(StoreError) as refused:
        Store(db)
    assert str(db) in str(refused.value) and says in str(refused.value)
    assert "restore it from a backup" in str(refused.value) and "left untouched" in str(refused.value)
    assert refused.value.exit_code == 2
    for command in (["export", "-o", str(tmp_path / "out.jsonl")], ["pending"],
                    ["crawl", "articles", "-a", f"replay={PORTAL}", "-O", str(tmp_path / "feed.jsonl")]):
        proc = _scrapy(archive, *command)
        if command[0] == "crawl":  # replay reads no store: it runs, and does not touch the store
            assert _sha1(db) == before
            continue
        assert proc.returncode == 2, proc.stderr
        line = _one_line(proc)
        assert str(db) in line and says in line
    proc = subprocess.run([str(CRON), "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"], cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert str(db) in _one_line(proc)
    assert _sha1(db) == before  # never recreated, migrated or "repaired"
    wal = db.with_name(db.name + "-wal")  # a reader may leave an empty one: nothing was written
    assert not wal.exists() or wal.stat().st_size == 0
    assert sorted((archive / "runs").iterdir()) == runs_before  # nothing ran: no manifest, no log


def test_a_plain_crawl_refuses_a_damaged_store_before_anything_is_fetched(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    db = archive / "northnews.sqlite3"
    db.write_bytes(b"")
    proc = _scrapy(archive, "crawl", "articles", "-s", "HTTP_PROXY=http://127.0.0.1:9")
    assert proc.returncode == 2
    line = _one_line(proc)
    assert line.startswith("scrapy crawl articles: error: ") and "zero bytes" in line
    assert db.stat().st_size == 0 and not list((archive / "warc").glob("*.open"))


def test_a_damaged_digest_index_is_refused_not_an_incomplete_run(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    digests = archive / "warc" / "digests.sqlite3"
    _overwrite_pages(digests)
    before = _sha1(digests)
    proc = subprocess.run([str(CRON), "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"], cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    line = _one_line(proc)
    assert str(digests) in line and "damaged" in line
    assert _sha1(digests) == before
    # check still checks every WARC, says the manifest is unreadable in one line, and fails.
    proc = subprocess.run([str(CONSOLE), "-d", str(archive), "check"], capture_output=True, text=True)
    assert proc.returncode == 1 and "Traceback" not in proc.stdout + proc.stderr
    assert f"FAIL  digests.sqlite3: {digests}" in proc.stdout and "2 file(s), 314 records" in proc.stdout


@contextlib.contextmanager
def _holding_the_store(db: Path) -> Iterator[None]:
    """Another process holding an exclusive lock on the store."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys, time\n"
         f"db = sqlite3.connect({str(db)!r}, isolation_level=None)\n"
         "db.execute('PRAGMA locking_mode=EXCLUSIVE')\n"
         "db.execute('BEGIN EXCLUSIVE')\n"
         "db.execute(\"INSERT OR REPLACE INTO store_meta VALUES ('busy', 'yes')\")\n"
         "print('held', flush=True)\n"
         "time.sleep(120)\n"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        yield
    finally:
        holder.kill()
        holder.wait()


def test_a_busy_store_is_locked_not_disk_full(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    db = archive / "northnews.sqlite3"
    with _holding_the_store(db):
        proc = subprocess.run([str(CRON), "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"], cwd=REPO, env=_env(),
                              capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    line = _one_line(proc)
    assert str(db) in line and "locked" in line and "rerun when that one is done" in line
    assert "free space" not in line and "disk" not in line


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[None]:
    """``path`` (a directory) read-only for this process: chmod, or as root chattr +i."""
    if os.geteuid() != 0:
        path.chmod(0o555)
        try:
            yield
        finally:
            path.chmod(0o755)
        return
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
        pytest.skip("running as root, and this file system has no immutable flag (chattr +i) to make a "
                    "directory read-only for root")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_read_only_archive_is_one_line_everywhere(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    with _read_only(archive):
        for command in (["export", "-o", str(tmp_path / "out.jsonl")], ["pending"], ["search", "包头"]):
            proc = _scrapy(archive, *command)
            assert proc.returncode == 9, (command, proc.stderr)  # a write error, as cron and export say
            line = _one_line(proc)
            assert "read-only" in line and str(archive) in line
        proc = subprocess.run([str(CONSOLE), "-d", str(archive), "check"], capture_output=True, text=True)
        assert "Traceback" not in proc.stdout + proc.stderr
        assert proc.returncode == 0, proc.stdout  # check only reads: it works on a read-only archive
    warc = archive / "warc"
    with _read_only(warc):
        proc = subprocess.run([str(CRON), "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"], cwd=REPO, env=_env(),
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 9, proc.stderr
        line = _one_line(proc)
        assert str(warc) in line and "crashed" not in line and "free space" not in line


def test_store_check_and_a_backup_restore_a_damaged_store(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    db = archive / "northnews.sqlite3"
    proc = subprocess.run([str(CONSOLE), "-d", str(archive), "store-check"], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.count("OK    ") == 2, proc.stdout
    backup = tmp_path / "backup.sqlite3"
    with sqlite3.connect(db) as live:  # a writer in the middle of its work: the copy is consistent
        live.execute("INSERT OR REPLACE INTO store_meta VALUES ('during_backup', '1')")
        proc = subprocess.run([str(CONSOLE), "-d", str(archive), "store-backup", str(backup)],
                              capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert f"{backup}: backup of {db}" in proc.stdout
    with sqlite3.connect(db) as con:
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
    _overwrite_pages(db)
    proc = subprocess.run([str(CONSOLE), "-d", str(archive), "store-check"], capture_output=True, text=True)
    assert proc.returncode == 1 and f"FAIL  {db}: damaged (" in proc.stdout
    # The documented restore: move the damaged file aside, copy the backup in, check.
    db.rename(db.with_name("northnews.sqlite3.damaged"))
    shutil.copyfile(backup, db)
    proc = subprocess.run([str(CONSOLE), "-d", str(archive), "store-check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout
    with Store(db) as store:
        assert store.db.execute("SELECT count(*) FROM articles").fetchone()[0] == articles


def test_quick_check_time_is_bounded_by_size() -> None:
    """Large stores are quick_checked once per run (preflight), not on every open: the limit is
    what keeps `scrapy pending` instant on a multi-GB store (figure in the README)."""
    from northnews.util import storeguard

    assert storeguard.QUICK_CHECK_MAX_BYTES == 256 << 20
    assert time  # the figure is measured by benchmarks/store_check.py, never asserted here
