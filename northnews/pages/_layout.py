"""A known layout: where its title, byline, body and breadcrumb live (a site profile's table)."""

from __future__ import annotations

from dataclasses import dataclass, field

from northnews.pages import _dom
from northnews.pages._article import ArticlePage
from northnews.pages._body import body as parse_body
from northnews.pages._byline import parse_byline
from northnews.pages._fields import keywords, page_urls, section
from northnews.pages._select import Doc, Element, Selector
from northnews.sites import LayoutSpec

_PARTS = ("title", "byline", "body", "crumb", "date")


@dataclass(frozen=True)
class Layout:
    """One article layout of a portal: the profile's selector table (:class:`LayoutSpec`), compiled once."""

    spec: LayoutSpec
    #: The site's own chrome class names, dropped from bodies on top of the generic rules.
    site_chrome: frozenset[str] = frozenset()
    #: Whether the site splits articles into ``<id>_N`` pages (the pager is read only then).
    pager: bool = True
    _sel: dict[str, Selector] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sel = {k: _dom.css(getattr(self.spec, k)) for k in _PARTS if getattr(self.spec, k)}
        object.__setattr__(self, "_sel", sel)

    @property
    def name(self) -> str:
        return self.spec.name

    def select(self, part: str, doc: Doc) -> list[Element]:
        sel = self._sel.get(part)
        return sel(doc) if sel else []

    def score(self, doc: Doc) -> int:
        """How much of this layout's markup the page has: 0 (none) … 3 (title, byline, body).

        A page is this layout when it has the title and one more part, or byline and body
        (a known layout with an empty or missing heading is still that layout: its title is
        missing, not guessed).
        """
        title = bool(self.select("title", doc))
        byline = bool(self.select("byline", doc))
        body = bool(self.select("body", doc))
        if (title and (byline or body)) or (byline and body):
            return title + byline + body
        return 0

    def title_of(self, doc: Doc) -> str | None:
        for el in self.select("title", doc):
            text = _dom.text_of(el)
            if text:
                return text
        return None

    def body_element(self, doc: Doc) -> Element | None:
        found = self.select("body", doc)
        if len(found) <= 1:
            return found[0] if found else None
        return max(found, key=lambda el: len(_dom.text_of(el)))  # first of equals: the outermost

    def parse_tree(self, doc: Doc, url: str) -> ArticlePage:
        byline = parse_byline(*self.select("byline", doc))
        date = byline.date
        if "date" in self._sel:
            date = next((t for t in (_dom.text_of(el) for el in self.select("date", doc)) if t), None) or date
        body = parse_body(self.body_element(doc), url, self.site_chrome)
        root = doc.root
        return ArticlePage(
            template=self.name,
            title=self.title_of(doc),
            source=byline.source,
            author=byline.author,
            editor=byline.editor or body.editor,
            date=date,
            section=section(doc, self.spec.crumb),
            paragraphs=body.paragraphs,
            images=body.images,
            tags=keywords(root),
            page_urls=page_urls(root, url) if self.pager else [],
        )

    def parse(self, html: str, url: str) -> ArticlePage:
        """HTML → raw fields, assuming this layout."""
        root = _dom.parse_html(html)
        if root is None:
            return ArticlePage(template=self.name)
        return self.parse_tree(Doc(root), url)
