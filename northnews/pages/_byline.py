"""The byline: labelled source, author, editor and the date, from an article's meta line(s)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from northnews.normalize import (
    AUTHOR_LABEL,
    DATE_LABEL,
    EDITOR_LABEL,
    SOURCE_LABEL,
    clean_value,
    collapse_ws,
    date_raw,
    find_date,
)
from northnews.pages._dom import SEP, Element, segmented_text

_ANY_LABEL = rf"(?:{SOURCE_LABEL}|{AUTHOR_LABEL}|{EDITOR_LABEL}|{DATE_LABEL})"
_LABEL_RE = re.compile(
    rf"(?<![A-Za-z])(?P<label>{SOURCE_LABEL}|{AUTHOR_LABEL}|{EDITOR_LABEL})\s*[:：]\s*", re.I
)
# Where a labelled value ends: the next boundary, any other "label：" (known or not: 点击：,
# 字号：), a bracketed widget (【字号：大 中 小】) or a wide gap.
_VALUE_END_RE = re.compile(
    # A known label or a Chinese word before a colon starts the next value even when a date
    # follows at once (来源：</span><span>时间：2020-…); an unknown Latin word must not be a time.
    rf"{SEP}|(?<![A-Za-z])(?:(?:{_ANY_LABEL}|[\u4e00-\u9fff]{{2,5}})\s*[:：]|[A-Za-z]{{3,12}}\s*[:：](?!\d))"
    r"|[【\[|｜]|\s{2,}|\u3000",
    re.I,
)
_SOURCE_RE = re.compile(SOURCE_LABEL, re.I)
_AUTHOR_RE = re.compile(AUTHOR_LABEL, re.I)


@dataclass
class Byline:
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    date: str | None = None


def parse_byline(*elements: Element | None) -> Byline:
    """Labelled values and the date from an article's meta line(s).

    Works whether each value sits in its own ``<span>`` or all share one line
    (``2015-09-15 15:21 来源：新华网 编辑：王喆``), and on the English edition's
    ``from:新华网2015-09-15 15:21``.
    """
    byline = Byline()
    for el in elements:
        if el is None:
            continue
        if byline.date is None:
            for time_el in el.iter("time"):
                if collapse_ws(time_el.get("datetime")):
                    byline.date = collapse_ws(time_el.get("datetime"))
                    break
        text = segmented_text(el)
        if byline.date is None:
            byline.date = date_raw(text.replace(SEP, " "))
        for match in _LABEL_RE.finditer(text):
            label = match.group("label")
            rest = text[match.end() :].lstrip(SEP + " \t\r\n")
            date = find_date(rest)
            end = _VALUE_END_RE.search(rest)
            stop = min(
                end.start() if end else len(rest),
                date.start() if date else len(rest),
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
    return byline



