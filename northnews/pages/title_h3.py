"""``title-h3``.

``.title h3`` title; ``.author p`` one line ``<date> 来源：<source> 编辑：<editor>``;
body ``.txt-content``; breadcrumb ``.position``.
"""

from __future__ import annotations

from northnews.pages._article import ArticlePage
from northnews.pages._layout import Layout

LAYOUT = Layout(
    name="title-h3",
    title=".title h3",
    byline=".author p",
    body=".txt-content",
    crumb=".position",
)


def parse(html: str, url: str) -> ArticlePage:
    return LAYOUT.parse(html, url)
