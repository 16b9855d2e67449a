"""The article body: a walker that turns the body element into blocks (paragraphs, lines between
``<br>``s, images), then the rules that make paragraphs, captions and the editor out of them and
leave page chrome behind (share widgets, pagers, related news, editor lines, footers)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from northnews.normalize import EDITOR_LABEL, clean_person, collapse_ws
from northnews.pages._dom import BLOCK_TAGS, SKIP_TAGS, Element, classes, is_hidden, tag_of
from northnews.pages._fields import resolve

# Elements owning a caption when an image and text share them ("text in the same <p>").
_CAPTION_OWNERS = frozenset({"p", "figure", "center", "dd", "li", "td"})

_CHROME_CLASS_RE = re.compile(
    r"^(?:.*share.*|bds?_.*|bdshare.*|jiathis.*|fenxiang.*|.*relate[ds]?.*|xg(?:xw|wz|lj|yd|tj)"
    r"|pages?|pager|paging|pagination|page-?nav|page-?list|fenye|epages|comment.*|pinglun.*"
    r"|ad|ads|advert.*|gg|guanggao|footer|copyright|breadcrumb.*|crumbs?|position"
    r"|print|dayin|tools?|toolbar)$",
    re.I,
)
_CAPTION_CLASS_RE = re.compile(
    r"caption|figcaption|(?:pic|img|image|photo|tu)[_-]?(?:txt|text|title|desc|note|info|intro|zhu|shuo)"
    r"|tuzhu|tushuo|picnote|imgnote",
    re.I,
)
_DATE_ONLY_RE = re.compile(r"^[\s\d\-/:.年月日时分()（）\[\]【】|·]*$")
_CENTER_STYLE_RE = re.compile(r"text-align\s*:\s*center", re.I)


def is_chrome_element(el: Element, site_chrome: frozenset[str] = frozenset()) -> bool:
    """Page chrome by class or id: the generic rules, plus a site profile's own class names."""
    names = [*classes(el), *(el.get("id") or "").split()]
    return any(_CHROME_CLASS_RE.match(n) or n in site_chrome for n in names)


def _is_captionish(el: Element) -> bool:
    """Centred or caption-classed: how the portal sets photo captions apart."""
    if tag_of(el) in {"center", "figcaption"}:
        return True
    if (el.get("align") or "").strip().lower() == "center":
        return True
    style = el.get("style")
    if style and _CENTER_STYLE_RE.search(style):
        return True
    return any(_CAPTION_CLASS_RE.search(c) for c in classes(el))


@dataclass
class Block:
    """A run of text between block boundaries (a paragraph, a line between ``<br>``s)."""

    owner: Element
    parts: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    chars: int = 0
    link_chars: int = 0
    captionish_chars: int = 0
    list_item: bool = False
    plain: list[str] = field(default_factory=list)  # the text outside links

    @property
    def text(self) -> str:
        return collapse_ws("".join(self.parts))

    @property
    def link_ratio(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0

    @property
    def link_and_date(self) -> bool:
        """A news-list entry: a link, and nothing else but its date."""
        return self.link_chars > 0 and bool(_DATE_ONLY_RE.match("".join(self.plain)))

    @property
    def captionish(self) -> bool:
        return self.chars > 0 and self.captionish_chars * 2 >= self.chars


class _Walker:
    def __init__(self, url: str, site_chrome: frozenset[str] = frozenset()) -> None:
        self.url = url
        self.site_chrome = site_chrome
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.owner: Element | None = None
        self.in_link = 0
        self.captionish = 0
        self.list_item = 0

    def _block(self) -> Block:
        if self.current is None:
            assert self.owner is not None
            self.current = Block(owner=self.owner, list_item=self.list_item > 0)
            self.blocks.append(self.current)
        return self.current

    def flush(self) -> None:
        self.current = None

    def add_text(self, text: str | None) -> None:
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

    def walk(self, el: Element) -> None:
        for child in el:
            tag = tag_of(child)
            if tag and tag not in SKIP_TAGS and not is_hidden(child) and not is_chrome_element(child, self.site_chrome):
                self.element(child, tag)
            self.add_text(child.tail)

    def element(self, el: Element, tag: str) -> None:
        if tag == "br":
            self.flush()
            return
        if tag == "img":
            src = resolve(self.url, el.get("src"))
            if src is None:
                src = resolve(self.url, el.get("data-src") or el.get("data-original"))
            if src:
                self._block().images.append(src)
            return
        captionish = _is_captionish(el)
        block = tag in BLOCK_TAGS
        saved_owner = self.owner
        if block:
            self.flush()
            self.owner = el
            self.list_item += tag in {"li", "dt", "dd"}
        self.in_link += tag == "a"
        self.captionish += captionish
        self.add_text(el.text)
        self.walk(el)
        self.captionish -= captionish
        self.in_link -= tag == "a"
        if block:
            self.list_item -= tag in {"li", "dt", "dd"}
            self.flush()
            self.owner = saved_owner

    def run(self, container: Element) -> list[Block]:
        self.owner = container
        self.add_text(container.text)
        self.walk(container)
        self.flush()
        return [b for b in self.blocks if b.text or b.images]


def blocks(container: Element, url: str, site_chrome: frozenset[str] = frozenset()) -> list[Block]:
    return _Walker(url, site_chrome).run(container)


# --- from blocks to paragraphs -------------------------------------------------------------------

_EDITOR_LINE_RE = re.compile(
    rf"^[\s(（\[【]*(?:{EDITOR_LABEL})\s*[:：]\s*(?P<v>[^)）\]】]*?)\s*[)）\]】]*\s*$", re.I
)
_EDITOR_TAIL_RE = re.compile(
    r"^(?P<body>.*?)\s*[(（\[【]\s*(?:责任编辑|责\s*编|编\s*辑|editor)\s*[:：]\s*(?P<v>[^)）\]】]+)[)）\]】]\s*$",
    re.I,
)
_SHARE_WORDS = re.compile(r"^(?:分享到|分享)\s*[:：]|^share (?:to|this)\b|^share\s*:", re.I)
_PAGER_RE = re.compile(
    r"^(?:\s|上一页|下一页|上页|下页|首页|尾页|末页|前一页|后一页|第\s*\d+\s*页|共\s*\d+\s*页|\[?\d{1,3}\]?"
    r"|next(?: page)?|prev(?:ious)?(?: page)?|first|last|page|of|[«»<>‹›|:：….,，]|\.{3})+$",
    re.I,
)
_PAGER_WORD_RE = re.compile(r"上一页|下一页|上页|下页|尾页|末页|前一页|后一页|第\s*\d+\s*页|共\s*\d+\s*页|next|prev", re.I)
_RELATED_RE = re.compile(
    r"^[\s【\[]*(?:相关新闻|相关阅读|相关链接|相关报道|相关文章|延伸阅读|推荐阅读|热点推荐|相关推荐|更多新闻"
    r"|related (?:news|stories|articles|links|reading)|more news|recommended)[】\]]*\s*[:：]?\s*$",
    re.I,
)
_RELATED_PREFIX_RE = re.compile(
    r"^[\s【\[]*(?:相关新闻|相关阅读|相关链接|相关报道|相关文章|延伸阅读|推荐阅读|related (?:news|stories|articles|links))"
    r"[】\]]*\s*[:：]?",
    re.I,
)
_WIDGET_RE = re.compile(r"^(?:\s*[【\[][^】\]]{1,10}[】\]]\s*)+$")
_CHROME_LINE_RE = re.compile(
    r"^(?:返回顶部|返回首页|打印本页|打印|关闭窗口|关闭|收藏本页|我要纠错|字号[:：].*|【?字体[:：].*"
    r"|back to top|print|close)$"
    # Footers, not a story about copyright: "Copyright © 2004-2012 …", "版权所有：…", "蒙ICP备…".
    r"|^(?:copyright\s*(?:©|\(c\)|&copy;|\d{4})|版权所有\s*[:：©]|©\s*\d{4})|all rights reserved|ICP备",
    re.I,
)
_CREDIT_RE = re.compile(
    r"[(（]\s*[^()（）]{0,40}(?:/|／|摄|供图|图片来源|photo|图)[^()（）]{0,40}[)）]\s*[.。]?\s*$", re.I
)


def editor_line(text: str) -> str | None:
    """The editor named by a ``责任编辑：XX`` body line (any frame), else ``None``."""
    match = _EDITOR_LINE_RE.match(text)
    return clean_person(match.group("v"), "editor") if match else None


def is_pager(block: Block) -> bool:
    text = block.text
    if not text or not _PAGER_RE.match(text):
        return False
    return bool(_PAGER_WORD_RE.search(text)) or block.link_ratio >= 0.5


def is_chrome_line(text: str) -> bool:
    return bool(
        _SHARE_WORDS.match(text)
        or _WIDGET_RE.match(text)
        or _CHROME_LINE_RE.search(text)
        or text.lower() == "document.write"
    )


def has_credit(text: str) -> bool:
    """Does the text end in a photo credit: ``(Xinhua/Zhou Hua)``, ``（新华社记者 X 摄）``?"""
    return bool(_CREDIT_RE.search(text))


@dataclass
class Body:
    paragraphs: list[str] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)
    editor: str | None = None


def _same_caption_owner(a: Block, b: Block, container: Element) -> bool:
    return a.owner is b.owner and a.owner is not container and tag_of(a.owner) in _CAPTION_OWNERS


def body(container: Element | None, url: str, site_chrome: frozenset[str] = frozenset()) -> Body:
    """Paragraphs, images with captions and an editor line from an article's body element."""
    out = Body()
    if container is None:
        return out
    items = blocks(container, url, site_chrome)
    consumed: set[int] = set()
    captions: dict[int, str | None] = {}

    for i, block in enumerate(items):
        if not block.images or i in consumed:
            continue
        text = block.text
        if text:
            captions[i] = text
            continue
        caption = None
        nxt = items[i + 1] if i + 1 < len(items) else None
        prv = items[i - 1] if i > 0 else None
        if nxt is not None and not nxt.images and nxt.text and (
            _same_caption_owner(block, nxt, container)
            or nxt.captionish
            or has_credit(nxt.text)
        ) and not editor_line(nxt.text) and not is_chrome_line(nxt.text):
            caption = nxt.text
            consumed.add(i + 1)
        elif (
            prv is not None and not prv.images and prv.text and i - 1 not in consumed
            and _same_caption_owner(block, prv, container)
        ):
            caption = prv.text
            consumed.add(i - 1)
        captions[i] = caption

    related = False
    for i, block in enumerate(items):
        if block.images:
            for src in block.images:
                out.images.append({"url": src, "caption": captions.get(i)})
            related = False
            continue
        if i in consumed:
            continue
        text = block.text
        if not text:
            continue
        editor = editor_line(text)
        if editor is not None:
            out.editor = out.editor or editor
            continue
        tail = _EDITOR_TAIL_RE.match(text)
        if tail:
            out.editor = out.editor or clean_person(tail.group("v"), "editor")
            text = collapse_ws(tail.group("body"))
            if not text:
                continue
        if _RELATED_RE.match(text):
            related = True
            continue
        heading = _RELATED_PREFIX_RE.match(text)
        if heading and block.link_chars * 2 >= block.chars - len(heading.group(0).strip()):
            related = True  # "相关新闻：<a>…</a> <a>…</a>" in one block
            continue
        if related and (block.link_ratio >= 0.5 or block.list_item):
            continue
        related = False
        if block.link_and_date:
            continue  # an entry of a news list, heading or not
        if is_pager(block) or is_chrome_line(text):
            continue
        if block.list_item and block.link_ratio >= 0.8:
            continue  # a list of links inside the body: more chrome than article
        out.paragraphs.append(text)
    return out
