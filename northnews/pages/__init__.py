"""Page understanding: pure functions from an article page's HTML to its raw fields.

Contract used by the spider (the parsers' owner may restructure the package freely behind it):

* ``parse_article(html: str, url: str) -> ArticlePage`` — recognise the layout by markup and
  return the raw fields of this one page. Never raises on odd markup; an unrecognised page comes
  back with ``template="generic"`` (best effort).
* ``ArticlePage.page_urls`` — absolute URLs of the article's *other* pages listed by its pager
  (``<id>_2.shtml`` …), in order, so the spider can stitch multi-page articles.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArticlePage:
    """Raw fields of one article page, as printed (labels may still be attached)."""

    template: str
    title: str | None = None
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    date: str | None = None
    section: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    page_urls: list[str] = field(default_factory=list)


def parse_article(html: str, url: str) -> ArticlePage:  # pragma: no cover - replaced by parsers
    raise NotImplementedError
