"""A local stand-in for the portal, for archive tests: serves a mirror ``ROOT/<host>/<path>``.

Stdlib only (``ThreadingHTTPServer`` on 127.0.0.1, port 0). It answers both origin-form requests
(by ``Host``) and absolute-URI proxy requests, so a crawl reaches it through ``http_proxy``.
A path ending in ``/`` maps to ``index.html``, a query string stays in the file name
(``page.shtml?x=1``), a directory without its slash is redirected (301), a missing file is 404.

What makes it useful to an archive test:

- bodies are gzip-encoded (``Content-Encoding: gzip``) when the client accepts it, optionally
  sent chunked; every response carries two ``Set-Cookie`` headers;
- ``fail_first``: URLs whose first request gets a 503; ``truncate_first``: URLs whose first
  request gets half its body and a closed connection (Content-Length promises the whole);
- ``delay`` slows every answer down (a crawl to kill in the middle);
- ``sent`` records every body it sent in full, with the sha1 of the bytes on the wire (after
  content encoding), and ``requests`` every URL asked for, so tests can compare the archive with
  what really went over the wire and check what was (not) fetched.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".shtml": "text/html", ".txt": "text/plain",
    ".css": "text/css", ".js": "application/javascript", ".jpg": "image/jpeg",
    ".png": "image/png", ".gif": "image/gif", ".pdf": "application/pdf",
}


@dataclass(frozen=True)
class Sent:
    url: str
    status: int
    sha1: str  # hex sha1 of the body bytes as sent (content-encoded when gzipped)
    length: int
    gzipped: bool


def _matcher(spec: Iterable[str] | Callable[[str], bool] | None) -> Callable[[str], bool]:
    if spec is None:
        return lambda url: False
    if callable(spec):
        return spec
    urls = set(spec)
    return lambda url: url in urls


class PortalServer:
    def __init__(
        self,
        root: str | Path,
        *,
        gzip_bodies: bool = True,
        chunked: bool = False,
        fail_first: Iterable[str] | Callable[[str], bool] | None = None,
        truncate_first: Iterable[str] | Callable[[str], bool] | None = None,
        content_type_charset: str | None = None,
        delay: float = 0.0,
    ) -> None:
        self.root = Path(root)
        self.gzip_bodies = gzip_bodies
        self.chunked = chunked
        self.fail_first = _matcher(fail_first)
        self.truncate_first = _matcher(truncate_first)
        self.charset = content_type_charset
        self.delay = delay  # seconds before each answer: a slow site, for kill tests
        self.sent: list[Sent] = []
        self.requests: list[str] = []
        self.counts: Counter[str] = Counter()
        self._gzip_cache: dict[Path, bytes] = {}
        self.lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> PortalServer:
        server = self

        class Handler(_Handler):
            portal = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> PortalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None
        return self._httpd.server_address[1]

    @property
    def proxy(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- what was sent ------------------------------------------------------------------------

    def sha1s(self, url: str) -> set[str]:
        with self.lock:
            return {s.sha1 for s in self.sent if s.url == url}

    def fetched(self) -> set[str]:
        with self.lock:
            return set(self.requests)

    def resolve(self, host: str, path: str) -> Path:
        rel = unquote(path.split("?", 1)[0])
        query = path.split("?", 1)[1] if "?" in path else None
        if rel.endswith("/"):
            rel += "index.html"
        target = self.root / host / rel.lstrip("/")
        if query is not None:
            target = target.with_name(target.name + "?" + query)
        return target


class _Handler(BaseHTTPRequestHandler):
    portal: PortalServer
    protocol_version = "HTTP/1.1"
    server_version = "northnews-test/1.0"

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return None

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    def do_HEAD(self) -> None:  # noqa: N802
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        portal = self.portal
        if self.path.startswith(("http://", "https://")):
            parts = urlsplit(self.path)
            host = parts.hostname or ""
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            scheme = parts.scheme
        else:
            host = (self.headers.get("Host") or "").split(":")[0]
            path = self.path
            scheme = "http"
        url = f"{scheme}://{host}{path}"
        with portal.lock:
            portal.requests.append(url)
            portal.counts[url] += 1
            first = portal.counts[url] == 1
        if portal.delay:
            time.sleep(portal.delay)
        target = portal.resolve(host, path)
        extra: list[tuple[str, str]] = []
        if first and portal.fail_first(url):
            status, body, ctype = 503, b"<html><body>busy, retry later</body></html>", "text/html"
            extra.append(("Retry-After", "0"))
        elif target.is_file():
            status, body = 200, target.read_bytes()
            ext = Path(target.name.split("?")[0]).suffix.lower()
            ctype = CONTENT_TYPES.get(ext, "application/octet-stream")
        elif target.is_dir() or (target.parent / target.name.split("?")[0]).is_dir():
            status, body, ctype = 301, b"", "text/html"
            extra.append(("Location", f"{scheme}://{host}{path.split('?')[0]}/"))
        else:
            status, body, ctype = 404, b"<html><body>not found</body></html>", "text/html"
        if portal.charset and ctype.startswith("text/"):
            ctype += f"; charset={portal.charset}"
        gzipped = False
        if body and portal.gzip_bodies and "gzip" in (self.headers.get("Accept-Encoding") or ""):
            if status == 200:
                cached = portal._gzip_cache.get(target)
                if cached is None:
                    cached = portal._gzip_cache[target] = gzip.compress(body, compresslevel=6, mtime=0)
                body = cached
            else:
                body = gzip.compress(body, compresslevel=6, mtime=0)
            gzipped = True
        truncate = first and status == 200 and portal.truncate_first(url) and len(body) > 1
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in extra:
            self.send_header(name, value)
        if gzipped:
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Vary", "Accept-Encoding")
        # Repeated headers: an archive must keep both values.
        self.send_header("Set-Cookie", f"nn_session={portal.counts[url]}; Path=/")
        self.send_header("Set-Cookie", "nn_pref=zh; Path=/; HttpOnly")
        chunked = portal.chunked and not truncate and not head
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        if truncate:
            self.send_header("Connection", "close")
        self.end_headers()
        if head:
            return
        if truncate:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if chunked:
            for i in range(0, len(body), 1000):
                piece = body[i : i + 1000]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
        else:
            self.wfile.write(body)
        with portal.lock:
            portal.sent.append(Sent(url, status, hashlib.sha1(body).hexdigest(), len(body), gzipped))


# -- helpers for driving the WARC writer without a crawl ----------------------------------------


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


if __name__ == "__main__":  # python tests/archive_server.py ROOT: serve a mirror by hand
    import sys

    srv = PortalServer(sys.argv[1]).start()
    print(f"http_proxy={srv.proxy}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()
