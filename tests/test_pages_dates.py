"""Dates as Chinese pages print them (issue 16.4), page by page: a saved snippet of each habit and
the published time a reader of it would write down, to the minute (expected values written by
hand from the snippet, not from the extractor's output).

The story is the same everywhere; only where and how the date is printed changes. Times without
an offset are Beijing time (the default profile's zone); the capture is 2023-07-06 10:00 there.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from northnews.normalize import article_fields
from northnews.pages import parse_article

CAPTURED = datetime(2023, 7, 6, 2, 0, tzinfo=timezone.utc)  # 10:00 in Beijing
HEADLINE = "市里召开推进会议部署下半年重点工作"
_P = "<p>" + "今年以来，我市坚持以高质量发展为主线，扎实推进各项工作，取得了显著成效，群众满意度持续提升。" * 3 + "</p>"
STORY = f"<div class='article'>{_P * 3}</div>"


def page(by: str = "", *, head: str = "", before: str = "", after: str = "", title: str = HEADLINE) -> str:
    return (f"<html><head><title>{title}</title>{head}</head><body>{before}<h1>{HEADLINE}</h1>{by}{STORY}"
            f"{after}</body></html>")


def published(html: str, url: str = "http://news.example.cn/a/123.html") -> str | None:
    fields, _ = article_fields([parse_article(html, url)], url, captured=CAPTURED)
    value = fields["published"]
    return value if value is None else str(value)


CASES = [
    # Chinese numerals, the day alone and with its time.
    ("cn-numerals", page("<div class='info'>二〇二三年七月五日 来源：本报</div>"), "2023-07-05T00:00:00+08:00"),
    ("cn-numerals-time", page("<div class='info'>二〇二三年七月五日 16:48</div>"), "2023-07-05T16:48:00+08:00"),
    # The day and the time in separate elements.
    ("split", page("<div class='info'><span class='date'>2023年07月05日</span> <span class='time'>16:48</span></div>"),
     "2023-07-05T16:48:00+08:00"),
    ("split-labelled", page("<div class='info'><span>发布时间：</span><span>2023-07-05</span><span>16:48:00</span></div>"),
     "2023-07-05T16:48:00+08:00"),
    ("time-first", page("<div class='info'>16:48 2023-07-05</div>"), "2023-07-05T16:48:00+08:00"),
    ("time-first-split", page("<div class='info'><span>16:48</span> <span>2023/07/05</span></div>"),
     "2023-07-05T16:48:00+08:00"),
    ("pm", page("<div class='info'>2023年7月5日 下午4:48 来源：本报</div>"), "2023-07-05T16:48:00+08:00"),
    ("hours-chinese", page("<div class='info'>2023年07月05日16时48分</div>"), "2023-07-05T16:48:00+08:00"),
    # Month first.
    ("us", page("<div class='info'>07/05/2023 16:48 来源：本报</div>"), "2023-07-05T16:48:00+08:00"),
    # A printed date a revision date follows (or precedes): the first printed is the publication.
    ("revised-after", page("<div class='info'>2023-07-05 10:00 来源：本报 更新时间：2023-07-06 09:00</div>"),
     "2023-07-05T10:00:00+08:00"),
    ("revised-before", page("<div class='info'>更新时间：2023-07-06 09:00 发布时间：2023-07-05 10:00</div>"),
     "2023-07-05T10:00:00+08:00"),
    ("revised-english", page("<div class='info'>Updated: July 6, 2023 | Published: July 5, 2023 4:48 p.m.</div>"),
     "2023-07-05T16:48:00+08:00"),
    # Relative to the capture (10:00 on 6 July).
    ("hours-ago", page("<div class='info'>某某号 3小时前</div>"), "2023-07-06T07:00:00+08:00"),
    ("yesterday", page("<div class='info'>某某号 昨天 14:20</div>"), "2023-07-05T14:20:00+08:00"),
    # Printed below the story.
    ("below", page("<div class='info'>来源：本报</div>", after="<div class='foot'>发布时间：2023-07-05 16:48</div>"),
     "2023-07-05T16:48:00+08:00"),
    ("below-posted", page(after="<div>发布于 2023-07-05 16:48 · 北京</div>"), "2023-07-05T16:48:00+08:00"),
    # The byline prints the day; the time is printed below the story, or a script sets it.
    ("day-then-time-below", page("<div class='info'>2023-07-05 来源：本报</div>",
                                 after="<div class='foot'>发布时间：2023-07-05 16:48</div>"), "2023-07-05T16:48:00+08:00"),
    ("day-then-script", page("<div class='info'>2023-07-05 来源：本报</div>",
                             head="<script>var pubtime = '2023-07-05 16:48';</script>"), "2023-07-05T16:48:00+08:00"),
    # In a script: written as the page loads, or assigned to a variable.
    ("write-in-byline", page("<div class='info'>来源：本报 <span><script>document.write(\"2023-07-05 16:48\")</script></span></div>"),
     "2023-07-05T16:48:00+08:00"),
    ("write-elsewhere", page("<div class='info'>来源：本报</div>",
                             before="<div class='top'><script>document.write('2023-07-05 16:48')</script></div>"),
     "2023-07-05T16:48:00+08:00"),
    ("var", page("<div class='info'>来源：本报</div>", head="<script>var publishTime=\"2023-07-05 16:48:00\";</script>"),
     "2023-07-05T16:48:00+08:00"),
    ("epoch", page(head="<script>var publish_time = 1688546880;</script>"), "2023-07-05T16:48:00+08:00"),
    # Above the headline, unlabelled; a header's <time>.
    ("above", page(before="<div class='time'>2023-07-05 16:48</div>"), "2023-07-05T16:48:00+08:00"),
    ("time-in-header", page(before="<header><time datetime='2023-07-05T16:48:00+08:00'>7月5日</time></header>"),
     "2023-07-05T16:48:00+08:00"),
]


@pytest.mark.parametrize(("html", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_published_as_printed(html: str, expected: str) -> None:
    assert published(html) == expected


def test_an_epaper_date_bar_gives_the_day() -> None:
    """An e-paper page prints the issue's day in its date bar only (no time, no date in the URL)."""
    html = page(before="<table><tr><td class='riqi'>2023年7月5日 星期三 第03版：要闻</td></tr></table>")
    assert published(html, "http://paper.example.cn/content/123.htm") == "2023-07-05T00:00:00+08:00"


def test_a_portal_date_bar_is_today_not_the_story() -> None:
    """A portal's header prints today's date in the same kind of bar: no e-paper, no date."""
    html = page(before="<div class='date-bar'>2023年7月6日 星期四</div>")
    assert published(html, "http://news.example.cn/a/123.html") is None


def test_a_list_entry_time_is_not_the_story() -> None:
    """A ``<time>`` inside a link (a list's entry) before the story is another article's."""
    html = page(before="<ul><li><a href='/b/9.html'>另一条新闻<time datetime='2023-06-01T08:00:00+08:00'>6-1</time></a></li></ul>")
    assert published(html, "http://news.example.cn/a/123.html") is None


# --- times as Chinese pages print them: read to the minute -------------------------------------

TIMES = [
    # (printed, read in Beijing time); expected values written by hand.
    ("二〇二三年七月五日十六时四十八分", "2023-07-05T16:48:00+08:00"),
    ("二〇二三年七月五日 十六点四十八分", "2023-07-05T16:48:00+08:00"),
    ("二〇二三年七月五日十时零五分", "2023-07-05T10:05:00+08:00"),
    ("二〇二三年七月五日下午两点", "2023-07-05T14:00:00+08:00"),
    ("二〇二三年七月五日十六时", "2023-07-05T16:00:00+08:00"),
    ("2023年7月5日16点48分", "2023-07-05T16:48:00+08:00"),
    ("2023年7月5日 下午4时48分", "2023-07-05T16:48:00+08:00"),
    ("2023年7月5日 晚上8点", "2023-07-05T20:00:00+08:00"),
    ("2023年7月5日 8点半", "2023-07-05T08:30:00+08:00"),
    ("2023年7月5日 10时许", "2023-07-05T10:00:00+08:00"),
    # 点 alone counts points, and 点击 is a hit counter: the day only.
    ("2023年7月5日，市里提出10点意见", "2023-07-05T00:00:00+08:00"),
    ("2023-07-05 点击：12", "2023-07-05T00:00:00+08:00"),
    ("2023年7月5日 13点", "2023-07-05T00:00:00+08:00"),
]


@pytest.mark.parametrize(("printed", "expected"), TIMES, ids=[t[0] for t in TIMES])
def test_times_read_to_the_minute(printed: str, expected: str) -> None:
    from northnews.normalize import parse_published
    from northnews.sites import load_site

    assert parse_published(printed, load_site().timezone) == expected


def test_a_numeral_time_in_a_byline() -> None:
    assert published(page("<div class='info'>二〇二三年七月五日十六时四十八分 来源：本报</div>")) == "2023-07-05T16:48:00+08:00"


def test_a_time_elements_printed_minute_beats_a_day_only_attribute() -> None:
    """A template that fills ``datetime`` with a day of its own while the reader sees the story's
    minute (Apple Daily's ``<time datetime="2017-11-13">建立時間：2016/05/21 11:44</time>``)."""
    html = page("<div class='info'><time datetime='2017-11-13'>建立時間：2016/05/21 11:44</time></div>")
    assert published(html) == "2016-05-21T11:44:00+08:00"
    # A full datetime attribute stays the reader's (it carries the minute the text may not).
    html = page("<div class='info'><time datetime='2023-07-05T16:48:00+08:00'>7月5日</time></div>")
    assert published(html) == "2023-07-05T16:48:00+08:00"


def test_a_year_printed_in_its_own_element_before_a_yearless_byline() -> None:
    """news.cn's ``<span class="year"><em> 2023</em></span><span class="day"><em> 11</em>/<em> 17</em>
    </span><span class="time"> 20:52:15</span>``: the spaces between the elements are no distance."""
    html = page(before="<div class='header-time'><span class='year'><em> 2023</em></span>"
                "<span class='day'><em> 11</em>/<em> 17</em></span><span class='time'> 20:52:15</span></div>")
    assert published(html) == "2023-11-17T20:52:15+08:00"


REVISION_ONLY = [
    # The byline prints only a revision's time; the page's metadata states the publication: that.
    ("meta", page("<div class='info'>更新时间：2023-07-06 09:00</div>",
                  head="<meta property='article:published_time' content='2023-07-05T16:48:00+08:00'>"),
     "2023-07-05T16:48:00+08:00"),
    ("microdata", page("<div class='info'>最新更新：<span>2023/07/06 09:00</span></div>",
                       head="<meta itemprop='datePublished' content='2023/07/05 16:48'>"), "2023-07-05T16:48:00+08:00"),
    ("json-ld", page("<div class='info'>最后更新 2023-07-06 09:00</div>",
                     head='<script type="application/ld+json">{"@type": "NewsArticle", '
                          '"datePublished": "2023-07-05T16:48:00+08:00"}</script>'), "2023-07-05T16:48:00+08:00"),
    ("traditional", page("<div class='info'>更新時間：2023-07-06 09:00</div>",
                         head="<meta name='pubdate' content='2023-07-05T16:48:00+08:00'>"), "2023-07-05T16:48:00+08:00"),
    # Nothing else tells the publication: the revision's time stands for it (the closest the page
    # tells; most such pages are saved once).
    ("alone", page("<div class='info'>修改时间：2023-07-06 09:00 来源：本报</div>"), "2023-07-06T09:00:00+08:00"),
    # A modified-time meta is no publication.
    ("modified-meta", page("<div class='info'>更新时间：2023-07-06 09:00</div>",
                           head="<meta property='article:modified_time' content='2023-07-06T09:00:00+08:00'>"),
     "2023-07-06T09:00:00+08:00"),
]


@pytest.mark.parametrize(("html", "expected"), [c[1:] for c in REVISION_ONLY], ids=[c[0] for c in REVISION_ONLY])
def test_a_byline_that_prints_only_a_revision(html: str, expected: str) -> None:
    assert published(html) == expected
