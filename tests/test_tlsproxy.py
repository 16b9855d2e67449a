"""The mock portal as an https proxy: ``CONNECT host:443``, TLS with a test-CA certificate for that
host, then the mirror's files as ``https://host/…`` (what the https portals' live crawls go through)."""

from __future__ import annotations

import socket
import ssl

from tests.conftest import FIXTURES
from tests.mockserver import MockPortal

MIRROR = FIXTURES / "sites" / "huaihe" / "mirror"


def read_response(tls: ssl.SSLSocket) -> tuple[bytes, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        data += tls.recv(4096)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
    while len(body) < length:
        body += tls.recv(4096)
    return head, body


def test_connect_then_tls_serves_the_mirror_over_https() -> None:
    with MockPortal(MIRROR, tls=True) as server, socket.create_connection(("127.0.0.1", server.port)) as raw:
        raw.sendall(b"CONNECT en.huaihenews.cn:443 HTTP/1.1\r\nHost: en.huaihenews.cn:443\r\n\r\n")
        assert raw.recv(4096).startswith(b"HTTP/1.1 200 Connection established")
        client = ssl.create_default_context()
        client.check_hostname, client.verify_mode = False, ssl.CERT_NONE  # a test CA, as Scrapy does not verify
        with client.wrap_socket(raw, server_hostname="en.huaihenews.cn") as tls:
            assert tls.getpeercert(binary_form=True)
            for path in ("/robots.txt", "/list-6-2.html"):  # two requests on one tunnel
                tls.sendall(f"GET {path} HTTP/1.1\r\nHost: en.huaihenews.cn\r\n\r\n".encode())
                head, body = read_response(tls)
                assert head.startswith(b"HTTP/1.1 200") and body == (MIRROR / "en.huaihenews.cn" / path[1:]).read_bytes()
        assert server.requested_urls() == ["https://en.huaihenews.cn/robots.txt", "https://en.huaihenews.cn/list-6-2.html"]


def test_without_tls_connect_is_refused() -> None:
    """The default stand-in speaks plain HTTP only (tests of https requisites count on the failure)."""
    with MockPortal(MIRROR) as server, socket.create_connection(("127.0.0.1", server.port)) as raw:
        raw.sendall(b"CONNECT en.huaihenews.cn:443 HTTP/1.1\r\nHost: en.huaihenews.cn:443\r\n\r\n")
        assert raw.recv(4096).startswith(b"HTTP/1.1 501")
