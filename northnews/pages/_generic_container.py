"""The story's container on a page no layout describes (step 1 of the generic body).

One walk over ``<body>`` gives every element the length of its *paragraph text* (runs of block
text, mostly outside links, long enough to be prose) and of all its text. The container is the
element with the most paragraph text net of everything else it holds (``good - total_other``), so
the tightest wrapper around all of the story wins over both a single paragraph and the whole page.
Chrome is recognised by tag (``nav``, ``aside``, ``footer``, ``form``…) and by class/id words
(share, related, comment, sidebar, 相关, 分享…): its text counts against a container and is never
paragraph text. A class saying "article body" (``itemprop=articleBody``, ``article-content``,
``TRS_Editor``…) gives a small bonus. Step 2, the paragraphs, is :mod:`._generic_body`.
"""

from __future__ import annotations

import re

from northnews.normalize import collapse_ws
from northnews.pages._dom import Element

# --- what a tag is ---------------------------------------------------------------------------------

SKIP = frozenset(
    {"script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "canvas",
     "button", "select", "textarea", "input", "head", "title", "meta", "link", "audio", "video",
     "map", "frame", "frameset", "math", "picture", "source", "dialog"}
)
BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "table",
     "tbody", "thead", "tfoot", "tr", "td", "th", "blockquote", "section", "article", "header",
     "footer", "aside", "figure", "figcaption", "center", "pre", "address", "hr", "nav", "main",
     "form", "fieldset", "caption", "details", "summary", "body", "html"}
)
_PROSE = frozenset({"p", "div", "td", "li", "dd", "blockquote", "pre", "section", "article", "font", "span",
                    "center", "main", "body", "dt", "th", "em", "strong", "b", "i"})
HEADINGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
_CAPTION_TAGS = frozenset({"figcaption", "caption"})

# --- what a class or id says ------------------------------------------------------------------------

# Words (class/id split at -, _, space and camelCase) that name page chrome.
_CHROME_WORDS = frozenset((
    "comment", "comments", "commentlist", "disqus", "share", "sharing", "shares", "sharebar", "social",
    "socials", "sociable", "related", "relate", "relatedposts", "sidebar", "sidebars", "breadcrumb",
    "breadcrumbs", "crumb", "crumbs", "nav", "navbar", "navigation", "navi", "menu", "menus", "submenu",
    "footer", "foot", "promo", "promotion", "promos", "advert", "advertisement", "advertising", "ad", "ads",
    "adv", "advertorial", "sponsor", "sponsored", "dfp", "gpt", "taboola", "outbrain", "newsletter",
    "subscribe", "subscription", "signup", "sign-up", "popular", "trending", "recommend", "recommended",
    "recommendations", "mostread", "most-read", "cookie", "cookies", "consent", "modal", "popup", "overlay",
    "byline", "tags", "tag", "taglist", "keywords", "pagination", "pager", "paging", "pages", "print",
    "toolbar", "tools", "skip", "banner", "rail", "masthead", "author", "authors", "bio", "meta", "dateline",
    "timestamp", "caption", "captions", "credit", "credits", "breaking", "ticker", "login", "signin",
    "register", "fenxiang", "bdshare", "jiathis", "xgxw", "xgwz", "xgyd", "xglj", "xgtj", "tuijian", "pinglun",
    "gg", "guanggao", "copyright", "banquan", "shengming", "mianze", "bianji", "zrbj", "editor",
))
# Chrome words that also name wrappers of the whole page ("content-with-sidebar", "and-w-sidebar",
# a <form> around everything): such an element is left out itself, but what it holds still competes.
_WEAK_WORDS = frozenset((
    "sidebar", "sidebars", "rail", "banner", "masthead", "author", "authors", "bio", "meta", "tag", "tags",
))
# Words that, on the same class, keep an element in play: "content-sidebar-wrap" wraps the story.
_KEEP_WORDS = frozenset((
    "wrap", "wrapper", "container", "inner", "outer", "layout", "row", "col", "grid", "page", "site", "main",
    "content", "body", "article", "post", "entry", "story", "text",
))
# Words that name chrome only at either end of a class ("post-tags", "ad-slot"), not inside one
# ("tag-travel", "non-ad-column", "m-advertisement-off-canvas-pusher").
_EDGE_WORDS = frozenset((
    "ad", "ads", "adv", "advert", "advertisement", "tag", "tags", "author", "authors", "meta", "bio", "credit",
    "credits", "foot",
))
_SPLIT_RE = re.compile(r"[\s_\-:.]+|(?<=[a-z])(?=[A-Z])")
# Classes and ids that name the story itself.
_BODY_HINT_RE = re.compile(
    r"article[-_]?(?:body|content|text|main|detail)|(?:entry|post|story|news|text|main|detail|art)[-_]?"
    r"(?:body|content|text)|articlebody|body[-_]?text|trs_editor|artibody|zhengwen|content[-_]?(?:body|main|text)"
    r"|^(?:content|article|text|story|detail|main_?text|con_?text|txt|wz|zw)$",
    re.IGNORECASE,
)
_cache: dict[str, tuple[int, bool]] = {}


def _words(value: str) -> list[str]:
    return [w.lower() for w in _SPLIT_RE.split(value) if w]


def class_verdict(el: Element) -> tuple[int, bool]:
    """``(chrome, body_hint)`` for an element's class and id (cached per distinct value); chrome is
    0 (none), 1 (weak: may wrap the story too) or 2 (strong)."""
    cls, ident = el.get("class"), el.get("id")
    if not cls and not ident:
        return 0, False
    key = f"{cls or ''}#{ident or ''}"
    verdict = _cache.get(key)
    if verdict is None:
        chrome, hint = 0, False
        for token in (cls or "").split() + (ident or "").split():
            words = _words(token)
            if words and words[0] in _EDGE_WORDS and len(words) > 1 and words[0] in ("tag", "author"):
                words = words[1:1]  # WordPress post classes: tag-<slug>, author-<slug>
            inner = words[1:-1]
            found = [w for w in words if w in _CHROME_WORDS and not (w in _EDGE_WORDS and w in inner)]
            if found and not any(w in _KEEP_WORDS for w in words if w not in _CHROME_WORDS):
                chrome = max(chrome, 1 if all(w in _WEAK_WORDS for w in found) else 2)
            if _BODY_HINT_RE.search(token):
                hint = True
        if chrome and hint:
            chrome = 0  # "article-body-share"? rare; a body hint is worth more than a guess
        if len(_cache) > 20000:
            _cache.clear()
        verdict = _cache[key] = (chrome, hint)
    return verdict


_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def hidden(el: Element) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden") == "true":
        return True
    style = el.get("style")
    return bool(style and _HIDDEN_STYLE_RE.search(style))


_STRONG_TAGS = frozenset({"nav", "footer", "menu"})
_STRONG_ROLES = frozenset({"navigation", "contentinfo"})
_WEAK_TAGS = frozenset({"aside", "form", "header"})
_WEAK_ROLES = frozenset({"complementary", "banner"})


def chrome_level(el: Element, tag: str) -> int:
    """0: not chrome; 1: chrome that may wrap the story (aside, form, "with-sidebar"); 2: chrome."""
    if tag in _STRONG_TAGS:
        return 2
    items = el.items()
    if not items:
        return 1 if tag in _WEAK_TAGS else 0
    attrs = dict(items)
    role = attrs.get("role")
    style = attrs.get("style")
    if (
        role in _STRONG_ROLES or "hidden" in attrs or attrs.get("aria-hidden") == "true"
        or (style and _HIDDEN_STYLE_RE.search(style))
    ):
        return 2
    level = class_verdict(el)[0] if ("class" in attrs or "id" in attrs) else 0
    if level < 2 and (tag in _WEAK_TAGS or role in _WEAK_ROLES):
        return 1
    return level


def is_chrome(el: Element, tag: str) -> bool:
    return chrome_level(el, tag) > 0


# --- lines that are no story text ---------------------------------------------------------------

_BYLINE_RE = re.compile(
    r"^[\s(（\[【]*(?:(?:本文|文章|信息|新闻)?来\s*源|稿\s*源|作\s*者|记\s*者|通讯员|责任编辑|责\s*编|编\s*辑|审\s*核|校\s*对|监\s*制|"
    r"发布时间|发布日期|时\s*间|日\s*期|浏览(?:次数)?|阅读(?:量|数)?|点击(?:数|量)?|字号|字体|摄\s*影|图\s*片|"
    r"供\s*稿|出\s*处)\s*[:：]",
)

_DATE_LINE_RE = re.compile(
    r"^[\s\d\-/:.年月日时分()（）\[\]【】|·]*(?:\d{1,2}:\d{2}|\d{4}[-/.年]\d{1,2})[\s\d\-/:.年月日时分()（）\[\]【】|·]*$"
)

_LABEL_ANYWHERE_RE = re.compile(
    r"(?:来\s*源|作\s*者|记\s*者|责任编辑|责\s*编|编\s*辑|发布时间|发布日期|浏览|阅读|点击|字号)\s*[:：]"
)

# An unlabelled byline: a short name and a full date-time, nothing else ("南方+2023-07-03 21:15", an
# app share page's spans run together); only before the story (after it, a related list's line).
_NAMED_DATE_RE = re.compile(
    r"^[^，。,！？!?；;：:]{0,16}?(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*\d{1,2}[:：]\d{2}"
    r"(?::\d{2})?[^，。,！？!?；;]{0,16}$"
)

_DATE_START_RE = re.compile(
    r"^[\s(（\[【]*(?:(?:发布|发表|编辑|更新|修改)于\s*|(?:posted|published|updated) on\s+)?"
    r"(?:(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}|\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?\s+\d{1,2}:\d{2})",
    re.IGNORECASE,
)

def is_meta_line(text: str) -> bool:
    """A byline, a date line or a label line: not story text when it stands alone."""
    if len(text) > 120:
        return False
    if _BYLINE_RE.match(text) or _DATE_LINE_RE.match(text):
        return True
    if len(text) <= 80 and _DATE_START_RE.match(text) and not _is_sentence(text):
        return True
    return len(_LABEL_ANYWHERE_RE.findall(text)) >= 2


def _is_sentence(text: str) -> bool:
    """A line that says something: it ends as a sentence does, in Chinese words ("2023年7月5日上午，
    市委书记主持召开…会议。" opens many a government story; no byline ends with a full stop)."""
    return text.rstrip().endswith(("。", "！", "？", "”")) and len(_CJK_CHAR_RE.findall(text)) >= 8


_CJK_CHAR_RE = re.compile(r"[\u4e00-\u9fff]")


def is_named_date(text: str) -> bool:
    return len(text) <= 40 and bool(_NAMED_DATE_RE.match(text))


# Who wrote, shot, edited or checked it, as a line of its own at either end of the story:
# "记者 | 刘晓蓓", "文｜李小雨", "融媒体记者 刘涛 通讯员 马丽", "编辑 刘梦婕 校对 刘军".
_ROLE = (
    r"(?:[\u4e00-\u9fff]{0,6}记者|通讯员|实习生|撰稿|撰文|作者|摄影|摄像|编辑|责编|校对|审核|审校|终审|监制|统筹|制图"
    r"|(?:文|图|文字|图片|视频)(?=\s*[|｜/:：丨]))"
)
_NAMES = r"[\u4e00-\u9fff·]{2,4}(?:[\s、,，]+[\u4e00-\u9fff·]{2,4}){0,3}"
# The role may be bracketed itself: "【作者】黄颖" (an app's statement block).
CREDIT_LINE_RE = re.compile(rf"^[\s【\[(（]*(?:{_ROLE}\s*[|｜/:：丨】\]]?\s*{_NAMES}\s*)+[】\]）)]*$")
# The print edition a story ran in: "《 人民日报 》（ 2019年09月07日 02 版）".
PRINT_EDITION_RE = re.compile(
    r"^[\s(（]*《\s*[^》]{2,15}\s*》\s*[(（]?\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日.{0,12}?[)）]?\s*$"
)
# A dated signature closing a notice ("湖北省农业农村厅" / "2022年9月6日") is the document's own.
SIGNATURE_DATE_RE = re.compile(r"^\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
# A photo credit ending a caption line: "…资料图", "…新华社记者 刘续摄", "… Photo: VCG".
#: How a caption under a photo starts ("图为签约现场。", "▲上图：…", "左图：…").
CAPTION_START_RE = re.compile(r"^[\s▲△↑↓]*(?:图为|图[:：]|[上下左右组]图[:：]?|图片[:：]|[(（]图[)）])")
CAPTION_END_RE = re.compile(
    r"(?:资料图片?|图片来源[:：].{0,20}|图源[:：].{0,20}|供图|摄|视觉中国|新华社发|photo\s*[:：/].{0,30}"
    r"|\[photo[^\]]{0,30}\]|vcg|getty images|ic photo)\s*[)）\]]?\s*[.。]?$",
    re.IGNORECASE,
)

# A rights notice wherever it starts ("此内容为第一财经原创，著作权归第一财经所有。未经…书面授权，不得…").
NOTICE_ANY_RE = re.compile(
    r"(?:著作权|版权)(?:归|属于?).{0,20}所有|未经.{0,16}(?:书面)?(?:授权|许可).{0,12}(?:不得|禁止|严禁)|转载请注明"
)


# Lines that are page furniture wherever they stand, in English and Chinese.
JUNK_LINE_RE = re.compile(
    r"^(?:advertisement|advertising|sponsored|story continues below|continue reading|read more|read next"
    r"|related|related articles?|related stories|more stories|recommended|sign up|subscribe|share"
    r"|share this(?: article| story)?|follow us|click here|view comments|comments?|show comments|loading"
    r"|photo|image|video|listen|play|close|menu|ad|back to top|top|print|email|skip to .*"
    r"|打印|关闭|返回顶部|收藏|分享|分享到|扫一扫|扫描二维码.*|点击查看.*|查看更多|更多|相关阅读|相关新闻"
    r"|相关链接|相关文章|延伸阅读|推荐阅读|热点推荐|精彩推荐|猜你喜欢|热门推荐|广告|下载.*客户端.*"
    r"|视频加载中.*|您的浏览器不支持.*(?:视频|video|播放).*|纠错|我要纠错|举报)"
    r"\s*[:：.。!！]?$",
    re.IGNORECASE,
)
RELATED_HEAD_RE = re.compile(
    r"^[\s【\[]*(?:相关新闻|相关阅读|相关链接|相关报道|相关文章|延伸阅读|推荐阅读|热点推荐|相关推荐|更多新闻|精彩推荐"
    r"|猜你喜欢|热门文章|热门推荐|24小时热闻|往期回顾|related (?:news|stories|articles|links|reading|coverage|content)"
    r"|more (?:news|stories|from|on)|recommended(?: for you)?|read more|you may also like|most (?:read|popular)"
    r"|trending)[】\]]*\s*[:：]?",
    re.IGNORECASE,
)
# A notice after the story: the copyright or disclaimer of the site, never the story's own text.
NOTICE_RE = re.compile(
    r"^[\s【\[(（]*(?:声明|免责声明|版权声明|特别声明|郑重声明|版权所有|本文(?:系|为)?转载|转载请注明|本网站?(?:所)?"
    r"(?:刊登|发布|转载)|凡本网注明|未经(?:本网|授权|许可)|本站(?:文章|内容)|原文链接|原文地址|copyright|©"
    # "本文系观察者网独家稿件", "本文来自微信公众号…，36氪经授权发布", "该文观点仅代表作者本人"
    r"|本文(?:系|为|来自|转自|经)[^。]{0,30}(?:稿件|原创|独家|授权|转载|公众号|客户端|发布)"
    r"|(?:该文|本文|文章)(?:观点)?(?:仅|只)?代表作者|平台声明)",
    re.IGNORECASE,
)


# --- 1. the container ----------------------------------------------------------------------------


def _length(text: str | None) -> int:
    return len(text.strip()) if text else 0


class _Scorer:
    """One walk: per element (paragraph text, all text); remembers the best container.

    A chrome element's paragraph text does not count for its ancestors, and an element inside
    chrome scores half: a class word can be wrong ("tag-foo" on a WordPress article, a page
    wrapper named "advertisement-pusher"), so chrome lowers a candidate instead of ruling it out.
    """

    def __init__(self, cjk: bool, exclude: frozenset[Element] = frozenset()) -> None:
        self.exclude = exclude
        self.min_unit = 12 if cjk else 40
        self.best: Element | None = None
        self.best_score = 0.0
        self.good: dict[Element, int] = {}
        self.scores: dict[Element, float] = {}

    def visit(self, el: Element, tag: str, depth: int, chrome: bool, level: int = 0) -> tuple[int, int, int, int, int]:
        """``(good, total, link, own, own_link)``: own = text of this block outside child blocks."""
        own = _length(el.text)
        own_link = own if tag == "a" else 0
        good = total = link = 0
        for child in el:
            ctag = child.tag
            if isinstance(ctag, str) and depth < 200:
                ctag = ctag.lower()
                if ctag in SKIP:
                    pass
                elif ctag in BLOCKS or ctag == "a" or child.get("class") or child.get("id"):
                    clevel = 2 if child in self.exclude else chrome_level(child, ctag)
                    g, t, lk, o, ol = self.visit(child, ctag, depth + 1, chrome or clevel == 2, clevel)
                    if clevel:
                        total += t + o
                        link += lk + ol
                    elif ctag in BLOCKS:
                        good += g
                        total += t + o
                        link += lk + ol
                    else:
                        good += g
                        total += t
                        link += lk
                        own += o
                        own_link += o if tag == "a" else ol
                else:  # plain inline markup: its text is this block's
                    g, t, lk, o, ol = self.visit(child, ctag, depth + 1, chrome)
                    good += g
                    total += t
                    link += lk
                    own += o
                    own_link += o if tag == "a" else ol
            tail = _length(child.tail)
            own += tail
            if tag == "a":
                own_link += tail
        if tag in BLOCKS:
            if tag != "h1":
                plain = own - own_link
                if plain >= self.min_unit and own_link * 2 < own and not (
                    plain < 120 and is_meta_line(_inline_text(el))
                ):
                    good += plain
            self.good[el] = good
            score = good - (total + own - good)
            self.scores[el] = score
            if score > 0:
                if chrome or level:
                    score *= 0.25
                elif class_verdict(el)[1] or el.get("itemprop") == "articleBody":
                    score *= 1.15
                if score > self.best_score:
                    self.best, self.best_score = el, score
        return good, total, link, own, own_link


def _inline_text(el: Element) -> str:
    """The text of a short block, for the byline test (child blocks included: it is short)."""
    return collapse_ws("".join(t for t in el.itertext() if isinstance(t, str)))


def _teasers(el: Element) -> list[Element]:
    """The items of a list of other stories' teasers (each a linked headline and a summary) that
    make most of ``el``'s text: three or more, or none."""
    items = [
        li for li in el.iter("li")
        if any(len(_inline_text(a)) >= 6 for a in li.iter("a"))
    ]
    if len(items) < 3:
        return []
    held = sum(len(_inline_text(li)) for li in items)
    return items if held * 5 >= len(_inline_text(el)) * 3 else []


def find_container(body: Element, cjk: bool) -> tuple[Element | None, dict[Element, int]]:
    """The story's container and every block's paragraph text (to judge chrome inside it)."""
    scorer = _Scorer(cjk)
    scorer.visit(body, "body", 0, False)
    teasers = _teasers(scorer.best) if scorer.best is not None else []
    if teasers:  # a column of other stories' teasers outweighs a short story: score again without them
        scorer = _Scorer(cjk, frozenset(teasers))
        scorer.visit(body, "body", 0, False)
    best = scorer.best
    # One paragraph is no container: a short notice's salutation, signature and date lines score
    # below its one long paragraph, but the block holding them all, when it scores at all and holds
    # more story text, is the story.
    if best is not None and best.tag == "p":
        parent = best.getparent()
        if parent is not None and scorer.scores.get(parent, 0) > 0 and scorer.good.get(parent, 0) > scorer.good[best]:
            best = parent
    return best, scorer.good
