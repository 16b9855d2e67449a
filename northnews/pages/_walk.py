"""The walker: one pass over a story's container (a known layout's body element, or the one the
generic path found) that turns it into blocks: paragraphs, lines between ``<br>``s, list items,
sub-headings, pictures. The same walker serves both paths; what it leaves out (chrome) is a
predicate the caller passes (:func:`layout_chrome` for a known layout, the container scorer's
verdict for the generic path). Paragraph rules are :mod:`._paragraphs`'.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

from northnews.normalize import collapse_ws
from northnews.pages import rules
from northnews.pages._dom import Element

#: ``chrome(el, tag) -> bool``: leave this element (and all it holds) out.
ChromeTest = Callable[[Element, str], bool]


@dataclass
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
    #: its block element is centred (``align=center``, ``text-align: center``)
    centered: bool = False
    #: the text outside links
    plain: list[str] = field(default_factory=list)

    @functools.cached_property
    def text(self) -> str:
        """The block's text, whitespace collapsed (read once the walk is over)."""
        return collapse_ws("".join(self.parts))

    @property
    def link_ratio(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0

    @property
    def link_and_date(self) -> bool:
        """A news-list entry: a link, and nothing else but its date."""
        return self.link_chars > 0 and bool(rules.DATE_ONLY_RE.match("".join(self.plain)))

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


@functools.lru_cache(maxsize=1 << 14)
def _caption_class_value(cls: str) -> bool:
    return bool(rules.CAPTION_CLASS_RE.search(cls))


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


class Walker:
    """One walk over a container; ``summaries`` marks summary boxes (the generic path's)."""

    def __init__(self, url: str, chrome: ChromeTest, summary: Callable[[Element], bool] | None = None) -> None:
        self.url = url
        self.chrome = chrome
        self.summary_test = summary
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
        else:
            block.plain.append(text)
        if self.captionish:
            block.captionish_chars += n

    def walk(self, el: Element, depth: int) -> None:
        for child in el:
            tag = child.tag
            if isinstance(tag, str) and depth < rules.MAX_WALK_DEPTH:
                tag = tag.lower()
                if tag not in rules.SKIP_TAGS and not self.chrome(child, tag):
                    self.element(child, tag, depth)
            self.add(child.tail)

    def element(self, el: Element, tag: str, depth: int) -> None:
        if tag == "br":
            self.current = None
            return
        if tag == "img":
            src = image_src(el, self.url)
            if src:
                self._block().images.append(src)
            return
        block = tag in rules.BLOCK_TAGS
        # is_captionish and is_caption_class, each attribute read once (the walk's hottest lines)
        get = el.get
        cls, align, style = get("class"), get("align"), get("style")
        caption = tag in rules.CAPTION_TAGS or (bool(cls) and _caption_class_value(cls))
        captionish = (
            caption or tag == "center" or (align is not None and align.strip().lower() == "center")
            or bool(style and rules.CENTER_STYLE_RE.search(style))
        )
        summary = block and self.summary_test is not None and self.summary_test(el)
        saved = self.owner, self.tag, self.centered
        if block:
            self.current = None
            self.owner, self.tag = el, tag
            self.centered = align == "center" or "center" in (style or "")
        list_item = tag in rules.LIST_ITEM_TAGS
        heading = tag in rules.SUBHEADING_TAGS
        link = tag == "a"
        self.in_list += list_item
        self.in_heading += heading
        self.in_link += link
        self.captionish += captionish
        self.in_caption += caption
        self.in_summary += summary
        self.add(el.text)
        self.walk(el, depth + 1)
        self.in_summary -= summary
        self.in_caption -= caption
        self.captionish -= captionish
        self.in_link -= link
        self.in_heading -= heading
        self.in_list -= list_item
        if block:
            self.current = None
            self.owner, self.tag, self.centered = saved

    def run(self, container: Element) -> list[Block]:
        self.owner = container
        self.add(container.text)
        self.walk(container, 0)
        self.current = None
        return [b for b in self.blocks if b.images or b.text]


def blocks(
    container: Element, url: str, chrome: ChromeTest, summary: Callable[[Element], bool] | None = None,
) -> list[Block]:
    """The blocks of ``container`` in reading order, chrome left out."""
    return Walker(url, chrome, summary).run(container)
