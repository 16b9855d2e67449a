"""`northnews-archive check` of one closed WARC (northnews.archive.check.check_file): what warcio's
own check does not see — the manifest's size, sha1 and record count, the warcinfo first, the
CDXJ index holding exactly the file's records. The WARC is written by warcio alone."""

from __future__ import annotations

import hashlib
from pathlib import Path

from northnews.archive.cdxj import index_file
from northnews.archive.check import check_file, open_manifest
from northnews.archive.digests import DB_NAME, DigestIndex
from tests.warc_helpers import write_warcio_file

NAME = "a.warc.gz"


def archive(tmp_path: Path, records_in_manifest: int | None = 3) -> tuple[Path, DigestIndex, list[tuple[int, int]]]:
    """A warcio-written WARC with its CDXJ index and (unless None) a manifest entry; the records'
    (offset, length)."""
    warc = tmp_path / NAME
    spans = write_warcio_file(warc, gzip=True)
    index_file(warc)
    index = DigestIndex(tmp_path / DB_NAME)
    if records_in_manifest is not None:
        data = warc.read_bytes()
        index.add_file(NAME, len(data), hashlib.sha1(data).hexdigest(), records_in_manifest,
                       "2026-11-28T11:20:00Z", "closed")
    return warc, index, spans


def test_a_sound_file_passes_and_only_its_missing_warcinfo_is_a_warning(tmp_path: Path) -> None:
    warc, index, _ = archive(tmp_path)
    result = check_file(warc, index)
    assert result.ok and result.records == 3 and result.damages == []
    assert result.warnings == ["first record is not warcinfo"]
    index.close()
    manifest, problem = open_manifest(tmp_path / DB_NAME)  # what the command opens: read-only
    assert problem is None and manifest is not None
    assert check_file(warc, manifest).ok
    manifest.close()


def test_a_file_cut_at_a_record_boundary_is_caught_by_its_manifest_alone(tmp_path: Path) -> None:
    warc, index, spans = archive(tmp_path)
    size = warc.stat().st_size
    with open(warc, "r+b") as fh:
        fh.truncate(spans[2][0])  # two whole records left: every reader finds a sound file
    index_file(warc)
    result = check_file(warc, index)
    assert result.records == 2 and result.damages == []
    assert result.failures == [f"size {spans[2][0]} differs from manifest {size}", "2 records, manifest says 3"]
    index.close()


def test_a_manifest_record_count_that_differs_fails(tmp_path: Path) -> None:
    warc, index, _ = archive(tmp_path, records_in_manifest=4)
    assert check_file(warc, index).failures == ["3 records, manifest says 4"]
    index.close()


def test_no_manifest_entry_and_no_index_are_warnings_a_stale_index_a_failure(tmp_path: Path) -> None:
    warc, index, _ = archive(tmp_path, records_in_manifest=None)
    cdxj = tmp_path / "a.cdxj"
    lines = cdxj.read_text().splitlines(keepends=True)
    cdxj.write_text("".join(lines[:2]))  # one capture missing: replay would not find it
    result = check_file(warc, index)
    assert result.failures == [
        "CDXJ index a.cdxj has 2 lines, the file gives 3: replay would miss or misplace captures "
        "(run `northnews-archive index`)"
    ]
    assert any(w.startswith("no manifest entry") for w in result.warnings)
    cdxj.unlink()
    result = check_file(warc, index)
    assert result.ok and any(w.startswith("no CDXJ index") for w in result.warnings)
    index.close()
