"""An archive written by the release before the archive rework (tests/fixtures/archive_v1/, commit
4ae71fd) is checked, listed, indexed and replayed by today's code: users' archives are sacred."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from northnews.archive.cli import main as archive_main
from northnews.archive.digests import DigestIndex
from northnews.archive.warcreplay import WarcSource
from tests.conftest import FIXTURES, run_crawl

V1 = FIXTURES / "archive_v1"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """A copy (the commands may write beside the files: the fixture stays byte-exact)."""
    shutil.copytree(V1 / "warc", tmp_path / "archive" / "warc")
    return tmp_path / "archive"


def items(name: str) -> list[dict]:
    return [json.loads(line) for line in (V1 / name).read_text(encoding="utf-8").splitlines() if line]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = archive_main(list(args))
    return code, capsys.readouterr().out


def test_check_passes_every_file_against_its_old_manifest(archive: Path, capsys) -> None:
    code, out = run(capsys, "-d", str(archive), "check", "-v")
    assert code == 0, out
    assert "2 file(s), 82 records, 0 failed" in out
    assert "warning" not in out  # manifest entries and CDXJ indexes of 4ae71fd are all recognised


def test_list_shows_every_capture_of_both_runs(archive: Path, capsys) -> None:
    code, out = run(capsys, "-d", str(archive), "list", "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["type"] for r in rows].count("response") == 20
    assert [r["type"] for r in rows].count("revisit") == 20
    listed = {(r["url"], r["file"], r["offset"]) for r in rows}
    for item in items("items_first_run.jsonl") + items("items.jsonl"):
        assert (item["url"], item["warc"]["file"], item["warc"]["offset"]) in listed


def test_index_rebuilds_the_old_indexes_byte_for_byte(archive: Path, capsys) -> None:
    warc = archive / "warc"
    for index in warc.glob("*.cdxj"):
        index.unlink()
    code, _ = run(capsys, "-d", str(archive), "index")
    assert code == 0
    for index in sorted((V1 / "warc").glob("*.cdxj")):
        assert (warc / index.name).read_bytes() == index.read_bytes(), index.name


def test_the_old_digest_index_still_makes_revisits(archive: Path) -> None:
    index = DigestIndex.for_warc_dir(archive / "warc")
    try:
        first = {item["url"]: item for item in items("items_first_run.jsonl")}
        for url, item in first.items():
            last = index.last(url)
            assert last is not None and (last.file, last.offset) == (item["warc"]["file"], item["warc"]["offset"])
    finally:
        index.close()


@pytest.mark.parametrize("with_index", [True, False], ids=["cdxj", "scan"])
def test_replay_source_finds_every_item_s_capture(archive: Path, with_index: bool) -> None:
    if not with_index:
        for index in (archive / "warc").glob("*.cdxj"):
            index.unlink()
    source = WarcSource(archive)
    try:
        assert source.indexed_files == (2 if with_index else 0)
        for item in items("items.jsonl"):
            hit = source.lookup(item["url"])
            assert hit is not None and hit.status == 200, item["url"]
            # The latest capture is the second run's revisit, resolved to the first run's body.
            assert hit.capture == {"warc": item["warc"], "fetched_at": item["fetched_at"]}
            assert hit.body
    finally:
        source.close()


@pytest.mark.slow
def test_crawl_replays_the_old_archive_to_the_same_items(archive: Path, tmp_path: Path) -> None:
    result = run_crawl(tmp_path / "out", "-a", "editions=en", "-a", f"replay={archive}")
    assert result.returncode == 0, result.stderr[-3000:]
    expected = {item["url"]: item for item in items("items.jsonl")}
    assert set(result.by_url) == set(expected)
    for url, item in expected.items():
        got = result.by_url[url]
        for field in ("title", "body", "published", "source", "author", "editor", "section", "tags",
                      "content_digest", "warc", "fetched_at"):
            assert got[field] == item[field], (url, field)
