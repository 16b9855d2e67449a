"""From blocks to the story: paragraphs, pictures with their captions, the editor line, and the
byline lines found inside the container.

Both paths walk their container with the same walker (:mod:`._walk`) and the same line rules
(:mod:`._lines`, :mod:`.rules`). They differ only in what they know: a known layout's body
element *is* the story, so :func:`known_body` only leaves chrome out; the generic container is a
guess, so :func:`paragraphs` also trims bylines, summary boxes and sign-offs at either end.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from northnews.normalize import clean_person, collapse_ws
from northnews.pages import rules
from northnews.pages._dom import Element, tag_of
from northnews.pages._lines import (
    editor_line,
    has_credit,
    is_chrome_line,
    is_meta_line,
    is_named_date,
    is_pager,
    related_head,
    reporters,
)
from northnews.pages._walk import Block, ChromeTest, blocks, layout_chrome


@dataclass
class Body:
    """A story's text: paragraphs in order, pictures (``{"url", "caption"}``), the editor line."""

    paragraphs: list[str] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)
    editor: str | None = None
    meta_lines: list[str] = field(default_factory=list)
    """Byline and date lines found in the container (dropped from the body, kept for the byline)."""
    tail_lines: list[str] = field(default_factory=list)
    """Date lines after the story (zhihu's '发布于 …'): a date of last resort."""


def _editor_split(text: str, out: Body) -> str | None:
    """``text`` without an editor line or a bracketed editor at its end (which go to ``out``);
    ``None`` when nothing is left."""
    editor = editor_line(text)
    if editor is not None:
        out.editor = out.editor or editor
        return None
    tail = rules.EDITOR_TAIL_RE.match(text)
    if tail:
        out.editor = out.editor or clean_person(tail.group("v"), "editor")
        text = collapse_ws(tail.group("body"))
    return text or None


def _story_line(
    text: str, block: Block, out: Body, related: bool, entry: Callable[[Block, str], bool],
) -> tuple[str | None, bool]:
    """The step both paths share: an editor line goes to ``out.editor`` (a bracketed one at a
    paragraph's end is cut off), a related-news head and its entries (``entry``) are no story.
    ``(the line's story text or None, inside a related list?)``."""
    cut = _editor_split(text, out)
    if cut is None:
        return None, related
    if related_head(cut, block):
        return None, True
    if related and entry(block, cut):
        return None, True
    return cut, False


def _known_related_entry(block: Block, text: str) -> bool:
    return block.link_ratio >= rules.KNOWN_RELATED_ENTRY_LINK_RATIO or block.list_item


def _found_related_entry(block: Block, text: str) -> bool:
    return (
        block.link_ratio >= rules.RELATED_ENTRY_LINK_RATIO or block.list_item
        or len(text) < rules.RELATED_ENTRY_MAX_CHARS
    )


# --- a known layout's body ---------------------------------------------------------------------


def _same_caption_owner(a: Block, b: Block, container: Element) -> bool:
    return a.owner is b.owner and a.owner is not container and tag_of(a.owner) in rules.CAPTION_OWNER_TAGS


def known_body(
    containers: list[Element] | Element | None, url: str, site_chrome: frozenset[str] = frozenset(),
    leave_out: frozenset[Element] = frozenset(), captions: frozenset[Element] = frozenset(),
) -> Body:
    """Paragraphs, images with captions and an editor line from a known layout's body element(s)
    (several: a union, in page order). ``leave_out``: the layout's ``exclude`` elements;
    ``captions``: its ``caption`` elements (caption text, never body text)."""
    out = Body()
    if containers is None:
        return out
    if not isinstance(containers, list):
        containers = [containers]
    chrome = layout_chrome(site_chrome, leave_out)
    for container in containers:
        _known_body(container, url, chrome, captions, out)
    return out


def _known_body(container: Element, url: str, chrome: ChromeTest, captions: frozenset[Element], out: Body) -> None:
    items = blocks(container, url, chrome)
    declared = {i for i, b in enumerate(items) if captions and _inside(b.owner, captions, container)}
    consumed: set[int] = set()
    caption_of: dict[int, str | None] = {}

    for i, block in enumerate(items):
        if not block.images or i in consumed:
            continue
        text: str | None = block.text  # (the name is _story_line's result further down: str | None)
        if text:
            caption_of[i] = text
            continue
        caption = None
        nxt = items[i + 1] if i + 1 < len(items) else None
        prv = items[i - 1] if i > 0 else None
        if nxt is not None and not nxt.images and nxt.text and (
            i + 1 in declared or _same_caption_owner(block, nxt, container) or nxt.captionish or has_credit(nxt.text)
        ) and not editor_line(nxt.text) and not is_chrome_line(nxt.text):
            caption = nxt.text
            consumed.add(i + 1)
        elif (
            prv is not None and not prv.images and prv.text and i - 1 not in consumed
            and (i - 1 in declared or _same_caption_owner(block, prv, container))
        ):
            caption = prv.text
            consumed.add(i - 1)
        caption_of[i] = caption

    related = False
    for i, block in enumerate(items):
        if block.images:
            for src in block.images:
                out.images.append({"url": src, "caption": caption_of.get(i)})
            related = False
            continue
        if i in consumed or i in declared:
            continue  # a declared caption with no picture beside it is still no body text
        text = block.text
        if not text:
            continue
        text, related = _story_line(text, block, out, related, _known_related_entry)
        if text is None:
            continue
        if block.link_and_date:
            continue  # an entry of a news list, heading or not
        if is_pager(block) or is_chrome_line(text):
            continue
        if block.list_item and block.link_ratio >= rules.KNOWN_LINK_LIST_RATIO:
            continue  # a list of links inside the body: more chrome than article
        out.paragraphs.append(text)


def _inside(el: Element, marked: frozenset[Element], stop: Element) -> bool:
    node: Element | None = el
    while node is not None:
        if node in marked:
            return True
        if node is stop:
            return False
        node = node.getparent()
    return False


# --- the generic path's container ----------------------------------------------------------------


def generic_chrome(good: dict[Element, int], keep_above: int, site_chrome: frozenset[str] = frozenset()) -> ChromeTest:
    """Chrome inside a found container is left out unless it holds most of the story (a class
    word misread)."""
    from northnews.pages._container import chrome_level

    judged: dict[Element, int] = getattr(good, "chrome", {})  # the container walk's verdicts

    def chrome(el: Element, tag: str) -> bool:
        level = judged.get(el)
        if level is None:
            level = chrome_level(el, tag, site_chrome)
        return bool(level) and good.get(el, 0) <= keep_above

    return chrome


def paragraphs(
    container: Element, url: str, cjk: bool, good: dict[Element, int] | None = None,
    skip_texts: frozenset[str] = frozenset(),
    captions: bool = False,
    site_chrome: frozenset[str] = frozenset(),
) -> Body:
    """The story's paragraphs, images (with captions) and editor from its container; with
    ``captions``, a caption is story text too (a photo gallery's)."""
    from northnews.pages._walk import is_summary_class

    out = Body()
    good = good or {}
    keep_above = int(good.get(container, 0) * rules.CHROME_KEEP_SHARE)
    found = blocks(
        container, url, generic_chrome(good, keep_above, site_chrome),
        summary=(lambda el: is_summary_class(el) and good.get(el, 0) <= keep_above) if cjk else None,
    )
    min_len = rules.SHORT_LINE_CJK if cjk else rules.SHORT_LINE
    kept: list[tuple[Block, str]] = []
    pending_caption: dict[str, str | None] | None = None
    related = False
    for block in found:
        if block.images:
            caption = block.text if block.text and block.caption else None
            for src in block.images:
                out.images.append({"url": src, "caption": caption})
            pending_caption = out.images[-1] if caption is None else None
            related = False
            if (block.caption and not captions) or not block.text:
                continue
        text: str | None = block.text  # then _story_line's (None: not body text)
        if not text or text in skip_texts or rules.SLIDE_COUNTER_RE.match(text):
            continue
        if captions and block.caption and not has_credit(text):
            if pending_caption is not None and pending_caption.get("caption") is None:
                pending_caption["caption"] = text
        elif block.caption or (
            pending_caption is not None and len(text) < rules.CAPTION_MAX_CHARS
            and (
                has_credit(text) or rules.CAPTION_END_RE.search(text)
                or (rules.CAPTION_START_RE.match(text) and len(text) < rules.CAPTION_START_MAX_CHARS)
                or (block.centered and len(text) < rules.CENTERED_CAPTION_MAX_CHARS)
            )
        ):
            if pending_caption is not None and pending_caption.get("caption") is None:
                pending_caption["caption"] = text
            pending_caption = None
            continue
        pending_caption = None
        text, related = _story_line(text, block, out, related, _found_related_entry)
        if text is None:
            continue
        if rules.JUNK_LINE_RE.match(text) or is_chrome_line(text) or is_pager(block):
            continue
        if block.link_ratio > rules.LINK_LIST_RATIO and not (
            block.link_ratio < rules.LONG_LINK_PROSE_RATIO and len(text) > rules.LONG_LINK_PROSE_CHARS
        ):
            continue
        if block.list_item and block.link_ratio >= rules.LIST_LINK_RATIO:
            continue
        kept.append((block, text))
    # Trim: bylines, dates, summary boxes and the like before the story's first paragraph; notices,
    # bylines and short link lines after its last.
    start, end = 0, len(kept)
    while start < end and _leading_junk(kept[start], min_len):
        text = kept[start][1]
        if is_meta_line(text) or is_named_date(text) or reporters(text):
            out.meta_lines.append(text)
        start += 1
        head = rules.SUMMARY_HEAD_RE.match(text)
        if head and len(text) - head.end() < rules.SUMMARY_HEAD_REST_CHARS and start < end - 1:
            start += 1  # a summary box's head on a line of its own ("核心阅读"): its paragraph goes too
    while end > start and _trailing_junk(kept[end - 1], min_len):
        end -= 1
        if is_meta_line(kept[end][1]):
            out.tail_lines.insert(0, kept[end][1])
    signed = _signature_date(kept, start, end)
    for i in range(start, end):
        block, text = kept[i]
        if rules.NOTICE_RE.match(text) and i > start:
            end = i  # everything after a site notice is footer
            break
        if (
            is_meta_line(text) and not block.heading and _signature_date(kept, start, i) is None
            and not (i > start and rules.EVENT_LINE_RE.match(text))
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
    if end >= len(kept) or end <= start or not rules.SIGNATURE_DATE_RE.match(kept[end][1]):
        return None
    signer = kept[end - 1][1]
    if len(signer) > rules.SIGNER_MAX_CHARS or signer.endswith(("。", ".", "！", "？", "：", ":")) or is_meta_line(signer):
        return None
    return end


def _leading_junk(item: tuple[Block, str], min_len: int) -> bool:
    block, text = item
    if is_meta_line(text) or is_named_date(text) or rules.ORIGINAL_TITLE_RE.match(text) or rules.SUMMARY_HEAD_RE.match(text):
        return True
    if block.summary or (
        len(text) <= rules.LEADING_SHORT_CHARS and (rules.CREDIT_LINE_RE.match(text) or rules.PROMPT_RE.search(text))
    ):
        return True
    if block.heading:
        return False
    return len(text) < min_len


def _trailing_junk(item: tuple[Block, str], min_len: int) -> bool:
    block, text = item
    if is_meta_line(text) or rules.NOTICE_RE.match(text) or rules.ORIGINAL_TITLE_RE.match(text) or block.heading:
        return True
    if len(text) < rules.NOTICE_LINE_MAX_CHARS and rules.NOTICE_ANY_RE.search(text):
        return True
    if len(text) < rules.TRAILING_SHORT_CHARS and (
        (rules.BRACKETED_LINE_RE.match(text) and not rules.AFFILIATION_RE.match(text)) or rules.PROMPT_RE.search(text)
        or rules.CREDIT_LINE_RE.match(text) or rules.PRINT_EDITION_RE.match(text)
    ):
        return True
    if block.link_chars and block.link_ratio >= rules.LIST_LINK_RATIO and len(text) < rules.NOTICE_LINE_MAX_CHARS:
        return True
    return len(text) < min_len and not text.endswith(("。", ".", "!", "！", "?", "？", "”", '"'))
