"""Page understanding: every layout, every field, on hand-written fixtures and the fixture portal.

``tests/fixtures/pages/<layout>/<case>/`` holds ``page.html`` (the bytes as served),
``meta.json`` (``url``, ``content_type``) and ``output.json`` (the expected fields, written by
hand from the rules, never by running the extractor).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import pytest

from northnews.crawl.pipelines.validate import reject_reasons
from northnews.encoding import decode, looks_mojibake
from northnews.normalize import article_fields, url_date
from northnews.pages import ArticlePage, generic, layouts_of
from northnews.pages import parse_article as parse_any
from northnews.pages._select import Doc, Selector
from northnews.sites import load_site

NN = load_site("northnews")
LAYOUT = {layout.name: layout for layout in layouts_of(NN)}


def parse_article(html: str, url: str):
    """Page understanding as the northnews.cn profile drives it."""
    return parse_any(html, url, NN)

FIXTURES = Path(__file__).parent / "fixtures"
PAGE_CASES = sorted(p.parent for p in (FIXTURES / "pages").glob("*/*/output.json"))

FIELDS = (
    "template", "title", "source", "source_raw", "author", "editor", "published",
    "published_raw", "section", "tags", "images", "body",
)
CHROME = (
    "Related News", "相关新闻", "分享到", "责任编辑", "网站介绍", "Copyright", "上一页", "下一页",
    "Edition:English", "document.write", "NORTHNEWS:A State-level", "蒙ICP备", "广告报价", "_hmt",
    "您现在的位置", "当前位置", "正文", "微博", "Next",
)


def load_case(case: Path) -> tuple[str, str, dict]:
    meta = json.loads((case / "meta.json").read_text("utf-8"))
    html, _ = decode((case / "page.html").read_bytes(), meta.get("content_type"))
    expected = json.loads((case / "output.json").read_text("utf-8"))
    return html, meta["url"], expected


def strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def test_page_fixtures_exist() -> None:
    layouts = {case.parent.name for case in PAGE_CASES}
    assert layouts == {"english", "l-cont", "l-tit", "wz-tit", "title-h3", "generic"}


@pytest.mark.parametrize("case", PAGE_CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_page_fixture(case: Path) -> None:
    html, url, expected = load_case(case)
    page = parse_article(html, url)
    fields, problems = article_fields([page], url, NN)
    for name in FIELDS:
        assert fields[name] == expected[name], name
    assert page.page_urls == expected["page_urls"]
    assert problems == expected["problems"]
    assert page.template == case.parent.name
    for text in strings(fields):
        assert not looks_mojibake(text), text
    for chrome in CHROME:
        assert chrome not in fields["body"], chrome
        assert chrome not in fields["title"], chrome


@pytest.mark.parametrize(
    "module, case",
    [
        (LAYOUT["english"], "english/seed_xinhua"),
        (LAYOUT["l-cont"], "l-cont/gb2312_meta"),
        (LAYOUT["l-tit"], "l-tit/picture_story_header_utf8_gbk_bytes"),
        (LAYOUT["wz-tit"], "wz-tit/seconds_author_editor"),
        (LAYOUT["title-h3"], "title-h3/one_line_byline"),
        (generic, "generic/article_time"),
    ],
)
def test_layout_parses_alone(module, case: str) -> None:
    html, url, expected = load_case(FIXTURES / "pages" / case)
    page = module.parse(html, url)
    assert isinstance(page, ArticlePage)
    assert page.template == expected["template"]
    fields, _ = article_fields([page], url, NN)
    assert fields["body"] == expected["body"]
    assert fields["title"] == expected["title"]


def test_layout_is_recognised_by_markup_not_url() -> None:
    html, _, expected = load_case(FIXTURES / "pages" / "wz-tit" / "seconds_author_editor")
    for url in ("http://www.northnews.cn/x/y.html", "http://english.northnews.cn/2015/0915/1.shtml"):
        assert parse_article(html, url).template == "wz-tit"
        assert article_fields([parse_article(html, url)], url, NN)[0]["body"] == expected["body"]


def test_generic_body_on_known_layouts() -> None:
    """The fallback, run on the known layouts, still finds the article's paragraphs."""
    for case in PAGE_CASES:
        if case.parent.name == "generic":
            continue
        html, url, expected = load_case(case)
        page = generic.parse(html, url)
        assert page.template == "generic"
        body = article_fields([page], url, NN)[0]["body"]
        first_paragraph = expected["body"].split("\n\n")[0]
        assert first_paragraph in body, case
        for chrome in ("网站介绍", "Copyright", "分享到", "document.write"):
            assert chrome not in body, (case, chrome)


# --- multi-page articles -------------------------------------------------------------------------

PAGE = """<html><head><meta name="keywords" content="{tags}"><title>{title}_正北方网</title></head><body>
<div class="senav"><a href="/">首页</a> &gt; <a href="/news/guoji/">国际</a> &gt; 正文</div>
<div class="l-cont"><h1>{title}</h1>
<div class="name"><span>来源：中新网</span><span class="at01">作者：{author}</span><span>2015-09-15 15:21</span></div>
<div class="zhengwen">{body}
<div class="page"><a href="2049390.shtml">1</a> <a href="2049390_2.shtml">2</a> <a href="2049390_3.shtml">3</a>
<a href="2049390_{next}.shtml">下一页</a></div></div></div></body></html>"""


def test_multi_page_article_is_merged_in_order() -> None:
    base = "http://www.northnews.cn/2015/0915/2049390"
    html = {
        1: PAGE.format(title="长文", tags="a,b", author="甲", next=2,
                       body='<p>第一段。</p><p><img src="/1.jpg"></p><p align="center">图一</p>'),
        2: PAGE.format(title="长文(2)", tags="c", author="乙", next=3,
                       body="<p>第二段。</p><p>责任编辑：丙</p>"),
        3: PAGE.format(title="长文(3)", tags="d", author="丁", next=3,
                       body='<p>第三段。</p><p><img src="/3.jpg">图三</p>'),
    }
    first = parse_article(html[1], base + ".shtml")
    assert first.page_urls == [base + "_2.shtml", base + "_3.shtml"]
    second = parse_article(html[2], base + "_2.shtml")
    assert second.page_urls == [base + ".shtml", base + "_3.shtml"]
    pages = [first, second, parse_article(html[3], base + "_3.shtml")]
    fields, problems = article_fields(pages, base + ".shtml", NN)
    assert problems == []
    assert fields["title"] == "长文"
    assert fields["author"] == "甲"
    assert fields["editor"] == "丙"
    assert fields["tags"] == ["a", "b"]
    assert fields["section"] == "国际"
    assert fields["source"] == "China News Service"
    assert fields["body"] == "第一段。\n\n第二段。\n\n第三段。"
    assert fields["images"] == [
        {"url": "http://www.northnews.cn/1.jpg", "caption": "图一"},
        {"url": "http://www.northnews.cn/3.jpg", "caption": "图三"},
    ]


# --- robustness ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "\x00\x01garbage",
        "<html",
        "<div class='l-cont'><h1></h1></div>",
        "<div class='wz-tit'><h1>只有标题</h1></div><div class='auth'></div>",
        "<" * 1000,
        "<div>" * 3000 + "深" + "</div>" * 3000,
        "<?xml version='1.0' encoding='gb2312'?><html><body><h1>x</h1></body></html>",
        "<html><body><p>\ud800</p></body></html>",
    ],
)
def test_never_raises(html: str) -> None:
    page = parse_article(html, "http://www.northnews.cn/2015/0915/1.shtml")
    assert isinstance(page, ArticlePage)
    fields, _ = article_fields([page], "http://www.northnews.cn/2015/0915/1.shtml", NN)
    assert set(fields) >= {"title", "body", "published", "content_digest"}


def test_known_layout_with_empty_heading_keeps_its_layout_and_no_title() -> None:
    html = (
        '<html><head><title>标题在这里_正北方网</title></head><body><div class="wz-tit"><h1> </h1>'
        '<div class="auth"><span>2015-09-15 15:21</span></div></div>'
        '<div class="zhengwen content"><p>正文。</p></div></body></html>'
    )
    page = parse_article(html, "http://www.northnews.cn/2015/0915/1.shtml")
    assert page.template == "wz-tit"
    assert article_fields([page], "http://www.northnews.cn/2015/0915/1.shtml", NN)[0]["title"] is None


def test_captions() -> None:
    html = """<div class="title"><h3>图文</h3></div><div class="author"><p>2015-09-15 15:21</p></div>
    <div class="txt-content">
    <p><img src="a.jpg"></p><p>Not a caption: a plain paragraph.</p>
    <p><img src="b.jpg"></p><p class="photo-caption">B caption</p>
    <p><img src="c.jpg"></p><p>Workers on site. (Xinhua/Li Gang)</p>
    <p><img src="d.jpg"> D in the same paragraph</p>
    <p><img src="e.jpg"></p><p><span style="TEXT-ALIGN:center">E centred</span></p>
    <p><img src="f.jpg"></p><p>　　新华社记者 X 摄的照片说明（新华社记者 张三 摄）</p>
    <p>Last paragraph.</p></div>"""
    page = parse_article(html, "http://www.northnews.cn/p/1.shtml")
    assert [(i["url"].rsplit("/", 1)[1], i["caption"]) for i in page.images] == [
        ("a.jpg", None),
        ("b.jpg", "B caption"),
        ("c.jpg", "Workers on site. (Xinhua/Li Gang)"),
        ("d.jpg", "D in the same paragraph"),
        ("e.jpg", "E centred"),
        ("f.jpg", "新华社记者 X 摄的照片说明（新华社记者 张三 摄）"),
    ]
    assert page.paragraphs == ["Not a caption: a plain paragraph.", "Last paragraph."]


def test_chrome_inside_the_body_is_dropped() -> None:
    html = """<div class="wz-tit"><h1>T</h1></div><div class="auth">2015-09-15 15:21</div>
    <div class="zhengwen content">
    <p>One.</p>
    <script>document.write("x")</script><style>p{}</style><noscript>enable js</noscript>
    <div class="bdsharebuttonbox"><a>微信</a></div>
    <p>分享到：微信 微博 QQ空间</p>
    <p>Two.</p>
    <p>【我要纠错】【打印】【关闭】</p>
    <p>相关新闻</p><ul><li><a href="/2015/0914/1.shtml">Other story</a> 2015-09-14</li></ul>
    <p>（责任编辑：王喆）</p>
    <div class="pager"><a href="1_2.shtml">下一页</a></div>
    <p><a href="1.shtml">上一页</a> <a href="1.shtml">1</a> <a href="1_2.shtml">2</a></p>
    </div>"""
    page = parse_article(html, "http://www.northnews.cn/2015/0915/1.shtml")
    assert page.paragraphs == ["One.", "Two."]
    assert page.editor == "王喆"
    assert page.page_urls == ["http://www.northnews.cn/2015/0915/1_2.shtml"]


def test_breadcrumb_section() -> None:
    cases = {
        '<div class="senav"><a>首页</a> &gt; <a>国内</a> &gt; 正文</div>': "国内",
        '<div class="senav">您现在的位置：<a>正北方网首页</a> » <a>新闻</a> » <a>国际</a></div>': "国际",
        '<div class="senav"><a>Home</a> &gt; <a>Business</a> &gt; Content</div>': "Business",
        '<div class="senav">首页 &gt; 正文</div>': None,
        '<div class="senav">当前位置：首页&gt;&gt;体育&gt;&gt;正文</div>': "体育",
        '<div class="senav">首页 - 财经 - 正文</div>': "财经",
        '<div class="senav"><a>首页</a><span>&gt;</span><a>内蒙古&nbsp;新闻</a><img src="arrow.gif"></div>': "内蒙古 新闻",
        '<div class="senav">位置：<a>正北方网</a> → <a>Xi-Jinping</a></div>': "Xi-Jinping",
    }
    for crumb, section in cases.items():
        html = f'{crumb}<div class="l-cont"><h1>标题</h1></div><div class="zhengwen"><p>x</p></div>'
        assert parse_article(html, "http://www.northnews.cn/1.shtml").section == section, crumb


# --- the fixture portal: every article, every field ----------------------------------------------

PORTAL = FIXTURES / "portal"
EXPECTED = FIXTURES / "expected"
needs_portal = pytest.mark.skipif(
    not (EXPECTED / "portal.jsonl").exists(), reason="fixture portal not generated"
)


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def portal_file(url: str) -> Path:
    parts = urlsplit(url)
    path = parts.path + ("index.html" if parts.path.endswith("/") else "")
    return PORTAL / parts.netloc / path.lstrip("/")


def extract_portal_article(url: str) -> tuple[dict, list[str], list[ArticlePage], list[str]]:
    """Parse the first page, then every page its pagers list, as the spider stitches them."""
    pages, fetched, queue = [], [], [url]
    seen = {url}
    while queue:
        page_url = queue.pop(0)
        html, _ = decode(portal_file(page_url).read_bytes())
        page = parse_article(html, page_url)
        pages.append(page)
        fetched.append(page_url)
        for other in page.page_urls:
            if other not in seen:
                seen.add(other)
                queue.append(other)
    fields, problems = article_fields(pages, url, NN)
    return fields, problems, pages, fetched


def portal_items() -> list[dict]:
    path = EXPECTED / "portal.jsonl"
    return read_jsonl(path) if path.exists() else []


def portal_rejects() -> list[dict]:
    path = EXPECTED / "rejects.jsonl"
    return read_jsonl(path) if path.exists() else []


PORTAL_CHROME = CHROME + (
    "热点排行", "Most Popular", "对外合作", "News On-Call", "All Rights Reserved", "Prev",
    "中文简体", "bdshare", "<p", "<div", "<img", "var ",
)


@needs_portal
@pytest.mark.parametrize("expected", portal_items(), ids=lambda item: item["url"])
def test_portal_article(expected: dict) -> None:
    fields, problems, pages, fetched = extract_portal_article(expected["url"])
    for name, value in expected.items():
        if name in {"url", "edition"}:  # set by the spider, not by page understanding
            continue
        assert fields[name] == value, name
    manifest = [p for p in read_jsonl(EXPECTED / "pages.jsonl") if p.get("article") == expected["url"]]
    assert sorted(fetched) == sorted(p["url"] for p in manifest)
    assert all(page.template == expected["template"] for page in pages)
    assert ("generic_template" in problems) == (expected["template"] == "generic")
    assert set(problems) <= {"generic_template", "date_url_mismatch"}
    for text in strings(fields):
        assert not looks_mojibake(text), text
    for chrome in PORTAL_CHROME:
        assert chrome not in fields["body"], chrome
        for image in fields["images"]:
            assert chrome not in (image["caption"] or ""), chrome
    assert fields["content_digest"].startswith("sha1:") and len(fields["content_digest"]) == 37


@needs_portal
def test_portal_covers_every_layout() -> None:
    assert {item["template"] for item in portal_items()} == {
        "english", "l-cont", "l-tit", "wz-tit", "title-h3", "generic"
    }


@needs_portal
@pytest.mark.parametrize("expected", portal_rejects(), ids=lambda item: item["url"])
def test_portal_reject(expected: dict) -> None:
    fields, _, _, _ = extract_portal_article(expected["url"])
    assert reject_reasons(fields)[:1] == [expected["reason"]]


@needs_portal
def test_portal_date_url_mismatch_is_reported_and_the_printed_date_wins() -> None:
    mismatched = [
        item for item in portal_items()
        if url_date(item["url"], NN) and item["published"]
        and item["published"][:10] != url_date(item["url"], NN).isoformat()
    ]
    assert mismatched, "the portal has an article whose URL date disagrees with the page"
    for item in mismatched:
        fields, problems, _, _ = extract_portal_article(item["url"])
        assert "date_url_mismatch" in problems
        assert fields["published"] == item["published"]


@pytest.mark.parametrize(
    "related",
    [
        '<div class="xgxw"><h3>相关新闻</h3><ul><li><a href="/2015/0101/1.shtml">某条新闻</a> <span>2015-01-01</span></li></ul></div>',
        '<p><strong>相关阅读：</strong></p><p><a href="/a.shtml">另一条新闻</a></p><p><a href="/b.shtml">第三条</a> 2015-01-02 10:00</p>',
        '<div><b>Related News</b><br/><a href="/1.shtml">Some story</a><br/><a href="/2.shtml">Other story</a></div>',
        '<p>相关新闻：<a href="/1.shtml">标题一</a> <a href="/2.shtml">标题二</a></p>',
        '<ul><li><a href="/2015/0101/1.shtml">没有标题的新闻列表</a>（2015-01-01）</li></ul>',
        '<table><tr><td>延伸阅读</td></tr><tr><td><a href="/1.shtml">某条新闻标题</a></td></tr></table>',
    ],
)
def test_related_news_forms_inside_the_body(related: str) -> None:
    html = (
        '<div class="title"><h3>T</h3></div><div class="author"><p>2015-09-15 15:21</p></div>'
        f'<div class="txt-content"><p>第一段，有一个<a href="/x.shtml">链接</a>。</p>{related}</div>'
    )
    page = parse_article(html, "http://www.northnews.cn/2015/0915/1.shtml")
    assert page.paragraphs == ["第一段，有一个链接。"]


# --- the same articles with other noise: what a differently generated mirror looks like ----------

NOISE_INSIDE = (
    '<script type="text/javascript">document.write("<div>广告</div>");</script>',
    '<div class="ad"><script>BAIDU_CLB_fillSlot("1");</script></div>',
    '<iframe src="http://ad.example.com/a.html" width="300"></iframe>',
    "<style>.x{color:red}</style>",
    "<p>\xa0</p>",
)
NOISE_AFTER = (
    '<div class="share">分享到：<a href="#">微信</a> <a href="#">微博</a></div>',
    '<p>分享到： <a href="#">QQ空间</a></p>',
    '<div class="bshare-custom"><span>Share to:</span></div>',
    '<div class="xgxw"><h3>相关新闻</h3><ul><li><a href="/2015/0101/1.shtml">某条新闻</a> <span>2015-01-01</span></li></ul></div>',
    '<p><strong>相关阅读：</strong></p><p><a href="/2015/0101/1.shtml">另一条新闻</a></p>',
    '<div><b>Related News</b><br/><a href="/2015/0101/1.shtml">Some story</a><br/><a href="/2.shtml">Other</a></div>',
    '<div id="displaypagenum"><center><a href="#">上一页</a> <b>1</b> <a href="#">下一页</a></center></div>',
    '<p align="center">共1页 [1]</p>',
    '<div class="pagination"><span>Prev</span> <span>1</span> <span>Next</span></div>',
)
_BODY_SELECTOR = ".zhengwen, .picture-main .summary, .txt-content, article"


def renoise(html: str, rnd: random.Random) -> bytes:
    """The page with other noise: shuffled and extra class tokens and attributes, wrappers
    around and inside the body, ads, empty paragraphs, share widgets, related news and pagers in
    other shapes; re-encoded as UTF-8 or GBK, declared or not."""
    root = lxml.html.document_fromstring(html)
    for el in root.iter(lxml.etree.Element):
        if el.get("class") is not None:
            tokens = [*el.get("class").split(), f"nz{rnd.randrange(9)}"]
            rnd.shuffle(tokens)
            attrs = {**el.attrib, "class": "  ".join(tokens)}
            el.attrib.clear()
            for name, value in rnd.sample(sorted(attrs.items()), len(attrs)):
                el.set(name, value)
    body = next(iter(Selector(_BODY_SELECTOR)(Doc(root))), None)
    if body is not None:
        inner = lxml.etree.SubElement(body, "div", {"class": f"inner{rnd.randrange(9)}"})
        inner.text, body.text = body.text, None
        for child in list(body)[:-1]:
            inner.append(child)
        for snippet in rnd.sample(NOISE_INSIDE, 2):
            inner.insert(rnd.randrange(len(inner) + 1), lxml.html.fragment_fromstring(snippet))
        for snippet in rnd.sample(NOISE_AFTER, 3):
            for element in lxml.html.fragments_fromstring(snippet):
                inner.append(element)
        wrapper = lxml.etree.Element("div", {"class": f"wrap{rnd.randrange(9)}"})
        body.getparent().replace(body, wrapper)
        wrapper.append(body)
    for meta in root.xpath("//meta[@charset or @http-equiv]"):
        meta.getparent().remove(meta)
    text = lxml.html.tostring(root, encoding="unicode", doctype="<!DOCTYPE html>")
    encoding = rnd.choice(["utf-8", "gb2312", "none"])
    if encoding == "utf-8":
        return text.replace("<head>", '<head><meta charset="utf-8">', 1).encode("utf-8")
    if encoding == "gb2312":
        text = text.replace("<head>", '<head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">', 1)
    return text.encode("gb18030", "xmlcharrefreplace")


@needs_portal
@pytest.mark.parametrize("seed", range(3))
def test_portal_articles_survive_other_noise(seed: int) -> None:
    manifest = read_jsonl(EXPECTED / "pages.jsonl")
    for expected in portal_items():
        rnd = random.Random(f"{seed} {expected['url']}")
        entries = sorted((m for m in manifest if m.get("article") == expected["url"]), key=lambda m: m["page"])
        pages = []
        for entry in entries:
            html, _ = decode(portal_file(entry["url"]).read_bytes())
            # A lying header on some pages: the bytes must still win.
            header = rnd.choice([None, "text/html", "text/html; charset=utf-8"])
            noisy, _ = decode(renoise(html, rnd), header)
            pages.append(parse_article(noisy, entry["url"]))
        fields, _ = article_fields(pages, expected["url"], NN)
        for name, value in expected.items():
            if name not in {"url", "edition"}:
                assert fields[name] == value, (expected["url"], name)


def test_page_urls_ignore_this_page_and_other_articles() -> None:
    pager = (
        '<a href="2049390_1.shtml">1</a> <a href="./2049390_2.shtml">2</a> '
        '<a href="http://www.northnews.cn/2015/0915/2049390_3.shtml">3</a> '
        '<a href="2049390.shtml">首页</a> <a href="/2015/0915/20493901_2.shtml">x</a> '
        '<a href="http://english.northnews.cn/2015/0915/2049390_4.shtml">y</a> '
        '<a href="/2015/0914/2049390_5.shtml">z</a> <a href="javascript:go(2049390)">js</a>'
    )
    html = f'<div class="l-cont"><h1>T</h1></div><div class="zhengwen"><p>x</p><div>{pager}</div></div>'
    base = "http://www.northnews.cn/2015/0915/2049390"
    assert parse_article(html, base + ".shtml").page_urls == [base + "_2.shtml", base + "_3.shtml"]
    assert parse_article(html, base + "_2.shtml").page_urls == [base + ".shtml", base + "_3.shtml"]
    # The scheme of the page being parsed is kept (a redirect to https stays on https).
    assert parse_article(html, "https://www.northnews.cn/2015/0915/2049390.shtml").page_urls[0] == (
        "https://www.northnews.cn/2015/0915/2049390_2.shtml"
    )


@pytest.mark.parametrize(
    "head, name, title, template",
    [
        ("", "from:新华网2015-09-15 15:21", "X", "english"),
        ("", "Source: Xinhua", "呼和浩特", "english"),
        ("", "来源：新华网", "Hohhot", "l-cont"),
        ('<div class="edition">Edition:English | 中文简体</div>', "2015-09-15", "呼和浩特", "english"),
        ("", "2015-09-15", "Wind farm opens in Hohhot", "english"),
        ("", "2015-09-15", "呼和浩特召开经济工作会议", "l-cont"),
    ],
)
def test_english_is_told_from_l_cont_by_markup(head: str, name: str, title: str, template: str) -> None:
    html = (
        f'<html><body>{head}<div class="l-cont"><h1>{title}</h1><div class="name">{name}</div>'
        '<div class="zhengwen"><p>text</p></div></div></body></html>'
    )
    assert parse_article(html, "http://www.northnews.cn/2015/0915/1.shtml").template == template


def test_footer_lines_go_but_sentences_about_copyright_stay() -> None:
    html = """<div class="wz-tit"><h1>T</h1></div><div class="auth">2015-09-15 15:21</div>
    <div class="zhengwen content">
    <p>Copyright infringement cases in Inner Mongolia rose 20 percent last year.</p>
    <p>版权所有人可以向法院提起诉讼。</p>
    <p>Copyright © 2004-2012 northnews.cn All Rights Reserved.</p>
    <p>版权所有：正北方网 蒙ICP备10000005号</p>
    </div>"""
    page = parse_article(html, "http://www.northnews.cn/2015/0915/1.shtml")
    assert page.paragraphs == [
        "Copyright infringement cases in Inner Mongolia rose 20 percent last year.",
        "版权所有人可以向法院提起诉讼。",
    ]
