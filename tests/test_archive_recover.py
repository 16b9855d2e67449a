"""Killed crawls: what an ``.open`` file holds after SIGKILL, and how recovery closes it."""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from northnews.archive.digests import DigestIndex
from northnews.archive.recover import recover_all, recover_file
from tests.warc_helpers import capture, exchange, make_writer, scan_file

REPO = Path(__file__).resolve().parent.parent
WARCIO = Path(sys.executable).parent / "warcio"

# A writer that never stops on its own: it captures pages (some of them large, so that a kill
# can land inside a write) until it is killed.
KILLED_WRITER = textwrap.dedent(
    """
    import os, sys
    from pathlib import Path
    sys.path.insert(0, sys.argv[2])
    from tests.warc_helpers import capture, exchange, make_writer

    ext = make_writer(Path(sys.argv[1]))
    i = 0
    while True:
        size = 300_000 if i % 3 == 0 else 2_000
        body = os.urandom(size)
        capture(ext, *exchange(f"http://www.northnews.cn/2015/0915/{i}.shtml", body))
        i += 1
        if i == 30:
            print("ready", flush=True)
    """
)


def read_all(path: Path, upto: int | None = None) -> list:
    """Records warcio reads back, with digests checked, from the first ``upto`` bytes."""
    data = path.read_bytes()[:upto]
    out = []
    it = ArchiveIterator(io.BytesIO(data), check_digests=True)
    for rec in it:
        rec.content_stream().read()
        assert rec.digest_checker.passed is not False, rec.digest_checker.problems
        out.append((it.get_record_offset(), rec.rec_type, rec.rec_headers.get_header("WARC-Record-ID")))
    return out


def test_sigkill_leaves_an_open_file_whose_records_all_read_back(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(archive), str(REPO)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "ready"
        time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    assert child.returncode == -signal.SIGKILL

    [open_file] = list((archive / "warc").glob("*.warc.gz.open"))
    assert not list((archive / "warc").glob("*.warc.gz"))
    scan = scan_file(open_file)
    # Every record up to the last is whole; only the tail (one member at most) may be cut.
    assert len(scan.records) >= 1 + 2 * 30
    if scan.error:
        assert scan.error_offset == scan.good_end
    complete = read_all(open_file, scan.good_end)
    assert [(o, t) for o, t, _ in complete] == [(r.offset, r.rec_type) for r in scan.records]

    # Recovery truncates to the last complete record, indexes, renames, and the file checks out.
    [result] = recover_all(archive)
    assert result.outcome == "recovered"
    assert result.final is not None and result.final.exists() and not open_file.exists()
    assert result.records == len(scan.records)
    assert result.final.stat().st_size == scan.good_end
    assert read_all(result.final) == complete
    assert subprocess.run([str(WARCIO), "check", str(result.final)]).returncode == 0
    assert result.final.with_name(result.final.name.replace(".warc.gz", ".cdxj")).exists()
    index = DigestIndex.for_warc_dir(archive / "warc")
    try:
        assert index.file_entry(result.final.name)[0] == scan.good_end
        # Whatever the digest index says is archived is in the recovered file.
        rows = index._db.execute("SELECT offset FROM warc_digests WHERE file = ?", (result.final.name,))
        offsets = {r.offset for r in scan.records}
        assert all(off in offsets for (off,) in rows)
    finally:
        index.close()


@pytest.fixture
def small_warc(tmp_path: Path) -> Path:
    ext = make_writer(tmp_path / "src")
    for i in range(3):
        capture(ext, *exchange(f"http://www.northnews.cn/{i}.shtml", b"<p>%d</p>" % i * 50))
    ext.spider_closed(ext.crawler.spider)
    [path] = (tmp_path / "src" / "warc").glob("*.warc.gz")
    return path


def test_recovery_cuts_exactly_at_the_last_complete_record(tmp_path: Path, small_warc: Path) -> None:
    """Cut the file at every byte of its last two records: recovery keeps exactly the records
    that were complete, and the result passes both checks."""
    records = scan_file(small_warc).records
    data = small_warc.read_bytes()
    last_two_start = records[-2].offset
    for cut in range(last_two_start, len(data), 7):
        work = tmp_path / f"cut{cut}" / "warc"
        work.mkdir(parents=True)
        open_path = work / (small_warc.name + ".open")
        open_path.write_bytes(data[:cut])
        result = recover_file(open_path)
        whole = [r for r in records if r.offset + r.length <= cut]
        assert result.outcome == "recovered"
        assert result.records == len(whole)
        assert result.final is not None
        assert result.final.read_bytes() == data[: whole[-1].offset + whole[-1].length]
        assert scan_file(result.final).ok
        shutil.rmtree(work.parent)


def test_warcio_check_alone_misses_a_cut_record(tmp_path: Path, small_warc: Path) -> None:
    """The blind spot the completeness check exists for."""
    data = small_warc.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) - 40])  # inside the last gzip member
    assert subprocess.run([str(WARCIO), "check", str(cut)], capture_output=True).returncode == 0
    scan = scan_file(cut)
    assert not scan.ok and "does not end" in (scan.error or "")


def test_open_file_of_a_live_writer_is_left_alone(tmp_path: Path) -> None:
    ext = make_writer(tmp_path)
    capture(ext, *exchange("http://www.northnews.cn/", b"x"))  # the file stays open
    open_files = list((tmp_path / "warc").glob("*.open"))
    assert len(open_files) == 1
    [result] = recover_all(tmp_path)
    assert result.outcome == "in-use"
    assert open_files[0].exists()
    ext.spider_closed(ext.crawler.spider)
    assert recover_all(tmp_path) == []


def test_open_file_without_a_capture_is_removed(tmp_path: Path, small_warc: Path) -> None:
    warc = tmp_path / "a" / "warc"
    warc.mkdir(parents=True)
    data = small_warc.read_bytes()
    first = scan_file(small_warc).records[1]
    (warc / "northnews-20261128112000-00000-x.warc.gz.open").write_bytes(data[: first.offset + 10])
    (warc / "northnews-20261128112000-00001-x.warc.gz.open").write_bytes(b"")
    results = recover_all(tmp_path / "a")
    assert [r.outcome for r in results] == ["removed", "removed"]
    assert list(warc.glob("*.warc.gz*")) == []


def test_recovered_name_never_overwrites(tmp_path: Path, small_warc: Path) -> None:
    warc = tmp_path / "warc"
    warc.mkdir()
    shutil.copy(small_warc, warc / small_warc.name)
    shutil.copy(small_warc, warc / (small_warc.name + ".open"))
    with pytest.raises(FileExistsError):
        recover_file(warc / (small_warc.name + ".open"))
    assert (warc / (small_warc.name + ".open")).exists()
    assert os.path.getsize(warc / small_warc.name) == small_warc.stat().st_size


def test_check_repair_completes_what_a_kill_after_the_rename_left_undone(
    tmp_path: Path, small_warc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A crawl killed between renaming a closed file and recording it: no manifest entry, no CDXJ
    index, a stale side file. `check` warns; `check --repair` completes both from the file."""
    from northnews.archive.cli import main as archive_main

    archive = tmp_path / "src"
    warc = small_warc.parent
    index_file = warc / small_warc.name.replace(".warc.gz", ".cdxj")
    good_index = index_file.read_bytes()
    index_file.unlink()
    (warc / small_warc.name.replace(".warc.gz", ".cdxj.pending")).write_text("[\"half a line")
    db = DigestIndex.for_warc_dir(warc)
    db._db.execute("DELETE FROM warc_files")
    db.close()

    assert archive_main(["-d", str(archive), "check", "-v"]) == 0  # sound, but incomplete records of it
    out = capsys.readouterr().out
    assert "no manifest entry" in out and "no CDXJ index" in out

    assert archive_main(["-d", str(archive), "check", "--repair", "-v"]) == 0
    out = capsys.readouterr().out
    assert f"REPAIR  {small_warc.name}: CDXJ index and manifest entry written" in out
    assert "warning" not in out
    assert index_file.read_bytes() == good_index
    assert not list(warc.glob("*.pending"))
    db = DigestIndex.for_warc_dir(warc)
    try:
        size, sha1, records = db.file_entry(small_warc.name)
    finally:
        db.close()
    assert (size, records) == (small_warc.stat().st_size, len(scan_file(small_warc).records))
    assert archive_main(["-d", str(archive), "check", "--repair"]) == 0  # nothing left to do
    assert "REPAIR" not in capsys.readouterr().out


def test_repair_never_vouches_for_a_damaged_file(tmp_path: Path, small_warc: Path) -> None:
    from northnews.archive.recover import repair_all

    warc = small_warc.parent
    db = DigestIndex.for_warc_dir(warc)
    db._db.execute("DELETE FROM warc_files")
    db.close()
    data = small_warc.read_bytes()
    small_warc.write_bytes(data[:-30])  # cut inside its last record
    [result] = repair_all(warc)
    assert result.error and "incomplete" in result.error and not result.manifest
    db = DigestIndex.for_warc_dir(warc)
    try:
        assert db.file_entry(small_warc.name) is None
    finally:
        db.close()
