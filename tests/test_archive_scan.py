"""Reading a WARC past damage (northnews.archive.scan.WarcScan), on files warcio writes.

The files and the expected offsets come from warcio alone (its writer and its own iterator), not
from northnews: what WarcScan reports must agree with the reference reader on a whole file, and
say where the damage is on a broken one.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from northnews.archive.scan import WarcScan
from tests.warc_helpers import WARCIO_URLS as URLS
from tests.warc_helpers import write_warcio_file as write_warc


@pytest.mark.parametrize("gzip", [True, False], ids=["warc.gz", "warc"])
def test_a_whole_file_reads_as_warcio_reads_it(tmp_path: Path, gzip: bool) -> None:
    path = tmp_path / ("a.warc.gz" if gzip else "a.warc")
    spans = write_warc(path, gzip)
    scan = WarcScan(path, file_sha1=True)
    records = list(scan)
    assert [r.target_uri for r in records] == URLS
    assert [r.rec_type for r in records] == ["response"] * 3
    assert [r.status_code() for r in records] == [200] * 3
    assert [r.offset for r in records] == [offset for offset, _ in spans]
    if gzip:  # a member's length; uncompressed, the record's without its trailing blank lines
        assert [r.length for r in records] == [length for _, length in spans]
    assert scan.ok and scan.damages == [] and scan.count == 3
    assert scan.good_end == path.stat().st_size
    assert scan.sha1 == hashlib.sha1(path.read_bytes()).hexdigest()


def test_a_damaged_member_is_skipped_and_the_records_after_it_are_read(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    spans = write_warc(path, gzip=True)
    data = bytearray(path.read_bytes())
    (second, length), (third, _) = spans[1], spans[2]
    data[second + length // 2: second + length // 2 + 64] = b"\0" * 64  # inside the deflate stream
    path.write_bytes(bytes(data))
    scan = WarcScan(path)
    assert [r.target_uri for r in scan] == [URLS[0], URLS[2]]
    assert not scan.ok and scan.error_offset == second
    [damage] = scan.damages
    assert (damage.offset, damage.end, damage.records_lost) == (second, third, 1)
    assert damage.describe().startswith(f"damaged at offset {second} to {third} (1 record lost): ")


def test_a_cut_file_without_resync_stops_at_its_last_whole_record(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz.open"
    spans = write_warc(path, gzip=True)
    third, length = spans[2]
    with open(path, "r+b") as fh:
        fh.truncate(third + length // 2)  # a kill while the third record was written
    scan = WarcScan(path, resync=False)
    assert [r.target_uri for r in scan] == URLS[:2]
    assert scan.good_end == third
    [damage] = scan.damages
    assert (damage.offset, damage.end) == (third, None)
    assert "to the end of the file" in damage.describe()


def test_a_scan_reads_its_file_once(tmp_path: Path) -> None:
    path = tmp_path / "a.warc.gz"
    write_warc(path, gzip=True)
    scan = WarcScan(path)
    list(scan)
    with pytest.raises(RuntimeError, match="reads its file once"):
        list(scan)
