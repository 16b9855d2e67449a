"""Only our files (northnews.util.safewrite): outputs replace regular files only, through a
temporary file beside them; a symlink, FIFO or device node is refused in one line and left as it
was; a write failure is one line and a nonzero exit, and nothing names a file never written."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from northnews.ops.store import Store
from northnews.util import safewrite
from tests.conftest import PORTAL, REPO, SCRAPY

CONSOLE = Path(sys.executable).parent / "northnews-archive"
V1 = Path(__file__).parent / "fixtures" / "archive_v1_full" / "archive"


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = str(REPO)
    return env


def _run(args: list[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    # A FIFO opened for writing would block forever: the timeout turns that into a failure.
    return subprocess.run(args, cwd=REPO, env=_env(), capture_output=True, text=True, timeout=timeout)


def _one_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    lines = [li for li in proc.stderr.splitlines() if li.strip()]
    assert len(lines) == 1, proc.stderr
    return lines[0]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    archive = tmp_path / "archive"
    shutil.copytree(V1, archive)
    return archive


@pytest.fixture
def targets(tmp_path: Path) -> dict[str, Path]:
    """A symlink to a file that is not ours, a FIFO, and (as root) a device node."""
    theirs = tmp_path / "theirs.txt"
    theirs.write_text("not ours\n")
    link = tmp_path / "link.jsonl"
    link.symlink_to(theirs)
    fifo = tmp_path / "fifo.jsonl"
    os.mkfifo(fifo)
    out = {"symlink": link, "FIFO": fifo}
    if os.geteuid() == 0:
        device = tmp_path / "full.jsonl"
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))  # a /dev/full of our own
        out["device"] = device
    return out


def _unchanged(targets: dict[str, Path], tmp_path: Path) -> None:
    assert targets["symlink"].is_symlink() and (tmp_path / "theirs.txt").read_text() == "not ours\n"
    assert stat.S_ISFIFO(os.lstat(targets["FIFO"]).st_mode)
    if "device" in targets:
        assert stat.S_ISCHR(os.lstat(targets["device"]).st_mode)
    assert not list(tmp_path.glob(".*.part")) and not list(tmp_path.glob("*.part"))


SAYS = {"symlink": "a symbolic link", "FIFO": "a FIFO", "device": "a character device"}


def test_export_refuses_what_is_not_ours(archive: Path, targets: dict[str, Path], tmp_path: Path) -> None:
    for kind, target in targets.items():
        proc = _run([str(SCRAPY), "export", "-o", str(target), "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"])
        assert proc.returncode == 2
        line = _one_line(proc)
        assert line.startswith(f"scrapy export: error: {target}: {SAYS[kind]}")
    _unchanged(targets, tmp_path)


def test_export_follows_a_symlink_only_when_asked(archive: Path, targets: dict[str, Path], tmp_path: Path) -> None:
    link = targets["symlink"]
    proc = _run([str(SCRAPY), "export", "-o", str(link), "--follow-symlinks", "-t", "jsonl",
                 "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"])
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink()  # the link stays a link; the file it names got the export
    with Store(archive / "northnews.sqlite3") as store:
        articles = store.db.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert len((tmp_path / "theirs.txt").read_text().splitlines()) == articles


def test_extract_and_wacz_refuse_what_is_not_ours(archive: Path, targets: dict[str, Path], tmp_path: Path) -> None:
    for kind, target in targets.items():
        proc = _run([str(CONSOLE), "-d", str(archive), "extract", "-o", str(target)])
        assert proc.returncode == 2
        assert f"{target}: {SAYS[kind]}" in _one_line(proc)
        proc = _run([str(CONSOLE), "-d", str(archive), "wacz", str(target)])
        assert proc.returncode == 2 and "Traceback" not in proc.stdout + proc.stderr
        assert f"{target}: {SAYS[kind]}" in proc.stdout
        proc = _run([str(CONSOLE), "-d", str(archive), "store-backup", str(target)])
        assert proc.returncode == 2
        assert f"{target}: {SAYS[kind]}" in _one_line(proc)
    _unchanged(targets, tmp_path)


def test_crawl_refuses_a_feed_that_is_not_ours(targets: dict[str, Path], tmp_path: Path) -> None:
    for kind, target in targets.items():
        proc = _run([str(SCRAPY), "crawl", "articles", "-a", f"replay={PORTAL}", "-O", str(target),
                     "-s", f"NORTHNEWS_ARCHIVE_DIR={tmp_path / 'archive'}"])
        assert proc.returncode == 2
        line = _one_line(proc)
        assert line.startswith("scrapy crawl articles: error: ") and SAYS[kind] in line
    _unchanged(targets, tmp_path)


@contextlib.contextmanager
def _read_only(path: Path) -> Iterator[None]:
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


def test_crawl_into_a_read_only_place_is_one_line_before_anything_runs(tmp_path: Path) -> None:
    place = tmp_path / "ro"
    place.mkdir()
    feed = place / "items.jsonl"
    with _read_only(place):
        proc = _run([str(SCRAPY), "crawl", "articles", "-a", f"replay={PORTAL}", "-O", str(feed),
                     "-s", f"NORTHNEWS_ARCHIVE_DIR={tmp_path / 'archive'}"])
    assert proc.returncode == 2
    line = _one_line(proc)
    assert line.startswith("scrapy crawl articles: error: ") and f"cannot write in {place}" in line
    assert not feed.exists() and "crawl finished" not in proc.stdout  # no summary naming it


def test_export_into_a_read_only_place_is_one_line(archive: Path, tmp_path: Path) -> None:
    place = tmp_path / "ro"
    place.mkdir()
    with _read_only(place):
        proc = _run([str(SCRAPY), "export", "-o", str(place / "x.jsonl"), "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"])
    assert proc.returncode == 1
    assert f"cannot write in {place}" in _one_line(proc)


def test_a_failed_write_leaves_the_target_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "feed.jsonl"
    target.write_text("previous\n")
    with pytest.raises(OSError, match="disk full, as a test"):
        with safewrite.replacing(target, "w", encoding="utf-8") as out:
            out.write("half\n")
            raise OSError(28, "disk full, as a test")
    assert target.read_text() == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.jsonl"]
    with safewrite.replacing(target, "w", encoding="utf-8") as out:
        out.write("whole\n")
    assert target.read_text() == "whole\n" and sorted(p.name for p in tmp_path.iterdir()) == ["feed.jsonl"]


def test_a_default_feed_that_is_not_ours_stops_the_crawl_once_and_is_never_named_written(tmp_path: Path) -> None:
    """The default feed (<archive>/articles.jsonl, set by the spider, so met only when the
    storage opens it) a FIFO: one ERROR, the crawl stopped, the summary says NOT written."""
    archive = tmp_path / "archive"
    archive.mkdir()
    fifo = archive / "articles.jsonl"
    os.mkfifo(fifo)
    proc = _run([str(SCRAPY), "crawl", "articles", "-a", f"replay={PORTAL}",
                 "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}", "-s", "LOG_LEVEL=WARNING"])
    assert "Traceback" not in proc.stdout + proc.stderr, proc.stderr
    assert proc.returncode == 9  # a write error, as northnews-cron's 9
    assert f"scrapy crawl articles: stopped: the archive or its output could not be written (finish reason" \
        f" northnews_write_error; not written: {fifo}) (exit 9)" in proc.stderr
    errors = [li for li in proc.stderr.splitlines() if "ERROR" in li]
    assert len(errors) == 1 and "Cannot write the feed" in errors[0] and "a FIFO" in errors[0], errors
    assert f"{fifo} (NOT written)" in proc.stdout
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
