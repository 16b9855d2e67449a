"""Shared page helpers: parsing and visible text.

Everything works on lxml trees directly (no parsel, no Scrapy); selectors are compiled once at
import (:mod:`._select`): the extractor must stay an order of magnitude faster than a
general-purpose one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from northnews.normalize import collapse_ws
from northnews.pages._select import Doc, Element, Selector

__all__ = [
    "BLOCK_TAGS", "SEP", "SKIP_TAGS", "Doc", "Element", "Selector", "classes", "css", "is_hidden",
    "parse_html", "segmented_text", "tag_of", "text_of",
]

_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True)


def parse_html(html: str | bytes) -> Element | None:
    """An lxml tree for ``html``, or ``None`` for empty/unparseable input.

    Text goes to libxml2 as UTF-8 bytes with the parser's encoding fixed, so a ``<meta charset>``
    left in already-decoded text cannot make it decode a second time.
    """
    data = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html
    if not data.strip():
        return None
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.ParserError, ValueError):
        return None
    return root


def css(selector: str) -> Selector:
    """A compiled selector (the CSS subset the layouts need), evaluated on a :class:`Doc`."""
    return Selector(selector)


def tag_of(el: Element) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def classes(el: Element) -> list[str]:
    return (el.get("class") or "").split()


# --- text ----------------------------------------------------------------------------------------

SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "canvas",
     "button", "select", "textarea", "input", "head", "title", "meta", "link", "audio", "video",
     "map", "frame", "frameset"}
)
BLOCK_TAGS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "table",
     "tbody", "thead", "tfoot", "tr", "td", "th", "blockquote", "section", "article", "header",
     "footer", "aside", "figure", "figcaption", "center", "pre", "address", "hr", "nav", "main",
     "form", "fieldset", "caption", "details", "summary"}
)
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)


def is_hidden(el: Element) -> bool:
    style = el.get("style")
    return el.get("hidden") is not None or bool(style and _HIDDEN_STYLE_RE.search(style))


def _iter_text(el: Element, sep: str | None) -> Iterator[str]:
    if el.text:
        yield el.text
    for child in el:
        tag = tag_of(child)
        if tag and tag not in SKIP_TAGS and not is_hidden(child):
            if sep is not None and tag in _SEGMENT_TAGS:
                yield sep
                yield from _iter_text(child, sep)
                yield sep
            else:
                yield from _iter_text(child, sep)
        if child.tail:
            yield child.tail


def text_of(el: Element | None) -> str:
    """Visible text of ``el`` (no script/style/hidden text), whitespace collapsed."""
    if el is None:
        return ""
    return collapse_ws("".join(_iter_text(el, None)))


_SEGMENT_TAGS = frozenset(
    {"p", "div", "li", "td", "dd", "dt", "span", "em", "i", "b", "strong", "font", "label", "time",
     "small", "cite", "h1", "h2", "h3", "h4", "h5", "h6", "br"}
)
SEP = "\x1f"
"""Marks element boundaries in a byline so that a value ends where its ``<span>`` ends."""


def segmented_text(el: Element | None) -> str:
    """Visible text with :data:`SEP` between spans/blocks: ``"来源：新华网\\x1f作者：X"``."""
    if el is None:
        return ""
    return "".join(_iter_text(el, SEP))


