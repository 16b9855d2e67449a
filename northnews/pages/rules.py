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

from northnews.normalize import AUTHOR_LABEL, DATE_LABEL, EDITOR_LABEL, SOURCE_LABEL

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
    r"|视频加载中.*|您的浏览器不支持.*(?:视频|video|播放).*|纠错|我要纠错|举报)"
    r"\s*[:：.。!！]?$",
    re.IGNORECASE,
)
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
#: A slide counter (``1/4``) under a gallery's photo.
SLIDE_COUNTER_RE = re.compile(r"^\d{1,3}\s*/\s*\d{1,3}$")
#: A news-list entry's text outside its link: only a date.
DATE_ONLY_RE = re.compile(r"^[\s\d\-/:.年月日时分()（）\[\]【】|·]*$")

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
#: A credit line: ``记者 | 刘晓蓓``, ``文｜李小雨``, ``融媒体记者 刘涛 通讯员 马丽``, ``【作者】黄颖``.
CREDIT_LINE_RE = re.compile(rf"^[\s【\[(（]*(?:{_ROLE}\s*[|｜/:：丨】\]]?\s*{_NAMES}\s*)+[】\]）)]*$")
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
)
#: A site notice after the story: copyright, disclaimer, "reprinted from"; the footer starts there.
NOTICE_RE = re.compile(
    r"^[\s【\[(（]*(?:声明|免责声明|版权声明|特别声明|郑重声明|版权所有|本文(?:系|为)?转载|转载请注明|本网站?(?:所)?"
    r"(?:刊登|发布|转载)|凡本网注明|未经(?:本网|授权|许可)|本站(?:文章|内容)|原文链接|原文地址|copyright|©"
    r"|本文(?:系|为|来自|转自|经)[^。]{0,30}(?:稿件|原创|独家|授权|转载|公众号|客户端|发布)"
    r"|(?:该文|本文|文章)(?:观点)?(?:仅|只)?代表作者|平台声明)",
    re.IGNORECASE,
)
#: A notice found anywhere in a line is trimmed at the end only when the line is shorter than this.
NOTICE_LINE_MAX_CHARS = 200
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
#: The label of a revision's time (``更新时间：``, ``修改日期：``): the publication's wins over it.
REVISED_LABEL_RE = re.compile(r"(?:更新|修改|修订|最后编辑)\s*(?:时间|日期|于)?\s*[:：]?\s*$")
#: A person's name ends at a bar or the next label: ``王存 | 版面编辑：邱祺璞``.
PERSON_END_RE = re.compile(r"\s*[|｜丨]|\s+[\u4e00-\u9fff]{2,5}\s*[:：]|\s{2,}")
#: The text a byline's script writes: ``document.write("2023-07-05 16:48")``.
SCRIPT_WRITE_RE = re.compile(r"document\.write(?:ln)?\(\s*[\"']([^\"'<>]{6,40})[\"']\s*\)")
#: A byline is a short line.
BYLINE_MAX_CHARS = 120

# --- titles ---------------------------------------------------------------------------------------

#: Separators between a headline and the site's name in ``<title>``.
TITLE_SPLIT_RE = re.compile(r"\s+[-|–—·•:：]+\s+|\s*[_|｜]+\s*|\s*[-–—]{2,}\s*|\s+-\s*|\s*-\s+")
#: ``标题-新华网``: a short name at the very end, after a hyphen without spaces.
SITE_TAIL_RE = re.compile(r"^(?P<head>.{4,}?)[-–—_|｜](?P<tail>[^\s\-–—_|｜]{2,12})$")
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
STORY_TAGS = frozenset({"article"})
STORY_HEADLINE_TAGS = ("h1",)
STORY_SIBLING_SHARE = 0.2
#: The text after an inline element when the sentence it is part of goes on: words, not a
#: separator, a date or a list's comma (``…<a class="popup">rather elderly</a> man. The…``).
SENTENCE_GOES_ON_RE = re.compile(r"\s*[,;:\"'”’»)\]]*\s*[^\W\d_]{2}")
#: A container that gives no story is left out and the next best tried, this many times at most.
CONTAINER_TRIES = 3
#: A paragraph holding no more than this share of its parent's prose is no container: the parent is.
LONE_PARAGRAPH_SHARE = 0.5
#: A container candidate inside chrome scores this much; one with a body class this much.
CHROME_SCORE_FACTOR, BODY_CLASS_SCORE_FACTOR = 0.25, 1.15
#: A column of teasers: at least this many items, holding this share of the container's text.
TEASER_MIN_ITEMS, TEASER_SHARE = 3, Fraction(3, 5)
#: A known layout's body trusts its container: a related entry there is a line with this share of
#: links (or a list item), a link list one with the second.
KNOWN_RELATED_ENTRY_LINK_RATIO, KNOWN_LINK_LIST_RATIO = 0.5, 0.8
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
