"""One article from its pages: which page comes next, and the item's fields once all are in.

Pure (no Scrapy, no I/O): the ``articles`` spider (navigation) and ``northnews-archive extract``
(bulk re-extraction from WARCs, :mod:`northnews.ops.extract`) both build their items here, so an
item is the same whichever of them read the pages.

* :func:`other_pages` / :func:`more_pages` — the pager's URLs still to fetch, in order (page 3's
  pager lists page 2 again: pages already requested are not asked for twice);
* :func:`build_item` — the pages' raw fields (first page first) plus the capture's provenance
  → the item's fields as a dict in :data:`ITEM_FIELDS` order, and the problem codes
  (``generic_template``, ``date_url_mismatch``) the caller counts and logs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from northnews.normalize import article_fields
from northnews.pages._article import ArticlePage
from northnews.sites import Site
from northnews.util.clock import iso_z, parse_iso

#: Every field of an item, in the order feeds write them (``FEED_EXPORT_FIELDS`` in settings.py,
#: the fields of :class:`northnews.items.ArticleItem`; a test keeps the three equal).
ITEM_FIELDS = (
    "url", "site", "edition", "section", "title", "source", "source_raw", "author", "editor",
    "published", "published_raw", "body", "images", "tags", "template", "fetched_at",
    "warc", "content_digest", "redirected_from", "kicker", "subtitle", "page", "continued_from", "continued_to",
)


def other_pages(page: ArticlePage, page_url: str) -> list[str]:
    """The first page's pager: every other page of the article, in order."""
    return [u for u in page.page_urls if u != page_url]


def more_pages(page: ArticlePage, page_url: str, known: Iterable[str]) -> list[str]:
    """A later page's pager: pages not yet known (requested or pending), in order."""
    seen = set(known)
    return [u for u in page.page_urls if u not in seen and u != page_url]


def build_item(
    pages: Sequence[ArticlePage],
    url: str,
    site: Site,
    capture: dict[str, Any] | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """The item of one article (``url``: its first page as linked) and its problem codes.

    ``capture`` is the first page's provenance (``{"warc": {...}, "fetched_at": "…Z"}``, from the
    WARC writer in a live crawl or from the record served in WARC replay); without a
    ``fetched_at`` the item is stamped now. A year-less printed date takes the capture's year.
    """
    capture = capture or {}
    fetched_at = capture.get("fetched_at") or iso_z()
    fields, problems = article_fields(pages, url, site, captured=parse_iso(fetched_at))
    fields.update(
        url=url,
        site=site.name,
        edition=site.edition_of(url),
        fetched_at=fetched_at,
        warc=capture.get("warc"),
    )
    return {name: fields.get(name) for name in ITEM_FIELDS}, problems
