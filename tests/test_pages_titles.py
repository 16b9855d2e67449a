"""Titles as Chinese pages carry them (issue 16, the title misses): a site's name after the
headline in ``<title>`` (``标题_新浪新闻``, ``标题-正北方网``, ``标题 | Site``) cut off on any site
(no profile names it here), and old pages without a ``<title>`` read from their ``h1``, ``og:title``
or the biggest heading by the byline. Expected titles are written by hand from each snippet."""

from __future__ import annotations

import pytest

from northnews.normalize import article_fields
from northnews.pages import parse_article

HEADLINE = "市里召开推进会议部署下半年重点工作"
_P = "<p>" + "今年以来，我市坚持以高质量发展为主线，扎实推进各项工作，取得了显著成效，群众满意度持续提升。" * 3 + "</p>"
URL = "http://news.example.cn/a/123.html"


def page(title: str | None, heading: str = "", og: str = "") -> str:
    head = (f"<title>{title}</title>" if title is not None else "") + (
        f"<meta property='og:title' content='{og}'>" if og else "")
    return (f"<html><head>{head}</head><body>{heading}<div class='info'>来源：本报 2023-07-05 16:48</div>"
            f"<div class='article'>{_P * 3}</div></body></html>")


def title(html: str) -> str | None:
    fields, _ = article_fields([parse_article(html, URL)], URL)
    value = fields["title"]
    return value if value is None else str(value)


@pytest.mark.parametrize("printed", [
    f"{HEADLINE}_新浪新闻", f"{HEADLINE}-正北方网", f"{HEADLINE} | Site", f"{HEADLINE}_国内新闻_新浪网",
    f"{HEADLINE}——人民网", f"{HEADLINE} - 新闻频道 - 正北方网", f"正北方网-{HEADLINE}",
    f"{HEADLINE}-内蒙古自治区人民政府门户网站",
])
def test_a_site_suffix_is_cut_on_any_site(printed: str) -> None:
    """No heading on the page: the ``<title>`` is all there is, the site's name cut off."""
    assert title(page(printed)) == HEADLINE


def test_an_english_suffix() -> None:
    html = page("Council approves new budget for schools | The Daily Example")
    assert title(html) == "Council approves new budget for schools"


def test_a_hyphen_inside_the_headline_stays() -> None:
    html = page("中美-东盟合作论坛开幕 多方代表出席_新华网")
    assert title(html) == "中美-东盟合作论坛开幕 多方代表出席"


def test_the_heading_that_agrees_wins_over_the_title() -> None:
    assert title(page(f"{HEADLINE}_新浪新闻", f"<h1>{HEADLINE}</h1>")) == HEADLINE


@pytest.mark.parametrize("heading", [
    f"<h1>{HEADLINE}</h1>",
    f"<div style='font-size:22px'><b>{HEADLINE}</b></div>",
    f"<table><tr><td align='center'><font size='5'><b>{HEADLINE}</b></font></td></tr></table>",
    f"<div class='biaoti'>{HEADLINE}</div>",
])
def test_no_title_element(heading: str) -> None:
    """Old pages without ``<title>``: the ``h1``, else the biggest heading by the byline."""
    assert title(page(None, heading)) == HEADLINE


def test_no_title_element_og_title() -> None:
    assert title(page(None, og=HEADLINE)) == HEADLINE


def test_a_big_font_without_a_dated_byline_is_no_headline() -> None:
    """A big font with no byline by it (a banner's slogan) is not taken for the headline."""
    html = ("<html><body><div style='font-size:24px'>建设美丽家园共享美好生活</div>"
            f"<div class='article'>{_P * 3}</div></body></html>")
    assert title(html) is None


@pytest.mark.parametrize("logo", [
    "<div class='header'><h1><a href='/'>某某市人民政府网</a></h1></div>",
    "<div class='header'><h1>某某市人民政府门户网站</h1></div>",
])
@pytest.mark.parametrize("heading", [
    f"<font size='5'><b>{HEADLINE}</b></font>",
    f"<table><tr><td class='bt'>{HEADLINE}</td></tr></table>",
])
def test_no_title_element_and_a_logo_h1(logo: str, heading: str) -> None:
    """An old page with no ``<title>`` whose ``h1`` is the site's logo (a home link, a name ending
    as sites' do): the headline is the big heading by the byline."""
    assert title(page(None, logo + heading)) == HEADLINE


def test_no_title_element_a_headline_h1_that_ends_as_a_site_name_stays() -> None:
    """``…防护网`` ends as a site's name does, but with no other heading the ``h1`` is the headline."""
    assert title(page(None, "<h1>织密城市安全防护网</h1>")) == "织密城市安全防护网"
