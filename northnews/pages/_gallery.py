"""Pictures outside the text: a photo gallery's story (the captions under its photos, when little
else is said), and the pictures printed between the headline and the story's container.

A gallery page (组图, 高清, 图集) says a line or two of its own and then tells the story in the
captions of its photos, inside the container or in the block of slides right after it (the
container the scorer picks is then the intro alone: one-line captions score little)."""

from __future__ import annotations

from itertools import islice

from northnews.pages import _dom, rules
from northnews.pages._container import is_chrome
from northnews.pages._dom import Element
from northnews.pages._paragraphs import Body, found_container, layout_container, read
from northnews.pages._walk import image_src

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
    story = body.container if body.container is not None else found_container(container, url, cjk, good, skip, site_chrome)
    out = read(story, gallery=True)  # the same blocks, read again: the captions are the story
    for el in slides:
        more = read(found_container(el, url, cjk, good, skip, site_chrome), gallery=True)
        out.paragraphs += more.paragraphs
        out.images += more.images
    return out if len(out.paragraphs) > len(body.paragraphs) else body


def lead_pictures(
    heading: Element | None, container: Element | None, url: str, site_chrome: frozenset[str] = frozenset(),
) -> list[dict[str, str | None]]:
    """The pictures printed between the headline and the story's container, with their captions (an
    e-paper's photo above its text block): the container's earlier siblings, and its wrappers' up
    to the one beside the headline's, chrome and linked pictures left out; none when the headline
    is not that near (or is inside the container: its pictures are the body's)."""
    if heading is None or container is None:
        return []
    headline = {heading, *heading.iterancestors()}
    if container in headline:
        return []
    between: list[Element] = []
    node = container
    for _ in range(rules.LEAD_PICTURE_LEVELS):
        level: list[Element] = []
        reached = False
        for sibling in node.itersiblings(preceding=True):
            if sibling in headline:
                reached = True
                break
            if isinstance(sibling.tag, str):
                level.append(sibling)
        between = level[::-1] + between
        if reached:
            break
        node = node.getparent()
        if node is None or node in headline:
            return []  # the headline follows the story
    else:
        return []
    pictured = [el for el in between if not is_chrome(el, _dom.tag_of(el), site_chrome) and el.find(".//img") is not None]
    shown = {image_src(img, url) for el in pictured for img in el.iter("img") if not _linked(img)}
    if not shown:
        return []
    # Read as a known layout's images part is: the same walker, a caption beside each picture.
    return [img for img in read(layout_container(pictured, url, site_chrome)).images if img["url"] in shown]


def _linked(img: Element) -> bool:
    """A picture inside a link to a page (an advertisement, a logo, another story), not to itself."""
    for a in img.iterancestors("a"):
        return not rules.IMAGE_HREF_RE.search(a.get("href") or "")
    return False
