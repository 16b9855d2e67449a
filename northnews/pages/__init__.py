"""Page understanding: pure functions from an article page's HTML to its raw fields.

Contract used by the spider:

* ``parse_article(html: str, url: str, site: Site | None) -> ArticlePage`` — recognise the
  site's layout by markup and return the raw fields of this one page. Never raises on odd
  markup; a page no layout of the site claims (or any page of a site without layouts) is read
  by the generic extractor and comes back with ``template="generic"`` (best effort).
* ``ArticlePage.page_urls`` — absolute URLs of the article's *other* pages listed by its pager
  (``<id>_2.shtml`` …), in order, so the spider can stitch multi-page articles.

The layouts are tables in the site profile (``northnews/sites/<name>/site.toml``), compiled here
once per site into :class:`~northnews.pages._layout.Layout` objects; :mod:`.generic` is the
fallback.
"""

from __future__ import annotations

import functools
import logging
import re
from datetime import date

from northnews.normalize import parse_datetime, url_date
from northnews.normalize.text import clean_title
from northnews.pages import _dom, generic, rules
from northnews.pages._article import ArticlePage
from northnews.pages._dom import Element, segmented_text, text_of
from northnews.pages._fields import document_titles
from northnews.pages._layout import Layout
from northnews.pages._paragraphs import Body
from northnews.pages._select import Doc
from northnews.pages.objects import GenericPage, LayoutPage, PageObject
from northnews.sites import Site, load_site

__all__ = [
    "ArticlePage", "Body", "Doc", "Element", "GenericPage", "Layout", "LayoutPage", "PageObject", "detect_layout",
    "layouts_of", "parse_article", "parse_html", "segmented_text", "text_of",
]

logger = logging.getLogger(__name__)


#: An inline ``data:`` URI (an image pasted into the editor) longer than libxml2's 10 MB limit for
#: one text or attribute value: its bytes are archived in the WARC, the item needs none of them.
_HUGE_DATA_URI = re.compile(r"""(["'])data:[^"']{1000000,}?\1""")
_HUGE_DATA_URI_BYTES = re.compile(rb"""(["'])data:[^"']{1000000,}?\1""")


def parse_html(html: str | bytes) -> Element | None:
    """The page's lxml tree (:func:`northnews.pages._dom.parse_html`), with huge inline ``data:``
    URIs emptied first: a 50 MB pasted image would otherwise push libxml2 past its limits, and the
    re-parse that follows loses the page's headline (a page stored without it is a page lost)."""
    if len(html) > 1_000_000:
        if isinstance(html, bytes):
            if b"data:" in html:
                html = _HUGE_DATA_URI_BYTES.sub(rb"\1data:,\1", html)
        elif "data:" in html:
            html = _HUGE_DATA_URI.sub(r"\1data:,\1", html)
    return _dom.parse_html(html)


@functools.lru_cache(maxsize=32)
def layouts_of(site: Site) -> tuple[Layout, ...]:
    """The site's layouts, compiled, in the profile's order (most specific first)."""
    pager = site.urls.pager == "suffix"
    objects = getattr(site.hooks, "PAGE_OBJECTS", None) or {}
    return tuple(
        Layout(spec, site.text.chrome_classes, pager, objects.get(spec.name) or LayoutPage) for spec in site.layouts
    )


@functools.lru_cache(maxsize=32)
def wanted_classes(site: Site) -> frozenset[str]:
    """The class tokens a page of ``site`` is looked up by: its layouts' selectors, the breadcrumb
    classes."""
    tokens = set(rules.BREADCRUMB_CLASSES)
    for layout in layouts_of(site):
        for part in layout.parts:
            for steps in layout._sel[part].alternatives:
                for step in steps:
                    tokens.update(step.classes)
    return frozenset(t for t in tokens if re.fullmatch(r"[\w-]+", t))


def _page_day(layout: Layout, doc: Doc, url: str | None, site: Site) -> date | None:
    """The day a page is of, for a layout's ``valid_from``/``valid_until``: the URL's, else the
    date the layout reads."""
    day = url_date(url, site) if url else None
    if day is None:
        raw = layout.page_object_for(doc, url or "").published()
        parsed = parse_datetime(raw, site.timezone)
        day = parsed.date() if parsed else None
    return day


def detect_layout(doc: Doc, site: Site, url: str | None = None) -> Layout | None:
    """The site's layout whose markup the page carries best (first of equals), or ``None``; a
    layout valid from/until a date is only tried on pages of its time."""
    best, best_score = None, 0
    layouts = layouts_of(site)
    for layout in layouts:
        score = layout.score(doc)
        if score > best_score and (not layout.dated or layout.valid_on(_page_day(layout, doc, url, site))):
            best, best_score = layout, score
    refine = getattr(site.hooks, "refine_layout", None)
    if best is not None and refine is not None:
        best = refine(doc, best, {layout.name: layout for layout in layouts})
    return best


def parse_article(
    html: str | None, url: str, site: Site | None = None, *, root: Element | None = None
) -> ArticlePage:
    """Raw fields of one article page; ``template="generic"`` when no layout of ``site`` matches.

    ``site``: the profile whose layouts are tried (the default profile when not given, as the
    first release's two-argument call did; a profile without layouts, or :func:`generic.parse`,
    for the generic extractor alone).

    ``root``: the page's tree when the caller has parsed it already (:func:`parse_html` of the
    same text; the spider reads its links from that tree too, so a page is parsed once); the
    parsers never modify it.
    """
    try:
        if root is None:
            root = parse_html(html or "")
        if root is None:
            return ArticlePage(template=generic.NAME)
        site = site or load_site()
        doc = Doc(root, wanted_classes(site))
        layout = detect_layout(doc, site, url)
        if layout is not None:
            return layout.parse_tree(doc, url)
        crumbs = tuple(dict.fromkeys(s.crumb for s in site.layouts if s.crumb))
        page = generic.parse_tree(doc, url, frozenset(site.text.chrome_classes), crumbs)
        if not clean_title(page.title, site):
            # The generic heading was only the site's name (a logo in an <h1>): the page's
            # <title> or og:title, once the site's suffix is gone, is the headline.
            page.title = next((t for t in document_titles(root) if clean_title(t, site)), page.title)
        return page
    except Exception:  # odd markup must never kill a crawl; the item is then rejected
        logger.exception("Could not parse %s", url)
        return ArticlePage(template=generic.NAME)
