"""The WARC records of one HTTP exchange, built from what Scrapy hands ``response_downloaded``.

A ``response`` record (or a ``revisit`` when the payload is unchanged since the URL's last
capture) and its ``request`` record, WARC/1.1, with the HTTP start lines and headers as bytes
fixed when built (warcio would re-serialise and percent-encode them).

Known limits of what Scrapy exposes (documented, not papered over): header names come title-cased
and grouped by name (all values kept, in order), the reason phrase is not kept (the standard one
for the code is written), and Twisted strips hop-by-hop headers (``Connection``, ``Keep-Alive``,
``Transfer-Encoding``: the body is already de-chunked) and ``Content-Length``, which Scrapy puts
back first from the length it read. The request record is rebuilt from ``request.headers`` plus
the ``Host`` (and ``Content-Length``) that Twisted adds; Twisted always speaks HTTP/1.1.

``WARC-IP-Address`` is the address of the server that answered: through a proxy
(``request.meta["proxy"]``, set by Scrapy's ``HttpProxyMiddleware`` from ``http_proxy``) the
socket's peer is the proxy, not the server, so the field is left out rather than wrong.

Nothing here imports Scrapy: responses and requests are read through their public attributes.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag, urlsplit

from warcio.recordbuilder import RecordBuilder
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from northnews.archive.scan import RecordInfo
from northnews.util.digest import b32_digest
from northnews.util.redact import REDACTED, is_sensitive_header

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response
    from warcio.recordloader import ArcWarcRecord

WARC_VERSION = "WARC/1.1"
REDACTED_HEADERS = (b"authorization", b"proxy-authorization")


class RawHttpHeaders(StatusAndHeaders):
    """HTTP start line + headers whose wire bytes are fixed when built.

    As in warcio, ``protocol`` is the first token of the start line (``HTTP/1.1`` of a status
    line, the method of a request line) and ``statusline`` the rest.
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


def status_line(status: int) -> str:
    """``200 OK``; a code without a standard phrase is written alone (``599``)."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    return f"{status} {phrase}"


def response_protocol(response: Response) -> str:
    proto = response.protocol or "HTTP/1.1"
    return "HTTP/2" if proto.lower() in ("h2", "http/2", "http/2.0") else proto


def request_target(url: str) -> tuple[str, bytes]:
    """Origin-form request target (path and query, never the fragment) and ``Host`` value."""
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


def redact(value: bytes, name: bytes = b"authorization") -> bytes:
    """A secret header's value without its secret: an ``Authorization`` scheme (``Basic``,
    ``Bearer``) is kept, so a reader still sees how the request authenticated."""
    scheme = value.split(b" ", 1)[0] if b" " in value and name.lower() in REDACTED_HEADERS else b""
    return (scheme + b" " if scheme else b"") + REDACTED.encode()


def request_http_headers(
    request: Request, response: Response | None, redact_names: Iterable[str] = ()
) -> RawHttpHeaders:
    """The request as sent: request line, ``Host``, then the headers Scrapy sent, with the values
    of ``Cookie``, ``Authorization``, ``Proxy-Authorization`` and ``redact_names`` redacted (the
    names stay: the record still says the header was sent)."""
    statusline, headers = _request_head(request, response, redact_names)
    return RawHttpHeaders(request.method, statusline, headers)


def _request_head(
    request: Request, response: Response | None, redact_names: Iterable[str] = ()
) -> tuple[str, list[tuple[bytes, bytes]]]:
    """The request line after the method, and the headers (see :func:`request_http_headers`)."""
    target, host = request_target(request.url)
    headers: list[tuple[bytes, bytes]] = []
    if b"Host" not in request.headers:
        headers.append((b"Host", host))
    extra = tuple(redact_names)
    for name, values in request.headers.items():
        for value in values:
            headers.append((name, redact(value, name) if is_sensitive_header(name, extra) else value))
    if request.body and b"Content-Length" not in request.headers:
        headers.append((b"Content-Length", str(len(request.body)).encode()))
    proto = response_protocol(response) if response is not None else "HTTP/1.1"
    proto = "HTTP/1.1" if proto.startswith("HTTP/1") else proto  # Twisted always sends 1.1
    return f"{target} {proto}", headers


def server_ip(response: Response, request: Request) -> str | None:
    """The answering server's address, or None when unknown or when a proxy answered."""
    if request.meta.get("proxy") or response.ip_address is None:
        return None
    return str(response.ip_address)


@dataclass(frozen=True)
class Original:
    """The earlier capture a revisit refers to (from the digest index)."""

    url: str
    warc_date: str
    record_id: str


def record_builder() -> WARCWriter:
    """warcio's record factory and serialiser, without an output of its own (files.py gives one)."""
    return WARCWriter(None, gzip=False, warc_version=WARC_VERSION)


def failure_records(
    builder: WARCWriter, request: Request, error: BaseException, *, date: str, request_id: str,
    metadata_id: str, redact_names: Iterable[str] = (),
) -> list[ArcWarcRecord]:
    """What a fetch that got no answer leaves (a timeout, a reset, a refused connection): the
    request as it was sent, and a ``metadata`` record (``application/warc-fields``, which
    cdxj-indexer and our indexes leave out, so replay never serves it) naming the error."""
    url = request.url
    body = request.body or b""
    req = builder.create_warc_record(
        url, "request", payload=io.BytesIO(body), length=len(body),
        http_headers=request_http_headers(request, None, redact_names),
        warc_headers_dict={"WARC-Type": "request", "WARC-Record-ID": request_id, "WARC-Date": date,
                           "WARC-Target-URI": url},
    )
    message = " ".join(str(error).split())[:1000]
    fields = (
        f"fetchError: {type(error).__name__}\r\n"
        f"fetchErrorMessage: {message}\r\n"
        f"attempt: {int(request.meta.get('retry_times', 0)) + 1}\r\n"
    ).encode()
    meta = builder.create_warc_record(
        url, "metadata", payload=io.BytesIO(fields), length=len(fields),
        warc_content_type="application/warc-fields",
        warc_headers_dict={"WARC-Type": "metadata", "WARC-Record-ID": metadata_id, "WARC-Date": date,
                           "WARC-Target-URI": url, "WARC-Concurrent-To": request_id},
    )
    return [req, meta]


# --- the exchange's records as bytes, without warcio's record objects --------------------------
#
# What the crawl writes for every exchange. The bytes are warcio's (WARCWriter.write_record of the
# records its RecordBuilder makes of the same exchange), field for field and in its order:
# tests/test_warc_writer.py builds them with warcio too (its oracle) on every kind of exchange. warcio's objects cost more than the gzip of the
# record (a StatusAndHeaders of decoded headers, digests through BytesIO streams, header lists
# searched by name): ~3% of a crawl's reactor time.

_RESPONSE_TYPE = RecordBuilder.WARC_RECORDS["response"]
_REVISIT_TYPE = RecordBuilder.WARC_RECORDS["revisit"]
_REQUEST_TYPE = RecordBuilder.WARC_RECORDS["request"]
_REVISIT_PROFILE = RecordBuilder.REVISIT_PROFILE_1_1
_VERSION_LINE = WARC_VERSION.encode() + b"\r\n"
_END = b"\r\n\r\n"


@dataclass
class RawRecord:
    """A record serialised as warcio writes it, but for its ``WARC-Warcinfo-ID`` (the id of the
    file it goes into, known when it is written: :meth:`warcinfo`)."""

    headers: list[tuple[str, str]]  # the WARC headers before WARC-Warcinfo-ID, in order
    after: list[tuple[str, str]]  # and after it (block digest, content type, length)
    block: bytes  # the HTTP start line and headers, as sent
    payload: bytes  # the body (empty for a revisit)
    http_status: str | None  # of a response or revisit (the CDXJ index's status)
    http_content_type: str | None

    def serialised(self, warcinfo_id: str) -> bytes:
        lines = [f"{name}: {value}\r\n" for name, value in self.headers]
        lines.append(f"WARC-Warcinfo-ID: {warcinfo_id}\r\n")
        lines += [f"{name}: {value}\r\n" for name, value in self.after]
        head = "".join(lines).encode("utf-8")
        return b"".join((_VERSION_LINE, head, b"\r\n", self.block, self.payload, _END))

    def info(self, warcinfo_id: str, offset: int, length: int) -> RecordInfo:
        """What :meth:`RecordInfo.from_record` reads from the same record (the CDXJ side file)."""
        headers = [*self.headers, ("WARC-Warcinfo-ID", warcinfo_id), *self.after]
        return RecordInfo(offset, length, WARC_VERSION, headers, len(self.block) + len(self.payload),
                          self.http_status, self.http_content_type)


def _block(start_line: str, headers: list[tuple[bytes, bytes]]) -> bytes:
    """HTTP start line and headers as :class:`RawHttpHeaders` writes them."""
    lines = [start_line.encode("latin-1")]
    lines += [k + b": " + v for k, v in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


def _digest(*parts: bytes) -> str:
    h = hashlib.sha1()
    for part in parts:
        h.update(part)
    return "sha1:" + b32_digest(h.digest())


def _content_type(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The first ``Content-Type`` value, as warcio's ``get_header`` reads it."""
    return next((v.decode("latin-1") for k, v in headers if k.lower() == b"content-type"), None)


def exchange_raw(
    response: Response,
    request: Request,
    *,
    date: str,
    response_id: str,
    request_id: str,
    payload_digest: str,
    revisit_of: Original | None = None,
    redact_names: Iterable[str] = (),
) -> tuple[RawRecord, RawRecord, str]:
    """The response (or revisit of ``revisit_of``) and request records of one exchange, as
    :class:`RawRecord` s, and the kind (``response`` or ``revisit``)."""
    url = response.url
    raw_headers = [(name, value) for name, values in response.headers.items() for value in values]
    block = _block(f"{response_protocol(response)} {status_line(response.status)}", raw_headers)
    content_type = _content_type(raw_headers)
    headers = [("WARC-Type", "response"), ("WARC-Record-ID", response_id), ("WARC-Date", date),
               ("WARC-Target-URI", url)]
    ip = server_ip(response, request)
    if ip is not None:
        headers.append(("WARC-IP-Address", ip))
    if "dataloss" in response.flags:
        headers.append(("WARC-Truncated", "disconnect"))
    elif "download_stopped" in response.flags:
        headers.append(("WARC-Truncated", "unspecified"))
    if revisit_of is not None:
        headers[0] = ("WARC-Type", "revisit")
        headers += [("WARC-Profile", _REVISIT_PROFILE), ("WARC-Refers-To-Target-URI", revisit_of.url),
                    ("WARC-Refers-To-Date", revisit_of.warc_date), ("WARC-Payload-Digest", payload_digest),
                    ("WARC-Refers-To", revisit_of.record_id)]
        payload, kind, rec_type = b"", "revisit", _REVISIT_TYPE
    else:
        headers.append(("WARC-Payload-Digest", payload_digest))
        payload, kind, rec_type = response.body, "response", _RESPONSE_TYPE
    after = [("WARC-Block-Digest", _digest(block, payload)), ("Content-Type", rec_type),
             ("Content-Length", str(len(block) + len(payload)))]
    first = RawRecord(headers, after, block, payload, str(response.status), content_type)

    req_line, req_raw_headers = _request_head(request, response, redact_names)
    req_block = _block(f"{request.method} {req_line}", req_raw_headers)
    req_body = request.body or b""
    req_headers = [("WARC-Type", "request"), ("WARC-Record-ID", request_id), ("WARC-Date", date),
                   ("WARC-Target-URI", url), ("WARC-Concurrent-To", response_id),
                   ("WARC-Payload-Digest", _digest(req_body))]
    req_after = [("WARC-Block-Digest", _digest(req_block, req_body)), ("Content-Type", _REQUEST_TYPE),
                 ("Content-Length", str(len(req_block) + len(req_body)))]
    return first, RawRecord(req_headers, req_after, req_block, req_body, None, _content_type(req_raw_headers)), kind
