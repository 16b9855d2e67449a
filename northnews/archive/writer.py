"""WARC capture of every HTTP exchange of a live crawl: the ``WarcWriter`` extension.

It listens to ``response_downloaded``, where Scrapy still holds the wire form of a response: the
body still content-encoded with its ``Content-Encoding``, every value of repeated headers, the
protocol and the peer's IP address. Redirects, 4xx/5xx answers, retries and robots.txt all pass
there; replayed responses (``-a replay=``) do not, so replay never re-archives.

Each exchange becomes a ``response`` record (or a ``revisit`` when the URL's payload is unchanged
since its last capture) followed by its ``request`` record, WARC/1.1, sha1 base32 digests. Each
record is its own gzip member, written and flushed at once into
``<ARCHIVE_DIR>/warc/<prefix>-<yyyymmddhhmmss>-<serial>-<host>.warc.gz.open``; the file is renamed
without ``.open`` when closed (rotation at ``NORTHNEWS_WARC_MAX_SIZE``, or end of crawl), and its
CDXJ index and manifest entry are written then. The extension hands the spider a pointer to the
record in ``request.meta["northnews_capture"]``.

Known limits of what Scrapy exposes (documented, not papered over): header names come title-cased
and grouped by name (all values kept, in order), the reason phrase is not kept (the standard one
for the code is written), and Twisted strips hop-by-hop headers (``Connection``, ``Keep-Alive``,
``Transfer-Encoding``: the body is already de-chunked) and ``Content-Length``, which Scrapy puts
back first from the length it read. The request record is rebuilt from ``request.headers`` plus
the ``Host`` (and ``Content-Length``) that Twisted adds; Twisted always speaks HTTP/1.1.

Cost (``make bench-warc``, loopback, CPU-bound crawl with no delay): about 7% of pages/s
when bodies arrive gzip-encoded, 24% when they arrive plain (compressing them is most of it).
Writing stays on the reactor thread because the record's offset, which the spider needs at once,
depends on the compressed size of everything before it; at polite live rates (a few pages a
second) it is ~1 ms of CPU per page. The CDXJ index of a closed file is built on a thread.
"""

from __future__ import annotations

import fcntl
import hashlib
import io
import json
import logging
import os
import platform
import socket
import sqlite3
import sys
import threading
import uuid
import zlib
from base64 import b32encode
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import datetime_to_iso_date, iso_date_to_timestamp
from warcio.warcwriter import WARCWriter as _WarcioWriter

from northnews import __version__
from northnews.archive.cdxj import index_path, record_fields, url_key, write_lines
from northnews.archive.digests import Capture, DigestIndex
from northnews.archive.scan import OPEN_SUFFIX, RecordInfo

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from warcio.recordloader import ArcWarcRecord

logger = logging.getLogger(__name__)

WARC_VERSION = "WARC/1.1"
REDACTED_HEADERS = (b"authorization", b"proxy-authorization")
CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
# Settings worth recording in each file's warcinfo: they shape what the crawl captured.
WARCINFO_SETTINGS = (
    "USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED",
    "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_TIMEOUT", "RETRY_TIMES",
    "COOKIES_ENABLED", "DEPTH_LIMIT", "NORTHNEWS_START_URLS", "NORTHNEWS_ALLOWED_DOMAINS",
)


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


def sha1_digest(data: bytes) -> str:
    """``sha1:<BASE32>``, the digest form of WARC headers, pywb and Heritrix."""
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode("ascii")


def warc_date(moment: datetime) -> str:
    """WARC/1.1 date with microseconds (orders captures of one URL within a second)."""
    return datetime_to_iso_date(moment.astimezone(timezone.utc).replace(tzinfo=None), use_micros=True)


def iso_utc(moment: datetime) -> str:
    """``fetched_at`` form: ``2026-11-28T11:20:00Z``."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class RawHttpHeaders(StatusAndHeaders):
    """HTTP start line + headers whose wire bytes are fixed when built.

    warcio re-serialises headers (and percent-encodes non-ASCII values); an archive keeps the
    bytes as received, so the serialisation is done once here and never recomputed. As in warcio,
    ``protocol`` is the first token of the start line (``HTTP/1.1`` of a status line, the method
    of a request line) and ``statusline`` the rest.
    """

    def __init__(self, protocol: str, statusline: str, headers: list[tuple[bytes, bytes]]) -> None:
        super().__init__(
            statusline,
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers],
            protocol=protocol,
        )
        lines = [f"{protocol} {statusline}".encode("latin-1")]
        lines += [k + b": " + v for k, v in headers]
        self.headers_buff = b"\r\n".join(lines) + b"\r\n\r\n"

    def compute_headers_buffer(self, header_filter: Any = None) -> None:
        return None  # keep the exact bytes


def _status_line(status: int) -> str:
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"{status} {phrase}"


def _response_protocol(response: Response) -> str:
    proto = response.protocol or "HTTP/1.1"
    return "HTTP/2" if proto.lower() in ("h2", "http/2", "http/2.0") else proto


def response_http_headers(response: Response) -> RawHttpHeaders:
    headers = [(name, value) for name, values in response.headers.items() for value in values]
    return RawHttpHeaders(_response_protocol(response), _status_line(response.status), headers)


def _request_target(url: str) -> tuple[str, bytes]:
    """Origin-form request target (path and query, never the fragment) and Host value."""
    url = urldefrag(url)[0]
    parts = urlsplit(url)
    rest = url.split("://", 1)[1] if "://" in url else url
    cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
    target = rest[cut:] or "/"
    if target.startswith("?"):
        target = "/" + target
    host = parts.hostname or ""
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    if parts.port and parts.port != default_port:
        host = f"{host}:{parts.port}"
    return target, host.encode("ascii", "replace")


def request_http_headers(request: Request, response: Response) -> RawHttpHeaders:
    """The request as sent: request line, ``Host``, then the headers Scrapy sent, credentials
    redacted (the auth scheme is kept, the secret is not)."""
    target, host = _request_target(request.url)
    headers: list[tuple[bytes, bytes]] = []
    if b"Host" not in request.headers:
        headers.append((b"Host", host))
    for name, values in request.headers.items():
        for value in values:
            if name.lower() in REDACTED_HEADERS:
                scheme = value.split(b" ", 1)[0] if b" " in value else b""
                value = (scheme + b" " if scheme else b"") + b"[redacted]"
            headers.append((name, value))
    if request.body and b"Content-Length" not in request.headers:
        headers.append((b"Content-Length", str(len(request.body)).encode()))
    proto = _response_protocol(response)
    proto = "HTTP/1.1" if proto.startswith("HTTP/1") else proto  # Twisted always sends 1.1
    return RawHttpHeaders(request.method, f"{target} {proto}", headers)


@dataclass
class _OpenFile:
    path: Path  # the .open path
    name: str  # final name, relative to the WARC dir
    fh: io.BufferedWriter
    warcinfo_id: str
    size: int = 0
    records: int = 0
    sha1: Any = field(default_factory=hashlib.sha1)
    # (url, WARC-Date, JSON fields) per indexed record; the SURT key is computed at close.
    index_entries: list[tuple[str, str, str]] = field(default_factory=list)


class WarcFiles:
    """Rotating WARC files: naming, warcinfo, one gzip member per record, close and index.

    Independent of Scrapy (the extension feeds it warcio records), so tests drive it directly.
    """

    def __init__(
        self,
        warc_dir: str | os.PathLike[str],
        *,
        prefix: str = "northnews",
        max_size: int = 1_000_000_000,
        gzip_level: int = 6,
        warcinfo: Callable[[], list[tuple[str, str]]] = lambda: [],
        index: DigestIndex | None = None,
        hostname: str | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
        make_id: Callable[[], str] = lambda: f"<urn:uuid:{uuid.uuid4()}>",
    ) -> None:
        self.dir = Path(warc_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.max_size = max_size
        self.gzip_level = gzip_level
        self.warcinfo = warcinfo
        self.index = index
        self.hostname = (hostname or socket.gethostname()).replace("-", "_").replace("/", "_")
        self.now = now
        self.make_id = make_id
        self.serial = 0
        self.current: _OpenFile | None = None
        self.closed: list[str] = []
        self._indexers: list[threading.Thread] = []
        self._builder = _WarcioWriter(None, gzip=False, warc_version=WARC_VERSION)

    # -- records ----------------------------------------------------------------------------

    def serialise(self, record: ArcWarcRecord) -> bytes:
        buf = io.BytesIO()
        self._builder.out = buf
        self._builder.write_record(record)
        return buf.getvalue()

    def _compress(self, data: bytes) -> bytes:
        comp = zlib.compressobj(self.gzip_level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        return comp.compress(data) + comp.flush()

    def write(self, records: list[ArcWarcRecord]) -> tuple[str, list[int]]:
        """Write records together into the current file; returns its final name and offsets."""
        f = self.current or self._open()
        offsets = []
        for record in records:
            record.rec_headers.replace_header("WARC-Warcinfo-ID", f.warcinfo_id)
            offsets.append(self._append(f, record))
        if f.size >= self.max_size:
            self.close()
        return f.name, offsets

    def _append(self, f: _OpenFile, record: ArcWarcRecord) -> int:
        raw = self.serialise(record)
        member = self._compress(raw)
        offset = f.size
        f.fh.write(member)
        # Flushed per record: a killed crawl leaves only whole members behind the last one.
        f.fh.flush()
        f.sha1.update(member)
        f.size += len(member)
        f.records += 1
        info = RecordInfo(
            offset, len(member), WARC_VERSION, list(record.rec_headers.headers),
            record.length or 0,
            http_head=(record.http_headers.headers_buff or b"")[:-4] if record.http_headers else b"",
        )
        fields = record_fields(info, f.name)
        if fields is not None:
            f.index_entries.append((info.target_uri or "", info.date or "", json.dumps(fields)))
        return offset

    # -- files ------------------------------------------------------------------------------

    def _open(self) -> _OpenFile:
        stamp = self.now().astimezone(timezone.utc).strftime("%Y%m%d%H%M%S")
        while True:
            name = f"{self.prefix}-{stamp}-{self.serial:05d}-{self.hostname}.warc.gz"
            self.serial += 1
            path = self.dir / (name + OPEN_SUFFIX)
            if (self.dir / name).exists():
                continue
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:  # another crawl in the same second
                continue
            break
        # The lock tells recovery that this .open file belongs to a live writer; the kernel
        # drops it when the process dies, whatever the signal.
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fh = os.fdopen(fd, "wb")
        warcinfo_id = self.make_id()
        f = _OpenFile(path, name, fh, warcinfo_id)
        payload = "".join(f"{k}: {v}\r\n" for k, v in self.warcinfo() if v not in (None, ""))
        body = payload.encode("utf-8")
        record = self._builder.create_warc_record(
            "", "warcinfo",
            payload=io.BytesIO(body), length=len(body),
            warc_headers_dict={
                "WARC-Type": "warcinfo",
                "WARC-Record-ID": warcinfo_id,
                "WARC-Date": warc_date(self.now()),
                "WARC-Filename": name,
            },
        )
        self._append(f, record)
        self.current = f
        logger.info("Writing WARC %s", path)
        return f

    def close(self, how: str = "closed") -> str | None:
        """Close the current file: fsync, index, rename without ``.open``, manifest."""
        f = self.current
        if f is None:
            return None
        self.current = None
        f.fh.flush()
        os.fsync(f.fh.fileno())
        final = self.dir / f.name
        os.rename(f.path, final)
        _fsync_dir(self.dir)
        if self.index is not None:
            self.index.add_file(f.name, f.size, f.sha1.hexdigest(), f.records, iso_utc(self.now()), how)
        f.fh.close()  # releases the lock, after the rename
        self.closed.append(f.name)
        # The CDXJ index is built off the reactor thread: SURT keys cost ~0.1 ms a record, seconds
        # for a 1 GB file. If the process dies first, `northnews-archive index` rebuilds it.
        thread = threading.Thread(
            target=_write_index, args=(final, f.index_entries), name=f"cdxj-{f.name}", daemon=True
        )
        thread.start()
        self._indexers.append(thread)
        logger.info("Closed WARC %s (%d records, %d bytes)", final, f.records, f.size)
        return f.name

    def wait_for_indexes(self) -> None:
        for thread in self._indexers:
            thread.join()
        self._indexers.clear()


def _write_index(final: Path, entries: list[tuple[str, str, str]]) -> None:
    try:
        lines = [f"{url_key(url)} {iso_date_to_timestamp(date)} {fields}\n" for url, date, fields in entries]
        write_lines(index_path(final), lines)
    except Exception:  # noqa: BLE001 - a thread must not die silently
        logger.exception("Could not write the CDXJ index of %s (run `northnews-archive index`)", final)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class WarcWriter:
    """Scrapy extension: archive every downloaded HTTP exchange (see module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.warc_dir = Path(settings.get("NORTHNEWS_ARCHIVE_DIR", "archive")) / "warc"
        self.revisits = settings.getbool("NORTHNEWS_WARC_REVISITS", True)
        self.operator = settings.get("NORTHNEWS_WARC_OPERATOR", "")
        level = settings.getint("NORTHNEWS_WARC_GZIP_LEVEL", 6)
        if not 0 <= level <= 9:
            raise ValueError(f"NORTHNEWS_WARC_GZIP_LEVEL must be 0-9, not {level}")
        self.now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)
        self.make_id: Callable[[], str] = lambda: f"<urn:uuid:{uuid.uuid4()}>"
        self.index = DigestIndex.for_warc_dir(self.warc_dir)
        self.files = WarcFiles(
            self.warc_dir,
            prefix=settings.get("NORTHNEWS_WARC_PREFIX", "northnews"),
            max_size=settings.getint("NORTHNEWS_WARC_MAX_SIZE", 1_000_000_000),
            gzip_level=level,
            warcinfo=self._warcinfo,
            index=self.index,
            hostname=settings.get("NORTHNEWS_WARC_HOSTNAME") or None,
            now=lambda: self.now(),
            make_id=lambda: self.make_id(),
        )
        self.failed = False
        self._committer: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcWriter:
        if not crawler.settings.getbool("NORTHNEWS_WARC_ENABLED", True):
            raise NotConfigured("NORTHNEWS_WARC_ENABLED is off")
        if crawler.settings.get("NORTHNEWS_REPLAY"):
            raise NotConfigured("replay mode writes no WARC")
        ext = cls(crawler)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    # -- warcinfo ---------------------------------------------------------------------------

    def _warcinfo(self) -> list[tuple[str, str]]:
        s = self.crawler.settings
        spider = getattr(self.crawler, "spider", None)
        chosen = {name: s.get(name) for name in WARCINFO_SETTINGS if s.get(name) is not None}
        return [
            ("software", f"northnews/{__version__} (Scrapy/{scrapy.__version__}; "
                         f"warcio/{_version('warcio')}; "
                         f"Python/{platform.python_version()})"),
            ("format", "WARC File Format 1.1"),
            ("conformsTo", CONFORMS_TO),
            ("hostname", socket.gethostname()),
            ("operator", self.operator),
            ("isPartOf", f"{s.get('BOT_NAME', 'northnews')}/{getattr(spider, 'name', '')}".rstrip("/")),
            ("description", "Scrapy crawl of the northnews.cn portal"),
            ("robots", "obey" if s.getbool("ROBOTSTXT_OBEY") else "ignore"),
            ("http-header-user-agent", s.get("USER_AGENT", "")),
            ("northnews-settings", json.dumps(chosen, ensure_ascii=False, sort_keys=True, default=str)),
            ("command-line", " ".join(sys.argv)),
        ]

    # -- capture ----------------------------------------------------------------------------

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if urlsplit(response.url).scheme not in ("http", "https"):
            self.stats.inc_value("northnews/warc/skipped")
            return
        if self.failed:
            self.stats.inc_value("northnews/warc/lost")
            return
        try:
            self._capture(response, request)
        except Exception as exc:  # disk full, a bug, anything: no record means no archive
            # An archiver that cannot archive must stop rather than crawl on without a record.
            self.failed = True
            self.stats.inc_value("northnews/warc/lost")
            self.stats.inc_value("northnews/errors/warc_write")  # counted by cron as an error
            logger.error("WARC write failed (%r); stopping the crawl", exc, exc_info=not isinstance(exc, OSError))
            engine = getattr(self.crawler, "engine", None)
            if engine is not None:
                deferred_from_coro(engine.close_spider_async(reason="northnews_warc_error"))

    def _capture(self, response: Response, request: Request) -> None:
        moment = self.now()
        date = warc_date(moment)
        url = response.url
        body = response.body
        digest = sha1_digest(body)
        builder = self.files._builder
        http_headers = response_http_headers(response)
        resp_id = self.make_id()
        warc_headers = {
            "WARC-Type": "response",
            "WARC-Record-ID": resp_id,
            "WARC-Date": date,
            "WARC-Target-URI": url,
        }
        if response.ip_address is not None:
            warc_headers["WARC-IP-Address"] = str(response.ip_address)
        if "dataloss" in response.flags:
            warc_headers["WARC-Truncated"] = "disconnect"
        elif "download_stopped" in response.flags:
            warc_headers["WARC-Truncated"] = "unspecified"

        prev = self._last_capture(url) if (self.revisits and body) else None
        if prev is not None and prev.payload_digest == digest:
            record = builder.create_revisit_record(
                url, digest, prev.url, prev.warc_date,
                http_headers=http_headers, warc_headers_dict=warc_headers,
            )
            record.rec_headers.add_header("WARC-Refers-To", prev.record_id)
            kind = "revisit"
        else:
            warc_headers["WARC-Payload-Digest"] = digest
            record = builder.create_warc_record(
                url, "response", payload=io.BytesIO(body), length=len(body),
                http_headers=http_headers, warc_headers_dict=warc_headers,
            )
            kind = "response"
        req_body = request.body or b""
        req_record = builder.create_warc_record(
            url, "request", payload=io.BytesIO(req_body), length=len(req_body),
            http_headers=request_http_headers(request, response),
            warc_headers_dict={
                "WARC-Type": "request",
                "WARC-Record-ID": self.make_id(),
                "WARC-Date": date,
                "WARC-Target-URI": url,
                "WARC-Concurrent-To": resp_id,
            },
        )
        name, (offset, _) = self.files.write([record, req_record])
        request.meta["northnews_capture"] = {
            "warc": {"file": name, "offset": offset, "record_id": resp_id},
            "fetched_at": iso_utc(moment),
        }
        self.stats.inc_value(f"northnews/warc/{kind}")
        self.stats.inc_value("northnews/warc/request")
        if kind == "response":
            try:
                self.index.record(Capture(url, digest, resp_id, date, name, offset, response.status))
            except sqlite3.Error as exc:  # only costs a revisit next time: go on
                self.stats.inc_value("northnews/warc/digest_index_error")
                logger.warning("Digest index: %s (capture of %s kept)", exc, url)

    def _last_capture(self, url: str) -> Capture | None:
        try:
            return self.index.last(url)
        except sqlite3.Error as exc:
            self.stats.inc_value("northnews/warc/digest_index_error")
            logger.warning("Digest index: %s (storing %s in full)", exc, url)
            return None

    def spider_opened(self, spider: Spider) -> None:
        # Close digest batches at least every second, even when the crawl is idle.
        self._committer = task.LoopingCall(self._commit)
        self._committer.start(1.0, now=False)

    def _commit(self) -> None:
        try:
            self.index.commit()
        except sqlite3.Error as exc:
            logger.warning("Digest index commit: %s", exc)

    def spider_closed(self, spider: Spider, reason: str = "") -> None:
        if self._committer is not None and self._committer.running:
            self._committer.stop()
        try:
            self.files.close()
            self.files.wait_for_indexes()
            self.stats.set_value("northnews/warc/files", len(self.files.closed))
        except Exception:
            # Scrapy would log and swallow it; the stat makes the run fail (cron's error count).
            self.stats.inc_value("northnews/errors/warc_close")
            logger.exception("Closing the WARC files failed: the run is incomplete")
            raise
        finally:
            self.index.close()
