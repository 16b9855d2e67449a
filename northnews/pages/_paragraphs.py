"""The body engine: from the story's container to its paragraphs, pictures with their captions,
the editor line, and the byline lines found inside it.

One engine for both paths. A :class:`Container` says what is read: the story's element(s), what
inside them to leave out (``chrome``), the caption elements a layout declares, and how far the
container is trusted. A known layout's body element *is* the story (:func:`layout_container`,
``trusted``); the generic path's is a guess (:func:`found_container`, from :mod:`._container`'s
walk), so bylines, summary boxes and sign-offs at either end of it are trimmed. Everything else
is the same code: one walk (:mod:`._walk`), one rule for a picture's caption, one line filter.
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
from northnews.pages._walk import Block, ChromeTest, blocks, is_summary_class, layout_chrome


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
    container: Container | None = field(default=None, repr=False, compare=False)
    """What was read (read again, not walked again, for a gallery's captions)."""


@dataclass(eq=False)
class Container:
    """What the body engine reads: the story's element(s) (several: a union, in page order), what
    inside them is left out (``chrome``), the caption elements a layout declares (caption text,
    never body text), lines already read elsewhere (``skip_texts``: the headline, the byline).

    ``trusted``: the container is the story, as a known layout names it; its first and last lines
    are the story's. An untrusted one (the generic path's guess) may start with the byline, a
    summary box or a reporter line and end with notices and sign-offs: those are trimmed.
    """

    elements: list[Element]
    url: str
    chrome: ChromeTest
    trusted: bool
    declared: frozenset[Element] = frozenset()
    skip_texts: frozenset[str] = frozenset()
    cjk: bool = False
    summary: Callable[[Element], bool] | None = None

    walked: list[Block] | None = field(default=None, init=False, repr=False)

    @property
    def blocks(self) -> list[Block]:
        """The blocks of every element, walked once however often the container is read."""
        if self.walked is None:
            self.walked = []
            for el in self.elements:
                self.walked += blocks(el, self.url, self.chrome, self.summary, self.declared)
        return self.walked


def layout_container(
    elements: list[Element] | Element | None, url: str, site_chrome: frozenset[str] = frozenset(),
    leave_out: frozenset[Element] = frozenset(), captions: frozenset[Element] = frozenset(),
) -> Container:
    """A known layout's body element(s): trusted; ``leave_out``: the layout's ``exclude``
    elements, ``captions``: its ``caption`` elements."""
    if elements is None:
        elements = []
    elif not isinstance(elements, list):
        elements = [elements]
    return Container(elements, url, layout_chrome(site_chrome, leave_out), trusted=True, declared=captions)


def found_container(
    element: Element, url: str, cjk: bool, good: dict[Element, int] | None = None,
    skip_texts: frozenset[str] = frozenset(), site_chrome: frozenset[str] = frozenset(),
) -> Container:
    """The container the generic path found (:func:`._container.find_container`'s, with its
    verdicts ``good``): untrusted. Chrome and summary boxes inside it are left out unless they
    hold most of the story (a class word misread)."""
    good = good or {}
    keep_above = int(good.get(element, 0) * rules.CHROME_KEEP_SHARE)
    return Container(
        [element], url, generic_chrome(good, keep_above, site_chrome), trusted=False, skip_texts=skip_texts,
        cjk=cjk,
        # Summary boxes by class are a Chinese portal's (摘要); elsewhere a standfirst is the story's
        # first paragraph, as the real pages' gold has it.
        summary=(lambda el: is_summary_class(el) and good.get(el, 0) <= keep_above) if cjk else None,
    )


def paragraphs(
    element: Element, url: str, cjk: bool, good: dict[Element, int] | None = None,
    skip_texts: frozenset[str] = frozenset(), site_chrome: frozenset[str] = frozenset(),
) -> Body:
    """The generic path's story: :func:`read` of :func:`found_container`."""
    return read(found_container(element, url, cjk, good, skip_texts, site_chrome))


def generic_chrome(good: dict[Element, int], keep_above: int, site_chrome: frozenset[str] = frozenset()) -> ChromeTest:
    """Chrome inside a found container is left out unless it holds most of the story."""
    from northnews.pages._container import chrome_level

    judged: dict[Element, int] = getattr(good, "chrome", {})  # the container walk's verdicts

    def chrome(el: Element, tag: str) -> bool:
        level = judged.get(el)
        if level is None:
            level = chrome_level(el, tag, site_chrome)
        return bool(level) and good.get(el, 0) <= keep_above

    return chrome


# --- the engine ----------------------------------------------------------------------------------


def read(container: Container, *, gallery: bool = False) -> Body:
    """The story in ``container``. ``gallery``: a photo gallery's captions are its story text too."""
    out = Body(container=container)
    items = [
        b for b in container.blocks
        if b.images or not (b.text in container.skip_texts or rules.SLIDE_COUNTER_RE.match(b.text))
    ]
    roots = frozenset(container.elements)
    caption_of, consumed = _captions(items, roots, container.trusted)
    kept: list[tuple[Block, str]] = []
    related = False
    for i, block in enumerate(items):
        text: str | None = block.text  # then _story_line's (None: not body text)
        if block.images:
            for src in block.images:
                out.images.append({"url": src, "caption": caption_of.get(i)})
            related = False
            if not text or (i in consumed and not (gallery and block.caption)):
                continue
        elif i in consumed or block.declared or (block.caption and not container.trusted):
            # A caption (of a picture, declared, or in a found container's caption markup with no
            # picture beside it) is no story text, but in a gallery, where the captions tell the
            # story. A layout's caption-classed text with no picture is its story (a gallery
            # layout's text block).
            if not (gallery and block.caption and not has_credit(block.text)):
                continue
        assert text is not None
        text, related = _story_line(text, block, out, related)
        if text is None or not _is_story(block, text, container.trusted):
            continue
        kept.append((block, text))
    if container.trusted:
        out.paragraphs = [text for _, text in kept]
    else:
        _trim(kept, out, rules.SHORT_LINE_CJK if container.cjk else rules.SHORT_LINE)
    return out


def _same_owner(a: Block, b: Block, roots: frozenset[Element]) -> bool:
    """Two blocks of one caption-holding element (``<p><img><br>caption</p>``, a ``<figure>``)."""
    return a.owner is b.owner and a.owner not in roots and tag_of(a.owner) in rules.CAPTION_OWNER_TAGS


def _is_caption(
    picture: Block, line: Block, roots: frozenset[Element], trusted: bool, centered_story: bool = False,
) -> bool:
    """Is ``line`` (the text right after a picture, or beside it in its block) the picture's
    caption? In caption markup, or short and reading as a caption (a credit, ``图为…``, ``…摄``, a
    short centred line). In a trusted container, also any line set apart (centred, caption-styled)
    or of the picture's own element (``<p><img> caption</p>``, ``<p><img><br>caption</p>``): a known
    layout's markup is its CMS's, where that is how a caption is set; on a page nobody described,
    a paragraph opening with an inline picture is as often prose."""
    text = line.text
    if editor_line(text) or is_chrome_line(text):
        return False
    if line.declared or line.caption or (trusted and (line.captionish or _same_owner(picture, line, roots))):
        return True
    return len(text) < rules.CAPTION_MAX_CHARS and bool(
        has_credit(text) or rules.CAPTION_END_RE.search(text)
        or (rules.CAPTION_START_RE.match(text) and len(text) < rules.CAPTION_START_MAX_CHARS)
        or (line.centered and not centered_story and len(text) < rules.CENTERED_CAPTION_MAX_CHARS)
    )


def _centered_story(items: list[Block]) -> bool:
    """Is the story centred itself (:data:`rules.CENTERED_STORY_SHARE` of its text)? Then centring
    sets no caption apart."""
    text = sum(len(b.text) for b in items if not b.images)
    centered = sum(len(b.text) for b in items if not b.images and b.centered)
    return text > 0 and centered >= rules.CENTERED_STORY_SHARE * text


def _captions(
    items: list[Block], roots: frozenset[Element], trusted: bool,
) -> tuple[dict[int, str | None], set[int]]:
    """Each picture's caption (by block index), and the blocks that are captions."""
    caption_of: dict[int, str | None] = {}
    consumed: set[int] = set()
    centered_story = _centered_story(items)
    for i, block in enumerate(items):
        if not block.images:
            continue
        if block.text:
            if _is_caption(block, block, roots, trusted, centered_story):
                caption_of[i] = block.text
                consumed.add(i)
            continue
        nxt = items[i + 1] if i + 1 < len(items) else None
        prv = items[i - 1] if i > 0 else None
        if nxt is not None and not nxt.images and _is_caption(block, nxt, roots, trusted, centered_story):
            caption_of[i] = nxt.text
            consumed.add(i + 1)
        elif (
            prv is not None and not prv.images and i - 1 not in consumed
            and (prv.declared or (trusted and _same_owner(block, prv, roots)))
        ):
            caption_of[i] = prv.text
            consumed.add(i - 1)
    return caption_of, consumed


def _editor_split(text: str, out: Body) -> str | None:
    """``text`` without an editor line or a bracketed editor at its end (which go to ``out``);
    ``None`` when nothing is left."""
    editor = editor_line(text)
    if editor is not None:
        out.editor = out.editor or editor
        return None
    tail = rules.EDITOR_TAIL_RE.match(text) if text.rstrip().endswith(rules.EDITOR_TAIL_ENDS) else None
    if tail:
        out.editor = out.editor or clean_person(tail.group("v"), "editor")
        text = collapse_ws(tail.group("body"))
    return text or None


def _story_line(text: str, block: Block, out: Body, related: bool) -> tuple[str | None, bool]:
    """An editor line goes to ``out.editor`` (a bracketed one at a paragraph's end is cut off), a
    related-news head and its entries are no story. ``(the line's story text or None, inside a
    related list?)``."""
    cut = _editor_split(text, out)
    if cut is None:
        return None, related
    if related_head(cut, block):
        return None, True
    if related and _related_entry(block, cut):
        return None, True
    return cut, False


def _related_entry(block: Block, text: str) -> bool:
    """After a related head: a line of links, a list item or a short line is one of its entries."""
    return (
        block.link_ratio >= rules.RELATED_ENTRY_LINK_RATIO or block.list_item
        or len(text) < rules.RELATED_ENTRY_MAX_CHARS
    )


def _is_story(block: Block, text: str, trusted: bool) -> bool:
    """Not page furniture, a pager, or a list of links. A linked line outside a list is a link list
    in a found container, the story's in a trusted one (an attachment, ``附件：….pdf``)."""
    if rules.JUNK_LINE_RE.match(text) or is_chrome_line(text) or is_pager(block):
        return False
    if block.list_item and block.link_ratio >= rules.LIST_LINK_RATIO:
        return False
    if not trusted and len(text) < rules.FILED_UNDER_MAX_CHARS and rules.FILED_UNDER_RE.match(text):
        return False  # a found container's filing line ("Posted in: …"); a layout's body is the story
    return trusted or not (
        block.link_ratio > rules.LINK_LIST_RATIO
        and not (block.link_ratio < rules.LONG_LINK_PROSE_RATIO and len(text) > rules.LONG_LINK_PROSE_CHARS)
    )


# --- an untrusted container's ends ---------------------------------------------------------------


def _trim(kept: list[tuple[Block, str]], out: Body, min_len: int) -> None:
    """Bylines, dates, summary boxes and the like before the story's first paragraph; notices,
    bylines and short link lines after its last; byline lines between (to ``out.meta_lines``)."""
    start, end = 0, _comment_thread(kept)
    while start < end and _leading_junk(kept[start], min_len):
        text = kept[start][1]
        if _meta_line(text) or is_named_date(text) or reporters(text):
            out.meta_lines.append(text)
        start += 1
        head = rules.SUMMARY_HEAD_RE.match(text)
        if head and len(text) - head.end() < rules.SUMMARY_HEAD_REST_CHARS and start < end - 1:
            start += 1  # a summary box's head on a line of its own ("核心阅读"): its paragraph goes too
    while end > start and _trailing_junk(kept[end - 1], min_len):
        end -= 1
        if _meta_line(kept[end][1]):
            out.tail_lines.insert(0, kept[end][1])
    signed = _signature_date(kept, start, end)
    for i in range(start, end):
        block, text = kept[i]
        if rules.NOTICE_RE.match(text) and i > start:
            end = i  # everything after a site notice is footer
            break
        if (
            _meta_line(text) and not block.heading and _signature_date(kept, start, i) is None
            and not (i > start and rules.EVENT_LINE_RE.match(text))
        ):
            out.meta_lines.append(text)
            continue
        out.paragraphs.append(text)
    if signed is not None and end == signed:
        out.paragraphs.append(kept[signed][1])


def _comment_thread(kept: list[tuple[Block, str]]) -> int:
    """Where a thread of reader comments starts in a found container (its signature lines, at
    least :data:`rules.COMMENT_THREAD_MIN_SIGNATURES`: the first of them), else the end."""
    signatures = [i for i, (_, text) in enumerate(kept) if rules.COMMENT_SIGNATURE_RE.match(text)]
    return signatures[0] if len(signatures) >= rules.COMMENT_THREAD_MIN_SIGNATURES else len(kept)


def _meta_line(text: str) -> bool:
    """A byline, date or label line (:func:`._lines.is_meta_line`), or a dateline as English and
    Korean pages print it alone (``Nov. 20, 2019 5:52 AM EST``, ``Updated at 1:23 p.m.``,
    ``1 day ago``): in a found container, no story text."""
    return is_meta_line(text) or (len(text) <= rules.DATE_START_MAX_CHARS and bool(rules.DATELINE_RE.match(text)))


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
    if _meta_line(text) or is_named_date(text) or rules.ORIGINAL_TITLE_RE.match(text) or rules.SUMMARY_HEAD_RE.match(text):
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
    if _meta_line(text) or rules.NOTICE_RE.match(text) or rules.ORIGINAL_TITLE_RE.match(text) or block.heading:
        return True
    if len(text) < rules.NOTICE_LINE_MAX_CHARS and rules.NOTICE_ANY_RE.search(text):
        return True
    if len(text) < rules.FOLLOW_PROMPT_MAX_CHARS and rules.FOLLOW_PROMPT_RE.search(text):
        return True
    if len(text) < rules.TRAILING_SHORT_CHARS and (
        (rules.BRACKETED_LINE_RE.match(text) and not rules.AFFILIATION_RE.match(text)) or rules.PROMPT_RE.search(text)
        or rules.CREDIT_LINE_RE.match(text) or rules.PRINT_EDITION_RE.match(text)
    ):
        return True
    if block.link_chars and block.link_ratio >= rules.LIST_LINK_RATIO and len(text) < rules.NOTICE_LINE_MAX_CHARS:
        return True
    return len(text) < min_len and not text.endswith(("。", ".", "!", "！", "?", "？", "”", '"'))
