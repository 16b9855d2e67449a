"""Names of the archive's files (northnews.archive.paths): WARCs, their indexes, what is a WARC."""

from __future__ import annotations

from pathlib import Path

from northnews.archive.paths import (
    damage_path,
    final_name,
    index_path,
    is_warc_name,
    is_warc_path,
    iter_warc_files,
    pending_index_path,
    relative_name,
    warc_root,
)

NAME = "northnews-20261128T112000Z-00000-www.northnews.cn"


def test_side_files_sit_beside_the_warc_open_or_closed_gzipped_or_not() -> None:
    for warc in (f"d/{NAME}.warc.gz", f"d/{NAME}.warc.gz.open", f"d/{NAME}.warc", f"d/{NAME}.warc.open"):
        assert index_path(warc) == Path(f"d/{NAME}.cdxj"), warc
        assert damage_path(warc) == Path(f"d/{NAME}.damage.json"), warc
        assert pending_index_path(warc) == Path(f"d/{NAME}.cdxj.pending"), warc


def test_a_closed_file_loses_only_open() -> None:
    assert final_name(f"{NAME}.warc.gz.open") == f"{NAME}.warc.gz"
    assert final_name(f"{NAME}.warc.gz") == f"{NAME}.warc.gz"
    assert is_warc_name(f"{NAME}.warc.gz.open") and not is_warc_name(f"{NAME}.warc.gz.open", include_open=False)
    assert not is_warc_name(f"{NAME}.cdxj") and not is_warc_name("notes.open")


def test_warcs_under_a_file_a_directory_or_an_archive_dir(tmp_path: Path) -> None:
    warc = tmp_path / "archive" / "warc"
    (warc / "2026").mkdir(parents=True)
    files = [warc / "b.warc.gz", warc / "2026" / "a.warc", warc / "c.warc.gz.open"]
    for f in [*files, warc / "b.cdxj", tmp_path / "archive" / "northnews.lock"]:
        f.write_bytes(b"")
    archive = tmp_path / "archive"
    assert list(iter_warc_files(archive)) == sorted(files)
    assert list(iter_warc_files(warc, include_open=False)) == sorted(files[:2])
    assert list(iter_warc_files(files[0])) == [files[0]]
    assert warc_root(archive) == warc == warc_root(warc) == warc_root(files[0])
    assert is_warc_path(archive) and is_warc_path(files[2]) and not is_warc_path(warc / "b.cdxj")
    assert not is_warc_path(tmp_path / "empty") and not is_warc_path(archive / "northnews.lock")


def test_provenance_names_are_relative_to_the_warc_root_and_never_open(tmp_path: Path) -> None:
    root = tmp_path / "warc"
    assert relative_name(root / "2026" / "a.warc.gz.open", root) == "2026/a.warc.gz"
    assert relative_name(tmp_path / "elsewhere" / "b.warc.gz", root) == "b.warc.gz"
