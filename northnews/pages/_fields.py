"""Page-level fields: keywords, the breadcrumb's section, the pager's other pages."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from lxml import etree

from northnews.normalize import collapse_ws, section_from_crumbs, split_tags
from northnews.pages import rules
from northnews.pages._dom import SKIP_TAGS, Doc, Element, css, is_hidden, tag_of, text_of

_DOC_TITLES_XP = etree.XPath(
    "//meta[@property='og:title' or @name='og:title']/@content | //head/title//text() | //title//text()"
)


def document_titles(root: Element) -> list[str]:
    """The page's own names for itself: ``og:title`` and ``<title>``, in that order."""
    return [collapse_ws(t) for t in _DOC_TITLES_XP(root) if collapse_ws(t)]


_KEYWORDS_XP = etree.XPath(
    "//meta[translate(@name, 'KEYWORDS', 'keywords')='keywords']/@content"
)


def keywords(root: Element) -> list[str]:
    for content in _KEYWORDS_XP(root):
        tags = split_tags(content)
        if tags:
            return tags
    return []


def printed_tags(elements: list[Element], leave_out: frozenset[Element] = frozenset()) -> list[str]:
    """The tags a page prints (a layout's ``tags`` part): each link inside the elements is one tag
    (``<a>Schools</a><a>Budget</a>``, a heading such as ``Tags`` left aside); an element without
    links is split as the keywords meta is (``标签：城市更新 王庄镇`` gives two)."""
    found: list[str] = []
    for el in elements:
        anchors = [el] if tag_of(el) == "a" else list(el.iter("a"))
        if anchors:
            found += [collapse_ws(text_of(a, leave_out)) for a in anchors]
        else:
            found += split_tags(rules.TAGS_LABEL_RE.sub("", text_of(el, leave_out), count=1))
    return list(dict.fromkeys(t for t in found if t))


_CRUMB_SPLIT_RE = rules.CRUMB_SPLIT_RE
_CRUMB_LABEL_RE = rules.CRUMB_LABEL_RE


def crumbs(el: Element | None) -> list[str]:
    """The crumbs of a breadcrumb: each link whole, bare text split on ``>``/``»``/``/``."""
    if el is None:
        return []
    out: list[str] = []

    def bare(text: str | None) -> None:
        if text:
            text = _CRUMB_LABEL_RE.sub("", collapse_ws(text))
            out.extend(p for p in _CRUMB_SPLIT_RE.split(text) if p.strip())

    def walk(node: Element) -> None:
        bare(node.text)
        for child in node:
            tag = tag_of(child)
            if tag == "a":
                text = _CRUMB_LABEL_RE.sub("", text_of(child))
                if text.strip(" >»›＞/|"):
                    out.append(text.strip(" >»›＞/|"))
            elif tag and tag not in SKIP_TAGS and not is_hidden(child):
                walk(child)
            bare(child.tail)

    walk(el)
    return [collapse_ws(c) for c in out if collapse_ws(c)]


_CRUMB_SELS = [css(s) for s in rules.BREADCRUMB_SELECTORS]
_MAX_CRUMB_CHILDREN = rules.CRUMB_MAX_CHILDREN


def section(doc: Doc, preferred: str | None = None, *, generic: bool = True) -> str | None:
    """The breadcrumb's section: ``preferred`` selector first (a layout's ``crumb``: the breadcrumb's
    element, or its entries, which are read as one breadcrumb), then (``generic``) the rule book's
    breadcrumb classes, looked up in the class index."""
    if preferred:
        found_in = [crumbs(el) for el in css(preferred)(doc)]
        if len(found_in) > 1 and all(len(c) <= 1 for c in found_in):
            # The selector names the breadcrumb's entries (``#pt .z a``): together they are one.
            found_in = [[c for entry in found_in for c in entry]]
        for trail in found_in:
            found = section_from_crumbs(trail)
            if found:
                return found
    if not generic:
        return None
    candidates = [el for name in rules.BREADCRUMB_CLASSES for el in doc.by_class(name)]
    for sel in _CRUMB_SELS:
        candidates += sel(doc)
    for el in candidates:
        if len(el) > _MAX_CRUMB_CHILDREN:
            continue
        found = section_from_crumbs(crumbs(el))
        if found:
            return found
    return None


_PAGE_URL_RE = rules.ARTICLE_PAGE_URL_RE
_LINK_XP = etree.XPath("//a[@href]/@href")


def page_urls(root: Element, url: str) -> list[str]:
    """Absolute URLs of the article's other pages (``<id>_2.shtml``…), in page order."""
    here = urlsplit(url)
    match = _PAGE_URL_RE.match(here.path)
    if not match:
        return []
    stem, ext, article_id = match["stem"], match["ext"].lower(), match["id"]
    current = int(match["n"] or 1)
    pages: dict[int, str] = {}
    for href in _LINK_XP(root):
        href = href.strip()
        # Resolving every link is the costliest step of a page: only links naming the id can
        # be one of its pages.
        if article_id not in href or href.startswith(("#", "javascript:", "mailto:")):
            continue
        absolute = urlsplit(urljoin(url, href))
        if absolute.netloc.lower() != here.netloc.lower():
            continue
        other = _PAGE_URL_RE.match(absolute.path)
        if not other or other["stem"] != stem or other["ext"].lower() != ext:
            continue
        number = int(other["n"] or 1)
        if number == current:  # this page, also when page 1 is linked as <id>_1.shtml
            continue
        candidate = f"{here.scheme}://{here.netloc}{absolute.path}"
        if number not in pages or (number == 1 and other["n"] is None):
            pages[number] = candidate  # page 1 by its plain URL, the article's own
    return [pages[n] for n in sorted(pages)]
