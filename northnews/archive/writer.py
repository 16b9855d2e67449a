"""WARC capture of every HTTP exchange of a live crawl: the ``WarcWriter`` extension.

It listens to ``response_downloaded``, where Scrapy still holds the wire form of a response: the
body still content-encoded with its ``Content-Encoding``, every value of repeated headers, the
protocol and the peer's IP address. Redirects, 4xx/5xx answers, retries and robots.txt all pass
there; replayed responses (``-a replay=``) do not, so replay never re-archives.

Each exchange becomes a ``response`` record (or a ``revisit`` when the URL's payload is unchanged
since its last capture, per the digest index) followed by its ``request`` record (built by
:mod:`northnews.archive.http`), written into rotating files (:mod:`northnews.archive.files`).
The extension hands the spider a pointer to the record in ``request.meta["northnews_capture"]``.

Cost (``make bench-warc``, loopback, CPU-bound crawl with no delay): about 7% of pages/s
when bodies arrive gzip-encoded, 24% when they arrive plain (compressing them is most of it).
Writing stays on the reactor thread because the record's offset, which the spider needs at once,
depends on the compressed size of everything before it; at polite live rates (a few pages a
second) it is ~1 ms of CPU per page.
"""

from __future__ import annotations

import json
import logging
import platform
import socket
import sys
import uuid
from collections.abc import Callable
from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro
from twisted.internet import task

from northnews import __version__, config
from northnews.archive.digests import INDEX_ERRORS, Capture, open_digest_index
from northnews.archive.files import WarcFiles
from northnews.archive.http import Original, exchange_records, failure_records
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
            index=self.index,
            hostname=settings.get("NORTHNEWS_WARC_HOSTNAME") or None,
            worker=settings.get("NORTHNEWS_WORKER") or None,
            now=lambda: self.now(),
            make_id=lambda: self.make_id(),
        )
        self.failed = False
        self._committer: task.LoopingCall | None = None

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
            done_all = [*recover_all(warc_dir, index), *repair_all(warc_dir, index)]
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
        if urlsplit(response.url).scheme not in ("http", "https"):
            self.stats.inc_value("northnews/warc/skipped")
            return
        if self.failed:
            self.stats.inc_value("northnews/warc/lost")
            return
        try:
            self._capture(response, request)
        except Exception as exc:  # disk full, a bug, anything: no record means no archive
            # An archiver that cannot archive must stop rather than crawl on without a record.
            self.failed = True
            self.stats.inc_value("northnews/warc/lost")
            self.stats.inc_value("northnews/errors/warc_write")  # counted by cron as an error
            logger.error("WARC write failed (%r); stopping the crawl", exc, exc_info=not isinstance(exc, OSError))
            try:
                engine = self.crawler.engine
            except RuntimeError:  # Scrapy 2.19 raises before the crawl starts (tests drive us directly)
                engine = None
            if engine is not None:
                deferred_from_coro(engine.close_spider_async(reason=WARC_ERROR_REASON))

    def _capture(self, response: Response, request: Request) -> None:
        moment = self.now()
        date = iso_z(moment, micro=True)  # orders captures of one URL within a second
        url = response.url
        digest = "sha1:" + sha1_base32(response.body)
        prev = self._last_capture(url) if (self.revisits and response.body) else None
        original = Original(prev.url, prev.warc_date, prev.record_id) if (
            prev is not None and prev.payload_digest == digest) else None
        resp_id = self.make_id()
        records = exchange_records(
            self.files.builder, response, request, date=date, response_id=resp_id,
            request_id=self.make_id(), payload_digest=digest, revisit_of=original,
            redact_names=self.redact_names,
        )
        name, (offset, _) = self.files.write([records.response, records.request])
        request.meta[CAPTURE_META] = {
            "warc": {"file": name, "offset": offset, "record_id": resp_id},
            "fetched_at": iso_z(moment),
        }
        self.stats.inc_value(f"northnews/warc/{records.kind}")
        self.stats.inc_value("northnews/warc/request")
        if records.kind == "response":
            try:
                self.index.record(Capture(url, digest, resp_id, date, name, offset, response.status))
            except INDEX_ERRORS as exc:  # only costs a revisit next time: go on
                self.stats.inc_value("northnews/warc/digest_index_error")
                logger.warning("Digest index: %s (capture of %s kept)", exc, url)

    def record_failure(self, request: Request, error: BaseException) -> None:
        """A fetch that got no answer (timeout, reset, refused): its request and the error, kept."""
        if self.failed or urlsplit(request.url).scheme not in ("http", "https"):
            return
        try:
            records = failure_records(
                self.files.builder, request, error, date=iso_z(self.now(), micro=True),
                request_id=self.make_id(), metadata_id=self.make_id(), redact_names=self.redact_names,
            )
            self.files.write(records)
        except Exception as exc:  # as for captures: no record means no archive
            self.failed = True
            self.stats.inc_value("northnews/errors/warc_write")
            logger.error("WARC write failed (%r); stopping the crawl", exc)
            return
        self.stats.inc_value("northnews/warc/failed_fetch")

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

    def _commit(self) -> None:
        try:
            self.index.commit()
        except INDEX_ERRORS as exc:
            logger.warning("Digest index commit: %s", exc)

    def spider_closed(self, spider: Spider, reason: str = "") -> None:
        if self._committer is not None and self._committer.running:
            self._committer.stop()
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
