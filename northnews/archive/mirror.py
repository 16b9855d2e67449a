"""Replay from a ``wget --mirror`` style directory: ``DIR/<host>/<path>``.

A URL path ending in ``/`` maps to ``index.html``; a query string stays in the file name
(``page.shtml?x=1``); ``http`` and ``https`` map to the same files. A missing file is a 404.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from northnews.archive.hits import ReplayHit

_TYPES = {
    ".shtml": "text/html",
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
}


def mirror_path(root: Path, url: str) -> Path | None:
    """The file that holds ``url`` in the mirror at ``root``, or None if the URL escapes it."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = unquote(parts.path or "/")
    if path.endswith("/"):
        path += "index.html"
    name = path.lstrip("/")
    if parts.query:
        name += "?" + parts.query
    if not host or "\x00" in name or "\x00" in host:
        return None  # no file has a NUL in its name (%00 in a URL)
    # Resolved against the mirror's own root, so that no link inside it (a host directory that is
    # a symlink to elsewhere, a ../ in a query) can serve a file from outside the mirror.
    top = root.resolve()
    base = (top / host).resolve()
    candidate = (base / name).resolve()
    if top not in base.parents or (candidate != base and base not in candidate.parents):
        return None  # the host folder leads out of the mirror, or the path out of its host folder
    return candidate


def content_type(path: Path) -> str:
    base = path.name.split("?", 1)[0]
    ext = os.path.splitext(base)[1].lower()
    return _TYPES.get(ext) or mimetypes.guess_type(base)[0] or "application/octet-stream"


class MirrorSource:
    """Answers every URL from files; never a network access."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        if not self.root.is_dir():
            raise ValueError(f"replay mirror is not a directory: {root}")

    def lookup(self, url: str) -> ReplayHit:
        path = mirror_path(self.root, url)
        if path is not None and path.is_dir():
            # A server answers a directory URL without its slash with a redirect.
            return ReplayHit(url=url, status=301, headers=[("Location", url + "/")], body=b"")
        if path is None or not path.is_file():
            return ReplayHit(
                url=url, status=404, headers=[("Content-Type", "text/plain")], body=b"not in mirror\n"
            )
        return ReplayHit(
            url=url,
            status=200,
            headers=[("Content-Type", content_type(path)), ("Content-Length", str(path.stat().st_size))],
            body=path.read_bytes(),
        )

    def close(self) -> None:
        pass
