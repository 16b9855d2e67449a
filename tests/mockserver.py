"""A local stand-in for the portal: serves a mirror directory over HTTP on 127.0.0.1.

It answers by ``Host`` and path, and also answers absolute-URI requests (``GET http://host/path``),
so a crawler configured with ``http_proxy=http://127.0.0.1:<port>`` reaches "the portal" through
it. The mapping is the ``wget --mirror`` one, written here independently of the code under test.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

HTML_SUFFIXES = (".html", ".shtml", ".htm")


@dataclass
class Served:
    method: str
    url: str
    status: int
    headers: dict[str, str]
    sha1: str | None  # of the body bytes sent on the wire


@dataclass
class MockPortal:
    root: Path
    gzip: bool = False
    # Optional hook: (url) -> (status, headers, body) to override an answer, or None.
    override: Callable[[str], tuple[int, list[tuple[str, str]], bytes] | None] | None = None
    log: list[Served] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        portal = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:  # noqa: N802 (http.server naming)
                portal.handle(self)

            do_HEAD = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

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

    def file_for(self, url: str) -> Path | None:
        parts = urlsplit(url)
        path = unquote(parts.path or "/")
        if path.endswith("/"):
            path += "index.html"
        name = path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
        candidate = (self.root / (parts.hostname or "") / name).resolve()
        if self.root.resolve() not in candidate.parents or not candidate.is_file():
            return None
        return candidate

    def requested_urls(self) -> list[str]:
        with self.lock:
            return [s.url for s in self.log]

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        if h.path.startswith(("http://", "https://")):
            url = h.path  # proxy form
        else:
            url = f"http://{h.headers.get('Host', '127.0.0.1')}{h.path}"
        answer = self.override(url) if self.override else None
        if answer is None:
            path = self.file_for(url)
            if path is None:
                answer = (404, [("Content-Type", "text/plain")], b"not found\n")
            else:
                ctype = "text/html" if path.name.split("?")[0].endswith(HTML_SUFFIXES) else "text/plain"
                answer = (200, [("Content-Type", ctype)], path.read_bytes())
        status, headers, body = answer
        if self.gzip and body and "gzip" in h.headers.get("Accept-Encoding", ""):
            body = gzip.compress(body, mtime=0)
            headers = [*headers, ("Content-Encoding", "gzip")]
        h.send_response(status)
        for name, value in headers:
            h.send_header(name, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if h.command != "HEAD":
            h.wfile.write(body)
        with self.lock:
            self.log.append(
                Served(h.command, url, status, dict(headers), hashlib.sha1(body).hexdigest())
            )
