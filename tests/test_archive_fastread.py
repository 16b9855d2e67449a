"""northnews.archive.fastread: FastWARC's reading of a record at its offset is warcio's, record for
record, on every WARC fixture (ours of the first release, wget's, a fresh crawl's) — or it steps aside
(``None``) and warcio reads it; damage is never FastWARC's to judge."""

from __future__ import annotations

import gzip
import io
import json
import zlib
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from northnews.archive import cdxj, fastread
from northnews.archive.scan import WarcScan
from tests.conftest import REPO

pytestmark = pytest.mark.skipif(not fastread.AVAILABLE, reason="FastWARC is not installed (pip install fastwarc)")

FIXTURES = sorted((REPO / "tests" / "fixtures").glob("archive_*/**/*.warc.gz"))


def warcio_view(fh, offset: int) -> tuple:
    fh.seek(offset)
    r = next(iter(ArchiveIterator(fh)))
    http = r.http_headers
    return (r.rec_type, r.rec_headers.headers,
            http and (http.get_statuscode(), http.headers, http.protocol), r.raw_stream.read())


def fast_view(record: fastread.FastRecord) -> tuple:
    http = record.http_headers
    return (record.rec_type, record.rec_headers.headers,
            http and (http.get_statuscode(), http.headers, http.protocol), record.raw_stream.read())


def indexed(path: Path) -> list[tuple[int, str]]:
    return [(offset, url) for offset, url, _length in indexed_lengths(path)]


def indexed_lengths(path: Path) -> list[tuple[int, str, int]]:
    fields = [json.loads(line.split(" ", 2)[2]) for line in cdxj.lines_for(WarcScan(path), path.name)]
    return [(int(f["offset"]), f.get("url", ""), int(f["length"])) for f in fields]


def test_there_are_fixtures_to_compare() -> None:
    assert len(FIXTURES) >= 5


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(REPO / "tests" / "fixtures")))
def test_every_indexed_record_reads_as_warcio_reads_it_or_is_left_to_warcio(path: Path) -> None:
    answered = 0
    with open(path, "rb") as fh:
        for offset, url in indexed(path):
            fast = fastread.read_at(fh, offset, url)
            if fast is None:
                continue  # warcio reads it (wget's <http://…> target URIs, say)
            answered += 1
            assert fast_view(fast) == warcio_view(fh, offset), (path.name, offset, url)
    if "wget" not in path.name:
        assert answered  # our own files are read by the fast path


@pytest.mark.parametrize("path", FIXTURES, ids=lambda p: str(p.relative_to(REPO / "tests" / "fixtures")))
def test_with_the_indexed_length_every_record_reads_the_same_or_is_left_to_warcio(path: Path) -> None:
    """The record's bytes read in one call (the index's length) give what warcio gives, and what
    the read through the file gives."""
    answered = 0
    with open(path, "rb") as fh:
        for offset, url, length in indexed_lengths(path):
            fast = fastread.read_at(fh, offset, url, length)
            if fast is None:
                assert fastread.read_at(fh, offset, url) is None, (path.name, offset, url)
                continue
            answered += 1
            assert fast_view(fast) == warcio_view(fh, offset), (path.name, offset, url)
    if "wget" not in path.name:
        assert answered


def one_record(path: Path) -> tuple[bytes, int, str]:
    offset, url = next((o, u) for o, u in indexed(path) if u.endswith(".shtml"))
    with open(path, "rb") as fh:
        fh.seek(offset)
        data = fh.read()
    d = zlib.decompressobj(31)  # one gzip member: where it ends
    d.decompress(data)
    return data[: len(data) - len(d.unused_data)], offset, url


def test_a_damaged_or_cut_record_is_left_to_warcio() -> None:
    path = next(p for p in FIXTURES if "archive_v1_full" in str(p))
    member, _offset, url = one_record(path)
    assert fastread.read_at(io.BytesIO(member), 0, url) is not None
    overwritten = bytearray(member)
    overwritten[len(member) // 2: len(member) // 2 + 16] = b"\0" * 16
    assert fastread.read_at(io.BytesIO(bytes(overwritten)), 0, url) is None
    assert fastread.read_at(io.BytesIO(member[:-40]), 0, url) is None  # the gzip member cut short
    plain = gzip.decompress(member)
    assert fastread.read_at(io.BytesIO(plain[:-60]), 0, url) is None  # the block cut short
    assert fastread.read_at(io.BytesIO(member), 0, url + "?other") is None  # not the record the index names
    # With the index's length: the same verdicts, and a length that is not the member's is none.
    n = len(member)
    assert fastread.read_at(io.BytesIO(member), 0, url, n) is not None
    assert fastread.read_at(io.BytesIO(bytes(overwritten)), 0, url, n) is None
    assert fastread.read_at(io.BytesIO(member), 0, url, n - 40) is None  # a stale length: cut short
    assert fastread.read_at(io.BytesIO(member + member), 0, url, 2 * n) is None  # two members
    assert fastread.read_at(io.BytesIO(plain[:-60]), 0, url, len(plain) - 60) is None
    assert fastread.read_at(io.BytesIO(plain), 0, url, len(plain)) is not None  # an uncompressed WARC
