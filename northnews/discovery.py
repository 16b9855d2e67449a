"""What a URL is, and what a listing page offers: pure functions used by the spider.

The portal's structure is discovered from the pages themselves: anything on the site's hosts
shaped like an article (the profile's ``urls.article``) is an article; anything shaped like a
directory listing (``urls.list``: ``/news/nmgnews/``, ``…/index_3.shtml``) is a list page to walk.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from urllib.parse import urljoin, urlsplit, urlunsplit

from parsel import Selector

# Dates are read by the same rules as article bylines (and URL dates the same way everywhere).
from northnews.normalize.dates import parse_datetime, url_date
from northnews.sites import Site


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
    # The date printed beside the link (list entries), else the URL's date, else None.
    date: date | None = None


def page_links(html: str | Selector, base_url: str, site: Site, domains: Iterable[str] | None = None) -> list[Link]:
    """Every distinct link of a page, resolved and classified, in document order.

    Article links are reduced to their first page and carry the date printed next to them in
    their list entry (``<li><a …>Title</a><span>2015-09-15</span></li>``) when there is one.
    """
    sel = html if isinstance(html, Selector) else Selector(text=html)
    base = sel.css("base::attr(href)").get()
    base_url = urljoin(base_url, base.strip()) if base else base_url
    domains = tuple(site.allowed_domains if domains is None else domains)
    seen: set[str] = set()
    links: list[Link] = []
    for a in sel.css("a[href], area[href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urlunsplit(urlsplit(urljoin(base_url, href))._replace(fragment=""))
        kind = classify(url, site, domains)
        when = None
        if kind is Kind.ARTICLE:
            url = first_page_url(url, site)
            parent = a.xpath("..")
            entry_text = " ".join(parent.xpath(".//text()").getall()) if parent else ""
            when = text_date(entry_text) or url_date(url, site)
        if url in seen:
            continue
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
