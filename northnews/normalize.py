"""Normalisation rules: pure functions from raw page fields to item fields.

Contract used by the spider:

* ``article_fields(pages: list[ArticlePage], url: str) -> tuple[dict, list[str]]`` — merge the
  pages of one article (first page first) into the item fields ``title, source, source_raw,
  author, editor, published, published_raw, body, images, tags, template, section,
  content_digest`` and return them with a list of problem codes (e.g. ``"date_url_mismatch"``,
  ``"generic_template"``) for the caller to log and count.

Everything here is a small pure function over strings, table-tested in ``tests/test_normalize.py``.
Dates are parsed with our own rules: common parsers read ``09-15 15:21`` as 2009 or drop the time.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from northnews.pages import ArticlePage

CST = timezone(timedelta(hours=8), "CST")
"""China Standard Time: the portal prints every time in UTC+8 (no daylight saving)."""

# --- publishers (data) -------------------------------------------------------------------------

PUBLISHER_ALIASES: dict[str, tuple[str, ...]] = {
    "Xinhua": ("新华网", "新华社", "新华", "Xinhua", "Xinhua News Agency", "xinhuanet"),
    "People's Daily Online": ("人民网", "People's Daily Online"),
    "People's Daily": ("人民日报",),
    "China News Service": ("中国新闻网", "中新网", "中新社", "China News Service", "chinanews"),
    "China Daily": ("中国日报", "中国日报网", "China Daily"),
    "Inner Mongolia Daily": ("内蒙古日报",),
    "Northnews": ("正北方网", "northnews", "Northnews", "northnews.cn"),
    "Northern News": ("北方新报",),
    "CCTV": ("央视网", "CCTV"),
    "Guangming Online": ("光明网",),
    "China.org.cn": ("中国网",),
}
"""Canonical publisher name → the names pages print for it. Extend here; matching ignores case
and surrounding whitespace. A name not listed passes through unchanged."""

_ALIAS_INDEX: dict[str, str] = {
    alias.strip().casefold(): canonical
    for canonical, aliases in PUBLISHER_ALIASES.items()
    for alias in (canonical, *aliases)
}

# --- whitespace ----------------------------------------------------------------------------------

# \s covers \u3000 and no-break spaces in str patterns; zero-width spaces and BOMs are not \s but
# render as nothing, so they count as whitespace too.
_WS_RE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")


def collapse_ws(text: str | None) -> str:
    """Collapse every whitespace run (``\\u3000``, nbsp, newlines…) to one space and strip."""
    if not text:
        return ""
    return _WS_RE.sub(" ", text).strip()


def clean_paragraph(text: str | None) -> str:
    """A body paragraph: indentation (``\\u3000\\u3000``, nbsp) stripped, inner runs collapsed."""
    return collapse_ws(text)


# --- labels --------------------------------------------------------------------------------------

SOURCE_LABEL = r"来\s*源|稿\s*源|from|source"
AUTHOR_LABEL = r"作\s*者|author"
EDITOR_LABEL = r"责任编辑|责\s*编|编\s*辑|editor"
DATE_LABEL = r"发布时间|发表时间|更新时间|发布日期|时\s*间|日\s*期|published|date|time"

_LABEL_RES = {
    kind: re.compile(rf"^[\s(（\[【]*(?:{pattern})\s*[:：]\s*", re.I)
    for kind, pattern in {
        "source": SOURCE_LABEL,
        "author": AUTHOR_LABEL,
        "editor": EDITOR_LABEL,
        "date": DATE_LABEL,
    }.items()
}

# Punctuation that only frames a value ("来源：新华网 |", "（责任编辑：王喆）").
_VALUE_EDGE = " \t\r\n\u3000\xa0|｜/\\,，;；:：、·•-–—_"
_BRACKETS = {"(": ")", "（": "）", "[": "]", "【": "】", "<": ">", "《": "》", "「": "」"}


def strip_label(text: str | None, kind: str) -> str:
    """``"来源：新华网"`` → ``"新华网"`` for ``kind`` in source/author/editor/date."""
    text = collapse_ws(text)
    return _LABEL_RES[kind].sub("", text, count=1)


def clean_value(text: str | None) -> str | None:
    """A byline value: whitespace collapsed, framing punctuation and unbalanced brackets removed."""
    text = collapse_ws(text)
    while text:
        before = text
        text = text.strip(_VALUE_EDGE)
        # An opening bracket without its closer at the start ("（王喆") or a closer without
        # its opener at the end ("王喆）") comes from the frame around the whole line.
        if text and text[0] in _BRACKETS and _BRACKETS[text[0]] not in text:
            text = text[1:]
        if text and text[-1] in _BRACKETS.values():
            opener = next(o for o, c in _BRACKETS.items() if c == text[-1])
            if opener not in text:
                text = text[:-1]
        if text == before:
            break
    return text or None


def clean_person(text: str | None, kind: str) -> str | None:
    """``author``/``editor`` as printed without the label, or ``None``."""
    if text is None:
        return None
    return clean_value(strip_label(text, kind))


# --- titles --------------------------------------------------------------------------------------

_SITE_NAMES = r"正北方网(?:首页)?|northnews(?:\.cn)?|www\.northnews\.cn"
# Only after a separator: "…cooperates with Northnews" is a title, "…_正北方网" a suffix.
_TITLE_SUFFIX_RE = re.compile(rf"\s*[-_|｜–—·•]+\s*(?:{_SITE_NAMES})\s*$", re.I)
_TITLE_EDGE = " \u3000\xa0-_|｜–—~～·•*#=>:：;；,，、/\\"


def clean_title(text: str | None) -> str | None:
    """Heading text → title: whitespace collapsed, site suffix and punctuation noise removed."""
    text = collapse_ws(text)
    while True:
        stripped = _TITLE_SUFFIX_RE.sub("", text).strip(_TITLE_EDGE)
        if stripped == text:
            break
        text = stripped
    if re.fullmatch(rf"(?:{_SITE_NAMES})", text, re.I):
        return None
    return text or None


# --- sources -------------------------------------------------------------------------------------


def canonical_source(name: str | None) -> str | None:
    """Canonical publisher for a printed name; unknown names come back unchanged."""
    if name is None:
        return None
    return _ALIAS_INDEX.get(name.strip().casefold(), name)


def clean_source(text: str | None) -> str | None:
    """``source_raw``: the publisher as printed, label and any glued date removed."""
    if text is None:
        return None
    text = strip_label(text, "source")
    match = find_date(text)
    if match:
        # English pages print "from:新华网2015-09-15 15:21" as one run of text.
        text = text[: match.start()] + " " + text[match.end() :]
    return clean_value(text)


# --- dates ---------------------------------------------------------------------------------------

DATE_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*"
    r"(?P<d>\d{1,2})(?!\d)(?:\s*日)?"
    r"(?:(?:\s*|T)(?P<H>\d{1,2})\s*(?:[:：]|时)\s*(?P<M>\d{1,2})(?!\d)"
    r"(?:\s*(?:[:：]|分)\s*(?P<S>\d{1,2})(?!\d)(?:\s*秒)?|\s*分)?)?",
    re.I,
)
_ISO_RE = re.compile(
    r"^\s*\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*"
    r"(?:Z|[+-]\d{2}:?\d{2})?\s*$",
    re.I,
)


def _date_from_match(match: re.Match[str]) -> datetime | None:
    g = match.groupdict()
    try:
        return datetime(
            int(g["y"]), int(g["m"]), int(g["d"]),
            int(g["H"] or 0), int(g["M"] or 0), int(g["S"] or 0),
            tzinfo=CST,
        )
    except ValueError:
        return None


def find_date(text: str | None) -> re.Match[str] | None:
    """The first valid printed date (with its time of day, if printed) in ``text``."""
    if not text:
        return None
    for match in DATE_RE.finditer(text):
        if _date_from_match(match) is not None:
            return match
    return None


def date_raw(text: str | None) -> str | None:
    """Just the date/time string as printed (whitespace collapsed), or ``None``."""
    match = find_date(text)
    return collapse_ws(match.group(0)) if match else None


def parse_datetime(raw: str | None) -> datetime | None:
    """A printed date or a ``<time datetime>`` value → aware datetime in UTC+8, or ``None``."""
    if not raw:
        return None
    if _ISO_RE.match(raw):
        value = raw.strip().replace(" ", "T", 1)
        if value[-1:] in "zZ":
            value = value[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            if parsed.tzinfo is None:  # the portal's times are China Standard Time
                parsed = parsed.replace(tzinfo=CST)
            return parsed.astimezone(CST).replace(microsecond=0)
    match = find_date(raw)
    return _date_from_match(match) if match else None


def published_raw_of(raw: str | None) -> str | None:
    """``published_raw``: a ``<time datetime>`` value as is, else just the printed date/time."""
    raw = collapse_ws(raw)
    if not raw:
        return None
    if _ISO_RE.match(raw):
        return raw
    return date_raw(raw) or raw


def parse_published(raw: str | None) -> str | None:
    """ISO 8601 with seconds and ``+08:00``: ``2015-09-15T15:21:00+08:00``, or ``None``."""
    parsed = parse_datetime(raw)
    return parsed.isoformat() if parsed else None


_URL_DATE_RES = (
    re.compile(r"/(?P<y>(?:19|20)\d{2})/(?P<m>\d{2})(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>(?:19|20)\d{2})(?P<m>\d{2})/(?P<d>\d{2})/"),
)


def url_date(url: str) -> date | None:
    """The date an article URL encodes (``/2015/0915/`` or ``/201509/15/``), or ``None``."""
    for regex in _URL_DATE_RES:
        for match in regex.finditer(url):
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
    return None


# --- tags, sections ------------------------------------------------------------------------------

_TAG_SEP_RE = re.compile(r"[,，、;；|]")
HOME_CRUMBS = frozenset({"首页", "home", "正北方网", "正北方网首页"})
ARTICLE_CRUMBS = frozenset({"正文", "text", "content"})


def split_tags(keywords: str | None) -> list[str]:
    """``<meta name="keywords">`` → tags: split on , ， 、 ; ； | if any occurs, else on whitespace;
    stripped, empties and duplicates dropped, order kept."""
    if not keywords:
        return []
    parts = _TAG_SEP_RE.split(keywords) if _TAG_SEP_RE.search(keywords) else keywords.split()
    return dedupe(collapse_ws(p) for p in parts)


def dedupe(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        if value and value not in seen:
            seen.add(value)
            out.append(value)
    return out


def section_from_crumbs(crumbs: Sequence[str]) -> str | None:
    """The last crumb that is neither home nor the article marker."""
    for crumb in reversed(crumbs):
        crumb = collapse_ws(crumb)
        if crumb and crumb.casefold() not in HOME_CRUMBS and crumb.casefold() not in ARTICLE_CRUMBS:
            return crumb
    return None


# --- digest, merge -------------------------------------------------------------------------------


def content_digest(title: str | None, published: str | None, body: str | None) -> str:
    """``sha1:<BASE32>`` of ``title + "\\n" + published + "\\n" + body`` (UTF-8)."""
    text = f"{title or ''}\n{published or ''}\n{body or ''}"
    return "sha1:" + base64.b32encode(hashlib.sha1(text.encode("utf-8")).digest()).decode("ascii")


def _first(values: Iterable[Any]) -> Any:
    return next((v for v in values if v), None)


def article_fields(pages: list[ArticlePage], url: str) -> tuple[dict[str, Any], list[str]]:
    """Merge one article's pages (first page first) into item fields, plus problem codes."""
    problems: list[str] = []
    if not pages:
        return _empty_fields(), ["no_pages"]
    first = pages[0]

    title = clean_title(first.title) or clean_title(_first(p.title for p in pages[1:]))
    source_raw = clean_source(_first(p.source for p in pages))
    author = clean_person(_first(p.author for p in pages), "author")
    editor = clean_person(_first(p.editor for p in pages), "editor")
    raw_date = _first(p.date for p in pages)
    published = parse_published(raw_date)
    published_raw = published_raw_of(raw_date)

    paragraphs = [clean_paragraph(t) for page in pages for t in page.paragraphs]
    body = "\n\n".join(t for t in paragraphs if t)
    images = [
        {"url": img["url"], "caption": collapse_ws(img.get("caption")) or None}
        for page in pages
        for img in page.images
        if img.get("url")
    ]
    tags = dedupe(collapse_ws(t) for t in (_first(p.tags for p in pages) or []))
    section = collapse_ws(_first(p.section for p in pages)) or None

    if first.template == "generic":
        problems.append("generic_template")
    printed = parse_datetime(raw_date)
    in_url = url_date(url)
    if printed and in_url and printed.date() != in_url:
        problems.append("date_url_mismatch")

    fields = {
        "title": title,
        "source": canonical_source(source_raw),
        "source_raw": source_raw,
        "author": author,
        "editor": editor,
        "published": published,
        "published_raw": published_raw,
        "body": body,
        "images": images,
        "tags": tags,
        "template": first.template,
        "section": section,
        "content_digest": content_digest(title, published, body),
    }
    return fields, problems


def _empty_fields() -> dict[str, Any]:
    return {
        "title": None, "source": None, "source_raw": None, "author": None, "editor": None,
        "published": None, "published_raw": None, "body": "", "images": [], "tags": [],
        "template": "generic", "section": None, "content_digest": content_digest(None, None, ""),
    }
