"""``WarcSource``: the archive answering requests instead of the network."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from northnews.archive.hits import ReplayHit
from northnews.archive.warcreplay import WarcSource
from northnews.crawl.downloadermiddlewares.replay import open_source
from tests.warc_helpers import capture, exchange, make_writer

ARTICLE = "http://www.northnews.cn/2015/0915/2049381.shtml"
V1 = "<html><body>第一版</body></html>".encode("gbk")
V2 = "<html><body>第二版</body></html>".encode("gbk")
GZ = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]


@pytest.fixture(params=["cdxj", "scan"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, dict[str, dict]]:
    """Two crawls of a site: the article changes, then stays; a later fetch fails with 503.

    Every test runs twice: with the CDXJ indexes the writer leaves (fast path) and without
    them (WARC files scanned); both must give the same answers."""
    caps: dict[str, dict] = {}
    first = make_writer(tmp_path)
    caps["v1"] = capture(first, *exchange(ARTICLE, gzip.compress(V1, mtime=0), headers=GZ))
    caps["moved"] = capture(first, *exchange("http://www.northnews.cn/news", status=301,
                                             headers=[("Location", "http://www.northnews.cn/news/")]))
    caps["english"] = capture(first, *exchange("https://english.northnews.cn/a.shtml", b"<p>en</p>"))
    first.spider_closed(first.crawler.spider)

    second = make_writer(tmp_path, id_base=100)
    second.now.t = second.now.t.replace(day=29)  # a day later
    caps["v2"] = capture(second, *exchange(ARTICLE, gzip.compress(V2, mtime=0), headers=GZ))
    caps["v2-again"] = capture(second, *exchange(  # unchanged: a revisit with its own headers
        ARTICLE, gzip.compress(V2, mtime=0), headers=GZ + [("Set-Cookie", "seen=2")]))
    caps["503"] = capture(second, *exchange(ARTICLE, b"busy", status=503))
    second.spider_closed(second.crawler.spider)
    indexes = list((tmp_path / "warc").glob("*.cdxj"))
    assert len(indexes) == 2
    if request.param == "scan":
        for index in indexes:
            index.unlink()
    assert WarcSource(tmp_path).indexed_files == (2 if request.param == "cdxj" else 0)
    return tmp_path, caps


def test_latest_capture_wins_and_revisits_resolve_to_the_original_body(archive) -> None:
    root, caps = archive
    source = WarcSource(root)
    try:
        hit = source.lookup(ARTICLE)
        assert isinstance(hit, ReplayHit)
        # The 503 came last, but a failed fetch does not hide the good capture before it; that
        # capture is the revisit, answered with its own headers and the original's body.
        assert hit.status == 200
        assert gzip.decompress(hit.body) == V2  # on-the-wire form: still gzip-encoded
        assert ("Content-Encoding", "gzip") in hit.headers
        assert ("Set-Cookie", "seen=2") in hit.headers
        assert hit.protocol == "HTTP/1.1"
        assert hit.capture == caps["v2-again"]
        assert hit.capture["fetched_at"].startswith("2026-11-29T")
    finally:
        source.close()


def test_server_error_is_served_when_it_is_all_there_is(tmp_path: Path) -> None:
    ext = make_writer(tmp_path)
    cap = capture(ext, *exchange(ARTICLE, b"busy", status=503))
    ext.spider_closed(ext.crawler.spider)
    hit = WarcSource(tmp_path).lookup(ARTICLE)
    assert hit is not None and hit.status == 503 and hit.body == b"busy"
    assert hit.capture == cap


def test_redirects_replay_as_redirects_and_misses_are_none(archive) -> None:
    root, caps = archive
    source = WarcSource(root / "warc")  # a directory of WARCs works as well as the archive dir
    hit = source.lookup("http://www.northnews.cn/news")
    assert hit is not None and hit.status == 301
    assert ("Location", "http://www.northnews.cn/news/") in hit.headers
    assert hit.capture == caps["moved"]
    assert source.lookup("http://www.northnews.cn/news/") is None
    assert source.lookup("http://elsewhere.example/") is None


def test_urls_match_across_http_and_https_and_ignore_fragments(archive) -> None:
    root, caps = archive
    source = WarcSource(root)
    assert source.lookup(ARTICLE.replace("http:", "https:") + "#top").capture == caps["v2-again"]
    hit = source.lookup("http://english.northnews.cn/a.shtml")
    assert hit is not None and hit.body == b"<p>en</p>" and hit.capture == caps["english"]
    assert hit.url == "http://english.northnews.cn/a.shtml"


def test_a_single_file_and_the_lead_s_open_source(archive) -> None:
    root, caps = archive
    first = root / "warc" / caps["v1"]["warc"]["file"]
    hit = WarcSource(first).lookup(ARTICLE)
    assert hit is not None and gzip.decompress(hit.body) == V1 and hit.capture == caps["v1"]
    assert isinstance(open_source(root), WarcSource)
    assert isinstance(open_source(first), WarcSource)


def test_replay_reads_an_open_file_left_by_a_kill(tmp_path: Path) -> None:
    ext = make_writer(tmp_path)
    cap = capture(ext, *exchange(ARTICLE, V1))
    capture(ext, *exchange("http://www.northnews.cn/b.shtml", V2))
    open_path = ext.files.current.path
    data = open_path.read_bytes()
    copy = tmp_path / "copy" / "warc"
    copy.mkdir(parents=True)
    (copy / open_path.name).write_bytes(data[:-20])  # last record cut in half
    ext.spider_closed(ext.crawler.spider)
    source = WarcSource(copy.parent)
    hit = source.lookup(ARTICLE)
    assert hit is not None and hit.body == V1
    assert hit.capture["warc"]["file"] == cap["warc"]["file"]  # the name it will have when closed
    assert source.lookup("http://www.northnews.cn/b.shtml") is not None  # its request was cut, not it


def test_no_warc_under_the_path_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "warc").mkdir()
    with pytest.raises(ValueError, match="no WARC"):
        WarcSource(tmp_path)


def test_an_index_older_than_its_warc_is_not_trusted(tmp_path: Path) -> None:
    import os

    ext = make_writer(tmp_path)
    cap = capture(ext, *exchange(ARTICLE, V1))
    ext.spider_closed(ext.crawler.spider)
    [warc] = (tmp_path / "warc").glob("*.warc.gz")
    index = warc.with_name(warc.name.replace(".warc.gz", ".cdxj"))
    index.write_text("")  # an index that lists nothing...
    os.utime(index, (0, 0))  # ...and predates its file
    source = WarcSource(tmp_path)
    assert source.indexed_files == 0
    assert source.lookup(ARTICLE).capture == cap


def test_the_readers_import_no_scrapy() -> None:
    """Scanning, indexing, checking, recovery and WARC replay are usable outside a crawl."""
    import subprocess
    import sys

    code = ("import sys; import northnews.archive.warcreplay, northnews.archive.cli, northnews.archive.check, "
            "northnews.archive.recover, northnews.archive.mirror, northnews.archive.files, northnews.archive.http; "
            "print(sorted(m for m in ('scrapy', 'twisted') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_dates_read_without_the_general_parsers_are_theirs() -> None:
    """The CDXJ timestamp and the WARC-Date of a capture, read by a shortcut for their usual form,
    are what warcio's timestamp_to_datetime and iso_z(parse_iso(...)) make of them, any form."""
    import random

    from warcio.timeutils import timestamp_to_datetime

    from northnews.archive import warcreplay
    from northnews.archive.warcreplay import _cdxj_datetime, _fetched_at, _warc_datetime

    iso_z = warcreplay.iso_z  # the general formatter the module uses

    rng = random.Random(19)

    def parts() -> list[int]:  # year, month, day, hour, minute, second, out of range too
        return [rng.randint(0, 9999), *(rng.randint(0, top) for top in (13, 32, 25, 61, 61))]

    stamps = ["20261207235654", "20240229120000", "20230229120000", "20261307235654", "20261207246060",
              "2026120723", "2026", "00010101000000", "18991231235959", "30000101000000", *(
                  "{:04d}{:02d}{:02d}{:02d}{:02d}{:02d}".format(*parts()) for _ in range(2000))]
    for ts in stamps:
        try:
            expected = timestamp_to_datetime(ts, tz_aware=True)
        except ValueError:
            with pytest.raises(ValueError):
                _cdxj_datetime(ts)
            continue
        assert _cdxj_datetime(ts) == expected, ts
    fractions = ["", "", ".581540", ".581", ".5", ".", ".1234567", ".58154a"]
    dates = ["2026-12-07T23:56:54Z", "2026-12-07T23:56:54.581540Z", "2026-12-07T24:00:00.000000Z", "2026-12-07T23:56:54.123456Z", "2026-12-07T24:00:00Z", "0999-01-01T00:00:00Z",
             "1000-01-01T00:00:00Z", "2026-12-07 23:56:54Z", "2026-12-07T23:56:54+08:00", "", None, *(
                 "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}Z".format(*parts(), rng.choice(fractions))
                 for _ in range(4000))]
    for date in dates:
        assert _fetched_at(date) == iso_z(_warc_datetime(date)), date
