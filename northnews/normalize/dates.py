"""Date rules: printed dates and times → aware datetimes in the site's time zone.

Our own rules, not a date library: common parsers read a year-less ``09-15 15:21`` as 2009 and
drop the time of day from ``2015-09-15 15:21`` (checked). A year-less date takes the year of
the capture, or the year before when that would put it after the capture.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone, tzinfo

from northnews.normalize import rules
from northnews.normalize.rules import CN_DATE_RE as CN_DATE_RE
from northnews.normalize.rules import DATE_RE as DATE_RE
from northnews.normalize.rules import RELATIVE_RE as RELATIVE_RE
from northnews.normalize.rules import US_DATE_RE as US_DATE_RE
from northnews.normalize.rules import YEARLESS_RE as YEARLESS_RE
from northnews.normalize.text import collapse_ws
from northnews.sites import Site, load_site

_AFTERNOON = rules.AFTERNOON_WORDS
_CN_DIGIT = rules.CN_YEAR_DIGITS
_CN_VALUE = rules.CN_DIGIT_VALUES


def _cn_number(text: str) -> int:
    """``七`` → 7, ``十`` → 10, ``十一`` → 11, ``二十三`` → 23; a year's digits read one by one."""
    if "十" not in text:
        value = 0
        for char in text:
            value = value * 10 + _CN_VALUE[char]
        return value
    tens, _, ones = text.partition("十")
    return (_CN_VALUE[tens] if tens else 1) * 10 + (_CN_VALUE[ones] if ones else 0)


def _groups(match: re.Match[str]) -> dict[str, str | None]:
    """A date match's groups as digits, whichever way the date was printed."""
    g = dict(match.groupdict())
    if match.re is CN_DATE_RE:
        for key in ("y", "m", "d", "H", "M", "S"):
            value = g[key]
            if value and not value.isdigit():
                g[key] = str(_cn_number(value))
    elif match.re is US_DATE_RE and int(g["m"] or 0) > 12 >= int(g["d"] or 0):
        g["m"], g["d"] = g["d"], g["m"]
    return g


def iter_dates(text: str) -> list[re.Match[str]]:
    """Every printed full date in ``text`` (digits, Chinese numerals, month/day/year), in order."""
    found = list(DATE_RE.finditer(text))
    if "年" in text and any(c in text for c in _CN_DIGIT):
        found += CN_DATE_RE.finditer(text)
    if "/" in text:
        found += US_DATE_RE.finditer(text)
    return sorted(found, key=lambda m: m.start())


_DAYS_BACK = rules.RELATIVE_DAYS_BACK
_ISO_RE = rules.ISO_DATETIME_RE
#: Used where no site is known (parsing a date only for its calendar day).
UTC = timezone.utc


def _date_from_match(match: re.Match[str], tz: tzinfo, year: int | None = None) -> datetime | None:
    g = _groups(match)
    hour = int(g["H"] or 0)
    if hour < 12 and (g.get("ap") in _AFTERNOON or (g.get("ap") == "中午" and hour < 6)):
        hour += 12
    minute = g["M"]
    if minute is None and g["H"] is not None and rules.HALF_HOUR_RE.match(match.string, match.end()):
        minute = "30"  # 8点半
    try:
        return datetime(
            int(g.get("y") or year or 0), int(g["m"] or 0), int(g["d"] or 0),
            hour, int(minute or 0), int(g["S"] or 0),
            tzinfo=tz,
        )
    except (ValueError, TypeError):
        return None


def find_date(text: str | None, *, yearless: bool = False) -> re.Match[str] | None:
    """The first valid printed date (with its time of day, if printed) in ``text``; with
    ``yearless``, a month-day-time such as ``09-15 15:21`` when no full date is printed."""
    if not text:
        return None
    for match in iter_dates(text):
        if _date_from_match(match, UTC) is not None:
            return match
    if yearless:
        for match in YEARLESS_RE.finditer(text):
            if _date_from_match(match, UTC, 2000) is not None:  # 2000: a leap year, so 02-29 counts
                return match
    return None


def date_raw(text: str | None, *, yearless: bool = False) -> str | None:
    """Just the date/time string as printed (whitespace collapsed), or ``None``."""
    match = find_date(text, yearless=yearless)
    return collapse_ws(match.group(0)) if match else None


def parse_datetime(raw: str | None, tz: tzinfo = UTC, *, year: int | None = None, now: datetime | None = None) -> datetime | None:
    """A printed date or an ISO value (``<time datetime>``, meta tags, JSON-LD) → aware datetime in ``tz``.

    Times printed without an offset are in ``tz`` (the site's zone). A year-less date
    (``09-15 15:21``) needs ``year`` (or ``now``, the capture time: its year, or the year before
    when the date would otherwise lie after it); without either it is not a date.
    """
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
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=tz)
            return parsed.astimezone(tz).replace(microsecond=0)
    match = find_date(raw)
    if match:
        return _date_from_match(match, tz)
    if year is None and now is None:
        return None
    if now is not None and (relative := relative_datetime(raw, tz, now)) is not None:
        return relative
    match = find_date(raw, yearless=True)
    if not match:
        return None
    if year is not None:
        return _date_from_match(match, tz, year)
    assert now is not None
    local_now = now.astimezone(tz)
    moment = _date_from_match(match, tz, local_now.year)
    if moment is not None and moment > local_now:
        moment = _date_from_match(match, tz, local_now.year - 1)
    return moment


def relative_datetime(raw: str, tz: tzinfo, now: datetime) -> datetime | None:
    """``昨天 13:43`` or ``3小时前`` read against ``now`` (the capture), to the minute, or ``None``."""
    match = RELATIVE_RE.search(raw)
    if not match:
        return None
    local = now.astimezone(tz).replace(second=0, microsecond=0)
    if match["day"]:
        day = (local - timedelta(days=_DAYS_BACK[match["day"].lower()])).date()
        return datetime(day.year, day.month, day.day, int(match["H"]), int(match["M"]), tzinfo=tz)
    if match["now"]:
        return local
    unit = _UNITS[match["unit"].lower().rstrip("s")]
    return local - timedelta(**{unit: int(match["n"])})


_UNITS = rules.RELATIVE_UNITS


def published_raw_of(raw: str | None) -> str | None:
    """``published_raw``: an ISO value as is, else just the printed date/time."""
    raw = collapse_ws(raw)
    if not raw:
        return None
    if _ISO_RE.match(raw):
        return raw
    return date_raw(raw, yearless=True) or raw


def parse_published(raw: str | None, tz: tzinfo = UTC, *, now: datetime | None = None) -> str | None:
    """ISO 8601 with seconds and the site's offset: ``2015-09-15T15:21:00+08:00``, or ``None``."""
    parsed = parse_datetime(raw, tz, now=now)
    return parsed.isoformat() if parsed else None


def url_date(url: str, site: Site | None = None) -> date | None:
    """The date an article URL encodes (by the profile's ``urls.url_dates``; the default
    profile's when no site is given), or ``None``."""
    for regex in (site or load_site()).urls.url_dates:
        for match in regex.finditer(url):
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
    return None
