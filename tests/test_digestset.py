"""The compact seen-sets (northnews/util/digestset.py) against Python's set and dict."""

from __future__ import annotations

import hashlib
import random

import pytest

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


def test_a_merge_holds_the_old_run_and_the_new_one_not_a_copy_of_its_slices() -> None:
    """Peak memory of a merge into a run of 50,000 digests (1 MB): the new run, not also the old
    run's slices between the recent additions as objects (copies or views: ~2x more)."""
    import tracemalloc

    rng = random.Random(5)
    digests = DigestSet(batch=1024)
    for _ in range(50_000):
        digests.add(rng.randbytes(20))
    while len(digests._recent) < 1023:
        digests.add(rng.randbytes(20))
    run_size = len(digests._run)
    last = rng.randbytes(20)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        digests.add(last)  # the batch's last: the merge
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert not digests._recent and last in digests
    assert peak < 1.2 * run_size, (peak, run_size)
