"""Replay from WARC files: the source behind ``-a replay=<WARC file | dir of WARCs | archive dir>``.

On opening, the captures of every WARC under the path go into an in-memory map URL → captures:
from a closed file's CDXJ index when it is up to date, else by scanning the file (``.open``
files of a killed crawl included, up to their last complete record). ``lookup(url)``
answers with the latest capture of the URL, its body as it came over the wire (still
content-encoded; Scrapy's HttpCompressionMiddleware decodes it as in a live crawl). A revisit
is answered with its own status and headers and the payload of the record it refers to.

Choice of capture: the latest one wins, except that a server error (5xx) or a truncated capture
is served only when nothing better exists for that URL: a later failed fetch must not hide a good
earlier capture from a re-extraction run. URLs match exactly first, then regardless of
``http``/``https`` (the portal moved to https; older captures are http).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import urldefrag, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_datetime, timestamp_to_datetime

from northnews.archive import cdxj
from northnews.archive.replay import ReplayHit
from northnews.archive.scan import OPEN_SUFFIX, final_name, iter_warc_files, scan_file, warc_root

if TYPE_CHECKING:
    from warcio.recordloader import ArcWarcRecord
    from warcio.statusandheaders import StatusAndHeaders

logger = logging.getLogger(__name__)


@dataclass
class _Capture:
    """Where a response/revisit record is, and what ranking needs. Facts only the record itself
    holds (its id, WARC-Refers-To, truncation) are read from it when it is served."""

    path: Path
    name: str  # final file name relative to the WARC root, as in provenance pointers
    offset: int
    rec_type: str
    url: str
    date: datetime  # from WARC-Date (microseconds) or a CDXJ timestamp (seconds)
    status: int | None
    payload_digest: str | None
    record_id: str | None
    file_seq: int  # files sort by name: IIPC names start with the time they were opened

    def rank(self) -> tuple[bool, datetime, int, int]:
        # Within one second (CDXJ timestamps), the later file and offset is the later capture.
        usable = self.status is not None and self.status < 500
        return (usable, self.date, self.file_seq, self.offset)


def _parse_date(value: str | None) -> datetime:
    if not value:
        return datetime.min.replace(tzinfo=timezone.utc)
    return iso_date_to_datetime(value, tz_aware=True)


def scheme_less(url: str) -> str:
    """Key for matching http and https captures of one URL: host (lower case, default port
    dropped), path and query; no scheme, no fragment."""
    url = urldefrag(url)[0]
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    default = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port and parts.port != default:
        host = f"{host}:{parts.port}"
    return host + (parts.path or "/") + ("?" + parts.query if parts.query else "")


class WarcSource:
    """URL → latest capture, read from WARC files (see module docstring)."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.root = warc_root(path)
        self._by_url: dict[str, list[_Capture]] = {}
        self._by_key: dict[str, list[_Capture]] = {}
        self._by_id: dict[str, _Capture] = {}
        self._handles: dict[Path, IO[bytes]] = {}
        files = list(iter_warc_files(path))
        if not files:
            raise ValueError(f"no WARC file under {path}")
        self.indexed_files = 0  # files read through their CDXJ index rather than scanned
        for file_seq, file in enumerate(files):
            rel = file.relative_to(self.root) if file.is_relative_to(self.root) else Path(file.name)
            name = str(rel.with_name(final_name(rel.name)))
            if self._load_index(file, name, file_seq):
                self.indexed_files += 1
            else:
                self._load_scan(file, name, file_seq)
        logger.info(
            "WARC replay: %d URLs from %d file(s) under %s (%d through their CDXJ index)",
            len(self._by_url), len(files), path, self.indexed_files,
        )

    def _add(self, cap: _Capture) -> None:
        self._by_url.setdefault(cap.url, []).append(cap)
        self._by_key.setdefault(scheme_less(cap.url), []).append(cap)
        if cap.rec_type == "response" and cap.record_id:
            self._by_id[cap.record_id] = cap

    def _load_index(self, file: Path, name: str, file_seq: int) -> bool:
        """Read a closed file's captures from its CDXJ index, when it is there and up to date:
        replaying a large archive then reads kilobytes of index, not gigabytes of WARC."""
        index = cdxj.index_path(file)
        if file.name.endswith(OPEN_SUFFIX) or not index.exists():
            return False
        if index.stat().st_mtime < file.stat().st_mtime:
            return False
        try:
            with open(index, encoding="utf-8") as fh:
                for line in fh:
                    _key, ts, raw = line.split(" ", 2)
                    fields = json.loads(raw)
                    mime = fields.get("mime")
                    status = fields.get("status")
                    self._add(_Capture(
                        path=file, name=name, offset=int(fields["offset"]),
                        rec_type="revisit" if mime == "warc/revisit" else "response",
                        url=fields["url"], date=timestamp_to_datetime(ts, tz_aware=True),
                        status=int(status) if status and status.isdigit() else None,
                        payload_digest=fields.get("digest"), record_id=None, file_seq=file_seq,
                    ))
        except (OSError, ValueError, KeyError) as exc:
            logger.warning("%s: unusable index (%s); reading the WARC instead", index, exc)
            return False
        return True

    def _load_scan(self, file: Path, name: str, file_seq: int) -> None:
        scan = scan_file(file)
        if scan.error and scan.records:
            logger.warning("%s: reading up to offset %s (%s)", file, scan.error_offset, scan.error)
        elif scan.error:
            logger.warning("%s: no usable record (%s)", file, scan.error)
        for rec in scan.records:
            if rec.rec_type not in ("response", "revisit") or not rec.target_uri:
                continue
            self._add(_Capture(
                path=file, name=name, offset=rec.offset, rec_type=rec.rec_type,
                url=rec.target_uri, date=_parse_date(rec.date), status=rec.http_status(),
                payload_digest=rec.header("WARC-Payload-Digest"), record_id=rec.record_id,
                file_seq=file_seq,
            ))

    def __len__(self) -> int:
        return len(self._by_url)

    def urls(self) -> list[str]:
        return sorted(self._by_url)

    def lookup(self, url: str) -> ReplayHit | None:
        url = urldefrag(url)[0]
        candidates = self._by_url.get(url) or self._by_key.get(scheme_less(url)) or []
        ordered = sorted(candidates, key=_Capture.rank, reverse=True)
        # A truncated capture is served only when no whole one exists.
        for allow_truncated in (False, True):
            for cap in ordered:
                hit = self._hit(cap, url, allow_truncated)
                if hit is not None:
                    return hit
        return None

    def _read(self, cap: _Capture) -> ArcWarcRecord:
        fh = self._handles.get(cap.path)
        if fh is None:
            fh = self._handles[cap.path] = open(cap.path, "rb")
        fh.seek(cap.offset)
        return next(iter(ArchiveIterator(fh)))

    def _original(self, revisit: _Capture, headers: StatusAndHeaders) -> _Capture | None:
        refers_to = headers.get_header("WARC-Refers-To")
        if refers_to and refers_to in self._by_id:
            return self._by_id[refers_to]
        target = headers.get_header("WARC-Refers-To-Target-URI") or revisit.url
        same_uri = [c for c in self._by_url.get(target, []) if c.rec_type == "response"]
        refers_date = headers.get_header("WARC-Refers-To-Date")
        if refers_date:
            when = _parse_date(refers_date)
            # CDXJ dates have whole seconds: compare at that precision, digest as tie-breaker.
            for cap in same_uri:
                if cap.date.replace(microsecond=0) == when.replace(microsecond=0) and (
                    cap.payload_digest in (None, revisit.payload_digest)
                ):
                    return cap
        for cap in sorted(same_uri, key=_Capture.rank, reverse=True):
            if cap.payload_digest and cap.payload_digest == revisit.payload_digest:
                return cap
        return None

    def _hit(self, cap: _Capture, url: str, allow_truncated: bool) -> ReplayHit | None:
        record = self._read(cap)
        if record.http_headers is None:
            return None
        if record.rec_headers.get_header("WARC-Truncated") and not allow_truncated:
            return None
        body = record.raw_stream.read()
        if cap.rec_type == "revisit":
            original = self._original(cap, record.rec_headers)
            if original is None:
                logger.warning("Revisit %s of %s: original record not found",
                               record.rec_headers.get_header("WARC-Record-ID"), cap.url)
                return None
            body = self._read(original).raw_stream.read()
        try:
            status = int(record.http_headers.get_statuscode())
        except ValueError:
            return None
        date = _parse_date(record.rec_headers.get_header("WARC-Date"))
        return ReplayHit(
            url=url,
            status=status,
            headers=list(record.http_headers.headers),
            body=body,
            protocol=record.http_headers.protocol or None,
            capture={
                "warc": {
                    "file": cap.name,
                    "offset": cap.offset,
                    "record_id": record.rec_headers.get_header("WARC-Record-ID"),
                },
                "fetched_at": date.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )

    def close(self) -> None:
        for fh in self._handles.values():
            fh.close()
        self._handles.clear()
