"""Archive file modes (northnews.util.fileperms): files 0640, directories 0750, one group."""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

import pytest

from northnews.util.fileperms import group_id, prepare_archive_dir, private_umask


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_private_umask_makes_new_files_0640_and_directories_0750(tmp_path: Path) -> None:
    previous = private_umask()
    try:
        (tmp_path / "f").write_text("x")
        (tmp_path / "d").mkdir()
    finally:
        os.umask(previous)
    assert mode(tmp_path / "f") == 0o640 and mode(tmp_path / "d") == 0o750


def test_groups_by_name_or_number_and_an_unknown_one_is_a_lookup_error() -> None:
    gid = os.getgid()
    assert group_id(str(gid)) == gid
    assert group_id(grp.getgrgid(gid).gr_name) == gid
    with pytest.raises(LookupError, match="NORTHNEWS_FILE_GROUP: no such group: 'no-such-group-nn'"):
        group_id("no-such-group-nn")


def test_an_open_archive_an_earlier_release_made_is_closed_to_others(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    (root / "warc").mkdir(parents=True)
    os.chmod(root, 0o755)
    os.chmod(root / "warc", 0o777)
    assert prepare_archive_dir(root) == root
    assert mode(root) == 0o750 and mode(root / "warc") == 0o750
    assert not (root / "runs").exists()  # only what is there is changed


def test_a_group_is_given_to_every_directory_with_setgid(tmp_path: Path) -> None:
    root = tmp_path / "archive"
    (root / "warc" / "2026").mkdir(parents=True)
    (root / "warc" / "a.warc.gz").write_bytes(b"")
    gid = os.getgid()
    prepare_archive_dir(root, str(gid))
    for directory in (root, root / "warc", root / "warc" / "2026"):
        info = directory.stat()
        assert info.st_gid == gid and info.st_mode & stat.S_ISGID, directory
    assert not (root / "warc" / "a.warc.gz").stat().st_mode & stat.S_ISGID  # files are left as they are


def test_a_new_archive_dir_is_created_with_its_parents(tmp_path: Path) -> None:
    previous = private_umask()
    try:
        root = prepare_archive_dir(tmp_path / "a" / "b")
    finally:
        os.umask(previous)
    assert root.is_dir() and mode(root) == 0o750
