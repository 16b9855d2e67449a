"""A keep-alive HTTP/1.1 server for benchmarks: the portal mirror from memory, as cheap as it gets.

    .venv/bin/python -m benchmarks.server MIRROR [--gzip]     # prints "port N", serves until killed

It must never be what bounds a crawl: one asyncio process, every answer (status line, headers,
body, and its gzip form) built once and kept, connections kept alive, no logging. It answers
by ``Host`` and path, and absolute-URI requests too, so a crawler reaches it through
``http_proxy``; the mapping is ``tests/mockserver.py``'s (``/`` → ``index.html``, a directory
without its slash → 301, a missing file → 404). It runs as its own process so that its CPU time
can be read (:meth:`BenchServer.cpu_seconds`) and reported beside the crawler's.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlsplit

TYPES = {
    ".html": b"text/html", ".htm": b"text/html", ".shtml": b"text/html", ".txt": b"text/plain",
    ".css": b"text/css", ".js": b"application/javascript", ".jpg": b"image/jpeg",
    ".png": b"image/png", ".gif": b"image/gif", ".pdf": b"application/pdf",
}


class Portal:
    def __init__(self, root: Path, use_gzip: bool) -> None:
        self.root = root.resolve()
        self.use_gzip = use_gzip
        self.cache: dict[tuple[str, bool], bytes] = {}

    def answer(self, url: str, accepts_gzip: bool) -> bytes:
        key = (url, accepts_gzip and self.use_gzip)
        found = self.cache.get(key)
        if found is None:
            found = self.cache[key] = self._build(url, key[1])
        return found

    def _build(self, url: str, zipped: bool) -> bytes:
        parts = urlsplit(url)
        path = unquote(parts.path or "/")
        if path.endswith("/"):
            path += "index.html"
        name = path.lstrip("/") + (f"?{parts.query}" if parts.query else "")
        file = (self.root / (parts.hostname or "") / name).resolve()
        headers = [b"Server: northnews-bench", b"Connection: keep-alive"]
        if self.root in file.parents and file.is_file():
            status, body = b"200 OK", file.read_bytes()
            headers.append(b"Content-Type: " + TYPES.get(Path(file.name.split("?")[0]).suffix.lower(),
                                                         b"application/octet-stream"))
        elif self.root in file.parents and file.is_dir():
            status, body = b"301 Moved Permanently", b""
            headers += [b"Content-Type: text/html", b"Location: " + url.split("?", 1)[0].encode() + b"/"]
        else:
            status, body = b"404 Not Found", b"<html><body>not found</body></html>"
            headers.append(b"Content-Type: text/html")
        if zipped and body:
            body = gzip.compress(body, compresslevel=6, mtime=0)
            headers += [b"Content-Encoding: gzip", b"Vary: Accept-Encoding"]
        headers.append(b"Content-Length: " + str(len(body)).encode())
        return b"HTTP/1.1 " + status + b"\r\n" + b"\r\n".join(headers) + b"\r\n\r\n" + body


async def serve(portal: Portal, port: int) -> None:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                method, target, _ = lines[0].split(b" ", 2)
                host, accepts = b"", False
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    name = name.strip().lower()
                    if name == b"host":
                        host = value.strip()
                    elif name == b"accept-encoding":
                        accepts = b"gzip" in value
                    elif name == b"content-length" and int(value):
                        await reader.readexactly(int(value))
                url = target.decode("latin-1")
                if not url.startswith(("http://", "https://")):
                    url = f"http://{host.decode('latin-1')}{url}"
                answer = portal.answer(url, accepts)
                if method == b"HEAD":
                    answer = answer.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=256)
    print(f"port {server.sockets[0].getsockname()[1]}", flush=True)
    async with server:
        await server.serve_forever()


class BenchServer:
    """The server as a child process: ``with BenchServer(mirror, gzip=True) as s: s.proxy_url``."""

    def __init__(self, root: Path, gzip: bool = True) -> None:
        self.root, self.gzip = root, gzip
        self.proc: subprocess.Popen[str] | None = None
        self.port = 0

    def __enter__(self) -> BenchServer:
        cmd = [sys.executable, "-m", "benchmarks.server", str(self.root), *(["--gzip"] if self.gzip else [])]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=Path(__file__).parent.parent)
        assert self.proc.stdout is not None
        self.port = int(self.proc.stdout.readline().split()[1])
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait()

    @property
    def proxy_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        """User + system CPU the server has used so far."""
        assert self.proc is not None
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("root", type=Path)
    ap.add_argument("--gzip", action="store_true")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    asyncio.run(serve(Portal(args.root, args.gzip), args.port))


if __name__ == "__main__":
    main()
