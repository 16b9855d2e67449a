"""A WARC cut at a record boundary, down to zero bytes (a botched copy, a full disk on a backup):
every record left reads as a sound file, so only the file's own index can tell what is gone.
``extract`` and replay read every capture left and say the rest is gone (exit 1), never a quiet
smaller archive. The first release's archive (``tests/fixtures/archive_v1_full``) is cut; what
must be left is worked out from its gzip members with zlib (:func:`tests.test_archive_damage.members`)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO, SCRAPY
from tests.test_archive_damage import _v1_copy, members, run


def the_warc(archive: Path) -> Path:
    """The archive's first WARC (its first crawl; the second crawl's file holds revisits of it)."""
    return sorted((archive / "warc").glob("*.warc.gz"))[0]


def items_of(path: Path) -> dict[str, str]:
    return {json.loads(line)["url"]: line for line in path.read_text(encoding="utf-8").splitlines() if line}


def article_uris(url: str, uris: set[str]) -> set[str]:
    """The captured URIs of article ``url``'s pages (``…/2049381.shtml`` and ``…/2049381_2.shtml``)."""
    stem = url.rsplit(".", 1)[0]
    return {u for u in uris if u == url or u.startswith(stem + "_")}


@pytest.fixture
def sound(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    archive = _v1_copy(tmp_path / "sound")
    code, _, err = run(capsys, "-d", str(archive), "extract", "-o", str(tmp_path / "sound.jsonl"))
    assert code == 0, err
    return items_of(tmp_path / "sound.jsonl")


def test_a_file_cut_at_a_record_boundary_is_said_and_every_capture_left_is_extracted(
        tmp_path: Path, sound: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    archive = _v1_copy(tmp_path / "cut")
    path = the_warc(archive)
    data = path.read_bytes()
    ms = members(data)
    cut = next(m for m in ms[len(ms) // 2:] if m.type == "response")  # the file ends where this member began
    path.write_bytes(data[: cut.start])
    before = {m.uri for m in ms if m.end <= cut.start and m.type in ("response", "revisit")}
    after = {m.uri for m in ms if m.start >= cut.start and m.type in ("response", "revisit")}

    code, _, err = run(capsys, "-d", str(archive), "extract", "-o", str(tmp_path / "cut.jsonl"))
    assert code == 1
    assert f"the file ends at {cut.start} bytes but its index places" in err and "cut short" in err
    got = items_of(tmp_path / "cut.jsonl")
    assert all(sound[url] == line for url, line in got.items())  # what is left is what it was
    whole = {url for url in sound if article_uris(url, before | after) <= before}
    assert whole <= set(got)
    assert not {url for url in got if url in after and url not in before}
    assert set(got) < set(sound)


def test_a_zero_byte_file_is_said_not_an_empty_archive(tmp_path: Path, sound: dict[str, str],
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    archive = _v1_copy(tmp_path / "zero")
    the_warc(archive).write_bytes(b"")
    code, _, err = run(capsys, "-d", str(archive), "extract", "-o", str(tmp_path / "zero.jsonl"))
    assert code == 1
    assert "the file ends at 0 bytes but its index places" in err
    assert items_of(tmp_path / "zero.jsonl") == {}


@pytest.mark.slow
def test_replay_of_a_zero_byte_file_exits_1_and_says_so(tmp_path: Path) -> None:
    archive = _v1_copy(tmp_path / "zero")
    the_warc(archive).write_bytes(b"")
    proc = subprocess.run([str(SCRAPY), "crawl", "articles", "-a", f"replay={archive}", "-O", str(tmp_path / "r.jsonl"),
                           "-s", f"NORTHNEWS_ARCHIVE_DIR={tmp_path / 'replay-out'}", "-s", "LOG_LEVEL=WARNING"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "the file ends at 0 bytes" in proc.stderr
    assert "scrapy crawl articles: the replayed archive has 1 damaged record(s)" in proc.stderr
