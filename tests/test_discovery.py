import dataclasses
from datetime import date

import pytest

from northnews.discovery import (
    Kind,
    classify,
    first_page_url,
    list_entries,
    list_page_number,
    list_section,
    next_list_page,
    page_links,
    url_date,
)
from northnews.pages import parse_html
from northnews.sites import load_site
from northnews.util.digestset import UrlLabels

NN = load_site("northnews")



@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://www.northnews.cn/2015/0915/2049381.shtml", Kind.ARTICLE),
        ("https://www.northnews.cn/2015/0915/2049381_2.shtml", Kind.ARTICLE),
        ("http://english.northnews.cn/201509/15/2049381.html", Kind.ARTICLE),
        ("http://www.northnews.cn/2015/0915/2049381.htm", Kind.ARTICLE),
        ("http://www.northnews.cn/", Kind.LIST),
        ("http://www.northnews.cn/news/nmgnews/", Kind.LIST),
        ("http://www.northnews.cn/news/nmgnews/index_3.shtml", Kind.LIST),
        ("http://www.northnews.cn/news/nmgnews/index.html", Kind.LIST),
        ("http://www.northnews.cn/news/nmgnews/list_2.shtml", Kind.LIST),
        ("http://www.northnews.cn/news/nmgnews/index_2.html", Kind.LIST),
        ("http://www.northnews.cn/search/", Kind.EXCLUDED),
        ("http://www.northnews.cn/search/?q=%E5%86%85", Kind.EXCLUDED),
        ("http://www.northnews.cn/uploads/2015/report.pdf", Kind.ATTACHMENT),
        ("http://upload.northnews.cn/2013/0114/1358095079926.jpg", Kind.ATTACHMENT),
        ("http://www.xinhuanet.com/2015/0915/1.shtml", Kind.OFFSITE),
        ("http://northnews.cn.evil.example/2015/0915/1.shtml", Kind.OFFSITE),
        ("ftp://www.northnews.cn/2015/0915/1.shtml", Kind.OFFSITE),
        ("http://www.northnews.cn/about/contact.shtml", Kind.OTHER),
    ],
)
def test_classify(url: str, kind: Kind) -> None:
    assert classify(url, NN) is kind


def test_first_page_url_strips_page_suffix_and_fragment() -> None:
    assert first_page_url("http://www.northnews.cn/2015/0915/2049381_3.shtml#top", NN) == (
        "http://www.northnews.cn/2015/0915/2049381.shtml"
    )
    assert first_page_url("http://www.northnews.cn/2015/0915/2049381.shtml", NN) == (
        "http://www.northnews.cn/2015/0915/2049381.shtml"
    )
    assert first_page_url("http://www.northnews.cn/201509/15/2049381_2.html?from=rss", NN) == (
        "http://www.northnews.cn/201509/15/2049381.html"
    )
    # The profile declares ?page= its only meaningful query parameter: other ones are noise.
    assert first_page_url("http://www.northnews.cn/news/index_2.shtml?x=1#a", NN) == (
        "http://www.northnews.cn/news/index_2.shtml"
    )
    assert first_page_url("http://www.northnews.cn/news/guonei/?page=2&from=nav#a", NN) == (
        "http://www.northnews.cn/news/guonei/?page=2"
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://www.northnews.cn/2015/0915/1.shtml", date(2015, 9, 15)),
        ("http://www.northnews.cn/201509/15/1.html", date(2015, 9, 15)),
        ("http://www.northnews.cn/2015/1399/1.shtml", None),  # not a date
        ("http://www.northnews.cn/news/", None),
    ],
)
def test_url_date(url: str, expected: date | None) -> None:
    assert url_date(url, NN) == expected


def test_list_pages_and_sections() -> None:
    assert list_page_number("http://www.northnews.cn/news/guonei/", NN) == 1
    assert list_page_number("http://www.northnews.cn/news/guonei/index_7.shtml", NN) == 7
    assert list_page_number("http://www.northnews.cn/news/guonei/list_4.html", NN) == 4
    assert list_section("http://www.northnews.cn/news/guonei/index_7.shtml") == list_section(
        "https://www.northnews.cn/news/guonei/"
    )
    assert list_section("http://www.northnews.cn/news/guoji/") != list_section(
        "http://www.northnews.cn/news/guonei/"
    )


LIST_PAGE = """<html><head><base href="http://www.northnews.cn/news/nmgnews/"></head><body>
<div class="nav"><a href="/">首页</a><a href="/news/guonei/">国内</a><a href="/search/?q=x">搜索</a></div>
<ul class="list">
  <li><a href="/2015/0915/2049381.shtml">甲</a><span class="date">2015-09-14</span></li>
  <li><a href="http://www.northnews.cn/2015/0914/2049000_2.shtml">乙</a></li>
  <li><a href="../../2015/0913/2048000.shtml">丙</a> <em>2015年09月13日</em></li>
  <li><a href="/2015/0915/2049381.shtml#comments">甲 again</a></li>
</ul>
<div class="page"><a href="index.html">1</a><a href="index_3.shtml">3</a><a href="index_2.shtml">下一页</a></div>
<a href="http://www.xinhuanet.com/">新华网</a><a href="/uploads/a.pdf">PDF</a><a href="javascript:void(0)">x</a>
</body></html>"""


def test_page_links_resolve_classify_and_date_entries() -> None:
    links = page_links(LIST_PAGE, "http://www.northnews.cn/news/nmgnews/index.html", NN)
    articles = [(link.url, link.date) for link in links if link.kind is Kind.ARTICLE]
    assert articles == [
        ("http://www.northnews.cn/2015/0915/2049381.shtml", date(2015, 9, 14)),  # printed date wins
        ("http://www.northnews.cn/2015/0914/2049000.shtml", date(2015, 9, 14)),  # URL date
        ("http://www.northnews.cn/2015/0913/2048000.shtml", date(2015, 9, 13)),
    ]
    kinds = {link.url: link.kind for link in links}
    assert kinds["http://www.northnews.cn/search/"] is Kind.EXCLUDED  # ?q= is noise to the profile
    assert kinds["http://www.xinhuanet.com/"] is Kind.OFFSITE
    assert kinds["http://www.northnews.cn/uploads/a.pdf"] is Kind.ATTACHMENT
    assert not any(u.startswith("javascript") for u in kinds)


def test_next_list_page_is_the_lowest_later_page_of_the_same_section() -> None:
    links = page_links(LIST_PAGE, "http://www.northnews.cn/news/nmgnews/index.html", NN)
    assert next_list_page("http://www.northnews.cn/news/nmgnews/", links, NN) == (
        "http://www.northnews.cn/news/nmgnews/index_2.shtml"
    )
    assert next_list_page("http://www.northnews.cn/news/nmgnews/index_3.shtml", links, NN) is None


# A 版面 page of the lanling e-paper (its profile: [sections] from = "list", page_name 第NN版：name).
LANLING = load_site("lanling")
ISSUE_PAGE = """<html><head><title>兰陵日报 - 第03版：社会</title></head><body><ul>
  <li><a href="content_301.htm">甲</a><span>2024-03-18</span></li>
  <li><a href="content_302.htm">乙</a><span>2024-03-15</span></li>
  <li><a href="../../2024-03/17/content_299.htm">丙</a></li>
</ul><a href="node_2.htm">第01版</a></body></html>"""
ISSUE_URL = "http://epaper.lanlingdaily.cn/lldb/html/2024-03/18/node_4.htm"
C = "http://epaper.lanlingdaily.cn/lldb/html/2024-03/"


def test_list_entries_name_each_article_by_its_list_page() -> None:
    root = parse_html(ISSUE_PAGE)
    names: dict[str, str] = {C + "17/content_299.htm": "要闻"}  # named by an earlier page: kept
    kept, too_old = list_entries(ISSUE_URL, root, page_links(root, ISSUE_URL, LANLING), LANLING, names)
    assert [link.url for link in kept] == [C + "18/content_301.htm", C + "18/content_302.htm", C + "17/content_299.htm"]
    assert too_old == 0
    assert names == {C + "18/content_301.htm": "社会", C + "18/content_302.htm": "社会", C + "17/content_299.htm": "要闻"}


def test_list_entries_since_leaves_older_entries_out_and_unnamed() -> None:
    root = parse_html(ISSUE_PAGE)
    names = UrlLabels()  # the spider's crawl-wide store of names: the same answers as a dict
    kept, too_old = list_entries(ISSUE_URL, root, page_links(root, ISSUE_URL, LANLING), LANLING, names,
                                 since=date(2024, 3, 17))
    # 302 prints 2024-03-15; 299 prints no date, its URL says 2024-03-17 (not older).
    assert [link.url for link in kept] == [C + "18/content_301.htm", C + "17/content_299.htm"]
    assert too_old == 1
    assert names.get(C + "18/content_301.htm") == "社会"
    assert names.get(C + "17/content_299.htm") == "社会"
    assert names.get(C + "18/content_302.htm") is None


def test_list_entries_names_nothing_when_sections_come_from_the_crumb() -> None:
    # lanling's own profile, its sections read from the story's crumb instead: the same 版面 page
    # (its title would name 社会) names no article.
    crumb = dataclasses.replace(LANLING, sections=dataclasses.replace(LANLING.sections, source="crumb"))
    root = parse_html(ISSUE_PAGE)
    names: dict[str, str] = {}
    kept, _ = list_entries(ISSUE_URL, root, page_links(root, ISSUE_URL, crumb), crumb, names)
    assert len(kept) == 3
    assert names == {}
