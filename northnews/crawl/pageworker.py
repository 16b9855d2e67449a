"""An article page read in a worker process (``NORTHNEWS_PARSE_WORKERS``), whole.

Everything the crawl reads from an article page's tree is read where the tree is built, so that
the reactor thread never parses the page: its verdict, fields, other pages and canonical alias
(what :func:`northnews.article.read_page` and the spider read), its links (what the spider's
``_links`` reads, :func:`northnews.discovery.page_links`) and its requisites (what the requisites
pipeline reads, :func:`northnews.crawl.pagerequisites.requisites_of`). The page's HTML goes in,
plain data comes back (:class:`Detached`); the spider puts the links and requisites in the
response's meta (``LINKS_META``, ``REQUISITES_META``), where ``_links`` and the requisites
middleware find them instead of a tree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from w3lib.html import get_base_url

from northnews import discovery, pages
from northnews.article import Assembly, PageRead, read_page
from northnews.article.aliases import canonical_alias
from northnews.article.assembly import other_pages
from northnews.crawl.pagerequisites import Requisite, requisites_of
from northnews.sites import Site, load_site

#: The logger of the page parsers (its exceptions are errors of the run).
PARSERS_LOGGER = "northnews.pages"

_SITES: dict[str, Site] = {}


class ParserErrors(logging.Handler):
    """Counts the exceptions the page parsers log in a worker (errors of the run, added to the
    crawl's stats by the spider)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += bool(record.exc_info)


@dataclass
class Detached:
    """What a worker read of one page: ``read`` without its tree; ``links`` (``None`` when not
    asked or not an article page); ``requisites`` (``None`` when not asked)."""

    read: PageRead
    links: list[discovery.Link] | None
    requisites: list[Requisite] | None
    #: A one-page article's item fields and problem codes (:meth:`Assembly.item`), built here when
    #: asked; then ``read.page`` is not sent back.
    item: tuple[dict[str, Any], list[str]] | None = None


def read_whole(url: str, body: bytes, content_type: str | None, text: str | None, encoding: str, site_ref: str,
               article: str | None, *, dates: bool, requisites: bool,
               item: tuple[dict[str, Any] | None, str | None, list[str], str | None] | None = None) -> Detached:
    """One page in a worker: ``article`` the article's URL when this is its first page (its
    canonical alias is read then); ``dates``: the links' list-entry dates (``-a since``);
    ``requisites``: the page is an HTML 200 answer whose requisites the crawl fetches; ``item``:
    the article's capture, section, redirected-from URLs and list-given section name, to build
    its item here when this first page is the whole article (no other pages, no alias)."""
    site = _SITES.get(site_ref)
    if site is None:
        site = _SITES[site_ref] = load_site(site_ref)
    counter = ParserErrors()
    parsers = logging.getLogger(PARSERS_LOGGER)
    parsers.addHandler(counter)
    links = found = fields = None
    try:
        read = read_page(url, body, content_type, text, site)
        root = read.root
        if read.verdict is None and root is not None:
            read.others = other_pages(read, site)
            if article is not None:
                read.alias = canonical_alias(root, article, site)
            links = discovery.page_links(root, url, site, dates=dates)
            if item is not None and article is not None and read.alias is None and not read.others:
                capture, section, redirected_from, section_name = item
                state = Assembly.start(article, read, site, capture=capture, section=section,
                                       redirected_from=redirected_from)
                fields = state.item(section_name)
        if requisites and text is not None:
            if root is None:  # not an article page: its template files are fetched all the same
                root = pages.parse_html(text)
            if root is not None:
                # What Scrapy's get_base_url(response) reads: a <base href> in the first 4 KiB.
                found = requisites_of(root, get_base_url(text[:4096], url, encoding), images=True)
            else:
                found = []
    finally:
        parsers.removeHandler(counter)
    read.root = None
    read.parser_errors = counter.count
    if fields is not None:
        read.page = None  # its fields are built: nothing reads the page's raw fields again
    return Detached(read, links, found, fields)
