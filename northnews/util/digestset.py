"""An exact set of fixed-size digests in about their own size: the crawl-wide seen-sets.

A crawl remembers every URL it asked for (the spider's article URLs, Scrapy's duplicate filter):
a Python ``set`` of URL strings costs ~130 bytes an entry, ~90 for 20-byte ``bytes`` keys, and
grows with the portal (0.4 KB an article in all). :class:`DigestSet` keeps each member as its
digest (SHA-1 of the URL, or the request fingerprint Scrapy already computes: 20 bytes) in one
sorted ``bytearray`` run, plus a small dict of recent additions merged into the run in batches:
~20 bytes an entry, lookups by binary search (a few microseconds). It is exact, not a Bloom or
cuckoo filter: a member is never forgotten and a non-member is never reported, up to a SHA-1
collision (which Scrapy's own duplicate filter, keyed by the same fingerprints, accepts too).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable


def url_digest(url: str) -> bytes:
    """The 20-byte key of a URL in a :class:`DigestSet` (SHA-1 of its UTF-8 bytes)."""
    return hashlib.sha1(url.encode("utf-8", "surrogatepass")).digest()


class DigestSet:
    """Set of ``size``-byte digests (see module docstring); with ``value_size``, a map from each
    digest to a fixed-size value (the first value set for a digest stays, as ``dict.setdefault``)."""

    def __init__(self, digests: Iterable[bytes] = (), size: int = 20, batch: int = 1024, value_size: int = 0) -> None:
        self.size = size
        self.value_size = value_size
        self.batch = batch
        self._run = bytearray()  # records (digest + value), sorted by digest, distinct, concatenated
        self._recent: dict[bytes, bytes] = {}
        for digest in digests:
            self.add(digest)

    def __len__(self) -> int:
        return len(self._run) // (self.size + self.value_size) + len(self._recent)

    def __contains__(self, digest: object) -> bool:
        return digest in self._recent or (isinstance(digest, bytes) and self._find(digest) is not None)

    def add(self, digest: bytes) -> bool:
        """Add ``digest``; True if it was not there yet."""
        return self.setdefault(digest, bytes(self.value_size)) is None

    def get(self, digest: bytes) -> bytes | None:
        """The value of ``digest``, None if absent."""
        found = self._recent.get(digest)
        return found if found is not None else self._find(digest)

    def setdefault(self, digest: bytes, value: bytes) -> bytes | None:
        """Set ``digest``'s value unless it has one; returns the value it had (None: added)."""
        if len(digest) != self.size or len(value) != self.value_size:
            raise ValueError(f"a {len(digest)}+{len(value)}-byte record in a set of {self.size}+{self.value_size}")
        had = self.get(digest)
        if had is not None:
            return had
        self._recent[digest] = value
        if len(self._recent) >= self.batch:
            self._merge()
        return None

    def _bisect(self, digest: bytes) -> int:
        """Index of the first record whose digest is >= ``digest``."""
        run, n, k = self._run, self.size + self.value_size, self.size
        lo, hi = 0, len(run) // n
        while lo < hi:
            mid = (lo + hi) // 2
            if run[mid * n : mid * n + k] < digest:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def _find(self, digest: bytes) -> bytes | None:
        n, k = self.size + self.value_size, self.size
        at = self._bisect(digest) * n
        if self._run[at : at + k] == digest:
            return bytes(self._run[at + k : at + n])
        return None

    def _merge(self) -> None:
        """Fold the recent additions into the sorted run: the new run is written into one
        ``bytearray`` of its final size, a slice of the old run at a time, so a merge holds the old
        run and the new one and nothing else (slices as objects, copies or views, cost as much as
        the run again: 4,096 of them into a 1 MB run)."""
        n, k = self.size + self.value_size, self.size
        old = self._run
        merged = bytearray(len(old) + len(self._recent) * n)
        pos = start = 0
        with memoryview(old) as run:
            for digest in sorted(self._recent):
                at = self._bisect(digest) * n
                merged[pos : pos + at - start] = run[start:at]
                pos += at - start
                merged[pos : pos + k] = digest
                merged[pos + k : pos + n] = self._recent[digest]
                pos += n
                start = at
            merged[pos:] = run[start:]
        self._run = merged
        self._recent = {}


class UrlSet:
    """A :class:`DigestSet` of URLs: ``url in s``, ``s.add(url)``."""

    def __init__(self) -> None:
        self.digests = DigestSet()

    def __len__(self) -> int:
        return len(self.digests)

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and url_digest(url) in self.digests

    def add(self, url: str) -> bool:
        return self.digests.add(url_digest(url))


class UrlLabels:
    """URL -> one of a few labels (a section's name, say), ``setdefault``/``get`` as a dict's, in
    ~22 bytes a URL: each URL as its digest, each label as its number (at most 65,536 labels)."""

    def __init__(self) -> None:
        self.digests = DigestSet(value_size=2)
        self.labels: list[str] = []
        self._numbers: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self.digests)

    def setdefault(self, url: str, label: str) -> str:
        number = self._numbers.get(label)
        if number is None:
            if len(self.labels) >= 1 << 16:
                raise OverflowError("more than 65,536 distinct labels")
            number = self._numbers[label] = len(self.labels)
            self.labels.append(label)
        had = self.digests.setdefault(url_digest(url), number.to_bytes(2, "big"))
        return label if had is None else self.labels[int.from_bytes(had, "big")]

    def get(self, url: str) -> str | None:
        found = self.digests.get(url_digest(url))
        return None if found is None else self.labels[int.from_bytes(found, "big")]
