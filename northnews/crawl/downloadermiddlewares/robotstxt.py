"""robots.txt as RFC 9309 reads it (where Scrapy's defaults fall short of an archival crawler;
see the engineering notes)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from northnews.article import robots as robots_policy
from northnews.crawl.context import CrawlContext
from northnews.crawl.keys import EDITION_DISALLOWED_STAT, PAGE_META

if TYPE_CHECKING:  # pragma: no cover
    from scrapy import Spider

logger = logging.getLogger(__name__)


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    """robots.txt as RFC 9309 §2.3.1.3-4 reads it: unreachable means "disallow everything".

    Stock Scrapy parses a 5xx answer's body (usually empty) and allows everything, and allows
    everything after a network error too. A 5xx, a timeout or a connection failure that survives
    the retries now disallows the host for this crawl, loudly (an ERROR line and
    ``northnews/robots/unavailable``), rather than crawling a site whose rules we could not read.
    4xx answers still mean "no rules" (allow), as the RFC says, and so does a URL missing from a
    replayed archive. (Overrides Scrapy's private ``_parse_robots``/``_robots_error`` hooks.)

    The policy is :mod:`northnews.article.robots` (``northnews-archive extract`` reads archived
    robots.txt files by it too). Redirects (RFC 9309 §2.3.1.2): a robots.txt that redirects is followed up to
    :data:`MAX_REDIRECTS` times, to any host, and the rules found apply to the host first asked.
    Stock Scrapy drops the redirect to another host as offsite and then allows everything. More
    redirects than that make the file "unavailable" (allow, as the RFC says), with a WARNING.
    """

    DISALLOW_ALL = robots_policy.DISALLOW_ALL  # the one policy: northnews.article.robots
    MAX_REDIRECTS = robots_policy.MAX_REDIRECTS

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
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
        for edition, url in CrawlContext.of(self.crawler).start_url_by_edition.items():
            if url == request.url and request.meta.get(PAGE_META) == "list":
                self.crawler.stats.inc_value(EDITION_DISALLOWED_STAT)
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
        if robots_policy.unreachable(response.status):
            self.crawler.stats.inc_value("northnews/robots/unavailable")
            self.crawler.stats.inc_value("northnews/errors/robots_unavailable")  # an error of the run
            logger.error(
                "%s answered %s: treating %s as disallowed entirely (RFC 9309 §2.3.1.4)",
                response.url, response.status, netloc,
            )
            response = response.replace(body=robots_policy.rules(response.status, response.body))
        await super()._parse_robots(response, netloc, request)
