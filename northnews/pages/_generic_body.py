"""The paragraphs of a page no layout describes (step 2 of the generic body; step 1, the
container, is :mod:`._generic_container`).

A walk over the container makes blocks (paragraphs, lines between ``<br>``, list items,
sub-headings, images) and keeps the prose: link lists, captions, share bars, "related" lists,
editor lines and footers are dropped; leading and trailing bylines, summary boxes and
``（原标题：…）`` lines are trimmed.

Pure lxml, no library: on the real-pages benchmark this is what decides quality and speed (see
``benchmarks/realpages.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from northnews.normalize import clean_person, collapse_ws
from northnews.pages._body import editor_line, has_credit, is_chrome_line
from northnews.pages._dom import Element
from northnews.pages._fields import resolve
from northnews.pages._generic_container import (  # noqa: F401  (SKIP, class_verdict: this module's interface)
    _CAPTION_TAGS,
    BLOCKS,
    CAPTION_END_RE,
    CAPTION_START_RE,
    CREDIT_LINE_RE,
    HEADINGS,
    JUNK_LINE_RE,
    NOTICE_ANY_RE,
    NOTICE_RE,
    PRINT_EDITION_RE,
    RELATED_HEAD_RE,
    SIGNATURE_DATE_RE,
    SKIP,
    class_verdict,
    find_container,
    is_chrome,
    is_meta_line,
    is_named_date,
)

# --- 2. the paragraphs -----------------------------------------------------------------------------


@dataclass
class Block:
    tag: str
    parts: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    chars: int = 0
    link_chars: int = 0
    list_item: bool = False
    caption: bool = False
    heading: bool = False
    summary: bool = False
    centered: bool = False

    @property
    def text(self) -> str:
        return collapse_ws("".join(self.parts))

    @property
    def link_ratio(self) -> float:
        return self.link_chars / self.chars if self.chars else 0.0


class _Walker:
    def __init__(self, url: str, good: dict[Element, int], container_good: int) -> None:
        self.url = url
        self.good = good
        self.keep_chrome_above = container_good // 2
        self.blocks: list[Block] = []
        self.current: Block | None = None
        self.tag = "div"
        self.in_link = 0
        self.in_caption = 0
        self.in_list = 0
        self.in_heading = 0
        self.in_summary = 0
        self.centered = False

    def _block(self) -> Block:
        if self.current is None:
            self.current = Block(
                self.tag, list_item=self.in_list > 0, caption=self.in_caption > 0, heading=self.in_heading > 0,
                summary=self.in_summary > 0, centered=self.centered,
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

    def walk(self, el: Element, depth: int) -> None:
        for child in el:
            tag = child.tag
            if isinstance(tag, str) and depth < 200:
                tag = tag.lower()
                # Chrome inside the container is left out, unless it holds most of the story
                # (a class word misread).
                if tag not in SKIP and not (
                    is_chrome(child, tag) and self.good.get(child, 0) <= self.keep_chrome_above
                ):
                    self.element(child, tag, depth)
            self.add(child.tail)

    def element(self, el: Element, tag: str, depth: int) -> None:
        if tag == "br":
            self.current = None
            return
        if tag == "img":
            src = resolve(self.url, el.get("data-src") or el.get("data-original") or el.get("src"))
            if src:
                self._block().images.append(src)
            return
        block = tag in BLOCKS
        saved, saved_centered = self.tag, self.centered
        caption = tag in _CAPTION_TAGS or _is_caption_class(el)
        summary = block and _is_summary_class(el) and self.good.get(el, 0) <= self.keep_chrome_above
        if block:
            self.current = None
            self.tag = tag
            self.centered = el.get("align") == "center" or "center" in (el.get("style") or "")
        self.in_list += tag in ("li", "dt", "dd")
        self.in_heading += tag in HEADINGS
        self.in_link += tag == "a"
        self.in_caption += caption
        self.in_summary += summary
        self.add(el.text)
        self.walk(el, depth + 1)
        self.in_summary -= summary
        self.in_caption -= caption
        self.in_link -= tag == "a"
        self.in_heading -= tag in HEADINGS
        self.in_list -= tag in ("li", "dt", "dd")
        if block:
            self.current = None
            self.tag, self.centered = saved, saved_centered

    def run(self, container: Element) -> list[Block]:
        self.add(container.text)
        self.walk(container, 0)
        return [b for b in self.blocks if b.images or b.text]


_CAPTION_CLASS_RE = re.compile(
    r"caption|credit|(?:pic|img|image|photo|tu)[_-]?(?:txt|text|title|desc|note|info|intro|zhu|shuo)"
    r"|tuzhu|tushuo|picnote|imgnote",
    re.IGNORECASE,
)


def _is_caption_class(el: Element) -> bool:
    cls = el.get("class")
    return bool(cls and _CAPTION_CLASS_RE.search(cls))


# A summary box before the story (yicai's .intro, caixin's #subhead, "article-summary"): dropped when it
# leads. A class token of one or two words naming it; Drupal's "field-type-text-with-summary" is the body.
_SUMMARY_WORDS = frozenset(("summary", "abstract", "intro", "digest", "lead", "lede", "zhaiyao", "daodu", "subhead",
                            "standfirst"))
_TOKEN_SPLIT_RE = re.compile(r"[-_]+")


_summary_cache: dict[str, bool] = {}


def _is_summary_class(el: Element) -> bool:
    value = f"{el.get('class') or ''} {el.get('id') or ''}"
    verdict = _summary_cache.get(value)
    if verdict is None:
        verdict = False
        for token in value.split():
            words = [w for w in _TOKEN_SPLIT_RE.split(token.lower()) if w]
            if 0 < len(words) <= 2 and words[-1] in _SUMMARY_WORDS:
                verdict = True
                break
        if len(_summary_cache) > 20000:
            _summary_cache.clear()
        _summary_cache[value] = verdict
    return verdict


_ORIGINAL_TITLE_RE = re.compile(r"^[\s(（\[【]*原\s*标\s*题\s*[:：].{0,80}[)）\]】]?\s*$")
_SUMMARY_RE = re.compile(
    r"^[\s【\[]*(?:摘\s*要|导\s*读|导\s*语|核心提示|核心阅读|阅读提示|内容提要|内容摘要|提\s*要|编者按)[】\]]*\s*[:：]?"
)
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_EDITOR_TAIL_RE = re.compile(
    r"^(?P<body>.*?)\s*[(（\[【]\s*(?:责任编辑|责\s*编|编\s*辑|editor)\s*[:：]\s*(?P<v>[^)）\]】]+)[)）\]】]\s*$",
    re.IGNORECASE,
)


@dataclass
class Body:
    paragraphs: list[str] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)
    editor: str | None = None
    meta_lines: list[str] = field(default_factory=list)
    """Byline and date lines found in the container (dropped from the body, kept for the byline)."""
    tail_lines: list[str] = field(default_factory=list)
    """Date lines after the story (zhihu's '发布于 …'): a date of last resort."""


def paragraphs(
    container: Element, url: str, cjk: bool, good: dict[Element, int] | None = None,
    skip_texts: frozenset[str] = frozenset(),
    captions: bool = False,
) -> Body:
    """The story's paragraphs, images (with captions) and editor from its container; with
    ``captions``, a caption is story text too (a photo gallery's)."""
    out = Body()
    good = good or {}
    blocks = _Walker(url, good, good.get(container, 0)).run(container)
    min_len = 6 if cjk else 20
    kept: list[tuple[Block, str]] = []
    pending_caption: dict[str, str | None] | None = None
    related = False
    for block in blocks:
        if block.images:
            caption = block.text if block.text and block.caption else None
            for src in block.images:
                out.images.append({"url": src, "caption": caption})
            pending_caption = out.images[-1] if caption is None else None
            related = False
            if (block.caption and not captions) or not block.text:
                continue
        text = block.text
        if not text or text in skip_texts or _COUNTER_RE.match(text):
            continue
        if captions and block.caption and not has_credit(text):
            if pending_caption is not None and pending_caption.get("caption") is None:
                pending_caption["caption"] = text
        elif block.caption or (
            pending_caption is not None and len(text) < 300
            and (
                has_credit(text) or CAPTION_END_RE.search(text) or (CAPTION_START_RE.match(text) and len(text) < 200)
                or (block.centered and len(text) < 60)  # a short centred line under a photo (UEditor's caption)
            )
        ):
            if pending_caption is not None and pending_caption.get("caption") is None:
                pending_caption["caption"] = text
            pending_caption = None
            continue
        pending_caption = None
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
        head = RELATED_HEAD_RE.match(text)
        if head and (len(text) - head.end() < 4 or block.link_ratio >= 0.5):
            related = True
            continue
        if related and (block.link_ratio >= 0.3 or block.list_item or len(text) < 60):
            continue
        related = False
        if JUNK_LINE_RE.match(text) or is_chrome_line(text) or is_pager_text(block):
            continue
        if block.link_ratio > 0.5 and not (block.link_ratio < 0.9 and len(text) > 200):
            continue
        if block.list_item and block.link_ratio >= 0.3:
            continue
        kept.append((block, text))
    # Trim: bylines, dates, summary boxes and the like before the story's first paragraph; notices,
    # bylines and short link lines after its last.
    start, end = 0, len(kept)
    while start < end and _leading_junk(kept[start], min_len):
        text = kept[start][1]
        if is_meta_line(text) or is_named_date(text):
            out.meta_lines.append(text)
        start += 1
        head = _SUMMARY_RE.match(text)
        if head and len(text) - head.end() < 4 and start < end - 1:
            start += 1  # a summary box's head on a line of its own ("核心阅读"): its paragraph goes too
    while end > start and _trailing_junk(kept[end - 1], min_len):
        end -= 1
        if is_meta_line(kept[end][1]):
            out.tail_lines.insert(0, kept[end][1])
    signed = _signature_date(kept, start, end)
    for i in range(start, end):
        block, text = kept[i]
        if NOTICE_RE.match(text) and i > start:
            end = i  # everything after a site notice is footer
            break
        if (
            is_meta_line(text) and not block.heading and _signature_date(kept, start, i) is None
            and not (i > start and _EVENT_RE.match(text))
        ):
            out.meta_lines.append(text)
            continue
        out.paragraphs.append(text)
    if signed is not None and end == signed:
        out.paragraphs.append(kept[signed][1])
    return out


def _signature_date(kept: list[tuple[Block, str]], start: int, end: int) -> int | None:
    """The index of a notice's closing date (``2022年9月6日`` right after the signing body, a short
    line with no sentence ending), when the trim would drop it as a date line."""
    if end >= len(kept) or end <= start or not SIGNATURE_DATE_RE.match(kept[end][1]):
        return None
    signer = kept[end - 1][1]
    if len(signer) > 30 or signer.endswith(("。", ".", "！", "？", "：", ":")) or is_meta_line(signer):
        return None
    return end


_PAGER_RE = re.compile(
    r"^(?:\s|上一页|下一页|上页|下页|首页|尾页|末页|前一页|后一页|第\s*\d+\s*页|共\s*\d+\s*页|\[?\d{1,3}\]?"
    r"|next(?: page)?|prev(?:ious)?(?: page)?|first|last|page|of|[«»<>‹›|:：….,，]|\.{3})+$",
    re.IGNORECASE,
)
_PAGER_WORD_RE = re.compile(r"上一页|下一页|上页|下页|尾页|末页|前一页|后一页|第\s*\d+\s*页|共\s*\d+\s*页|next|prev", re.IGNORECASE)


def is_pager_text(block: Block) -> bool:
    """A pager line: page numbers and next/previous words, nothing else."""
    text = block.text
    if len(text) > 80 or not _PAGER_RE.match(text):
        return False
    return bool(_PAGER_WORD_RE.search(text)) or block.link_ratio >= 0.5


def _leading_junk(item: tuple[Block, str], min_len: int) -> bool:
    block, text = item
    if is_meta_line(text) or is_named_date(text) or _ORIGINAL_TITLE_RE.match(text) or _SUMMARY_RE.match(text):
        return True
    if block.summary or (len(text) <= 40 and (CREDIT_LINE_RE.match(text) or _PROMPT_RE.search(text))):
        return True
    if block.heading:
        return False
    return len(text) < min_len


# An event's time or date line inside a notice ("时间：7月10日上午9:00" beside "地点：…") is the story's.
_EVENT_RE = re.compile(r"^[\s(（\[【]*(?:活动|会议|举办|报名)?(?:时\s*间|日\s*期)\s*[:：]")
# A slide counter ("1/4") under a gallery's photo.
_COUNTER_RE = re.compile(r"^\d{1,3}\s*/\s*\d{1,3}$")
# A line wholly in brackets at the end: a credit "（文/宣传部 图/记者团）", "(完)", "[责任编辑：X]".
_BRACKETED_RE = re.compile(r"^[(（\[【][^()（）\[\]【】]{0,60}[)）\]】]$")
# ...except the author's affiliation closing an opinion piece, printed with it: "（作者系某大学教授）".
# A document's publicity note closing it (GB/T 9704's "（此件公开发布）") is the document's too.
_AFFILIATION_RE = re.compile(r"^[(（]\s*(?:(?:本文)?作者(?:系|为|是|单位)|此件(?:公开发布|主动公开))")
# Self-media sign-offs: follow prompts, QR codes, -END-.
_PROMPT_RE = re.compile(
    r"二维码|扫一扫|关注(?:我们|公众号|本号)|点击(?:上方|下方|蓝字)|阅读原文|返回.{0,6}查看更多|扫码|长按识别"
    r"|点个?在看|点赞.{0,4}在看|^-+\s*(?:the\s+)?(?:end|完)\s*-+$|^(?:the\s+)?(?:end|完)$"
    r"|^(?:打开|下载).{0,8}(?:客户端|app|新闻)|查看精彩图片|请?点击(?:这里|此处)|广告合作"
    r"|^[^，。,.！？!?]{0,24}(?:app|客户端)$|尽在.{2,12}(?:app|客户端)",
    re.IGNORECASE,
)


def _trailing_junk(item: tuple[Block, str], min_len: int) -> bool:
    block, text = item
    if is_meta_line(text) or NOTICE_RE.match(text) or _ORIGINAL_TITLE_RE.match(text) or block.heading:
        return True
    if len(text) < 200 and NOTICE_ANY_RE.search(text):
        return True
    if len(text) < 60 and (
        (_BRACKETED_RE.match(text) and not _AFFILIATION_RE.match(text)) or _PROMPT_RE.search(text) or CREDIT_LINE_RE.match(text)
        or PRINT_EDITION_RE.match(text)
    ):
        return True
    if block.link_chars and block.link_ratio >= 0.3 and len(text) < 200:
        return True
    return len(text) < min_len and not text.endswith(("。", ".", "!", "！", "?", "？", "”", '"'))


def is_cjk(text: str) -> bool:
    """Is ``text`` (a title, a sample) mostly Chinese/Japanese script?"""
    text = text.replace(" ", "")
    return bool(text) and len(_CJK_RE.findall(text)) * 3 >= len(text)
