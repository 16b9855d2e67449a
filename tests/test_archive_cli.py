"""``northnews-archive``: check (beyond warcio check), recover, list."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from northnews.archive.cli import main as archive_main
from tests.warc_helpers import capture, exchange, make_writer, scan_file

WARCIO = Path(sys.executable).parent / "warcio"
CONSOLE = Path(sys.executable).parent / "northnews-archive"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    ext = make_writer(tmp_path / "archive")
    capture(ext, *exchange("http://www.northnews.cn/", b"<html>home</html>",
                           headers=[("Content-Type", "text/html")]))
    capture(ext, *exchange("http://www.northnews.cn/2015/0915/2049381.shtml", b"<html>a</html>"))
    capture(ext, *exchange("http://www.northnews.cn/2015/0915/2049381.shtml", b"<html>a</html>"))
    capture(ext, *exchange("http://www.northnews.cn/gone.shtml", b"nf", status=404))
    ext.spider_closed(ext.crawler.spider)
    return tmp_path / "archive"


def the_warc(archive: Path) -> Path:
    [path] = (archive / "warc").glob("*.warc.gz")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = archive_main(list(args))
    return code, capsys.readouterr().out


def test_check_passes_a_sound_archive(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "-d", str(archive), "check", "-v")
    assert code == 0, out
    assert f"OK    {the_warc(archive).name} (9 records)" in out
    assert "0 failed" in out and "warning" not in out


def test_check_catches_a_file_cut_at_a_record_boundary(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Cut at a gzip member boundary: every reader, warcio check included, sees a sound file;
    only the manifest written at close shows records are missing."""
    path = the_warc(archive)
    last = scan_file(path).records[-1]
    with open(path, "r+b") as fh:
        fh.truncate(last.offset)
    assert subprocess.run([str(WARCIO), "check", str(path)], capture_output=True).returncode == 0
    code, out = run(capsys, "-d", str(archive), "check")
    assert code == 1
    assert "FAIL" in out and "differs from manifest" in out


def test_check_catches_a_record_cut_in_half(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = the_warc(archive)
    data = path.read_bytes()
    path.write_bytes(data[:-25])
    code, out = run(capsys, "-d", str(archive), "check")
    assert code == 1
    assert "damaged at offset" in out and "to the end of the file (1 record lost)" in out


def test_check_catches_a_corrupted_digest(archive: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # Re-write one record with a wrong payload: gzip is intact, the digest is not.
    import gzip

    path = the_warc(archive)
    rec = scan_file(path).records[1]
    data = path.read_bytes()
    raw = gzip.decompress(data[rec.offset : rec.offset + rec.length])
    bad = gzip.compress(raw.replace(b"<html>home</html>", b"<html>hoMe</html>"))
    path.write_bytes(data[: rec.offset] + bad + data[rec.offset + rec.length :])
    code, out = run(capsys, "-d", str(archive), "check")
    assert code == 1
    assert "warcio check:" in out and "digest" in out.lower()


def test_stale_open_file_fails_check_until_recovered(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = the_warc(archive)
    stale = path.with_name(path.name.replace("-00000-", "-00001-") + ".open")
    shutil.copy(path, stale)
    with open(stale, "r+b") as fh:
        fh.truncate(stale.stat().st_size - 30)
    code, out = run(capsys, "-d", str(archive), "check")
    assert code == 1 and "left open by a killed crawl" in out
    code, out = run(capsys, "-d", str(archive), "check", "--recover")
    assert code == 0, out
    assert "RECOVER" in out and "recovered as" in out
    assert not list((archive / "warc").glob("*.open"))


def test_list_shows_what_is_archived(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "list", "-d", str(archive), "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["url"], r["status"], r["type"]) for r in rows] == [
        ("http://www.northnews.cn/", 200, "response"),
        ("http://www.northnews.cn/2015/0915/2049381.shtml", 200, "response"),
        ("http://www.northnews.cn/2015/0915/2049381.shtml", 200, "revisit"),
        ("http://www.northnews.cn/gone.shtml", 404, "response"),
    ]
    assert all(r["file"] == the_warc(archive).name and r["date"].startswith("2026-11-28T11:20") for r in rows)
    code, out = run(capsys, "-d", str(archive), "list", "--url-contains", "gone")
    assert out.count("\n") == 1 and "\t404\tresponse\thttp://www.northnews.cn/gone.shtml\t" in out


def test_console_script(archive: Path) -> None:
    proc = subprocess.run([str(CONSOLE), "check", "-d", str(archive)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 file(s), 9 records, 0 failed" in proc.stdout
    empty = archive.parent / "empty"
    empty.mkdir()
    proc = subprocess.run([str(CONSOLE), "check", "-d", str(empty)], capture_output=True, text=True)
    assert proc.returncode == 1 and "no WARC files" in proc.stdout


def test_recovery_waits_for_no_crawl(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Recovery truncates and renames files: it refuses while a crawl holds the archive lock."""
    from northnews.archive.lock import ArchiveLock

    path = the_warc(archive)
    stale = path.with_name(path.name.replace("-00000-", "-00001-") + ".open")
    shutil.copy(path, stale)
    with ArchiveLock(archive).acquire("20261128T000000Z"):
        assert archive_main(["-d", str(archive), "recover"]) == 3
        assert "not recovering while a crawl writes" in capsys.readouterr().err
        code, _ = run(capsys, "-d", str(archive), "check", "--recover")
        assert code == 3
        assert stale.exists()
    code, out = run(capsys, "-d", str(archive), "recover")
    assert code == 0 and "recovered as" in out
    assert not stale.exists()
