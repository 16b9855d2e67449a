"""Only our files: every output northnews writes on request (feeds, ``scrapy export``,
``northnews-archive extract``, WACZ, store backups) goes through here.

An output is written to a temporary file in the target's own directory (same file system, so the
final ``os.replace`` is atomic) and renamed over the target only when every byte was written and
flushed to disk. The target must be a regular file or a new name: a symbolic link is refused (or,
with ``follow=True``, resolved and its target written instead, itself a regular file or a new
name), and so is a FIFO, a device node (``/dev/full``, ``/dev/sda``), a socket or a directory,
each in one line (:class:`NotOurs`) before anything is written. Replacing a device node run as
root would destroy it; writing into a FIFO would block or feed another program; replacing a
symlink with a file would silently stop updating what it pointed to.

A write that fails (disk full, read-only directory) removes the temporary file and raises
:class:`WriteFailed`, one line naming the target; the target is left as it was.

Standard library only (the ``util`` layer): ``tempfile.mkstemp`` for the temporary name
(``.<name>.<random>.part``, mode from the umask as any new file), ``os.replace`` for the rename.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)


class NotOurs(ValueError):
    """A target that is not a regular file (or a symlink not to be followed): the one line."""


class WriteFailed(OSError):
    """Writing an output failed; ``str()`` is one line naming the target; nothing was replaced."""


def _kind(mode: int) -> str | None:
    for test, name in _KINDS:
        if test(mode):
            return name
    return None if stat.S_ISREG(mode) else "not a regular file"


def check_target(path: str | os.PathLike[str], *, follow: bool = False) -> Path:
    """The file to (re)place for ``path``: a regular file or a new name in an existing directory;
    :class:`NotOurs` for anything else (see the module docstring)."""
    p = Path(path)
    try:
        st = os.lstat(p)
    except FileNotFoundError:
        if not p.parent.is_dir():
            raise NotOurs(f"{p}: no such directory: {p.parent}") from None
        return p
    if stat.S_ISLNK(st.st_mode):
        if not follow:
            raise NotOurs(f"{p}: a symbolic link (to {os.readlink(p)}): not replaced; write elsewhere"
                          " (or, where the command has it, give --follow-symlinks)")
        return check_target(os.path.realpath(p), follow=False)
    kind = _kind(st.st_mode)
    if kind is not None:
        raise NotOurs(f"{p}: {kind}, not a regular file: only regular files are replaced")
    return p


def check_writable(path: str | os.PathLike[str], *, follow: bool = False) -> Path:
    """:func:`check_target`, plus: its directory takes a new file (a read-only place fails here,
    before a crawl starts, rather than after it). Raises :class:`WriteFailed`."""
    target = check_target(path, follow=follow)
    if not os.access(target.parent, os.W_OK | os.X_OK):
        raise WriteFailed(f"{path}: cannot write in {target.parent} (read-only or not ours)")
    return target


@contextmanager
def replacing(path: str | os.PathLike[str], mode: str = "w", *, follow: bool = False,
              **open_kwargs: Any) -> Iterator[IO[Any]]:
    """Open a temporary file beside ``path`` for writing; on a clean exit flush, fsync and
    rename it over ``path``; on an error remove it (``path`` untouched). ``mode``: ``w``/``wb``."""
    target = check_target(path, follow=follow)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise WriteFailed(f"{path}: {exc.strerror or exc}") from None
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        with os.fdopen(fd, mode, **open_kwargs) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        check_target(target)  # still ours: nothing swapped in a FIFO or a link meanwhile
        os.replace(tmp, target)
    except OSError as exc:
        _unlink(tmp)
        if isinstance(exc, WriteFailed):
            raise
        raise WriteFailed(f"{path}: {exc.strerror or exc}") from None
    except BaseException:
        _unlink(tmp)
        raise


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
