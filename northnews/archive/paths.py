"""Names of the archive's files: WARCs (``….warc.gz``, ``….warc.gz.open`` while written), the CDXJ
index beside each, and which files under a path are WARCs. Shared by the writer, the readers and
replay; no Scrapy, no warcio.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

OPEN_SUFFIX = ".open"
WARC_SUFFIXES = (".warc.gz", ".warc")
#: The CDXJ lines of an ``.open`` file, unsorted, appended as records are written (see files.py).
PENDING_INDEX_SUFFIX = ".cdxj.pending"


def final_name(name: str) -> str:
    """The name a WARC gets when it is closed: without ``.open``."""
    return name[: -len(OPEN_SUFFIX)] if name.endswith(OPEN_SUFFIX) else name


def is_warc_name(name: str, include_open: bool = True) -> bool:
    if include_open and name.endswith(OPEN_SUFFIX):
        name = name[: -len(OPEN_SUFFIX)]
    return name.endswith(WARC_SUFFIXES)


def _stem(warc_path: str | os.PathLike[str]) -> Path:
    p = Path(warc_path)
    name = final_name(p.name)
    for suffix in WARC_SUFFIXES:
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return p.with_name(name)


def index_path(warc_path: str | os.PathLike[str]) -> Path:
    """``northnews-…-host.warc.gz`` (or ``.warc.gz.open``) → ``northnews-…-host.cdxj`` beside it."""
    stem = _stem(warc_path)
    return stem.with_name(stem.name + ".cdxj")


def damage_path(warc_path: str | os.PathLike[str]) -> Path:
    """``<stem>.damage.json``: the damaged spans ``northnews-archive index`` read past, kept beside
    the index so that tools reading through the index still report them."""
    stem = _stem(warc_path)
    return stem.with_name(stem.name + ".damage.json")


def pending_index_path(warc_path: str | os.PathLike[str]) -> Path:
    """The unsorted side file of index lines the writer appends while a file is open."""
    stem = _stem(warc_path)
    return stem.with_name(stem.name + PENDING_INDEX_SUFFIX)


def iter_warc_files(root: str | os.PathLike[str], include_open: bool = True) -> Iterator[Path]:
    """WARC files under ``root`` (a file, a directory of WARCs, or an archive dir), sorted."""
    p = Path(root)
    if p.is_file():
        yield p
        return
    if (p / "warc").is_dir():
        p = p / "warc"
    yield from sorted(f for f in p.rglob("*") if f.is_file() and is_warc_name(f.name, include_open))


def warc_root(root: str | os.PathLike[str]) -> Path:
    """The directory that WARC file names are relative to, for a replay/list/check root."""
    p = Path(root)
    if p.is_file():
        return p.parent
    if (p / "warc").is_dir():
        return p / "warc"
    return p


def relative_name(path: Path, root: Path) -> str:
    """The name provenance pointers use: relative to the WARC root, without ``.open``."""
    rel = path.relative_to(root) if path.is_relative_to(root) else Path(path.name)
    return str(rel.with_name(final_name(rel.name)))


def is_warc_path(path: Path) -> bool:
    """A WARC file (closed or ``.open``), or a directory holding any (an archive dir, say)."""
    if path.is_file():
        return is_warc_name(path.name)
    return path.is_dir() and next(iter_warc_files(path), None) is not None
