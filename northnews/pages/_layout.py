"""A known layout: where its title, byline, body and breadcrumb live."""

from __future__ import annotations

from dataclasses import dataclass, field

from northnews.pages import _dom
from northnews.pages._body import body as parse_body
from northnews.pages._byline import parse_byline
from northnews.pages._fields import keywords, page_urls, section
from northnews.pages._article import ArticlePage
from northnews.pages._select import Doc, Element, Selector


@dataclass(frozen=True)
class Layout:
    """One of the portal's article layouts, described by CSS selectors (compiled once)."""

    name: str
    title: str
    byline: str
    body: str
    crumb: str
    _sel: dict[str, Selector] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        sel = {k: _dom.css(getattr(self, k)) for k in ("title", "byline", "body", "crumb")}
        object.__setattr__(self, "_sel", sel)

    def select(self, part: str, doc: Doc) -> list[Element]:
        return self._sel[part](doc)

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
        body = parse_body(self.body_element(doc), url)
        root = doc.root
        return ArticlePage(
            template=self.name,
            title=self.title_of(doc),
            source=byline.source,
            author=byline.author,
            editor=byline.editor or body.editor,
            date=byline.date,
            section=section(doc, self.crumb),
            paragraphs=body.paragraphs,
            images=body.images,
            tags=keywords(root),
            page_urls=page_urls(root, url),
        )

    def parse(self, html: str, url: str) -> ArticlePage:
        """HTML → raw fields, assuming this layout."""
        root = _dom.parse_html(html)
        if root is None:
            return ArticlePage(template=self.name)
        return self.parse_tree(Doc(root), url)
