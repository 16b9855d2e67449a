"""Page objects: the public API a profile's ``hooks.py`` may use (README "Site profiles").

A page object reads one page: one method per field, each a pure function of the page (its tree,
its URL, its layout), cached per object, never mutating the tree. :class:`LayoutPage` reads a
known layout's parts; :class:`GenericPage` is the generic path's. A hooks module subclasses
:class:`LayoutPage` for what a table cannot say and names the class in ``PAGE_OBJECTS``
(layout name → class).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from northnews.normalize import collapse_ws
from northnews.pages import _dom, rules
from northnews.pages._article import ArticlePage
from northnews.pages._byline import Byline, parse_byline
from northnews.pages._fields import keywords, page_urls, printed_tags, section
from northnews.pages._lines import reporters
from northnews.pages._paragraphs import Body, known_body
from northnews.pages._select import Doc, Element
from northnews.pages._walk import image_src, resolve

if TYPE_CHECKING:  # pragma: no cover
    from northnews.pages._layout import Layout

__all__ = ["Byline", "GenericPage", "LayoutPage", "PageObject"]


class PageObject:
    """What every page object has: the parsed page and its URL."""

    def __init__(self, doc: Doc, url: str) -> None:
        self.doc = doc
        self.url = url

    def select(self, selector: str) -> list[Element]:
        """Elements matching a CSS selector (the layouts' subset), in page order."""
        return _dom.css(selector)(self.doc)

    def select_one(self, selector: str) -> Element | None:
        found = self.select(selector)
        return found[0] if found else None

    def article(self) -> ArticlePage:
        """Every field of this page, as the extractor returns them."""
        raise NotImplementedError


class LayoutPage(PageObject):
    """A page of a known layout. Override any field method in a subclass."""

    def __init__(self, doc: Doc, url: str, layout: Layout) -> None:
        super().__init__(doc, url)
        self.layout = layout

    # --- helpers ---------------------------------------------------------------------------------

    def part(self, name: str) -> list[Element]:
        """The elements of one part of the layout (``title``, ``body``, ``kicker``…)."""
        return self.layout.select(name, self.doc)

    @functools.cached_property
    def leave_out(self) -> frozenset[Element]:
        """The layout's ``exclude`` elements."""
        return frozenset(self.part("exclude"))

    def text(self, el: Element | None) -> str:
        """``el``'s visible text without the layout's ``exclude`` elements."""
        return _dom.text_of(el, self.leave_out)

    def first_text(self, name: str) -> str | None:
        for el in self.part(name):
            text = self.text(el)
            if text:
                return text
        return None

    # --- fields ----------------------------------------------------------------------------------

    def title(self) -> str | None:
        for el in self.part("title"):
            text = _dom.headline_text(el, self.leave_out)
            if text:
                return text
        return None

    def kicker(self) -> str | None:
        return self.first_text("kicker")

    def subtitle(self) -> str | None:
        return self.first_text("subtitle")

    @functools.cached_property
    def _byline(self) -> Byline:
        return parse_byline(*self.part("byline"))

    def byline(self) -> Byline:
        return self._byline

    def source(self) -> str | None:
        return self._byline.source

    def author(self) -> str | None:
        printed = self.first_text("author")
        if printed:
            name = rules.AUTHOR_ROLE_RE.sub("", rules.AUTHOR_BOX_RE.sub("", printed, count=1), count=1).strip()
            return name or printed
        return self._byline.author or self._reporters()

    def _reporters(self) -> str | None:
        """An unlabelled reporter line (``本报记者 赵喆``) among the byline's segments, else the
        story's first line when it is one."""
        lines = [seg for el in self.part("byline") for seg in _dom.segmented_text(el).split(_dom.SEP)]
        lines += self._body.paragraphs[:1]
        return next((names for names in map(reporters, lines) if names), None)

    def editor(self) -> str | None:
        return self._byline.editor or self._body.editor

    def published(self) -> str | None:
        """The date as printed (raw): the ``date`` part (a ``<time>``'s ``datetime`` when it has
        one), else the byline's."""
        for el in self.part("date"):
            for time_el in el.iter("time"):
                machine = collapse_ws(time_el.get("datetime"))
                if machine:
                    return machine
            printed = self.text(el)
            if printed:
                return printed
        return self._byline.date

    def section(self) -> str | None:
        return section(self.doc, self.layout.spec.crumb)

    @functools.cached_property
    def _body(self) -> Body:
        return known_body(
            self.layout.body_elements(self.doc), self.url, self.layout.site_chrome, self.leave_out,
            frozenset(self.part("caption")),
        )

    def body(self) -> Body:
        return self._body

    def images(self) -> list[dict[str, str | None]]:
        """The body's pictures, and the ``images`` part's (outside the text block), in page order,
        each once."""
        inside = self._body.images
        outside = self._part_images()
        if not outside:
            return inside
        bodies = self.layout.body_elements(self.doc)
        first_body = self.doc.position(bodies[0]) if bodies else 1 << 30
        before = [img for pos, img in outside if pos < first_body]
        after = [img for pos, img in outside if pos >= first_body]
        out: list[dict[str, str | None]] = []
        seen: set[str] = set()
        for img in (*before, *inside, *after):
            if img["url"] not in seen:
                seen.add(img["url"] or "")
                out.append(img)
        return out

    def _part_images(self) -> list[tuple[int, dict[str, str | None]]]:
        captions = self.part("caption")
        found: list[tuple[int, dict[str, str | None]]] = []
        for el in self.part("images"):
            imgs = [el] if _dom.tag_of(el) == "img" else list(el.iter("img"))
            for img in imgs:
                if next(img.iterancestors("noscript"), None) is not None:
                    continue  # the copy shown without scripts: the lazy picture before it is this one
                src = image_src(img, self.url)
                if src:
                    found.append((self.doc.position(img), {"url": src, "caption": self._caption_near(img, captions)}))
        return found

    def _caption_near(self, img: Element, captions: list[Element]) -> str | None:
        """The caption part beside a picture: in the nearest wrapper of the picture that holds a
        caption and no other picture (up to four levels up); the caption after it first."""
        if not captions:
            return None
        node = img.getparent()
        for _ in range(4):
            if node is None or sum(1 for i in node.iter("img") if next(i.iterancestors("noscript"), None) is None) > 1:
                break
            inside = [cap for cap in captions if any(a is node for a in cap.iterancestors())]
            if inside:
                at = self.doc.position(img)
                after = [cap for cap in inside if self.doc.position(cap) > at]
                return self.text((after or inside)[0]) or None
            node = node.getparent()
        return None

    def paragraphs(self) -> list[str]:
        return self._body.paragraphs

    def tags(self) -> list[str]:
        """The ``tags`` part's (the tags the page prints), else the keywords meta."""
        return printed_tags(self.part("tags"), self.leave_out) or keywords(self.doc.root)

    def page(self) -> str | None:
        """The 版次: ``第03版：经济`` → ``03``."""
        printed = self.first_text("page")
        if not printed:
            return None
        match = rules.PAGE_NUMBER_RE.search(printed)
        return (match["n"] or match["bare"]) if match else None

    @functools.cached_property
    def _continued(self) -> tuple[str | None, str | None]:
        back = forward = None
        for el in self.part("continued"):
            links = [el] if _dom.tag_of(el) == "a" else list(el.iter("a"))
            for a in links:
                href = resolve(self.url, a.get("href"))
                text = _dom.text_of(a) or _dom.text_of(el)
                if not href:
                    continue
                if rules.CONTINUED_FROM_RE.search(text):
                    back = back or href
                elif rules.CONTINUED_TO_RE.search(text):
                    forward = forward or href
        return back, forward

    def continued_from(self) -> str | None:
        return self._continued[0]

    def continued_to(self) -> str | None:
        return self._continued[1]

    def page_urls(self) -> list[str]:
        return page_urls(self.doc.root, self.url) if self.layout.pager else []

    def error(self) -> str | None:
        """Why this is an error page (the layout's ``error``/``error_text``), else ``None``."""
        return self.layout.error_of(self.doc)

    def article(self) -> ArticlePage:
        error = self.error()
        if error:
            return ArticlePage(template=self.layout.name, error=error)
        return ArticlePage(
            template=self.layout.name,
            title=self.title(),
            source=self.source(),
            author=self.author(),
            editor=self.editor(),
            date=self.published(),
            section=self.section(),
            paragraphs=self.paragraphs(),
            images=self.images(),
            tags=self.tags(),
            page_urls=self.page_urls(),
            kicker=self.kicker(),
            subtitle=self.subtitle(),
            page=self.page(),
            continued_from=self.continued_from(),
            continued_to=self.continued_to(),
        )


class GenericPage(PageObject):
    """A page no layout describes, read by the generic extractor (one walk; fields from it)."""

    def __init__(self, doc: Doc, url: str, site_chrome: frozenset[str] = frozenset(),
                 crumbs: tuple[str, ...] = ()) -> None:
        super().__init__(doc, url)
        self.site_chrome = site_chrome
        self.crumbs = crumbs

    @functools.cached_property
    def _page(self) -> ArticlePage:
        from northnews.pages import generic

        return generic.parse_tree(self.doc, self.url, self.site_chrome, self.crumbs)

    def title(self) -> str | None:
        return self._page.title

    def source(self) -> str | None:
        return self._page.source

    def author(self) -> str | None:
        return self._page.author

    def editor(self) -> str | None:
        return self._page.editor

    def published(self) -> str | None:
        return self._page.date

    def section(self) -> str | None:
        return self._page.section

    def paragraphs(self) -> list[str]:
        return self._page.paragraphs

    def images(self) -> list[dict[str, str | None]]:
        return self._page.images

    def tags(self) -> list[str]:
        return self._page.tags

    def page_urls(self) -> list[str]:
        return self._page.page_urls

    def article(self) -> ArticlePage:
        return self._page
