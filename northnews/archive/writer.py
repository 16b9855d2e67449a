"""WARC capture of every HTTP exchange of a live crawl: the ``WarcWriter`` extension.

It listens to ``response_downloaded``, where Scrapy still holds the wire form of a response: the
body still content-encoded with its ``Content-Encoding``, every value of repeated headers, the
protocol and the peer's IP address. Redirects, 4xx/5xx answers, retries and robots.txt all pass
there; replayed responses (``-a replay=``) do not, so replay never re-archives.

Each exchange becomes a ``response`` record (or a ``revisit`` when the URL's payload is unchanged
since its last capture, per the digest index) followed by its ``request`` record (built by
:mod:`northnews.archive.http`), written into rotating files (:mod:`northnews.archive.files`).
The extension hands the spider a pointer to the record in ``request.meta["northnews_capture"]``.

**Off the reactor thread, when asked** (``NORTHNEWS_WARC_QUEUE_BYTES`` > 0; the default, 0,
writes inline: on 2 idle cores the thread measured slower, its Python record building contending
for the GIL with the engine; README, "The archive"). Building, serialising, digesting and gzipping the records and writing
them (most of the cost: zlib and sha1 release the GIL, so the second core does the compression
while the engine goes on) happen on one writer thread, fed through a queue bounded in bytes
(``NORTHNEWS_WARC_QUEUE_BYTES``: when it is full the reactor waits, memory never grows). The
record's offset, which the spider needs, depends on the compressed size of everything before it,
so the pointer is delivered when the record is on disk: ``FailedFetchRecorder``, the downloader
middleware next to the downloader, awaits it in ``process_response`` before any other middleware
or the spider sees the response (the downloader's slot is already free: other downloads go on
meanwhile). Every decision that reads or writes SQLite stays on the reactor thread: the revisit
lookup before the job is queued, the digest index entry and the file manifest entry (of a file
the thread rotated) when the thread reports the write. Records, rotation, the order of records and
the on-disk guarantees are those of writing inline: a record is written whole before its pointer
exists, its digest entry after it, and what a kill leaves is recovered as before. Without the
middleware (a project that removed it; tests driving the extension directly) or with
``NORTHNEWS_WARC_QUEUE_BYTES=0`` the same code runs inline, on the reactor thread.

Cost (``make bench``, loopback, CPU-bound crawl with no delay): see the README's Benchmarks.
"""

from __future__ import annotations

import json
import logging
import platform
import queue
import socket
import sys
import threading
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import defer, task

from northnews import __version__, config
from northnews.archive.digests import INDEX_ERRORS, Capture, open_digest_index
from northnews.archive.files import WarcFiles
from northnews.archive.http import Original, exchange_raw, failure_records
from northnews.archive.recover import Recovery, Repair, recover_all, repair_all
from northnews.crawl.keys import CAPTURE_META, WARC_ERROR_REASON
from northnews.sites import DEFAULT_SITE, SiteError, load_site
from northnews.util.clock import iso_z, utc_now
from northnews.util.digest import sha1_base32
from northnews.util.redact import redact_command

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

CONFORMS_TO = "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
# Settings worth recording in each file's warcinfo: they shape what the crawl captured.
WARCINFO_SETTINGS = (
    "USER_AGENT", "ROBOTSTXT_OBEY", "DOWNLOAD_DELAY", "AUTOTHROTTLE_ENABLED",
    "CONCURRENT_REQUESTS", "CONCURRENT_REQUESTS_PER_DOMAIN", "DOWNLOAD_TIMEOUT", "RETRY_TIMES",
    "COOKIES_ENABLED", "DEPTH_LIMIT", "NORTHNEWS_SITE",
)


_HTTP = ("http://", "https://")  # what nearly every URL starts with: no urlsplit needed


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "unknown"


class WarcWriter:
    """Scrapy extension: archive every downloaded HTTP exchange (see module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.warc_dir = config.archive_dir(settings) / "warc"
        self.revisits = settings.getbool("NORTHNEWS_WARC_REVISITS", True)
        self.operator = settings.get("NORTHNEWS_WARC_OPERATOR", "")
        #: Request headers whose values never reach a WARC, beyond Cookie and the credentials.
        self.redact_names = tuple(settings.getlist("NORTHNEWS_REDACT_HEADERS"))
        level = settings.getint("NORTHNEWS_WARC_GZIP_LEVEL", 6)
        if not 0 <= level <= 9:
            raise ValueError(f"NORTHNEWS_WARC_GZIP_LEVEL must be 0-9, not {level}")
        self.now: Callable[[], datetime] = utc_now
        self.make_id: Callable[[], str] = lambda: f"<urn:uuid:{uuid.uuid4()}>"
        # Beside the WARCs, or on the store's PostgreSQL server: shared by a fleet's workers.
        self.index = open_digest_index(self.warc_dir, settings.get("NORTHNEWS_STORE_URL") or None)
        self.files = WarcFiles(
            self.warc_dir,
            prefix=settings.get("NORTHNEWS_WARC_PREFIX", "northnews"),
            max_size=settings.getint("NORTHNEWS_WARC_MAX_SIZE", 1_000_000_000),
            gzip_level=level,
            warcinfo=self._warcinfo,
            index=_Manifest(self),  # type: ignore[arg-type]  # only add_file is called
            hostname=settings.get("NORTHNEWS_WARC_HOSTNAME") or None,
            worker=settings.get("NORTHNEWS_WORKER") or None,
            now=lambda: self.now(),
            make_id=lambda: self.make_id(),
        )
        self.failed = False
        self._committer: task.LoopingCall | None = None
        # The writer thread (see the module docstring); inline until FailedFetchRecorder asks.
        self.queue_bytes = settings.getint("NORTHNEWS_WARC_QUEUE_BYTES", 0)
        self._threaded = False
        self._thread: threading.Thread | None = None
        self._queue = _JobQueue(self.queue_bytes)
        self._events: deque[_Job | tuple[str, int, str, int, str, str]] = deque()
        self._drain_scheduled = False
        self._write_failed = False  # read by the writer thread: later jobs write nothing
        self._pending: dict[int, _Job] = {}  # id(request) -> job queued, not yet delivered
        # Per URL with a job in flight: its count, and the last full capture the thread wrote of
        # it (the digest index gets it on delivery); both hold only what is in flight.
        self._inflight_urls: dict[str, int] = {}
        self._recent: dict[str, Capture] = {}
        self._recent_lock = threading.Lock()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcWriter:
        if not crawler.settings.getbool("NORTHNEWS_WARC_ENABLED", True):
            raise NotConfigured("NORTHNEWS_WARC_ENABLED is off")
        if crawler.settings.get("NORTHNEWS_REPLAY"):
            raise NotConfigured("replay mode writes no WARC")
        cls.recover_leftovers(crawler)
        ext = cls(crawler)
        crawler.signals.connect(ext.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    @staticmethod
    def recover_leftovers(crawler: Crawler) -> None:
        """What a killed crawl left (``.open`` files, closed files never recorded), made whole before
        this crawl writes anything, as ``northnews-cron`` does before its crawl (then this finds
        nothing). Safe here: the archive lock is held (IncrementalCrawl is built first)."""
        warc_dir = config.archive_dir(crawler.settings) / "warc"
        if not warc_dir.is_dir():
            return
        # The manifest entries go where this crawl's go (the fleet's server, or beside the WARCs).
        index = open_digest_index(warc_dir, crawler.settings.get("NORTHNEWS_STORE_URL") or None)
        try:
            done_all: list[Recovery | Repair] = [*recover_all(warc_dir, index), *repair_all(warc_dir, index)]
        finally:
            index.close()
        for done in done_all:
            if isinstance(done, Repair) and not (done.index or done.manifest or done.error):
                continue  # a sound, indexed, recorded file: nothing happened, nothing to say
            crawler.stats.inc_value("northnews/warc/repaired_at_start")
            # One WARNING per file acted on: recover_file has warned for a recovered/removed one.
            acted = isinstance(done, Recovery) and done.outcome in ("recovered", "removed")
            logger.log(logging.INFO if acted else logging.WARNING, "WARC left by an earlier crawl: %s", done.describe())

    def _site(self) -> tuple[str, str]:
        """The crawled site's name and title (its profile, as the spider chose it)."""
        ref = self.crawler.settings.get("NORTHNEWS_SITE") or DEFAULT_SITE
        try:
            site = load_site(ref)
        except SiteError:
            return str(ref), str(ref)
        return site.name, site.title

    def _warcinfo(self) -> list[tuple[str, str]]:
        s = self.crawler.settings
        site, title = self._site()
        chosen = {name: s.get(name) for name in WARCINFO_SETTINGS if s.get(name) is not None}
        return [
            ("software", f"northnews/{__version__} (Scrapy/{scrapy.__version__}; "
                         f"warcio/{_version('warcio')}; "
                         f"Python/{platform.python_version()})"),
            ("format", "WARC File Format 1.1"),
            ("conformsTo", CONFORMS_TO),
            ("hostname", socket.gethostname()),
            ("operator", self.operator),
            ("isPartOf", f"{s.get('BOT_NAME', 'northnews')}/{site}"),
            ("description", f"Scrapy crawl of {title}"),
            ("robots", "obey" if s.getbool("ROBOTSTXT_OBEY") else "ignore"),
            ("http-header-user-agent", s.get("USER_AGENT", "")),
            ("northnews-settings", json.dumps(chosen, ensure_ascii=False, sort_keys=True, default=str)),
            ("command-line", " ".join(redact_command(sys.argv, self.redact_names))),
        ]

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        if not response.url.startswith(_HTTP) and urlsplit(response.url).scheme not in ("http", "https"):
            self.stats.inc_value("northnews/warc/skipped")
            return
        if self.failed:
            self.stats.inc_value("northnews/warc/lost")
            return
        url = response.url
        prev = self._last_capture(url) if (self.revisits and response.body) else None
        moment = self.now()
        job = _Job(request, response, moment, self.make_id(), self.make_id(), prev=prev,
                   size=len(response.body) + len(request.body or b"") + _JOB_OVERHEAD)
        self._submit(job)

    def record_failure(self, request: Request, error: BaseException) -> None:
        """A fetch that got no answer (timeout, reset, refused): its request and the error, kept."""
        if self.failed or urlsplit(request.url).scheme not in ("http", "https"):
            return
        job = _Job(request, None, self.now(), self.make_id(), self.make_id(), error=error,
                   size=len(request.body or b"") + _JOB_OVERHEAD)
        self._submit(job)

    # -- the writer thread ------------------------------------------------------------------

    def use_thread(self) -> None:
        """Called by ``FailedFetchRecorder``, which awaits each pointer: write on a thread."""
        self._threaded = self.queue_bytes > 0

    def _submit(self, job: _Job) -> None:
        if job.response is not None:
            self._inflight_urls[job.response.url] = self._inflight_urls.get(job.response.url, 0) + 1
        if not self._threaded:
            self._write(job)
            self._deliver(job)
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="northnews-warc-writer", daemon=True)
            self._thread.start()
            logger.info("WARC records are written on a writer thread (queue of %d bytes at most)", self.queue_bytes)
        self._pending[id(job.request)] = job
        if self._queue.put(job):
            self.stats.inc_value("northnews/warc/queue_full")

    def written(self, request: Request) -> defer.Deferred[None] | None:
        """A Deferred fired once ``request``'s records are written and its pointer is in its
        meta; None when nothing of it is waiting to be written."""
        job = self._pending.get(id(request))
        if job is None or job.request is not request:
            return None
        if job.waiter is None:
            job.waiter = defer.Deferred()
        return job.waiter

    def _run(self) -> None:
        """The writer thread: write each job in order, hand it back to the reactor thread."""
        from twisted.internet import reactor

        while True:
            job = self._queue.get()
            if job is None:
                return
            try:
                self._write(job)
            finally:
                self._queue.done(job)
                self._events.append(job)
                if not self._drain_scheduled:
                    self._drain_scheduled = True
                    reactor.callFromThread(self._drain)

    def _drain(self) -> None:
        """On the reactor thread: what the writer thread has done, in order."""
        self._drain_scheduled = False
        while self._events:
            event = self._events.popleft()
            try:
                if isinstance(event, _Job):
                    self._deliver(event)
                else:
                    self.index.add_file(*event)
            except Exception as exc:  # an index error on a manifest entry, a bug
                self._fail(exc)

    def _write(self, job: _Job) -> None:
        """Build and write the job's records (the writer thread, or inline). Touches no SQLite
        and no stats: its outcome is read back by :meth:`_deliver`."""
        if self._write_failed:
            job.outcome = "lost"
            return
        try:
            if job.response is None:
                records = failure_records(
                    self.files.builder, job.request, job.error or Exception(), date=iso_z(job.moment, micro=True),
                    request_id=job.response_id, metadata_id=job.request_id, redact_names=self.redact_names,
                )
                self.files.write(records)
                job.outcome = "failed_fetch"
                return
            response = job.response
            date = iso_z(job.moment, micro=True)  # orders captures of one URL within a second
            digest = "sha1:" + sha1_base32(response.body)
            with self._recent_lock:
                # A capture of this URL written since job.prev was read, not yet in the index.
                prev = self._recent.get(response.url, job.prev) if (self.revisits and response.body) else None
            original = Original(prev.url, prev.warc_date, prev.record_id) if (
                prev is not None and prev.payload_digest == digest) else None
            first, request_record, kind = exchange_raw(
                response, job.request, date=date, response_id=job.response_id,
                request_id=job.request_id, payload_digest=digest, revisit_of=original,
                redact_names=self.redact_names,
            )
            job.name, (job.offset, _) = self.files.write([first, request_record])
            job.outcome = kind
            if kind == "response":
                job.capture = Capture(response.url, digest, job.response_id, date, job.name, job.offset,
                                      response.status)
                with self._recent_lock:
                    self._recent[response.url] = job.capture
        except Exception as exc:  # disk full, a bug, anything: no record means no archive
            self._write_failed = True
            job.outcome, job.error = "error", exc

    def _deliver(self, job: _Job) -> None:
        """On the reactor thread: the job's pointer, stats and digest entry; wake its waiter."""
        self._pending.pop(id(job.request), None)
        if job.response is not None:
            url = job.response.url
            left = self._inflight_urls.pop(url, 1) - 1
            if left > 0:
                self._inflight_urls[url] = left
            else:  # nothing of this URL is queued: the digest index has its last capture
                with self._recent_lock:
                    self._recent.pop(url, None)
        try:
            if job.outcome == "error":
                if job.response is not None:
                    self.stats.inc_value("northnews/warc/lost")
                self._fail(job.error or Exception("WARC write failed"))
            elif job.outcome == "lost":
                if job.response is not None:
                    self.stats.inc_value("northnews/warc/lost")
            elif job.outcome == "failed_fetch":
                self.stats.inc_value("northnews/warc/failed_fetch")
            else:
                self._captured(job)
        finally:
            if job.waiter is not None:
                job.waiter.callback(None)

    def _captured(self, job: _Job) -> None:
        assert job.response is not None
        job.request.meta[CAPTURE_META] = {
            "warc": {"file": job.name, "offset": job.offset, "record_id": job.response_id},
            "fetched_at": iso_z(job.moment),
        }
        self.stats.inc_value(f"northnews/warc/{job.outcome}")
        self.stats.inc_value("northnews/warc/request")
        if job.capture is not None:
            try:
                self.index.record(job.capture)
            except INDEX_ERRORS as exc:  # only costs a revisit next time: go on
                self.stats.inc_value("northnews/warc/digest_index_error")
                logger.warning("Digest index: %s (capture of %s kept)", exc, job.capture.url)

    def _fail(self, exc: BaseException) -> None:
        """An archiver that cannot archive must stop rather than crawl on without a record."""
        first = not self.failed
        self.failed = True
        self._write_failed = True
        self.stats.inc_value("northnews/errors/warc_write")  # counted by cron as an error
        if not first:
            return
        logger.error("WARC write failed (%r); stopping the crawl", exc, exc_info=(
            exc if not isinstance(exc, OSError) else None))
        try:
            engine = self.crawler.engine
        except RuntimeError:  # Scrapy 2.19 raises before the crawl starts (tests drive us directly)
            engine = None
        if engine is not None:
            deferred_from_coro(engine.close_spider_async(reason=WARC_ERROR_REASON))

    def _last_capture(self, url: str) -> Capture | None:
        try:
            return self.index.last(url)
        except INDEX_ERRORS as exc:
            self.stats.inc_value("northnews/warc/digest_index_error")
            logger.warning("Digest index: %s (storing %s in full)", exc, url)
            return None

    def spider_opened(self, spider: Spider) -> None:
        # Close digest batches at least every second, even when the crawl is idle.
        self._committer = task.LoopingCall(self._commit)
        self._committer.start(1.0, now=False)

    def finish_writes(self) -> None:
        """Wait for the writer thread to write everything queued, then take its results: after
        this the files are the reactor thread's again (closing them, the last manifest entry)."""
        self._threaded = False  # anything later (a failed fetch recorded late) is written inline
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None
        self._drain()

    def _commit(self) -> None:
        try:
            self.index.commit()
        except INDEX_ERRORS as exc:
            logger.warning("Digest index commit: %s", exc)

    def spider_closed(self, spider: Spider, reason: str = "") -> None:
        if self._committer is not None and self._committer.running:
            self._committer.stop()
        self.finish_writes()
        try:
            try:
                self.files.close()
            finally:
                self.files.wait_for_indexes()  # a closed file gets its index whatever failed
            self.stats.set_value("northnews/warc/files", len(self.files.closed))
        except Exception:
            # Scrapy would log and swallow it; the stat makes the run fail (cron's error count).
            self.stats.inc_value("northnews/errors/warc_close")
            logger.exception("Closing the WARC files failed: the run is incomplete")
            raise
        finally:
            self.index.close()


#: Bytes a queued job counts beyond its bodies (headers, records, bookkeeping).
_JOB_OVERHEAD = 2048


@dataclass(eq=False)
class _Job:
    """One exchange (or failed fetch) for the writer: what the reactor thread knew, then what the
    writer did (``outcome``: ``response``, ``revisit``, ``failed_fetch``, ``lost`` or ``error``)."""

    request: Request
    response: Response | None  # None: a fetch that got no answer (``error`` says why)
    moment: datetime
    response_id: str  # of a failed fetch: its request record's id
    request_id: str  # of a failed fetch: its metadata record's id
    prev: Capture | None = None  # the URL's last full capture per the digest index, when queued
    error: BaseException | None = None
    size: int = 0
    outcome: str = ""
    name: str = ""
    offset: int = -1
    capture: Capture | None = None
    waiter: defer.Deferred[None] | None = None


class _JobQueue:
    """FIFO of jobs bounded in bytes: ``put`` waits while the queued jobs (the one being written
    included) hold ``max_bytes``; a single larger job still goes in alone.

    The jobs travel through a ``queue.SimpleQueue`` (C, no Python-level lock per job); the bytes in
    flight are two counters each written by one thread only (``put`` on the reactor thread adds,
    ``done`` on the writer thread adds what it wrote), so the common case takes no lock at all."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.queued = 0  # bytes put, ever (reactor thread)
        self.written = 0  # bytes done, ever (writer thread)
        self.room = threading.Event()
        self.waiting = False

    @property
    def bytes(self) -> int:
        return self.queued - self.written

    def put(self, job: _Job | None) -> bool:
        """Queue ``job`` (None: stop the thread); True if it had to wait for room."""
        size = job.size if job is not None else 0
        waited = False
        while self.bytes and self.bytes + size > self.max_bytes:
            waited = True
            self.room.clear()
            self.waiting = True
            if self.bytes and self.bytes + size > self.max_bytes:  # not written meanwhile
                self.room.wait(1.0)
            self.waiting = False
        self.queued += size
        self.jobs.put(job)
        return waited

    def get(self) -> _Job | None:
        return self.jobs.get()

    def done(self, job: _Job) -> None:
        self.written += job.size
        if self.waiting:
            self.room.set()


class _Manifest:
    """What :class:`WarcFiles` sees as its index (it only records closed files): on the writer
    thread the entry goes to the reactor thread, in order with the records; elsewhere, directly."""

    def __init__(self, writer: WarcWriter) -> None:
        self.writer = writer

    def add_file(self, name: str, size: int, sha1: str, records: int, closed_at: str, how: str) -> None:
        writer = self.writer
        if writer._thread is not None and threading.current_thread() is writer._thread:
            writer._events.append((name, size, sha1, records, closed_at, how))
        else:
            writer.index.add_file(name, size, sha1, records, closed_at, how)
