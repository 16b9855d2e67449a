"""Redirects of article pages are facts, not content (what the redirect middleware decides).

An article's page answered by a redirect is one of:

* **the same page** under another spelling (``http`` → ``https``, a host's case, a tracking
  query on an article URL): followed, and the item keeps the URL as linked;
* **another article** of the site (its first page), for an article's *first* page: an **alias**.
  The target is fetched as the article (the scheduler's duplicate filter fetches it once per run
  whatever links it), its item has ``url`` = the target and ``redirected_from`` = the URLs that
  redirected to it, and the store keeps ``alias → target`` (:mod:`northnews.ops.aliases`). One
  text, one item, both URLs known; never the target's text under the alias's URL;
* **anything else** — the home page or a list page, another site, a later page of another
  article, or any redirect of a split article's *later* page (page 2 of one article is never
  page 2 of another): the article is **pending** ``redirected``, the detail naming the target;
* **a loop** (back to a URL already in the chain) or **more than** ``REDIRECT_MAX_TIMES`` hops:
  pending ``redirect_loop``.

The middleware (:class:`northnews.crawl.downloadermiddlewares.redirect.RedirectMiddleware`) refuses with
:class:`RedirectRefused`, an ``IgnoreRequest`` carrying the :class:`~northnews.pagecheck.Verdict`
that :func:`~northnews.pagecheck.failure_verdict` hands to the spider's errback, so the article
ends pending with that reason like any other failed fetch. Only requests the spider marks as
article pages (``meta["northnews_page"]`` ``article``/``article_page``) are judged; list pages,
robots.txt and page requisites are redirected as Scrapy does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest

from northnews.crawl.keys import ALIASES_META, ARTICLE_URL_META
from northnews.discovery import Kind, classify, first_page_url
from northnews.pagecheck import Verdict
from northnews.util.urls import url_key

if TYPE_CHECKING:
    from scrapy.http import Request, Response

    from northnews.sites import Site

#: Request meta the spider sets: what a request fetches (``article``, ``article_page``, ``list``).
#: Request meta (set by the redirect middleware on the request for an alias's target): the
#: article's URL (the target's first page), used for the item instead of the URL as linked.
#: Request meta: the URLs that redirected to this article (aliases), oldest first.
#: Pending reasons of refused redirects.
REDIRECTED = "redirected"
REDIRECT_LOOP = "redirect_loop"
REASONS = (REDIRECTED, REDIRECT_LOOP)


class RedirectRefused(IgnoreRequest):
    """An article page's redirect that is not followed; ``verdict`` says why (pending reason)."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(f"{verdict.reason}: {verdict.detail}")
        self.verdict = verdict


def linked_url(request: Request | Response) -> str:
    """The URL a request (or the request of a response) was made for, before any redirect."""
    return (request.meta.get("redirect_urls") or [request.url])[0]


def article_url(request: Request | Response) -> str:
    """The article a request fetches: an alias's target, else the URL as linked."""
    return request.meta.get(ARTICLE_URL_META) or linked_url(request)


def redirected_from(request: Request | Response) -> list[str]:
    """The aliases that led to this article (empty when it was not redirected to)."""
    return list(request.meta.get(ALIASES_META) or ())


def same_page(a: str, b: str, site: Site) -> bool:
    """One page under two spellings: equal URL keys, the query of an article URL ignored."""
    if classify(a, site, [urlsplit(a).hostname or ""]) is Kind.ARTICLE:
        a = _no_query(a)
    if classify(b, site, [urlsplit(b).hostname or ""]) is Kind.ARTICLE:
        b = _no_query(b)
    return url_key(a) == url_key(b)


def _no_query(url: str) -> str:
    return urlsplit(url)._replace(query="", fragment="").geturl()


def judge(kind: str, chain: list[str], target: str, site: Site, domains: Iterable[str]) -> tuple[str, Any]:
    """What to do with an article page's redirect from ``chain[-1]`` to ``target``.

    ``kind``: ``article`` (a first page) or ``article_page`` (a later page); ``chain``: the URLs
    so far, the one linked first. Returns ``("follow", None)``, ``("alias", target_first_page)``
    or ``("refuse", Verdict)``.
    """
    source = chain[-1]
    if target in chain:
        hops = " → ".join([*chain, target])
        return "refuse", Verdict(REDIRECT_LOOP, f"redirect loop: {hops}")
    if same_page(source, target, site):
        return "follow", None
    what = classify(target, site, domains)
    if kind == "article" and what is Kind.ARTICLE and first_page_url(target, site) == _no_query(target):
        return "alias", target
    page = "" if kind == "article" else f"page {source} "
    label = {Kind.OFFSITE: "another site", Kind.LIST: "a list page", Kind.ARTICLE: "another article's page"}
    return "refuse", Verdict(REDIRECTED, f"{page}redirected to {target} ({label.get(what, what.value)})")
