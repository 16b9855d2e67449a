"""Replay from WARC files: the source behind ``-a replay=<WARC file | dir of WARCs | archive dir>``.

Captures are found through each file's CDXJ index, searched on disk (binary search on the sorted
file, :class:`northnews.archive.cdxj.CdxjFile`): nothing is loaded whole, so memory does not
grow with the archive. A file without an up-to-date index (``.open`` files of a killed crawl,
up to their last complete record; a foreign WARC; a file indexed before it last changed) is
indexed once into a temporary directory when the source opens.

``lookup(url)`` answers with the latest capture of the URL, its body as it came over the wire
(still content-encoded; Scrapy's HttpCompressionMiddleware decodes it as in a live crawl;
a ``Transfer-Encoding: chunked`` body as wget stores it is de-chunked). A revisit is answered
with the payload of the record it refers to (``WARC-Refers-To``, else
``WARC-Refers-To-Target-URI`` and ``-Date``, else the latest capture of the URL with the same
payload digest) and with its own status and headers; a ``server-not-modified`` revisit (a 304
to a conditional request, Heritrix's profile) or one without HTTP headers is answered with the
original's.

Damage: a file is indexed past its damage (:mod:`northnews.archive.scan`), so every intact
capture stays reachable; an index that is empty while its file is not is never trusted (an
emptied ``.cdxj`` must not hide a file), and a capture whose record cannot be read where its
index says (bytes overwritten after indexing) is skipped for the next best one; a file shorter
than its own index says (cut at a record boundary, even to zero bytes, which no scan can tell
from a sound file) is damaged from its end on. Each damaged span
and unreadable capture is logged once (WARNING) and kept in ``damages`` (file name, offset,
what) for the caller to report.

Choice of capture: the latest one wins, except that a server error (5xx) or a truncated capture
is served only when nothing better exists for that URL: a later failed fetch must not hide a good
earlier capture from a re-extraction run. URLs match exactly first, then by
:func:`~northnews.util.urls.url_key` (regardless of ``http``/``https``: the portal moved to
https; older captures are http).
"""

from __future__ import annotations

import heapq
import io
import json
import logging
import os
import re
import tempfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urldefrag

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.timeutils import timestamp_to_datetime

from northnews.archive import cdxj, fastread
from northnews.archive.hits import ReplayHit
from northnews.archive.paths import OPEN_SUFFIX, index_path, iter_warc_files, relative_name, warc_root
from northnews.archive.scan import Damage, WarcScan
from northnews.util.clock import iso_z, parse_iso
from northnews.util.urls import url_key

if TYPE_CHECKING:
    from warcio.recordloader import ArcWarcRecord

logger = logging.getLogger(__name__)

_MAX_HANDLES = 64  # WARC files kept open at once
#: One CDXJ index line as :meth:`WarcSource.index_groups` streams it: (the file's number in
#: ``WarcSource.files``, the 14-digit timestamp, the JSON fields as written).
IndexEntry = tuple[int, str, str]
_EPOCH = datetime.min.replace(tzinfo=timezone.utc)


class _Unreadable(Exception):
    """A record that cannot be read where its index line says it is."""


@dataclass
class _File:
    path: Path
    name: str  # final file name relative to the WARC root, as in provenance pointers
    seq: int  # files sort by name: IIPC names start with the time they were opened
    index: cdxj.CdxjFile


@dataclass
class _Capture:
    """A response/revisit record as its index line describes it. Facts only the record itself
    holds (its id, WARC-Refers-To, truncation) are read from it when it is served."""

    file: _File
    offset: int
    rec_type: str
    url: str
    date: datetime  # from the CDXJ timestamp (seconds)
    status: int | None
    payload_digest: str | None
    length: int | None = None  # the record's length in the file, as the index has it

    def rank(self) -> tuple[bool, datetime, int, int]:
        # Within one second (CDXJ timestamps), the later file and offset is the later capture.
        # A revisit without HTTP headers (no status) is as good as the original it points to.
        usable = (self.status is None and self.rec_type == "revisit") or (self.status is not None and self.status < 500)
        return (usable, self.date, self.file.seq, self.offset)


class WarcSource:
    """URL → latest capture, read from WARC files (see module docstring)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.root = warc_root(path)
        self._handles: OrderedDict[Path, IO[bytes]] = OrderedDict()
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        paths = list(iter_warc_files(path))
        if not paths:
            raise ValueError(f"no WARC file under {path}")
        self.indexed_files = 0  # files read through their own CDXJ index rather than indexed now
        #: (file name, offset, end or None, what) of every damaged span or unreadable capture met.
        self.damages: list[tuple[str, int, int | None, str]] = []
        self._unreadable: set[tuple[Path, int]] = set()
        self.files: list[_File] = []
        for seq, file in enumerate(paths):
            index = index_path(file)
            if not self._trusted(file, index):
                cut = _cut_short(file, index)  # what the stale index says is gone, before it is replaced
                damaged = len(self.damages)
                index = self._index_now(file, seq)
                # Cut at a record boundary: no scan sees it (a file rewritten whole, recompressed
                # say, keeps every capture under new offsets: no damage).
                if (cut is not None and not any(d[2] is None for d in self.damages[damaged:])
                        and _line_count(index) < _line_count(index_path(file))):
                    self._damaged(file, cut)
            else:
                self.indexed_files += 1
                for damage in cdxj.recorded_damage(file):  # found by `northnews-archive index`
                    self._damaged(file, damage)
            self.files.append(_File(file, relative_name(file, self.root), seq, cdxj.CdxjFile(index)))
        logger.info("WARC replay: %d file(s) under %s (%d through their CDXJ index)",
                    len(self.files), path, self.indexed_files)

    @staticmethod
    def _trusted(file: Path, index: Path) -> bool:
        """A closed file's own index, when it is there and still describes the file: newer than
        it, or (a copy or a checkout can reorder mtimes) its farthest entry is where it says."""
        if file.name.endswith(OPEN_SUFFIX) or not index.exists():
            return False
        if index.stat().st_size == 0 and file.stat().st_size > 0:
            logger.warning("%s: empty index of a non-empty file, not used (the file is indexed now)", index)
            return False
        if index.stat().st_mtime >= file.stat().st_mtime:
            return True
        return _farthest_entry_holds(file, index)

    def _index_now(self, file: Path, seq: int) -> Path:
        if self._tmp is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="northnews-replay-")
        out = Path(self._tmp.name) / f"{seq:06d}.cdxj"
        scan = WarcScan(file, payload_digests=True)
        cdxj.write_sorted(out, cdxj.lines_for(scan, relative_name(file, self.root)))
        in_use = file.name.endswith(OPEN_SUFFIX)
        for damage in scan.damages:
            if in_use and damage.end is None:
                logger.warning("%s: reading up to offset %s (%s)", file, damage.offset, damage.message)
                continue
            self._damaged(file, damage)
        if index_path(file).exists() and not file.name.endswith(OPEN_SUFFIX):
            logger.warning("%s: index older than the file, not used", index_path(file))
        return out

    def _damaged(self, file: Path, damage: Any) -> None:
        self.damages.append((relative_name(file, self.root), damage.offset, damage.end, damage.describe()))
        logger.warning("%s: %s; every intact record is replayed", file, damage.describe())

    def _captures(self, url: str, entries: Iterable[IndexEntry] | None = None) -> list[_Capture]:
        """The captures the indexes hold under ``url``'s SURT key; ``entries``: those index lines
        when the caller streamed them already (``northnews-archive extract``: no second search)."""
        if entries is None:
            key = cdxj.surt_key(url)
            lines = ((file, ts, fields) for file in self.files for ts, fields in file.index.lookup(key))
        else:
            lines = ((self.files[seq], ts, json.loads(raw)) for seq, ts, raw in entries)
        found = []
        for file, ts, fields in lines:
            status = fields.get("status")
            found.append(_Capture(
                file=file, offset=int(fields["offset"]),
                rec_type="revisit" if fields.get("mime") == "warc/revisit" else "response",
                url=fields.get("url", ""), date=_cdxj_datetime(ts),
                status=int(status) if status and status.isdigit() else None,
                payload_digest=fields.get("digest"), length=_int(fields.get("length")),
            ))
        return found

    def _same_url(self, url: str, captures: list[_Capture]) -> list[_Capture]:
        exact = [c for c in captures if c.url == url]
        if exact:
            return exact
        key = url_key(url)
        return [c for c in captures if url_key(c.url) == key]

    def lookup(self, url: str, entries: Iterable[IndexEntry] | None = None) -> ReplayHit | None:
        """The latest usable capture of ``url``; ``entries``: the index lines of its SURT key, when
        the caller has them (:meth:`index_groups`), else they are searched for."""
        url = urldefrag(url)[0]
        ordered = sorted(self._same_url(url, self._captures(url, entries)), key=_Capture.rank, reverse=True)
        # A truncated capture is served only when no whole one exists.
        for allow_truncated in (False, True):
            for cap in ordered:
                if (cap.file.path, cap.offset) in self._unreadable:
                    continue
                try:
                    hit = self._hit(cap, url, allow_truncated)
                except _Unreadable:
                    continue
                if hit is not None:
                    return hit
        return None

    def _read(self, cap: _Capture) -> ArcWarcRecord:
        path = cap.file.path
        if (path, cap.offset) in self._unreadable:  # said once already
            raise _Unreadable(f"{path} offset {cap.offset}")
        fh = self._handles.pop(path, None)
        if fh is None:
            fh = open(path, "rb")  # noqa: SIM115 - kept open, closed by close()
            while len(self._handles) >= _MAX_HANDLES:
                self._handles.popitem(last=False)[1].close()
        self._handles[path] = fh
        # FastWARC where it answers (a whole, plain record: about half warcio's time); anything
        # else is read by warcio, whose verdict on damage stands (northnews.archive.fastread).
        fast = fastread.read_at(fh, cap.offset, cap.url or None, cap.length)
        if fast is not None:
            return fast
        fh.seek(cap.offset)
        try:
            record = next(iter(ArchiveIterator(fh)))
            if record.rec_type not in ("response", "revisit", "resource", "metadata"):
                raise ValueError(f"a {record.rec_type} record where the index says {cap.rec_type}")
            # Read the block now: damage shows as a zlib or length error here, not mid-response.
            block = record.raw_stream.read()
            if getattr(record.raw_stream, "limit", 0):
                raise EOFError(f"the record ends {record.raw_stream.limit} bytes early")
            record.raw_stream = io.BytesIO(block)
        except Exception as exc:  # noqa: BLE001 - zlib, warcio, EOF: all mean "not readable here"
            self._unreadable.add((path, cap.offset))
            what = f"capture of {cap.url} at offset {cap.offset} unreadable ({type(exc).__name__})"
            self.damages.append((cap.file.name, cap.offset, cap.offset + 1, what))
            logger.warning("%s: %s; the next best capture is used", path, what)
            raise _Unreadable(what) from None
        return record

    def _original(self, revisit: _Capture, record: ArcWarcRecord) -> tuple[_Capture, ArcWarcRecord] | None:
        headers = record.rec_headers
        target = headers.get_header("WARC-Refers-To-Target-URI") or revisit.url
        candidates = [c for c in self._same_url(target, self._captures(target)) if c.rec_type == "response"]
        refers_to = headers.get_header("WARC-Refers-To")
        refers_date = headers.get_header("WARC-Refers-To-Date")
        digest = headers.get_header("WARC-Payload-Digest") or revisit.payload_digest
        when = _warc_datetime(refers_date).replace(microsecond=0) if refers_date else None

        def preference(c: _Capture) -> tuple[bool, bool, datetime]:
            # The named date first, then a matching digest, then the latest before the revisit.
            return (when is not None and c.date == when, bool(digest) and c.payload_digest == digest, c.date)

        fallback = None
        for cap in sorted(candidates, key=preference, reverse=True):
            if cap.date > revisit.date:
                continue  # an original is never later than its revisit
            if digest and cap.payload_digest and cap.payload_digest != digest:
                continue
            try:
                original = self._read(cap)
            except _Unreadable:
                continue
            if not refers_to or original.rec_headers.get_header("WARC-Record-ID") == refers_to:
                return cap, original
            if fallback is None:  # the named record is elsewhere: one with the same payload will do
                fallback = cap
        if fallback is None:
            return None
        try:
            return fallback, self._read(fallback)
        except _Unreadable:
            return None

    def _hit(self, cap: _Capture, url: str, allow_truncated: bool) -> ReplayHit | None:
        record = self._read(cap)
        # Heritrix marks its revisits `WARC-Truncated: length` (the payload is the original's).
        if record.rec_headers.get_header("WARC-Truncated") and cap.rec_type != "revisit" and not allow_truncated:
            return None
        record_id = record.rec_headers.get_header("WARC-Record-ID")
        date = record.rec_headers.get_header("WARC-Date")
        http, body_record = record.http_headers, record
        if cap.rec_type == "revisit":
            profile = record.rec_headers.get_header("WARC-Profile") or ""
            not_modified = profile.endswith("/server-not-modified") or (
                http is not None and http.get_statuscode() == "304")
            found = self._original(cap, record)
            if found is None:
                logger.warning("Revisit %s of %s: original record not found", record_id, cap.url)
                return None
            body_record = found[1]
            if not_modified or http is None:
                http = body_record.http_headers
        if http is None:
            return None
        try:
            status = int(http.get_statuscode())
        except ValueError:
            return None
        headers = list(http.headers)
        body = _body(body_record, headers)
        return ReplayHit(
            url=url,
            status=status,
            headers=headers,
            body=body,
            protocol=http.protocol or None,
            capture={
                "warc": {"file": cap.file.name, "offset": cap.offset, "record_id": record_id},
                "fetched_at": _fetched_at(date),
            },
        )

    def index_groups(self) -> Iterator[tuple[str, list[IndexEntry]]]:
        """Every SURT key of the indexes, in key order, with its lines (:data:`IndexEntry`), the
        files' indexes merged as a stream: memory holds one key's lines at a time."""
        with ExitStack() as stack:
            streams = [_tagged(stack.enter_context(open(f.index.path, encoding="utf-8")), n)
                       for n, f in enumerate(self.files)]
            group: str | None = None
            entries: list[IndexEntry] = []
            for line, seq in heapq.merge(*streams):
                key, ts, raw = line.rstrip("\n").split(" ", 2)
                if key != group:
                    if entries:
                        yield group or "", entries
                    group, entries = key, []
                entries.append((seq, ts, raw))
            if entries:
                yield group or "", entries

    def close(self) -> None:
        for fh in self._handles.values():
            fh.close()
        self._handles.clear()
        for file in self.files:
            file.index.close()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None


def _tagged(lines: Iterable[str], seq: int) -> Iterator[tuple[str, int]]:
    for line in lines:
        yield line, seq


def _line_count(path: Path) -> int:
    with open(path, "rb") as fh:
        return sum(1 for _ in fh)


def _cut_short(file: Path, index: Path) -> Damage | None:
    """A closed file shorter than its own (stale) index says: the captures the index places at or
    past the file's end are gone. A file cut at a record boundary (to zero bytes, say) reads as a
    sound shorter file, so only its index can tell."""
    if file.name.endswith(OPEN_SUFFIX) or not index.exists():
        return None
    size = file.stat().st_size
    beyond, end = 0, 0
    try:
        with open(index, encoding="utf-8") as fh:
            for line in fh:
                fields = json.loads(line.split(" ", 2)[2])
                offset, length = int(fields["offset"]), int(fields["length"])
                if offset + length > size:
                    beyond += 1
                    end = max(end, offset + length)
    except (OSError, ValueError, IndexError, KeyError):
        return None  # an index that cannot be read says nothing
    if not beyond:
        return None
    return Damage(size, None, f"the file ends at {size} bytes but its index places {beyond} capture(s) up to "
                              f"offset {end}: cut short, those captures are gone", beyond)


def _farthest_entry_holds(file: Path, index: Path) -> bool:
    """The index entry farthest into the file names the record found there, with its length."""
    farthest: dict[str, str] | None = None
    with open(index, encoding="utf-8") as fh:
        for line in fh:
            fields = json.loads(line.split(" ", 2)[2])
            if farthest is None or int(fields["offset"]) > int(farthest["offset"]):
                farthest = fields
    if farthest is None:
        return False  # nothing to check it by
    offset, length = int(farthest["offset"]), int(farthest["length"])
    if offset + length > file.stat().st_size:
        return False
    try:
        with open(file, "rb") as fh:
            fh.seek(offset)
            it = ArchiveIterator(fh)
            record = next(iter(it))
            uri = record.rec_headers.get_header("WARC-Target-URI")
            return bool(uri == farthest.get("url") and it.get_record_length() == length)
    except Exception:  # noqa: BLE001 - anything unreadable there means the index is stale
        return False


#: A whole-second or fractional ``WARC-Date`` in UTC with a four-digit year: its first 19
#: characters are what :func:`iso_z` writes of it, once it parses.
_PLAIN_WARC_DATE = re.compile(r"[1-9][0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?Z")


def _fetched_at(date: str | None) -> str:
    """``iso_z`` of a ``WARC-Date`` (``_warc_datetime``), the usual form without the round trip."""
    if date is not None and _PLAIN_WARC_DATE.fullmatch(date) and date[11:13] != "24":
        try:
            datetime.fromisoformat(date[:-1])
        except ValueError:
            pass
        else:
            return date[:19] + "Z"
    return iso_z(_warc_datetime(date))


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _cdxj_datetime(ts: str) -> datetime:
    """A CDXJ timestamp (14 digits, UTC) as warcio's ``timestamp_to_datetime`` reads it, without
    its padding rules for the usual full-length one."""
    if len(ts) == 14 and ts.isascii() and ts.isdigit() and "1900" <= ts[:4] <= "2999":  # its clamp on years
        try:
            return datetime(int(ts[:4]), int(ts[4:6]), int(ts[6:8]), int(ts[8:10]), int(ts[10:12]),
                            int(ts[12:14]), tzinfo=timezone.utc)
        except ValueError:
            pass
    when: datetime = timestamp_to_datetime(ts, tz_aware=True)
    return when


def _warc_datetime(value: str | None) -> datetime:
    """A ``WARC-Date`` (any precision), or the earliest time when missing or malformed."""
    try:
        return parse_iso(value) if value else _EPOCH
    except ValueError:
        return _EPOCH


def _body(record: Any, headers: list[tuple[str, str]]) -> bytes:
    """The payload as Scrapy would have received it: content-encoded, never chunked."""
    chunked = record.http_headers is not None and (
        record.http_headers.get_header("Transfer-Encoding") or "").lower() == "chunked"
    body: bytes = (ChunkedDataReader(record.raw_stream) if chunked else record.raw_stream).read()
    if chunked:
        headers[:] = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
    return body
