"""The rule book (northnews/pages/rules.py), table by table: what each line pattern and word list
must and must not recognise. Every pattern of the rule book has a row here (checked below), so a
rule is never changed without saying what it is for."""

from __future__ import annotations

import re

import pytest

from northnews.pages import rules

#: pattern name → (texts it must match, texts it must not match); ``search`` unless anchored.
TABLE: dict[str, tuple[list[str], list[str]]] = {
    "PLACEHOLDER_SRC_RE": (["/img/loading.gif", "lazy.png", "/s/blank.gif?v=1", "data:image/gif;base64,R0"],
                           ["/2023/0705/photo.jpg", "/upload/loadingbay.jpg"]),
    "CLASS_WORD_SPLIT_RE": (["article-body", "post_tags", "relatedPosts"], ["article"]),
    "BODY_CHROME_CLASS_RE": (["bdshare", "related-news", "pages", "footer", "xgxw"], ["zhengwen", "content", "pic"]),
    "BODY_CLASS_RE": (["article-content", "TRS_Editor", "zhengwen", "content"], ["sidebar", "comment-list"]),
    "CAPTION_CLASS_RE": (["pic-txt", "caption", "tuzhu", "img_desc"], ["content", "zhengwen"]),
    "SUMMARY_WORD_SPLIT_RE": (["article-summary", "con_intro"], ["summary"]),
    "BYLINE_WIDGET_CLASS_RE": (["bdshare", "font-size", "qrcode"], ["source", "time"]),
    "TITLE_CLASS_RE": (["article-title", "biaoti", "bt"], ["content", "btn-more"]),
    "TIME_CLASS_RE": (["pubtime", "news-date"], ["content"]),
    "HIDDEN_STYLE_RE": (["display: none", "visibility:hidden"], ["display:block"]),
    "CENTER_STYLE_RE": (["text-align: center"], ["text-align:left"]),
    "EDITOR_LINE_RE": (["责任编辑：王喆", "（编辑：李明）", "[Editor: Li Ming]", "責任編輯：王喆", "（編輯：蘇龍麒）"],
                       ["编辑部召开会议", "王喆说", "編輯部召開會議"]),
    "EDITOR_TAIL_RE": (["全文完。（责任编辑：王喆）"], ["责任编辑说了算。"]),
    "EDITOR_AT_RE": (["【我要纠错】 责任编辑：X"], ["编辑部"]),
    "SHARE_LINE_RE": (["分享到：", "Share this"], ["分享经验的人", "shared values"]),
    "PAGER_LINE_RE": (["上一页 1 2 3 下一页", "« 1 2 »"], ["下一步工作", "第一页的故事"]),
    "PAGER_WORD_RE": (["下一页", "共 3 页"], ["下一步"]),
    "SENTENCE_GOES_ON_RE": ([" man. The nature of my", ", and gallantly charge", "的记者说", '" said Turkey'], [", ", " | ", " 2023-07-05", "。"]),
    "RELATED_HEAD_RE": (["相关新闻：", "【相关阅读】", "Related stories", "Weiterlesen:", "Das könnte Sie auch interessieren",
                         "NOTAS RELACIONADAS", "À lire aussi", "Leia também", "You might also like"],
                        ["相关部门表示", "新闻发布会", "Weitere Informationen zur Lage", "Notas del editor"]),
    "WIDGET_LINE_RE": (["【大 中 小】【打印】【关闭】"], ["【新华社】报道称"]),
    "CHROME_LINE_RE": (["返回顶部", "Copyright © 2004-2012 northnews", "蒙ICP备05003254号"],
                       ["他打印了文件", "版权保护工作会议召开"]),
    "JUNK_LINE_RE": (["Advertisement", "扫一扫", "相关新闻"], ["广告业发展报告发布"]),
    "PHOTO_CREDIT_END_RE": (["会议现场。（新华社记者 刘续 摄）", "Forum opens (Xinhua/Zhou Hua)"],
                            ["会议在北京召开（记者 王芳）。后续", "(the first)"]),
    "CAPTION_START_RE": (["图为签约现场。", "▲上图：会场", "圖為馬素湘在悉尼的近影。"], ["图书馆开放", "圖書館開放"]),
    "CAPTION_END_RE": (["会场一角 新华社发", "资料图片"], ["摄影展开幕了，观众很多"]),
    "SLIDE_COUNTER_RE": (["1/4", "12 / 30"], ["2023/07"]),
    "BYLINE_LINE_RE": (["来源：新华网", "发布时间：2023-07-05", "浏览次数：12"], ["新华网报道", "时间过得真快"]),
    "DATE_LINE_RE": (["2023-07-05 16:48", "2023年07月05日"], ["2023年7月5日，会议召开"]),
    "META_HINT_RE": (["来源：", "2023"], ["新华网报道"]),
    "LABEL_ANYWHERE_RE": (["来源：X 作者：Y"], ["来源于生活"]),
    "NAMED_DATE_RE": (["南方+2023-07-03 21:15"], ["2023年7月3日，市委召开会议，研究部署工作"]),
    "DATE_START_RE": (["2023-07-05 来源：新华网", "发布于 2022-09-07", "Posted on 2022-09-07",
                       "Published Monday, November 18, 2019 8:22AM EST", "Updated: 5 March 2020",
                       "Published November 20th, 2019 - 07:50 GMT", "30 avril 2015 à 07:19 (Mis à jour : 07:38)",
                       "5. März 2020, 10:12 Uhr", "Wednesday 20 November 2019 11:42, UK"],
                      ["今年7月5日", "Published in May 2019, the report said", "Updated maps show the flood"]),
    "CREDIT_LINE_RE": (["记者 | 刘晓蓓", "融媒体记者 刘涛 通讯员 马丽", "【作者】黄颖", "記者 | 劉曉蓓", "記者林悅／南市報導",
                        "〔記者王冠仁／台北報導〕", "出品︱网易科学人栏目组 胖胖", "策划：人民日报新媒体", "作者︱春春"],
                       ["记者了解到，项目已经开工。", "記者了解到，項目已經開工。", "出品方表示，新片将于明年上映。",
                        "策划：本次活动由市文化局主办，共有三百余人参加。"]),
    "REPORTER_LINE_RE": (["本报记者 赵喆", "本报记者 赵喆 通讯员 马丽", "记者 王小明 李华", "（本报记者赵喆）"],
                         ["记者了解到，项目已经开工。", "来源：新华网", "赵喆"]),
    "REPORTER_ROLE_RE": (["本报记者", "本报通讯员赵喆", "记者：王芳"], ["赵喆"]),
    "NAME_SPLIT_RE": (["赵喆 马丽", "赵喆、马丽"], ["赵喆"]),
    "AUTHOR_BOX_RE": (["□王芳", "■ 李明"], ["王芳"]),
    "AUTHOR_ROLE_RE": (["本报记者 赵喆", "记者 王芳", "文/李明", "作者：张三"], ["赵喆"]),
    "PRINT_EDITION_RE": (["《 人民日报 》（ 2019年09月07日 02 版）"], ["《人民日报》评论员文章"]),
    "SIGNATURE_DATE_RE": (["2022年9月6日"], ["2022年9月6日上午，会议召开"]),
    "NOTICE_ANY_RE": (["版权归第一财经所有", "未经书面授权，不得转载", "蘋果新聞網 版權所有，禁止轉載",
                       "本新聞文字、照片專供會員閱覽，版權所有，禁止任何媒體在紙本或網路部分引用、改寫、轉貼分享，違者必究。",
                       "新浪声明：新浪网登载此文出于传递更多信息之目的，并不意味着赞同其观点或证实其描述。",
                       "文章仅代表作者看法，不代表本网观点"],
                      ["版权保护取得进展", "他表示，这并不代表市场已经见底。"]),
    "NOTICE_RE": (["声明：本文仅代表作者观点", "本文系观察者网独家稿件", "版權所有，禁止轉載", "聲明：本文僅代表作者觀點",
                   "★中時電子報關心您：再給自己一次機會", "●《ETNEWS新聞雲》提醒您，請給自己機會：", "再給自己一次機會",
                   "自殺防治諮詢安心專線：0800-788995；", "生命線：1995", "張老師專線：1980", "心理援助热线：12356"],
                  ["本市声明支持", "文中提到", "本市聲明支持", "市民热线：12345", "服务热线：0471-1234567",
                   "生命线工程全面完工。"]),
    "ORIGINAL_TITLE_RE": (["（原标题：旧题）"], ["标题党"]),
    "SUMMARY_HEAD_RE": (["摘要：", "【核心提示】"], ["要点在于"]),
    "TAGS_LABEL_RE": (["标签：城市更新", "Tags: Schools", "关键词: 乡村振兴"], ["标签化的思维", "Tagsmith"]),
    "EVENT_LINE_RE": (["时间：7月10日上午9:00", "会议时间：下午"], ["时代在变"]),
    "BRACKETED_LINE_RE": (["（完）", "[责任编辑：X]"], ["（完）后记"]),
    "AFFILIATION_RE": (["（作者系某大学教授）", "（此件公开发布）"], ["（完）"]),
    "PROMPT_RE": (["长按识别二维码关注", "-END-", "下载新华社客户端", "Crédits photos : Bestimage", "Foto: dpa",
                   "Stay up-to-date on our work.", "Follow us on Twitter", "還想看更多新聞嗎？歡迎下載自由時報APP",
                   "看更多！請加入自由時報粉絲團"],
                  ["二十年来他一直坚持", "The photos show the flood", "Followers of the club cheered",
                   "他加入了学校的篮球队", "下载量突破一亿次"]),
    "VALUE_LABEL_RE": (["来源：新华网", "Editor: X"], ["来源于"]),
    "VALUE_END_RE": (["新华网\x1f作者", "新华网 责任编辑：X", "A  B"], ["新华网"]),
    "KNOWN_LABEL_RE": (["作者：王芳"], ["作者王芳"]),
    "META_LABEL_RE": (["来源 新华网", "by Reuters"], ["新华网报道"]),
    "WEEKDAY_RE": (["2022年09月07日 星期三 10:02", "(周三)"], ["2022年09月07日 10:02"]),
    "REVISED_LABEL_RE": (["更新时间：", "修改于", "Updated: ", "Last updated on", "更新時間：", "最后更新：", "最後更新：",
                          "最新更新："], ["发布时间：", "Published: ", "建立時間："]),
    "PERSON_END_RE": (["王存 | 版面编辑", "张婷 审核：王刚"], ["张婷"]),
    "SCRIPT_WRITE_RE": (['document.write("2023-07-05 16:48")'], ["document.title"]),
    "TITLE_SPLIT_RE": (["标题 - 新华网", "标题_新华网", "Title | Site"], ["标题"]),
    "SITE_TAIL_RE": (["这是一个标题-新华网"], ["短-新"]),
    "SITE_HEAD_RE": (["内蒙古日报数字报-今日标题在此"], ["标题"]),
    "SITE_NAME_TAIL_RE": (["新华网", "example.com"], ["abc"]),
    "SITE_NAME_HEAD_RE": (["内蒙古日报", "政府网站"], ["标题"]),
    "BADGE_RE": (["原创", "【独家】"], ["原创作品大赛"]),
    "PAGE_NUMBER_RE": (["第03版：经济", "A3版", "03"], ["经济"]),
    "CONTINUED_FROM_RE": (["上接第1版", "continued from A1"], ["转第5版"]),
    "CONTINUED_TO_RE": (["转第5版", "下转第8版", "continued on A4"], ["上接第1版"]),
    "IMAGE_HREF_RE": (["/photo/big.jpg", "a.PNG?x=1"], ["/p/2359976.html", "/jpg/list"]),
    "CJK_CHAR_RE": (["汉字"], ["latin"]),
    # --- fields: printed values (normalize's chapter) ---
    "WHITESPACE_RE": ([" ", "\u3000", "\u200b", "\xa0"], ["a", "-"]),
    "SOURCE_LABEL_RE": (["来源", "来 源", "Source", "from", "來源"], ["作者", "编辑", "責任編輯"]),
    "AUTHOR_LABEL_RE": (["作者", "Author"], ["来源", "编辑"]),
    "LEADING_SOURCE_LABEL_RE": (["来源：新华网", "（来源: 新华网"], ["新华网来源：", "来源于生活"]),
    "LEADING_AUTHOR_LABEL_RE": (["作者：王芳", "Author: Li"], ["王芳作者：", "作者王芳"]),
    "LEADING_EDITOR_LABEL_RE": (["（责任编辑：王喆）", "编辑：王喆"], ["编辑部召开会议"]),
    "LEADING_DATE_LABEL_RE": (["发布时间：2023-07-05", "日期: 2023", "發布時間：2023-07-05", "建立時間：2016/05/21"],
                              ["时间过得真快", "2023-07-05", "時間過得真快"]),
    "AUTHOR_JOB_TITLE_RE": (["Maria Sanchez, Staff Writer", "Li Ming, senior correspondent"],
                            ["Maria Sanchez, Associated Press", "Staff Writer Maria"]),
    "TAG_SEPARATOR_RE": (["教育,学校", "教育、学校", "教育|学校"], ["教育 学校"]),
    "DATE_RE": (["2023-07-05", "2023年7月5日 14:20", "2023/07/05 16:48", "2023.7.5"],
                ["07-05 14:20", "20230705", "1999年"]),
    "CN_DATE_RE": (["二〇二三年七月五日", "二零二三年十二月三十一日", "二〇二三年七月五日十六时四十八分", "二〇二三年七月五日下午四点"],
                   ["2023年7月5日", "七月五日"]),
    "HALF_HOUR_RE": (["半", " 半"], ["许", "30分"]),
    "US_DATE_RE": (["07/05/2023", "7/5/2023 14:20"], ["2023/07/05", "07/05/23"]),
    "YEARLESS_RE": (["09-15 15:21", "9月15日 15:21", "09/07 19:36:07"], ["09-15", "2023-09-15", "13-07 13:43",
                                                                      "2022年09月07日 13:43", "09-07 25:00"]),
    "RELATIVE_RE": (["3小时前", "昨天 14:20", "刚刚", "5 minutes ago", "yesterday at 9:05"],
                    ["3小时", "昨天下午", "前天的会议"]),
    "ISO_DATETIME_RE": (["2023-07-05T16:48:00+08:00", "2023-07-05", "2023-07-05 16:48Z"],
                        ["2023年7月5日", "2023-07-05 来源"]),
    # --- fields: where a page keeps its date ---
    "COMPACT_DATE_RE": (["20230705", "202307051648"], ["2023-07-05", "123456789"]),
    "LD_ARTICLE_TYPE_RE": (["NewsArticle", "BlogPosting", "WebPage"], ["Organization", "Person"]),
    "SCRIPT_DATE_VALUE_RE": (['publishTime = "2023-07-05 16:48"', "pubDate: '2023/07/05'"], ['id = "12345"']),
    "SCRIPT_DATE_NAME_RE": (["var publishTime ", '"pubDate"', "post_date"], ["var title ", "updateTime"]),
    "EPOCH_VALUE_RE": (["1662551460", " 1662551460000 "], ["16625514600", "2023"]),
    "SCRIPT_EPOCH_RE": (['"publishtime":1662551460000', "pubdate = 1662551460"], ['"id":1662551460000']),
    "URL_DAY_SEPARATED_RE": (["/2022-09/07/", "/art/2022/9/7/", "2022_09_07_"], ["/20220907/", "/2022/0907x"]),
    "URL_DAY_RUN_TOGETHER_RE": (["t20220907_", "/2022/0907/", "/202209/07/"], ["/2022/9/7/", "/a/12345/"]),
    # --- fields: dates as bylines print them ---
    "YEAR_BEFORE_RE": (["2022 ", "2022年"], ["2022年7月", "12022"]),
    "TIME_OF_DAY_RE": (["13:43", "13时43分", "T13:43", "16点48分", "十六时四十八分", "晚上8点", "13时", "8点半", "10时许"],
                       ["2023-07-05", "13点", "提出10点意见", "下午点击"]),
    "EN_TIME_FIRST_DATE_RE": (["16:24, 07-Sep-2022"], ["Sep 07, 2022"]),
    "EN_MONTH_FIRST_DATE_RE": (["Sep 07, 2022 09:42 PM", "September 7th 2022"], ["07-Sep-2022", "Sep 2022"]),
    "EN_DAY_FIRST_DATE_RE": (["7 September 2022 21:42", "07-Sep-2022"], ["September 7, 2022"]),
    # --- fields: titles, breadcrumbs, pagers, selectors ---
    "CRUMB_SPLIT_RE": (["首页 > 新闻", "Home » News", "首页>>本地"], ["新闻", "本地-新闻"]),
    "CRUMB_LABEL_RE": (["当前位置：首页", "您的位置: 首页", "You are here: Home"], ["首页 > 新闻", "位置偏远"]),
    "ARTICLE_PAGE_URL_RE": (["/a/b/12345_2.shtml", "/content/t123.html"], ["/a/b/", "/a/b/12345.php"]),
    "CSS_STEP_RE": (["div.content", "#main", "a[href]", "*"], ["div > p", "div:first-child"]),
    "CSS_ATTR_RE": (["[hidden]", "[itemprop=articleBody]"], [".content", "#main"]),
    # --- fields: dates away from the byline, titles without a <title> ---
    "DATE_BAR_CLASS_RE": (["date-bar", "riqi", "top_rq", "pubtime"], ["content", "rqcode"]),
    "EPAPER_HINT_RE": (["内蒙古日报数字报", "http://paper.example.cn/content/1.htm", "/szb/html/", "第03版：要闻"],
                       ["http://news.example.cn/a/1.html", "版权所有", "paperclip"]),
    "SITE_NAME_END_RE": (["内蒙古自治区人民政府门户网站", "新华网", "example.com", "某某日报"], ["多方代表出席", "网友热议"]),
    "BIG_FONT_STYLE_RE": (["font-size:22px", "font-size: 18px", "FONT-SIZE: 16pt", "font-size:x-large", "font-size:2em"],
                          ["font-size:12px", "font-size: 9pt", "font-size:small", "line-height:22px"]),
    "HOME_HREF_RE": (["/", "./index.html", "http://www.example.cn/", "https://example.com", "/index.shtml"],
                     ["/a/123.html", "http://www.example.cn/news/", "javascript:void(0)"]),
    "BIG_FONT_SIZE_RE": (["5", "+2", "4"], ["2", "3", "-1", "12"]),
    "SRCSET_SPLIT_RE": (["a.jpg 1x, b.jpg 2x", "a.jpg 1x,b.jpg 2x"], ["a.jpg?w=1,2 1x"]),
    "SRCSET_DESCRIPTOR_RE": (["1024w", "2x", "1.5x"], ["a.jpg", "2"]),
    # --- fields: who wrote it ---
    "REPORTED_FROM_RE": (["記者林悅／南市報導", "聯合報 記者陳嘉寧／桃園機場報導", "〔記者王冠仁／台北報導〕", "记者张三／北京报道"],
                         ["〔即時新聞／綜合報導〕", "記者了解到，項目已經開工。", "本报记者 赵喆"]),
    "TEXT_CREDIT_RE": (["文/李明 图/王芳", "文｜李小雨", "文/图 李明", "撰文：张三", "（文/李明）"],
                       ["文化馆开放", "文/李明说今天开会了。", "图/王芳"]),
    "UNCOLONED_ROLE_RE": (["本报 作者 王芳", "新华网 责任编辑 李明"], ["本报", "作者：王芳", "作者们", "记者 其其格 通讯员 巴特尔"]),
    "TIME_BEFORE_DATE_RE": (["16:48 ", "发布 16:48:00 | "], ["2023-07-05 ", "116:48 ", "16:48 来源"]),
    "UNCOLONED_AUTHOR_RE": (["来源：本报 作者 王芳", "作者 王芳"], ["作者：王芳", "作者们说"]),
    # --- body: blog and comment furniture on pages nobody described (more in test_body_engine.py) ---
    "COMMENT_SIGNATURE_RE": (["Posted by: Amy Gahran | Apr 6, 2007 1:21:27 PM", "written by lynn, October 25, 2012"],
                             ["Written by hand, the letter reached us yesterday."]),
    "FILED_UNDER_RE": (["Posted in: Fantasy |", "Categories: Music, Film", "This entry was posted on May 1 and is filed under X."],
                       ["Posted in the mail, the letter took three weeks."]),
    "DATELINE_RE": (["Nov. 20, 2019 5:52 AM EST", "Updated at 1:23 p.m.", "1 day ago"],
                    ["July 13, 2012 marked the start of the games.", "Published 2 days ago by the council"]),
    "FOLLOW_PROMPT_RE": (["Follow @BGRDeals on Twitter to keep up with the deals.", "…tenemos canal de Telegram? Únete."],
                         ["The police will follow up on the report and publish it on Twitter."]),
    "WORD_RE": (["word", "2019"], ["", " — "]),
}

#: Patterns applied with ``match`` (whole step of a selector): the table checks them so.
MATCHED = {"CSS_STEP_RE"}


def _patterns() -> dict[str, re.Pattern[str]]:
    return {name: value for name, value in vars(rules).items() if isinstance(value, re.Pattern) and not name.startswith("_")}


def test_every_pattern_of_the_rule_book_has_a_table() -> None:
    assert sorted(set(_patterns()) - set(TABLE)) == []
    assert sorted(set(TABLE) - set(_patterns())) == []


@pytest.mark.parametrize("name", sorted(TABLE))
def test_pattern_matches_what_it_names_and_nothing_else(name: str) -> None:
    pattern = _patterns()[name]
    must, must_not = TABLE[name]
    assert must and must_not
    find = pattern.match if name in MATCHED else pattern.search
    for text in must:
        assert find(text), f"{name} must match {text!r}"
    for text in must_not:
        found = find(text)
        # Splitters and separators match parts of words by design: they must not split the whole.
        if name.endswith("SPLIT_RE"):
            assert found is None or len(pattern.split(text)) == 1, f"{name} must not split {text!r}"
        else:
            assert found is None, f"{name} must not match {text!r}"


@pytest.mark.parametrize(("word_list", "member", "stranger"), [
    ("CHROME_WORDS", "share", "content"), ("WEAK_CHROME_WORDS", "sidebar", "share"),
    ("KEEP_WORDS", "wrapper", "share"), ("AD_WORDS", "ads", "share"), ("EDGE_WORDS", "ad", "share"), ("SUMMARY_WORDS", "intro", "content"),
    ("SKIP_TAGS", "script", "p"), ("BLOCK_TAGS", "p", "span"), ("SEGMENT_TAGS", "span", "script"),
    ("SUBHEADING_TAGS", "h2", "h1"), ("CAPTION_TAGS", "figcaption", "p"), ("CAPTION_OWNER_TAGS", "figure", "span"),
    ("LIST_ITEM_TAGS", "li", "ul"), ("CHROME_TAGS", "nav", "article"), ("WEAK_CHROME_TAGS", "aside", "nav"),
    ("CHROME_ROLES", "navigation", "main"), ("WEAK_CHROME_ROLES", "complementary", "main"),
    ("SLUG_PREFIX_WORDS", "tag", "share"), ("BREADCRUMB_CLASSES", "breadcrumb", "current"),
    ("LAZY_SRC_ATTRS", "data-src", "src"), ("SRCSET_ATTRS", "srcset", "src"),
    ("PUBLISHED_META_NAMES", "article:published_time", "og:title"), ("PUBLISHED_META_RANK", "pubdate", "date"),
    ("HEADLINE_META_NAMES", "og:title", "keywords"), ("HOME_CRUMBS", "首页", "新闻"), ("ARTICLE_CRUMBS", "正文", "新闻"),
    ("AFTERNOON_WORDS", "下午", "上午"), ("EN_MONTHS", "sep", "sept"),
    ("LEAD_WRAPPER_TAGS", "header", "nav"), ("STORY_TAGS", "article", "div"), ("STORY_HEADLINE_TAGS", "h1", "h2"),
    ("CHROME_WORDS", "rodape", "conteudo"), ("CHROME_PREFIXES", "cookie", "content"),
    ("WRAPPER_INLINE_TAGS", "span", "a"), ("SLUG_BOX_WORDS", "box", "jdoe"), ("TEASER_HEADLINE_TAGS", "h5", "p"),
])
def test_word_lists(word_list: str, member: str, stranger: str) -> None:
    words = getattr(rules, word_list)
    assert member in words and stranger not in words


def test_printed_values_chapter_is_in_the_rule_book() -> None:
    """normalize's chapter (below the page layer, which may not be imported there) is taken into the
    rule book whole: every pattern of it is one of the book's, the same object, tabled above."""
    from northnews.normalize import rules as printed

    for name, value in vars(printed).items():
        if isinstance(value, re.Pattern) and not name.startswith("_"):
            assert getattr(rules, name, None) is value, name


def test_no_portal_word_in_the_rule_book() -> None:
    """Site-specific words live in profiles: northnews.cn's breadcrumb classes are its profile's."""
    from northnews.normalize import rules as printed

    for book in (rules, printed):
        source = (book.__file__ and open(book.__file__, encoding="utf-8").read()) or ""
        for word in ("senav", "l-pos", "northnews.cn", "正北方"):
            assert word not in source, (book.__name__, word)


@pytest.mark.parametrize(("text", "cjk"), [("内蒙古自治区召开会议", True), ("Information Harbor", False), ("", False)])
def test_is_cjk(text: str, cjk: bool) -> None:
    assert rules.is_cjk(text) is cjk


def test_collapse_ws_collapses_exactly_what_its_pattern_names() -> None:
    """collapse_ws splits with str.split (fast): every character the whitespace pattern matches is
    whitespace to it, and nothing else."""
    import sys

    from northnews.normalize.rules import WHITESPACE_RE as _WS_RE
    from northnews.normalize.text import collapse_ws

    for code in range(sys.maxunicode + 1):
        char = chr(code)
        if 0xD800 <= code <= 0xDFFF:
            continue
        expected = "a b" if _WS_RE.fullmatch(char) else f"a{char}b"
        assert collapse_ws(f" a{char}b ") == expected, hex(code)


def test_sentence_goes_on_is_the_plain_pattern_without_its_backtracking() -> None:
    """SENTENCE_GOES_ON_RE is written for speed (one way to read a run of spaces); it must accept
    exactly what the plain ``\\s*[,;:"'”’»)\\]]*\\s*[^\\W\\d_]{2}`` accepts: every string of up to five
    characters over spaces, newlines, closing punctuation, letters, digits and separators."""
    import itertools
    import re

    plain = re.compile(r"\s*[,;:\"'”’»)\]]*\s*[^\W\d_]{2}")
    alphabet = [" ", "\n", "\u3000", ",", '"', "”", ")", "a", "é", "中", "1", "_", "."]
    for size in range(6):
        for chars in itertools.product(alphabet, repeat=size):
            text = "".join(chars)
            assert (rules.SENTENCE_GOES_ON_RE.match(text) is None) == (plain.match(text) is None), repr(text)


# --- both scripts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "expected"), [
    ("来源", "[来來]源"),  # a character with a traditional form: a class of both
    ("[^一二来]", "[^一二来來]"),  # inside a class (negated too): its forms added
    ("[来-龥]", "[来-龥來]"),  # added last: a range stays a range
    (r"\d来", r"\d[来來]"),  # escapes kept
    ("(?P<label>发布)", "(?P<label>[发發][布佈])"),  # group names are no words
    ("[来來]源", "[来來]源"),  # applied twice, the same
    ("2023-07-05", "2023-07-05"),
])
def test_both_scripts_source(source: str, expected: str) -> None:
    from northnews.normalize.rules import both_scripts_source

    assert both_scripts_source(source) == expected


def test_both_scripts_words_and_keys() -> None:
    from northnews.normalize import rules as printed

    assert "首頁" in printed.HOME_CRUMBS and "首页" in printed.HOME_CRUMBS
    assert printed.RELATIVE_UNITS["小時"] == printed.RELATIVE_UNITS["小时"] == "hours"
    assert printed.RELATIVE_UNITS["分鐘"] == "minutes"
    assert printed.CN_DIGIT_VALUES["兩"] == printed.CN_DIGIT_VALUES["两"] == 2


def test_every_rule_reads_both_scripts_but_the_hot_ones() -> None:
    """A pattern with a simplified word reads its traditional form too, unless left simplified for
    speed (``SIMPLIFIED_ONLY``, each named there with why)."""
    from northnews.normalize.rules import TRADITIONAL_FORMS

    for name, value in vars(rules).items():
        if isinstance(value, re.Pattern) and name not in rules.SIMPLIFIED_ONLY:
            outside = re.sub(r"\[(?:\\.|[^\]])*\]", "", value.pattern)  # characters outside classes
            assert not any(c in TRADITIONAL_FORMS for c in outside), name
