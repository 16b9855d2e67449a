"""Helpers that drive the WARC writer without a crawl: a ``WarcWriter`` on a test crawler with a
pinned clock and pinned record ids, (response, request) pairs as the downloader hands them over,
one capture, and a WARC read back record by record (with warcio, and with our completeness scan)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path


class Clock:
    """Deterministic ``now()``: starts at 2026-11-28T11:20:00Z and advances 1 s a call."""

    def __init__(self, start: datetime | None = None) -> None:
        self.t = start or datetime(2026, 11, 28, 11, 20, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        now = self.t
        self.t += timedelta(seconds=1)
        return now


class Ids:
    """Deterministic record ids: ``<urn:uuid:00000000-0000-0000-0000-000000000001>``, …"""

    def __init__(self, base: int = 0) -> None:
        self.n = base

    def __call__(self) -> str:
        self.n += 1
        return f"<urn:uuid:{uuid.UUID(int=self.n)}>"


def make_writer(archive_dir: Path, id_base: int = 0, **settings: object):
    """A ``WarcWriter`` on a test crawler, with pinned clock, record ids and host name."""
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from northnews.archive.writer import WarcWriter

    class _Spider(Spider):
        name = "articles"

    values = {"NORTHNEWS_ARCHIVE_DIR": str(archive_dir), "NORTHNEWS_WARC_HOSTNAME": "testhost"}
    values.update({k: v for k, v in settings.items()})
    crawler = get_crawler(_Spider, values)
    crawler.spider = _Spider()
    ext = WarcWriter.from_crawler(crawler)
    ext.now = Clock()
    ext.make_id = Ids(id_base)
    return ext


def exchange(
    url: str,
    body: bytes = b"",
    *,
    status: int = 200,
    headers: list[tuple[str, str | bytes]] | None = None,
    request_headers: dict[str, str] | None = None,
    method: str = "GET",
    request_body: bytes = b"",
    flags: list[str] | None = None,
    protocol: str | None = "HTTP/1.1",
    ip: str | None = "203.0.113.7",
):
    """A (response, request) pair as the downloader hands them to ``response_downloaded``."""
    import ipaddress

    from scrapy.http import Headers, Request, Response

    request = Request(url, method=method, body=request_body, headers=request_headers or {})
    h = Headers()
    for name, value in headers or []:
        h.appendlist(name, value)
    response = Response(
        url.split("#")[0], status=status, headers=h, body=body, request=request, flags=flags,
        protocol=protocol, ip_address=ipaddress.ip_address(ip) if ip else None,
    )
    return response, request


def capture(ext, response, request) -> dict:
    ext.response_downloaded(response, request, ext.crawler.spider)
    return request.meta["northnews_capture"]


def read_warc(path: Path) -> list[dict]:
    """Every record of a WARC as a dict: type, headers, http headers, raw payload, offset."""
    from warcio.archiveiterator import ArchiveIterator

    out = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, check_digests=True)
        for rec in it:
            payload = rec.raw_stream.read()
            out.append({
                "type": rec.rec_type,
                "headers": rec.rec_headers,
                "http": rec.http_headers,
                "payload": payload,
                "offset": it.get_record_offset(),
                "digest_ok": rec.digest_checker.passed,
            })
    return out


@dataclass
class Scanned:
    """What ``WarcScan`` found in a (small) file, its records kept in a list."""

    records: list
    ok: bool
    error: str | None
    error_offset: int | None
    good_end: int
    size: int


def scan_file(path: Path) -> Scanned:
    from northnews.archive.scan import WarcScan

    scan = WarcScan(path)
    records = list(scan)
    return Scanned(records, scan.ok, scan.error, scan.error_offset, scan.good_end, scan.size)


WARCIO_URLS = [f"http://www.northnews.cn/2026/1128/{n}.shtml" for n in (1, 2, 3)]


def write_warcio_file(path: Path, gzip: bool) -> list[tuple[int, int]]:
    """Three response records written by warcio alone (no northnews code); returns (offset,
    length) of each as warcio's own iterator reads them back."""
    import io

    from warcio.archiveiterator import ArchiveIterator
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as out:
        writer = WARCWriter(out, gzip=gzip)
        for n, url in enumerate(WARCIO_URLS):
            body = (f"<html><body><p>第{n}篇 " + "新闻正文 " * 400 + "</p></body></html>").encode()
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=http))
    spans = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        for _record in it:
            it.read_to_end()
            spans.append((it.get_record_offset(), it.get_record_length()))
    return spans
