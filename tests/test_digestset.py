"""The compact seen-sets (northnews/util/digestset.py) against Python's set and dict, and the
duplicate filter built on them (northnews/dupefilter.py) against Scrapy's, JOBDIR included."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.request import RequestFingerprinter

from northnews.dupefilter import CompactDupeFilter
from northnews.util.digestset import DigestSet, UrlLabels, UrlSet


def test_digest_set_agrees_with_a_set_across_merges() -> None:
    rng = random.Random(19)
    digests = DigestSet(batch=7)  # small batches: many merges into the sorted run
    reference: set[bytes] = set()
    for _ in range(3000):
        if reference and rng.random() < 0.3:
            digest = rng.choice(sorted(reference))
        else:
            digest = rng.randbytes(20)
        assert digests.add(digest) == (digest not in reference)
        reference.add(digest)
        assert len(digests) == len(reference)
    assert all(d in digests for d in reference)
    assert not any(rng.randbytes(20) in digests for _ in range(2000))
    # Neighbours of members (the last bit flipped) are not members.
    near = [d[:-1] + bytes([d[-1] ^ 1]) for d in sorted(reference)[:300]]
    assert [n in digests for n in near] == [n in reference for n in near]


def test_digest_set_refuses_a_digest_of_another_size() -> None:
    with pytest.raises(ValueError):
        DigestSet().add(b"short")


def test_url_set_and_labels_agree_with_set_and_dict() -> None:
    rng = random.Random(7)
    urls, labels = UrlSet(), UrlLabels()
    labels.digests.batch = urls.digests.batch = 5
    seen: set[str] = set()
    named: dict[str, str] = {}
    for _ in range(2000):
        url = f"http://www.northnews.cn/2015/0915/{rng.randint(0, 700)}.shtml"
        label = rng.choice(["要闻", "社会", "体育"])
        assert urls.add(url) == (url not in seen)
        seen.add(url)
        assert labels.setdefault(url, label) == named.setdefault(url, label)
    assert len(urls) == len(seen) and len(labels) == len(named)
    assert all(url in urls and labels.get(url) == named[url] for url in seen)
    assert "http://www.northnews.cn/nowhere" not in urls and labels.get("http://www.northnews.cn/nowhere") is None


def test_a_digest_set_holds_about_its_digests_bytes() -> None:
    digests = DigestSet()
    for n in range(50_000):
        digests.add(hashlib.sha1(str(n).encode()).digest())
    # 20 bytes a member in the run, plus at most one batch of recent additions in a dict.
    assert len(digests._run) <= 50_000 * 20
    assert len(digests._recent) < digests.batch


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
