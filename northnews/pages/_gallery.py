"""A photo gallery's story: the captions under its photos, when little else is said.

A gallery page (组图, 高清, 图集) says a line or two of its own and then tells the story in the
captions of its photos, inside the container or in the block of slides right after it (the
container the scorer picks is then the intro alone: one-line captions score little)."""

from __future__ import annotations

from itertools import islice

from northnews.pages import _dom, rules
from northnews.pages._dom import Element
from northnews.pages._paragraphs import Body, paragraphs

_SHORT_STORY = rules.GALLERY_STORY_MAX_CHARS


def _slides(el: Element) -> bool:
    """Two photos or more, a short text per photo, and little of it in links (not a list of
    other galleries)."""
    if not isinstance(el.tag, str):
        return False
    photos = sum(1 for _ in el.iter("img"))
    if photos < 2:
        return False
    text = len(_dom.text_of(el))
    linked = sum(len(_dom.text_of(a)) for a in el.iter("a"))
    return text <= 120 * photos and linked * 2 <= text


def gallery_body(
    body: Body, container: Element, url: str, cjk: bool, good: dict[Element, int], skip: frozenset[str],
    site_chrome: frozenset[str] = frozenset(),
) -> Body:
    """``body`` with a gallery's captions as its paragraphs, or ``body`` itself when it is no gallery."""
    if sum(map(len, body.paragraphs)) >= _SHORT_STORY:
        return body
    node = container  # the intro's wrapper when the intro is all it holds (div.pic-intro > p)
    while node.getnext() is None and node.getparent() is not None and node.getparent().tag != "body":
        node = node.getparent()
    slides = [el for el in islice(node.itersiblings(), 2) if _slides(el)][:1]
    captioned = sum(1 for image in body.images if image.get("caption"))
    if not slides and captioned < 2:
        return body
    out = paragraphs(container, url, cjk, good, skip, captions=True, site_chrome=site_chrome)
    for el in slides:
        more = paragraphs(el, url, cjk, good, skip, captions=True, site_chrome=site_chrome)
        out.paragraphs += more.paragraphs
        out.images += more.images
    return out if len(out.paragraphs) > len(body.paragraphs) else body
