"""WARCs written by other tools: wget ``--warc-file`` (``<http://…>`` target URIs, WARC/1.0, request
before response, wget's log as resource records), warcio's own writer, and Heritrix-style
revisits (WARC/1.0 profiles, ``identical-payload-digest`` without ``WARC-Refers-To``,
``server-not-modified`` 304s, ``WARC-Truncated: length``). ``check``, ``list``, ``index`` and
replay read them all; our index equals cdxj-indexer's for each."""

from __future__ import annotations

import gzip
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from northnews.archive import cdxj
from northnews.archive.cli import main as archive_main
from northnews.archive.warcreplay import WarcSource
from tests.conftest import FIXTURES, PORTAL, run_crawl
from tests.mockserver import MockPortal

BIN = Path(sys.executable).parent
WGET_FIXTURE = FIXTURES / "archive_foreign" / "wget-english.warc.gz"
WGET_PAGES = [  # what the fixture's wget run fetched (robots.txt obeyed: no /search/)
    "http://english.northnews.cn/",
    "http://english.northnews.cn/robots.txt",
    "http://english.northnews.cn/news/china/",
    "http://english.northnews.cn/news/china/index_2.shtml",
    "http://english.northnews.cn/2015/0915/90088.shtml",
    "http://english.northnews.cn/2015/0916/90102.shtml",
    "http://english.northnews.cn/2015/0916/90102_2.shtml",
]


def wget_warc(out_dir: Path) -> Path:
    """``wget --recursive --warc-file`` of the fixture portal's English edition, through the local
    server as its proxy (so wget writes the real host names, in angle brackets)."""
    wget = shutil.which("wget")
    if wget is None:
        pytest.skip("wget is not installed (Debian: apt-get install wget); the committed wget WARC is still tested")
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    with MockPortal(PORTAL) as server:
        env["http_proxy"] = env["https_proxy"] = server.proxy_url  # https too: never direct
        proc = subprocess.run(
            [wget, "--recursive", "--level=inf", "--warc-file=wget-english", "--reject=jpg,gif,png,css,js",
             "--no-verbose", "--directory-prefix=mirror", "-e", "use_proxy=on", "--tries=1",
             "http://english.northnews.cn/"],
            cwd=out_dir, env=env, capture_output=True, text=True, timeout=120,
        )
    assert proc.returncode in (0, 8), proc.stderr[-2000:]  # 8: some answers were 404, as linked
    return out_dir / "wget-english.warc.gz"


@pytest.fixture(params=["committed", "live"])
def wget_archive(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """A directory holding one wget-written WARC: the committed byte-exact one, or a fresh run."""
    warc_dir = tmp_path / "wget" / "warc"
    warc_dir.mkdir(parents=True)
    if request.param == "committed":
        shutil.copy(WGET_FIXTURE, warc_dir)
    else:
        shutil.move(wget_warc(tmp_path), warc_dir)
    return tmp_path / "wget"


def portal_body(url: str) -> bytes:
    host, _, path = url.removeprefix("http://").partition("/")
    if not path or path.endswith("/"):
        path += "index.html"
    return (PORTAL / host / path).read_bytes()


def real_index(path: Path) -> list[str]:
    proc = subprocess.run([str(BIN / "cdxj-indexer"), str(path)], capture_output=True, text=True, check=True)
    return sorted(line + "\n" for line in proc.stdout.splitlines() if line)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = archive_main(list(args))
    return code, capsys.readouterr().out


# --- wget ------------------------------------------------------------------------------------


def test_wget_warc_checks_lists_and_indexes_like_cdxj_indexer(wget_archive: Path, capsys) -> None:
    [warc] = (wget_archive / "warc").glob("*.warc.gz")
    code, out = run(capsys, "-d", str(wget_archive), "check")
    assert code == 0, out
    code, out = run(capsys, "-d", str(wget_archive), "list", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    urls = [r["url"] for r in rows]
    assert all(not u.startswith("<") for u in urls)  # wget's <…> are not part of the URI
    assert set(WGET_PAGES) <= set(urls)
    assert {r["status"] for r in rows} == {200, 404}
    code, _ = run(capsys, "-d", str(wget_archive), "index")
    assert code == 0
    ours = cdxj.index_path(warc).read_text(encoding="utf-8").splitlines(keepends=True)
    assert ours == real_index(warc)
    assert any(line.startswith("cn,northnews,english)/2015/0915/90088.shtml ") for line in ours)


def test_wget_warc_replays_every_page_it_holds(wget_archive: Path) -> None:
    source = WarcSource(wget_archive)
    try:
        for url in WGET_PAGES:
            hit = source.lookup(url)
            assert hit is not None and hit.status == 200, url
            assert hit.body == portal_body(url), url
            assert hit.capture["warc"]["file"] == "wget-english.warc.gz"
        assert source.lookup("http://english.northnews.cn/news/").status == 404
        assert source.lookup("http://english.northnews.cn/search/?q=x") is None  # robots.txt: never fetched
    finally:
        source.close()


@pytest.mark.slow
def test_crawl_replaying_a_wget_warc_gives_the_fixture_items(tmp_path: Path, expected_items: dict) -> None:
    archive = tmp_path / "wget" / "warc"
    archive.mkdir(parents=True)
    shutil.copy(WGET_FIXTURE, archive)
    result = run_crawl(tmp_path / "out", "-a", "editions=en", "-a", f"replay={archive.parent}")
    assert result.returncode == 0, result.stderr[-3000:]
    english = {url: item for url, item in expected_items.items() if url.startswith("http://english.")}
    assert set(result.by_url) == set(english)  # wget fetched the whole English edition
    for url, want in english.items():
        got = result.by_url[url]
        for field, value in want.items():
            if field == "images":
                assert [{k: im[k] for k in ("url", "caption")} for im in got[field]] == value, url
            elif field not in ("fetched_at", "warc"):
                assert got[field] == value, (url, field)
        assert got["warc"]["file"] == "wget-english.warc.gz"


# --- warcio's writer, Heritrix-style revisits ------------------------------------------------

PAGE = "http://www.northnews.cn/2015/0915/2049381.shtml"
BODY = portal_body(PAGE)
OTHER = "http://www.northnews.cn/2015/0916/2049502.shtml"


def _http(status: str, body: bytes) -> StatusAndHeaders:
    return StatusAndHeaders(status, [("Content-Type", "text/html"), ("Content-Length", str(len(body)))],
                            protocol="HTTP/1.1")


@pytest.fixture(params=["WARC/1.0", "WARC/1.1"])
def warcio_archive(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    """Written by warcio's own WARCWriter: a response, Heritrix-style revisits of it, and records of
    other kinds (metadata, resource, request)."""
    version = request.param
    profile = "http://netpreserve.org/warc/1.0/revisit/" if version == "WARC/1.0" else \
        "http://netpreserve.org/warc/1.1/revisit/"
    warc_dir = tmp_path / "warcio" / "warc"
    warc_dir.mkdir(parents=True)
    with open(warc_dir / "heritrix-style.warc.gz", "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version=version)
        writer.write_record(writer.create_warcinfo_record("heritrix-style.warc.gz", {"software": "test"}))
        date = "2015-09-15T10:00:00Z"
        response = writer.create_warc_record(
            PAGE, "response", payload=io.BytesIO(BODY), http_headers=_http("200 OK", BODY),
            warc_headers_dict={"WARC-Date": date})
        writer.write_record(response)
        writer.write_record(writer.create_warc_record(
            PAGE, "request", payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders("/2015/0915/2049381.shtml HTTP/1.1", [("Host", "www.northnews.cn")],
                                          protocol="GET", is_http_request=True),
            warc_headers_dict={"WARC-Date": date,
                               "WARC-Concurrent-To": response.rec_headers["WARC-Record-ID"]}))
        digest = response.rec_headers["WARC-Payload-Digest"]
        # Heritrix: identical-payload-digest with only the digest to go by, marked truncated.
        revisit = writer.create_revisit_record(
            PAGE, digest, "", "", http_headers=_http("200 OK", BODY),
            warc_headers_dict={"WARC-Date": "2015-09-16T10:00:00Z", "WARC-Truncated": "length"})
        revisit.rec_headers.replace_header("WARC-Profile", profile + "identical-payload-digest")
        revisit.rec_headers.remove_header("WARC-Refers-To-Target-URI")
        revisit.rec_headers.remove_header("WARC-Refers-To-Date")
        writer.write_record(revisit)
        # A second page, first fetched whole, then answered 304 to a conditional request.
        other = portal_body(OTHER)
        writer.write_record(writer.create_warc_record(
            OTHER, "response", payload=io.BytesIO(other), http_headers=_http("200 OK", other),
            warc_headers_dict={"WARC-Date": "2015-09-16T11:00:00Z"}))
        not_modified = writer.create_revisit_record(
            OTHER, "sha1:X", OTHER, "2015-09-16T11:00:00Z",
            http_headers=StatusAndHeaders("304 Not Modified", [("ETag", '"x"')], protocol="HTTP/1.1"),
            warc_headers_dict={"WARC-Date": "2015-09-17T11:00:00Z"})
        not_modified.rec_headers.replace_header("WARC-Profile", profile + "server-not-modified")
        not_modified.rec_headers.remove_header("WARC-Payload-Digest")  # a 304 carries no payload to digest
        writer.write_record(not_modified)
        writer.write_record(writer.create_warc_record(
            "metadata://northnews.test/crawl-log", "metadata", payload=io.BytesIO(b"outlinks: 3\n"),
            warc_content_type="text/plain", warc_headers_dict={"WARC-Date": date}))
        writer.write_record(writer.create_warc_record(
            "http://www.northnews.cn/logo.gif", "resource", payload=io.BytesIO(b"GIF89a"),
            warc_content_type="image/gif", warc_headers_dict={"WARC-Date": date}))
    return tmp_path / "warcio"


def test_warcio_written_warc_checks_lists_and_indexes_like_cdxj_indexer(warcio_archive: Path, capsys) -> None:
    [warc] = (warcio_archive / "warc").glob("*.warc.gz")
    code, out = run(capsys, "-d", str(warcio_archive), "check")
    assert code == 0, out
    assert "8 records, 0 failed" in out
    code, out = run(capsys, "-d", str(warcio_archive), "list", "--json", "--requests")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["type"], r["status"]) for r in rows] == [
        ("response", 200), ("request", None), ("revisit", 200), ("response", 200), ("revisit", 304)]
    code, _ = run(capsys, "-d", str(warcio_archive), "index")
    assert code == 0
    assert cdxj.index_path(warc).read_text(encoding="utf-8").splitlines(keepends=True) == real_index(warc)


@pytest.mark.parametrize("indexed", [True, False], ids=["cdxj", "scan"])
def test_heritrix_style_revisits_replay_to_the_original(warcio_archive: Path, indexed: bool, capsys) -> None:
    if indexed:
        assert archive_main(["-d", str(warcio_archive), "index"]) == 0
        capsys.readouterr()
    source = WarcSource(warcio_archive)
    try:
        # identical-payload-digest, no WARC-Refers-To*, WARC-Truncated: length → the original body.
        hit = source.lookup(PAGE)
        assert hit is not None and hit.status == 200 and hit.body == BODY
        assert hit.capture["fetched_at"] == "2015-09-16T10:00:00Z"
        # server-not-modified (a 304): the original's status, headers and body.
        hit = source.lookup(OTHER)
        assert hit is not None and hit.status == 200 and hit.body == portal_body(OTHER)
        assert ("Content-Type", "text/html") in hit.headers
        assert hit.capture["fetched_at"] == "2015-09-17T11:00:00Z"
    finally:
        source.close()


def test_a_chunked_body_as_wget_stores_it_is_replayed_de_chunked(tmp_path: Path) -> None:
    warc_dir = tmp_path / "warc"
    warc_dir.mkdir()
    chunked = b"6\r\n<html>\r\n7\r\n</html>\r\n0\r\n\r\n"
    with open(warc_dir / "chunked.warc.gz", "wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="WARC/1.0")
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
                                protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(PAGE, "response", payload=io.BytesIO(chunked),
                                                      http_headers=http))
    hit = WarcSource(warc_dir).lookup(PAGE)
    assert hit is not None and hit.body == b"<html></html>"
    assert all(k.lower() != "transfer-encoding" for k, _ in hit.headers)


def test_fixture_is_what_wget_wrote() -> None:
    """The committed file is wget's own output (WARC/1.0, bracketed URIs), not ours."""
    raw = gzip.decompress(WGET_FIXTURE.read_bytes())
    assert raw.startswith(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n")
    assert b"software: Wget/" in raw[:2000]
    assert b"WARC-Target-URI: <http://english.northnews.cn/>\r\n" in raw
