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

Only our files (:mod:`northnews.util.safewrite`): a feed that is a symbolic link, a FIFO, a device
node or a directory is refused, before the crawl starts (:func:`check_feed_targets`, called by
``scrapy crawl``: one line, exit 2) and again when it is opened and replaced; a feed whose
directory does not take a new file (read-only) is refused the same way (exit 2) rather than
discovered after the crawl. A feed that could not be opened after all stops the crawl once
(``northnews_write_error``) instead of failing on every item, and the run's summary names it
as not written (stat ``northnews/feed/not_written``).
"""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy.extensions.feedexport import FileFeedStorage

from northnews.crawl.keys import FEED_NOT_WRITTEN
from northnews.crawl.writeerrors import stop_crawl
from northnews.util import safewrite

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

    def write(self, data: Any) -> int:
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
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            safewrite.check_target(target)
            if self.overwrite:
                safewrite.check_target(self.part)
            return _GuardedFile(str(self.part if self.overwrite else target), "wb" if self.overwrite else "ab", self)
        except (OSError, safewrite.NotOurs) as exc:
            # Once, here: an exporter without a file would fail again on every item.
            self.write_failed(exc if isinstance(exc, OSError) else OSError(str(exc)))
            return _GuardedFile(os.devnull, "wb", self)

    def write_failed(self, exc: OSError) -> None:
        first = self.failed is None
        self.failed = exc
        if first:
            self._not_written()
        if self.crawler is not None:
            stop_crawl(self.crawler, "feed", exc)

    def store(self, file: IO[bytes]) -> None:
        try:
            file.close()
        except OSError as exc:
            self.failed = self.failed or exc
        if not self.overwrite:
            if self.failed is not None:
                self._not_written()
            return None
        why = self._keep_reason()
        if why is None:
            try:
                safewrite.check_target(self.path)  # still a regular file (or none)
                os.replace(self.part, self.path)
                return None
            except safewrite.NotOurs as exc:
                why = str(exc)
            except OSError as exc:
                why = f"it could not be replaced ({exc.strerror or exc})"
        self._not_written()
        logger.warning("Feed %s left as it was: %s", self.path, why)
        try:
            self.part.unlink()
        except OSError:
            pass
        return None

    def _not_written(self) -> None:
        """The summary must not name this feed as written by the run."""
        if self.crawler is None:
            return
        done = list(self.crawler.stats.get_value(FEED_NOT_WRITTEN) or [])
        if self.path not in done:
            self.crawler.stats.set_value(FEED_NOT_WRITTEN, [*done, self.path])

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


def check_feed_targets(feeds: dict[str, Any]) -> None:
    """Every local feed of ``FEEDS`` is a regular file or a new name in a directory that takes a
    new file; raises :class:`~northnews.util.safewrite.NotOurs` or ``WriteFailed`` (one line)."""
    for uri in feeds:
        text = str(uri)
        if "://" in text and not text.startswith("file://"):
            continue  # not a local file: its own storage's business
        path = Path(text[len("file://"):] if text.startswith("file://") else text)
        if "%(" in text:  # a templated name: its directory is what can be checked now
            path = path.parent / "feed"
        if not path.parent.exists():
            continue  # created at open (mkdir): nothing to refuse yet
        safewrite.check_writable(path)
        safewrite.check_writable(path.with_name(path.name + PART))
