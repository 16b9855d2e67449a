"""CDXJ indexes: ours equal what pywb's own indexer (the real cdxj-indexer) writes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from northnews.archive import cdxj
from northnews.archive.cli import main as archive_main
from tests.warc_helpers import capture, exchange, make_writer

CDXJ_INDEXER = Path(sys.executable).parent / "cdxj-indexer"

URLS = [
    "http://www.northnews.cn/",
    "http://WWW.NorthNews.cn/news/guonei/index_2.shtml",
    "http://www.northnews.cn/search/?q=%E5%86%85%E8%92%99&b=2&a=1",
    "https://english.northnews.cn:8443/2015/0915/90412.shtml",
    "http://www.northnews.cn/2015/0915/2049381.shtml",
    "http://www.northnews.cn/2015/0915/2049381.shtml",  # again, same body: a revisit
    "http://www.northnews.cn/robots.txt",
]


def real_index(paths: list[Path]) -> list[str]:
    proc = subprocess.run([str(CDXJ_INDEXER), *map(str, paths)], capture_output=True, text=True, check=True)
    return sorted(line + "\n" for line in proc.stdout.splitlines() if line)


@pytest.fixture
def warc_dir(tmp_path: Path) -> Path:
    ext = make_writer(tmp_path, NORTHNEWS_WARC_MAX_SIZE=2500)
    for i, url in enumerate(URLS):
        headers = [("Content-Type", "text/html; charset=gb2312")] if "robots" not in url else []
        capture(ext, *exchange(url, b"<html>%d</html>" % (i if i != 5 else 4), headers=headers))
    capture(ext, *exchange("http://www.northnews.cn/news", status=301,
                           headers=[("Location", "http://www.northnews.cn/news/")]))
    ext.spider_closed(ext.crawler.spider)
    return tmp_path / "warc"


def test_writer_index_equals_cdxj_indexer(warc_dir: Path) -> None:
    warcs = sorted(warc_dir.glob("*.warc.gz"))
    assert len(warcs) > 1  # rotation happened: one index per file
    for warc in warcs:
        ours = cdxj.index_path(warc).read_text(encoding="utf-8").splitlines(keepends=True)
        assert ours, warc
        assert ours == real_index([warc])


def test_index_lists_every_capture_with_its_pointer(warc_dir: Path) -> None:
    entries = []
    for index in sorted(warc_dir.glob("*.cdxj")):
        for line in index.read_text(encoding="utf-8").splitlines():
            key, ts, fields = line.split(" ", 2)
            entries.append((key, ts, json.loads(fields)))
    assert {e[2]["url"] for e in entries} == set(URLS) | {"http://www.northnews.cn/news"}
    assert sum(e[2].get("mime") == "warc/revisit" for e in entries) == 1
    by_url = {e[2]["url"]: e for e in entries}
    key, ts, fields = by_url["http://www.northnews.cn/search/?q=%E5%86%85%E8%92%99&b=2&a=1"]
    assert key.startswith("cn,northnews)/search")
    assert len(ts) == 14 and ts.startswith("2026112811")  # the pinned test clock
    assert fields["status"] == "200" and fields["mime"] == "text/html"
    assert by_url["http://www.northnews.cn/news"][2]["status"] == "301"
    # offset/length/filename locate the record.
    with open(warc_dir / fields["filename"], "rb") as fh:
        fh.seek(int(fields["offset"]))
        from warcio.archiveiterator import ArchiveIterator

        rec = next(iter(ArchiveIterator(fh)))
        assert rec.rec_headers["WARC-Target-URI"] == fields["url"]


def test_cli_index_rebuilds_the_same_index_and_a_merged_one(warc_dir: Path, tmp_path: Path) -> None:
    before = {p.name: p.read_bytes() for p in warc_dir.glob("*.cdxj")}
    for p in warc_dir.glob("*.cdxj"):
        p.unlink()
    merged = tmp_path / "index.cdxj"
    assert archive_main(["-d", str(tmp_path), "index", "--merged", str(merged)]) == 0
    after = {p.name: p.read_bytes() for p in warc_dir.glob("*.cdxj")}
    assert after == before
    assert merged.read_text().splitlines(keepends=True) == real_index(sorted(warc_dir.glob("*.warc.gz")))
