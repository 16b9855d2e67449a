"""The duplicate filter on compact seen-sets (northnews/crawl/dupefilter.py) against Scrapy's own, JOBDIR
file included (a file either writes, the other reads)."""

from __future__ import annotations

from pathlib import Path

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.request import RequestFingerprinter

from northnews.crawl.dupefilter import CompactDupeFilter


def _requests() -> list[Request]:
    urls = [f"http://www.northnews.cn/{n % 37}.shtml" for n in range(100)]
    urls += ["http://www.northnews.cn/a?b=1&a=2", "http://www.northnews.cn/a?a=2&b=1"]  # one canonical URL
    return [Request(u) for u in urls] + [Request("http://www.northnews.cn/1.shtml", method="POST", body=b"x")]


def test_the_duplicate_filter_filters_what_scrapys_does(tmp_path: Path) -> None:
    fingerprinter = RequestFingerprinter()
    ours, scrapys = CompactDupeFilter(fingerprinter=fingerprinter), RFPDupeFilter(fingerprinter=fingerprinter)
    assert [ours.request_seen(r) for r in _requests()] == [scrapys.request_seen(r) for r in _requests()]


def test_the_duplicate_filter_resumes_a_job_from_its_file(tmp_path: Path) -> None:
    fingerprinter = RequestFingerprinter()
    first = CompactDupeFilter(str(tmp_path), fingerprinter=fingerprinter)
    reqs = _requests()
    for r in reqs[:50]:
        first.request_seen(r)
    first.close("shutdown")
    ours_wrote = (tmp_path / "requests.seen").read_bytes()
    assert len(ours_wrote) == 37 * 22  # 37 distinct requests, each a 2-byte length and 20 bytes
    # Scrapy's own filter reads our file, and ours reads it back, with the same verdicts.
    scrapys = RFPDupeFilter(str(tmp_path), fingerprinter=fingerprinter)
    verdicts = [scrapys.request_seen(r) for r in reqs]
    scrapys.close("finished")
    (tmp_path / "requests.seen").write_bytes(ours_wrote + b"\x00\x14abc")  # and a record cut by a kill
    again = CompactDupeFilter(str(tmp_path), fingerprinter=fingerprinter)
    assert [again.request_seen(r) for r in reqs] == verdicts
    again.close("finished")
    # The cut record was cut off: what `again` added reads back whole, in Scrapy's filter too.
    final = RFPDupeFilter(str(tmp_path), fingerprinter=fingerprinter)
    assert all(final.request_seen(r) for r in reqs)
    final.close("finished")
