"""The byline: labelled source, author, editor and the date, from an article's meta line(s); and,
for a page no layout describes, where its byline is."""

from __future__ import annotations

from copy import deepcopy as copy_element
from dataclasses import dataclass
from itertools import islice

from lxml import etree

from northnews.normalize import (
    clean_value,
    collapse_ws,
    date_raw,
    find_date,
)
from northnews.normalize.dates import iter_dates
from northnews.pages import _meta, rules
from northnews.pages._container import is_chrome
from northnews.pages._dom import SEP, SKIP_TAGS, Element, headline_text, segmented_text, tag_of, text_of
from northnews.pages._lines import editor_line, is_meta_line

_LABEL_RE = rules.VALUE_LABEL_RE
_VALUE_END_RE = rules.VALUE_END_RE
_SOURCE_RE = rules.SOURCE_LABEL_RE
_AUTHOR_RE = rules.AUTHOR_LABEL_RE


_WEEKDAY_RE = rules.WEEKDAY_RE


def without_weekday(text: str) -> str:
    """``text`` with printed weekdays replaced by a space, so a date and its time meet."""
    return _WEEKDAY_RE.sub(" ", text) if ("星期" in text or "周" in text or "礼拜" in text) else text


@dataclass
class Byline:
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    date: str | None = None
    #: ``date`` is a revision's (``更新时间：…``, ``最后更新``): the byline printed no other.
    revised: bool = False


def parse_byline(*elements: Element | None) -> Byline:
    """Labelled values and the date from an article's meta line(s).

    Works whether each value sits in its own ``<span>`` or all share one line
    (``2015-09-15 15:21 来源：新华网 编辑：王喆``), and on the English edition's
    ``from:新华网2015-09-15 15:21``.
    """
    byline = Byline()
    revised: str | None = None
    for el in elements:
        if el is None:
            continue
        if byline.date is None:
            for time_el in el.iter("time"):
                if collapse_ws(time_el.get("datetime")):
                    byline.date = _time_value(time_el)
                    break
        text = segmented_text(el)
        if byline.date is None:
            byline.date, was_revised = _first_date(without_weekday(text.replace(SEP, " ")))
            if was_revised:
                revised, byline.date = revised or byline.date, None
        for match in _LABEL_RE.finditer(text):
            label = match.group("label")
            rest = text[match.end() :].lstrip(SEP + " \t\r\n")
            date = find_date(rest)
            end = _VALUE_END_RE.search(rest)
            role = rules.UNCOLONED_ROLE_RE.search(rest)
            stop = min(
                end.start() if end else len(rest),
                date.start() if date else len(rest),
                role.start() if role else len(rest),
            )
            value = clean_value(rest[:stop].replace(SEP, " "))
            if not value:
                continue
            if _SOURCE_RE.fullmatch(label):
                byline.source = byline.source or value
            elif _AUTHOR_RE.fullmatch(label):
                byline.author = byline.author or value
            else:
                byline.editor = byline.editor or value
        if byline.author is None:
            uncoloned = rules.UNCOLONED_AUTHOR_RE.search(text)
            byline.author = uncoloned["v"] if uncoloned else None
    if byline.date is None and revised is not None:
        byline.date, byline.revised = revised, True
    return byline


_REVISED_RE = rules.REVISED_LABEL_RE


def _time_value(el: Element) -> str | None:
    """A ``<time>``'s ``datetime``, or the date-time it prints when that has a time of day and the
    attribute has none (``<time datetime="2017-11-13">建立時間：2016/05/21 11:44</time>``: a template
    that fills the attribute with a day of its own while the reader sees the story's minute)."""
    value = collapse_ws(el.get("datetime"))
    if value and not _meta.has_time(value):
        printed, was_revised = _first_date(without_weekday(text_of(el)))
        if printed and not was_revised and _meta.has_time(printed):
            return printed
    return value


def _first_date(text: str) -> tuple[str | None, bool]:
    """The first date in ``text`` not labelled as a revision's, else (the first revision's, True)."""
    first_revised: str | None = None
    for match in iter_dates(text):
        raw = date_raw(match.group(0))
        if raw is None:
            continue
        if not _REVISED_RE.search(text[max(0, match.start() - rules.REVISED_LABEL_WINDOW) : match.start()]):
            return _with_time_before(raw, text, match.start()), False
        first_revised = first_revised or raw
    return first_revised, first_revised is not None



def _with_time_before(raw: str, text: str, start: int) -> str:
    """A day printed without its time, with the time printed just before it (``16:48 2023-07-05``
    → ``2023-07-05 16:48``); else as it is."""
    if _meta.has_time(raw):
        return raw
    before = rules.TIME_BEFORE_DATE_RE.search(text, max(0, start - rules.TIME_BEFORE_DATE_WINDOW), start)
    return f"{raw} {int(before['H']):02d}:{before['M']}" if before else raw


# --- where the byline of a page no layout describes is (the generic extractor) -------------------

_META_LABEL_RE = rules.META_LABEL_RE
_KNOWN_LABEL_RE = rules.KNOWN_LABEL_RE


def looks_like_byline(text: str) -> bool:
    """A short line with a label and a date: a byline wherever it stands."""
    return len(text) < rules.BYLINE_MAX_CHARS and bool(_META_LABEL_RE.search(text)) and bool(
        date_raw(text) or _meta.yearless_date(text) or _meta.english_date(text)
    )


def _dated_line(text: str) -> bool:
    """A line that is only a date and its time of day (``2023-07-05 16:48`` above the headline)."""
    return bool(rules.DATE_LINE_RE.match(text)) and _meta.has_time(text)


def _labelled_line(text: str) -> bool:
    """A short line that is one labelled source or author (``来源：新华网`` above news.cn's headline)."""
    return len(text) < rules.LABELLED_LINE_MAX_CHARS and bool(
        rules.LEADING_SOURCE_LABEL_RE.match(text) or rules.LEADING_AUTHOR_LABEL_RE.match(text)
    )


def looks_like_meta(text: str) -> bool:
    """A short line with a byline label or a date in it."""
    return _has_meta(text)


def _has_meta(text: str) -> bool:
    return len(text) < rules.META_MAX_CHARS and bool(
        _META_LABEL_RE.search(text) or date_raw(text) or _meta.yearless_date(text) or _meta.english_date(text)
    )


def _short_text(el: Element, cache: dict[Element, str | None], limit: int = rules.BYLINE_BLOCK_MAX_CHARS) -> str | None:
    """``el``'s visible text when it is shorter than ``limit``, else ``None`` (a sidebar, the story:
    no byline; its raw text is counted first, so a large element costs little)."""
    if el in cache:
        return cache[el]
    size = 0
    text: str | None = None
    for piece in el.itertext():
        size += len(piece)
        if size > 3 * limit:
            break
    else:
        text = text_of(el)
        if len(text) >= limit:
            text = None
    cache[el] = text
    return text


def byline_elements(heading: Element | None, container: Element | None) -> list[Element]:
    """Elements likely to hold the byline: the heading's next siblings (or its wrapper's), and the
    byline-shaped siblings just before it (Xinhua's h-info before h-title, a dated line or a lone
    ``来源：`` line above the headline). When what follows the heading carries no label and no date
    (a subtitle, a font widget, a reporter's name), the wrapper's neighbours are tried too, but only
    those that do."""
    if heading is None:
        return []
    stops = {container, *container.iterancestors()} if container is not None else set()
    cache: dict[Element, str | None] = {}
    out: list[Element] = []
    node: Element | None = heading
    for _ in range(rules.BYLINE_CLIMB_LEVELS):
        if node is None or node.tag == "body":
            break
        found: list[Element] = []
        for sibling in node.itersiblings():
            if sibling in stops:
                # The story's wrapper: its first line may still be the byline (an unclosed <span>).
                lead = _leading_line(sibling, cache) if isinstance(sibling.tag, str) else None
                if lead is not None:
                    found.append(lead)
                break
            if isinstance(sibling.tag, str):
                found.append(sibling)
            if len(found) >= rules.BYLINE_NEXT_SIBLINGS:
                break
        for el in list(node.itersiblings(preceding=True))[: rules.BYLINE_PREVIOUS_SIBLINGS]:
            if isinstance(el.tag, str) and el not in stops:
                text = _short_text(el, cache)
                if text and (looks_like_byline(text) or _dated_line(text) or _labelled_line(text)):
                    found.append(el)
        found = [el if _short_text(el, cache) is not None else _leading_line(el, cache) for el in found]
        found = [el for el in found if el is not None]
        if out:  # a level above the first: only what looks like a byline
            found = [el for el in found if _has_meta(cache[el] or "")]
        out += found
        if any(_has_meta(cache[el] or "") for el in out):
            break
        node = node.getparent()
    return out


def _leading_line(el: Element, cache: dict[Element, str | None]) -> Element | None:
    """A long element whose first line is a byline (a ``<span>`` left unclosed holds the story
    too): a copy of that line alone, else ``None``."""
    line = headline_text(el, whole=False)
    if not line or len(line) >= rules.BYLINE_BLOCK_MAX_CHARS or not looks_like_byline(line):
        return None
    copy = copy_element(el)
    node = next((d for d in copy.iterdescendants() if tag_of(d) in rules.BLOCK_TAGS), None)
    if node is not None:
        first = True
        while node is not copy:
            parent = node.getparent()
            for later in list(node.itersiblings()):
                parent.remove(later)
            if first:
                node.tail = None
                parent.remove(node)
                first = False
            node = parent
    cache[copy] = text_of(copy)
    return copy


_BYLINE_CHROME_RE = rules.BYLINE_WIDGET_CLASS_RE


def clean_copy(el: Element) -> Element:
    """A copy of a byline element without its chrome (share links, font-size widgets, scripts).

    An element that holds a labelled value stays whatever its class says (gov.cn prints
    ``<span class="font">来源： 新华社</span>``: "font" there is styling, not a widget)."""
    copy = copy_element(el)
    for child in list(copy.iter()):
        if child is copy or not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag in SKIP_TAGS or (
            _BYLINE_CHROME_RE.search(f"{child.get('class') or ''} {child.get('id') or ''}")
            and not _KNOWN_LABEL_RE.search(text_of(child)) and not _dated_value(child)
        ):
            parent = child.getparent()
            if parent is not None:
                tail = child.tail
                parent.remove(child)
                if tail:  # keep the text after the dropped element
                    prev = parent[-1] if len(parent) else None
                    if prev is not None:
                        prev.tail = (prev.tail or "") + tail
                    else:
                        parent.text = (parent.text or "") + tail
    return copy


def _dated_value(el: Element) -> bool:
    """A short element that prints a date: a value, whatever its class says (an app share page's
    ``span.share-time``; no share widget prints a date)."""
    text = text_of(el)
    return len(text) <= rules.DATED_VALUE_MAX_CHARS and bool(date_raw(text))


_EDITOR_TEXT = etree.XPath("//text()[contains(., '编') or contains(., 'ditor')]")
_EDITOR_AT_RE = rules.EDITOR_AT_RE


def editor_anywhere(root: Element) -> str | None:
    """An editor line outside the story's container (``<div class="editor">责任编辑：X</div>``,
    ``【我要纠错】 责任编辑：X``)."""
    for text in _EDITOR_TEXT(root):
        if len(text) > rules.EDITOR_TEXT_MAX_CHARS:
            continue
        parent = text.getparent()
        line = text_of(parent) if parent is not None and len(parent) < rules.EDITOR_PARENT_MAX_CHILDREN else collapse_ws(text)
        editor = editor_line(line) or editor_line(collapse_ws(text))
        if editor is None:
            at = _EDITOR_AT_RE.search(line)
            editor = editor_line(line[at.start():]) if at and at.start() else None
        if editor:
            return editor
    return None


def text_byline(lines: list[str]) -> Byline:
    """The byline of lines found as text (the container's own meta lines)."""
    probe = etree.Element("div")
    for line in lines:
        child = etree.SubElement(probe, "p")
        child.text = line
    return parse_byline(probe)


_PERSON_END_RE = rules.PERSON_END_RE


def first_value(value: str | None) -> str | None:
    """A person's name as printed, without the labelled values printed after it."""
    if not value:
        return value
    end = _PERSON_END_RE.search(value)
    return (value[: end.start()].strip() or value) if end else value


# --- dates printed away from the byline ----------------------------------------------------------


def after_heading_text(heading: Element, container: Element | None) -> str:
    """Up to 2,000 characters printed between the heading and the story in document order (what
    follows the heading, then what follows its wrappers), not counting link text or chrome
    (related lists, sidebars)."""
    stops = {container, *container.iterancestors()} if container is not None else set()
    texts: list[str] = []
    node: Element | None = heading
    for _ in range(rules.AFTER_HEADING_LEVELS):
        if node is None or node.tag == "body":
            break
        for el in node.itersiblings():
            if el in stops:
                return " ".join(texts)
            texts.extend(link_free_text(el))
            if sum(map(len, texts)) > rules.AFTER_HEADING_MAX_CHARS:
                return " ".join(texts)
        node = node.getparent()
    return " ".join(texts)


def after_container_lines(container: Element | None) -> list[str]:
    """Short date lines in the first elements after the story's container (and its wrapper's)."""
    out: list[str] = []
    node = container
    for _ in range(2):
        if node is None or node.tag == "body":
            break
        for el in islice(node.itersiblings(), rules.AFTER_STORY_SIBLINGS):
            text = text_of(el) if isinstance(el.tag, str) else ""
            if text and len(text) <= rules.AFTER_STORY_LINE_MAX_CHARS and is_meta_line(text):
                out.append(text)
        node = node.getparent()
    return out


def link_free_text(el: Element) -> list[str]:
    out: list[str] = []

    def walk(node: Element, depth: int) -> None:
        tag = tag_of(node)
        if tag == "a" or tag in SKIP_TAGS or depth > rules.LINK_FREE_MAX_DEPTH or is_chrome(node, tag):
            return
        if node.text:
            out.append(node.text)
        for child in node:
            walk(child, depth + 1)
            if child.tail:
                out.append(child.tail)

    if tag_of(el):
        walk(el, 0)
    return out
