"""Replay from WARC files: the source behind ``-a replay=<WARC file | dir of WARCs | archive dir>``.

On opening, every WARC under the path (``.open`` files of a killed crawl included, up to their
last complete record) is scanned once into an in-memory map URL → captures. ``lookup(url)``
answers with the latest capture of the URL, its body as it came over the wire (still
content-encoded; Scrapy's HttpCompressionMiddleware decodes it as in a live crawl). A revisit
is answered with its own status and headers and the payload of the record it refers to.

Choice of capture: the latest one wins, except that a server error (5xx) or a truncated capture
is served only when nothing better exists for that URL: a later failed fetch must not hide a good
earlier capture from a re-extraction run. URLs match exactly first, then regardless of
``http``/``https`` (the portal moved to https; older captures are http).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any
from urllib.parse import urldefrag, urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_datetime

from northnews.archive.replay import ReplayHit
from northnews.archive.scan import final_name, iter_warc_files, scan_file, warc_root

logger = logging.getLogger(__name__)


@dataclass
class _Capture:
    path: Path
    name: str  # final file name relative to the WARC root, as in provenance pointers
    offset: int
    rec_type: str
    record_id: str
    url: str
    date: datetime
    status: int | None
    truncated: bool
    payload_digest: str | None
    refers_to: str | None
    refers_to_uri: str | None
    refers_to_date: str | None
    seq: int

    def rank(self) -> tuple[bool, bool, datetime, int]:
        usable = self.status is not None and self.status < 500
        return (usable, not self.truncated, self.date, self.seq)


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
        seq = 0
        for file in files:
            scan = scan_file(file)
            if scan.error and scan.records:
                logger.warning("%s: reading up to offset %s (%s)", file, scan.error_offset, scan.error)
            elif scan.error:
                logger.warning("%s: no usable record (%s)", file, scan.error)
            rel = file.relative_to(self.root) if file.is_relative_to(self.root) else Path(file.name)
            name = str(rel.with_name(final_name(rel.name)))
            for rec in scan.records:
                if rec.rec_type not in ("response", "revisit") or not rec.target_uri:
                    continue
                seq += 1
                cap = _Capture(
                    path=file, name=name, offset=rec.offset, rec_type=rec.rec_type,
                    record_id=rec.record_id or "", url=rec.target_uri, date=_parse_date(rec.date),
                    status=rec.http_status(), truncated=rec.header("WARC-Truncated") is not None,
                    payload_digest=rec.header("WARC-Payload-Digest"),
                    refers_to=rec.header("WARC-Refers-To"),
                    refers_to_uri=rec.header("WARC-Refers-To-Target-URI"),
                    refers_to_date=rec.header("WARC-Refers-To-Date"),
                    seq=seq,
                )
                self._by_url.setdefault(cap.url, []).append(cap)
                self._by_key.setdefault(scheme_less(cap.url), []).append(cap)
                if cap.rec_type == "response" and cap.record_id:
                    self._by_id[cap.record_id] = cap
        logger.info("WARC replay: %d URLs from %d file(s) under %s", len(self._by_url), len(files), path)

    def __len__(self) -> int:
        return len(self._by_url)

    def urls(self) -> list[str]:
        return sorted(self._by_url)

    def lookup(self, url: str) -> ReplayHit | None:
        url = urldefrag(url)[0]
        candidates = self._by_url.get(url) or self._by_key.get(scheme_less(url)) or []
        for cap in sorted(candidates, key=_Capture.rank, reverse=True):
            hit = self._hit(cap, url)
            if hit is not None:
                return hit
        return None

    def _original(self, revisit: _Capture) -> _Capture | None:
        if revisit.refers_to and revisit.refers_to in self._by_id:
            return self._by_id[revisit.refers_to]
        target = revisit.refers_to_uri or revisit.url
        when = _parse_date(revisit.refers_to_date) if revisit.refers_to_date else None
        same_uri = [c for c in self._by_url.get(target, []) if c.rec_type == "response"]
        for cap in same_uri:
            if when is not None and cap.date == when:
                return cap
        for cap in sorted(same_uri, key=_Capture.rank, reverse=True):
            if cap.payload_digest and cap.payload_digest == revisit.payload_digest:
                return cap
        return None

    def _read(self, cap: _Capture) -> tuple[Any, bytes]:
        fh = self._handles.get(cap.path)
        if fh is None:
            fh = self._handles[cap.path] = open(cap.path, "rb")
        fh.seek(cap.offset)
        record = next(iter(ArchiveIterator(fh)))
        return record.http_headers, record.raw_stream.read()

    def _hit(self, cap: _Capture, url: str) -> ReplayHit | None:
        http_headers, body = self._read(cap)
        if http_headers is None:
            return None
        if cap.rec_type == "revisit":
            original = self._original(cap)
            if original is None:
                logger.warning("Revisit %s of %s: original record not found", cap.record_id, cap.url)
                return None
            _, body = self._read(original)
        try:
            status = int(http_headers.get_statuscode())
        except ValueError:
            return None
        return ReplayHit(
            url=url,
            status=status,
            headers=list(http_headers.headers),
            body=body,
            protocol=http_headers.protocol or None,
            capture={
                "warc": {"file": cap.name, "offset": cap.offset, "record_id": cap.record_id},
                "fetched_at": cap.date.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            },
        )

    def close(self) -> None:
        for fh in self._handles.values():
            fh.close()
        self._handles.clear()
