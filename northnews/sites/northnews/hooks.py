"""northnews.cn: what its profile's tables cannot say.

The English edition uses the ``l-cont`` markup with ``from:`` in place of ``来源：``; the two are
told apart by the byline label, else the edition header ``Edition:English``, the document
language or the title's script.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from lxml import etree

from northnews.pages import Doc, Layout, text_of

_ENGLISH_LABEL_RE = re.compile(r"(?<![A-Za-z])(?:from|source)\s*[:：]", re.I)
_CHINESE_LABEL_RE = re.compile(r"来\s*源\s*[:：]")
_EDITION_RE = re.compile(r"Edition\s*[:：]\s*English", re.I)
_EDITION_XP = etree.XPath("//body//text()[contains(., 'dition')]")


def is_english(doc: Doc, layout: Layout) -> bool:
    """An ``l-cont``-shaped page of the English edition?"""
    byline = " ".join(text_of(el) for el in layout.select("byline", doc))
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
    title = (layout.title_of(doc) or "").replace(" ", "")
    return bool(title) and sum(c.isascii() for c in title) >= 0.8 * len(title)


def refine_layout(doc: Doc, layout: Layout, layouts: Mapping[str, Layout]) -> Layout:
    """``l-cont`` pages of the English edition are the ``english`` layout."""
    if layout.name == "l-cont" and "english" in layouts and is_english(doc, layouts["english"]):
        return layouts["english"]
    return layout
