"""Downloader middlewares."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as ScrapyRedirectMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import deferLater

from northnews import redirects
from northnews import signals as northnews_signals
from northnews.compression import copy_response
from northnews.encoding import bom_charset, detect_encoding, header_charset, meta_charset, same_codec
from northnews.pagecheck import Verdict

if TYPE_CHECKING:  # pragma: no cover
    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class EncodingMiddleware:
    """Decode text responses with :mod:`northnews.encoding`'s choice, never Scrapy's guess.

    Scrapy believes an HTTP ``charset=utf-8`` over GBK bytes and silently turns the page into
    U+FFFD; with no declaration at all it runs charset_normalizer (about 1-3 ms a page). This
    middleware decides the encoding with :func:`~northnews.encoding.detect_encoding` (a BOM, or
    a declaration the bytes strictly decode under, is trusted; detection only when there is
    none or it fails) and returns the response with that ``encoding=``, so
    ``TextResponse.encoding`` is never inferred. It never reads ``response.encoding`` itself.
    ASCII bodies (every ASCII-compatible codec reads them alike), empty and binary responses are
    returned as they are. ``northnews/encoding/redecoded`` counts the responses whose declared
    charset was overruled.

    It must see the decompressed body: give it a priority below
    ``HttpCompressionMiddleware`` (590), e.g. 585, so its ``process_response`` runs after it.
    """

    def __init__(self, stats: StatsCollector | None = None) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EncodingMiddleware:
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, TextResponse) or not response.body:
            return response
        body = response.body
        content_type = response.headers.get(b"Content-Type")
        # What Scrapy would believe first: a BOM, the header, then the page's <meta>.
        declared = bom_charset(body) or header_charset(content_type) or meta_charset(body)
        if body.isascii() and not (declared or "").startswith(("utf-16", "utf-32")):
            return response  # every ASCII-compatible codec reads it the same
        codec = detect_encoding(body, content_type)
        if declared is not None and not same_codec(codec, declared):
            logger.debug("Re-decoding %s as %s (declared %s)", response.url, codec, declared)
            if self.stats is not None:
                self.stats.inc_value("northnews/encoding/redecoded")
                self.stats.inc_value(f"northnews/encoding/redecoded/{codec}")
        return copy_response(response, encoding=codec)


# --- where Scrapy's defaults fall short of an archival crawler (see the engineering notes) ------


def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP-date), or None."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, but a 429/503 that says ``Retry-After`` is retried after that long.

    Stock Scrapy retries at once (three tries in 0.1 s for ``Retry-After: 120``): impolite, and
    pointless against a server that is shedding load. The wait is capped at
    ``NORTHNEWS_RETRY_AFTER_MAX`` seconds; a longer ask is met with the cap. A 429 *without*
    ``Retry-After`` ("too many requests", no hint) is retried after an exponential backoff,
    :data:`BACKOFF_BASE` × 2^(retry − 1) seconds (2, 4, 8 … under the same cap), counted as
    ``northnews/retry_after/backoffs``; a 503 without one is retried at once, as Scrapy does.
    """

    WAIT_STATUSES = frozenset({429, 503})
    BACKOFF_STATUSES = frozenset({429})
    BACKOFF_BASE = 2.0

    def __init__(self, settings: Settings, clock: IReactorTime | None = None) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("NORTHNEWS_RETRY_AFTER_MAX", 120.0)
        self._clock = clock

    @property
    def clock(self) -> IReactorTime:
        if self._clock is None:
            from twisted.internet import reactor

            self._clock = reactor  # type: ignore[assignment]
        return self._clock  # type: ignore[return-value]

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response | Deferred[Request | Response]:
        result = super().process_response(request, response)
        if not isinstance(result, Request) or response.status not in self.WAIT_STATUSES:
            return result
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        why = "Retry-After"
        if wait is None and response.status in self.BACKOFF_STATUSES:
            retry = int(result.meta.get("retry_times", 1))
            wait, why = self.BACKOFF_BASE * 2 ** max(retry - 1, 0), "no Retry-After, backoff"
            self.crawler.stats.inc_value("northnews/retry_after/backoffs")
        if not wait:
            return result
        wait = min(wait, self.max_wait)
        self.crawler.stats.inc_value("northnews/retry_after/waits")
        self.crawler.stats.inc_value("northnews/retry_after/seconds", wait)
        logger.info("%s answered %s, %s: waiting %.1f s before retrying", request.url, response.status, why, wait)
        return deferLater(self.clock, wait, lambda: result)


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """robots.txt as RFC 9309 §2.3.1.3-4 reads it: unreachable means "disallow everything".

    Stock Scrapy parses a 5xx answer's body (usually empty) and allows everything, and allows
    everything after a network error too. A 5xx, a timeout or a connection failure that survives
    the retries now disallows the host for this crawl, loudly (an ERROR line and
    ``northnews/robots/unavailable``), rather than crawling a site whose rules we could not read.
    4xx answers still mean "no rules" (allow), as the RFC says, and so does a URL missing from a
    replayed archive. (Overrides Scrapy's private ``_parse_robots``/``_robots_error`` hooks.)

    Redirects (RFC 9309 §2.3.1.2): a robots.txt that redirects is followed up to
    :data:`MAX_REDIRECTS` times, to any host, and the rules found apply to the host first asked.
    Stock Scrapy drops the redirect to another host as offsite and then allows everything. More
    redirects than that make the file "unavailable" (allow, as the RFC says), with a WARNING.
    """

    DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
    MAX_REDIRECTS = 5

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:  # type: ignore[override]
        if request.meta.get("dont_obey_robotstxt") and urlsplit(request.url).path == "/robots.txt" \
                and "redirect_urls" not in request.meta:
            # The robots.txt request itself (Scrapy builds it privately; its meta is ours to add
            # to on its first pass): a redirect to another host is not offsite, and at most 5.
            request.meta.setdefault("allow_offsite", True)
            request.meta.setdefault("redirect_ttl", self.MAX_REDIRECTS)
        try:
            await super().process_request(request)
        except IgnoreRequest:
            self._edition_disallowed(request)
            raise

    def _edition_disallowed(self, request: Request) -> None:
        """An edition's start page forbidden by robots.txt: nothing of that edition is crawled, and
        that is no quiet success (a WARNING, ``northnews/robots/edition_disallowed``; cron exits 4)."""
        starts = getattr(self.crawler.spider, "start_url_by_edition", None) or {}
        for edition, url in starts.items():
            if url == request.url and request.meta.get(redirects.PAGE_META) == "list":
                self.crawler.stats.inc_value("northnews/robots/edition_disallowed")
                self.crawler.stats.inc_value(f"northnews/robots/edition_disallowed/{edition}")
                logger.warning(
                    "Edition %s: its start page %s is disallowed by robots.txt: nothing of this edition is"
                    " crawled (leave it out with -a editions=…, or ask the site)", edition, url,
                )

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest):
            if "max redirections" in str(exc):
                self.crawler.stats.inc_value("northnews/robots/too_many_redirects")
                logger.warning(
                    "robots.txt of %s redirects more than %d times: treating it as unavailable (allow all,"
                    " RFC 9309 §2.3.1.2)", netloc, self.MAX_REDIRECTS,
                )
            super()._robots_error(exc, netloc)
            return
        self.crawler.stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        self.crawler.stats.inc_value("northnews/robots/unavailable")
        self.crawler.stats.inc_value("northnews/errors/robots_unavailable")  # an error of the run
        logger.error(
            "robots.txt of %s could not be fetched (%s): treating it as disallowed entirely"
            " (RFC 9309 §2.3.1.4)", netloc, exc,
        )
        parser = build_from_crawler(self._parserimpl, self.crawler, self.DISALLOW_ALL)
        pending = self._parsers[netloc]
        self._parsers[netloc] = parser
        if isinstance(pending, Deferred):
            pending.callback(parser)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self.crawler.stats.inc_value("northnews/robots/unavailable")
            self.crawler.stats.inc_value("northnews/errors/robots_unavailable")  # an error of the run
            logger.error(
                "%s answered %s: treating %s as disallowed entirely (RFC 9309 §2.3.1.4)",
                response.url, response.status, netloc,
            )
            response = response.replace(body=self.DISALLOW_ALL)
        await super()._parse_robots(response, netloc, request)


class _ArticleRedirects:
    """What :class:`RedirectMiddleware` and :class:`MetaRefreshMiddleware` add to Scrapy's (a mixin
    before the Scrapy class: ``super().process_response`` is Scrapy's redirect)."""

    crawler: Crawler
    max_redirect_times: int

    def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        kind = request.meta.get(redirects.PAGE_META)
        article = kind in ("article", "article_page")
        try:
            result = super().process_response(request, response)  # type: ignore[misc]
        except IgnoreRequest as exc:
            if "max redirections" in str(exc):
                self.crawler.stats.inc_value("northnews/redirect/too_many")
                logger.warning("Too many redirects, giving up: %s", request.url)
                if article:
                    chain = [*request.meta.get("redirect_urls", []), request.url]
                    raise redirects.RedirectRefused(Verdict(
                        redirects.REDIRECT_LOOP,
                        f"more than {self.max_redirect_times} redirects: {chain[0]} → … → {chain[-1]}",
                    )) from None
            raise
        if not isinstance(result, Request):
            return result
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if not article:
            if result.url in chain:
                self.crawler.stats.inc_value("northnews/redirect/loop")
                logger.warning("Redirect loop, giving up: %s", " → ".join([*chain, result.url]))
                raise IgnoreRequest(f"redirect loop: {request.url}")
            return result
        return self._article_redirect(kind, chain, request, result)

    def _article_redirect(self, kind: str, chain: list[str], request: Request, result: Request) -> Request:
        spider = self.crawler.spider
        site = getattr(spider, "site", None)
        if site is None:  # not the articles spider: no profile to judge by
            return result
        domains = getattr(spider, "allowed_domains", None) or site.allowed_domains
        action, value = redirects.judge(kind, chain, result.url, site, domains)
        if action == "follow":
            return result
        if action == "alias" and (urlsplit(value).hostname or "").lower() in (getattr(spider, "skipped_hosts", None) or ()):
            # An edition this crawl leaves out (-a editions=…): pending until a run that covers it.
            action, value = "refuse", Verdict(redirects.REDIRECTED, f"redirected to {value} (an edition not crawled)")
        if action == "refuse":
            verdict: Verdict = value
            self.crawler.stats.inc_value(f"northnews/redirect/refused/{verdict.reason}")
            if verdict.reason == redirects.REDIRECT_LOOP:
                self.crawler.stats.inc_value("northnews/redirect/loop")
            logger.warning("Article page %s: %s; not followed", request.url, verdict.detail)
            raise redirects.RedirectRefused(verdict)
        alias = redirects.article_url(request)
        aliases = [*redirects.redirected_from(request), alias]
        result.meta[redirects.ARTICLE_URL_META] = value
        result.meta[redirects.ALIASES_META] = aliases
        self.crawler.stats.inc_value("northnews/redirect/alias")
        answers = [str(answer) for _, answer in self.crawler.signals.send_catch_log(
            northnews_signals.article_alias, url=alias, target=value,
        ) if isinstance(answer, str)]
        loop = next((a for a in answers if a.startswith("loop")), None)
        if loop is not None:  # the other half of the loop was another request's: nothing fetched twice
            self.crawler.stats.inc_value("northnews/redirect/refused/redirect_loop")
            self.crawler.stats.inc_value("northnews/redirect/loop")
            logger.warning("Article page %s: redirect %s; not followed", request.url, loop)
            raise redirects.RedirectRefused(Verdict(redirects.REDIRECT_LOOP, f"redirect {loop}"))
        if "archived" in answers:
            logger.info("Article %s redirects to %s, archived already: recorded as its alias", alias, value)
            raise IgnoreRequest(f"alias of an archived article: {alias} → {value}")
        logger.info("Article %s redirects to %s: fetched as that article, %s its alias", alias, value, alias)
        return result


class RedirectMiddleware(_ArticleRedirects, ScrapyRedirectMiddleware):
    """Redirects, with loops and exhausted redirect budgets reported at WARNING, not DEBUG.

    A loop (a redirect back to a URL already in the chain) is stopped at once instead of being
    dropped silently by the duplicate filter.

    An article's pages (``meta["northnews_page"]`` ``article``/``article_page``) are judged by
    :func:`northnews.redirects.judge`: the same page under another spelling is followed; an
    article's first page redirected to another article becomes an alias of it (the target is
    fetched as the article, ``meta["northnews_article_url"]``/``["northnews_redirected_from"]``
    set; the ``article_alias`` signal lets the store record it; a receiver answering
    ``"archived"`` means the target is known already: nothing is fetched; ``"loop: …"``, that
    this run's aliases lead back: pending ``redirect_loop``); anything else is refused with
    :class:`~northnews.redirects.RedirectRefused` (pending ``redirected``/``redirect_loop``).
    """


class MetaRefreshMiddleware(_ArticleRedirects, ScrapyMetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv="refresh">`` redirects, judged like HTTP ones for article pages.

    A refresh is a redirect the page asks for: on an article page it is followed only to the same
    page, becomes an alias to another article, and is refused otherwise (pending ``redirected``),
    as :class:`RedirectMiddleware` decides; elsewhere it is Scrapy's.
    """
