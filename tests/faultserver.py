"""A fault-injecting portal for the tests: the fixture portal on 127.0.0.1 (port 0), with faults per URL.

:class:`FaultPortal` is a :class:`~tests.mockserver.MockPortal` (by ``Host`` or as an
``http_proxy``) that answers chosen URLs with a fault instead of the mirrored file, for their
first ``times`` requests (``None``: every request), so a test can make a glitch transient (the
next run gets the real page) or permanent. Written without northnews: what a fault looks like on
the wire is decided here, not by the code under test.

Faults (``kind``):

==================  ===========================================================================
``empty``           200 ``text/html`` with an empty body
``soft_404``        200 with a Chinese error page (title "页面不存在")
``soft_404_en``     200 with nginx's "404 Not Found" page
``maintenance``     200 with a maintenance notice ("系统维护中")
``png``             200 ``text/html`` whose body is a PNG image
``deep``            the real page with its body nested 10,000 ``<div>`` deep
``huge``            the real page with a ~50 MB inline ``data:`` image after its first paragraph
``gzip_bomb``       200, ``Content-Encoding: gzip``: 256 KiB on the wire, 256 MiB inflated
``status``          an empty-bodied answer with status ``arg`` (429 without ``Retry-After``…)
``redirect``        301 to ``arg`` (a URL), or ``arg`` = ``(status, URL)`` for 302/303/307/308
``reset``           the connection reset (RST) before any answer
``timeout``         no answer for ``arg`` seconds, then the connection closed
``nul``             the real page with NUL bytes inside its paragraphs
``date``            the real page with its printed date replaced by ``arg``
``unclosed``        the real page with its headline's closing tag removed
``body``            the real page's bytes transformed by ``arg`` (a function)
``raw``             the whole answer ``arg(real page bytes)``: ``(status, headers, body)``, for what
                    the headers claim and the body is not (``Content-Encoding: gzip`` on plain bytes,
                    gzip bytes declared as none, a 503 with ``Retry-After``)
``slow``            the real page after ``arg`` seconds (less than the crawl's timeout: slow, not dead)
==================  ===========================================================================

List-page traps (for the pagination cap): :meth:`FaultPortal.trap_chain` serves an endless chain
of list pages (``/trap/index_N.shtml``, each linking the next) and :meth:`FaultPortal.many_pages`
a section whose every page links 10,000 list pages; :meth:`FaultPortal.link` adds links to a page.

Redirect shapes: :meth:`FaultPortal.redirect_chain` makes a URL the start of ``hops`` redirects
(``?hop=1`` … ``?hop=N``) that end at the real page.
"""

from __future__ import annotations

import gzip
import io
import socket
import struct
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tests.mockserver import Answer, MockPortal

HTML = [("Content-Type", "text/html")]

SOFT_404 = (
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>页面不存在_正北方网</title></head>"
    "<body><div class=\"err\"><img src=\"/images/404.gif\"><p>对不起，您访问的页面不存在或已被删除。</p>"
    "<a href=\"/\">返回首页</a></div></body></html>"
).encode()
SOFT_404_EN = b"<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
MAINTENANCE = (
    "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>系统维护中</title></head>"
    "<body><p>尊敬的用户：网站系统升级维护，暂停访问，请稍后再试。给您带来不便，敬请谅解。</p></body></html>"
).encode()


def png_bytes() -> bytes:
    """A real 1×1 PNG."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = zlib.compress(b"\x00\xff\x00\x00")
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


@cache
def gzip_bomb(inflated: int = 256 * 1024 * 1024) -> bytes:
    """``inflated`` bytes of spaces inside an HTML page, gzip-compressed (about 1/1000 the size)."""
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    out = [packer.compress(b"<!DOCTYPE html><html><body><p>")]
    block = b" " * (1024 * 1024)
    for _ in range(inflated // len(block)):
        out.append(packer.compress(block))
    out.append(packer.compress(b"</p></body></html>"))
    out.append(packer.flush())
    return b"".join(out)


def deep(page: bytes, depth: int = 10_000) -> bytes:
    head, sep, rest = page.partition(b"<body>")
    body, sep2, tail = rest.rpartition(b"</body>")
    return head + sep + b"<div>" * depth + body + b"</div>" * depth + sep2 + tail


def huge(page: bytes, size: int = 50 * 1024 * 1024) -> bytes:
    """A data: URI image of ``size`` bytes after the page's first paragraph."""
    data = b"iVBORw0KGgo" + b"A" * size
    image = b'<p><img alt="inline" src="data:image/png;base64,' + data + b'"></p>'
    at = page.index(b"</p>") + len(b"</p>")
    return page[:at] + image + page[at:]


def with_nul(page: bytes) -> bytes:
    """A NUL byte in the middle of the text of every paragraph."""
    out, pos = [], 0
    while (start := page.find(b"<p>", pos)) != -1:
        end = page.find(b"</p>", start)
        if end == -1:
            break
        text = page[start + 3:end]
        cut = len(text) // 2
        while cut < len(text) and (text[cut] & 0xC0) == 0x80:  # not inside a UTF-8 sequence
            cut += 1
        out += [page[pos:start + 3], text[:cut], b"\x00", text[cut:], b"</p>"]
        pos = end + 4
    out.append(page[pos:])
    return b"".join(out)


def unclosed(page: bytes) -> bytes:
    """The first ``</h1>`` (or ``</h2>``) removed: the headline's element runs into the byline."""
    for tag in (b"</h1>", b"</h2>"):
        if tag in page:
            return page.replace(tag, b"", 1)
    return page


@dataclass
class Fault:
    kind: str
    times: int | None = None  # the first N requests of the URL get it; None: all of them
    arg: Any = None


class FaultPortal(MockPortal):
    """The fixture portal, with faults injected per URL (see the module docstring)."""

    def __init__(self, root: str | Path, **kwargs: Any) -> None:
        super().__init__(root, **kwargs)
        self.faults: dict[str, Fault] = {}
        self.pages: dict[str, Callable[[str], Answer]] = {}  # generated URLs (traps)
        self.extra_links: dict[str, list[str]] = {}
        self.faulted: list[tuple[str, str]] = []  # (url, kind) of every fault served
        # A client that gives up (a timeout) resets its connection: that is the point, not news.
        self.server.handle_error = lambda request, client_address: None  # type: ignore[method-assign]

    # -- configuring ----------------------------------------------------------------------------

    def fault(self, url: str, kind: str, times: int | None = None, arg: Any = None) -> FaultPortal:
        self.faults[url] = Fault(kind, times, arg)
        return self

    def clear_faults(self) -> None:
        self.faults.clear()

    def link(self, page_url: str, *urls: str) -> None:
        """Links to ``urls`` added at the end of ``page_url``'s body."""
        self.extra_links.setdefault(page_url, []).extend(urls)

    def trap_chain(self, host: str = "www.northnews.cn", section: str = "trap") -> str:
        """An endless chain of list pages under ``/<section>/``, each linking the next; its first URL."""
        base = f"http://{host}/{section}/"

        def page(url: str) -> Answer:
            name = urlsplit(url).path.rsplit("/", 1)[1]
            n = int(name[len("index_"):-len(".shtml")]) if name.startswith("index_") else 1
            html = (f"<html><head><meta charset=\"utf-8\"><title>陷阱 第{n}页</title></head><body>"
                    f"<ul class=\"list\"><li>第{n}页</li></ul><div class=\"page\">"
                    f"<a href=\"{base}index_{n + 1}.shtml\">下一页</a></div></body></html>")
            return 200, HTML, html.encode()

        self.pages[base] = self.pages[base + "index.shtml"] = page
        self.pages[base + "index_*"] = page
        return base

    def many_pages(self, host: str = "www.northnews.cn", section: str = "many", count: int = 10_000) -> str:
        """A section whose every list page links ``count`` list pages of it; its first URL."""
        base = f"http://{host}/{section}/"
        links = "".join(f"<a href=\"{base}index_{n}.shtml\">{n}</a> " for n in range(2, count + 1))

        def page(url: str) -> Answer:
            html = (f"<html><head><meta charset=\"utf-8\"><title>列表</title></head><body><ul class=\"list\"></ul>"
                    f"<div class=\"page\">{links}</div></body></html>")
            return 200, HTML, html.encode()

        self.pages[base] = self.pages[base + "index.shtml"] = page
        self.pages[base + "index_*"] = page
        return base

    def redirect_chain(self, url: str, hops: int, status: int = 302) -> list[str]:
        """``url`` → ``url?hop=1`` → … → ``url?hop=<hops>`` (the real page): ``hops`` redirects."""
        chain = [url, *(f"{url}?hop={n}" for n in range(1, hops + 1))]
        for here, there in zip(chain, chain[1:], strict=False):
            self.fault(here, "redirect", arg=(status, there))
        self.fault(chain[-1], "real")
        return chain

    # -- answering ------------------------------------------------------------------------------

    def _generated(self, url: str) -> Callable[[str], Answer] | None:
        plain = url.split("?", 1)[0]
        if plain in self.pages:
            return self.pages[plain]
        stem, _, name = plain.rpartition("/")
        if name.startswith("index_") and f"{stem}/index_*" in self.pages:
            return self.pages[f"{stem}/index_*"]
        return None

    def _active(self, url: str) -> Fault | None:
        fault = self.faults.get(url)
        if fault is None:
            return None
        with self.lock:
            count = self.counts[url]
        return fault if fault.times is None or count <= fault.times else None

    def _real(self, url: str) -> bytes:
        path = self.file_for(url)
        assert path is not None, f"no such page in the portal: {url}"
        return path.read_bytes()

    def answer(self, url: str, first: bool) -> Answer:
        fault = self._active(url)
        if fault is not None:
            with self.lock:
                self.faulted.append((url, fault.kind))
            return self._fault_answer(url, fault)
        generated = self._generated(url)
        if generated is not None:
            return generated(url)
        status, headers, body = super().answer(url, first)
        links = self.extra_links.get(url)
        if links and status == 200 and b"</body>" in body:
            anchors = "".join(f'<a href="{u}">{u}</a> ' for u in links).encode()
            body = body.replace(b"</body>", anchors + b"</body>", 1)
        return status, headers, body

    def _fault_answer(self, url: str, fault: Fault) -> Answer:
        kind = fault.kind
        fixed = {"empty": b"", "soft_404": SOFT_404, "soft_404_en": SOFT_404_EN, "maintenance": MAINTENANCE}
        if kind in fixed:
            return 200, HTML, fixed[kind]
        if kind == "png":
            return 200, HTML, png_bytes()
        if kind == "gzip_bomb":
            return 200, [*HTML, ("Content-Encoding", "gzip")], gzip_bomb()
        if kind == "status":
            return int(fault.arg), HTML, b""
        if kind == "redirect":
            status, where = fault.arg if isinstance(fault.arg, tuple) else (301, fault.arg)
            return int(status), [*HTML, ("Location", str(where))], b""
        if kind == "real":  # the page of the URL without its query (the end of a redirect chain)
            return 200, HTML, self._real(url.split("?", 1)[0])
        page = self._real(url)
        if kind == "raw":
            status, headers, body = fault.arg(page)
            return int(status), list(headers), body
        if kind == "slow":
            time.sleep(float(fault.arg))
            return 200, HTML, page
        transform: Callable[[bytes], bytes] = {
            "deep": deep, "huge": huge, "nul": with_nul, "unclosed": unclosed,
            "date": lambda p: self._redate(p, str(fault.arg)),
            "body": fault.arg,
        }[kind]
        return 200, HTML, transform(page)

    @staticmethod
    def _redate(page: bytes, when: str) -> bytes:
        import re

        return re.sub(rb"20\d\d-\d\d-\d\d \d\d:\d\d", when.encode(), page, count=1)

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        url = h.path if h.path.startswith(("http://", "https://")) else f"http://{h.headers.get('Host', '')}{h.path}"
        fault = self.faults.get(url)
        if fault is not None and fault.kind in ("reset", "timeout"):
            with self.lock:
                self.counts[url] += 1
                count = self.counts[url]
            if fault.times is None or count <= fault.times:
                with self.lock:
                    self.faulted.append((url, fault.kind))
                    self.log.append(_served(h.command, url, fault.kind))
                if fault.kind == "timeout":
                    time.sleep(float(fault.arg or 5))
                _reset(h)
                return
            with self.lock:
                self.counts[url] -= 1  # MockPortal.handle counts it again
        super().handle(h)


def _served(method: str, url: str, kind: str) -> Any:
    from tests.mockserver import Served

    return Served(method, url, 0, [("X-Fault", kind)], None, complete=False)


def _reset(h: BaseHTTPRequestHandler) -> None:
    """Close the connection with a TCP RST (SO_LINGER 0), no answer written."""
    sock = h.connection
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    h.close_connection = True
    for stream in (h.rfile, h.wfile):
        try:
            stream.close()
        except (OSError, ValueError):
            pass
    # The handler flushes and closes its files after us: give it harmless ones.
    h.rfile, h.wfile = io.BytesIO(), io.BytesIO()
    try:
        sock.close()  # the last reference: the kernel sends RST (SO_LINGER 0), not FIN
    except OSError:
        pass


__all__ = ["Fault", "FaultPortal", "deep", "gzip", "gzip_bomb", "huge", "png_bytes", "unclosed", "with_nul"]
