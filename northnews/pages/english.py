"""``english``: the English edition, the ``l-cont`` markup with ``from:`` in place of ``来源：``.

``.l-cont h1`` title; ``.name`` holding ``from:新华网2015-09-15 15:21`` as one run of text;
body ``.zhengwen``. Told apart from ``l-cont`` by its byline label (``from:`` vs ``来源：``), else by
the edition header ``Edition:English``, the document language or the title's script.
"""

from __future__ import annotations

import re

from lxml import etree

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
_EDITION_RE = re.compile(r"Edition\s*[:：]\s*English", re.I)
_EDITION_XP = etree.XPath("//body//text()[contains(., 'dition')]")


def is_english(doc: Doc) -> bool:
    """An ``l-cont``-shaped page of the English edition?"""
    byline = " ".join(_dom.text_of(el) for el in LAYOUT.select("byline", doc))
    if _ENGLISH_LABEL_RE.search(byline):
        return True
    if _CHINESE_LABEL_RE.search(byline):
        return False
    # No label printed: the edition's header ("Edition:English | 中文简体"), the document
    # language, then the script of the title.
    if any(_EDITION_RE.search(text) for text in _EDITION_XP(doc.root)):
        return True
    lang = (doc.root.get("lang") or "").lower()
    if lang:
        return lang.startswith("en")
    title = (LAYOUT.title_of(doc) or "").replace(" ", "")
    return bool(title) and sum(c.isascii() for c in title) >= 0.8 * len(title)


def parse(html: str, url: str) -> ArticlePage:
    return LAYOUT.parse(html, url)
