"""Rotating WARC files when the disk fails under them: a write that fails (ENOSPC, simulated by
failing ``os.write`` part-way through a record) leaves the file ending with a whole record that
agrees with its manifest entry, and the crawl stops."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path
from typing import IO

import pytest

from northnews.archive import cdxj
from northnews.archive import files as files_module
from northnews.archive.cli import main as archive_main
from northnews.archive.digests import DigestIndex
from tests.warc_helpers import capture, exchange, make_writer, read_warc, scan_file

PAGE = b"<html>" + b"x" * 5000 + b"</html>"


class FullDisk:
    """``os.write`` that, from the ``after``-th call on, writes half of what it is given, then fails."""

    def __init__(self, after: int) -> None:
        self.calls = 0
        self.after = after
        self.failed = 0
        self.real = os.write

    def __call__(self, fd: int, data: bytes | memoryview) -> int:
        self.calls += 1
        if self.calls < self.after:
            return self.real(fd, data)
        if self.calls == self.after and len(data) > 1:
            return self.real(fd, bytes(data)[: len(data) // 2])  # a short write first
        self.failed += 1
        raise OSError(errno.ENOSPC, "No space left on device")


def manifest(archive: Path) -> dict[str, tuple[int, str, int]]:
    index = DigestIndex.for_warc_dir(archive / "warc")
    try:
        rows = index._db.execute("SELECT name, size, sha1, records FROM warc_files").fetchall()
        return {name: (size, sha1, records) for name, size, sha1, records in rows}
    finally:
        index.close()


# The file's warcinfo is its first write; each exchange is one write after it (its response and
# request records together): inside the warcinfo, the first exchange, a later one…
@pytest.mark.parametrize("fail_at", [1, 2, 3, 4, 5])
def test_a_failed_write_leaves_a_whole_file_that_agrees_with_its_manifest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fail_at: int, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "archive"
    ext = make_writer(archive)
    disk = FullDisk(fail_at)
    monkeypatch.setattr(files_module, "_write", disk)
    caps = []
    for i in range(4):
        response, request = exchange(f"http://www.northnews.cn/{i}.shtml", PAGE + bytes([i]))
        ext.response_downloaded(response, request, ext.crawler.spider)
        caps.append(request.meta.get("northnews_capture"))
    ext.spider_closed(ext.crawler.spider)
    monkeypatch.undo()

    assert disk.failed >= 1
    assert ext.failed and ext.stats.get_value("northnews/errors/warc_write") == 1
    # Exchanges archived before the failure keep their pointers; none after it got one.
    archived = [c for c in caps if c is not None]
    assert caps[: len(archived)] == archived
    assert not list((archive / "warc").glob("*.open"))
    entries = manifest(archive)
    for path in sorted((archive / "warc").glob("*.warc.gz")):
        scan = scan_file(path)
        assert scan.ok and scan.good_end == path.stat().st_size, scan.error  # ends with a whole record
        size, sha1, records = entries[path.name]
        assert (size, sha1, records) == (path.stat().st_size, hashlib.sha1(path.read_bytes()).hexdigest(),
                                         len(scan.records))
        kinds = [r["type"] for r in read_warc(path)]
        assert kinds[0] == "warcinfo" and kinds.count("response") == kinds.count("request")  # pairs kept whole
        for cap in archived:
            if cap["warc"]["file"] == path.name:
                assert cap["warc"]["offset"] in [r.offset for r in scan.records]
    code = archive_main(["-d", str(archive), "check"])
    out = capsys.readouterr().out
    assert code == (0 if entries else 1), out  # nothing written at all: no file, "no WARC files"


def test_a_failing_index_side_file_costs_only_a_rebuild(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The side file of index lines failing is not fatal: the index is rebuilt from the WARC."""
    archive = tmp_path / "archive"
    ext = make_writer(archive)
    capture(ext, *exchange("http://www.northnews.cn/a.shtml", PAGE))
    pending = ext.files.current.pending
    assert pending is not None

    def broken(_: str) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(pending, "write", broken)
    capture(ext, *exchange("http://www.northnews.cn/b.shtml", PAGE))
    ext.spider_closed(ext.crawler.spider)
    [path] = (archive / "warc").glob("*.warc.gz")
    index = path.with_name(path.name.replace(".warc.gz", ".cdxj")).read_text()
    assert "/a.shtml" in index and "/b.shtml" in index
    assert not list((archive / "warc").glob("*.pending"))


def test_a_closing_files_index_is_sorted_in_runs_and_equals_one_built_from_the_warc(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The crawl's memory at its end does not grow with the file: its index lines are sorted a
    few at a time (INDEX_RUN_LINES), spilled and merged; the index is the one rebuilt from the WARC."""
    monkeypatch.setattr(files_module, "INDEX_RUN_LINES", 3)
    spilled: list[int] = []
    spill = cdxj._spill

    def counted(lines: list[str], directory: str) -> IO[str]:
        spilled.append(len(lines))
        return spill(lines, directory)

    monkeypatch.setattr(cdxj, "_spill", counted)
    archive = tmp_path / "archive"
    ext = make_writer(archive)
    for n in (7, 3, 9, 1, 8, 2, 6, 4, 5, 3):  # 10 captures, out of key order, one URL twice
        capture(ext, *exchange(f"http://www.northnews.cn/{n}.shtml", PAGE + str(n).encode()))
    ext.spider_closed(ext.crawler.spider)
    [path] = (archive / "warc").glob("*.warc.gz")
    index = path.with_name(path.name.replace(".warc.gz", ".cdxj"))
    from_runs = index.read_text()
    rebuilt = files_module.index_file(path, tmp_path / "rebuilt.cdxj").read_text()
    assert from_runs == rebuilt
    keys = [line.split(" ")[0] for line in from_runs.splitlines()]
    assert keys == sorted(keys) and len(keys) == 10
    assert spilled == [3, 3, 3]  # three runs of 3 spilled, the tenth line sorted in memory
    assert not list((archive / "warc").glob("*.pending")) and not list((archive / "warc").glob("tmp*"))


def test_a_manifest_that_cannot_be_recorded_is_added_by_repair(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The database's disk is full too: the file is still closed and indexed, the run fails
    (northnews/errors/warc_close), and `check --repair` records the manifest entry later."""
    import sqlite3

    archive = tmp_path / "archive"
    ext = make_writer(archive)
    capture(ext, *exchange("http://www.northnews.cn/a.shtml", PAGE))

    def full(*_: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(ext.index, "add_file", full)
    with pytest.raises(sqlite3.OperationalError):
        ext.spider_closed(ext.crawler.spider)
    monkeypatch.undo()
    assert ext.stats.get_value("northnews/errors/warc_close") == 1
    [path] = (archive / "warc").glob("*.warc.gz")
    assert path.with_name(path.name.replace(".warc.gz", ".cdxj")).exists()
    assert manifest(archive) == {}
    assert archive_main(["-d", str(archive), "check", "--repair", "-v"]) == 0
    out = capsys.readouterr().out
    assert "manifest entry written" in out and "warning" not in out
    assert manifest(archive)[path.name][0] == path.stat().st_size
