"""WARC reading alone, warcio against FastWARC, on our own archives (issue 19.3: "extract reads with
the fastest reader that passes every archive test").

    .venv/bin/python -m benchmarks.warcread ARCHIVE_DIR_OR_WARC [--repeat N]

Two ways ``northnews-archive extract`` and replay read a WARC, each timed with both libraries
(median of ``--repeat`` runs, one warm-up): **sequential**, every record of every file in order with
its HTTP headers parsed and its payload read (``check``, ``index``, a sequential extract); **by
offset**, each response/revisit record at its CDXJ offset (replay's lookups, extract today): a seek,
a fresh iterator, one record. Also a hand-written single-member reader (zlib, bytes.split) as the
floor. FastWARC is not a dependency: the benchmark says so and measures warcio alone without it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator as WarcioIterator

from northnews.archive.paths import index_path, iter_warc_files


def warcio_sequential(path: Path) -> int:
    n = 0
    with open(path, "rb") as fh:
        for record in WarcioIterator(fh):
            _ = record.http_headers and record.http_headers.get_statuscode()
            n += len(record.content_stream().read()) if record.rec_type == "response" else 0
    return n


def fastwarc_sequential(path: Path) -> int:
    from fastwarc import ArchiveIterator, WarcRecordType

    n = 0
    for record in ArchiveIterator(str(path), parse_http=True, auto_decode="none", fsspec_args=False):
        _ = record.http_headers and record.http_headers.status_code
        n += len(record.reader.read()) if record.record_type == WarcRecordType.response else 0
    return n


def offsets(path: Path) -> list[tuple[int, int]]:
    out = []
    for line in index_path(path).read_text(encoding="utf-8").splitlines():
        fields = json.loads(line.split(" ", 2)[2])
        out.append((int(fields["offset"]), int(fields["length"])))
    return sorted(out)


def warcio_by_offset(path: Path, where: list[tuple[int, int]]) -> int:
    n = 0
    with open(path, "rb") as fh:
        for offset, _ in where:
            fh.seek(offset)
            record = next(iter(WarcioIterator(fh)))
            _ = record.http_headers and record.http_headers.get_statuscode()
            n += len(record.raw_stream.read())
    return n


def fastwarc_by_offset(path: Path, where: list[tuple[int, int]]) -> int:
    from fastwarc import ArchiveIterator

    n = 0
    with open(path, "rb") as fh:
        for offset, _ in where:
            fh.seek(offset)
            record = next(iter(ArchiveIterator(fh, parse_http=True, auto_decode="none", fsspec_args=False)))
            _ = record.http_headers and record.http_headers.status_code
            n += len(record.reader.read())
    return n


def ours_by_offset(path: Path, where: list[tuple[int, int]]) -> int:
    """What replay and extract do: :func:`northnews.archive.fastread.read_at` with the index's
    length (the member's bytes in one read, zlib, FastWARC on the bytes; warcio where it declines)."""
    from northnews.archive import fastread

    n = 0
    with open(path, "rb") as fh:
        for offset, length in where:
            record = fastread.read_at(fh, offset, None, length)
            if record is None:
                fh.seek(offset)
                n += len(next(iter(WarcioIterator(fh))).raw_stream.read())
                continue
            n += len(record.raw_stream.read())
    return n


def zlib_by_offset(path: Path, where: list[tuple[int, int]]) -> int:
    """The floor: read the member's bytes, inflate, split the headers (no checks at all)."""
    n = 0
    with open(path, "rb") as fh:
        for offset, length in where:
            fh.seek(offset)
            data = zlib.decompressobj(31).decompress(fh.read(length))
            _warc, _, block = data.partition(b"\r\n\r\n")
            _http, _, payload = block.partition(b"\r\n\r\n")
            n += len(payload)
    return n


def timed(fn: Callable[[], object], repeat: int) -> float:
    fn()
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("path")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    files = [p for p in iter_warc_files(args.path) if index_path(p).exists()]
    try:
        import fastwarc  # noqa: F401
        have_fastwarc = True
    except ImportError:
        have_fastwarc = False
        print("(FastWARC is not installed: `pip install fastwarc` to measure it)")
    records = sum(len(offsets(p)) for p in files)
    size = sum(p.stat().st_size for p in files) / 1e6
    print(f"{len(files)} file(s), {size:.1f} MB, {records} indexed records; median of {args.repeat}")
    print("| read | warcio ms | FastWARC ms | FastWARC speed-up | zlib floor ms |")
    print("| --- | ---:| ---:| ---:| ---:|")
    seq_w = timed(lambda: [warcio_sequential(p) for p in files], args.repeat)
    seq_f = timed(lambda: [fastwarc_sequential(p) for p in files], args.repeat) if have_fastwarc else float("nan")
    print(f"| sequential, every record | {seq_w * 1e3:.0f} | {seq_f * 1e3:.0f} | {seq_w / seq_f:.1f}x | - |")
    where = {p: offsets(p) for p in files}
    off_w = timed(lambda: [warcio_by_offset(p, where[p]) for p in files], args.repeat)
    off_f = timed(lambda: [fastwarc_by_offset(p, where[p]) for p in files], args.repeat) if have_fastwarc else float("nan")
    off_z = timed(lambda: [zlib_by_offset(p, where[p]) for p in files], args.repeat)
    print(f"| by CDXJ offset, indexed records | {off_w * 1e3:.0f} | {off_f * 1e3:.0f} | {off_w / off_f:.1f}x | {off_z * 1e3:.0f} |")
    off_o = timed(lambda: [ours_by_offset(p, where[p]) for p in files], args.repeat) if have_fastwarc else float("nan")
    print(f"per indexed record by offset: warcio {off_w / records * 1e6:.0f} µs, FastWARC {off_f / records * 1e6:.0f} µs, "
          f"ours (fastread.read_at with the index's length: one read, zlib, FastWARC on the bytes) "
          f"{off_o / records * 1e6:.0f} µs, zlib floor {off_z / records * 1e6:.0f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
