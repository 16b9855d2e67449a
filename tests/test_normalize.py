"""Normalisation rules, table-tested: each row is (printed input, expected field)."""

from __future__ import annotations

import base64
import hashlib
from datetime import date, datetime, timedelta, timezone

import pytest

from northnews.normalize import (
    article_fields,
    canonical_source,
    clean_person,
    clean_source,
    clean_title,
    content_digest,
    parse_published,
    published_raw_of,
    section_from_crumbs,
    split_tags,
    url_date,
)
from northnews.normalize.text import collapse_ws
from northnews.pages import ArticlePage
from northnews.sites import load_site

NN = load_site("northnews")


@pytest.mark.parametrize(
    "printed, title",
    [
        ("Xinhua Insight: Information sharing", "Xinhua Insight: Information sharing"),
        ("\xa0\xa0内蒙古\u3000上半年  GDP\n增长\xa0", "内蒙古 上半年 GDP 增长"),
        ("呼和浩特召开经济工作会议_正北方网", "呼和浩特召开经济工作会议"),
        ("呼和浩特召开经济工作会议 - 正北方网", "呼和浩特召开经济工作会议"),
        ("呼和浩特召开经济工作会议--正北方网", "呼和浩特召开经济工作会议"),
        ("呼和浩特召开经济工作会议 | 正北方网", "呼和浩特召开经济工作会议"),
        ("Rail link opens - Northnews", "Rail link opens"),
        ("Rail link opens_northnews.cn", "Rail link opens"),
        ("Inner Mongolia Daily partners with Northnews", "Inner Mongolia Daily partners with Northnews"),
        ("C++ courses open in Hohhot", "C++ courses open in Hohhot"),
        ("　内蒙古上半年GDP增长7.8%　|", "内蒙古上半年GDP增长7.8%"),
        ("-- 标题 --", "标题"),
        ("“双一流”建设方案出台？", "“双一流”建设方案出台？"),
        ("【聚焦】全国两会", "【聚焦】全国两会"),
        ("China's GDP grows 7%!", "China's GDP grows 7%!"),
        ("正北方网", None),
        ("  ", None),
        (None, None),
    ],
)
def test_clean_title(printed: str | None, title: str | None) -> None:
    assert clean_title(printed, NN) == title


@pytest.mark.parametrize(
    "printed, source_raw, source",
    [
        ("来源：新华网", "新华网", "Xinhua"),
        ("来源:新华社", "新华社", "Xinhua"),
        ("来源： 新华 ", "新华", "Xinhua"),
        ("来自: 新华网", "新华网", "Xinhua"),  # Discuz's portal article
        ("from:新华网2015-09-15 15:21", "新华网", "Xinhua"),
        ("from: Xinhua 2015-09-15 15:21:08", "Xinhua", "Xinhua"),
        ("Source: Xinhua News Agency", "Xinhua News Agency", "Xinhua"),
        ("xinhuanet", "xinhuanet", "Xinhua"),
        ("XINHUA", "XINHUA", "Xinhua"),
        ("人民网", "人民网", "People's Daily Online"),
        ("People's Daily Online", "People's Daily Online", "People's Daily Online"),
        ("人民日报", "人民日报", "People's Daily"),
        ("中国新闻网", "中国新闻网", "China News Service"),
        ("中新网", "中新网", "China News Service"),
        ("中新社", "中新社", "China News Service"),
        ("chinanews", "chinanews", "China News Service"),
        ("中国日报网", "中国日报网", "China Daily"),
        ("china daily", "china daily", "China Daily"),
        ("内蒙古日报", "内蒙古日报", "Inner Mongolia Daily"),
        ("正北方网", "正北方网", "Northnews"),
        ("northnews.cn", "northnews.cn", "Northnews"),
        ("北方新报", "北方新报", "Northern News"),
        ("央视网", "央视网", "CCTV"),
        ("光明网", "光明网", "Guangming Online"),
        ("中国网", "中国网", "China.org.cn"),
        ("包头日报", "包头日报", "包头日报"),
        ("来源：鄂尔多斯日报 |", "鄂尔多斯日报", "鄂尔多斯日报"),
        ("来源：", None, None),
        (None, None, None),
    ],
)
def test_sources(printed: str | None, source_raw: str | None, source: str | None) -> None:
    assert clean_source(printed) == source_raw
    assert canonical_source(source_raw, NN) == source


def test_alias_table_is_data_and_every_alias_maps_to_its_canonical_name() -> None:
    for canonical, aliases in NN.publishers.items():
        for alias in aliases:
            assert canonical_source(f"  {alias} ", NN) == canonical
            assert canonical_source(alias.upper(), NN) == canonical


@pytest.mark.parametrize(
    "printed, kind, value",
    [
        ("作者：王喆", "author", "王喆"),
        ("作者: 李明 王芳", "author", "李明 王芳"),
        ("责任编辑：朱镕", "editor", "朱镕"),
        ("编辑：王喆", "editor", "王喆"),
        ("（责任编辑：王喆）", "editor", "王喆"),
        ("[Editor: Wang Lin]", "editor", "Wang Lin"),
        ("Editor:Wang Lin", "editor", "Wang Lin"),
        ("作者：", "author", None),
        (None, "author", None),
    ],
)
def test_people(printed: str | None, kind: str, value: str | None) -> None:
    assert clean_person(printed, kind) == value


@pytest.mark.parametrize(
    "printed, published, raw",
    [
        ("2015-09-15 15:21", "2015-09-15T15:21:00+08:00", "2015-09-15 15:21"),
        ("2015-09-15 15:21:08", "2015-09-15T15:21:08+08:00", "2015-09-15 15:21:08"),
        ("2015年09月15日 15:21", "2015-09-15T15:21:00+08:00", "2015年09月15日 15:21"),
        ("2015年9月5日 9:05", "2015-09-05T09:05:00+08:00", "2015年9月5日 9:05"),
        ("2015年09月15日15:21", "2015-09-15T15:21:00+08:00", "2015年09月15日15:21"),
        ("2015年09月15日 15时21分", "2015-09-15T15:21:00+08:00", "2015年09月15日 15时21分"),
        ("2015/09/15 15:21", "2015-09-15T15:21:00+08:00", "2015/09/15 15:21"),
        ("2015.09.15 15:21", "2015-09-15T15:21:00+08:00", "2015.09.15 15:21"),
        ("发布时间：2015-09-15 15:21 来源：新华网", "2015-09-15T15:21:00+08:00", "2015-09-15 15:21"),
        ("from:新华网2015-09-15 15:21", "2015-09-15T15:21:00+08:00", "2015-09-15 15:21"),
        ("2015-09-15\xa0\xa015:21", "2015-09-15T15:21:00+08:00", "2015-09-15 15:21"),
        ("2015-09-15", "2015-09-15T00:00:00+08:00", "2015-09-15"),
        ("2015-09-15T15:21:00+08:00", "2015-09-15T15:21:00+08:00", "2015-09-15T15:21:00+08:00"),
        ("2015-09-15T07:21:00Z", "2015-09-15T15:21:00+08:00", "2015-09-15T07:21:00Z"),
        ("2015-09-14T23:21:00-08:00", "2015-09-15T15:21:00+08:00", "2015-09-14T23:21:00-08:00"),
        ("2015-09-15T15:21:08.250+08:00", "2015-09-15T15:21:08+08:00", "2015-09-15T15:21:08.250+08:00"),
        ("2015-09-15T15:21", "2015-09-15T15:21:00+08:00", "2015-09-15T15:21"),
        ("2015-09-15 15:21:00+0800", "2015-09-15T15:21:00+08:00", "2015-09-15 15:21:00+0800"),
        ("2015-13-45 15:21", None, "2015-13-45 15:21"),
        ("09-15 15:21", None, "09-15 15:21"),
        ("昨天", None, "昨天"),
        ("", None, None),
        (None, None, None),
    ],
)
def test_published(printed: str | None, published: str | None, raw: str | None) -> None:
    assert parse_published(printed, NN.timezone) == published
    assert published_raw_of(printed) == raw


@pytest.mark.parametrize(
    "printed, captured, published",
    [
        # A year-less date takes the capture's year (China time) …
        ("09-15 15:21", datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc), "2026-09-15T15:21:00+08:00"),
        ("9月15日 15:21", datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc), "2026-09-15T15:21:00+08:00"),
        # … or the year before, when it would otherwise lie after the capture.
        ("12-31 23:50", datetime(2027, 1, 1, 1, 0, tzinfo=timezone.utc), "2026-12-31T23:50:00+08:00"),
        # A full date ignores the capture.
        ("2015-09-15 15:21", datetime(2026, 11, 28, tzinfo=timezone.utc), "2015-09-15T15:21:00+08:00"),
        # Without a time of day, "09-15" is too often something else.
        ("09-15", datetime(2026, 11, 28, tzinfo=timezone.utc), None),
        # Relative to the reader's now, which for an archive is the capture (03:00 UTC = 11:00 CST).
        ("昨天 13:43", datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc), "2026-11-27T13:43:00+08:00"),
        ("前天 08:05", datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc), "2026-11-26T08:05:00+08:00"),
        ("今天 09:30", datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc), "2026-11-28T09:30:00+08:00"),
        ("3小时前", datetime(2026, 11, 28, 3, 0, 30, tzinfo=timezone.utc), "2026-11-28T08:00:00+08:00"),
        ("25分钟前", datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc), "2026-11-28T10:35:00+08:00"),
        ("2天前", datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc), "2026-11-26T11:00:00+08:00"),
    ],
)
def test_published_without_a_year(printed: str, captured: datetime, published: str | None) -> None:
    assert parse_published(printed, NN.timezone, now=captured) == published


@pytest.mark.parametrize(
    "url, day",
    [
        ("http://www.northnews.cn/2015/0915/2049381.shtml", date(2015, 9, 15)),
        ("https://www.northnews.cn/news/201509/15/2049381.html", date(2015, 9, 15)),
        ("http://english.northnews.cn/2015/0915/2049381_2.shtml", date(2015, 9, 15)),
        ("http://www.northnews.cn/news/guonei/index_2.shtml", None),
        ("http://www.northnews.cn/2015/1399/1.shtml", None),
    ],
)
def test_url_date(url: str, day: date | None) -> None:
    assert url_date(url, NN) == day


@pytest.mark.parametrize(
    "keywords, tags",
    [
        ("China-ASEAN, Information Harbor, e-commerce", ["China-ASEAN", "Information Harbor", "e-commerce"]),
        ("朱镕基、呼和浩特、经济工作、呼和浩特", ["朱镕基", "呼和浩特", "经济工作"]),
        ("那达慕,赛马，摔跤|射箭", ["那达慕", "赛马", "摔跤", "射箭"]),
        ("GDP；内蒙古；经济;", ["GDP", "内蒙古", "经济"]),
        ("草原｜旅游 文化", ["草原｜旅游", "文化"]),
        ("国内  新闻 改革 新闻", ["国内", "新闻", "改革"]),
        ("  ", []),
        (None, []),
    ],
)
def test_split_tags(keywords: str | None, tags: list[str]) -> None:
    assert split_tags(keywords) == tags


@pytest.mark.parametrize(
    "crumbs, section",
    [
        (["首页", "内蒙古", "正文"], "内蒙古"),
        (["正北方网首页", "新闻", "国内新闻"], "国内新闻"),
        (["Home", "China", "Text"], "China"),
        (["home", "Business", "content"], "Business"),
        (["正北方网", "正文"], None),
        (["清河社区", "门户", "清河新闻", "查看内容"], "清河新闻"),  # Discuz's portal article
        ([], None),
    ],
)
def test_section_from_crumbs(crumbs: list[str], section: str | None) -> None:
    assert section_from_crumbs(crumbs, NN.text.home_crumbs) == section


@pytest.mark.parametrize(
    "printed, paragraph",
    [
        ("\u3000\u3000新华社北京9月15日电\u3000国务院", "新华社北京9月15日电 国务院"),
        ("\xa0 text \n  more\t", "text more"),
        ("\u200b\ufeff", ""),
    ],
)
def test_paragraph_whitespace(printed: str, paragraph: str) -> None:
    assert collapse_ws(printed) == paragraph


def test_content_digest_is_base32_sha1_of_title_published_body() -> None:
    expected = "sha1:" + base64.b32encode(
        hashlib.sha1("标题\n2015-09-15T15:21:00+08:00\n正文".encode()).digest()
    ).decode()
    assert content_digest("标题", "2015-09-15T15:21:00+08:00", "正文") == expected
    assert content_digest("标题", None, "正文") == "sha1:" + base64.b32encode(
        hashlib.sha1("标题\n\n正文".encode()).digest()
    ).decode()


def test_article_fields_merges_pages_and_reports_problems() -> None:
    first = ArticlePage(
        template="generic", title="长文_正北方网", source="来源：新华网", date="2015-09-16 10:00",
        paragraphs=["\u3000\u3000一", ""], images=[{"url": "http://x/1.jpg", "caption": " 图 "}],
        tags=["a"], section="国内",
    )
    second = ArticlePage(template="generic", title="长文", editor="责任编辑：王喆", paragraphs=["二"],
                         tags=["b"])
    url = "http://www.northnews.cn/2015/0915/1.shtml"
    fields, problems = article_fields([first, second], url, NN)
    assert problems == ["generic_template", "date_url_mismatch"]
    assert fields == {
        "title": "长文",
        "source": "Xinhua",
        "source_raw": "新华网",
        "author": None,
        "editor": "王喆",
        "published": "2015-09-16T10:00:00+08:00",
        "published_raw": "2015-09-16 10:00",
        "body": "一\n\n二",
        "images": [{"url": "http://x/1.jpg", "caption": "图"}],
        "tags": ["a"],
        "template": "generic",
        "section": "国内",
        "content_digest": content_digest("长文", "2015-09-16T10:00:00+08:00", "一\n\n二"),
        "kicker": None, "subtitle": None, "page": None, "continued_from": None, "continued_to": None,
    }


def test_text_printed_on_every_page_is_kept_once_and_newspaper_fields_merge() -> None:
    desc = "组图说明：每一页都印着的说明。"
    pages = [
        ArticlePage(template="epaper", title="标题", paragraphs=[desc, "第一张"], kicker="引题", page="03",
                    continued_to="http://x/b.htm"),
        ArticlePage(template="epaper", paragraphs=[desc, "第二张"]),
        ArticlePage(template="epaper", paragraphs=[desc, "第三张", "第一张"]),
    ]
    fields, _ = article_fields(pages, "http://x/a.htm", NN)
    assert fields["body"] == "\n\n".join([desc, "第一张", "第二张", "第三张", "第一张"])
    assert (fields["kicker"], fields["subtitle"], fields["page"]) == ("引题", None, "03")
    assert (fields["continued_from"], fields["continued_to"]) == (None, "http://x/b.htm")


def test_article_fields_without_pages_or_date() -> None:
    fields, problems = article_fields([], "http://www.northnews.cn/1.shtml", NN)
    assert problems == ["no_pages"] and fields["body"] == "" and fields["published"] is None
    fields, problems = article_fields([ArticlePage(template="l-cont", title="t")], "http://x/2015/0915/1.shtml", NN)
    assert problems == [] and fields["published"] is None and fields["published_raw"] is None


@pytest.mark.parametrize(
    "printed, published",
    [
        ("2023年7月5日 下午3:20", "2023-07-05T15:20:00+08:00"),
        ("2023年7月5日 晚上8时05分", "2023-07-05T20:05:00+08:00"),
        ("2023年7月5日 中午12:30", "2023-07-05T12:30:00+08:00"),
        ("2023-07-05 上午10:20", "2023-07-05T10:20:00+08:00"),
        ("2023-07-05 下午15:20", "2023-07-05T15:20:00+08:00"),  # a 24-hour time stays as it is
    ],
)
def test_half_of_the_day_before_a_12_hour_time(printed: str, published: str) -> None:
    assert parse_published(printed, NN.timezone) == published


# Dates as Chinese pages print them (issue 16.4): expected values written from what a reader reads.
_CAPTURE = datetime(2023, 7, 6, 12, 0, tzinfo=timezone(timedelta(hours=8)))


@pytest.mark.parametrize(("printed", "published"), [
    ("二〇二三年七月五日", "2023-07-05T00:00:00+08:00"),
    ("二〇二三年十二月二十三日 10:30", "2023-12-23T10:30:00+08:00"),
    ("二〇〇四年十月一日", "2004-10-01T00:00:00+08:00"),
    ("07/05/2023 16:48", "2023-07-05T16:48:00+08:00"),
    ("25/07/2023", "2023-07-25T00:00:00+08:00"),
    ("2023-07-05 | 16:48", "2023-07-05T16:48:00+08:00"),
    ("2023年07月05日·16:48", "2023-07-05T16:48:00+08:00"),
    ("3 hours ago", "2023-07-06T09:00:00+08:00"),
    ("yesterday 13:43", "2023-07-05T13:43:00+08:00"),
    ("5分钟前", "2023-07-06T11:55:00+08:00"),
])
def test_dates_as_pages_print_them(printed: str, published: str) -> None:
    assert parse_published(printed, NN.timezone, now=_CAPTURE) == published


@pytest.mark.parametrize(("html", "date"), [
    # a printed date followed by a revision date: the publication's
    ("<p class='info'>发布时间：2023-07-05 10:00 更新时间：2023-07-06 09:00</p>", "2023-07-05 10:00"),
    # the revision printed first: still the publication's
    ("<p class='info'>更新时间：2023-07-06 09:00 发布时间：2023-07-05 10:00</p>", "2023-07-05 10:00"),
    # the day and the time in separate elements
    ("<p class='info'><span>2023-07-05</span><span>16:48</span> 来源：新华社</p>", "2023-07-05 16:48"),
    ("<p class='info'><span>二〇二三年七月五日</span> 来源：本报</p>", "二〇二三年七月五日"),
])
def test_byline_dates(html: str, date: str) -> None:
    from northnews.pages._byline import parse_byline
    from northnews.pages._dom import parse_html

    root = parse_html(f"<html><body>{html}</body></html>")
    assert parse_byline(root.find(".//p")).date == date


@pytest.mark.parametrize(
    "printed, author",
    [
        ("By Maria Sanchez, Staff Writer", "Maria Sanchez"),
        ("Ann Lee, Senior Reporter", "Ann Lee"),
        ("Jane Mattson and Tom Kowalski", "Jane Mattson and Tom Kowalski"),
        ("Tom Smith, Associated Press", "Tom Smith, Associated Press"),  # a source, not a job title
        ("作者：赵喆", "赵喆"),
    ],
)
def test_an_english_job_title_after_the_authors_name_is_no_author(printed: str, author: str) -> None:
    from northnews.normalize.text import clean_person

    assert clean_person(printed.removeprefix("By "), "author") == author
