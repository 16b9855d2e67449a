"""Shared page helpers: parsing and visible text.

Everything works on lxml trees directly (no parsel, no Scrapy); selectors are compiled once at
import (:mod:`._select`): the extractor must stay an order of magnitude faster than a
general-purpose one.
"""

from __future__ import annotations

import functools
import re

from lxml import etree

from northnews.normalize import collapse_ws
from northnews.pages import rules
from northnews.pages._select import Doc, Element, Selector

__all__ = [
    "BLOCK_TAGS", "SEP", "SKIP_TAGS", "Doc", "Element", "Selector", "classes", "css", "is_hidden",
    "parse_html", "segmented_text", "tag_of", "text_of",
]

# collect_ids=False: no table of ids is built (nothing looks an element up by id through lxml; the
# layouts' #id steps test the attribute), a few per cent of the parse.
_PARSER = etree.HTMLParser(encoding="utf-8", remove_comments=True, remove_pis=True, collect_ids=False)
# For what the default limits refuse: text nodes over 10 MB, nesting past 256 levels.
_HUGE_PARSER = etree.HTMLParser(
    encoding="utf-8", remove_comments=True, remove_pis=True, huge_tree=True, collect_ids=False,
)
# libxml2 ends the document at the first </html> (and a stray </body> confuses it): the parser
# closes both at the end of the input anyway, so they are dropped wherever they stand.
_END_TAG_RE = re.compile(r"</(?:html|body)\s*>", re.IGNORECASE)
# The same pattern over the page's UTF-8 bytes (scanning bytes is cheaper than scanning text):
# ``\s`` spelled out as the UTF-8 of every character Python's ``\s`` matches (``str.isspace``).
_END_TAG_BYTES_RE = re.compile(
    rb"</(?:html|body)(?:[\t-\r\x1c-\x20]|\xc2[\x85\xa0]|\xe1\x9a\x80|\xe2\x80[\x80-\x8a\xa8\xa9\xaf]"
    rb"|\xe2\x81\x9f|\xe3\x80\x80)*>",
    re.IGNORECASE,
)
_TAG_RE = re.compile(r"<(/?)([A-Za-z][\w:-]*)[^>]*?(/?)>")
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
     "wbr", "p", "li", "option", "td", "tr", "th", "dt", "dd"}
)
#: Tags kept however deep (a link stays a link, a script or style never becomes text, a headline
#: stays a heading), up to this many levels past :data:`MAX_DEPTH`.
_KEEP_DEEP = frozenset({"a", "script", "style", "textarea", "title", "noscript", "h1", "h2", "h3", "template"})
_KEEP_DEEP_SLACK = 40
MAX_DEPTH = 180
"""Nesting kept when a page nests deeper than libxml2 allows: deeper tags go, their text stays."""


def parse_html(html: str | bytes) -> Element | None:
    """An lxml tree for ``html``, or ``None`` for empty/unparseable input.

    Text goes to libxml2 as UTF-8 bytes with the parser's encoding fixed, so a ``<meta charset>``
    left in already-decoded text cannot make it decode a second time; bytes are decoded first by
    :func:`northnews.encoding.decode` (a declaration is only believed when the bytes agree).
    Broken markup never loses the article: NUL bytes are dropped, a stray ``</html>``/``</body>``
    mid-page is ignored, and a page libxml2 refuses (nesting past its limit, a text node over
    10 MB) is parsed again with its nesting flattened and the size limits lifted.
    """
    if isinstance(html, bytes):
        from northnews.encoding import decode

        html = decode(html)[0]
    if not html.strip():
        return None
    # NUL bytes and end tags go from the UTF-8 bytes libxml2 reads (the same edits as on the text:
    # a NUL byte is only ever U+0000 in UTF-8, and the end-tag pattern matches whole characters).
    data = html.encode("utf-8", "surrogatepass")
    if b"\x00" in data:
        data = data.replace(b"\x00", b"")
    data = _END_TAG_BYTES_RE.sub(b"", data)
    try:
        root = etree.fromstring(data, _PARSER)
    except (etree.ParserError, ValueError):
        root = None
    if root is None or _PARSER.error_log.filter_from_fatals():
        html = data.decode("utf-8", "surrogatepass")
        try:
            root = etree.fromstring(flatten(html).encode("utf-8", "surrogatepass"), _HUGE_PARSER)
        except (etree.ParserError, ValueError):
            return root
    return root


def flatten(html: str, max_depth: int = MAX_DEPTH) -> str:
    """``html`` nested at most ``max_depth`` deep, its text kept: runs of the same tag opened one
    inside the other with nothing between them become one, and what is still too deep loses its
    tags."""
    out: list[str] = []
    pos = 0
    dropped: list[bool] = []  # per open element: was its tag dropped?
    last_open: str | None = None  # the tag just opened, while nothing but whitespace followed it
    depth = 0
    for match in _TAG_RE.finditer(html):
        closing, name, selfclosing = match.group(1), match.group(2).lower(), match.group(3)
        between = html[pos : match.start()]
        out.append(between)
        if between.strip():
            last_open = None
        pos = match.end()
        if name in _VOID or selfclosing:
            out.append(match.group(0))  # no nesting: kept at any depth (a paragraph stays one)
            last_open = None
            continue
        if closing:
            if dropped:
                if not dropped.pop():
                    out.append(match.group(0))
                    depth -= 1
            last_open = None
        else:
            drop = name == last_open or (
                depth >= max_depth and not (name in _KEEP_DEEP and depth < max_depth + _KEEP_DEEP_SLACK)
            )
            dropped.append(drop)
            if not drop:
                out.append(match.group(0))
                depth += 1
            last_open = name
    out.append(html[pos:])
    return "".join(out)


@functools.lru_cache(maxsize=512)
def css(selector: str) -> Selector:
    """A compiled selector (the CSS subset the layouts need), evaluated on a :class:`Doc`."""
    return Selector(selector)


def tag_of(el: Element) -> str:
    tag = el.tag
    return tag.lower() if isinstance(tag, str) else ""


def classes(el: Element) -> list[str]:
    return (el.get("class") or "").split()


# --- text ----------------------------------------------------------------------------------------

SKIP_TAGS = rules.SKIP_TAGS
BLOCK_TAGS = rules.BLOCK_TAGS


def is_hidden(el: Element) -> bool:
    style = el.get("style")
    return el.get("hidden") is not None or bool(style and rules.HIDDEN_STYLE_RE.search(style))


def _collect_text(el: Element, sep: str | None, leave_out: frozenset[Element], out: list[str]) -> list[str]:
    """Append ``el``'s visible text nodes to ``out`` in order (``sep`` around segment elements),
    and return it: one call per element, each text appended once (a generator per element
    passed every text up through all the generators above it)."""
    text = el.text
    if text:
        out.append(text)
    for child in el:
        tag = child.tag
        if tag.__class__ is str:
            tag = tag.lower()
            if tag not in SKIP_TAGS and not is_hidden(child) and child not in leave_out:
                if sep is not None and tag in _SEGMENT_TAGS:
                    out.append(sep)
                    _collect_text(child, sep, leave_out, out)
                    out.append(sep)
                else:
                    _collect_text(child, sep, leave_out, out)
        tail = child.tail
        if tail:
            out.append(tail)
    return out


def text_of(el: Element | None, leave_out: frozenset[Element] = frozenset()) -> str:
    """Visible text of ``el`` (no script/style/hidden text, nothing inside ``leave_out``),
    whitespace collapsed."""
    if el is None:
        return ""
    return collapse_ws("".join(_collect_text(el, None, leave_out, [])))


_SEGMENT_TAGS = rules.SEGMENT_TAGS
SEP = rules.SEGMENT_SEP
"""Marks element boundaries in a byline so that a value ends where its ``<span>`` ends."""


def headline_text(el: Element | None, leave_out: frozenset[Element] = frozenset(), *, whole: bool = True) -> str:
    """A heading's own line: its text up to the first block inside it. A heading left unclosed
    by broken markup holds the byline and the story too; a browser shows the heading's line
    first, and that line is the headline. With no text before its first block, the element's
    whole text (``whole``) or nothing."""
    if el is None:
        return ""
    parts: list[str] = []
    _leading(el, parts, leave_out)
    line = collapse_ws("".join(parts))
    return line or (text_of(el, leave_out) if whole else "")


def _leading(node: Element, parts: list[str], leave_out: frozenset[Element]) -> bool:
    """Collect ``node``'s text up to its first block into ``parts``; ``True`` when one was met (a
    function of its own: a closure calling itself is a reference cycle the collector must find)."""
    if node.text:
        parts.append(node.text)
    for child in node:
        tag = tag_of(child)
        if tag in BLOCK_TAGS:
            return True
        if tag and tag not in SKIP_TAGS and not is_hidden(child) and child not in leave_out and _leading(child, parts, leave_out):
            return True
        if child.tail:
            parts.append(child.tail)
    return False


def segmented_text(el: Element | None, leave_out: frozenset[Element] = frozenset()) -> str:
    """Visible text with :data:`SEP` between spans/blocks: ``"来源：新华网\\x1f作者：X"``."""
    if el is None:
        return ""
    return "".join(_collect_text(el, SEP, leave_out, []))


