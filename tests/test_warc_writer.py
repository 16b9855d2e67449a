"""The WARC writer, driven record by record (no crawl): what lands in the file, byte for byte."""

from __future__ import annotations

import gzip
import hashlib
import io
import re
import subprocess
import sys
import zlib
from base64 import b32encode
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from warcio.archiveiterator import ArchiveIterator

from northnews.archive.digests import DigestIndex
from tests.warc_helpers import capture, exchange, make_writer, read_warc, scan_file

WARCIO = Path(sys.executable).parent / "warcio"
NAME_RE = re.compile(r"^northnews-(\d{14})-(\d{5})-testhost\.warc\.gz$")
HTML = "<html><head><meta charset=gb2312></head><body>正北方网 王喆</body></html>".encode("gbk")


def sha1_b32(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode()


def warc_files(archive: Path) -> list[Path]:
    return sorted((archive / "warc").glob("*.warc.gz"))


def warcio_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(WARCIO), "check", str(path)], capture_output=True, text=True)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    return tmp_path / "archive"


def test_exchange_is_recorded_as_on_the_wire(archive: Path) -> None:
    ext = make_writer(archive)
    body = gzip.compress(HTML, mtime=0)
    response, request = exchange(
        "http://www.northnews.cn/2015/0915/2049381.shtml?from=list&p=2#comments",
        body,
        headers=[
            ("Content-Type", "text/html"),
            ("Content-Encoding", "gzip"),
            ("Set-Cookie", "nn_session=1; Path=/"),
            ("Set-Cookie", "nn_pref=zh; Path=/; HttpOnly"),
            # Not valid UTF-8: must come out as the very bytes, not percent-encoded.
            ("X-Title", "正北方".encode("gbk")),
        ],
        request_headers={
            "Accept-Encoding": "gzip, deflate",
            "User-Agent": "northnews-test",
            "Authorization": "Basic dXNlcjpzM2NyZXQ=",
            "Proxy-Authorization": "Basic cHJveHk6czNjcmV0",
        },
    )
    cap = capture(ext, response, request)
    ext.spider_closed(ext.crawler.spider)

    [path] = warc_files(archive)
    assert NAME_RE.match(path.name)
    assert not list((archive / "warc").glob("*.open"))
    records = read_warc(path)
    assert [r["type"] for r in records] == ["warcinfo", "response", "request"]
    assert all(r["headers"].protocol == "WARC/1.1" for r in records)
    assert all(r["digest_ok"] is not False for r in records)
    info, resp, req = records

    # Response: target without fragment, IP, real status line, every header value, wire body.
    h = resp["headers"]
    assert h["WARC-Target-URI"] == "http://www.northnews.cn/2015/0915/2049381.shtml?from=list&p=2"
    assert h["WARC-IP-Address"] == "203.0.113.7"
    assert h["WARC-Payload-Digest"] == sha1_b32(body)
    assert h["WARC-Warcinfo-ID"] == info["headers"]["WARC-Record-ID"]
    assert resp["http"].protocol == "HTTP/1.1"
    assert resp["http"].statusline == "200 OK"
    cookies = [v for k, v in resp["http"].headers if k.lower() == "set-cookie"]
    assert cookies == ["nn_session=1; Path=/", "nn_pref=zh; Path=/; HttpOnly"]
    assert resp["payload"] == body  # still gzip-encoded, with its Content-Encoding
    assert resp["http"]["Content-Encoding"] == "gzip"
    raw = gzip.decompress(path.read_bytes())
    assert b"\r\nX-Title: " + "正北方".encode("gbk") + b"\r\n" in raw

    # Request: origin-form target with the query, Host, headers as sent, secrets redacted.
    rh = req["headers"]
    assert rh["WARC-Concurrent-To"] == h["WARC-Record-ID"]
    assert rh["WARC-Target-URI"] == h["WARC-Target-URI"]
    assert rh["WARC-Date"] == h["WARC-Date"]
    assert req["http"].protocol == "GET"
    assert req["http"].statusline == "/2015/0915/2049381.shtml?from=list&p=2 HTTP/1.1"
    assert req["http"]["Host"] == "www.northnews.cn"
    assert req["http"]["Accept-Encoding"] == "gzip, deflate"
    assert req["http"]["Authorization"] == "Basic [redacted]"
    assert req["http"]["Proxy-Authorization"] == "Basic [redacted]"
    assert b"dXNlcjpzM2NyZXQ" not in raw and b"cHJveHk6czNjcmV0" not in raw

    # Provenance handed to the spider points at the response record of the closed file.
    assert cap["warc"]["file"] == path.name
    assert cap["warc"]["record_id"] == h["WARC-Record-ID"]
    assert cap["warc"]["offset"] == resp["offset"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", cap["fetched_at"])
    assert h["WARC-Date"].startswith(cap["fetched_at"][:-1])

    assert warcio_check(path).returncode == 0


def test_warcinfo_describes_the_crawl(archive: Path) -> None:
    ext = make_writer(archive, NORTHNEWS_WARC_OPERATOR="Archive team <archive@example.org>",
                      ROBOTSTXT_OBEY=True, USER_AGENT="northnews/0.1 (+test)", BOT_NAME="northnews")
    capture(ext, *exchange("http://www.northnews.cn/", HTML))
    ext.spider_closed(ext.crawler.spider)
    [path] = warc_files(archive)
    info = read_warc(path)[0]
    assert info["type"] == "warcinfo"
    assert info["headers"]["WARC-Filename"] == path.name
    assert info["headers"]["Content-Type"] == "application/warc-fields"
    fields = dict(
        line.split(": ", 1) for line in info["payload"].decode("utf-8").splitlines() if line
    )
    assert fields["software"].startswith("northnews/") and "Scrapy/" in fields["software"]
    assert fields["format"] == "WARC File Format 1.1"
    assert "warc-1.1" in fields["conformsTo"]
    assert fields["operator"] == "Archive team <archive@example.org>"
    assert fields["robots"] == "obey"
    assert fields["http-header-user-agent"] == "northnews/0.1 (+test)"
    assert '"ROBOTSTXT_OBEY": true' in fields["northnews-settings"]
    assert fields["hostname"]
    # The site comes from its profile (the spider's -a site=), not from the archive's code.
    assert fields["isPartOf"] == "northnews/northnews"
    assert fields["description"] == "Scrapy crawl of 正北方网 (northnews.cn)"


def test_warcinfo_names_the_site_crawled(archive: Path) -> None:
    ext = make_writer(archive, NORTHNEWS_SITE="yunhe", BOT_NAME="northnews")
    capture(ext, *exchange("http://www.northnews.cn/", HTML))
    ext.spider_closed(ext.crawler.spider)
    [path] = warc_files(archive)
    payload = read_warc(path)[0]["payload"].decode("utf-8")
    assert "isPartOf: northnews/yunhe\r\n" in payload
    assert '"NORTHNEWS_SITE": "yunhe"' in payload


def test_through_a_proxy_no_server_address_is_claimed(archive: Path) -> None:
    """The socket's peer is then the proxy: WARC-IP-Address would name the proxy, so it is left out."""
    ext = make_writer(archive)
    response, request = exchange("http://www.northnews.cn/", HTML, ip="127.0.0.1")
    request.meta["proxy"] = "http://127.0.0.1:8080"  # what HttpProxyMiddleware sets from http_proxy
    capture(ext, response, request)
    direct = exchange("http://www.northnews.cn/a.shtml", HTML, ip="203.0.113.7")
    capture(ext, *direct)
    ext.spider_closed(ext.crawler.spider)
    [path] = warc_files(archive)
    responses = [r for r in read_warc(path) if r["type"] in ("response", "revisit")]
    assert [r["headers"]["WARC-IP-Address"] for r in responses] == [None, "203.0.113.7"]
    assert warcio_check(path).returncode == 0


def test_redirects_errors_and_retries_are_all_captured(archive: Path) -> None:
    ext = make_writer(archive)
    url = "http://www.northnews.cn/news/guonei"
    caps = [
        capture(ext, *exchange(url, status=301, headers=[("Location", url + "/")])),
        capture(ext, *exchange(url + "/", b"busy", status=503, headers=[("Retry-After", "0")])),
        capture(ext, *exchange(url + "/", b"busy", status=503, headers=[("Retry-After", "0")])),
        capture(ext, *exchange(url + "/", HTML)),
        capture(ext, *exchange("http://www.northnews.cn/nope.shtml", b"not found", status=404)),
        capture(ext, *exchange("http://www.northnews.cn/x", status=599)),  # no standard phrase
    ]
    ext.spider_closed(ext.crawler.spider)
    [path] = warc_files(archive)
    records = read_warc(path)
    responses = [r for r in records if r["type"] in ("response", "revisit")]
    lines = [f'{r["http"].protocol} {r["http"].statusline}' for r in responses]
    assert lines == [
        "HTTP/1.1 301 Moved Permanently",
        "HTTP/1.1 503 Service Unavailable",
        "HTTP/1.1 503 Service Unavailable",  # the retry: a revisit (same payload)
        "HTTP/1.1 200 OK",
        "HTTP/1.1 404 Not Found",
        "HTTP/1.1 599",
    ]
    assert responses[0]["http"]["Location"] == url + "/"
    assert [r["type"] for r in responses].count("revisit") == 1
    assert sum(r["type"] == "request" for r in records) == 6
    assert [c["warc"]["offset"] for c in caps] == [r["offset"] for r in responses]
    assert warcio_check(path).returncode == 0


def test_unchanged_payload_becomes_a_revisit_across_crawls(archive: Path) -> None:
    url = "http://www.northnews.cn/2015/0915/2049381.shtml"
    body = gzip.compress(HTML, mtime=0)
    enc = [("Content-Encoding", "gzip"), ("Content-Type", "text/html")]

    first = make_writer(archive)
    cap1 = capture(first, *exchange(url, body, headers=enc))
    first.spider_closed(first.crawler.spider)

    second = make_writer(archive, id_base=1000)  # a later crawl: new file, same digest index
    cap2 = capture(second, *exchange(url, body, headers=enc + [("Set-Cookie", "n=2")]))
    changed = gzip.compress(HTML + b"<p>update</p>", mtime=0)
    cap3 = capture(second, *exchange(url, changed, headers=enc))
    second.spider_closed(second.crawler.spider)

    f1, f2 = warc_files(archive)
    original = next(r for r in read_warc(f1) if r["type"] == "response")
    later = [r for r in read_warc(f2) if r["type"] in ("response", "revisit")]
    revisit, updated = later
    assert revisit["type"] == "revisit"
    rh = revisit["headers"]
    assert rh["WARC-Profile"] == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert rh["WARC-Payload-Digest"] == sha1_b32(body)
    assert rh["WARC-Refers-To-Target-URI"] == url
    assert rh["WARC-Refers-To-Date"] == original["headers"]["WARC-Date"]
    assert rh["WARC-Refers-To"] == original["headers"]["WARC-Record-ID"] == cap1["warc"]["record_id"]
    assert revisit["payload"] == b""  # the body is not stored again...
    assert [v for k, v in revisit["http"].headers if k == "Set-Cookie"] == ["n=2"]  # ...its headers are
    assert cap2["warc"] == {"file": f2.name, "offset": revisit["offset"], "record_id": rh["WARC-Record-ID"]}
    assert updated["type"] == "response" and updated["payload"] == changed
    assert cap3["warc"]["offset"] == updated["offset"]
    for f in (f1, f2):
        assert warcio_check(f).returncode == 0


def test_revisits_can_be_switched_off(archive: Path) -> None:
    ext = make_writer(archive, NORTHNEWS_WARC_REVISITS=False)
    for _ in range(2):
        capture(ext, *exchange("http://www.northnews.cn/", HTML))
    ext.spider_closed(ext.crawler.spider)
    [path] = warc_files(archive)
    assert [r["type"] for r in read_warc(path)].count("response") == 2


def test_rotation_starts_each_file_with_warcinfo_and_keeps_pairs_together(archive: Path) -> None:
    ext = make_writer(archive, NORTHNEWS_WARC_MAX_SIZE=3000, NORTHNEWS_WARC_GZIP_LEVEL=0)
    caps = []
    for i in range(12):
        body = f"<html>{i} {'x' * 700}</html>".encode()
        caps.append(capture(ext, *exchange(f"http://www.northnews.cn/{i}.shtml", body)))
        if ext.files.current is not None:  # while open, the file carries the .open suffix
            assert ext.files.current.path.name.endswith(".warc.gz.open")
            assert ext.files.current.path.exists()
    ext.spider_closed(ext.crawler.spider)
    files = warc_files(archive)
    assert len(files) >= 3
    serials = [int(NAME_RE.match(f.name).group(2)) for f in files]
    assert serials == list(range(len(files)))
    assert not list((archive / "warc").glob("*.open"))
    seen = []
    for f in files:
        records = read_warc(f)
        assert records[0]["type"] == "warcinfo"
        assert records[0]["headers"]["WARC-Filename"] == f.name
        ids = {r["headers"]["WARC-Record-ID"] for r in records}
        for r in records:
            if r["type"] == "request":  # its response is in the same file
                assert r["headers"]["WARC-Concurrent-To"] in ids
            if r["type"] == "response":
                seen.append((f.name, r["offset"]))
        assert (archive / "warc" / f.name.replace(".warc.gz", ".cdxj")).exists()
        assert warcio_check(f).returncode == 0
    # Every provenance pointer names the final file and the response's offset in it.
    assert [(c["warc"]["file"], c["warc"]["offset"]) for c in caps] == seen


def test_each_record_is_its_own_gzip_member(archive: Path) -> None:
    ext = make_writer(archive)
    for i in range(3):
        capture(ext, *exchange(f"http://www.northnews.cn/{i}.shtml", HTML))
    ext.spider_closed(ext.crawler.spider)
    [path] = warc_files(archive)
    data = path.read_bytes()
    members = 0
    while data:
        d = zlib.decompressobj(zlib.MAX_WBITS | 16)
        record = d.decompress(data)
        assert d.eof and record.startswith(b"WARC/1.1\r\n") and record.endswith(b"\r\n\r\n")
        assert record.count(b"WARC/1.1\r\nWARC-") == 1
        members += 1
        data = d.unused_data
    assert members == 1 + 3 * 2


def test_post_body_and_http_10_and_truncated_flag(archive: Path) -> None:
    ext = make_writer(archive)
    capture(ext, *exchange("http://www.northnews.cn/search/?q=1", b"ok", method="POST",
                           request_body=b"q=%E5%8C%97", protocol="HTTP/1.0"))
    capture(ext, *exchange("http://www.northnews.cn/big.shtml", b"half of it", flags=["dataloss"],
                           headers=[("Content-Length", "20")]))
    capture(ext, *exchange("https://www.northnews.cn:8443/a.shtml", b"x", ip=None))
    ext.spider_closed(ext.crawler.spider)
    [path] = warc_files(archive)
    records = read_warc(path)
    post_resp, post_req = records[1], records[2]
    assert post_resp["http"].protocol == "HTTP/1.0"
    assert post_req["http"].protocol == "POST"
    assert post_req["http"].statusline == "/search/?q=1 HTTP/1.1"
    assert post_req["http"]["Content-Length"] == "11"
    assert post_req["payload"] == b"q=%E5%8C%97"
    truncated = records[3]
    assert truncated["headers"]["WARC-Truncated"] == "disconnect"
    assert truncated["payload"] == b"half of it"
    tls_resp, tls_req = records[5], records[6]
    assert tls_resp["headers"]["WARC-IP-Address"] is None
    assert tls_req["http"]["Host"] == "www.northnews.cn:8443"
    assert warcio_check(path).returncode == 0


def test_non_http_responses_are_not_archived(archive: Path) -> None:
    ext = make_writer(archive)
    response, request = exchange("file:///etc/hostname", b"host")
    ext.response_downloaded(response, request, ext.crawler.spider)
    ext.spider_closed(ext.crawler.spider)
    assert "northnews_capture" not in request.meta
    assert warc_files(archive) == []  # no capture, no file (not even a lone warcinfo)
    assert ext.stats.get_value("northnews/warc/skipped") == 1


def test_disabled_and_replay_mode_write_nothing(archive: Path) -> None:
    with pytest.raises(NotConfigured):
        make_writer(archive, NORTHNEWS_WARC_ENABLED=False)
    with pytest.raises(NotConfigured):
        make_writer(archive, NORTHNEWS_REPLAY="archive")
    assert not (archive / "warc").exists()


def test_digest_index_and_manifest_are_kept_in_sqlite(archive: Path) -> None:
    ext = make_writer(archive)
    cap = capture(ext, *exchange("http://www.northnews.cn/", HTML))
    ext.spider_closed(ext.crawler.spider)
    [path] = warc_files(archive)
    index = DigestIndex.for_warc_dir(archive / "warc")
    try:
        last = index.last("http://www.northnews.cn/")
        assert last is not None
        assert (last.file, last.offset, last.record_id) == (
            cap["warc"]["file"], cap["warc"]["offset"], cap["warc"]["record_id"])
        assert last.payload_digest == sha1_b32(HTML)
        size, sha1, records = index.file_entry(path.name)
        assert size == path.stat().st_size
        assert sha1 == hashlib.sha1(path.read_bytes()).hexdigest()
        assert records == 3
    finally:
        index.close()


def test_offsets_and_lengths_match_what_readers_see(archive: Path) -> None:
    ext = make_writer(archive)
    for i in range(5):
        capture(ext, *exchange(f"http://www.northnews.cn/{i}.shtml", HTML * (i + 1)))
    ext.spider_closed(ext.crawler.spider)
    [path] = warc_files(archive)
    scan = scan_file(path)
    assert scan.ok and scan.good_end == path.stat().st_size
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh)
        seen = [(it.get_record_offset(), rec.rec_type) for rec in it]
    assert seen == [(r.offset, r.rec_type) for r in scan.records]


# --- the crawl's records are built without warcio's objects: the same bytes as warcio's ----------


def warcio_exchange(builder, response, request, *, date: str, response_id: str, request_id: str,
                    payload_digest: str, revisit_of=None, redact_names=()):
    """The oracle: the response (or revisit of ``revisit_of``) and request records of one exchange
    as warcio's ``RecordBuilder`` makes them (what the crawl wrote before ``exchange_raw``), and
    the kind. Only this test uses it: the package holds one record builder."""
    from northnews.archive.http import RawHttpHeaders, request_http_headers, response_protocol, server_ip, status_line

    url = response.url
    http_headers = RawHttpHeaders(response_protocol(response), status_line(response.status),
                                  [(name, value) for name, values in response.headers.items() for value in values])
    warc_headers = {"WARC-Type": "response", "WARC-Record-ID": response_id, "WARC-Date": date, "WARC-Target-URI": url}
    ip = server_ip(response, request)
    if ip is not None:
        warc_headers["WARC-IP-Address"] = ip
    if "dataloss" in response.flags:
        warc_headers["WARC-Truncated"] = "disconnect"
    elif "download_stopped" in response.flags:
        warc_headers["WARC-Truncated"] = "unspecified"
    if revisit_of is not None:
        record = builder.create_revisit_record(url, payload_digest, revisit_of.url, revisit_of.warc_date,
                                               http_headers=http_headers, warc_headers_dict=warc_headers)
        record.rec_headers.add_header("WARC-Refers-To", revisit_of.record_id)
        kind = "revisit"
    else:
        warc_headers["WARC-Payload-Digest"] = payload_digest
        record = builder.create_warc_record(url, "response", payload=io.BytesIO(response.body),
                                            length=len(response.body), http_headers=http_headers,
                                            warc_headers_dict=warc_headers)
        kind = "response"
    req_body = request.body or b""
    req_record = builder.create_warc_record(
        url, "request", payload=io.BytesIO(req_body), length=len(req_body),
        http_headers=request_http_headers(request, response, redact_names),
        warc_headers_dict={"WARC-Type": "request", "WARC-Record-ID": request_id, "WARC-Date": date,
                           "WARC-Target-URI": url, "WARC-Concurrent-To": response_id},
    )
    return record, req_record, kind


def _variants():
    proxied = exchange("http://www.northnews.cn/p.shtml", HTML, headers=[("Content-Type", "text/html")])
    proxied[1].meta["proxy"] = "http://127.0.0.1:3128"
    return {
        "html": exchange("http://www.northnews.cn/2015/0915/1.shtml", HTML,
                         headers=[("Content-Type", "text/html; charset=gb2312"), ("Set-Cookie", "a=1"),
                                  ("Set-Cookie", "b=2"), ("Content-Encoding", "gzip")]),
        "empty 204": exchange("http://www.northnews.cn/e", b"", status=204),
        "no phrase 599": exchange("http://www.northnews.cn/x", b"err", status=599),
        "redirect": exchange("http://www.northnews.cn/r", b"", status=301, headers=[("Location", "/a.shtml")]),
        "post, http/1.0": exchange("http://www.northnews.cn/search/?q=1", b"ok", method="POST",
                                   request_body=b"q=%E5%8C%97", protocol="HTTP/1.0",
                                   request_headers={"Content-Type": "application/x-www-form-urlencoded"}),
        "h2, no ip": exchange("https://www.northnews.cn:8443/a.shtml#frag", b"x", protocol="h2", ip=None),
        "dataloss": exchange("http://www.northnews.cn/big.shtml", b"half", flags=["dataloss"]),
        "stopped": exchange("http://www.northnews.cn/big2.shtml", b"part", flags=["download_stopped"]),
        "secrets": exchange("http://www.northnews.cn/s", b"s", request_headers={
            "Authorization": "Bearer abc", "Cookie": "k=v", "X-Token": "t", "Referer": "http://www.northnews.cn/"}),
        "latin-1 header": exchange("http://www.northnews.cn/l", b"l", headers=[("X-Name", "caf\xe9".encode("latin-1"))]),
        "proxied": proxied,
    }


@pytest.mark.parametrize("revisit", [False, True])
@pytest.mark.parametrize("name", list(_variants()))
def test_exchange_bytes_are_warcios_bytes(name: str, revisit: bool) -> None:
    from northnews.archive.http import Original, exchange_raw, record_builder
    from northnews.archive.scan import RecordInfo

    response, request = _variants()[name]
    kwargs = dict(date="2026-11-01T08:00:00.123456Z", response_id="<urn:uuid:r>", request_id="<urn:uuid:q>",
                  payload_digest=sha1_b32(response.body), redact_names=("X-Token",),
                  revisit_of=Original("http://www.northnews.cn/old", "2026-10-01T08:00:00Z", "<urn:uuid:o>")
                  if revisit else None)
    builder = record_builder()
    slow_response, slow_request, slow_kind = warcio_exchange(builder, response, request, **kwargs)
    first, second, kind = exchange_raw(response, request, **kwargs)
    assert kind == slow_kind == ("revisit" if revisit else "response")
    for raw, record in ((first, slow_response), (second, slow_request)):
        record.rec_headers.replace_header("WARC-Warcinfo-ID", "<urn:uuid:info>")
        buf = io.BytesIO()
        builder.out = buf
        builder.write_record(record)
        assert raw.serialised("<urn:uuid:info>") == buf.getvalue()
        assert raw.info("<urn:uuid:info>", 10, 99) == RecordInfo.from_record(record, 10, 99)
