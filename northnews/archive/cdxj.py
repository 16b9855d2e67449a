"""CDXJ indexes in pywb's format, one per closed WARC file (``<stem>.cdxj`` next to it).

A line is ``<SURT key> <14-digit timestamp> <JSON>``, the JSON holding the fields
``cdxj-indexer`` writes by default, in its order and string forms (``url``, ``mime``,
``status``, ``digest``, ``length``, ``offset``, ``filename``), so our index and the one pywb's
own tool builds for the same file are identical (a test compares them line by line, for our
files and for wget's and warcio's). Lines are sorted, as pywb's binary search needs.

Indexed record types are cdxj-indexer's defaults: ``response``, ``revisit``, and ``resource`` /
``metadata`` records that are not ``application/warc-fields``.

Memory stays flat whatever the file's size: lines are sorted in runs of ``RUN_LINES`` spilled
to temporary files and merged (:func:`write_sorted`), and :class:`CdxjFile` answers lookups by
binary search on the sorted file (mmap), without loading it.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import mmap
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from surt import surt
from warcio.timeutils import iso_date_to_timestamp

from northnews.archive.paths import damage_path, final_name, index_path
from northnews.archive.scan import Damage, RecordInfo, WarcScan

INDEXED_TYPES = ("response", "revisit", "resource", "metadata")
RUN_LINES = 100_000  # lines sorted in memory at once (~50 MB)
_MIME_SPLIT = re.compile(r"[;\s]")


def surt_key(url: str) -> str:
    """SURT key of a URL as pywb and cdxj-indexer compute it, e.g. ``cn,northnews)/2015/0915/2049381.shtml``.

    This is the index's sort key (lower-cased, ``www.`` dropped, query sorted), fixed by the CDXJ
    format; the key for "same capture target?" is :func:`northnews.util.urls.url_key`.
    """
    try:
        key: str = surt(url)
    except Exception:  # noqa: BLE001 - cdxj-indexer falls back to the URL too
        return url
    return key


def timestamp14(warc_date: str) -> str:
    """The 14-digit timestamp of a ``WARC-Date``, by the very function cdxj-indexer uses."""
    stamp: str = iso_date_to_timestamp(warc_date)
    return stamp


def record_fields(rec: RecordInfo, filename: str) -> dict[str, str] | None:
    """The JSON fields of a record's index line, or ``None`` when it is not indexed."""
    rtype = rec.rec_type
    if rtype not in INDEXED_TYPES:
        return None
    if rtype in ("resource", "metadata") and rec.header("Content-Type") == "application/warc-fields":
        return None
    fields: dict[str, str] = {}
    url = rec.target_uri
    if url is not None:
        fields["url"] = url
    if rtype == "revisit":
        mime: str | None = "warc/revisit"
    elif rtype == "response":
        mime = rec.http_content_type
    else:
        mime = rec.header("Content-Type")
    if mime is not None and rtype != "revisit":
        mime = _MIME_SPLIT.split(mime, 1)[0].strip()
    if mime:
        fields["mime"] = mime
    if rtype in ("response", "revisit") and rec.http_status:
        fields["status"] = rec.http_status
    digest = rec.payload_digest
    if digest:
        fields["digest"] = digest
    fields["length"] = str(rec.length)
    fields["offset"] = str(rec.offset)
    fields["filename"] = filename
    return fields


def cdxj_line(url: str, warc_date: str, fields: dict[str, str]) -> str:
    return f"{surt_key(url)} {timestamp14(warc_date)} {json.dumps(fields)}\n"


def lines_for(records: Iterable[RecordInfo], filename: str) -> Iterator[str]:
    for rec in records:
        fields = record_fields(rec, filename)
        if fields is not None:
            yield cdxj_line(rec.target_uri or "", rec.date or "", fields)


def _spill(lines: list[str], directory: str) -> IO[str]:
    lines.sort()
    run = tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", dir=directory)
    run.writelines(lines)
    run.seek(0)
    return run


def write_sorted(path: str | os.PathLike[str], lines: Iterable[str], run_lines: int = RUN_LINES) -> Path:
    """Write lines sorted and de-duplicated, atomically (a reader never sees half an index).

    At most ``run_lines`` lines are held in memory: longer inputs are sorted in runs spilled to
    temporary files beside ``path`` and merged.
    """
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    runs: list[IO[str]] = []
    batch: list[str] = []
    try:
        for line in lines:
            batch.append(line)
            if len(batch) >= run_lines:
                runs.append(_spill(batch, str(p.parent)))
                batch = []
        batch.sort()
        merged: Iterable[str] = heapq.merge(*runs, batch) if runs else batch
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            last = None
            for line in merged:
                if line != last:
                    fh.write(line)
                last = line
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    finally:
        for run in runs:
            run.close()
        tmp.unlink(missing_ok=True)
    return p


def index_file(warc_path: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Path:
    """(Re)build the CDXJ index of one WARC file from its records, in one pass."""
    return reindex(warc_path, out).path


@dataclass
class Reindexed:
    """What (re)building one file's index did: the lines written, the lines the index it
    replaced held (None: there was none), the damage read past, and the old lines that pointed
    into it (the captures lost to the damage, as ``(url, offset)``)."""

    path: Path
    lines: int
    old_lines: int | None
    scan: WarcScan
    lost: list[tuple[str, int]] = field(default_factory=list)

    @property
    def shrank(self) -> bool:
        return self.old_lines is not None and self.lines < self.old_lines


class _Counted:
    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = lines
        self.count = 0

    def __iter__(self) -> Iterator[str]:
        for line in self.lines:
            self.count += 1
            yield line


def reindex(warc_path: str | os.PathLike[str], out: str | os.PathLike[str] | None = None) -> Reindexed:
    """(Re)build the CDXJ index of one WARC file, reading past damage; report what changed."""
    path = Path(warc_path)
    target = Path(out or index_path(path))
    old = count_lines(target) if target.is_file() else None
    scan = WarcScan(path, payload_digests=True)
    counted = _Counted(lines_for(scan, final_name(path.name)))
    kept = target.with_name(target.name + ".before")  # the old index, to name what damage took
    kept.unlink(missing_ok=True)
    if old:
        try:
            os.link(target, kept)
        except OSError:  # a file system without hard links
            shutil.copyfile(target, kept)
    try:
        write_sorted(target, counted)
        lost = lines_in_damage(kept, scan.damages) if scan.damages and old else []
    finally:
        kept.unlink(missing_ok=True)
    if out is None:
        record_damage(path, scan.damages)
    return Reindexed(target, counted.count, old, scan, lost)


def record_damage(warc_path: Path, damages: list[Damage]) -> None:
    """Keep (or clear) the file's damage beside its index (:func:`~northnews.archive.paths.damage_path`)."""
    side = damage_path(warc_path)
    if not damages:
        side.unlink(missing_ok=True)
        return
    rows = [{"offset": d.offset, "end": d.end, "message": d.message, "records_lost": d.records_lost} for d in damages]
    tmp = side.with_name(side.name + ".tmp")
    tmp.write_text(json.dumps(rows) + "\n", encoding="utf-8")
    os.replace(tmp, side)


def recorded_damage(warc_path: Path) -> list[Damage]:
    """The damage :func:`record_damage` kept for a file (none if the file is newer: re-check it)."""
    side = damage_path(warc_path)
    try:
        rows = json.loads(side.read_text(encoding="utf-8"))
        return [Damage(int(r["offset"]), r.get("end"), str(r["message"]), int(r["records_lost"])) for r in rows]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def count_lines(path: str | os.PathLike[str]) -> int:
    with open(path, "rb") as fh:
        return sum(1 for line in fh if line.strip())


def lines_in_damage(index: Path, damages: Iterable[Damage]) -> list[tuple[str, int]]:
    """``(url, offset)`` of the lines of an index that point into a damaged span of its file."""
    spans = [(d.offset, d.end) for d in damages]
    found = []
    try:
        with open(index, encoding="utf-8") as fh:
            for line in fh:
                try:
                    fields = json.loads(line.split(" ", 2)[2])
                    offset = int(fields["offset"])
                except (IndexError, ValueError, KeyError):
                    continue
                if any(start <= offset and (end is None or offset < end) for start, end in spans):
                    found.append((str(fields.get("url", "")), offset))
    except (OSError, UnicodeDecodeError):
        return []
    return found


class LineSet:
    """An order-free fingerprint of a set of index lines (count and a sum of their sha1s), so an
    index can be compared with its file in flat memory."""

    def __init__(self) -> None:
        self.count = 0
        self._sum = 0

    def add(self, line: str) -> None:
        self.count += 1
        self._sum = (self._sum + int.from_bytes(hashlib.sha1(line.rstrip("\n").encode("utf-8")).digest(), "big")) \
            % (1 << 160)

    @classmethod
    def of_file(cls, path: str | os.PathLike[str]) -> LineSet:
        result = cls()
        with open(path, encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if line.strip():
                    result.add(line)
        return result

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LineSet) and (self.count, self._sum) == (other.count, other._sum)

    __hash__ = None  # type: ignore[assignment]


def merge(indexes: Iterable[str | os.PathLike[str]], out: str | os.PathLike[str]) -> Path:
    """One sorted index of several sorted ones (e.g. pywb's ``indexes/index.cdxj``), streamed."""
    handles = [open(path, encoding="utf-8") for path in indexes]  # noqa: SIM115 - closed below
    try:
        return write_sorted(out, heapq.merge(*handles))
    finally:
        for fh in handles:
            fh.close()


class CdxjFile:
    """Lookups in a sorted CDXJ file by SURT key, by binary search: memory does not grow with it."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        with open(self.path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            self._mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else None

    def _first_at_or_after(self, target: bytes) -> int:
        mm = self._mm
        assert mm is not None
        lo, hi = 0, len(mm)
        while lo < hi:  # lo is always a line start; lines starting before lo are < target
            mid = (lo + hi) // 2
            start = mm.rfind(b"\n", lo, mid) + 1 if mid > lo else lo
            start = max(start, lo)
            end = mm.find(b"\n", start)
            end = len(mm) if end < 0 else end
            if mm[start:end] < target:
                lo = end + 1
            else:
                hi = start
        return lo

    def lookup(self, key: str) -> Iterator[tuple[str, dict[str, str]]]:
        """``(timestamp, fields)`` of every line whose key is ``key``, in file order."""
        mm = self._mm
        if mm is None:
            return
        prefix = key.encode("utf-8") + b" "
        pos = self._first_at_or_after(prefix)
        while pos < len(mm):
            end = mm.find(b"\n", pos)
            end = len(mm) if end < 0 else end
            line = mm[pos:end]
            if not line.startswith(prefix):
                return
            _key, ts, raw = line.decode("utf-8").split(" ", 2)
            yield ts, json.loads(raw)
            pos = end + 1

    def close(self) -> None:
        if self._mm is not None:
            self._mm.close()
            self._mm = None


def lines_past_damage(paths: Iterable[Path]) -> tuple[list[str], list[tuple[Path, Damage]]]:
    """The sorted index lines (``filename``: the file's base name) of every intact record of
    several WARC files, and the damage read past in each: for packagers (``wacz``) that must keep
    every intact record of a damaged file and say what was lost."""
    lines: list[str] = []
    damaged: list[tuple[Path, Damage]] = []
    for path in paths:
        scan = WarcScan(path, payload_digests=True)
        lines.extend(lines_for(scan, final_name(path.name)))
        damaged.extend((path, d) for d in scan.damages)
    lines.sort()
    return lines, damaged


def damage_in(path: str | os.PathLike[str]) -> list[Damage]:
    """The damaged spans of one WARC file (empty for a sound one), by one pass over it."""
    scan = WarcScan(path)
    for _ in scan:
        pass
    return scan.damages


def split_damaged(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """(sound files, damaged files): for tools that index sound files their own way."""
    sound: list[Path] = []
    damaged: list[Path] = []
    for path in paths:
        (damaged if damage_in(path) else sound).append(path)
    return sound, damaged
