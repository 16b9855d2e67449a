"""The rule book's chapter on printed values: dates, times, byline labels, titles, tags and
breadcrumbs as pages print them, each pattern and word list defined once and named for what it
recognises.

It lives below :mod:`northnews.pages` (normalize may not import the page layer, which reads
these rules too); :mod:`northnews.pages.rules` takes every name of it into the one rule book, and
``tests/test_rules.py`` holds a table of what each must and must not match. Nothing here is true
of one portal only: a portal's names and home crumbs are its profile's.
"""

from __future__ import annotations

import re

# ================================================================================================
# Whitespace
# ================================================================================================

#: Whitespace as a reader sees it: ``\s`` (``\u3000``, no-break spaces, newlines) and the
#: zero-width characters that render as nothing.
WHITESPACE_RE = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")
#: The zero-width characters :data:`WHITESPACE_RE` adds to ``\s``.
ZERO_WIDTH_CHARS = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")

# ================================================================================================
# Byline labels (alternations: the line patterns of :mod:`northnews.pages.rules` build on them)
# ================================================================================================

# Each label in both scripts: Taiwan's and Hong Kong's portals, and the traditional-script editions
# of mainland ones, print 來源、責任編輯、發布時間 (建立時間 at Apple Daily).

SOURCE_LABEL = r"来\s*源|來\s*源|稿\s*源|来\s*自|來\s*自|from|source"
AUTHOR_LABEL = r"作\s*者|author"
EDITOR_LABEL = r"责任编辑|責任編輯|责\s*编|責\s*編|编\s*辑|編\s*輯|editor"
DATE_LABEL = (
    r"发布时间|发表时间|更新时间|发布日期|時\s*間|發[布佈表]時間|[更建]立時間|更新時間|發[布佈]日期|时\s*间|日\s*期|"
    r"published|date|time"
)

#: A whole label of each kind (``来 源``, ``Author``), to tell which one a byline printed.
SOURCE_LABEL_RE = re.compile(SOURCE_LABEL, re.IGNORECASE)
AUTHOR_LABEL_RE = re.compile(AUTHOR_LABEL, re.IGNORECASE)
#: A label of each kind leading a value, with its frame and colon (``（来源：``, ``Editor: ``).
LEADING_SOURCE_LABEL_RE = re.compile(rf"^[\s(（\[【]*(?:{SOURCE_LABEL})\s*[:：]\s*", re.IGNORECASE)
LEADING_AUTHOR_LABEL_RE = re.compile(rf"^[\s(（\[【]*(?:{AUTHOR_LABEL})\s*[:：]\s*", re.IGNORECASE)
LEADING_EDITOR_LABEL_RE = re.compile(rf"^[\s(（\[【]*(?:{EDITOR_LABEL})\s*[:：]\s*", re.IGNORECASE)
LEADING_DATE_LABEL_RE = re.compile(rf"^[\s(（\[【]*(?:{DATE_LABEL})\s*[:：]\s*", re.IGNORECASE)
#: Punctuation that only frames a byline value (``来源：新华网 |``, ``（责任编辑：王喆）``).
VALUE_EDGE_CHARS = " \t\r\n\u3000\xa0|｜/\\,，;；:：、·•-–—_"
#: Bracket pairs a value may be framed by.
VALUE_BRACKETS = {"(": ")", "（": "）", "[": "]", "【": "】", "<": ">", "《": "》", "「": "」"}
#: The job title an English byline prints after the name (``By Maria Sanchez, Staff Writer``): a
#: role, as ``本报记者`` is before one. Only these words: ``, Associated Press`` is a source.
AUTHOR_JOB_TITLE_RE = re.compile(
    r"\s*,\s*(?:(?:senior|chief|contributing|special|staff|sports|business|political)\s+)?"
    r"(?:staff|writer|reporter|correspondent|columnist|contributor|editor)s?\s*$",
    re.IGNORECASE,
)

# ================================================================================================
# Titles
# ================================================================================================

#: Between a headline and a site's name at the end of a title (``标题_某某网``, ``Title | Site``).
TITLE_SUFFIX_SEPARATOR = r"\s*[-_|｜–—·•]+\s*"
#: Punctuation noise at either end of a headline.
TITLE_EDGE_CHARS = " \u3000\xa0-_|｜–—~～·•*#=>:：;；,，、/\\"

# ================================================================================================
# Tags and breadcrumbs
# ================================================================================================

#: Between the tags of a keywords meta (else they are split on whitespace).
TAG_SEPARATOR_RE = re.compile(r"[,，、;；|]")
#: Home crumbs every portal prints; a profile adds its own names (``[text] home_crumbs``).
HOME_CRUMBS = frozenset({"首页", "home", "网站首页", "主页", "homepage"})
#: The crumb a page prints for itself after its section (``查看内容``: Discuz's portal article).
ARTICLE_CRUMBS = frozenset({"正文", "text", "content", "内容", "详情", "正文内容", "查看内容"})

# ================================================================================================
# Dates and times
# ================================================================================================

#: A half of the day printed before a 12-hour time (``下午3:20``, ``晚上8时``).
HALF_DAY = r"(?:\s*(?P<ap>上午|下午|中午|晚上|凌晨|早上|傍晚)\s*)?"
#: The half hour after an hour-mark (``8点半``).
HALF_HOUR_RE = re.compile(r"\s*半")
#: Halves of the day whose hours are after noon.
AFTERNOON_WORDS = frozenset({"下午", "晚上", "傍晚"})
#: An hour-mark with no minutes is the full hour: ``时`` always (``16时``, ``10时许``); ``点`` when a
#: half of the day precedes it (``晚上8点``) or a word of time follows it (``8点整``, ``8点半``), as
#: ``点`` alone also counts points (``提出10点意见``) and ``点击`` is a hit counter.
HOUR_ONLY = r"(?(ap)[时点](?!击)|(?:时|点(?=\s*(?:整|许|左右|钟|半))))"
#: A time of day after a printed date: after spaces, a bar, a dot or a comma (pages print the day
#: and the time in separate elements), ``T`` (ISO), with ``时``/``点``/``分``/``秒`` or colons; an
#: hour-mark with no minutes is the full hour, or its half (:data:`HOUR_ONLY`).
TIME_AFTER_DATE = (
    r"(?:(?:\s*[|｜·•,，]?\s*|T)" + HALF_DAY + r"(?P<H>\d{1,2})\s*(?:(?:[:：]|[时点])\s*(?P<M>\d{1,2})(?!\d)"
    r"(?:\s*(?:[:：]|分)\s*(?P<S>\d{1,2})(?!\d)(?:\s*秒)?|\s*分)?|" + HOUR_ONLY + "))?"
)
#: A number of hours or minutes in Chinese numerals (``十六``, ``四十八``, ``零五``, ``两``).
CN_CLOCK_NUMBER = r"[〇零○一二三四五六七八九十两]{1,3}"
#: A time of day after a date in Chinese numerals, in digits or in Chinese numerals too
#: (``十六时四十八分``, ``下午四点``).
CN_TIME_AFTER_DATE = (
    r"(?:\s*[|｜·•,，]?\s*" + HALF_DAY + rf"(?P<H>\d{{1,2}}|{CN_CLOCK_NUMBER})\s*(?:(?:[:：]|[时点])\s*"
    rf"(?P<M>\d{{1,2}}(?!\d)|{CN_CLOCK_NUMBER}(?=\s*分))(?:\s*(?:[:：]|分)\s*(?P<S>\d{{1,2}}(?!\d)|{CN_CLOCK_NUMBER}(?=\s*秒))"
    rf"(?:\s*秒)?|\s*分)?|" + HOUR_ONLY + "))?"
)
#: A full date in digits, year first: ``2023-07-05``, ``2023/7/5``, ``2023.07.05``, ``2023年7月5日``,
#: with its time when printed.
DATE_RE = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[-/.]|年)\s*(?P<m>\d{1,2})\s*(?:[-/.]|月)\s*"
    r"(?P<d>\d{1,2})(?!\d)(?:\s*日)?" + TIME_AFTER_DATE,
    re.IGNORECASE,
)
#: The digits of a year printed in Chinese numerals (``二〇二三``, ``二零二三``).
CN_YEAR_DIGITS = "〇零○Ｏ一二三四五六七八九"
#: Chinese numerals and their values (a year is read digit by digit).
CN_DIGIT_VALUES = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0, "两": 2}
#: A date in Chinese numerals: ``二〇二三年七月五日``, ``二〇二三年十二月三十一日``, with its time when
#: printed (``二〇二三年七月五日十六时四十八分``, ``… 16:48``).
CN_DATE_RE = re.compile(
    rf"(?P<y>[{CN_YEAR_DIGITS}]{{4}})\s*年\s*(?P<m>[一二三四五六七八九十]{{1,3}})\s*月\s*"
    r"(?P<d>[一二三四五六七八九十]{1,3})\s*日" + CN_TIME_AFTER_DATE
)
#: ``07/05/2023``: month first, as English-language pages print it (day first when the first
#: number cannot be a month: ``25/07/2023``).
US_DATE_RE = re.compile(
    r"(?<![\d/])(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>(?:19|20)\d{2})(?![\d/])" + TIME_AFTER_DATE
)
#: ``09-15 15:21``, ``9月15日 15:21``: month and day with a time of day (without the time,
#: ``09-15`` is too often something else to be read as a date); never the end of a full date
#: (``2022年09月07日 13:43``), and only a month, a day and a time that can be.
YEARLESS_RE = re.compile(
    r"(?<![\d\-/.年])(?P<m>0?[1-9]|1[0-2])\s*(?:[-/]|月)\s*(?P<d>[0-2]?\d|3[01])(?!\d)\s*日?"
    r"\s+(?P<H>[01]?\d|2[0-3])\s*[:：]\s*(?P<M>[0-5]\d)(?:\s*[:：]\s*(?P<S>[0-5]\d))?(?!\d)"
)
#: ``今天 13:43``, ``昨天 13:43``, ``前天 13:43``; ``5分钟前``, ``3小时前``, ``2天前``; ``刚刚``:
#: self-media and portal apps print times relative to the reader's now, which for an archive is
#: the capture.
RELATIVE_RE = re.compile(
    r"(?P<day>今天|今日|昨天|昨日|前天|today|yesterday)\s*(?:at\s*)?(?P<H>[01]?\d|2[0-3])\s*[:：]\s*(?P<M>[0-5]\d)(?!\d)"
    r"|(?<!\d)(?P<n>\d{1,3})\s*(?P<unit>分钟|小时|天|minutes?|mins?|hours?|hrs?|days?)\s*(?:前|ago)|(?P<now>刚刚)",
    re.IGNORECASE,
)
#: How many days back a relative day word is.
RELATIVE_DAYS_BACK = {"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2, "today": 0, "yesterday": 1}
#: A relative unit (singular, lower case) → its :class:`~datetime.timedelta` argument.
RELATIVE_UNITS = {"分钟": "minutes", "小时": "hours", "天": "days", "minute": "minutes", "min": "minutes",
                  "hour": "hours", "hr": "hours", "day": "days"}
#: A machine-readable ISO 8601 value (``<time datetime>``, meta tags, JSON-LD).
ISO_DATETIME_RE = re.compile(
    r"^\s*\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?\s*"
    r"(?:Z|[+-]\d{2}:?\d{2})?\s*$",
    re.IGNORECASE,
)
