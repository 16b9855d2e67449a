"""Bylines as Chinese pages print them (the issue-16 field misses): each snippet with the source,
author and editor a reader would write down from it (by hand, not from the extractor)."""

from __future__ import annotations

import pytest

from northnews.normalize import article_fields
from northnews.pages import parse_article

HEADLINE = "市里召开推进会议部署下半年重点工作"
_P = "<p>" + "今年以来，我市坚持以高质量发展为主线，扎实推进各项工作，取得了显著成效，群众满意度持续提升。" * 3 + "</p>"
URL = "http://news.example.cn/a/123.html"


def page(by: str, after: str = "") -> str:
    return (f"<html><head><title>{HEADLINE}</title></head><body><h1>{HEADLINE}</h1>{by}"
            f"<div class='article'>{_P * 3}</div>{after}</body></html>")


CASES = [
    ("spans", page("<div class='info'><span>来源：新华网</span><span>作者：王芳</span><span>2023-07-05 16:48</span></div>"),
     ("新华网", "王芳", None)),
    ("one-line", page("<p>2023-07-05 16:48 来源：新华网 作者：王芳 责任编辑：李明</p>"), ("新华网", "王芳", "李明")),
    ("source-link", page("<div class='info'>来源：<a href='http://x.cn'>人民日报</a> 发布时间：2023年07月05日 16:48</div>"),
     ("人民日报", None, None)),
    ("editor-below", page("<div class='info'>2023-07-05 16:48</div>", "<div class='editor'>（责任编辑：李明）</div>"),
     (None, None, "李明")),
    ("reporters", page("<div class='info'>2023-07-05 16:48</div><p>本报记者 赵喆 通讯员 马丽</p>"), (None, "赵喆 马丽", None)),
    ("text-credit", page("<div class='info'>2023-07-05 16:48 来源：本报</div><p>文/李明 图/王芳</p>"), ("本报", "李明", None)),
    ("uncoloned-author", page("<div class='info'>2023-07-05 16:48 来源：本报 作者 王芳</div>"), ("本报", "王芳", None)),
    ("reporter-roles-in-author", page("<div class='info'>2023-07-05 16:48 作者：记者 其其格 通讯员 巴特尔</div>"),
     (None, "记者 其其格 通讯员 巴特尔", None)),
    ("reported-from", page("<div class='info'>2023-07-05 16:48</div><p>記者林悅／南市報導</p>"), (None, "林悅", None)),
    ("reported-from-in-byline", page("<div class='info'><span>2023-07-05 16:48</span>聯合報 記者<a href='/r/1'>陳嘉寧</a>"
                                     "／桃園機場報導</div>"), (None, "陳嘉寧", None)),
    ("traditional-labels", page("<div class='info'>來源：中央社 發布時間：2023-07-05 16:48 責任編輯：李明</div>"),
     ("中央社", None, "李明")),
    ("source-above-headline", "<html><head><title>" + HEADLINE + "</title></head><body><div class='top'>"
     "<div class='time'>2023-07-05 16:48</div><div class='source'>来源：新华网</div><div class='head'><h1>" + HEADLINE
     + "</h1></div></div><div class='article'>" + _P * 3 + "</div></body></html>", ("新华网", None, None)),
    ("bars", page("<div class='info'>稿源：新华社 | 2023-07-05 16:48 | 编辑：李明</div>"), ("新华社", None, "李明")),
]


@pytest.mark.parametrize(("html", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_byline_as_printed(html: str, expected: tuple[str | None, str | None, str | None]) -> None:
    fields, _ = article_fields([parse_article(html, URL)], URL)
    assert (fields["source_raw"], fields["author"], fields["editor"]) == expected
