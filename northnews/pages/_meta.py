"""Page metadata for the generic extractor: title hints, the published date wherever a page keeps
it (meta tags, JSON-LD, ``<time>``, an inline script variable, a year-less byline), authors.

Each function returns the value as found (raw): normalising is :mod:`northnews.normalize`'s job.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from typing import Any

from northnews.normalize import DATE_RE, collapse_ws, find_date
from northnews.normalize.dates import RELATIVE_RE
from northnews.pages import rules
from northnews.pages._dom import Element

# --- meta tags ----------------------------------------------------------------------------------

PUBLISHED_META = rules.PUBLISHED_META_NAMES
_META_RANK = {name: i for i, name in enumerate(rules.PUBLISHED_META_RANK)}


def meta_map(root: Element) -> dict[str, str]:
    """``<meta>`` name/property/itemprop (lower case) → content, first occurrence wins."""
    out: dict[str, str] = {}
    for el in root.iter("meta"):
        content = el.get("content")
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                out.setdefault(key.strip().lower(), content)
    return out


def meta_published(meta: dict[str, str]) -> str | None:
    found = [(
        _META_RANK.get(k, 99), v) for k, v in meta.items() if k in PUBLISHED_META and _has_date(v)]
    return collapse_ws(min(found)[1]) if found else None


def _has_date(value: str) -> bool:
    return bool(DATE_RE.search(value) or _COMPACT_DATE_RE.match(value.strip()))


_COMPACT_DATE_RE = rules.COMPACT_DATE_RE

# --- JSON-LD ------------------------------------------------------------------------------------

_LD_TYPES = rules.LD_ARTICLE_TYPE_RE


def json_ld(root: Element) -> list[dict[str, Any]]:
    """The JSON-LD objects of the page (graphs flattened); unparseable blocks are skipped."""
    out: list[dict[str, Any]] = []
    for el in root.iter("script"):
        if (el.get("type") or "").strip().lower() != "application/ld+json" or not el.text:
            continue
        try:
            data = json.loads(el.text.strip().rstrip(";"), strict=False)
        except ValueError:
            continue
        out.extend(_objects(data))
    return out


def _objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > rules.LD_MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _objects(data["@graph"], depth + 1)
        main = data.get("mainEntity") or data.get("mainEntityOfPage")
        if isinstance(main, dict):
            yield from _objects(main, depth + 1)


def _ld_type(obj: dict[str, Any]) -> str:
    kind = obj.get("@type")
    return " ".join(kind) if isinstance(kind, list) else str(kind or "")


def ld_value(objects: list[dict[str, Any]], key: str) -> str | None:
    """``key`` of the first article-like JSON-LD object that has it (strings only)."""
    ranked = sorted(objects, key=lambda o: 0 if _LD_TYPES.search(_ld_type(o)) else 1)
    for obj in ranked:
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return collapse_ws(value)
    return None


def ld_author(objects: list[dict[str, Any]]) -> str | None:
    for obj in objects:
        if not _LD_TYPES.search(_ld_type(obj)):
            continue
        author = obj.get("author")
        names = []
        for item in author if isinstance(author, list) else [author]:
            if isinstance(item, dict) and isinstance(item.get("name"), str):
                names.append(item["name"].strip())
            elif isinstance(item, str):
                names.append(item.strip())
        names = [n for n in names if n]
        if names:
            return ", ".join(names)
    return None


# --- inline scripts -----------------------------------------------------------------------------

_SCRIPT_VALUE_RE = rules.SCRIPT_DATE_VALUE_RE
_SCRIPT_NAME_RE = rules.SCRIPT_DATE_NAME_RE


def script_published(root: Element) -> str | None:
    """``var publish_time = "2019-09-07 13:43:12"`` and the like in an inline script; a value with a
    time of day wins over a bare day (WeChat sets ``publish_time = "2019-09-07"`` before
    ``createTime = '2019-09-07 13:43'``)."""
    day: str | None = None
    for el in root.iter("script"):
        text = el.text
        if not text or el.get("src") or (el.get("type") or "").lower() == "application/ld+json":
            continue
        for match in _SCRIPT_VALUE_RE.finditer(text):
            if _SCRIPT_NAME_RE.search(text[max(0, match.start() - rules.SCRIPT_NAME_WINDOW) : match.start()]):
                value = collapse_ws(match.group(1).strip())
                if find_date(value):
                    if has_time(value):
                        return value
                    day = day or value
    return day


# --- printed dates without a year ----------------------------------------------------------------

_YEARLESS_RE = rules.YEARLESS_RE


def relative_date(text: str | None) -> str | None:
    """``昨天 13:43``, ``3小时前``, ``刚刚`` as printed (normalize reads them against the capture)."""
    match = RELATIVE_RE.search(text or "")
    return collapse_ws(match.group(0)) if match else None


def yearless_date(text: str | None) -> str | None:
    """``09-07 13:43`` / ``09月07日 13:43`` as printed (the caller supplies the year), else ``None``.

    A year printed just before it in its own element (news.cn's ``<em>2022</em> <em>09</em>/<em>07</em>
    19:36:07``) is taken along: ``2022-09-07 19:36:07``."""
    if not text:
        return None
    match = _YEARLESS_RE.search(text)
    if not match:
        return None
    # The window counts printed characters: the spaces between elements (news.cn's ``<em> 2023</em>
    # </span><span class="day"><em> 11</em>``) are no distance.
    head = text[: match.start()].rstrip()
    year = _YEAR_BEFORE_RE.search(head, max(0, len(head) - rules.YEAR_BEFORE_WINDOW))
    if year:
        return (
            f"{year.group(1)}-{int(match['m']):02d}-{int(match['d']):02d} {int(match['H']):02d}:{match['M']}"
            + (f":{match['S']}" if match["S"] else "")
        )
    return collapse_ws(match.group(0))


_YEAR_BEFORE_RE = rules.YEAR_BEFORE_RE

# --- English dates (the English editions of Chinese sites) -------------------------------------

_MONTHS = {m: i for i, m in enumerate(rules.EN_MONTHS, start=1)}
_EN_DATE_RES = (rules.EN_TIME_FIRST_DATE_RE, rules.EN_MONTH_FIRST_DATE_RE, rules.EN_DAY_FIRST_DATE_RE)


def english_date(text: str | None) -> str | None:
    """``Sep 07, 2022 09:42 PM`` / ``7 September 2022 21:42`` → ``2022-09-07 21:42`` (what
    normalize reads), else ``None``."""
    if not text:
        return None
    found: list[re.Match[str]] = []
    for match in sorted((m for p in _EN_DATE_RES for m in p.finditer(text)), key=lambda m: (m.start(), -m.end())):
        if not found or match.start() >= found[-1].end():  # one date read two ways is one date
            found.append(match)
    # The first date not labelled as a revision's ("Updated: July 6, 2023 | Published: July 5, …").
    window = rules.REVISED_LABEL_WINDOW
    found = [m for m in found if not rules.REVISED_LABEL_RE.search(text[max(0, m.start() - window) : m.start()])] or found
    for match in found:
        month, day = _MONTHS[match["mon"][:3].lower()], int(match["d"])
        if not 1 <= day <= 31:
            continue
        out = f"{match['y']}-{month:02d}-{day:02d}"
        if match["H"]:
            hour = int(match["H"])
            ampm = (match["ap"] or "").lower()[:1]
            if ampm == "p" and hour < 12:
                hour += 12
            elif ampm == "a" and hour == 12:
                hour = 0
            out += f" {hour:02d}:{match['M']}" + (f":{match['S']}" if match["S"] else "")
        return out
    return None


# --- epoch timestamps (pages that draw their date with JavaScript) -----------------------------------

_EPOCH_RE = rules.EPOCH_VALUE_RE
_TIME_NAME_RE = rules.TIME_CLASS_RE
#: Searched in the lower-cased script (case-insensitive matching over 40 KB of script a page is
#: three times slower than lower-casing it first).
_SCRIPT_EPOCH_RE = rules.SCRIPT_EPOCH_RE


def _epoch_iso(value: str) -> str | None:
    from datetime import datetime, timezone

    number = int(value)
    seconds = number / 1000 if number > 10**11 else number
    if not rules.EPOCH_MIN_SECONDS <= seconds <= rules.EPOCH_MAX_SECONDS:
        return None
    return datetime.fromtimestamp(int(seconds), tz=timezone.utc).isoformat()


@functools.lru_cache(maxsize=1 << 12)
def _time_named(cls: str | None, ident: str | None, name: str | None) -> bool:
    """Is an element named for a time (class, id or name)? Cached: a page repeats its names."""
    return any(v and _TIME_NAME_RE.search(v) for v in (cls, ident, name))


def epoch_published(root: Element) -> str | None:
    """An epoch time the page's script turns into its printed date: a ``data-val``/``value`` or the
    text of an element named for a time (sohu's ``<span id="news-time" data-val="1630…">``,
    huanqiu's ``<textarea class="article-time">1662…000</textarea>``), else a script variable
    (``"publishTime":1662551460000``). ISO in UTC, which normalize reads."""
    for el in root.iter("textarea", "span", "input", "div", "em", "p", "time"):
        get = el.get
        cls, ident, name = get("class"), get("id"), get("name")
        if not (cls or ident or name) or not _time_named(cls, ident, name):
            continue
        for value in (get("data-val"), get("data-time"), get("value"), el.text):
            if value and _EPOCH_RE.match(value):
                found = _epoch_iso(value.strip())
                if found:
                    return found
    for el in root.iter("script"):
        if el.text and not el.get("src"):
            match = _SCRIPT_EPOCH_RE.search(el.text.lower())
            if match:
                found = _epoch_iso(match.group(1))
                if found:
                    return found
    return None


# --- the date in an article's URL (the last resort) -------------------------------------------------

# /2022-09/07/, /2022/09/07/, /art/2022/9/7/, /2022/09-07/, 2022_09_07_; then /2022/0907/, /202209/07/,
# t20220907_, /20220907/ (digits run together: two-digit month and day only).
_URL_DATE_RES = (rules.URL_DAY_SEPARATED_RE, rules.URL_DAY_RUN_TOGETHER_RE)


def url_day(url: str) -> str | None:
    """The day an article's path encodes, as ``YYYY-MM-DD`` (what normalize reads), else ``None``."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    path = path.split("//", 1)[-1].partition("/")[2]
    for pattern in _URL_DATE_RES:
        for match in pattern.finditer(path):
            y, m, d = (int(g) for g in match.groups())
            if 1 <= m <= 12 and 1 <= d <= 31:
                return f"{y:04d}-{m:02d}-{d:02d}"
    return None


def has_time(raw: str | None) -> bool:
    """Does a raw date carry a time of day (``13:43``, ``T13:43``, ``13时43分``)?"""
    return bool(raw and rules.TIME_OF_DAY_RE.search(raw))
