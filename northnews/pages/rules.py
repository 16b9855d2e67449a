"""The rule book of page understanding: every tag set, class/id word list, line pattern and
threshold the extractor uses, defined once and named for what it recognises.

The body engine (:mod:`._walk`, :mod:`._paragraphs`, :mod:`._container`), the byline and title
readers and the layouts all read their vocabulary from here, so a rule fixed once is fixed for a
known layout and for the generic path alike. Each rule has a table of what it must and must not
match in ``tests/test_rules.py`` (a test fails when a rule here has no table).

Nothing in this module is true of one portal only: a portal's own class names and breadcrumbs
are its profile's (``[text] chrome_classes``, a layout's ``crumb``).
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import TYPE_CHECKING

from northnews.normalize import AUTHOR_LABEL, DATE_LABEL, EDITOR_LABEL, SOURCE_LABEL
from northnews.normalize import rules as _printed

if TYPE_CHECKING:  # pragma: no cover
    from lxml.etree import _Element

# ================================================================================================
# Tags
# ================================================================================================

#: Elements whose content is never read as text (scripts, styles, embedded objects, form controls).
SKIP_TAGS = frozenset(
    {"script", "style", "noscript", "iframe", "object", "embed", "template", "svg", "canvas",
     "button", "select", "textarea", "input", "head", "title", "meta", "link", "audio", "video",
     "map", "frame", "frameset", "math", "source", "dialog"}
)
#: Elements that end a line of text (a block starts and ends at them).
BLOCK_TAGS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd", "table",
     "tbody", "thead", "tfoot", "tr", "td", "th", "blockquote", "section", "article", "header",
     "footer", "aside", "figure", "figcaption", "center", "pre", "address", "hr", "nav", "main",
     "form", "fieldset", "caption", "details", "summary", "body", "html"}
)
#: Elements whose text a byline reads apart (a value ends where its ``<span>`` ends).
SEGMENT_TAGS = frozenset(
    {"p", "div", "li", "td", "dd", "dt", "span", "em", "i", "b", "strong", "font", "label", "time",
     "small", "cite", "h1", "h2", "h3", "h4", "h5", "h6", "br"}
)
#: Headings a headline is looked for in (the generic path).
HEADLINE_TAGS = ("h1", "h2", "h3")
#: Headings inside a story: sub-heads, kept as paragraphs but never trimmed as junk.
SUBHEADING_TAGS = frozenset({"h2", "h3", "h4", "h5", "h6"})
#: Elements that are a caption by their tag.
CAPTION_TAGS = frozenset({"figcaption", "caption"})
#: Elements whose text is a picture's caption when they hold the picture too ("text in the same <p>").
CAPTION_OWNER_TAGS = frozenset({"p", "figure", "center", "dd", "li", "td"})
#: Entries of a list (a list of links inside a story is more chrome than article).
LIST_ITEM_TAGS = frozenset({"li", "dt", "dd"})
#: Chrome by tag or ARIA role: always (strong), or possibly a wrapper of the story too (weak).
CHROME_TAGS = frozenset({"nav", "footer", "menu"})
CHROME_ROLES = frozenset({"navigation", "contentinfo"})
WEAK_CHROME_TAGS = frozenset({"aside", "form", "header"})
WEAK_CHROME_ROLES = frozenset({"complementary", "banner"})
#: Image attributes holding a lazy-loaded picture's real address, best first (``src`` is then a
#: placeholder such as ``loading.gif`` or a 1x1 pixel).
LAZY_SRC_ATTRS = ("data-src", "data-original", "data-original-src", "data-lazy-src", "data-lazy", "data-url",
                  "data-echo", "data-actualsrc", "original", "file")
#: Image attributes holding a list of candidates (``a.jpg 1x, b.jpg 2x``): the first is taken.
SRCSET_ATTRS = ("data-srcset", "srcset")
#: A ``src`` that is only a placeholder while the real picture loads.
PLACEHOLDER_SRC_RE = re.compile(
    r"^data:|(?:^|[/_-])(?:loading|lazy|lazyload|placeholder|blank|spacer|grey|gray|pixel|transparent|default|1x1)"
    r"(?:[-_][\w-]*|\d*)\.(?:gif|png|jpe?g|svg|webp)(?:$|\?)",
    re.IGNORECASE,
)

# ================================================================================================
# Class and id words
# ================================================================================================

#: Splits a class or id into words: ``-``, ``_``, ``:``, ``.``, spaces and camelCase.
CLASS_WORD_SPLIT_RE = re.compile(r"[\s_\-:.]+|(?<=[a-z])(?=[A-Z])")
#: Words that name page chrome.
CHROME_WORDS = frozenset((
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
    "gg", "guanggao", "copyright", "banquan", "rodape", "shengming", "mianze", "bianji", "zrbj", "editor",
))
#: Beginnings of class words that name chrome whatever follows (``cookiebanner``, ``consentmanager``).
CHROME_PREFIXES = ("cookie", "consent", "gdpr")
#: Chrome words that also name wrappers of the whole page ("content-with-sidebar"): such an
#: element is left out itself, but what it holds still competes.
WEAK_CHROME_WORDS = frozenset((
    "sidebar", "sidebars", "rail", "banner", "masthead", "author", "authors", "bio", "meta", "tag", "tags",
))
#: Chrome words that name advertising: an element so named that holds this much prose is the story
#: under a misread class ("cuerpo-ad": Spanish for "body"), never an advertisement.
AD_WORDS = frozenset(("ad", "ads", "adv", "advert", "advertisement", "advertising", "advertorial", "sponsor",
                      "sponsored", "dfp", "gpt", "gg", "guanggao"))
AD_MAX_PROSE_CHARS = 1000
#: Words that, on the same class, keep an element in play: "content-sidebar-wrap" wraps the story.
KEEP_WORDS = frozenset((
    "wrap", "wrapper", "container", "inner", "outer", "layout", "row", "col", "grid", "page", "site", "main",
    "content", "body", "article", "post", "entry", "story", "text",
))
#: Words that name chrome only at either end of a class ("post-tags", "ad-slot"), not inside one.
EDGE_WORDS = frozenset((
    "ad", "ads", "adv", "advert", "advertisement", "tag", "tags", "author", "authors", "meta", "bio", "credit",
    "credits", "foot",
))
#: WordPress post classes ``tag-<slug>``, ``author-<slug>``: a post's, not chrome.
SLUG_PREFIX_WORDS = frozenset(("tag", "author"))
#: …unless what follows names a box rather than a slug: ``author-bio``, ``author-box``,
#: ``author-info`` (the writer's biography under the story), ``tag-list``. (Chrome words count too.)
SLUG_BOX_WORDS = frozenset(("box", "info", "description", "details", "profile", "card", "about", "list", "cloud"))
#: Whole class/id tokens that name chrome inside a story's body (a known layout's body, and the
#: byline's widgets): share bars, related lists, pagers, comments, ads, footers, print tools.
BODY_CHROME_CLASS_RE = re.compile(
    r"^(?:.*share.*|bds?_.*|bdshare.*|jiathis.*|fenxiang.*|.*relate[ds]?.*|xg(?:xw|wz|lj|yd|tj)"
    r"|pages?|pager|paging|pagination|page-?nav|page-?list|fenye|epages|comment.*|pinglun.*"
    r"|ad|ads|advert.*|gg|guanggao|footer|copyright|breadcrumb.*|crumbs?|position"
    r"|print|dayin|tools?|toolbar)$",
    re.IGNORECASE,
)
#: Classes and ids that name the story itself.
BODY_CLASS_RE = re.compile(
    r"article[-_]?(?:body|content|text|main|detail)|(?:entry|post|story|news|text|main|detail|art)[-_]?"
    r"(?:body|content|text)|articlebody|body[-_]?text|trs_editor|artibody|zhengwen|content[-_]?(?:body|main|text)"
    r"|^(?:content|article|text|story|detail|main_?text|con_?text|txt|wz|zw)$",
    re.IGNORECASE,
)
#: Classes that name a picture's caption (``pic-txt``, ``tuzhu``, ``figcaption``, ``credit``).
CAPTION_CLASS_RE = re.compile(
    r"caption|credit|(?:pic|img|image|photo|tu)[_-]?(?:txt|text|title|desc|note|info|intro|zhu|shuo)"
    r"|tuzhu|tushuo|picnote|imgnote",
    re.IGNORECASE,
)
#: Last words of a class naming a summary box before the story (yicai's .intro, "article-summary").
SUMMARY_WORDS = frozenset(("summary", "abstract", "intro", "digest", "lead", "lede", "zhaiyao", "daodu",
                           "subhead", "standfirst"))
#: Splits a class into the words :data:`SUMMARY_WORDS` are looked for in.
SUMMARY_WORD_SPLIT_RE = re.compile(r"[-_]+")
#: A summary class names the box in one or two words ("article-summary"); Drupal's
#: "field-type-text-with-summary" is the body.
SUMMARY_CLASS_MAX_WORDS = 2
#: Classes of widgets inside a byline (share links, font-size switches, QR codes).
BYLINE_WIDGET_CLASS_RE = re.compile(
    r"share|fenxiang|bdshare|jiathis|font|zihao|print|tool|comment|pinglun|collect|shoucang|qrcode|weixin"
    r"|wechat|weibo|interact|hudong",
    re.IGNORECASE,
)
#: How templates name the headline's element: "title", "headline", pinyin "biaoti", "bt", "tit".
TITLE_CLASS_RE = re.compile(r"title|headline|biaoti|(?:^|[\s_-])(?:bt|tit)(?:$|[\s_-])", re.IGNORECASE)
#: Classes/ids of elements that hold a time (an epoch value a script prints).
TIME_CLASS_RE = re.compile(r"time|date|pub|publish", re.IGNORECASE)
#: Breadcrumb container classes, in the order they are tried.
BREADCRUMB_CLASSES = (
    "crumb", "crumbs", "breadcrumb", "breadcrumbs", "position", "location", "weizhi", "dqwz", "nav-path",
    "bread", "path", "site-path", "curpos",
)
#: Breadcrumbs named by markup rather than class.
BREADCRUMB_SELECTORS = ("nav[aria-label=breadcrumb]", "[itemtype=https://schema.org/breadcrumblist]")
#: An inline style that hides an element.
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
#: An inline style that centres a line (how editors set a caption apart).
CENTER_STYLE_RE = re.compile(r"text-align\s*:\s*center", re.IGNORECASE)

# ================================================================================================
# Lines: bylines, credits, notices, captions, pagers, related news
# ================================================================================================

#: An editor line of its own: ``责任编辑：王喆``, ``（编辑：X）``, ``[Editor: X]``.
EDITOR_LINE_RE = re.compile(
    rf"^[\s(（\[【]*(?:{EDITOR_LABEL})\s*[:：]\s*(?P<v>[^)）\]】]*?)\s*[)）\]】]*\s*$", re.IGNORECASE
)
#: A paragraph ending in a bracketed editor: ``…完。（责任编辑：王喆）``.
EDITOR_TAIL_RE = re.compile(
    r"^(?P<body>.*?)\s*[(（\[【]\s*(?:责任编辑|责\s*编|编\s*辑|editor)\s*[:：]\s*(?P<v>[^)）\]】]+)[)）\]】]\s*$",
    re.IGNORECASE,
)
#: The characters :data:`EDITOR_TAIL_RE` ends with: a line ending otherwise is not tried (the lazy
#: pattern costs a scan of every paragraph).
EDITOR_TAIL_ENDS = (")", "）", "]", "】")
#: Where an editor label starts inside a longer line (``【我要纠错】 责任编辑：X``).
EDITOR_AT_RE = re.compile(r"(?:责任编辑|责\s*编|编\s*辑)\s*[:：]")
#: A share bar's label: ``分享到：``, ``Share this``.
SHARE_LINE_RE = re.compile(r"^(?:分享到|分享)\s*[:：]|^share (?:to|this)\b|^share\s*:", re.IGNORECASE)
#: A pager: page numbers and next/previous words, nothing else.
PAGER_LINE_RE = re.compile(
    r"^(?:\s|上一页|下一页|上页|下页|首页|尾页|末页|前一页|后一页|第\s*\d+\s*页|共\s*\d+\s*页|\[?\d{1,3}\]?"
    r"|next(?: page)?|prev(?:ious)?(?: page)?|first|last|page|of|[«»<>‹›|:：….,，]|\.{3})+$",
    re.IGNORECASE,
)
#: A word only a pager prints (a row of bare numbers is a pager only when it is links).
PAGER_WORD_RE = re.compile(r"上一页|下一页|上页|下页|尾页|末页|前一页|后一页|第\s*\d+\s*页|共\s*\d+\s*页|next|prev",
                           re.IGNORECASE)
#: A pager is short.
PAGER_MAX_CHARS = 80
#: The head of a related-news list (``相关新闻：``, ``Related stories``); its entries follow.
RELATED_HEAD_RE = re.compile(
    r"^[\s【\[]*(?:相关新闻|相关阅读|相关链接|相关报道|相关文章|延伸阅读|推荐阅读|热点推荐|相关推荐|更多新闻|精彩推荐"
    r"|猜你喜欢|热门文章|热门推荐|24小时热闻|往期回顾|related (?:news|stories|articles|links|reading|coverage|content)"
    r"|more (?:news|stories|from|on)|recommended(?: for you)?|read more|you (?:may|might) also like|most (?:read|popular)"
    r"|trending|also read|read also|more to explore|you may also be interested in"
    # the same head in the other languages of Europe's news sites
    r"|weiterlesen|lesen sie (?:auch|mehr)|mehr zum thema|auch interessant|das könnte sie (?:auch )?interessieren"
    r"|sie könnten auch an folgenden artikeln interessiert sein|(?:notas|noticias|notícias) relacionadas"
    r"|te puede interesar|le(?:e|a) también|leia também|veja também|(?:à|a) lire aussi|lire aussi|sur le même sujet"
    r"|leggi anche)[】\]]*\s*[:：]?",
    re.IGNORECASE,
)
#: After a related head, a line is one of its entries when this share of it is links…
RELATED_ENTRY_LINK_RATIO = 0.3
#: … or it is shorter than this.
RELATED_ENTRY_MAX_CHARS = 60
#: A row of bracketed widgets: ``【大 中 小】【打印】【关闭】``.
WIDGET_LINE_RE = re.compile(r"^(?:\s*[【\[][^】\]]{1,10}[】\]]\s*)+$")
#: Page tools and footers: ``返回顶部``, ``打印本页``, ``Copyright © 2004-2012``, ``蒙ICP备…``.
CHROME_LINE_RE = re.compile(
    r"^(?:返回顶部|返回首页|打印本页|打印|关闭窗口|关闭|收藏本页|我要纠错|字号[:：].*|【?字体[:：].*"
    r"|back to top|print|close)$"
    r"|^(?:copyright\s*(?:©|\(c\)|&copy;|\d{4})|版权所有\s*[:：©]|©\s*\d{4})|all rights reserved|ICP备",
    re.IGNORECASE,
)
#: Lines that are page furniture wherever they stand, in English and Chinese.
JUNK_LINE_RE = re.compile(
    r"^(?:advertisement|advertising|sponsored|story continues below|continue reading|read more|read next"
    r"|related|related articles?|related stories|more stories|recommended|sign up|subscribe|share"
    r"|share this(?: article| story)?|follow us|click here|view comments|comments?|show comments|loading"
    r"|photo|image|video|listen|play|close|menu|ad|back to top|top|print|email|skip to .*"
    r"|打印|关闭|返回顶部|收藏|分享|分享到|扫一扫|扫描二维码.*|点击查看.*|查看更多|更多|相关阅读|相关新闻"
    r"|相关链接|相关文章|延伸阅读|推荐阅读|热点推荐|精彩推荐|猜你喜欢|热门推荐|广告|下载.*客户端.*"
    r"|视频加载中.*|您的浏览器不支持.*(?:视频|video|播放).*|纠错|我要纠错|举报"
    # a blog's like and share widgets, an ad slot's label, a teaser box's head
    r"|like this|like loading\.*|sharing is caring|advert|trending news|trending now|don'?t miss"
    # the reading time ("Tempo de leitura: 2 minutos", "4 min read", "Lesezeit: 3 Min.")
    r"|(?:reading time|lesezeit|tempo de leitura|tiempo de lectura|temps de lecture)\s*[:：]?\s*\d{1,3}\s*[^\W\d_]{0,8}"
    r"|\d{1,3}\s*min(?:ute)?s?\.?\s+read)"
    r"\s*[:：.。!！]?$",
    re.IGNORECASE,
)
#: A post's filing line (blog engines print it by the story): ``Posted in: Fantasy |``,
#: ``Categories: …``, ``Filed under …``, ``This entry was posted on … and is filed under …``.
FILED_UNDER_RE = re.compile(
    r"^\s*(?:(?:posted|filed)\s+(?:in|under)\s*[:：]|categor(?:y|ies)\s*[:：]|filed\s+under\b"
    r"|this\s+(?:entry|post)\s+was\s+posted\b.{0,80}\bfiled\s+under\b)",
    re.IGNORECASE,
)
#: A filing line is no longer than this (a sentence that starts so is story).
FILED_UNDER_MAX_CHARS = 400
#: A photo credit ending a line: ``(Xinhua/Zhou Hua)``, ``（新华社记者 X 摄）``.
PHOTO_CREDIT_END_RE = re.compile(
    r"[(（]\s*[^()（）]{0,40}(?:/|／|摄|供图|图片来源|photo|图)[^()（）]{0,40}[)）]\s*[.。]?\s*$", re.IGNORECASE
)
#: How a caption under a photo starts (``图为签约现场。``, ``▲上图：…``, ``左图：…``).
CAPTION_START_RE = re.compile(r"^[\s▲△↑↓]*(?:图为|图[:：]|[上下左右组]图[:：]?|图片[:：]|[(（]图[)）])")
#: How a caption ends: a picture credit (``…资料图``, ``…新华社记者 刘续摄``, ``Photo: VCG``).
CAPTION_END_RE = re.compile(
    r"(?:资料图片?|图片来源[:：].{0,20}|图源[:：].{0,20}|供图|摄|视觉中国|新华社发|photo\s*[:：/].{0,30}"
    r"|\[photo[^\]]{0,30}\]|vcg|getty images|ic photo)\s*[)）\]]?\s*[.。]?$",
    re.IGNORECASE,
)
#: A caption is shorter than this; one known by its start only, than the second; a centred line
#: under a photo (UEditor's caption), than the third.
CAPTION_MAX_CHARS, CAPTION_START_MAX_CHARS, CENTERED_CAPTION_MAX_CHARS = 300, 200, 60
#: Centring sets a caption apart only where the story is not centred itself: when at least this
#: share of a found container's text is centred (a photo blog, a portal that centres every line),
#: a short centred line under a picture is the story's next line, not its caption.
CENTERED_STORY_SHARE = 0.5
#: A slide counter (``1/4``, ``1 of 6``, ``Image 2 of 5``) under a gallery's photo.
SLIDE_COUNTER_RE = re.compile(
    r"^(?:(?:image|photo|picture|slide|foto|bild)\s+)?\d{1,3}\s*(?:/|of|von|de|di|sur)\s*\d{1,3}$", re.IGNORECASE
)

#: A labelled byline line: ``来源：``, ``作者：``, ``发布时间：``, ``浏览次数：``…
BYLINE_LINE_RE = re.compile(
    r"^[\s(（\[【]*(?:(?:本文|文章|信息|新闻)?来\s*源|稿\s*源|作\s*者|记\s*者|通讯员|责任编辑|责\s*编|编\s*辑|审\s*核|校\s*对|监\s*制|"
    r"发布时间|发布日期|时\s*间|日\s*期|浏览(?:次数)?|阅读(?:量|数)?|点击(?:数|量)?|字号|字体|摄\s*影|图\s*片|"
    r"供\s*稿|出\s*处)\s*[:：]",
)
#: A line that is only a date or a time.
DATE_LINE_RE = re.compile(
    r"^[\s\d\-/:.年月日时分()（）\[\]【】|·]*(?:\d{1,2}:\d{2}|\d{4}[-/.年]\d{1,2})[\s\d\-/:.年月日时分()（）\[\]【】|·]*$"
)
#: Labels a line of several labelled values carries (two make a byline).
LABEL_ANYWHERE_RE = re.compile(
    r"(?:来\s*源|作\s*者|记\s*者|责任编辑|责\s*编|编\s*辑|发布时间|发布日期|浏览|阅读|点击|字号)\s*[:：]"
)
#: An unlabelled byline: a short name and a full date-time (``南方+2023-07-03 21:15``).
NAMED_DATE_RE = re.compile(
    r"^[^，。,！？!?；;：:]{0,16}?(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?\s*\d{1,2}[:：]\d{2}"
    r"(?::\d{2})?[^，。,！？!?；;]{0,16}$"
)
#: A line that starts with a date (``2023-07-05 来源：…``, ``发布于 2022-09-07``, ``Posted on 2022-…``).
DATE_START_RE = re.compile(
    r"^[\s(（\[【]*(?:(?:发布|发表|编辑|更新|修改)于\s*|(?:posted|published|updated) on\s+)?"
    r"(?:(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}|\d{1,2}\s*[-/月]\s*\d{1,2}\s*日?\s+\d{1,2}:\d{2})"
    # an English dateline: "Published Monday, November 18, 2019 8:22AM", "Updated: 5 March 2020"
    r"|^\s*(?:posted|published|updated|last updated)(?:\s+on)?\s*:?\s+(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
    r"(?:\d{1,2}(?:st|nd|rd|th)?\s+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,4}"
    # a day, a month's name and a year opening the line: "30 avril 2015 à 07:19", "5. März 2020, 10:12"
    r"|^\s*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?\d{1,2}\.?\s+"
    r"(?:jan|feb|fév|mar|mär|apr|avr|mai|may|jun|juin|jul|juil|aug|aoû|sep|okt|oct|nov|dez|dec|déc)"
    r"[a-zéûä]*\.?\s+(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
#: What every byline, date or label line holds (a digit or a colon): a line without is none.
META_HINT_RE = re.compile(r"[\d:：]")
#: Meta lines are short: longer than the first, never one; one starting with a date, up to the
#: second; an unlabelled name-and-date, up to the third.
META_LINE_MAX_CHARS, DATE_START_MAX_CHARS, NAMED_DATE_MAX_CHARS = 120, 80, 40

# Who wrote, shot, edited or checked it, as a line of its own at either end of the story.
_ROLE = (
    r"(?:[\u4e00-\u9fff]{0,6}记者|通讯员|实习生|撰稿|撰文|作者|摄影|摄像|编辑|责编|校对|审核|审校|终审|监制|统筹|制图"
    r"|(?:文|图|文字|图片|视频)(?=\s*[|｜/:：丨]))"
)
_NAMES = r"[\u4e00-\u9fff·]{2,4}(?:[\s、,，]+[\u4e00-\u9fff·]{2,4}){0,3}"
#: A credit line: ``记者 | 刘晓蓓``, ``文｜李小雨``, ``融媒体记者 刘涛 通讯员 马丽``, ``【作者】黄颖``,
#: ``记者林悦／台南报导`` (:data:`REPORTED_FROM_RE`), ``出品︱网易科学人栏目组`` (a desk, not names).
CREDIT_LINE_RE = re.compile(
    rf"^[\s【\[(（〔]*(?:{_ROLE}\s*[|｜︱/:：丨】\]]?\s*{_NAMES}\s*)+(?:[/／]\s*[\u4e00-\u9fff]{{1,8}}报[导道])?[】\]）)〕]*$"
    # who produced it, a desk rather than names: "出品︱网易科学人栏目组 胖胖", "策划：人民日报新媒体"
    r"|^[\s【\[(（]*(?:联合)?(?:出品|策划|制作)\s*[|｜︱/:：丨】\]]\s*[^\s。，,.!?！？]{2,24}(?:\s+[^\s。，,.!?！？]{2,12}){0,3}\s*$"
)
#: The role words a Chinese newspaper prints before its reporters' names, unlabelled: ``本报记者``,
#: ``本报通讯员``, ``记者``, ``首席记者``, ``融媒体记者``, ``实习生``.
_REPORTER_ROLE = r"[\u4e00-\u9fff]{0,6}?(?:记者|通讯员|实习生)"
#: A line that is only reporters: ``本报记者 赵喆``, ``本报记者 赵喆 通讯员 马丽``, ``记者 王小明 李华``;
#: its names are the author, on any page (:func:`northnews.pages._byline.reporters`).
REPORTER_LINE_RE = re.compile(
    rf"^[\s(（\[【]*(?:{_REPORTER_ROLE}\s*[:：]?\s*{_NAMES}\s*)+[)）\]】]*$"
)
#: One role word of a reporter line, glued to a name or standing alone (``本报记者赵喆`` → ``赵喆``).
REPORTER_ROLE_RE = re.compile(rf"^{_REPORTER_ROLE}\s*[:：]?")
#: Between the names of a reporter line: spaces, list commas, the brackets around it.
NAME_SPLIT_RE = re.compile(r"[\s、,，()（）\[\]【】]+")
#: A reporter line is short.
REPORTER_LINE_MAX_CHARS = 40
#: The box a newspaper's 副刊 prints before an author's name (``□王芳``).
AUTHOR_BOX_RE = re.compile(r"^\s*[□■◇◆○●]+\s*")
#: The leading role words of an author line printed without a label (``本报记者 赵喆`` → ``赵喆``).
AUTHOR_ROLE_RE = re.compile(
    r"^[\s(（\[【]*(?:(?:作\s*者|author|by)\s*[:：]?|(?:本报|本刊|本台|本网|新华社|特约)?(?:首席)?(?:记者|通讯员|实习生)"
    r"|(?:文|图|文字)\s*[/／|｜丨:：])\s*",
    re.IGNORECASE,
)
#: The print edition a story ran in: ``《 人民日报 》（ 2019年09月07日 02 版）``.
PRINT_EDITION_RE = re.compile(
    r"^[\s(（]*《\s*[^》]{2,15}\s*》\s*[(（]?\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日.{0,12}?[)）]?\s*$"
)
#: A dated signature closing a notice (``2022年9月6日`` under ``湖北省农业农村厅``).
SIGNATURE_DATE_RE = re.compile(r"^\s*(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*$")
#: The signer above a signature date is short and no sentence.
SIGNER_MAX_CHARS = 30
#: The label before the tags a page prints as text (a layout's ``tags`` part): ``标签：``, ``Tags:``.
TAGS_LABEL_RE = re.compile(r"^\s*(?:标\s*签|关键词|关键字|tags?)\s*[:：]\s*", re.IGNORECASE)
#: A rights notice wherever it starts (``…著作权归第一财经所有。未经…书面授权，不得…``).
NOTICE_ANY_RE = re.compile(
    r"(?:著作权|版权)(?:归|属于?).{0,20}所有|未经.{0,16}(?:书面)?(?:授权|许可).{0,12}(?:不得|禁止|严禁)|转载请注明"
    # a portal's disclaimer: "…出于传递更多信息之目的，并不意味着赞同其观点", "不代表本网观点"
    r"|传递更多信息之?目的|不(?:代表|意味着)(?:本[网站台刊]|赞同其)"
    # a rights line: "版权所有，禁止转载", "…禁止任何媒体…引用、改写、转贴分享，违者必究"
    r"|版权所有\s*[，,、]?\s*(?:禁止|不得|严禁|翻印必究|违者必究)|(?:禁止|不得|严禁)[^。]{0,30}(?:转载|转贴|改写)"
)
#: A site notice after the story: copyright, disclaimer, "reprinted from"; the footer starts there.
NOTICE_RE = re.compile(
    r"^[\s【\[(（]*(?:声明|免责声明|版权声明|特别声明|郑重声明|版权所有|本文(?:系|为)?转载|转载请注明|本网站?(?:所)?"
    r"(?:刊登|发布|转载)|凡本网注明|未经(?:本网|授权|许可)|本站(?:文章|内容)|原文链接|原文地址|copyright|©"
    r"|本文(?:系|为|来自|转自|经)[^。]{0,30}(?:稿件|原创|独家|授权|转载|公众号|客户端|发布)"
    r"|(?:该文|本文|文章)(?:观点)?(?:仅|只)?代表作者|平台声明"
    # the help lines a suicide story must close with (Taiwan's reporting rules, WHO's guidance):
    # "★…关心您：再给自己一次机会", "自杀防治咨询安心专线：0800-788995", "生命线：1995"
    r"|[★●▲■◆※]?\s*[^。]{0,16}(?:关心您|提醒您)[^。]{0,4}(?:再给自己|请给自己|珍惜生命)|(?:再给自己|请给自己)[^。]{0,4}机会"
    r"|(?:自杀|心理|安心|防治|生命|张老师)[^。]{0,8}(?:专线|热线|线)\s*[:：])",
    re.IGNORECASE,
)
#: A notice found anywhere in a line is trimmed at the end only when the line is shorter than this.
NOTICE_LINE_MAX_CHARS = 200
#: A dateline alone on its line, as English (and Korean) pages print it by the story: a month's name,
#: the day, the year and maybe a time (``Nov. 20, 2019 5:52 AM EST``, ``Wednesday, October 24, 2012 at
#: 9:15AM``, ``November 20, 2019 - 11:28 AMT``), a labelled time (``Updated at 1:23 p.m.``,
#: ``PUBLISHED: 10:48, Tue, Nov 19, 2019 | UPDATED: …``, ``기사입력 :[ 2018-08-25 15:24 ]``), an age
#: (``1 day ago``). Nothing but the date may follow (a sentence that opens with a date is story).
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_CLOCK = r"\d{1,2}[:.]\d{2}(?::\d{2})?\s*(?:[ap]\.?\s?m\.?)?(?:\s*[A-Z]{2,4})?"
DATELINE_RE = re.compile(
    r"^\s*(?:(?:mon|tue|tues|wed|wednes|thu|thurs|fri|sat|satur|sun)(?:day)?,?\s+)?" + _MONTH
    + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}(?:\s*(?:[-–|,·]|at)?\s*" + _CLOCK + r")?\s*$"
    r"|^\s*(?:published|posted|updated|last updated|기사입력|입력|수정)\s*(?:at|on)?\s*:?\s*[\[(]?\s*(?:\d|"
    + _MONTH[:-4] + r")[^a-z]*(?:(?:[ap]\.?m\.?|[a-z]{3,9}\.?)[^a-z]*){0,6}$"
    r"|^\s*(?:\d{1,2}|an?|one)\s+(?:minute|hour|day|week|month)s?\s+ago\s*$",
    re.IGNORECASE,
)
#: A follow or subscribe prompt closing a story, however long (``Follow @BGRDeals on Twitter to keep
#: up with…``, ``Email Tariq Malik at … or follow him @tariqjmalik``, ``…tenemos canal de Telegram?
#: Únete…``): trailing junk in a found container (a short one is :data:`PROMPT_RE`'s).
FOLLOW_PROMPT_RE = re.compile(
    r"\bfollow\s+(?!up\b)[^.!?]{0,60}?(?:\bon\s+(?:twitter|facebook|instagram|telegram|linkedin|x)\b|@\w)"
    r"|\bfollow\s+(?:us|him|her|them)\b|\bsubscribe\s+to\s+(?:our|the)\b.{0,40}?\bnewsletter"
    r"|\b(?:join|únete|unete)\b.{0,40}?\b(?:telegram|whatsapp)\b|\bcanal de (?:telegram|whatsapp)\b",
    re.IGNORECASE,
)
FOLLOW_PROMPT_MAX_CHARS = 300
#: A reader comment's signature line: who and when (``Posted by: Amy | Apr 6, 2007 1:21 PM``,
#: ``written by lynn, October 25, 2012``). Blog engines print one per comment.
COMMENT_SIGNATURE_RE = re.compile(
    r"^\s*(?:posted|written|submitted|commented)\s+by\s*:?\s*\S.{0,60}?(?:\||,|\bon\b)\s*[^|]{0,40}?\b(?:19|20)\d\d\b"
    r".{0,40}$",
    re.IGNORECASE,
)
#: This many signature lines in a found container are a comment thread: the story ends before the
#: first (a story's own "Posted by … on …" line is its last line, its comments follow).
COMMENT_THREAD_MIN_SIGNATURES = 3
#: ``（原标题：…）``
ORIGINAL_TITLE_RE = re.compile(r"^[\s(（\[【]*原\s*标\s*题\s*[:：].{0,80}[)）\]】]?\s*$")
#: The head of a summary box before the story: ``摘要：``, ``核心提示``, ``编者按``.
SUMMARY_HEAD_RE = re.compile(
    r"^[\s【\[]*(?:摘\s*要|导\s*读|导\s*语|核心提示|核心阅读|阅读提示|内容提要|内容摘要|提\s*要|编者按)[】\]]*\s*[:：]?"
)
#: An event's time or date line inside a notice (``时间：7月10日上午9:00``): the story's.
EVENT_LINE_RE = re.compile(r"^[\s(（\[【]*(?:活动|会议|举办|报名)?(?:时\s*间|日\s*期)\s*[:：]")
#: A line wholly in brackets: a credit ``（文/宣传部 图/记者团）``, ``(完)``, ``[责任编辑：X]``.
BRACKETED_LINE_RE = re.compile(r"^[(（\[【][^()（）\[\]【】]{0,60}[)）\]】]$")
#: ... except an author's affiliation closing an opinion piece, or a document's publicity note.
AFFILIATION_RE = re.compile(r"^[(（]\s*(?:(?:本文)?作者(?:系|为|是|单位)|此件(?:公开发布|主动公开))")
#: Self-media sign-offs: follow prompts, QR codes, ``-END-``, app download prompts.
PROMPT_RE = re.compile(
    r"二维码|扫一扫|关注(?:我们|公众号|本号)|点击(?:上方|下方|蓝字)|阅读原文|返回.{0,6}查看更多|扫码|长按识别"
    r"|点个?在看|点赞.{0,4}在看|^-+\s*(?:the\s+)?(?:end|完)\s*-+$|^(?:the\s+)?(?:end|完)$"
    r"|^(?:打开|下载).{0,8}(?:客户端|app|新闻)|查看精彩图片|请?点击(?:这里|此处)|广告合作"
    r"|欢迎下载.{0,12}(?:app|客户端)|加入.{0,12}粉丝(?:团|专页)"
    r"|^[^，。,.！？!?]{0,24}(?:app|客户端)$|尽在.{2,12}(?:app|客户端)"
    # the same at a story's end in Europe's languages: a photo credit line, follow and subscribe prompts
    r"|^(?:crédits? photos?|photo credits?|bildnachweis|bildquelle|fotos?|photos?)\s*:"
    r"|stay up[- ]to[- ]date|^(?:follow|like) us\b|^subscribe (?:to|now)\b",
    re.IGNORECASE,
)
#: Trailing short lines (brackets, prompts, credits) are junk below this length.
TRAILING_SHORT_CHARS = 60
#: Leading credit and prompt lines are junk below this length.
LEADING_SHORT_CHARS = 40

# --- byline labels --------------------------------------------------------------------------------

ANY_LABEL = rf"(?:{SOURCE_LABEL}|{AUTHOR_LABEL}|{EDITOR_LABEL}|{DATE_LABEL})"
#: A labelled byline value's label (source, author, editor).
VALUE_LABEL_RE = re.compile(
    rf"(?<![A-Za-z])(?P<label>{SOURCE_LABEL}|{AUTHOR_LABEL}|{EDITOR_LABEL})\s*[:：]\s*", re.IGNORECASE
)
#: Marks element boundaries in a byline's text, so that a value ends where its ``<span>`` ends.
SEGMENT_SEP = "\x1f"
#: Where a labelled value ends: an element boundary, any other "label：" (known or not: 点击：,
#: 字号：; a Chinese word before a colon starts the next value even when a date follows at once;
#: an unknown Latin word must not be a time), a bracketed widget (【字号：大 中 小】) or a wide gap.
VALUE_END_RE = re.compile(
    rf"{SEGMENT_SEP}|(?<![A-Za-z])(?:(?:{ANY_LABEL}|[\u4e00-\u9fff]{{2,5}})\s*[:：]|[A-Za-z]{{3,12}}\s*[:：](?!\d))"
    r"|[【\[|｜]|\s{2,}|\u3000",
    re.IGNORECASE,
)
#: A known label followed by its colon, anywhere.
KNOWN_LABEL_RE = re.compile(rf"(?<![A-Za-z])(?:{SOURCE_LABEL}|{AUTHOR_LABEL}|{EDITOR_LABEL})\s*[:：]", re.IGNORECASE)
#: A word that makes a short dated line a byline (``来源``, ``发布``, ``by``, ``from``).
META_LABEL_RE = re.compile(r"来\s*源|作\s*者|编\s*辑|发布|source|by\b|from\b", re.IGNORECASE)
#: A printed weekday between a date and its time (``2022年09月07日 星期三 10:02``).
WEEKDAY_RE = re.compile(r"\s*(?:星期|周|礼拜)[一二三四五六日天]\s*|\s*[(（](?:星期|周)?[一二三四五六日天][)）]\s*")
#: The label of a revision's time (``更新时间：``, ``修改日期：``, ``最后更新：``, ``最新更新：``, in both
#: scripts, as every rule here): the publication's wins over it.
REVISED_LABEL_RE = re.compile(
    r"(?:(?:最[后新])?\s*(?:更新|修改|修订)\s*(?:时间|日期|于)?|最后编辑"
    r"|(?:last\s+)?(?:updated|modified|revised)(?:\s+on)?)\s*[:：]?\s*$",
    re.IGNORECASE,
)
#: A person's name ends at a bar or the next label: ``王存 | 版面编辑：邱祺璞``.
PERSON_END_RE = re.compile(r"\s*[|｜丨]|\s+[\u4e00-\u9fff]{2,5}\s*[:：]|\s{2,}")
#: The text a byline's script writes: ``document.write("2023-07-05 16:48")``.
SCRIPT_WRITE_RE = re.compile(r"document\.write(?:ln)?\(\s*[\"']([^\"'<>]{6,40})[\"']\s*\)")
#: A byline is a short line.
BYLINE_MAX_CHARS = 120

# --- titles ---------------------------------------------------------------------------------------

#: Separators between a headline and the site's name in ``<title>``.
TITLE_SPLIT_RE = re.compile(r"\s+[-|–—·•:：]+\s+|\s*[_|｜]+\s*|\s*[-–—]{2,}\s*|\s+-\s*|\s*-\s+")
#: ``标题-新华网``: a name at the very end, after a hyphen without spaces (a short one, or one named
#: as sites are: :data:`SITE_NAME_END_RE`, :data:`SITE_TAIL_SHORT_CHARS`).
SITE_TAIL_RE = re.compile(r"^(?P<head>.{4,}?)[-–—_|｜](?P<tail>[^\s\-–—_|｜]{2,24})$")
#: A tail this short is a site's name by its script alone (:data:`SITE_NAME_TAIL_RE`).
SITE_TAIL_SHORT_CHARS = 12
#: ``XX日报数字报-标题``: the same, the name first (e-paper pages).
SITE_HEAD_RE = re.compile(r"^(?P<head>[^\s\-–—_|｜]{2,12})[-–—_|｜](?P<tail>.{4,})$")
#: What a site's name looks like at the end of a title.
SITE_NAME_TAIL_RE = re.compile(r"[\u4e00-\u9fff]{2}|网|报|台|\.(?:com|cn|net|org)")
#: What a site's name looks like at the start of a title.
SITE_NAME_HEAD_RE = re.compile(r"网|报|台|频道|客户端|政府|新闻|\.(?:com|cn|net|org)")
#: A badge closing a headline (``原创``, ``独家``, ``视频``).
BADGE_RE = re.compile(r"^[\[【(（]?(?:原创|独家|首发|视频|图集|组图|直播|热|荐|新|置顶|专题)[\]】)）]?$")

# --- newspapers (digital editions) ----------------------------------------------------------------

#: The page (版次) a story ran on: ``第03版：经济`` → ``03``, ``A3版`` → ``A3``, ``第A03版``.
PAGE_NUMBER_RE = re.compile(r"第?\s*(?P<n>[A-Za-z]?\d{1,3}|[A-Za-z]\d{0,3})\s*版|^\s*(?P<bare>[A-Za-z]?\d{1,3})\s*$")
#: A continued story's pointer back: ``上接第1版``, ``接上``, ``continued from``.
CONTINUED_FROM_RE = re.compile(r"上接|接上|接第|continued from", re.IGNORECASE)
#: ... and forward: ``转第5版``, ``下转``, ``continued on``.
CONTINUED_TO_RE = re.compile(r"下转|转第|转\s*[A-Za-z]?\d+\s*版|转下|continued on", re.IGNORECASE)

# --- scripts --------------------------------------------------------------------------------------

#: CJK characters (Chinese, Japanese kanji, Extension A): what makes a text "Chinese".
CJK_CHAR_RE = re.compile(r"[\u3400-\u9fff]")
#: A text is Chinese when at least a third of its characters are CJK.
CJK_SHARE = Fraction(1, 3)
#: How a sentence ends.
SENTENCE_ENDS = ("。", ".", "!", "！", "?", "？", "”", '"', "…")
#: Words in a line (Latin script): a line by the headline this long that ends as a sentence does
#: is the story's, whatever date or "by" is in it (a byline is shorter and ends with no full stop).
WORD_RE = re.compile(r"\w+")
STORY_SENTENCE_MIN_WORDS = 12
#: …when at least this many words of the container come before it (a standfirst under the headline
#: is not the story's; the second paragraph is).
STORY_TEXT_BEFORE_MIN_WORDS = 24
#: A line by the headline shorter than this that ends no sentence is a deck (subtitle), not story.
DECK_MAX_CHARS = 60
#: A sentence in Chinese words has at least this many CJK characters.
SENTENCE_MIN_CJK = 8

# ================================================================================================
# Thresholds of the generic body
# ================================================================================================

#: A block is prose (counts for its container) when it has this much text outside links.
PROSE_MIN_CHARS_CJK, PROSE_MIN_CHARS = 12, 40
#: A kept line shorter than this at either end of the story is junk (unless it ends a sentence).
SHORT_LINE_CJK, SHORT_LINE = 6, 20
#: Deeper nesting than this is not walked: a page nested deeper is read again flattened (libxml2 refuses
#: more than 256 levels; the flattened page keeps fewer than this).
MAX_WALK_DEPTH = 300
#: A chrome-named element inside the container is kept when it holds more than this share of the
#: container's prose (a class word misread).
CHROME_KEEP_SHARE = 0.5
#: Siblings of the story's wrapper that are more of the story (:func:`._container._with_siblings`):
#: a lead may sit in a ``<header>`` (weak chrome otherwise); a sibling after the story is its
#: continuation when it holds at least this share of the story's prose, and never when it is a
#: story of its own (an ``<article>``, or a block holding a headline). A lead holds sentences and
#: at least this many times a prose block's least text (no byline or deck).
LEAD_MIN_UNITS = 2
LEAD_WRAPPER_TAGS = frozenset({"header"})
#: Inline elements that, holding paragraphs, wrap a story as a block would (a CMS's
#: ``<span id="intelliTxt">``, a ``<font>`` around a whole story): candidates for its container.
WRAPPER_INLINE_TAGS = frozenset({"span", "font"})
STORY_TAGS = frozenset({"article"})
#: Headline tags: a teaser's links elsewhere.
TEASER_HEADLINE_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
STORY_HEADLINE_TAGS = ("h1",)
STORY_SIBLING_SHARE = 0.2
#: The text after an inline element when the sentence it is part of goes on: words, not a
#: separator, a date or a list's comma (``…<a class="popup">rather elderly</a> man. The…``).
#: (Spaces, then closing punctuation and spaces, then two letters; written so that a long run of
#: spaces is tried once, not once per split between two ``\s*``: a page's whitespace tails made
#: that 10x slower.)
SENTENCE_GOES_ON_RE = re.compile(r"\s*(?:[,;:\"'”’»)\]]+\s*)?[^\W\d_]{2}")
#: A container that gives no story is left out and the next best tried, this many times at most.
CONTAINER_TRIES = 3
#: A paragraph holding no more than this share of its parent's prose is no container: the parent is.
LONE_PARAGRAPH_SHARE = 0.5
#: A container candidate inside chrome scores this much; one with a body class this much.
CHROME_SCORE_FACTOR, BODY_CLASS_SCORE_FACTOR = 0.25, 1.15
#: A candidate inside weak chrome (a ``sidebar``, an ``<aside>``: it may wrap the story, so what it
#: holds still competes) scores this share: a sidebar's "about" box with one long paragraph is no
#: match for a short story beside it.
WEAK_CHROME_SCORE_FACTOR = 0.5
#: A column of teasers: at least this many items, holding this share of the container's text.
TEASER_MIN_ITEMS, TEASER_SHARE = 3, Fraction(3, 5)
#: A row of bare numbers is a pager when this share of it is links.
PAGER_LINK_RATIO = 0.5
#: A related head, or a summary box's head, followed by fewer characters than this stands alone on
#: its line.
RELATED_HEAD_REST_CHARS = SUMMARY_HEAD_REST_CHARS = 4
#: A block with more links than this share is a link list (unless long and partly prose).
LINK_LIST_RATIO, LONG_LINK_PROSE_RATIO, LONG_LINK_PROSE_CHARS = 0.5, 0.9, 200
#: A list item with this share of links is a link list inside the story.
LIST_LINK_RATIO = 0.3
#: A story with less text than this beside its photos is told by their captions (a gallery).
GALLERY_STORY_MAX_CHARS = 300
#: How many wrappers of the story's container are climbed to find the headline beside it (the
#: pictures between them are the story's).
LEAD_PICTURE_LEVELS = 3
#: A link to a picture file (a photo linked to its full size is still the story's photo).
IMAGE_HREF_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|bmp)(?:[?#]|$)", re.IGNORECASE)
#: A body shorter than this may be the page's shipped ``<textarea>`` markup instead.
SHIPPED_BODY_MIN_CHARS = 100


def class_words(value: str) -> list[str]:
    """A class or id token split into lower-case words (``articleBody-share`` → article, body, share)."""
    return [w.lower() for w in CLASS_WORD_SPLIT_RE.split(value) if w]


def is_cjk(text: str) -> bool:
    """Is ``text`` (a title, a sample) mostly Chinese/Japanese script?"""
    text = text.replace(" ", "")
    return bool(text) and len(CJK_CHAR_RE.findall(text)) >= CJK_SHARE * len(text)


# ================================================================================================
# Fields: printed values (normalize's chapter, :mod:`northnews.normalize.rules`, taken in whole)
# ================================================================================================

WHITESPACE_RE = _printed.WHITESPACE_RE
SOURCE_LABEL_RE, AUTHOR_LABEL_RE = _printed.SOURCE_LABEL_RE, _printed.AUTHOR_LABEL_RE
LEADING_SOURCE_LABEL_RE, LEADING_AUTHOR_LABEL_RE = _printed.LEADING_SOURCE_LABEL_RE, _printed.LEADING_AUTHOR_LABEL_RE
LEADING_EDITOR_LABEL_RE, LEADING_DATE_LABEL_RE = _printed.LEADING_EDITOR_LABEL_RE, _printed.LEADING_DATE_LABEL_RE
AUTHOR_JOB_TITLE_RE = _printed.AUTHOR_JOB_TITLE_RE
TAG_SEPARATOR_RE, HOME_CRUMBS, ARTICLE_CRUMBS = _printed.TAG_SEPARATOR_RE, _printed.HOME_CRUMBS, _printed.ARTICLE_CRUMBS
DATE_RE, CN_DATE_RE, US_DATE_RE = _printed.DATE_RE, _printed.CN_DATE_RE, _printed.US_DATE_RE
YEARLESS_RE, RELATIVE_RE, ISO_DATETIME_RE = _printed.YEARLESS_RE, _printed.RELATIVE_RE, _printed.ISO_DATETIME_RE
AFTERNOON_WORDS, HALF_HOUR_RE = _printed.AFTERNOON_WORDS, _printed.HALF_HOUR_RE

# ================================================================================================
# Fields: where a page keeps its date (meta tags, JSON-LD, scripts, the URL)
# ================================================================================================

#: ``<meta>`` names (lower case) holding the published time.
PUBLISHED_META_NAMES = frozenset(
    {"article:published_time", "og:article:published_time", "og:published_time", "article:published",
     "published_time", "pubdate", "publishdate", "publish_date", "publish-date", "publishtime", "publish_time",
     "pubtime", "pub_date", "datepublished", "dc.date.issued", "dc.date", "dcterms.issued", "dcterms.created",
     "dc.date.created", "sailthru.date", "parsely-pub-date", "article.published", "article_date_original",
     "og:release_date", "release_date", "weibo:article:create_at", "firstpublishedtime", "createdate",
     "ptime", "date", "originalpublicationdate", "citation_publication_date", "cxenseparse:recs:publishtime"}
)
#: Of those, the ones trusted first, best first (the rest after them).
PUBLISHED_META_RANK = (
    "article:published_time", "og:article:published_time", "datepublished", "og:published_time",
    "publishdate", "pubdate", "publish_date", "publishtime", "ptime", "parsely-pub-date", "dc.date.issued",
)
#: ``<meta>`` names holding what a page says its headline is, best first; ``articletitle`` is the
#: headline meta of TRS WCM and Hanweb, the CMSs of most government sites.
HEADLINE_META_NAMES = ("og:title", "twitter:title", "articletitle")
#: A date meta's value in digits run together: ``20230705``, ``202307051648``.
COMPACT_DATE_RE = re.compile(r"^(?:19|20)\d{6}(?:\d{4,6})?$")
#: JSON-LD types of an article (or a page that is one), whose values are the story's.
LD_ARTICLE_TYPE_RE = re.compile(r"article|posting|report|webpage|blog", re.IGNORECASE)
#: JSON-LD is read this deep (graphs, ``mainEntity``) and no deeper.
LD_MAX_DEPTH = 4
#: A quoted date assigned to something in a script: ``= "2019-09-07 13:43:12"``, ``: '2019/09/07'``.
SCRIPT_DATE_VALUE_RE = re.compile(r"""[:=]\s*["']((?:19|20)\d{2}[-/.年]\d{1,2}[^"'\n]{0,30})["']""")
#: The name a published date is assigned to (``var publishTime``, ``"pubDate"``, ``post_date``),
#: read in the characters just before the value.
SCRIPT_DATE_NAME_RE = re.compile(
    r"(?:publish|pub|post|release|create|news|article|first|send)_?(?:time|date|datetime|at|ed)\w{0,8}[\"']?\s*$",
    re.IGNORECASE,
)
#: How many characters before a script's value its name is looked for in.
SCRIPT_NAME_WINDOW = 40
#: An epoch time as an element's whole value (seconds or milliseconds): ``1662551460``.
EPOCH_VALUE_RE = re.compile(r"^\s*(1\d{9}|1\d{12})\s*$")
#: An epoch time assigned to a published name in a (lower-cased) script: ``"publishtime":1662551460000``.
SCRIPT_EPOCH_RE = re.compile(
    r"(?:publish|pub|post|release|create)_?(?:time|date|at|ed)\w{0,8}[\"']?\s*[:=]\s*[\"']?(1\d{9}|1\d{12})(?!\d)",
)
#: An epoch time is a publication's between these (2000-01-01 and 2100-01-01, in seconds).
EPOCH_MIN_SECONDS, EPOCH_MAX_SECONDS = 946684800, 4102444800
#: The day in an article's URL, its parts separated: ``/2022-09/07/``, ``/2022/9/7/``, ``2022_09_07_``.
URL_DAY_SEPARATED_RE = re.compile(r"(?<![\d])((?:19|20)\d{2})[-/_](\d{1,2})[-/_](\d{1,2})(?![\d])")
#: … or run together (two-digit month and day only): ``/2022/0907/``, ``/202209/07/``, ``t20220907_``.
URL_DAY_RUN_TOGETHER_RE = re.compile(r"(?<![\d])((?:19|20)\d{2})[-/_]?(\d{2})[-/_]?(\d{2})(?![\d])")

# ================================================================================================
# Fields: dates as bylines print them
# ================================================================================================

#: A year printed just before a year-less date in its own element (``<em>2022</em> 09/07 19:36``).
YEAR_BEFORE_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*年?\s*$")
#: A time of day in a raw date (``13:43``, ``T13:43``, ``13时43分``, ``16点48分``, ``十六时``, ``晚上8点``).
TIME_OF_DAY_RE = re.compile(
    r"\d{1,2}\s*[:：时点]\s*\d{2}|[〇零○一二三四五六七八九十两]{1,3}\s*[时点]\s*[〇零○一二三四五六七八九十]{1,3}\s*分"
    r"|(?:上午|下午|中午|晚上|凌晨|早上|傍晚)\s*(?:\d{1,2}|[〇零○一二三四五六七八九十两]{1,3})\s*[时点](?!击)"
    r"|(?:\d{1,2}|[〇零○一二三四五六七八九十两]{1,3})\s*(?:时|点\s*(?:整|许|左右|钟|半))"
)
#: English month names (their first three letters), January first.
EN_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_EN_MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_EN_CLOCK = r"(?:,?\s+(?:at\s+)?(?P<H>[01]?\d|2[0-3]):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?\s*(?P<ap>[ap]\.?m\.?)?)?"
#: An English date, the time first (CGTN): ``16:24, 07-Sep-2022``.
EN_TIME_FIRST_DATE_RE = re.compile(
    rf"(?P<H>[01]?\d|2[0-3]):(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?\s*(?P<ap>[ap]\.?m\.?)?,?\s+"
    rf"(?P<d>[0-3]?\d)[-\s]{_EN_MONTH}[-\s,]+(?P<y>(?:19|20)\d{{2}})\b", re.IGNORECASE,
)
#: An English date, the month first: ``Sep 07, 2022 09:42 PM``.
EN_MONTH_FIRST_DATE_RE = re.compile(
    rf"\b{_EN_MONTH}\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{{2}}){_EN_CLOCK}", re.IGNORECASE
)
#: An English date, the day first: ``7 September 2022 21:42``, ``07-Sep-2022``.
EN_DAY_FIRST_DATE_RE = re.compile(rf"\b(?P<d>[0-3]?\d)[-\s]{_EN_MONTH}[-\s]+(?P<y>(?:19|20)\d{{2}}){_EN_CLOCK}",
                                  re.IGNORECASE)
#: Characters before a date where a revision label is looked for (``更新时间：``).
REVISED_LABEL_WINDOW = 20

# ================================================================================================
# Fields: where the byline of a page no layout describes is
# ================================================================================================

#: A line with a label or a date is meta when shorter than this.
META_MAX_CHARS = 200
#: An element by the headline longer than this is no byline (a sidebar, the story).
BYLINE_BLOCK_MAX_CHARS = 300
#: How many wrappers of the headline are climbed looking for the byline, how many siblings after
#: it are taken, and how many before it are looked at.
BYLINE_CLIMB_LEVELS, BYLINE_NEXT_SIBLINGS, BYLINE_PREVIOUS_SIBLINGS = 5, 4, 2
#: A short element printing a date is a value whatever its class says.
DATED_VALUE_MAX_CHARS = 40
#: An editor line found outside the story is short.
EDITOR_TEXT_MAX_CHARS = 80
#: Text between the headline and the story is read this far for a date, climbing this many wrappers.
AFTER_HEADING_MAX_CHARS, AFTER_HEADING_LEVELS = 2000, 6
#: A date line just after the story is short, among its container's first siblings.
AFTER_STORY_LINE_MAX_CHARS, AFTER_STORY_SIBLINGS = 80, 3

# ================================================================================================
# Fields: titles, breadcrumbs, pagers
# ================================================================================================

#: Quotes and punctuation a ``<title>`` and the headline print in different widths
#: (``"守护消费"`` / ``“守护消费”``), folded to one before they are compared.
TITLE_FOLD = str.maketrans({"“": '"', "”": '"', "＂": '"', "‘": "'", "’": "'", "，": ",", "：": ":", "！": "!",
                            "？": "?", "（": "(", "）": ")", "　": " "})
#: What a compared headline is stripped of at its ends.
TITLE_COMPARE_EDGE_CHARS = " \xa0-_|｜–—·•:"
#: A headline hint shorter than this is not looked for.
TITLE_HINT_MIN_CHARS = 4
#: A heading agrees with a hint holding it (or held by it) when the shorter has this share of the longer.
TITLE_AGREE_SHARE = 0.6
#: A title part this short is a name (``人民日报``, an app's), not a headline.
SITE_NAME_MAX_CHARS = 8
#: A headline without a hint that agrees is this long (an ``h1`` shorter is a logo's).
UNHINTED_HEADLINE_MIN_CHARS, UNHINTED_HEADLINE_MAX_CHARS = 6, 100
#: How many title-named candidates without a dated byline are tried.
UNHINTED_HEADLINE_TRIES = 5
#: Between the crumbs of a breadcrumb printed as text (``首页 > 新闻 > 本地``).
CRUMB_SPLIT_RE = re.compile(r"\s*(?:>>?|＞|»|›|→|/|\||－|\s-+\s)\s*")
#: The label before a breadcrumb (``当前位置：``, ``You are here:``).
CRUMB_LABEL_RE = re.compile(r"^\s*(?:[^\s:：>]{0,6}位置|location|you are here|position)\s*[:：]\s*", re.IGNORECASE)
#: A breadcrumb holds a few crumbs: a class word on a bigger element names something else.
CRUMB_MAX_CHILDREN = 40
#: An article page's URL and its other pages' (``<id>_2.shtml``).
ARTICLE_PAGE_URL_RE = re.compile(r"^(?P<stem>.*/(?P<id>[^/]+?))(?:_(?P<n>\d{1,3}))?\.(?P<ext>s?html?)$", re.IGNORECASE)

# ================================================================================================
# Fields: the selector subset layouts are written in
# ================================================================================================

#: One step of a descendant selector: ``tag#id.class.class[attr=value]``.
CSS_STEP_RE = re.compile(
    r"(?P<tag>[a-zA-Z][\w-]*|\*)?(?P<ident>#[\w-]+)?(?P<classes>(?:\.[\w-]+)*)(?P<attrs>(?:\[[\w-]+(?:=[^\]]*)?\])*)$"
)
#: One attribute test of a step: ``[attr]``, ``[attr=value]``.
CSS_ATTR_RE = re.compile(r"\[([\w-]+)(?:=([^\]]*))?\]")

# ================================================================================================
# Fields: dates printed away from the byline (scripts, e-paper date bars, before the headline)
# ================================================================================================

#: Classes/ids of an e-paper's date bar (the issue's day above its pages): a time's words, and
#: pinyin ``riqi``/``rq`` (日期).
DATE_BAR_CLASS_RE = re.compile(r"time|date|riqi|(?:^|[\s_-])rq(?:$|[\s_-])", re.IGNORECASE)
#: A date bar is short: the day, a weekday, the page (``2023年7月5日 星期三 第03版：要闻``).
DATE_BAR_MAX_CHARS = 40
#: What tells an e-paper's page (where the date bar is the story's day, not today's): its address,
#: its ``<title>`` or the bar naming the edition or a page number.
EPAPER_HINT_RE = re.compile(
    r"数字报|电子报|电子版|报刊|e-?paper|(?:^|[/._-])(?:szb|dzb|paper|bz|epaper)(?:$|[/._-])|版面|第\s*[A-Za-z]?\d{1,3}\s*版",
    re.IGNORECASE,
)

# ================================================================================================
# Fields: titles without a <title> or with a long site name
# ================================================================================================

#: How a site's name ends (``…门户网站``, ``…日报``, ``…新闻网``, ``….com``): a ``<title>`` part
#: that ends so, after the headline, is the site's whatever its length.
SITE_NAME_END_RE = re.compile(r"(?:网|网站|门户|日报|晚报|报社|电视台|广播电视台|频道|客户端|政府|\.(?:com|cn|net|org))$",
                              re.IGNORECASE)
#: A link to a site's home page (``/``, ``./index.html``, ``http://host/``): an ``h1`` that is only
#: such a link is the site's logo.
HOME_HREF_RE = re.compile(r"^\s*(?:https?://[^/\s]+)?/?(?:\./)?(?:index\.\w{2,5})?(?:[?#]\S*)?\s*$", re.IGNORECASE)
#: A site's name is no longer than this (``内蒙古自治区人民政府门户网站``).
SITE_NAME_MAX_LEN = 24
#: How old pages set a headline apart without a heading tag: a big font (``<font size="5">``,
#: ``style="font-size: 22px"``).
BIG_FONT_STYLE_RE = re.compile(r"font-size\s*:\s*(?:(?:1[89]|[2-9]\d)(?:\.\d+)?px|(?:1[4-9]|[2-9]\d)pt|x*-?large|1\.[3-9]\d*em|[2-9](?:\.\d+)?em)",
                               re.IGNORECASE)
#: ``<font size>`` values of a headline (``4`` and up, or ``+1`` and up).
BIG_FONT_SIZE_RE = re.compile(r"^\s*(?:[4-7]|\+[1-4])\s*$")

# ================================================================================================
# Fields: pictures as a reader sees them (lazy loading)
# ================================================================================================

#: Between the candidates of a ``srcset`` (``a.jpg 640w, b.jpg 1280w``; ``a.jpg 1x,b.jpg 2x``).
SRCSET_SPLIT_RE = re.compile(r",\s+|(?<=\d[wx]),")
#: A candidate's descriptor: its width (``1280w``) or pixel density (``2x``).
SRCSET_DESCRIPTOR_RE = re.compile(r"^(?P<n>\d+(?:\.\d+)?)(?P<unit>[wx])$", re.IGNORECASE)


def best_srcset_candidate(value: str | None) -> str | None:
    """The largest picture a ``srcset`` offers (the widest, else the densest; a candidate without
    a descriptor counts as ``1x``), as written, or ``None``."""
    best: str | None = None
    best_size = -1.0
    for candidate in SRCSET_SPLIT_RE.split((value or "").strip()):
        words = candidate.split()
        if not words or PLACEHOLDER_SRC_RE.search(words[0]):
            continue
        descriptor = SRCSET_DESCRIPTOR_RE.match(words[-1]) if len(words) > 1 else None
        size = float(descriptor["n"]) if descriptor else 1.0
        if size > best_size:
            best, best_size = words[0], size
    return best


def real_image_src(img: _Element) -> str | None:
    """The address of the picture a reader sees, as written (unresolved), or ``None`` when the
    page shows only a placeholder: a lazy-loading attribute's address (``data-src``,
    ``data-original``…: :data:`LAZY_SRC_ATTRS`) over a placeholder ``src`` (``loading.gif``,
    ``blank.gif``, a ``data:`` URI: :data:`PLACEHOLDER_SRC_RE`); for a placeholder, the largest
    candidate of its ``data-srcset``/``srcset``, else the copy a ``<noscript>`` after it shows
    browsers without scripts."""
    for attr in LAZY_SRC_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and not PLACEHOLDER_SRC_RE.search(value):
            return value
    src = (img.get("src") or "").strip()
    if src and not PLACEHOLDER_SRC_RE.search(src):
        return src
    for attr in SRCSET_ATTRS:
        best = best_srcset_candidate(img.get(attr))
        if best:
            return best
    after = img.getnext()
    if after is None:
        parent = img.getparent()  # <span class="lazy"><img …></span><noscript>…</noscript>
        after = parent.getnext() if parent is not None and len(parent) == 1 else None
    if after is not None and after.tag == "noscript":
        for copy in after.iter("img"):
            value = (copy.get("src") or "").strip()
            if value and not PLACEHOLDER_SRC_RE.search(value):
                return value
    return None

# ================================================================================================
# Fields: who wrote it, as Chinese credits print it
# ================================================================================================

#: A credit naming the text's writer first: ``文/李明 图/王芳``, ``文｜李小雨``, ``文/图 李明``,
#: ``撰文：张三``; its names (``v``) are the author.
TEXT_CREDIT_RE = re.compile(
    r"^[\s【\[(（]*(?:文\s*[/／]\s*图\s*[/／|｜丨:：]?|(?:文字|撰文|文)\s*[/／|｜丨:：])\s*"
    r"(?P<v>[\u4e00-\u9fff·]{2,4}(?:[\s、,，]+[\u4e00-\u9fff·]{2,4}){0,3}?)"
    r"(?=\s*[)）\]】]*\s*$|\s+[\u4e00-\u9fff]{1,4}\s*[/／|｜丨:：])"
)
#: A byline value ends before another value's label printed without its colon (``来源：本报 作者
#: 王芳``); never at a reporter's role, which an author value holds (``作者：记者 其其格 通讯员 巴特尔``).
UNCOLONED_ROLE_RE = re.compile(r"\s+(?:作\s*者|责任编辑|责\s*编|编\s*辑)\s+(?=[\u4e00-\u9fff])")
#: Who reported it and from where, the credit Taiwan's and Hong Kong's papers open a story with or
#: print in its byline (``记者林悦／台南报导``, ``〔记者王冠仁／台北报导〕``, ``联合报 记者陈嘉宁／桃园机场报导``;
#: the traditional ``報導`` too): the names (``v``) are the author.
REPORTED_FROM_RE = re.compile(
    r"(?:^|(?<=[\s〔\[(（【\x1f]))[\u4e00-\u9fff]{0,6}?记者\s*"
    r"(?P<v>[\u4e00-\u9fff·]{2,4}(?:[\s、,，]+[\u4e00-\u9fff·]{2,4}){0,3}?)\s*[/／]\s*[\u4e00-\u9fff]{1,8}报[导道]"
)
#: An author printed without a colon in a byline: ``来源：本报 作者 王芳``.
UNCOLONED_AUTHOR_RE = re.compile(r"(?:^|[\s\x1f|｜])作\s*者\s+(?P<v>[\u4e00-\u9fff·]{2,6})(?=$|[\s\x1f|｜,，])")

#: A lone labelled source or author line before the headline is its byline when shorter than this.
LABELLED_LINE_MAX_CHARS = 40

# ================================================================================================
# Fields: small limits of the readers
# ================================================================================================

#: An editor's text is read with its element's when that element has fewer children than this.
EDITOR_PARENT_MAX_CHILDREN = 4
#: Text between the headline and the story is read this deep (a page's nesting past it is chrome).
LINK_FREE_MAX_DEPTH = 50
#: Elements are matched to headline hints by this many first characters (then compared whole).
HEADLINE_KEY_PREFIX_CHARS = 8
#: An element whose own text is longer than this is no headline.
HEADLINE_CANDIDATE_MAX_CHARS = 300
#: A ``<textarea>`` shipping the story as markup holds more than this.
SHIPPED_MARKUP_MIN_CHARS = 200
#: Characters before a year-less date where its year is looked for (``<em>2022</em> 09/07``).
YEAR_BEFORE_WINDOW = 8

# ================================================================================================
# Fields: a time printed before its day
# ================================================================================================

#: A time of day printed just before a day that has none (``16:48 2023-07-05``, ``<span>16:48</span>
#: <span>2023/07/05</span>``): the window's end.
TIME_BEFORE_DATE_RE = re.compile(r"(?<![\d:：])(?P<H>[01]?\d|2[0-3])\s*[:：]\s*(?P<M>[0-5]\d)(?:\s*[:：]\s*[0-5]\d)?\s*[,，|｜·]?\s*$")
#: How many characters before a day its time is looked for.
TIME_BEFORE_DATE_WINDOW = 14

# ================================================================================================
# Fields: both scripts
# ================================================================================================

# Every rule above reads the traditional script too, as normalize's chapter does
# (:func:`northnews.normalize.rules.both_scripts`): a byline's 來源、責任編輯, a notice's 版權所有, a
# credit's 記者／圖 are the same rules in the other script. The chapter's own objects are its already.
#: Patterns left in simplified characters: tried on most short lines of a page, where classes in
#: place of its literal first characters cost it ten times its time (the branches' first characters
#: no longer make the quick scan a regex starts with); a traditional byline line has its other
#: tests (``BYLINE_LINE_RE``, ``DATE_START_RE``).
SIMPLIFIED_ONLY = frozenset({"LABEL_ANYWHERE_RE"})
_PRINTED_IDS = {id(v) for v in vars(_printed).values()}
for _name, _value in list(globals().items()):
    if not _name.startswith("__") and id(_value) not in _PRINTED_IDS and _name not in SIMPLIFIED_ONLY:
        globals()[_name] = _printed.both_scripts(_value)
