"""What a URL is, and what a listing page offers: pure functions used by the spider.

The portal's structure is discovered from the pages themselves: anything on the portal's hosts
shaped like an article (``/<yyyy>/<mmdd>/<id>.shtml`` and its variants) is an article; anything
shaped like a directory listing (``/news/nmgnews/``, ``…/index_3.shtml``) is a list page to walk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Iterable
from urllib.parse import urljoin, urlsplit, urlunsplit

from parsel import Selector

# Dates are read by the same rules as article bylines (and URL dates the same way everywhere).
from northnews.normalize import parse_datetime, url_date  # noqa: F401  (url_date: re-exported)

# Public crawler configs for this site: /\d{4,6}/\d{2,4}/\d*\.s?html?  (+ our _N page suffix).
ARTICLE_PATH = re.compile(
    r"/(?P<ym>\d{4,6})/(?P<md>\d{2,4})/(?P<id>\d+)(?:_(?P<page>\d+))?\.s?html?$", re.I
)
# A directory, or its index page k (index_k.shtml; list_k / default_k seen on other CMS setups).
LIST_PATH = re.compile(r"(?:/|/(?:index|list|default)(?:_(?P<page>\d+))?\.s?html?)$", re.I)
ATTACHMENT_EXT = re.compile(
    r"\.(?:pdf|docx?|xlsx?|pptx?|zip|rar|7z|gz|tar|jpe?g|png|gif|bmp|webp|svg|ico|mp[34]|"
    r"flv|avi|wmv|mov|swf|exe|apk|css|js|xml)$",
    re.I,
)
EXCLUDED_PATH = re.compile(r"^/search(?:/|$)", re.I)


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


def classify(url: str, domains: Iterable[str]) -> Kind:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not host_in_domains(parts.hostname or "", domains):
        return Kind.OFFSITE
    path = parts.path or "/"
    if EXCLUDED_PATH.search(path):
        return Kind.EXCLUDED
    if ATTACHMENT_EXT.search(path):
        return Kind.ATTACHMENT
    if ARTICLE_PATH.search(path):
        return Kind.ARTICLE
    if LIST_PATH.search(path):
        return Kind.LIST
    return Kind.OTHER


def first_page_url(url: str) -> str:
    """An article's one URL: ``…/2049381_3.shtml?from=rss#top`` → ``…/2049381.shtml``.

    Article pages are static files: a query string on them is tracking noise
    (``?from=rss``), and keeping it would make one article two items. Other URLs keep their
    query; fragments are always dropped.
    """
    parts = urlsplit(url)
    match = ARTICLE_PATH.search(parts.path)
    if not match:
        return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
    path = parts.path
    if match.group("page"):
        start, end = match.span("page")
        path = path[: start - 1] + path[end:]  # drop "_<page>"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def list_page_number(url: str) -> int:
    m = LIST_PATH.search(urlsplit(url).path)
    return int(m.group("page")) if m and m.group("page") else 1


def list_section(url: str) -> str:
    """The section a list page belongs to: host and directory (``www.northnews.cn/news/nmgnews/``),
    the same whether the page was linked over http or https."""
    parts = urlsplit(url)
    directory = parts.path[: parts.path.rfind("/") + 1] or "/"
    return parts.netloc.lower() + directory


def text_date(text: str) -> date | None:
    """The first valid date printed in ``text`` (a list entry), by the byline rules."""
    moment = parse_datetime(text)
    return moment.date() if moment else None


@dataclass(frozen=True)
class Link:
    url: str
    kind: Kind
    # The date printed beside the link (list entries), else the URL's date, else None.
    date: date | None = None


def page_links(html: str | Selector, base_url: str, domains: Iterable[str]) -> list[Link]:
    """Every distinct link of a page, resolved and classified, in document order.

    Article links are reduced to their first page and carry the date printed next to them in
    their list entry (``<li><a …>Title</a><span>2015-09-15</span></li>``) when there is one.
    """
    sel = html if isinstance(html, Selector) else Selector(text=html)
    base = sel.css("base::attr(href)").get()
    base_url = urljoin(base_url, base.strip()) if base else base_url
    domains = tuple(domains)
    seen: set[str] = set()
    links: list[Link] = []
    for a in sel.css("a[href], area[href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urlunsplit(urlsplit(urljoin(base_url, href))._replace(fragment=""))
        kind = classify(url, domains)
        when = None
        if kind is Kind.ARTICLE:
            url = first_page_url(url)
            parent = a.xpath("..")
            entry_text = " ".join(parent.xpath(".//text()").getall()) if parent else ""
            when = text_date(entry_text) or url_date(url)
        if url in seen:
            continue
        seen.add(url)
        links.append(Link(url, kind, when))
    return links


def next_list_page(current_url: str, links: Iterable[Link]) -> str | None:
    """The lowest-numbered list page of the same section after the current one, if linked."""
    section, number = list_section(current_url), list_page_number(current_url)
    candidates = [
        (list_page_number(link.url), link.url)
        for link in links
        if link.kind is Kind.LIST and list_section(link.url) == section
        and list_page_number(link.url) > number
    ]
    return min(candidates)[1] if candidates else None
