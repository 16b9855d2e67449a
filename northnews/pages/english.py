"""``english``: the English edition, the ``l-cont`` markup with ``from:`` in place of ``来源：``.

``.l-cont h1`` title; ``.name`` holding ``from:新华网2015-09-15 15:21`` as one run of text;
body ``.zhengwen``. Told apart from ``l-cont`` by its byline label, else by the title's script.
"""

from __future__ import annotations

import re

from northnews.pages import _dom
from northnews.pages._article import ArticlePage
from northnews.pages._select import Doc
from northnews.pages._layout import Layout

LAYOUT = Layout(
    name="english",
    title=".l-cont h1",
    byline=".name",
    body=".zhengwen",
    crumb=".senav",
)

_ENGLISH_LABEL_RE = re.compile(r"(?<![A-Za-z])(?:from|source)\s*[:：]", re.I)
_CHINESE_LABEL_RE = re.compile(r"来\s*源\s*[:：]")


def is_english(doc: Doc) -> bool:
    """An ``l-cont``-shaped page of the English edition?"""
    byline = " ".join(_dom.text_of(el) for el in LAYOUT.select("byline", doc))
    if _ENGLISH_LABEL_RE.search(byline):
        return True
    if _CHINESE_LABEL_RE.search(byline):
        return False
    title = (LAYOUT.title_of(doc) or "").replace(" ", "")
    if title:
        return sum(c.isascii() for c in title) >= 0.8 * len(title)
    lang = (doc.root.get("lang") or "").lower()
    return lang.startswith("en")


def parse(html: str, url: str) -> ArticlePage:
    return LAYOUT.parse(html, url)
