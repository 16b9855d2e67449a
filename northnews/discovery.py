"""What a URL is, and what a listing page offers: pure functions used by the spider.

The portal's structure is discovered from the pages themselves: anything on the site's hosts
shaped like an article (the profile's ``urls.article``) is an article; anything shaped like a
directory listing (``urls.list``: ``/news/nmgnews/``, ``…/index_3.shtml``) is a list page to walk.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from urllib.parse import urljoin, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector

# Dates are read by the same rules as article bylines (and URL dates the same way everywhere).
from northnews.normalize.dates import parse_datetime, url_date
from northnews.sites import Site

Element = etree._Element


class Kind(str, Enum):
    ARTICLE = "article"
    LIST = "list"
    ATTACHMENT = "attachment"
    EXCLUDED = "excluded"
    OFFSITE = "offsite"
    OTHER = "other"


def host_in_domains(host: str, domains: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))


def classify(url: str, site: Site, domains: Iterable[str] | None = None) -> Kind:
    """What ``url`` is to ``site`` (``domains``: the hosts in scope, default the site's)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not host_in_domains(
        parts.hostname or "", site.allowed_domains if domains is None else domains
    ):
        return Kind.OFFSITE
    path = parts.path or "/"
    rules = site.urls
    if any(r.search(path) for r in rules.excluded):
        return Kind.EXCLUDED
    if rules.attachment is not None and rules.attachment.search(path):
        return Kind.ATTACHMENT
    if rules.article.search(path):
        return Kind.ARTICLE
    if rules.list.search(path):
        return Kind.LIST
    return Kind.OTHER


def first_page_url(url: str, site: Site) -> str:
    """An article's one URL: ``…/2049381_3.shtml?from=rss#top`` → ``…/2049381.shtml``.

    Article pages are static files: a query string on them is tracking noise
    (``?from=rss``), and keeping it would make one article two items. Other URLs keep their
    query; fragments are always dropped.
    """
    parts = urlsplit(url)
    match = site.urls.article.search(parts.path)
    if not match:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
    path = parts.path
    if "page" in match.re.groupindex and match.group("page"):
        start, end = match.span("page")
        path = path[: start - 1] + path[end:]  # drop "_<page>"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def list_page_number(url: str, site: Site) -> int:
    """The list page's place in its section: the unsuffixed page is the profile's
    ``list_unsuffixed_page`` (1 for ``index_2`` = 2nd page, 0 for TRS's ``index_1`` = 2nd page)."""
    m = site.urls.list.search(urlsplit(url).path)
    if m and "page" in m.re.groupindex and m.group("page"):
        return int(m.group("page"))
    return site.urls.list_unsuffixed_page


def list_section(url: str) -> str:
    """The section a list page belongs to: host and directory (``www.northnews.cn/news/nmgnews/``),
    the same whether the page was linked over http or https."""
    parts = urlsplit(url)
    directory = parts.path[: parts.path.rfind("/") + 1] or "/"
    return parts.netloc.lower() + directory


def text_date(text: str) -> date | None:
    """The first valid date printed in ``text`` (a list entry), by the byline rules."""
    moment = parse_datetime(text)  # only the calendar day is used: the zone does not matter
    return moment.date() if moment else None


@dataclass(frozen=True)
class Link:
    url: str
    kind: Kind
    # The date printed beside the link (list entries), else the URL's date, else None; only
    # read when page_links was asked for dates.
    date: date | None = None


_ANCHORS = etree.XPath("//a[@href] | //area[@href]")
_BASE_HREF = etree.XPath("(//base[@href])[1]/@href")
_TEXT = etree.XPath(".//text()")
_SKIPPED = ("#", "javascript:", "mailto:", "tel:")


@functools.lru_cache(maxsize=1024)
def _absolute(base: str, href: str) -> str:
    return urlunsplit(urlsplit(urljoin(base, href))._replace(fragment=""))


def resolve(base_url: str, href: str) -> str:
    """``href`` made absolute against ``base_url``, fragment dropped.

    Menus repeat the same links on every page: an absolute or root-relative ``href`` resolves
    the same against any page of a host, so those are cached by host, not by page. The caches
    hold 1,024 entries (a portal's menus and the latest article links): larger ones made the
    crawl's memory grow with the portal (+1.5 MB at 10,000 articles for 4,096 entries).
    """
    if href.startswith(("http://", "https://")):
        base_url = ""
    elif href.startswith("/") and not href.startswith("//"):
        parts = urlsplit(base_url)
        base_url = f"{parts.scheme}://{parts.netloc}/"
    return _absolute(base_url, href)


@functools.lru_cache(maxsize=1024)
def _kind_and_url(url: str, site: Site, domains: tuple[str, ...]) -> tuple[Kind, str]:
    kind = classify(url, site, domains)
    return kind, (first_page_url(url, site) if kind is Kind.ARTICLE else url)


def _tree(html: str | Selector | Element) -> Element | None:
    if isinstance(html, Selector):
        return html.root
    if isinstance(html, str):  # a caller without a tree of its own
        return Selector(text=html).root if html.strip() else None
    return html


def page_links(
    html: str | Selector | Element,
    base_url: str,
    site: Site,
    domains: Iterable[str] | None = None,
    *,
    dates: bool = True,
) -> list[Link]:
    """Every distinct link of a page, resolved and classified, in document order.

    ``html`` is the page's parsed tree (an lxml element, as ``northnews.pages.parse_html``
    gives and the article parsers read: the spider parses each page once) or, for callers
    without one, its text or a parsel selector. Article links are reduced to their first page;
    with ``dates`` they carry the date printed next to them in their list entry
    (``<li><a …>Title</a><span>2015-09-15</span></li>``) when there is one, else the URL's. The
    spider asks for dates only when ``-a since`` needs them: reading each entry's text is most
    of the cost of a page's links.
    """
    root = _tree(html)
    if root is None:
        return []
    base = _BASE_HREF(root)
    base_url = urljoin(base_url, base[0].strip()) if base else base_url
    domains = tuple(site.allowed_domains if domains is None else domains)
    seen: set[str] = set()
    links: list[Link] = []
    for a in _ANCHORS(root):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(_SKIPPED):
            continue
        kind, url = _kind_and_url(resolve(base_url, href), site, domains)
        if url in seen:
            continue
        when = None
        if dates and kind is Kind.ARTICLE:
            parent = a.getparent()
            entry_text = " ".join(_TEXT(parent)) if parent is not None else ""
            when = text_date(entry_text) or url_date(url, site)
        seen.add(url)
        links.append(Link(url, kind, when))
    return links


def next_list_page(current_url: str, links: Iterable[Link], site: Site) -> str | None:
    """The lowest-numbered list page of the same section after the current one, if linked."""
    section, number = list_section(current_url), list_page_number(current_url, site)
    candidates = [
        (list_page_number(link.url, site), link.url)
        for link in links
        if link.kind is Kind.LIST and list_section(link.url) == section
        and list_page_number(link.url, site) > number
    ]
    return min(candidates)[1] if candidates else None
