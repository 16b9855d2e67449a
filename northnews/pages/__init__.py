"""Page understanding: pure functions from an article page's HTML to its raw fields.

Contract used by the spider:

* ``parse_article(html: str, url: str) -> ArticlePage`` — recognise the layout by markup and
  return the raw fields of this one page. Never raises on odd markup; an unrecognised page comes
  back with ``template="generic"`` (best effort).
* ``ArticlePage.page_urls`` — absolute URLs of the article's *other* pages listed by its pager
  (``<id>_2.shtml`` …), in order, so the spider can stitch multi-page articles.

One module per layout (:mod:`.english`, :mod:`.l_cont`, :mod:`.l_tit`, :mod:`.wz_tit`,
:mod:`.title_h3`) plus :mod:`.generic`; each has ``parse(html, url) -> ArticlePage``.
"""

from __future__ import annotations

import logging

from northnews.pages import _dom, english, generic, l_cont, l_tit, title_h3, wz_tit
from northnews.pages._article import ArticlePage
from northnews.pages._layout import Layout
from northnews.pages._select import Doc

__all__ = ["ArticlePage", "LAYOUTS", "detect_layout", "parse_article"]

logger = logging.getLogger(__name__)

LAYOUTS: tuple[Layout, ...] = (wz_tit.LAYOUT, l_tit.LAYOUT, title_h3.LAYOUT, l_cont.LAYOUT)
"""The Chinese layouts, most specific markup first (``english`` is ``l-cont``-shaped)."""


def detect_layout(doc: Doc) -> Layout | None:
    """The known layout whose markup the page carries best, or ``None``."""
    best, best_score = None, 0
    for layout in LAYOUTS:
        score = layout.score(doc)
        if score > best_score:
            best, best_score = layout, score
    if best is l_cont.LAYOUT and english.is_english(doc):
        return english.LAYOUT
    return best


def parse_article(html: str, url: str) -> ArticlePage:
    """Raw fields of one article page; ``template="generic"`` when no known layout matches."""
    try:
        root = _dom.parse_html(html)
        if root is None:
            return ArticlePage(template=generic.NAME)
        doc = Doc(root)
        layout = detect_layout(doc)
        if layout is None:
            return generic.parse_tree(doc, url)
        return layout.parse_tree(doc, url)
    except Exception:  # odd markup must never kill a crawl; the item is then rejected
        logger.exception("Could not parse %s", url)
        return ArticlePage(template=generic.NAME)
