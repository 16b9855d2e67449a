"""An article page that says it is another URL: by a redirect, or by ``<link rel="canonical">``.

* :func:`judge` — an article page's redirect (HTTP or ``<meta http-equiv=refresh>``): follow it (the
  same page under another spelling), make the article an **alias** of another article (its first
  page), or refuse it (pending ``redirected`` / ``redirect_loop``). The crawl's redirect middleware
  (:mod:`northnews.crawl.redirects`) and ``northnews-archive extract`` (:mod:`northnews.ops.replayed`)
  both ask it.
* :func:`canonical_alias` — an article's first page whose ``<link rel="canonical">`` names another
  article of the site (a WordPress shortlink ``/?p=101`` saved in a mirror as the post it redirects
  to): the same alias as a redirect would make (one text, one item, under the canonical URL; the
  alias kept in the store's ``article_aliases``). A canonical naming the same page, a list page,
  the home page or another site is ignored: CMSs print all of those.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from northnews.discovery import Kind, classify, first_page_url
from northnews.pagecheck import Verdict
from northnews.util.urls import url_key

if TYPE_CHECKING:  # pragma: no cover
    from northnews.pages import Element
    from northnews.sites import Site

#: Pending reasons of refused redirects.
REDIRECTED = "redirected"
REDIRECT_LOOP = "redirect_loop"
REASONS = (REDIRECTED, REDIRECT_LOOP)


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


def canonical_url(root: Element | None, page_url: str) -> str | None:
    """The absolute URL of the page's first ``<link rel="canonical" href>``, or ``None``."""
    if root is None:
        return None
    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rel and href:
            url = urljoin(page_url, href).split("#", 1)[0]
            return url if urlsplit(url).scheme in ("http", "https") else None
    return None


def canonical_alias(root: Element | None, url: str, site: Site, domains: Iterable[str] | None = None) -> str | None:
    """The article ``url``'s page says it is another article of the site: that article's URL (its
    first page), else ``None`` (no canonical link, or one naming this very article, a list page,
    another site or a later page)."""
    target = canonical_url(root, url)
    if target is None:
        return None
    action, value = judge("article", [url], target, site, site.allowed_domains if domains is None else domains)
    if action != "alias" or first_page_url(value, site) == first_page_url(url, site):
        return None
    return str(value)
