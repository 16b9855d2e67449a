"""``wz-tit``.

``.wz-tit h1`` title; ``.auth`` spans: date, ``来源：``, ``作者：``, ``责任编辑：``;
body ``.zhengwen.content``; breadcrumb ``.l-pos``.
"""

from __future__ import annotations

from northnews.pages._article import ArticlePage
from northnews.pages._layout import Layout

LAYOUT = Layout(
    name="wz-tit",
    title=".wz-tit h1",
    byline=".auth",
    body=".zhengwen.content",
    crumb=".l-pos",
)


def parse(html: str, url: str) -> ArticlePage:
    return LAYOUT.parse(html, url)
