"""Redirects (HTTP and ``<meta refresh>``): loops reported, an article's redirect judged by
:mod:`northnews.crawl.redirects`."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware as ScrapyMetaRefreshMiddleware
from scrapy.downloadermiddlewares.redirect import RedirectMiddleware as ScrapyRedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request, Response

from northnews.crawl import keys, redirects
from northnews.crawl.context import CrawlContext
from northnews.crawl.keys import ALIASES_META, ARTICLE_URL_META, PAGE_META
from northnews.pagecheck import Verdict

if TYPE_CHECKING:  # pragma: no cover
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class _ArticleRedirects:
    """What :class:`RedirectMiddleware` and :class:`MetaRefreshMiddleware` add to Scrapy's (a mixin
    before the Scrapy class: ``super().process_response`` is Scrapy's redirect)."""

    crawler: Crawler
    max_redirect_times: int

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        kind: str = request.meta.get(PAGE_META) or ""
        article = kind in ("article", "article_page")
        try:
            result: Request | Response = super().process_response(request, response)  # type: ignore[misc]
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
        context = CrawlContext.of(self.crawler)
        site = context.site
        action, value = redirects.judge(kind, chain, result.url, site, site.allowed_domains)
        if action == "follow":
            return result
        if action == "alias" and (urlsplit(value).hostname or "").lower() in context.skipped_hosts:
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
        result.meta[ARTICLE_URL_META] = value
        result.meta[ALIASES_META] = aliases
        self.crawler.stats.inc_value("northnews/redirect/alias")
        answers = [str(answer) for _, answer in self.crawler.signals.send_catch_log(
            keys.article_alias, url=alias, target=value,
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
    :func:`northnews.crawl.redirects.judge`: the same page under another spelling is followed; an
    article's first page redirected to another article becomes an alias of it (the target is
    fetched as the article, ``meta["northnews_article_url"]``/``["northnews_redirected_from"]``
    set; the ``article_alias`` signal lets the store record it; a receiver answering
    ``"archived"`` means the target is known already: nothing is fetched; ``"loop: …"``, that
    this run's aliases lead back: pending ``redirect_loop``); anything else is refused with
    :class:`~northnews.crawl.redirects.RedirectRefused` (pending ``redirected``/``redirect_loop``).
    """


class MetaRefreshMiddleware(_ArticleRedirects, ScrapyMetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv="refresh">`` redirects, judged like HTTP ones for article pages.

    A refresh is a redirect the page asks for: on an article page it is followed only to the same
    page, becomes an alias to another article, and is refused otherwise (pending ``redirected``),
    as :class:`RedirectMiddleware` decides; elsewhere it is Scrapy's.

    A page whose first 4,096 characters (what Scrapy's ``get_meta_refresh`` reads) cannot spell a
    refresh is handed on without Scrapy's scan (two passes of an HTML tokenizer and a ``<base>``
    lookup: 4% of the reactor thread's time in a crawl without delays), with the same answer.
    """

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Request | Response:
        if isinstance(response, HtmlResponse) and not could_refresh(response.text):
            return response
        return super().process_response(request, response, spider)


#: What Scrapy's ``get_meta_refresh`` reads of a page: its first 4096 characters.
META_REFRESH_SCAN = 4096


def could_refresh(text: str) -> bool:
    """Whether ``text`` may hold a ``<meta http-equiv=refresh>`` where Scrapy looks for one. Its
    ``http-equiv`` is "refresh" (ASCII, any case) once character references are decoded; no named
    reference decodes to one of its letters (the only named one with an ASCII letter, ``&fjlig;``,
    gives "fj"), so without the word itself and without a numeric reference (``&#114;``) there is
    none (``northnews-archive extract`` reads pages the same way: ``ops/replayed.py``)."""
    head = text[:META_REFRESH_SCAN]
    return "&#" in head or "refresh" in head.lower()
