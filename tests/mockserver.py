"""The local stand-in for the portal: serves a mirror directory over HTTP on 127.0.0.1.

Stdlib only (``ThreadingHTTPServer``, port 0). It answers by ``Host`` and path, and also answers
absolute-URI requests (``GET http://host/path``), so a crawler configured with
``http_proxy=http://127.0.0.1:<port>`` reaches "the portal" through it. The mapping is the
``wget --mirror`` one, written here independently of the code under test: a path ending in ``/``
maps to ``index.html``, a query string stays in the file name (``page.shtml?x=1``), a directory
asked for without its slash is redirected (301), a missing file is 404.

By default it is plain: identity bodies with a ``Content-Length``. Constructor options add what
an archive test needs:

- ``gzip``: bodies gzip-encoded (``Content-Encoding: gzip``) when the client accepts it;
  ``chunked``: bodies sent with ``Transfer-Encoding: chunked``;
- ``cookies``: two ``Set-Cookie`` headers on every response (an archive must keep both);
- ``fail_first``: URLs whose first request gets a 503; ``truncate_first``: URLs whose first
  request gets half its body and a closed connection (``Content-Length`` promises the whole);
- ``delay`` slows every answer down, ``override`` replaces (or slows) chosen answers;
- ``charset`` is added to text content types.

With ``tls=True`` it also answers ``CONNECT host:443`` as a TLS-terminating proxy would (off by
default: CONNECT is refused, so an https URL through it fails), so an https site is crawled
through it too (``https_proxy=http://127.0.0.1:<port>``): the tunnel speaks TLS with a certificate
of a throwaway test CA (:mod:`tests.tlscert`) and its requests are logged as ``https://host/…``.

``log`` records every answer (:class:`Served`), with the sha1 of the body bytes on the wire
(after content encoding), so tests can compare an archive with what really went over the wire and
check what was (not) fetched: ``requested_urls()`` and ``sent()``.
"""

from __future__ import annotations

import gzip as gzip_module
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

CONTENT_TYPES = {
    ".html": "text/html", ".htm": "text/html", ".shtml": "text/html", ".txt": "text/plain",
    ".css": "text/css", ".js": "application/javascript", ".jpg": "image/jpeg",
    ".png": "image/png", ".gif": "image/gif", ".pdf": "application/pdf",
}

# An answer: (status, headers, body). ``override`` returns one, or None for the usual answer.
Answer = tuple[int, list[tuple[str, str]], bytes]
UrlMatch = Iterable[str] | Callable[[str], bool] | None


@dataclass(frozen=True)
class Served:
    method: str
    url: str
    status: int
    headers: list[tuple[str, str]]  # as sent, repeated names repeated
    sha1: str | None  # of the body bytes sent on the wire (content-encoded when gzipped); None for HEAD
    complete: bool = True  # False: the body was cut short (``truncate_first``)


class _SendAll:
    """A write-only file over a socket that sends every byte (a TLS socket's ``send`` may not)."""

    closed = False

    def __init__(self, sock: object) -> None:
        self.sock = sock

    def write(self, data: bytes) -> int:
        self.sock.sendall(data)
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def _matcher(spec: UrlMatch) -> Callable[[str], bool]:
    if spec is None:
        return lambda url: False
    if callable(spec):
        return spec
    urls = set(spec)
    return lambda url: url in urls


class MockPortal:
    def __init__(
        self,
        root: str | Path,
        gzip: bool = False,
        override: Callable[[str], Answer | None] | None = None,
        *,
        chunked: bool = False,
        cookies: bool = False,
        fail_first: UrlMatch = None,
        truncate_first: UrlMatch = None,
        delay: float = 0.0,
        charset: str | None = None,
        tls: bool = False,
    ) -> None:
        self.root = Path(root)
        self.gzip = gzip
        self.override = override  # may be changed (or cleared) while serving
        self.chunked = chunked
        self.cookies = cookies
        self.fail_first = _matcher(fail_first)
        self.truncate_first = _matcher(truncate_first)
        self.delay = delay  # seconds before each answer: a slow site, for kill tests
        self.charset = charset
        self.tls = tls  # answer CONNECT with TLS (https portals); off: CONNECT is refused (501)
        self.log: list[Served] = []
        self.counts: Counter[str] = Counter()  # requests per URL
        self.lock = threading.Lock()
        self._gzipped: dict[bytes, bytes] = {}  # sha1 of a file's bytes -> their gzip encoding
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "northnews-test/1.0"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                portal.handle(self)

            do_HEAD = do_GET

            def do_CONNECT(self) -> None:  # noqa: N802 (http.server naming): https through the proxy
                if portal.tls:
                    portal.connect(self)
                else:  # plain HTTP only, as without the method: an https URL through it fails
                    self.send_error(501, "Unsupported method ('CONNECT')")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> MockPortal:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> MockPortal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- what was asked for and sent ----------------------------------------------------------

    def requested_urls(self) -> list[str]:
        """Every URL answered, in order, repeats included."""
        with self.lock:
            return [s.url for s in self.log]

    def sent(self) -> list[Served]:
        """Every answer whose body went out whole (GET, not cut short)."""
        with self.lock:
            return [s for s in self.log if s.complete and s.method != "HEAD"]

    # -- the mirror ---------------------------------------------------------------------------

    def _mirror_path(self, url: str) -> Path:
        parts = urlsplit(url)
        path = unquote(parts.path or "/")
        if path.endswith("/"):
            path += "index.html"
        name = path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
        return (self.root / (parts.hostname or "") / name).resolve()

    def _inside(self, path: Path) -> bool:
        return self.root.resolve() in path.parents

    def file_for(self, url: str) -> Path | None:
        candidate = self._mirror_path(url)
        if not self._inside(candidate) or not candidate.is_file():
            return None
        return candidate

    def is_directory(self, url: str) -> bool:
        """A mirrored directory asked for without its trailing slash (query string ignored)."""
        candidate = self._mirror_path(url.split("?", 1)[0])
        return self._inside(candidate) and candidate.is_dir()

    # -- answering ----------------------------------------------------------------------------

    def answer(self, url: str, first: bool) -> Answer:
        answer = self.override(url) if self.override else None
        if answer is not None:
            return answer
        if first and self.fail_first(url):
            return 503, [("Content-Type", "text/html"), ("Retry-After", "0")], \
                b"<html><body>busy, retry later</body></html>"
        path = self.file_for(url)
        if path is not None:
            ctype = CONTENT_TYPES.get(Path(path.name.split("?")[0]).suffix.lower(), "application/octet-stream")
            return 200, [("Content-Type", self._with_charset(ctype))], path.read_bytes()
        if self.is_directory(url):
            return 301, [("Content-Type", self._with_charset("text/html")),
                         ("Location", url.split("?", 1)[0] + "/")], b""
        return 404, [("Content-Type", self._with_charset("text/html"))], b"<html><body>not found</body></html>"

    def _with_charset(self, ctype: str) -> str:
        return f"{ctype}; charset={self.charset}" if self.charset and ctype.startswith("text/") else ctype

    def _gzip(self, body: bytes, cache: bool) -> bytes:
        if not cache:
            return gzip_module.compress(body, compresslevel=6, mtime=0)
        key = hashlib.sha1(body).digest()
        encoded = self._gzipped.get(key)
        if encoded is None:
            encoded = self._gzipped[key] = gzip_module.compress(body, compresslevel=6, mtime=0)
        return encoded

    def connect(self, h: BaseHTTPRequestHandler) -> None:
        """``CONNECT host:443``: answer 200, then speak TLS as ``host`` (a certificate of the test
        CA, :mod:`tests.tlscert`) and serve the requests that come through the tunnel as
        ``https://host/…`` on the same connection."""
        from tests.tlscert import context_for

        host = h.path.rsplit(":", 1)[0]
        h.send_response(200, "Connection established")
        h.end_headers()
        h.wfile.flush()
        tls = context_for(host).wrap_socket(h.connection, server_side=True)
        h.connection = h.request = tls
        h.rfile = tls.makefile("rb")
        h.wfile = _SendAll(tls)
        h.tunnel_scheme = "https"
        h.close_connection = False

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        if h.path.startswith(("http://", "https://")):
            url = h.path  # proxy form
        else:  # inside a CONNECT tunnel the scheme is https
            url = f"{getattr(h, 'tunnel_scheme', 'http')}://{h.headers.get('Host', '127.0.0.1')}{h.path}"
        with self.lock:
            self.counts[url] += 1
            count = self.counts[url]
        if self.delay:
            time.sleep(self.delay)
        status, headers, body = self.answer(url, first=count == 1)
        headers = list(headers)
        if self.gzip and body and "gzip" in h.headers.get("Accept-Encoding", ""):
            body = self._gzip(body, cache=status == 200)
            headers += [("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")]
        if self.cookies:  # repeated headers: an archive must keep both values
            headers += [("Set-Cookie", f"nn_session={count}; Path=/"), ("Set-Cookie", "nn_pref=zh; Path=/; HttpOnly")]
        head = h.command == "HEAD"
        truncate = count == 1 and status == 200 and len(body) > 1 and self.truncate_first(url)
        chunked = self.chunked and not truncate and not head
        h.send_response(status)
        for name, value in headers:
            h.send_header(name, value)
        if chunked:
            h.send_header("Transfer-Encoding", "chunked")
        else:
            h.send_header("Content-Length", str(len(body)))
        if truncate:
            h.send_header("Connection", "close")
        h.end_headers()
        if head:
            pass
        elif truncate:
            body = body[: len(body) // 2]
            h.wfile.write(body)
            h.wfile.flush()
            h.close_connection = True
        elif chunked:
            for i in range(0, len(body), 1000):
                piece = body[i : i + 1000]
                h.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            h.wfile.write(b"0\r\n\r\n")
        else:
            h.wfile.write(body)
        sha1 = None if head else hashlib.sha1(body).hexdigest()
        with self.lock:
            self.log.append(Served(h.command, url, status, headers, sha1, complete=not truncate))


if __name__ == "__main__":  # python -m tests.mockserver ROOT [--gzip] [--cookies] [--chunked]: serve by hand
    import argparse

    ap = argparse.ArgumentParser()
    ap.add_argument("root")
    for flag in ("gzip", "cookies", "chunked"):
        ap.add_argument(f"--{flag}", action="store_true")
    args = ap.parse_args()
    srv = MockPortal(args.root, gzip=args.gzip, cookies=args.cookies, chunked=args.chunked).start()
    print(f"http_proxy={srv.proxy_url}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        srv.stop()
