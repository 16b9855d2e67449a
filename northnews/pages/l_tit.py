"""``l-tit``: picture stories.

``.l-tit h1`` title; ``.l-tit p`` spans: date, ``来源：<source>``, ``责任编辑：<editor>``;
body ``.picture-main .summary``; breadcrumb ``.crumb``.
"""

from __future__ import annotations

from northnews.pages._article import ArticlePage
from northnews.pages._layout import Layout

LAYOUT = Layout(
    name="l-tit",
    title=".l-tit h1",
    byline=".l-tit p",
    body=".picture-main .summary",
    crumb=".crumb",
)


def parse(html: str, url: str) -> ArticlePage:
    return LAYOUT.parse(html, url)
