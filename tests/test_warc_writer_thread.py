"""The WARC writer's thread (NORTHNEWS_WARC_QUEUE_BYTES): the same bytes as writing inline, the
pointers exact, revisits of captures still in the queue, a bounded queue, and a crawl through
the middleware that waits for each pointer."""

from __future__ import annotations

from pathlib import Path

from northnews.archive.digests import DigestIndex
from tests.warc_helpers import Clock, Ids, exchange, make_writer, read_warc


def _exchanges() -> list[tuple[str, bytes]]:
    out = [(f"http://www.northnews.cn/{i}.shtml", f"<html>{i} {'x' * 700}</html>".encode()) for i in range(10)]
    # The same URL and payload twice in a row: the second is a revisit of the first, which the
    # digest index does not have yet when the second is queued.
    out.append(("http://www.northnews.cn/again.shtml", b"<html>same payload</html>"))
    out.append(("http://www.northnews.cn/again.shtml", b"<html>same payload</html>"))
    # Same URL, a changed payload: a full record again.
    out.append(("http://www.northnews.cn/again.shtml", b"<html>changed payload</html>"))
    return out


def _run(archive: Path, threaded: bool, **settings: object) -> tuple[list[dict], list[bytes], object]:
    if threaded:
        settings.setdefault("NORTHNEWS_WARC_QUEUE_BYTES", 16 * 1024 * 1024)  # the default (0) writes inline
    ext = make_writer(archive, NORTHNEWS_WARC_MAX_SIZE=3000, NORTHNEWS_WARC_GZIP_LEVEL=1, **settings)
    # Files are opened by the writer thread: their clock and ids apart from the exchanges', so
    # that both runs draw the same values whatever the threads' interleaving.
    ext.files.now = Clock()
    ext.files.make_id = Ids(1000)
    if threaded:
        ext.use_thread()
        assert ext._threaded
    requests = []
    for url, body in _exchanges():
        response, request = exchange(url, body, headers=[("Content-Type", "text/html")])
        ext.response_downloaded(response, request, ext.crawler.spider)
        requests.append(request)
    if threaded:
        # Nothing has been handed back yet: the reactor thread delivers (here: at close).
        assert ext._thread is not None
    ext.spider_closed(ext.crawler.spider)
    files = sorted((archive / "warc").glob("*.warc.gz"))
    return [r.meta["northnews_capture"] for r in requests], [f.read_bytes() for f in files], ext


def test_the_writer_thread_writes_the_same_bytes_and_pointers_as_inline(tmp_path: Path) -> None:
    inline_caps, inline_files, _ = _run(tmp_path / "inline", threaded=False)
    thread_caps, thread_files, ext = _run(tmp_path / "thread", threaded=True)
    assert len(inline_files) >= 3  # rotated
    assert thread_files == inline_files
    assert thread_caps == inline_caps
    # Each pointer names the response (or revisit) record the readers find there.
    archive = tmp_path / "thread"
    for cap, (url, _) in zip(thread_caps, _exchanges(), strict=True):
        records = read_warc(archive / "warc" / cap["warc"]["file"])
        [rec] = [r for r in records if r["offset"] == cap["warc"]["offset"]]
        assert rec["headers"]["WARC-Target-URI"] == url
        assert rec["headers"]["WARC-Record-ID"] == cap["warc"]["record_id"]
        assert rec["digest_ok"] is not False
    kinds = [read_warc(archive / "warc" / c["warc"]["file"]) for c in thread_caps[-3:]]
    types = [next(r["type"] for r in recs if r["headers"]["WARC-Record-ID"] == c["warc"]["record_id"])
             for recs, c in zip(kinds, thread_caps[-3:], strict=True)]
    assert types == ["response", "revisit", "response"]
    assert ext.stats.get_value("northnews/warc/revisit") == 1
    assert ext.stats.get_value("northnews/warc/response") == len(_exchanges()) - 1
    # The manifest has every file the thread rotated, and the digest index the last capture.
    index = DigestIndex.for_warc_dir(archive / "warc")
    try:
        files = sorted(p.name for p in (archive / "warc").glob("*.warc.gz"))
        assert [index.file_entry(name) is not None for name in files] == [True] * len(files)
        last = index.last("http://www.northnews.cn/again.shtml")
        assert last is not None and last.record_id == thread_caps[-1]["warc"]["record_id"]
    finally:
        index.close()


def test_a_full_queue_makes_the_reactor_wait_and_loses_nothing(tmp_path: Path) -> None:
    # One byte: every job waits for the one before it to be written.
    caps, files, ext = _run(tmp_path / "a", threaded=True, NORTHNEWS_WARC_QUEUE_BYTES=1)
    assert ext.stats.get_value("northnews/warc/queue_full") >= 1
    assert len(caps) == len(_exchanges()) and all(c["warc"]["offset"] >= 0 for c in caps)
    assert ext._queue.bytes == 0 and not ext._pending and not ext._recent and not ext._inflight_urls


def test_queue_bytes_zero_writes_inline(tmp_path: Path) -> None:
    ext = make_writer(tmp_path / "a", NORTHNEWS_WARC_QUEUE_BYTES=0)
    ext.use_thread()
    response, request = exchange("http://www.northnews.cn/1.shtml", b"<html>1</html>")
    ext.response_downloaded(response, request, ext.crawler.spider)
    assert ext._thread is None
    assert request.meta["northnews_capture"]["warc"]["offset"] > 0  # after the warcinfo record
    ext.spider_closed(ext.crawler.spider)


def test_a_write_error_on_the_thread_stops_the_crawl_and_loses_the_rest(tmp_path: Path, monkeypatch) -> None:
    import errno

    from northnews.archive import files

    calls = {"n": 0}
    real = files._write

    def failing(fd: int, data) -> int:
        calls["n"] += 1
        if calls["n"] > 2:  # warcinfo, then a response and request pair (one write), then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(fd, data)

    monkeypatch.setattr(files, "_write", failing)
    ext = make_writer(tmp_path / "a")
    ext.use_thread()
    requests = []
    for i in range(4):
        response, request = exchange(f"http://www.northnews.cn/{i}.shtml", b"<html>%d</html>" % i)
        ext.response_downloaded(response, request, ext.crawler.spider)
        requests.append(request)
    ext.spider_closed(ext.crawler.spider)
    assert ext.failed
    assert "northnews_capture" in requests[0].meta
    assert all("northnews_capture" not in r.meta for r in requests[2:])
    assert ext.stats.get_value("northnews/errors/warc_write") == 1
    assert ext.stats.get_value("northnews/warc/lost") == 3
