"""Scrapy's duplicate filter with its seen-set in ~20 bytes a request (``DUPEFILTER_CLASS``).

Scrapy's ``RFPDupeFilter`` keeps every request fingerprint it has seen as a ``bytes`` object in a
``set`` (~90 bytes a request, for the whole crawl). :class:`CompactDupeFilter` is the same filter,
the same fingerprints (``crawler.request_fingerprinter``), the same ``JOBDIR`` file
(``requests.seen``: each fingerprint as its 2-byte big-endian length and the fingerprint, read back
when a job resumes), the same logging and stats; only the set is a
:class:`~northnews.util.digestset.DigestSet`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.dupefilters import RFPDupeFilter

from northnews.util.digestset import DigestSet

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.utils.request import RequestFingerprinterProtocol

_LENGTH_BYTES = 2  # requests.seen: each fingerprint's length, big-endian, then the fingerprint


class CompactDupeFilter(RFPDupeFilter):
    def __init__(self, path: str | None = None, debug: bool = False, *,
                 fingerprinter: RequestFingerprinterProtocol | None = None) -> None:
        super().__init__(None, debug, fingerprinter=fingerprinter)  # no file: ours is read below
        self._sizes: dict[int, DigestSet] = {}
        if path:
            self.file = Path(path, "requests.seen").open("a+b")  # noqa: SIM115 - closed in close()
            self.file.seek(0)
            data = self.file.read()
            at = 0
            while at + _LENGTH_BYTES <= len(data):
                size = int.from_bytes(data[at : at + _LENGTH_BYTES], "big")
                fp = data[at + _LENGTH_BYTES : at + _LENGTH_BYTES + size]
                if len(fp) < size:
                    break
                self._set_for(fp).add(fp)
                at += _LENGTH_BYTES + size
            if at < len(data):  # a write cut short by a kill (that request was never scheduled):
                self.file.truncate(at)  # cut it off, or every later record would be misread

    def _set_for(self, fp: bytes) -> DigestSet:
        found = self._sizes.get(len(fp))
        if found is None:  # one size in practice (SHA-1: 20); a custom fingerprinter may differ
            found = self._sizes[len(fp)] = DigestSet(size=len(fp))
        return found

    def request_seen(self, request: Request) -> bool:
        fp = self.fingerprinter.fingerprint(request)
        if not self._set_for(fp).add(fp):
            return True
        if self.file:
            self.file.write(len(fp).to_bytes(_LENGTH_BYTES, "big") + fp)
        return False
