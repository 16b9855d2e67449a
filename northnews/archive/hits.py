"""What a replay source answers with: shared by the mirror and WARC sources and the replay
middleware, so that the sources (pure readers) never import the middleware or Scrapy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass
class ReplayHit:
    """One answer from a replay source, as it came over the wire."""

    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    protocol: str | None = None
    # Provenance of the record served: {"warc": {...}, "fetched_at": "..."} (WARC replay only).
    capture: dict[str, Any] | None = None


class ReplaySource(Protocol):
    def lookup(self, url: str) -> ReplayHit | None: ...

    def close(self) -> None: ...
