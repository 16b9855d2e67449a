"""A known layout: where its parts live (a site profile's selector table), compiled once; its
page object (:mod:`.objects`) reads them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from northnews.pages import _dom
from northnews.pages._article import ArticlePage
from northnews.pages._select import Doc, Element, Selector
from northnews.sites import LayoutSpec

_PARTS = ("title", "byline", "body", "crumb", "date", "exclude", "kicker", "subtitle", "author", "page",
          "continued", "images", "caption", "error", "tags")


@dataclass(frozen=True)
class Layout:
    """One article layout of a portal: the profile's selector table (:class:`LayoutSpec`), compiled once."""

    spec: LayoutSpec
    #: The site's own chrome class names, dropped from bodies on top of the generic rules.
    site_chrome: frozenset[str] = frozenset()
    #: Whether the site splits articles into ``<id>_N`` pages (the pager is read only then).
    pager: bool = True
    #: The page object class that reads this layout (a hooks module's ``PAGE_OBJECTS`` entry, else
    #: :class:`~northnews.pages.objects.LayoutPage`; :func:`~northnews.pages.layouts_of` names it).
    page_object: Any = None
    _sel: dict[str, Selector] = field(init=False, repr=False, compare=False)
    _error_text: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sel = {k: _dom.css(getattr(self.spec, k)) for k in _PARTS if getattr(self.spec, k, None)}
        object.__setattr__(self, "_sel", sel)
        pattern = getattr(self.spec, "error_text", None)
        object.__setattr__(self, "_error_text", re.compile(pattern, re.I) if pattern else None)

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def parts(self) -> frozenset[str]:
        return frozenset(self._sel)

    def select(self, part: str, doc: Doc) -> list[Element]:
        sel = self._sel.get(part)
        return sel(doc) if sel else []

    def score(self, doc: Doc) -> int:
        """How much of this layout's markup the page has: 0 (none) … 3 (title, byline, body).

        A page is this layout when it has the title and one more part, or byline and body
        (a known layout with an empty or missing heading is still that layout: its title is
        missing, not guessed). An error layout scores 4 when its marker is on the page.
        """
        if self._error_text is not None or "error" in self._sel:
            if self.error_of(doc):
                return 4
        title = bool(self.select("title", doc))
        body = bool(self.select("body", doc))
        if not title and not body:
            return 0  # a byline alone is no layout: not looked for
        byline = bool(self.select("byline", doc))
        if (title and (byline or body)) or (byline and body):
            return title + byline + body
        return 0

    def error_of(self, doc: Doc) -> str | None:
        """Why the page is an error page by this layout's ``error``/``error_text``, or ``None``."""
        if "error" in self._sel and self.select("error", doc):
            return f"the page has {self.spec.error!r} (layout {self.name})"
        if self._error_text is not None:
            labels = [_dom.text_of(t) for t in doc.root.iter("title", "h1", "h2")]
            for label in labels:
                found = self._error_text.search(label)
                if found:
                    return f"the page says {found.group(0)!r} (layout {self.name})"
        return None

    def valid_on(self, day: date | None) -> bool:
        """Is the layout valid for a page of ``day`` (``valid_from`` ≤ day < ``valid_until``)?"""
        if day is None:
            return True
        start, until = getattr(self.spec, "valid_from", None), getattr(self.spec, "valid_until", None)
        if start and day < date.fromisoformat(start):
            return False
        return not (until and day >= date.fromisoformat(until))

    @property
    def dated(self) -> bool:
        return bool(getattr(self.spec, "valid_from", None) or getattr(self.spec, "valid_until", None))

    def title_of(self, doc: Doc) -> str | None:
        leave_out = frozenset(self.select("exclude", doc))
        for el in self.select("title", doc):
            text = _dom.text_of(el, leave_out)
            if text:
                return text
        return None

    def body_elements(self, doc: Doc) -> list[Element]:
        """The body part's elements: every match not inside another (a selector list is a union)."""
        found = self.select("body", doc)
        if len(found) <= 1:
            return found
        chosen = set(found)
        outer = [el for el in found if not any(a in chosen for a in el.iterancestors())]
        return outer

    def body_element(self, doc: Doc) -> Element | None:
        found = self.body_elements(doc)
        return found[0] if found else None

    def page_object_for(self, doc: Doc, url: str) -> Any:
        if self.page_object is None:  # the page objects import this module: it names none of them
            raise TypeError(f"layout {self.name}: no page object (layouts_of() names LayoutPage or the hooks' class)")
        return self.page_object(doc, url, self)

    def parse_tree(self, doc: Doc, url: str) -> ArticlePage:
        article: ArticlePage = self.page_object_for(doc, url).article()  # page_object is Any (an import cycle)
        return article

    def parse(self, html: str, url: str) -> ArticlePage:
        """HTML → raw fields, assuming this layout."""
        root = _dom.parse_html(html)
        if root is None:
            return ArticlePage(template=self.name)
        return self.parse_tree(Doc(root), url)
