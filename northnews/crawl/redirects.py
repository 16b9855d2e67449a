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

The rules are :func:`northnews.article.aliases.judge` (``northnews-archive extract`` judges
archived redirects by them too). The middleware
(:class:`northnews.crawl.downloadermiddlewares.redirect.RedirectMiddleware`) refuses with
:class:`RedirectRefused`, an ``IgnoreRequest`` carrying the :class:`~northnews.pagecheck.Verdict`
that :func:`~northnews.pagecheck.failure_verdict` hands to the spider's errback, so the article
ends pending with that reason like any other failed fetch. Only requests the spider marks as
article pages (``meta["northnews_page"]`` ``article``/``article_page``) are judged; list pages,
robots.txt and page requisites are redirected as Scrapy does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest

# What a redirect of an article page is (the rules, shared with `northnews-archive extract`).
from northnews.article.aliases import REASONS, REDIRECT_LOOP, REDIRECTED, judge, same_page
from northnews.crawl.keys import ALIASES_META, ARTICLE_URL_META
from northnews.pagecheck import Verdict

if TYPE_CHECKING:
    from scrapy.http import Request, Response


class RedirectRefused(IgnoreRequest):
    """An article page's redirect that is not followed; ``verdict`` says why (pending reason)."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(f"{verdict.reason}: {verdict.detail}")
        self.verdict = verdict


def linked_url(request: Request | Response) -> str:
    """The URL a request (or the request of a response) was made for, before any redirect."""
    first: str = (request.meta.get("redirect_urls") or [request.url])[0]  # meta's values are Any
    return first


def article_url(request: Request | Response) -> str:
    """The article a request fetches: an alias's target, else the URL as linked."""
    return request.meta.get(ARTICLE_URL_META) or linked_url(request)


def redirected_from(request: Request | Response) -> list[str]:
    """The aliases that led to this article (empty when it was not redirected to)."""
    return list(request.meta.get(ALIASES_META) or ())


__all__ = [
    "REASONS", "REDIRECTED", "REDIRECT_LOOP", "RedirectRefused", "article_url", "judge", "linked_url",
    "redirected_from", "same_page",
]
