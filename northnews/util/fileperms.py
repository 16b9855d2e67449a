"""File modes for everything an archive holds: files 0640, directories 0750, one group.

An archive holds request headers, cookies the site set, the crawl's settings and its logs: it is
readable by its owner and a group (the archivists), never by everyone. A crawl and
``northnews-cron`` set the process umask to 027 (:func:`private_umask`) before they write
anything, so every file created afterwards — WARCs, CDXJ, the store and its WAL, feeds,
rejects, logs, manifests — is at most 0640 and every directory at most 0750, whatever code
creates it. ``NORTHNEWS_FILE_GROUP`` names the group: the archive directory is given that group
and the set-group-ID bit (:func:`prepare_archive_dir`), so that the files and directories created
in it inherit the group (the POSIX rule for setgid directories), again whatever code creates them.
"""

from __future__ import annotations

import grp
import os
import stat
from pathlib import Path

UMASK = 0o027
FILE_MODE = 0o640
DIR_MODE = 0o750


def private_umask() -> int:
    """Set the process umask to 027 (files 0640, directories 0750); returns the previous one."""
    return os.umask(UMASK)


def group_id(group: str) -> int:
    """The numeric id of a group given by name or number; LookupError if there is none."""
    if group.isdigit():
        return int(group)
    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        raise LookupError(f"NORTHNEWS_FILE_GROUP: no such group: {group!r}") from None


def prepare_archive_dir(path: str | os.PathLike[str], group: str | None = None) -> Path:
    """Create the archive directory (0750); with ``group``, give it and its existing directories
    that group and the setgid bit, so that everything created inside inherits it."""
    root = Path(path)
    root.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    for directory in (root, root / "warc", root / "runs"):
        # An archive an earlier release made world-readable is closed to others from now on.
        if directory.is_dir() and not directory.is_symlink():
            mode = stat.S_IMODE(directory.stat().st_mode)
            if mode & 0o027:
                os.chmod(directory, mode & ~0o027)
    if group:
        gid = group_id(group)
        for directory in (root, *(p for p in root.rglob("*") if p.is_dir() and not p.is_symlink())):
            info = directory.stat()
            if info.st_gid != gid:
                os.chown(directory, -1, gid)
            os.chmod(directory, stat.S_IMODE(info.st_mode) | stat.S_ISGID)
    return root
