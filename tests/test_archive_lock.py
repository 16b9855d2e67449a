"""The archive lock (northnews.archive.lock): one writer per archive dir, scoped per site on a
shared dir, inherited from northnews-cron through a file descriptor."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from northnews.archive.lock import LOCK_FD_ENV, LOCK_NAME, ArchiveLock, LockHeld


def test_a_second_writer_is_refused_with_the_holder_named_until_the_first_releases(tmp_path: Path) -> None:
    first = ArchiveLock(tmp_path).acquire("run-1")
    assert (tmp_path / LOCK_NAME).is_file()
    with pytest.raises(LockHeld, match=rf"holds the lock on .*{LOCK_NAME} \(pid {os.getpid()}, run_id run-1, since "):
        ArchiveLock(tmp_path).acquire("run-2")
    first.release()
    with ArchiveLock(tmp_path) as again:
        assert again.fd is not None
    assert again.fd is None


def test_sites_sharing_an_archive_dir_lock_separately(tmp_path: Path) -> None:
    with ArchiveLock(tmp_path, scope="fenshui"):
        with ArchiveLock(tmp_path, scope="huaihe"):
            pass
        with pytest.raises(LockHeld):
            ArchiveLock(tmp_path, scope="fenshui").acquire()
        ArchiveLock(tmp_path).acquire().release()  # the unscoped lock is another file too
    assert {p.name for p in tmp_path.iterdir()} == {"northnews-fenshui.lock", "northnews-huaihe.lock", LOCK_NAME}


def test_no_archive_dir_is_an_error_not_a_new_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="archive dir does not exist"):
        ArchiveLock(tmp_path / "missing").acquire()
    assert not (tmp_path / "missing").exists()


def test_the_lock_passed_down_by_fd_is_adopted_and_no_other(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    held = ArchiveLock(tmp_path).acquire("cron")
    assert held.fd is not None
    child = ArchiveLock(tmp_path)
    assert not child.inherit()  # no variable set
    monkeypatch.setenv(LOCK_FD_ENV, "not-a-number")
    assert not child.inherit()
    other = tmp_path / "other"
    other.write_text("")
    with open(other) as unrelated:
        monkeypatch.setenv(LOCK_FD_ENV, str(unrelated.fileno()))
        assert not child.inherit()  # a descriptor of another file
    monkeypatch.setenv(LOCK_FD_ENV, str(held.fd))
    assert child.inherit() and child.fd == held.fd
    held.release()  # one descriptor, closed once
