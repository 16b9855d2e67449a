"""Page requisites: the files an archived page needs to be seen as its readers saw it.

For every article page archived, the images it shows (body, captions, lead image, the
template's logos and sidebar pictures: every ``<img>``), and for every HTML page the template
files it links (stylesheets, scripts, icons, preloaded fonts) are fetched, and the ``url()`` and
``@import`` references of each stylesheet one level deep (background images, web fonts). List
pages get their template files only, not the thumbnails they show.

The Scrapy way, after :class:`scrapy.pipelines.media.MediaPipeline`:

- :class:`RequisitesPipeline`, an item pipeline, downloads with ``crawler.engine.download_async``
  (only the downloader middlewares apply: robots.txt, retries, redirects, replay, and the
  downloader's per-host slots, so the politeness of the crawl is unchanged) and keeps one
  result per request fingerprint for the whole crawl, so a URL is fetched once per run however
  many pages use it (the template CSS, the logo). Each item's ``images[]`` entries gain where
  their capture is: ``warc`` (``{"file", "offset", "record_id"}`` of the response or revisit
  record, as the item's own ``warc``) or ``null``, and ``warc_missing_reason`` (``null``, or why
  there is no capture: see :data:`REASONS`).
- :class:`~northnews.crawl.spidermiddlewares.requisites.RequisitesMiddleware`, a spider middleware, sees each page the spider parses
  (``process_spider_output``: the response and whatever the callback yields) and hands the
  page's requisites to the pipeline at once, before the item reaches it.

The WARC writer records each download on ``response_downloaded`` like any other (a later run,
or a later page, with the same payload writes a ``revisit``: the template CSS costs one copy,
then revisits), and puts the record's pointer into ``request.meta["northnews_capture"]``; WARC
replay puts the original capture's pointer there, so a re-extraction from WARCs yields the
same pointers. Requisites never produce items and are never articles; their requests carry
``meta["northnews_requisite"]`` (the kind: ``stylesheet``, ``script``, ``icon``, ``font``,
``image``, ``css``); they are not pages to the progress counts, and their failures are not the
crawl's errors. Stats: ``northnews/requisites/fetched`` (answered), ``…/archived`` (with a WARC
record), ``…/failed`` (failed, too large, or an HTTP error), ``…/missing/<reason>`` (per URL),
``…/skipped/<reason>`` (per page reference: offsite, not_http, too_many), ``…/reused`` (a URL
this crawl already had). Failures are logged at INFO, never fatal.

Scope: the site profile's ``allowed_domains`` and ``requisite_hosts`` (upload/CDN hosts) and
the hosts of ``NORTHNEWS_REQUISITE_HOSTS`` (more for one run), sub-domains included. Anything
else is ``offsite`` and never fetched. Which pages are articles is what the spider says in
``meta["northnews_page"]`` (``article``, ``article_page``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import TextResponse
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from scrapy.utils.response import get_base_url
from twisted.internet import defer

from northnews.crawl.context import CrawlContext
from northnews.crawl.downloadermiddlewares.replay import ReplayMiss
from northnews.crawl.keys import CAPTURE_META, REQUISITE_META, REQUISITES_META
from northnews.crawl.pagerequisites import _JOINED_MAX, Requisite, _clean, requisites_of
from northnews.crawl.responses import page_tree

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

STATS = "northnews/requisites/"
META = REQUISITE_META
#: Why an image has no capture (``warc_missing_reason``).
REASONS = {
    "disabled": "NORTHNEWS_REQUISITES_ENABLED is off",
    "offsite": "its host is not the site's (allowed_domains, requisite_hosts, NORTHNEWS_REQUISITE_HOSTS)",
    "not_http": "a data:, blob: or other non-HTTP URL: nothing to fetch",
    "too_many": "over NORTHNEWS_REQUISITES_MAX_PER_PAGE for its page",
    "too_large": "larger than NORTHNEWS_REQUISITE_MAX_SIZE (the download was cancelled)",
    "robots": "robots.txt forbids it",
    "replay_miss": "replay (-a replay=WARCs) has no capture of it",
    "http_<status>": "the server answered with an error status (the answer is archived, not the image)",
    "failed": "the download failed for good (after retries): DNS, connection, timeout",
    "no_warc": "fetched, but nothing was archived (mirror replay, NORTHNEWS_WARC_ENABLED off)",
}
_CSS_URL = re.compile(r"""url\(\s*(["']?)([^"')\s]+)\1\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"""@import\s+(["'])([^"']+)\1""", re.IGNORECASE)


def page_requisites(response: TextResponse, *, images: bool) -> list[Requisite]:
    """What an HTML page loads, in document order (:func:`~northnews.crawl.pagerequisites.requisites_of`),
    read from the page's one parsed tree (:func:`northnews.crawl.responses.page_tree`), the one the
    spider reads its links and fields from: a parsel selector here parsed every page a second time.
    A page read in a worker process (``NORTHNEWS_PARSE_WORKERS``) brings its requisites along
    (``meta["northnews_requisites"]``): its tree was never built here."""
    try:
        found = response.meta.get(REQUISITES_META)
    except AttributeError:  # a response built without a request (tests)
        found = None
    if found is not None:
        return list(found)
    root = page_tree(response)
    if root is None:
        return []
    # get_base_url: what response.urljoin joins with (a <base href>, else the URL)
    return requisites_of(root, get_base_url(response), images=images)


def css_references(css: str, base_url: str) -> list[str]:
    """``url(...)`` and ``@import "..."`` targets of a stylesheet, absolute, in order, once."""
    refs = [m.group(2) for m in _CSS_IMPORT.finditer(css)] + [m.group(2) for m in _CSS_URL.finditer(css)]
    return list(dict.fromkeys(_clean(urljoin(base_url, ref)) for ref in refs if ref.strip()))


class Scope:
    """The hosts requisites may be fetched from (each entry also covers its sub-domains)."""

    def __init__(self, domains: Iterable[str], extra_hosts: Iterable[str] = ()) -> None:
        self.domains = tuple(d.lower().lstrip(".") for d in domains if d)
        self.extra = tuple(h.lower().lstrip(".") for h in extra_hosts if h)

    @staticmethod
    def _within(host: str, names: tuple[str, ...]) -> bool:
        return any(host == n or host.endswith("." + n) for n in names)

    def reason(self, url: str) -> str | None:
        """``None`` when in scope, else ``not_http`` or ``offsite``."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return "not_http"
        host = (parts.hostname or "").lower()
        if self._within(host, self.domains) or self._within(host, self.extra):
            return None
        return "offsite"

    def needs_allow_offsite(self, url: str) -> bool:
        """Scrapy's OffsiteMiddleware knows only the spider's allowed domains."""
        return not self._within((urlsplit(url).hostname or "").lower(), self.domains)


def outcome(warc: dict[str, Any] | None, reason: str | None) -> dict[str, Any]:
    return {"warc": warc, "warc_missing_reason": None if warc is not None else reason}


class RequisitesPipeline:
    """Fetches requisites (see the module docstring) and fills in each item's image captures.

    Always enabled, so that every item has the same keys: with ``NORTHNEWS_REQUISITES_ENABLED``
    off it only marks each image ``warc_missing_reason: "disabled"``.
    """

    def __init__(self, crawler: Crawler) -> None:
        context = CrawlContext.of(crawler)
        self.crawler = crawler
        self.stats = crawler.stats
        self.enabled = context.get("NORTHNEWS_REQUISITES_ENABLED")
        self.max_per_page = context.get("NORTHNEWS_REQUISITES_MAX_PER_PAGE")
        self.max_size = context.get("NORTHNEWS_REQUISITE_MAX_SIZE")
        site = context.site
        self.scope = Scope(site.allowed_domains, (*site.requisite_hosts, *context.get("NORTHNEWS_REQUISITE_HOSTS")))
        self._fingerprint = crawler.request_fingerprinter.fingerprint
        self.done: dict[bytes, dict[str, Any]] = {}  # fingerprint -> outcome, for the whole crawl
        self.waiting: dict[bytes, list[defer.Deferred[dict[str, Any]]]] = {}  # in flight
        self.skipped: dict[str, str] = {}  # URL -> reason it was not fetched for its page (too_many)
        self._known_fp: dict[str, bytes] = {}  # URL -> request fingerprint (see known())
        self._reasons: dict[str, str | None] = {}  # URL -> Scope.reason (see _scope_reason())

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequisitesPipeline:
        return cls(crawler)

    # -- fetching --------------------------------------------------------------------------

    def request(self, url: str, kind: str, referer: str | None) -> Request:
        meta: dict[str, Any] = {META: kind, "handle_httpstatus_all": True}
        if self.max_size > 0:
            meta["download_maxsize"] = self.max_size
        if self.scope.needs_allow_offsite(url):
            meta["allow_offsite"] = True
        headers = {"Referer": referer} if referer else None
        return Request(url, headers=headers, meta=meta, callback=NO_CALLBACK, dont_filter=True)

    def known(self, url: str) -> bool:
        # Every page lists the template's files again: their fingerprints (a Request built and
        # canonicalised each time, ~50 µs) are kept by URL rather than computed on every page.
        fp = self._known_fp.get(url)
        if fp is None:
            fp = self._fingerprint(Request(url))
            if len(self._known_fp) < 100_000:
                self._known_fp[url] = fp
        return fp in self.done or fp in self.waiting

    def fetch(self, url: str, kind: str, referer: str | None = None) -> defer.Deferred[dict[str, Any]]:
        """The outcome of ``url`` (``{"warc", "warc_missing_reason"}``): fetched now, or the one
        this crawl already has. Never fails."""
        reason = self.scope.reason(url)
        if reason is not None:
            self.stats.inc_value(STATS + "skipped/" + reason)
            return defer.succeed(outcome(None, reason))
        request = self.request(url, kind, referer)
        fp = self._fingerprint(request)
        if fp in self.done:
            self.stats.inc_value(STATS + "reused")
            return defer.succeed(self.done[fp])
        waiter: defer.Deferred[dict[str, Any]] = defer.Deferred()
        if fp in self.waiting:
            self.stats.inc_value(STATS + "reused")
            self.waiting[fp].append(waiter)
            return waiter
        self.waiting[fp] = [waiter]
        self.skipped.pop(url, None)
        deferred_from_coro(self._download(request, fp))
        return waiter

    async def _download(self, request: Request, fp: bytes) -> None:
        try:
            result = await self._outcome(request)
        except Exception:  # noqa: BLE001 - a requisite never breaks the crawl
            logger.exception("Requisite %s: unexpected error", request.url)
            result = outcome(None, "failed")
        reason = result["warc_missing_reason"]
        if result["warc"] is not None:
            self.stats.inc_value(STATS + "archived")
        else:
            self.stats.inc_value(STATS + "missing/" + str(reason))
            if reason in ("failed", "too_large") or str(reason).startswith("http_"):
                self.stats.inc_value(STATS + "failed")
        self.done[fp] = result
        for waiter in self.waiting.pop(fp, []):
            waiter.callback(result)

    async def _outcome(self, request: Request) -> dict[str, Any]:
        try:
            response = await self.crawler.engine.download_async(request)
        except ReplayMiss:
            return outcome(None, "replay_miss")
        except IgnoreRequest as exc:
            text = str(exc).lower()
            reason = "robots" if "robots" in text else "offsite" if "offsite" in text else "failed"
            logger.info("Requisite %s not fetched: %s", request.url, exc)
            return outcome(None, reason)
        except (defer.CancelledError, DownloadCancelledError) as exc:
            logger.info("Requisite %s not fetched: %s", request.url, exc or "larger than the size limit")
            return outcome(None, "too_large")
        except Exception as exc:  # noqa: BLE001 - DNS, connection, timeout… after retries
            logger.info("Requisite %s failed: %r", request.url, exc)
            return outcome(None, "failed")
        self.stats.inc_value(STATS + "fetched")
        if self.max_size > 0 and len(response.body) > self.max_size:  # replay has no download limit
            return outcome(None, "too_large")
        if response.status >= 400:
            logger.info("Requisite %s: HTTP %d", request.url, response.status)
            return outcome(None, f"http_{response.status}")
        capture = response.meta.get(CAPTURE_META) or {}
        if request.meta.get(META) == "stylesheet" and 200 <= response.status < 300:
            self._stylesheet(response)
        return outcome(capture.get("warc"), "no_warc")

    def _stylesheet(self, response: Response) -> None:
        """One level deep: what the stylesheet itself loads (backgrounds, fonts, @imports)."""
        try:
            css = response.text if isinstance(response, TextResponse) else response.body.decode("utf-8", "replace")
        except (UnicodeDecodeError, AttributeError):
            css = response.body.decode("latin-1")
        self.page(response.url, [Requisite(url, "css") for url in css_references(css, response.url)])

    def page(self, page_url: str, requisites: list[Requisite]) -> None:
        """Start fetching one page's requisites (at most ``max_per_page`` new ones)."""
        budget = self.max_per_page
        counts: dict[str, int] = {}  # stats, counted once per page (the template repeats on every page)
        for req in requisites:
            reason = self._scope_reason(req.url)
            if reason is not None:
                counts["skipped/" + reason] = counts.get("skipped/" + reason, 0) + 1
                continue
            if self.known(req.url):
                counts["reused"] = counts.get("reused", 0) + 1
                continue
            if budget <= 0:
                self.skipped.setdefault(req.url, "too_many")
                counts["skipped/too_many"] = counts.get("skipped/too_many", 0) + 1
                continue
            budget -= 1
            self.fetch(req.url, req.kind, referer=page_url)
        for name, count in counts.items():
            self.stats.inc_value(STATS + name, count)

    def _scope_reason(self, url: str) -> str | None:
        """:meth:`Scope.reason`, remembered for the URLs every page repeats (the template's)."""
        try:
            return self._reasons[url]
        except KeyError:
            if len(self._reasons) >= _JOINED_MAX:  # bounded as _JOINED is
                self._reasons.clear()
            reason = self._reasons[url] = self.scope.reason(url)
            return reason

    # -- items -----------------------------------------------------------------------------

    async def process_item(self, item: Any) -> Any:
        images = item.get("images") or []
        if not images:
            return item
        results = []
        for image in images:
            url = image.get("url") or ""
            if not self.enabled:
                results.append(outcome(None, "disabled"))
            elif url in self.skipped:
                results.append(outcome(None, self.skipped[url]))
            else:
                results.append(await maybe_deferred_to_future(self.fetch(url, "image", referer=item.get("url"))))
        item["images"] = [{**image, **result} for image, result in zip(images, results, strict=True)]
        return item
