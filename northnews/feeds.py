"""Feed files that are never half-written and never emptied by a run that did nothing.

Scrapy's ``FileFeedStorage`` opens an overwritten feed (``-O``, and the default
``<archive>/articles.jsonl``) at the start of the crawl, so a run that dies, or that fetches
nothing at all (a mistyped replay path before northnews checked it, an unreachable site, a
robots.txt that disallows everything), leaves the feed empty or cut. This storage, registered for
local files in ``FEED_STORAGES``, writes an overwritten feed to ``<feed>.part`` and moves it over
the feed only when the crawl ends, atomically (``os.replace``), and only

* if every write succeeded (a full disk leaves the previous feed, stops the crawl, and
  ``northnews-cron`` exits 9), and
* if the run stored at least one item, or finished normally having answered at least one page
  with 200 (an incremental run that found nothing new does empty the feed: its items are none).

Otherwise the previous feed is kept, with a WARNING saying why, and the ``.part`` file removed.
Appended feeds (``-o``) are written in place, as Scrapy does, with the same write-error handling.
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy.extensions.feedexport import FileFeedStorage

from northnews.writeerrors import stop_crawl

if TYPE_CHECKING:  # pragma: no cover
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

PART = ".part"


class _GuardedFile(io.FileIO):
    """A feed file whose failing write (disk full) stops the crawl once, instead of raising."""

    def __init__(self, path: str, mode: str, storage: SafeFileFeedStorage) -> None:
        super().__init__(path, mode)
        self.storage = storage

    def write(self, data: Any) -> int:  # type: ignore[override]
        if self.storage.failed is not None:
            return len(data)
        try:
            return super().write(data) or 0
        except OSError as exc:
            self.storage.write_failed(exc)
            return len(data)


class SafeFileFeedStorage(FileFeedStorage):
    def __init__(self, uri: str, *, feed_options: dict[str, Any] | None = None, crawler: Crawler | None = None) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.crawler = crawler
        self.overwrite = self.write_mode == "wb"
        self.failed: OSError | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None) -> SafeFileFeedStorage:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    @property
    def part(self) -> Path:
        return Path(self.path + PART)

    def open(self, spider: Spider) -> IO[bytes]:
        target = Path(self.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if self.overwrite:
            return _GuardedFile(str(self.part), "wb", self)
        return _GuardedFile(str(target), "ab", self)

    def write_failed(self, exc: OSError) -> None:
        self.failed = exc
        if self.crawler is not None:
            stop_crawl(self.crawler, "feed", exc)

    def store(self, file: IO[bytes]) -> None:
        try:
            file.close()
        except OSError as exc:
            self.failed = self.failed or exc
        if not self.overwrite:
            return None
        why = self._keep_reason()
        if why is None:
            try:
                os.replace(self.part, self.path)
                return None
            except OSError as exc:
                why = f"it could not be replaced ({exc.strerror or exc})"
        logger.warning("Feed %s left as it was: %s", self.path, why)
        try:
            self.part.unlink()
        except OSError:
            pass
        return None

    def _keep_reason(self) -> str | None:
        """Why the previous feed must stay, or ``None`` to replace it with this run's."""
        if self.failed is not None:
            return f"writing it failed ({self.failed.strerror or self.failed})"
        if self.crawler is None or not Path(self.path).exists():
            return None
        stats = self.crawler.stats
        if stats.get_value("item_scraped_count", 0):
            return None
        reason = stats.get_value("finish_reason")
        ok_pages = stats.get_value("downloader/response_status_count/200", 0) or stats.get_value(
            "northnews/replay/status/200", 0)
        if reason in (None, "finished") and ok_pages:
            return None
        return (f"this run produced no item (finish reason {reason or 'unknown'},"
                f" {ok_pages} pages answered 200)")
