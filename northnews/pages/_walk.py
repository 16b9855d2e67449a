"""The walker: one pass over a story's container (a known layout's body element, or the one the
generic path found) that turns it into blocks: paragraphs, lines between ``<br>``s, list items,
sub-headings, pictures. The same walker serves both paths; what it leaves out (chrome) is a
predicate the caller passes (:func:`layout_chrome` for a known layout, the container scorer's
verdict for the generic path), and the caption elements a layout declares are marked on their
blocks. Paragraph rules are :mod:`._paragraphs`' (the body engine).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

from northnews.normalize import collapse_ws
from northnews.pages import rules
from northnews.pages._dom import Element

#: ``chrome(el, tag) -> bool``: leave this element (and all it holds) out.
ChromeTest = Callable[[Element, str], bool]


@dataclass(slots=True)
class Block:
    """A run of text between block boundaries (a paragraph, a line between ``<br>``s), with what
    the walk saw around it."""

    owner: Element
    tag: str
    parts: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    chars: int = 0
    link_chars: int = 0
    #: characters inside caption-like markup: a caption tag or class, centred text
    captionish_chars: int = 0
    list_item: bool = False
    #: inside a caption tag or class
    caption: bool = False
    heading: bool = False
    #: inside a summary box (a class of :data:`rules.SUMMARY_WORDS`)
    summary: bool = False
    #: inside a caption element the layout declares
    declared: bool = False
    #: its block element is centred (``align=center``, ``text-align: center``)
    centered: bool = False

    #: the block's text, whitespace collapsed (set when the walk is over)
    text: str = ""

    @property
    def link_ratio(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0

    @property
    def captionish(self) -> bool:
        return self.chars > 0 and self.captionish_chars * 2 >= self.chars


def image_src(el: Element, url: str) -> str | None:
    """The picture a reader sees (:func:`.rules.real_image_src`: a lazy-loaded image's real address
    over a placeholder ``src``), absolute, or ``None`` for a placeholder alone."""
    return resolve(url, rules.real_image_src(el))


def resolve(url: str, src: str | None) -> str | None:
    src = (src or "").strip()
    if not src or src.startswith(("data:", "javascript:", "about:")):
        return None
    return urljoin(url, src)


def is_hidden(el: Element) -> bool:
    style = el.get("style")
    return (
        el.get("hidden") is not None or el.get("aria-hidden") == "true"
        or bool(style and rules.HIDDEN_STYLE_RE.search(style))
    )


def is_captionish(el: Element, tag: str) -> bool:
    """Centred or caption-classed: how editors set photo captions apart."""
    if tag in rules.CAPTION_TAGS or tag == "center":
        return True
    if (el.get("align") or "").strip().lower() == "center":
        return True
    style = el.get("style")
    if style and rules.CENTER_STYLE_RE.search(style):
        return True
    return is_caption_class(el)


def is_caption_class(el: Element) -> bool:
    """A class naming a picture's caption (:data:`rules.CAPTION_CLASS_RE`)."""
    cls = el.get("class")
    return bool(cls) and _caption_class_value(cls)


#: Per class value (a plain dict, not an lru_cache: the collector tracks none of its entries).
_caption_classes: dict[str, bool] = {}


def _caption_class_value(cls: str) -> bool:
    verdict = _caption_classes.get(cls)
    if verdict is None:
        if len(_caption_classes) >= 1 << 14:
            _caption_classes.clear()
        verdict = _caption_classes[cls] = bool(rules.CAPTION_CLASS_RE.search(cls))
    return verdict


_summary_cache: dict[str, bool] = {}


def is_summary_class(el: Element) -> bool:
    """A class or id naming a summary box in one or two words (``article-summary``, ``intro``)."""
    value = f"{el.get('class') or ''} {el.get('id') or ''}"
    verdict = _summary_cache.get(value)
    if verdict is None:
        verdict = False
        for token in value.split():
            words = [w for w in rules.SUMMARY_WORD_SPLIT_RE.split(token.lower()) if w]
            if 0 < len(words) <= rules.SUMMARY_CLASS_MAX_WORDS and words[-1] in rules.SUMMARY_WORDS:
                verdict = True
                break
        if len(_summary_cache) > 20000:
            _summary_cache.clear()
        _summary_cache[value] = verdict
    return verdict


def layout_chrome(site_chrome: frozenset[str] = frozenset(), leave_out: frozenset[Element] = frozenset()) -> ChromeTest:
    """What a known layout's body leaves out: hidden elements, chrome by class or id (the rule
    book's, plus the profile's own class names) and the layout's ``exclude`` part."""

    def chrome(el: Element, tag: str) -> bool:
        if el in leave_out or is_hidden(el):
            return True
        names = (el.get("class") or "").split() + (el.get("id") or "").split()
        return any(n in site_chrome or rules.BODY_CHROME_CLASS_RE.match(n) for n in names)

    return chrome


_SKIP, _BLOCKS, _MAX_DEPTH = rules.SKIP_TAGS, rules.BLOCK_TAGS, rules.MAX_WALK_DEPTH
_CAPTION_TAGS, _LIST_ITEM_TAGS, _SUBHEADING_TAGS = rules.CAPTION_TAGS, rules.LIST_ITEM_TAGS, rules.SUBHEADING_TAGS


class Walker:
    """One walk over a container; ``summaries`` marks summary boxes (the generic path's)."""

    def __init__(
        self, url: str, chrome: ChromeTest, summary: Callable[[Element], bool] | None = None,
        declared: frozenset[Element] = frozenset(),
    ) -> None:
        self.url = url
        self.chrome = chrome
        self.summary_test = summary
        self.declared = declared
        self.in_declared = 0
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.owner: Element | None = None
        self.tag = "div"
        self.in_link = 0
        self.captionish = 0
        self.in_caption = 0
        self.in_list = 0
        self.in_heading = 0
        self.in_summary = 0
        self.centered = False

    def _block(self) -> Block:
        if self.current is None:
            assert self.owner is not None
            self.current = Block(
                self.owner, self.tag, list_item=self.in_list > 0, caption=self.in_caption > 0,
                heading=self.in_heading > 0, summary=self.in_summary > 0, centered=self.centered,
                declared=self.in_declared > 0,
            )
            self.blocks.append(self.current)
        return self.current

    def add(self, text: str | None) -> None:
        if not text:
            return
        n = len(text.strip())
        if not n and self.current is None:
            return
        block = self._block()
        block.parts.append(text)
        block.chars += n
        if self.in_link:
            block.link_chars += n
        if self.captionish:
            block.captionish_chars += n

    def walk(self, el: Element, depth: int) -> None:
        """``el``'s children, each element's text, children and tail in turn (the walk's hot loop:
        one call per element, attributes read once)."""
        chrome, add = self.chrome, self.add
        deep = depth >= _MAX_DEPTH
        for child in el:
            tag = child.tag
            if tag.__class__ is str and not deep:
                tag = tag.lower()
                if tag == "br":
                    self.current = None
                elif tag == "img":
                    if not chrome(child, tag):
                        src = image_src(child, self.url)
                        if src:
                            self._block().images.append(src)
                elif tag not in _SKIP and not chrome(child, tag):
                    self.element(child, tag, depth)
            tail = child.tail
            if tail and (self.current is not None or not tail.isspace()):
                add(tail)

    def element(self, el: Element, tag: str, depth: int) -> None:
        block = tag in _BLOCKS
        # is_captionish and is_caption_class, each attribute read once (the walk's hottest lines)
        get = el.get
        cls, align, style = get("class"), get("align"), get("style")
        caption = tag in _CAPTION_TAGS or (bool(cls) and _caption_class_value(cls))
        captionish = (
            caption or tag == "center" or (align is not None and align.strip().lower() == "center")
            or bool(style and rules.CENTER_STYLE_RE.search(style))
        )
        summary = (
            block and self.summary_test is not None and (bool(cls) or get("id") is not None) and self.summary_test(el)
        )
        declared = bool(self.declared) and el in self.declared
        saved = self.owner, self.tag, self.centered
        if block:
            self.current = None
            self.owner, self.tag = el, tag
            self.centered = align == "center" or "center" in (style or "")
        list_item = tag in _LIST_ITEM_TAGS
        heading = tag in _SUBHEADING_TAGS
        link = tag == "a"
        # The counters move only for what this element is (most elements are none of these).
        if list_item:
            self.in_list += 1
        if heading:
            self.in_heading += 1
        if link:
            self.in_link += 1
        if captionish:
            self.captionish += 1
        if caption:
            self.in_caption += 1
        if summary:
            self.in_summary += 1
        if declared:
            self.in_declared += 1
        text = el.text
        if text and (self.current is not None or not text.isspace()):
            self.add(text)
        if len(el):
            self.walk(el, depth + 1)
        if declared:
            self.in_declared -= 1
        if summary:
            self.in_summary -= 1
        if caption:
            self.in_caption -= 1
        if captionish:
            self.captionish -= 1
        if link:
            self.in_link -= 1
        if heading:
            self.in_heading -= 1
        if list_item:
            self.in_list -= 1
        if block:
            self.current = None
            self.owner, self.tag, self.centered = saved

    def run(self, container: Element) -> list[Block]:
        self.owner = container
        self.in_declared = int(container in self.declared)
        self.add(container.text)
        self.walk(container, 0)
        self.current = None
        for b in self.blocks:
            b.text = collapse_ws("".join(b.parts))
        return [b for b in self.blocks if b.images or b.text]


def blocks(
    container: Element, url: str, chrome: ChromeTest, summary: Callable[[Element], bool] | None = None,
    declared: frozenset[Element] = frozenset(),
) -> list[Block]:
    """The blocks of ``container`` in reading order, chrome left out; ``declared``: caption
    elements (their blocks are marked)."""
    return Walker(url, chrome, summary, declared).run(container)
