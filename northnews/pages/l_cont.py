"""``l-cont``: the Chinese edition's main layout.

``.l-cont h1`` title; ``.name`` spans ``来源：<source>``, ``<span class="at01">作者：<author></span>``
and the date; body ``.zhengwen``; breadcrumb ``.senav``.
"""

from __future__ import annotations

from northnews.pages._article import ArticlePage
from northnews.pages._layout import Layout

LAYOUT = Layout(
    name="l-cont",
    title=".l-cont h1",
    byline=".name, .at01",
    body=".zhengwen",
    crumb=".senav",
)


def parse(html: str, url: str) -> ArticlePage:
    return LAYOUT.parse(html, url)
