"""A damaged WARC is read past, never hidden: every archive tool keeps every intact record and
names the damage (file, offset, records lost) with exit status 1.

The expected records are worked out here, without northnews: the sound file is split into its
gzip members with zlib, each member's WARC-Type and target URI read with a regular expression,
and the damage is applied to known members, so "what must still be there" is every other member.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from northnews.archive.warcreplay import WarcSource
from northnews.ops.archive_cli import main as archive_main
from tests.warc_helpers import capture, exchange, make_writer

CONSOLE = Path(sys.executable).parent / "northnews-archive"
V1 = Path(__file__).parent / "fixtures" / "archive_v1_full" / "archive"
ARTICLES = 8


@dataclass
class Member:
    start: int
    end: int
    type: str
    uri: str | None


def members(data: bytes) -> list[Member]:
    """The gzip members of a sound .warc.gz and the record each holds (independent of northnews)."""
    out, pos = [], 0
    while pos < len(data):
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        text = d.decompress(data[pos:]) + d.flush()
        end = len(data) - len(d.unused_data)
        head = text.split(b"\r\n\r\n", 1)[0].decode("utf-8")
        rtype = re.search(r"^WARC-Type: (\S+)", head, re.M).group(1)
        uri = re.search(r"^WARC-Target-URI: (\S+)", head, re.M)
        out.append(Member(pos, end, rtype, uri.group(1) if uri else None))
        pos = end
    return out


def body_of(i: int) -> bytes:
    return f"<html><body><p>article {i} 北方新闻 {'x' * (300 + 37 * i)}</p></body></html>".encode()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    ext = make_writer(tmp_path / "archive")
    for i in range(ARTICLES):
        capture(ext, *exchange(f"http://www.northnews.cn/2015/0915/{2049380 + i}.shtml", body_of(i),
                               headers=[("Content-Type", "text/html; charset=utf-8")]))
    ext.spider_closed(ext.crawler.spider)
    return tmp_path / "archive"


def the_warc(archive: Path) -> Path:
    [path] = (archive / "warc").glob("*.warc.gz")
    return path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = archive_main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


# Each case: damage the file; returns the indexes (in the sound file's member list) of the
# members lost, and by how much the members after the first lost one moved.
def _overwrite_middle(data: bytearray, ms: list[Member]) -> tuple[list[int], int]:
    k = next(i for i, m in enumerate(ms) if m.type == "response" and i > len(ms) // 2)
    mid = (ms[k].start + ms[k].end) // 2
    data[mid - 100 : mid + 100] = bytes(range(200))
    return [k], 0


def _overwrite_member_head(data: bytearray, ms: list[Member]) -> tuple[list[int], int]:
    k = 5
    data[ms[k].start + 5 : ms[k].start + 205] = b"\xff" * 200
    return [k], 0


def _overwrite_request(data: bytearray, ms: list[Member]) -> tuple[list[int], int]:
    k = next(i for i, m in enumerate(ms) if m.type == "request" and i > 3)
    data[ms[k].start + 40 : ms[k].start + 240] = b"\x00" * 200
    return [k], 0


def _two_places(data: bytearray, ms: list[Member]) -> tuple[list[int], int]:
    for k in (3, len(ms) - 4):
        mid = (ms[k].start + ms[k].end) // 2
        data[mid : mid + 150] = b"Z" * 150
    return [3, len(ms) - 4], 0


def _first_bytes(data: bytearray, ms: list[Member]) -> tuple[list[int], int]:
    data[0:200] = b"\x00" * 200
    return [0], 0


CASES = {
    "200 bytes overwritten mid-record": _overwrite_middle,
    "a gzip header overwritten": _overwrite_member_head,
    "a request record overwritten": _overwrite_request,
    "two damaged records": _two_places,
    "the file's first bytes overwritten": _first_bytes,
}


def damage(path: Path, case: str) -> tuple[list[Member], list[Member]]:
    """Apply a case; (members that must still be read, members lost)."""
    data = bytearray(path.read_bytes())
    ms = members(bytes(data))
    lost, _ = CASES[case](data, ms)
    path.write_bytes(bytes(data))
    return [m for i, m in enumerate(ms) if i not in lost], [ms[i] for i in lost]


def _listed(out: str) -> set[tuple[str, str, int]]:
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    return {(r["type"], r["url"], r["offset"]) for r in rows}


@pytest.mark.parametrize("case", list(CASES))
def test_every_tool_reads_past_the_damage(archive: Path, case: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = the_warc(archive)
    sound_index = (archive / "warc" / path.name.replace(".warc.gz", ".cdxj")).read_text()
    intact, lost = damage(path, case)
    wanted = {(m.type, m.uri, m.start) for m in intact if m.type in ("response", "revisit")}

    code, out, err = run(capsys, "-d", str(archive), "list", "--json")
    assert code == 1
    assert _listed(out) == wanted  # every intact record, none of the damaged ones
    assert f"damaged at offset {lost[0].start}" in err and "record" in err

    code, out, _ = run(capsys, "-d", str(archive), "check")
    assert code == 1
    for m in lost:
        assert f"damaged at offset {m.start} " in out
    assert f"{len(lost)} record(s) lost in all, {len(intact)} intact (manifest: {len(intact) + len(lost)})" in out

    code, out, _ = run(capsys, "-d", str(archive), "index")
    assert code == 1
    indexed = (archive / "warc" / path.name.replace(".warc.gz", ".cdxj")).read_text().splitlines()
    assert {json.loads(li.split(" ", 2)[2])["offset"] for li in indexed} == {str(m.start) for m in intact
                                                                               if m.type == "response"}
    old_lines = len(sound_index.splitlines())
    if len(indexed) < old_lines:  # never shrinks without saying so, and names what it lost
        assert f"{len(indexed)} lines (was {old_lines}: {old_lines - len(indexed)} fewer)" in out
        for m in lost:
            if m.type == "response":
                assert f"lost capture: {m.uri} (offset {m.start})" in out
    # Replay: every intact capture is served byte for byte.
    source = WarcSource(archive)
    try:
        for i in range(ARTICLES):
            url = f"http://www.northnews.cn/2015/0915/{2049380 + i}.shtml"
            hit = source.lookup(url)
            if any(m.uri == url and m.type == "response" for m in lost):
                assert hit is None
            else:
                assert hit is not None and hit.body == body_of(i)
        assert source.damages  # and it says so
    finally:
        source.close()

    out_wacz = archive.parent / "out.wacz"
    code, out, _ = run(capsys, "-d", str(archive), "wacz", str(out_wacz))
    assert code == 1 and "damaged at offset" in out
    assert f"{len([m for m in intact if m.type == 'response'])} index lines" in out


def test_a_truncated_file_keeps_every_whole_record(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = the_warc(archive)
    ms = members(path.read_bytes())
    path.write_bytes(path.read_bytes()[: ms[-1].start + 30])
    code, out, err = run(capsys, "-d", str(archive), "list", "--json", "--requests")
    assert code == 1
    assert _listed(out) == {(m.type, m.uri, m.start) for m in ms[:-1] if m.type != "warcinfo"}
    assert f"damaged at offset {ms[-1].start} to the end of the file (1 record lost)" in err
    code, out, _ = run(capsys, "-d", str(archive), "check")
    assert code == 1 and f"damaged at offset {ms[-1].start} to the end of the file (1 record lost)" in out


def test_a_mangled_record_header_loses_that_record_only(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = the_warc(archive)
    data = path.read_bytes()
    ms = members(data)
    k = 6
    raw = gzip.decompress(data[ms[k].start : ms[k].end])
    bad = gzip.compress(raw.replace(b"WARC/1.1\r\n", b"GARBAGE 1.1\r\n", 1))
    path.write_bytes(data[: ms[k].start] + bad + data[ms[k].end :])
    shift = len(bad) - (ms[k].end - ms[k].start)
    wanted = {(m.type, m.uri, m.start + (shift if i > k else 0)) for i, m in enumerate(ms)
              if i != k and m.type == "response"}
    code, out, err = run(capsys, "-d", str(archive), "list", "--json")
    assert code == 1 and _listed(out) == wanted
    assert f"damaged at offset {ms[k].start}" in err and "not a WARC record" in err


def test_an_emptied_index_fails_check_and_hides_nothing_from_replay(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = the_warc(archive)
    cdxj = path.with_name(path.name.replace(".warc.gz", ".cdxj"))
    lines = len(cdxj.read_text().splitlines())
    cdxj.write_text("")
    code, out, _ = run(capsys, "-d", str(archive), "check")
    assert code == 1
    assert f"CDXJ index {cdxj.name} is empty, the file gives {lines}" in out
    source = WarcSource(archive)
    try:
        for i in range(ARTICLES):
            hit = source.lookup(f"http://www.northnews.cn/2015/0915/{2049380 + i}.shtml")
            assert hit is not None and hit.body == body_of(i)
    finally:
        source.close()


def test_an_index_missing_a_line_fails_check(archive: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = the_warc(archive)
    cdxj = path.with_name(path.name.replace(".warc.gz", ".cdxj"))
    lines = cdxj.read_text().splitlines()
    cdxj.write_text("\n".join(lines[1:]) + "\n")
    code, out, _ = run(capsys, "-d", str(archive), "check")
    assert code == 1 and f"has {len(lines) - 1} lines, the file gives {len(lines)}" in out


def _v1_copy(tmp_path: Path) -> Path:
    archive = tmp_path / "archive"
    shutil.copytree(V1, archive)
    return archive


def _damage_capture_of(archive: Path, url: str) -> tuple[str, int]:
    """Overwrite 200 bytes in the middle of the record the store names as ``url``'s capture."""
    db = sqlite3.connect(archive / "northnews.sqlite3")
    [(name, offset)] = db.execute(
        "SELECT v.warc_file, v.warc_offset FROM article_versions v JOIN articles a"
        " ON a.url = v.url AND a.latest_version = v.version WHERE v.url = ?", (url,)).fetchall()
    db.close()
    path = archive / "warc" / name
    data = bytearray(path.read_bytes())
    ms = {m.start: m for m in members(bytes(data))}
    m = ms[offset]
    data[(m.start + m.end) // 2 - 100 : (m.start + m.end) // 2 + 100] = b"x" * 200
    path.write_bytes(bytes(data))
    return name, offset


def test_extract_keeps_every_intact_article_and_the_unreadable_one_is_pending_again(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sound = _v1_copy(tmp_path / "sound")
    code, _, _ = run(capsys, "-d", str(sound), "extract", "-o", str(tmp_path / "sound.jsonl"))
    assert code == 0
    sound_items = {json.loads(li)["url"]: li for li in (tmp_path / "sound.jsonl").read_text().splitlines()}
    victim = sorted(sound_items)[len(sound_items) // 2]

    archive = _v1_copy(tmp_path / "damaged")
    name, offset = _damage_capture_of(archive, victim)
    code, _, err = run(capsys, "-d", str(archive), "extract", "-o", str(tmp_path / "damaged.jsonl"))
    assert code == 1
    assert f"{name}: capture of {victim} at offset {offset} unreadable" in err
    items = {json.loads(li)["url"]: li for li in (tmp_path / "damaged.jsonl").read_text().splitlines()}
    assert items == {url: line for url, line in sound_items.items() if url != victim}
    assert f"pending again (its capture is unreadable): {victim}" in err
    db = sqlite3.connect(archive / "northnews.sqlite3")
    rows = db.execute("SELECT status, reason, next_attempt IS NOT NULL FROM article_pending WHERE url = ?",
                      (victim,)).fetchall()
    db.close()
    assert rows == [("pending", "capture_unreadable", 1)]


def test_check_makes_the_article_of_a_damaged_capture_pending(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    archive = _v1_copy(tmp_path)
    db = sqlite3.connect(archive / "northnews.sqlite3")
    [victim] = db.execute("SELECT url FROM articles ORDER BY url LIMIT 1 OFFSET 7").fetchone()
    db.close()
    _damage_capture_of(archive, victim)
    code, out, err = run(capsys, "-d", str(archive), "check")
    assert code == 1 and "record(s) lost in all" in out
    assert f"pending again (its capture is unreadable): {victim}" in err


def test_the_console_says_one_line_per_damage_and_no_traceback(archive: Path) -> None:
    intact, lost = damage(the_warc(archive), "two damaged records")
    for command in (["list"], ["index"], ["check"]):
        done = subprocess.run([str(CONSOLE), "-d", str(archive), *command], capture_output=True, text=True)
        assert done.returncode == 1, done
        assert "Traceback" not in done.stderr + done.stdout
        said = [li for li in (done.stdout + done.stderr).splitlines() if "damaged at offset" in li]
        assert len(said) == len(lost), said


def test_replay_of_a_damaged_archive_replays_every_intact_article_and_exits_1(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from tests.conftest import REPO, SCRAPY

    sound = _v1_copy(tmp_path / "sound")
    code, _, _ = run(capsys, "-d", str(sound), "extract", "-o", str(tmp_path / "sound.jsonl"))
    assert code == 0
    urls = {json.loads(li)["url"] for li in (tmp_path / "sound.jsonl").read_text().splitlines()}
    victim = sorted(urls)[3]
    archive = _v1_copy(tmp_path / "damaged")
    _damage_capture_of(archive, victim)
    out = tmp_path / "replay.jsonl"
    proc = subprocess.run([str(SCRAPY), "crawl", "articles", "-a", f"replay={archive}", "-O", str(out),
                           "-s", f"NORTHNEWS_ARCHIVE_DIR={tmp_path / 'replay-out'}", "-s", "LOG_LEVEL=WARNING"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "scrapy crawl articles: the replayed archive has 1 damaged record(s)" in proc.stderr
    replayed = {json.loads(li)["url"] for li in out.read_text().splitlines()}
    assert replayed == urls - {victim}
