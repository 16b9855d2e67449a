"""Layout parts (README "Site profiles"): exclude inside a matched element, kicker/subtitle/
author/page/continued, images outside the body and a selector list as a union, caption parts,
error layouts, layouts valid from/until a date, lazy-loaded pictures, page objects from hooks.
Expected values are written from the README's contract, not from the code."""

from __future__ import annotations

from pathlib import Path

import pytest

from northnews.pagecheck import page_verdict
from northnews.pages import Doc, LayoutPage, parse_article, parse_html
from northnews.sites import load_site

PROFILE = """
[site]
name = "paper"
title = "A paper"
timezone = "Asia/Shanghai"
allowed_domains = ["paper.example"]
[editions.zh]
start_url = "http://paper.example/"
language = "zh-CN"
[urls]
article = '/c/(?P<y>\\d{4})(?P<m>\\d{2})(?P<d>\\d{2})/(?P<id>\\d+)\\.htm$'
url_dates = ['/c/(?P<y>\\d{4})(?P<m>\\d{2})(?P<d>\\d{2})/']
list = '/$'
pager = "none"

[[layouts]]
name = "not-found"
error = ".error-404"
error_text = '页面不存在'

[[layouts]]
name = "old"
title = "#Article h1"
exclude = "#Article h1 span"
byline = "#Article h1 span"
body = "#Article .content"
valid_until = "2020-01-01"

[[layouts]]
name = "epaper"
title = ".art h1"
kicker = ".art .yinti"
subtitle = ".art .futi"
author = ".art .author"
byline = ".art .date"
body = ".art .text1, .art .text2"
images = ".art .pics img"
caption = ".art .pics p, .art .text1 .pic-desc"
page = ".banci"
continued = ".zhuan"
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    path: Path = tmp_path_factory.mktemp("paper") / "site.toml"
    path.write_text(PROFILE, encoding="utf-8")
    return load_site(str(path))


PHPCMS = """<html><head><title>x</title></head><body><div id="Article">
<h1>市里召开会议<br><span>2019-03-18 14:02:51 来源：日报</span></h1>
<div class="content"><p>第一段正文，内容很长很长。</p><p>第二段正文。</p></div></div></body></html>"""

EPAPER = """<html><body><div class="banci">第03版：经济</div><div class="art">
<p class="yinti">引题在此</p><h1>标题在此</h1><p class="futi">副题在此</p>
<p class="author">本报记者 赵喆 王芳</p><p class="date">2023-07-05</p>
<div class="pics"><img src="/loading.gif" data-original="/pic/1.jpg"><p>图为会场</p></div>
<div class="text1"><p>第一部分。</p><p class="pic-desc">这不是正文</p></div>
<div class="text2"><p>第二部分。</p></div>
<div class="zhuan"><a href="/c/20230705/9.htm">转第5版</a></div></div></body></html>"""


def test_a_part_left_out_inside_the_title_is_still_the_byline(site) -> None:  # noqa: ANN001
    page = parse_article(PHPCMS, "http://paper.example/c/20190318/1.htm", site)
    assert page.template == "old"
    assert page.title == "市里召开会议"
    assert page.date == "2019-03-18 14:02:51" and page.source == "日报"
    assert page.paragraphs == ["第一段正文，内容很长很长。", "第二段正文。"]


def test_a_layout_valid_until_a_date_does_not_read_later_pages(site) -> None:  # noqa: ANN001
    page = parse_article(PHPCMS, "http://paper.example/c/20210318/1.htm", site)
    assert page.template == "generic"


def test_newspaper_parts(site) -> None:  # noqa: ANN001
    page = parse_article(EPAPER, "http://paper.example/c/20230705/1.htm", site)
    assert page.template == "epaper"
    assert (page.kicker, page.title, page.subtitle) == ("引题在此", "标题在此", "副题在此")
    assert page.author == "赵喆 王芳"
    assert page.page == "03"
    assert page.continued_to == "http://paper.example/c/20230705/9.htm" and page.continued_from is None
    assert page.paragraphs == ["第一部分。", "第二部分。"]  # a union, in page order; the caption part is no body
    assert page.images == [{"url": "http://paper.example/pic/1.jpg", "caption": "图为会场"}]


@pytest.mark.parametrize(("img", "url"), [
    ('<img src="/loading.gif" data-srcset="/pic/1-300.jpg 300w, /pic/1-800.jpg 800w">', "http://paper.example/pic/1-800.jpg"),
    ('<img src="/blank.gif"><noscript><img src="/pic/n.jpg"></noscript>', "http://paper.example/pic/n.jpg"),
])
def test_a_layouts_lazy_pictures_read_as_the_generic_paths(site, img: str, url: str) -> None:  # noqa: ANN001
    """One rule for both paths (issue 16.5): the layout's body shows the real picture too."""
    html = EPAPER.replace('<img src="/loading.gif" data-original="/pic/1.jpg">', img)
    page = parse_article(html, "http://paper.example/c/20230705/1.htm", site)
    assert page.template == "epaper"
    assert page.images == [{"url": url, "caption": "图为会场"}]


def test_an_error_layout_makes_the_page_pending_soft_404(site) -> None:  # noqa: ANN001
    html = ("<html><head><title>404 页面不存在</title></head><body><div class='nav'>首页 新闻 体育</div>"
            + "<p>网站导航与页脚，很长的一段文字。</p>" * 30 + "</body></html>")
    root = parse_html(html)
    page = parse_article(None, "http://paper.example/c/20230705/2.htm", site, root=root)
    assert page.error and not page.paragraphs
    verdict = page_verdict(root, len(page.paragraphs), page.error)
    assert verdict is not None and verdict.reason == "soft_404"


@pytest.mark.parametrize(("img", "url"), [
    ('<img src="/img/loading.gif" data-src="/p/real.jpg">', "http://a.example/p/real.jpg"),
    ('<img src="/img/blank.gif" data-original="/p/o.jpg">', "http://a.example/p/o.jpg"),
    ('<img src="/img/lazy.png" srcset="/p/s.jpg 1x, /p/s2.jpg 2x">', "http://a.example/p/s2.jpg"),  # the best
    ('<img src="/p/plain.jpg">', "http://a.example/p/plain.jpg"),
])
def test_lazy_pictures_give_their_real_address_in_the_generic_path(img: str, url: str) -> None:
    from northnews.pages import generic

    html = (f"<html><head><title>T</title></head><body><h1>标题在这里很长</h1><div class='article-content'>{img}"
            + "<p>这是正文的段落，内容足够长，可以被认出来是正文。</p>" * 5 + "</div></body></html>")
    page = generic.parse(html, "http://a.example/a/1.html")
    assert [i["url"] for i in page.images] == [url]


def test_a_page_object_is_pure_and_public(site) -> None:  # noqa: ANN001
    from northnews.pages import layouts_of

    root = parse_html(EPAPER)
    before = parse_html(EPAPER)
    layout = next(la for la in layouts_of(site) if la.name == "epaper")
    page = LayoutPage(Doc(root), "http://paper.example/c/20230705/1.htm", layout)
    assert page.title() == "标题在此" and page.page() == "03"
    from lxml import etree

    assert etree.tostring(root) == etree.tostring(before)  # the tree is never changed


BROKEN = [
    # unclosed tags around the headline and the byline (issue 17.7)
    ("<html><head><title>标题甲_网</title></head><body><h1>标题甲<div class='info'>来源：日报 2023-07-05 10:00"
     "<div class='article-content'>" + "<p>正文段落内容足够长，是故事的文字。" * 6 + "</body></html>", "标题甲"),
    ("<html><head><title>标题乙_网</title><style>.a{color:red}</style></head><body><div class='nav'><ul><li><a href='/'>首页"
     "<li><a href='/n'>新闻</a><h1>标题乙</h1><div><div><div><div class='content'>"
     + "<p>正文段落内容足够长，是故事的文字。</p>" * 6 + "</body></html>", "标题乙"),
]


_STORY = "".join(f"<p>这是正文的第{i}段，内容足够长，是故事的文字，讲述了一件事情的经过。</p>" for i in range(8))
BROKEN += [
    # 300 levels of unclosed navigation lists around the story: the story is still read, without them
    ("<html><head><title>标题丙_网</title></head><body>"
     + "<div class='nav'><ul><li><a href='/a'>首页</a><li><a href='/b'>新闻</a>" * 300
     + "<style>.nav{color:red}</style><h1>标题丙</h1><div class='content'>" + _STORY + "</body></html>", "标题丙"),
    # 400 unclosed <div>s (past libxml2's depth limit) before a style sheet and a menu
    ("<html><head><title>标题丁_网</title></head><body>" + "<div>" * 400
     + "<style type='text/css'>body{color:red}</style><div class='menu'><a href='/'>首页</a> <a href='/n'>新闻</a>"
     "</div><h1>标题丁</h1><div class='content'>" + _STORY + "</body></html>", "标题丁"),
]


@pytest.mark.parametrize(("html", "title"), BROKEN)
def test_broken_html_keeps_title_and_body_apart(html: str, title: str) -> None:
    from northnews.pages import generic

    page = generic.parse(html, "http://a.example/a/1.html")
    assert page.title == title
    body = "".join(page.paragraphs)
    assert "正文段落" in body or "正文的第" in body
    assert "来源" not in (page.title or "") and "color:red" not in body and "首页" not in body and "新闻" not in body


def test_a_byline_left_unclosed_around_the_story_is_still_the_byline() -> None:
    from northnews.pages import generic

    html = ("<html><head><title>标题戊_网</title></head><body><h1>标题戊</h1><div class='info'><span>来源：日报 "
            "<span>2023-07-05 10:00<div class='content'>" + _STORY)
    page = generic.parse(html, "http://a.example/a/1.html")
    assert (page.title, page.date, page.source) == ("标题戊", "2023-07-05 10:00", "日报")
    assert len(page.paragraphs) == 8 and not any("来源" in p for p in page.paragraphs)


def test_paragraphs_right_after_the_headline_are_the_story() -> None:
    from northnews.pages import generic

    html = "<html><head><title>标题己_网</title></head><body><div><h1>标题己</h1>" + _STORY + "</div></body></html>"
    assert len(generic.parse(html, "http://a.example/a/1.html").paragraphs) == 8


def test_no_profile_imports_a_private_module() -> None:
    import ast

    sites = Path(__file__).resolve().parent.parent / "northnews" / "sites"
    for hooks in sites.glob("*/hooks.py"):
        for node in ast.walk(ast.parse(hooks.read_text("utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                if name.startswith("northnews"):
                    assert not any(part.startswith("_") for part in name.split(".")), f"{hooks}: imports {name}"
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("northnews.pages"):
                assert not any(a.name.startswith("_") for a in node.names), f"{hooks}: imports a private name"


def test_a_hooks_page_object_reads_what_a_table_cannot(tmp_path: Path) -> None:
    (tmp_path / "site.toml").write_text(PROFILE.replace('name = "paper"', 'name = "paperhooks"'), encoding="utf-8")
    (tmp_path / "hooks.py").write_text(
        "from northnews.pages import LayoutPage, text_of\n\n"
        "class EpaperPage(LayoutPage):\n"
        "    def page(self):\n"
        "        el = self.select_one('.banci')\n"
        "        return 'p' + text_of(el)[1:3] if el is not None else None\n\n"
        "PAGE_OBJECTS = {'epaper': EpaperPage}\n",
        encoding="utf-8",
    )
    site = load_site(str(tmp_path / "site.toml"))
    page = parse_article(EPAPER, "http://paper.example/c/20230705/1.htm", site)
    assert page.template == "epaper" and page.page == "p03" and page.title == "标题在此"


@pytest.mark.parametrize(("line", "names"), [
    ("本报记者 赵喆", "赵喆"),
    ("本报记者赵喆", "赵喆"),
    ("本报记者 赵喆 王芳", "赵喆 王芳"),
    ("本报记者 赵喆 通讯员 马丽", "赵喆 马丽"),
    ("（记者 王小明、李华）", "王小明 李华"),
    ("首席记者：张三", "张三"),
    ("記者林悅／南市報導", "林悅"),  # Taiwan's credit: who reported it, from where
    ("2019-03-18 23:59聯合報 記者陳嘉寧／桃園機場報導", "陳嘉寧"),
    ("〔即時新聞／綜合報導〕", None),
    ("记者了解到，项目已经开工。", None),
    ("来源：内蒙古日报", None),
    ("赵喆", None),
])
def test_an_unlabelled_reporter_line_names_the_author(line: str, names: str | None) -> None:
    from northnews.pages._lines import reporters

    assert reporters(line) == names


STORY = "<p>记者从自治区农牧厅获悉，截至10月18日，全区秋粮收获进度已超过七成，各地抢抓晴好天气。</p>" * 4


def test_the_generic_path_reads_a_reporter_line_and_the_picture_above_the_text() -> None:
    """A newspaper page: ``本报记者 X`` under the headline (no label), a picture with its caption
    between the headline and the story's text block; a linked picture there (an advertisement) is
    not the story's."""
    from northnews.pages import generic

    html = ("<html><head><title>秋粮收获进度过七成--日报</title></head><body><div class='article'>"
            "<h1>秋粮收获进度过七成</h1><div class='who'>本报记者 赵喆 通讯员 马丽</div>"
            "<div><a href='/ad/1.html'><img src='/ad/banner.jpg'></a></div>"
            "<table class='pic'><tr><td><img src='/res/1.jpg'></td></tr><tr><td class='caption'>农民在田间收获玉米</td></tr>"
            f"</table><div id='text'>{STORY}</div></div></body></html>")
    page = generic.parse(html, "http://paper.example/c/1.htm")
    assert page.author == "赵喆 马丽"
    assert page.images == [{"url": "http://paper.example/res/1.jpg", "caption": "农民在田间收获玉米"}]
    assert page.paragraphs and "本报记者" not in " ".join(page.paragraphs)


def test_a_reporter_line_opening_the_story_is_the_author_not_a_paragraph() -> None:
    from northnews.pages import generic

    html = (f"<html><head><title>秋粮收获进度过七成</title></head><body><h1>秋粮收获进度过七成</h1>"
            f"<div id='text'><p>本报记者 赵喆</p>{STORY}</div></body></html>")
    page = generic.parse(html, "http://paper.example/c/1.htm")
    assert page.author == "赵喆"
    assert page.paragraphs[0].startswith("记者从自治区")


def test_a_layout_without_an_author_part_reads_the_reporter_line_of_its_byline(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(PROFILE.replace('author = ".art .author"\n', ""), encoding="utf-8")
    html = EPAPER.replace('<p class="author">本报记者 赵喆 王芳</p><p class="date">2023-07-05</p>',
                          '<p class="date"><span>本报记者 赵喆 王芳</span><span>2023-07-05</span></p>')
    page = parse_article(html, "http://paper.example/c/20230705/1.htm", load_site(str(path)))
    assert page.template == "epaper"
    assert page.author == "赵喆 王芳" and page.date == "2023-07-05"
