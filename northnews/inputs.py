"""A replay source (``-a replay=PATH``), checked before a crawl starts.

Part of the up-front validation of :mod:`northnews.config`: each check raises
:class:`~northnews.config.ConfigError` with one line naming the setting or argument.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from northnews.config import ConfigError

_WARC_NAME = re.compile(r"\.warc(\.gz)?(\.open)?$")


def _is_warc_file(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            head = fh.read(2)
        if head == b"\x1f\x8b":
            with gzip.open(path, "rb") as gz:
                return gz.read(5) == b"WARC/"
        with path.open("rb") as fh:
            return fh.read(5) == b"WARC/"
    except (OSError, EOFError):
        return False


def check_replay(value: str | None) -> None:
    """``-a replay=PATH`` names something replay can answer from, or a ConfigError says why.

    A WARC file (plain or gzip, ``.open`` included: its first bytes say ``WARC/``), a directory
    holding WARC files (an archive dir, its ``warc/``), or a ``wget --mirror`` directory (at least
    one ``<host>/`` directory, a name with a dot, holding a file). Anything else — an archive
    directory written by replays only, an empty directory, a feed file — would replay nothing.
    """
    if value is None or not str(value).strip():
        raise ConfigError("-a replay: expected a mirror directory or WARC path, got an empty value")
    path = Path(value)
    if not path.exists():
        raise ConfigError(f"-a replay: no such file or directory: {value}")
    if path.is_file():
        if _is_warc_file(path):
            return
        raise ConfigError(f"-a replay: {value} is not a WARC file (it does not begin with a WARC record)")
    if not path.is_dir():
        raise ConfigError(f"-a replay: {value} is neither a file nor a directory")
    for candidate in (*path.glob("*"), *path.glob("warc/*")):
        if candidate.is_file() and _WARC_NAME.search(candidate.name):
            return
    for host in path.iterdir():
        if host.is_dir() and "." in host.name and not host.name.startswith(".") and any(
            p.is_file() for p in host.rglob("*")
        ):
            return
    if any(c.is_file() and _WARC_NAME.search(c.name) for c in path.rglob("*.warc*")):
        return
    raise ConfigError(
        f"-a replay: {value} holds no WARC file and is not a mirror (no <host>/ directory with files):"
        " nothing to replay"
    )
