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

SOURCE_LABEL = r"来\s*源|稿\s*源|来\s*自|from|source"
AUTHOR_LABEL = r"作\s*者|author"
EDITOR_LABEL = r"责任编辑|责\s*编|编\s*辑|editor"
DATE_LABEL = r"发布时间|发表时间|更新时间|建立时间|发布日期|时\s*间|日\s*期|published|date|time"

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

# ================================================================================================
# Both scripts
# ================================================================================================

#: The traditional forms of the simplified characters the rule book's words are written in (OpenCC's
#: s2t, s2tw and s2hk tables read character by character, and the variants Taiwan prints: 佈, 鐘,
#: 裏, 衆). Taiwan's and Hong Kong's portals and the traditional-script editions of mainland ones
#: print every label, notice and credit in them (來源、責任編輯、發佈時間、版權所有、記者、圖／): each
#: pattern of the book is written once, in simplified characters, and reads both scripts.
TRADITIONAL_FORMS = {
    "专": "專", "业": "業", "丝": "絲", "两": "兩", "严": "嚴", "个": "個", "为": "為", "丽": "麗", "举": "舉", "习": "習",
    "书": "書", "于": "於", "仅": "僅", "们": "們", "众": "眾衆", "会": "會", "传": "傳", "体": "體", "关": "關", "内": "內",
    "写": "寫", "农": "農", "击": "擊", "刘": "劉", "刚": "剛", "创": "創", "别": "別", "办": "辦", "动": "動", "区": "區",
    "华": "華", "单": "單", "厅": "廳", "发": "發", "台": "臺", "号": "號", "后": "後", "员": "員", "咨": "諮", "团": "團",
    "国": "國", "图": "圖", "场": "場", "声": "聲", "处": "處", "备": "備", "实": "實", "审": "審", "对": "對", "导": "導",
    "尔": "爾", "尽": "盡", "属": "屬", "布": "佈", "师": "師", "并": "並", "广": "廣", "开": "開", "张": "張", "归": "歸",
    "当": "當", "户": "戶", "扫": "掃", "护": "護", "报": "報", "摄": "攝", "数": "數", "时": "時", "晓": "曉", "机": "機",
    "杀": "殺", "权": "權", "来": "來", "标": "標", "欢": "歡", "济": "濟", "浏": "瀏", "涛": "濤", "点": "點", "热": "熱",
    "独": "獨", "现": "現", "电": "電", "监": "監", "着": "著", "码": "碼", "礼": "禮", "筹": "籌", "签": "簽", "纠": "糾",
    "约": "約", "线": "線綫", "组": "組", "终": "終", "经": "經", "给": "給", "统": "統", "续": "續", "维": "維", "编": "編",
    "网": "網", "荐": "薦", "蓝": "藍", "衆": "眾", "裏": "裡", "见": "見", "观": "觀", "视": "視", "览": "覽", "觉": "覺",
    "订": "訂", "议": "議", "讯": "訊", "记": "記", "许": "許", "识": "識", "词": "詞", "询": "詢", "该": "該", "详": "詳",
    "语": "語", "请": "請", "读": "讀", "财": "財", "责": "責", "贴": "貼", "费": "費", "资": "資", "赞": "贊", "赵": "趙",
    "转": "轉", "载": "載", "辑": "輯", "这": "這", "违": "違", "递": "遞", "郑": "鄭", "里": "裡裏", "钟": "鐘鍾", "链": "鏈",
    "错": "錯", "键": "鍵", "长": "長", "门": "門", "闭": "閉", "间": "間", "闻": "聞", "阅": "閱閲", "页": "頁", "顶": "頂",
    "顾": "顧", "频": "頻", "颖": "穎", "题": "題", "马": "馬", "黄": "黃",
}


def both_scripts_source(source: str) -> str:
    """A pattern's source that reads both scripts: each simplified character with a traditional form
    becomes a class of both (``来源`` → ``[来來]源``), or gets its forms added inside a class it is in
    already (the added forms go last, so a range stays a range). Applied twice, the same."""
    out: list[str] = []
    extra: list[str] = []
    in_class, class_start, class_start_out, i = False, 0, 0, 0
    while i < len(source):
        char = source[i]
        if char == "\\":
            out.append(source[i : i + 2])
            i += 2
            continue
        if in_class:
            if char == "]" and i > class_start:
                members = "".join(out[class_start_out:])
                out.append("".join(dict.fromkeys(f for f in "".join(extra) if f not in members)))
                out.append(char)
                in_class, extra = False, []
            else:
                out.append(char)
                extra.append(TRADITIONAL_FORMS.get(char, ""))
        elif char == "[":
            in_class = True
            out.append(char)
            if source[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            class_start, class_start_out = i + 1, len(out)
        elif char in TRADITIONAL_FORMS:
            out.append(f"[{char}{TRADITIONAL_FORMS[char]}]")
        else:
            out.append(char)
        i += 1
    return "".join(out)


def both_scripts(value: object) -> object:
    """A rule that reads both scripts: a compiled pattern recompiled, a pattern's source rewritten, a
    set of words or a dict's word keys with their traditional forms added; anything else as it is."""
    if isinstance(value, re.Pattern):
        source = both_scripts_source(value.pattern)
        return value if source == value.pattern else re.compile(source, value.flags)
    if isinstance(value, str):
        return both_scripts_source(value) if any(c in TRADITIONAL_FORMS for c in value) else value
    if isinstance(value, frozenset) and all(isinstance(w, str) for w in value):
        return value | {w.translate(_TO_TRADITIONAL) for w in value}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return value | {k.translate(_TO_TRADITIONAL): v for k, v in value.items()}
    return value


#: Each simplified character to its first traditional form (for words: ``来源`` → ``來源``).
_TO_TRADITIONAL = str.maketrans({k: v[0] for k, v in TRADITIONAL_FORMS.items()})

# Every rule above reads both scripts (the patterns, the pattern sources other books build on, the
# word sets and the word-keyed dicts).
for _name, _value in list(globals().items()):
    if _name.isupper() and _name != "TRADITIONAL_FORMS":
        globals()[_name] = both_scripts(_value)
