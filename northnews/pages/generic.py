"""``generic``: best effort for article-shaped pages whose markup no known layout describes.

* title: the heading (h1–h3) that the ``<title>``/``og:title`` agrees with, else the first ``h1``
  that is not the site name, else ``og:title``/``<title>`` minus the site suffix;
* body: the element whose subtree holds the most paragraph text, penalised by the other text it
  holds (links, lists, footers), so the tightest wrapper around the article wins; then the same
  paragraph walker as the known layouts (captions, editor lines, chrome filters);
* date: the byline next to the heading, ``<time datetime>``, ``article:published_time`` and
  similar meta tags, else the first printed date after the heading.

No library: on the fixture pages this scores ≥ 0.9 body F1 at a fraction of trafilatura's cost, and
it shares its paragraph rules (captions, editor lines) with the known layouts.
"""

from __future__ import annotations

import re

from lxml import etree

from northnews.normalize import clean_title, collapse_ws, date_raw, find_date
from northnews.pages import _dom
from northnews.pages._body import body as parse_body
from northnews.pages._body import is_chrome_element, is_chrome_line
from northnews.pages._byline import parse_byline
from northnews.pages._fields import keywords, page_urls, section
from northnews.pages._article import ArticlePage
from northnews.pages._select import Doc, Element

NAME = "generic"

_HEADINGS = etree.XPath("//h1 | //h2 | //h3")
_H1 = etree.XPath("//h1")
_TITLE_TAG = etree.XPath("//title")
_OG_TITLE = etree.XPath("//meta[@property='og:title' or @name='og:title']/@content")
_TIME = etree.XPath("//time[@datetime]/@datetime")
_META_DATE = etree.XPath(
    "//meta[translate(@property, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    "  = 'article:published_time'"
    " or translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'article:published_time'"
    " or translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    "  = 'og:article:published_time'"
    " or translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    "  = 'pubdate'"
    " or translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    "  = 'publishdate'"
    " or translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    "  = 'publish_date'"
    " or translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')"
    "  = 'dc.date.issued'"
    " or translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'dc.date'"
    " or translate(@name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') = 'date'"
    " or @itemprop = 'datePublished']/@content"
)
_TEXT_CANDIDATES = etree.XPath("//body//*[self::td or self::div or self::p or self::span or self::font"
                                " or self::b or self::strong or self::h4]")

_STRUCTURAL_CHROME = frozenset({"nav", "footer", "header", "aside", "ul", "ol", "menu", "a", "form"})
_PARAGRAPH_TAGS = frozenset({"p", "blockquote", "pre", "h4", "h5", "h6"})
_TITLE_TAGS = frozenset({"h1", "h2", "h3"})
_MIN_PARAGRAPH = 10
_BYLINE_LABEL_RE = re.compile(
    r"(?:来\s*源|作\s*者|责任编辑|编\s*辑|发布时间|时\s*间)\s*[:：]|(?:from|source|editor)\s*:", re.I
)


def _is_meta(el: Element, length: int) -> bool:
    """Short lines with a date or byline label, footers and ``a | b | c`` menus are not article text."""
    if length > 200:
        return False
    text = _dom.text_of(el)
    if is_chrome_line(text) or text.count("|") >= 2:
        return True
    if length > 80:
        return False
    # A byline starts with its date or a label, or strings several labels together; a
    # sentence that merely ends in "（责任编辑：X）" is still article text.
    date = find_date(text)
    return bool(
        (date and date.start() <= 8)
        or _BYLINE_LABEL_RE.match(text.lstrip("(（[【 "))
        or len(_BYLINE_LABEL_RE.findall(text)) >= 2
    )


def _heading(root: Element) -> Element | None:
    hints = [clean_title(t) for t in _OG_TITLE(root)]
    hints += [clean_title(_dom.text_of(t)) for t in _TITLE_TAG(root)]
    hints = [h for h in hints if h]
    headings = [(h, clean_title(_dom.text_of(h))) for h in _HEADINGS(root)]
    for el, text in headings:
        if text and any(text in hint or hint in text for hint in hints):
            return el
    for el in _H1(root):
        if clean_title(_dom.text_of(el)):
            return el
    # No heading element (table layouts: <td><font><b>title</b></font></td>): the outermost
    # element whose whole text is the <title>'s.
    for hint in hints:
        for el in _TEXT_CANDIDATES(root):
            if clean_title(_dom.text_of(el)) == hint:
                return el
    return None


def _title(root: Element, heading: Element | None) -> str | None:
    if heading is not None:
        return _dom.text_of(heading)
    for content in _OG_TITLE(root):
        if clean_title(content):
            return content
    for el in _TITLE_TAG(root):
        text = _dom.text_of(el)
        if clean_title(text):
            return text
    return None


def _score_tree(root: Element) -> Element | None:
    """The element with the most paragraph text, net of the other text its subtree holds."""
    best: tuple[float, Element | None] = (0.0, None)

    def visit(el: Element, chrome: bool) -> tuple[int, int, int]:
        nonlocal best
        tag = _dom.tag_of(el)
        chrome = chrome or tag in _STRUCTURAL_CHROME or is_chrome_element(el)
        direct = len((el.text or "").strip())
        total, link, good, block_children = direct, 0, 0, False
        for child in el:
            ctag = _dom.tag_of(child)
            if ctag and ctag not in _dom.SKIP_TAGS and not _dom.is_hidden(child):
                g, t, l = visit(child, chrome)
                good, total, link = good + g, total + t, link + l
                block_children = block_children or ctag in _dom.BLOCK_TAGS
            tail = len((child.tail or "").strip())
            direct += tail
            total += tail
        if tag == "a":
            link = total
        if not chrome and tag not in _TITLE_TAGS:
            if tag in _PARAGRAPH_TAGS or (tag in {"div", "td", "span", "font"} and not block_children):
                own = total - link
                if own >= _MIN_PARAGRAPH and not _is_meta(el, own):
                    good = max(good, own)
            elif direct >= _MIN_PARAGRAPH:
                good += direct  # text between <br>s right in a container
        score = good - (total - good)
        if score > best[0]:
            best = (score, el)
        return good, total, link

    body = root.find(".//body")
    visit(body if body is not None else root, False)
    return best[1]


def _byline_elements(heading: Element | None, container: Element | None) -> list[Element]:
    """Elements likely to hold the byline: the heading's next siblings (and their kin)."""
    if heading is None:
        return []
    out: list[Element] = []
    node: Element | None = heading
    # The byline sits next to the heading, or next to the heading's wrapper.
    for _ in range(3):
        if node is None:
            break
        for sibling in node.itersiblings():
            if container is not None and (
                sibling is container or sibling in container.iterancestors()
            ):
                break
            if _dom.tag_of(sibling):
                out.append(sibling)
            if len(out) >= 4:
                break
        if out:
            break
        node = node.getparent()
    return out


def _date(root: Element, heading: Element | None, byline_date: str | None) -> str | None:
    if byline_date:
        return byline_date
    for value in _TIME(root):
        if collapse_ws(value):
            return collapse_ws(value)
    for value in _META_DATE(root):
        if collapse_ws(value):
            return collapse_ws(value)
    if heading is not None:
        # The first date printed after the heading, not counting link text (related lists).
        texts: list[str] = []
        for el in heading.itersiblings():
            texts.append(" ".join(t for t in _link_free_text(el)))
            if sum(map(len, texts)) > 2000:
                break
        return date_raw(" ".join(texts))
    return None


def _link_free_text(el: Element) -> list[str]:
    out: list[str] = []

    def walk(node: Element) -> None:
        tag = _dom.tag_of(node)
        if tag == "a" or tag in _dom.SKIP_TAGS:
            return
        if node.text:
            out.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                out.append(child.tail)

    if _dom.tag_of(el):
        walk(el)
    return out


def parse_tree(doc: Doc, url: str) -> ArticlePage:
    root = doc.root
    heading = _heading(root)
    container = _score_tree(root)
    body = parse_body(container, url)
    bylines = _byline_elements(heading, container)
    byline = parse_byline(*bylines)
    # A container wide enough to hold the heading and byline too must not put them in the body.
    meta_lines = {_dom.text_of(el) for el in bylines}
    if heading is not None:
        meta_lines.add(_dom.text_of(heading))
    body.paragraphs = [p for p in body.paragraphs if p not in meta_lines]
    return ArticlePage(
        template=NAME,
        title=_title(root, heading),
        source=byline.source,
        author=byline.author,
        editor=byline.editor or body.editor,
        date=_date(root, heading, byline.date),
        section=section(doc),
        paragraphs=body.paragraphs,
        images=body.images,
        tags=keywords(root),
        page_urls=page_urls(root, url),
    )


def parse(html: str, url: str) -> ArticlePage:
    root = _dom.parse_html(html)
    if root is None:
        return ArticlePage(template=NAME)
    return parse_tree(Doc(root), url)
