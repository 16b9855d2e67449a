"""The archive lock: one writer per archive dir, whatever writes it (crawl, cron, recovery).

An exclusive ``flock`` on ``<archive>/northnews.lock``. The kernel drops it when the holding
process dies, however it dies, so a killed run never leaves a stale lock behind.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
from pathlib import Path

from northnews.util.clock import iso_z

LOCK_NAME = "northnews.lock"
#: Environment variable naming a file descriptor that already holds the archive lock
#: (set by ``northnews-cron`` for the crawl it starts).
LOCK_FD_ENV = "NORTHNEWS_LOCK_FD"


class LockHeld(RuntimeError):
    """Another run holds the archive's lock."""


class ArchiveLock:
    """An exclusive ``flock`` on ``<archive>/northnews.lock``: one writer per archive dir.

    The kernel drops the lock when the holding process dies, however it dies, so a killed run
    never leaves a stale lock behind. The file holds the holder's pid and run id, for the
    message a blocked run prints.
    """

    def __init__(self, archive_dir: str | os.PathLike[str], scope: str | None = None) -> None:
        # ``scope``: with a store on a server, crawls of different sites may share one archive
        # dir (their WARC names never collide, the store serialises its own writers): each site
        # then has its own lock, ``northnews-<site>.lock``.
        name = LOCK_NAME if not scope else f"northnews-{scope}.lock"
        self.path = Path(archive_dir) / name
        self.fd: int | None = None

    def acquire(self, run_id: str = "") -> ArchiveLock:
        if not self.path.parent.is_dir():
            raise FileNotFoundError(f"archive dir does not exist: {self.path.parent}")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EACCES):
                raise LockHeld(self.describe_holder()) from None
            raise
        self.fd = fd
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "run_id": run_id, "since": iso_z(micro=True)}).encode())
        return self

    def inherit(self) -> bool:
        """Adopt the lock held by ``$NORTHNEWS_LOCK_FD`` (an fd passed down by northnews-cron).

        ``flock`` on a descriptor whose open file description already holds the lock succeeds,
        while one held by anybody else fails: so this both checks and keeps it.
        """
        raw = os.environ.get(LOCK_FD_ENV)
        if not raw:
            return False
        try:
            fd = int(raw)
            st, mine = os.fstat(fd), os.stat(self.path)
        except (ValueError, OSError):
            return False
        if (st.st_dev, st.st_ino) != (mine.st_dev, mine.st_ino):
            return False
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        self.fd = fd
        return True

    def describe_holder(self) -> str:
        try:
            info = json.loads(self.path.read_text() or "{}")
        except (OSError, ValueError):
            info = {}
        who = ", ".join(f"{k} {info[k]}" for k in ("pid", "run_id", "since") if info.get(k))
        return f"another northnews run holds the lock on {self.path}" + (f" ({who})" if who else "")

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None

    def __enter__(self) -> ArchiveLock:
        return self if self.fd is not None else self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
