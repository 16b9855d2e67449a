"""One article from its fetched pages: verdict → parse → stitch → normalise (then validate).

The spider's callbacks and ``northnews-archive extract`` call the same two things:

* :func:`read_page` — one fetched page (its body, content type and decoded text, or the tree the
  caller parsed already) → :class:`PageRead`: the verdict of :mod:`northnews.pagecheck` (not an
  article page: empty, binary, a soft 404, maintenance, a parser error), the page's raw fields
  (:func:`northnews.pages.parse_article`) and its lxml tree, parsed once;
* :class:`Assembly` — an article's first page, then its later pages in the order its pager gives
  them (page 3's pager lists page 2 again: a page is asked for once), a later page that is not a
  page of it (or failed) making the article ``incomplete``; then :meth:`Assembly.item`, the item's
  fields by :func:`northnews.pages.stitch.build_item` (stitching and normalising).

Where the pages come from, and what is done with the verdicts (stats, signals, reject lines), is
the caller's.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from northnews import discovery, pages
from northnews.article.aliases import REASONS
from northnews.pagecheck import Verdict, body_verdict, page_verdict, unterminated
from northnews.pages import ArticlePage, Element, stitch
from northnews.sites import Site

logger = logging.getLogger(__name__)

#: The verdict of a page the parsers raised on (an error of the run, never a silent 0).
PARSER_ERROR = "parser_error"


@dataclass
class PageRead:
    """What one fetched page is: ``verdict`` ``None`` when it is an article page, ``page`` its raw
    fields (``None`` when it was not parsed), ``root`` its tree (``None`` for a non-text answer)."""

    url: str
    verdict: Verdict | None
    page: ArticlePage | None = None
    root: Element | None = None
    #: Read in a worker process (:func:`northnews.crawl.pageworker.read_whole`), where the tree stays: the article's other
    #: pages and the article its canonical link makes this one an alias of, computed there.
    others: list[str] | None = None
    alias: str | None = None
    parser_errors: int = 0  # exceptions the page parsers logged in that worker
    #: Its HTML never closes (:func:`northnews.pagecheck.unterminated`): maybe cut short.
    unterminated: bool = False


def read_page(
    url: str, body: bytes, content_type: str | None, text: str | None, site: Site, *,
    tree: Callable[[], Element | None] | None = None,
) -> PageRead:
    """Is this answer an article page at all, and its raw fields. ``text``: the decoded body of a
    text answer, ``None`` for any other; ``tree``: gives the page's tree when the caller keeps one
    (the spider reads the page's links from it too), called only when the page is to be parsed."""
    verdict = body_verdict(body, content_type, text is not None)
    if verdict is not None or text is None:
        return PageRead(url, verdict)
    root = tree() if tree is not None else pages.parse_html(text)
    try:
        page = pages.parse_article(None, url, site, root=root)
    except Exception as exc:  # a parser bug: an error of the run (summary, manifest, cron), never a silent 0
        logger.exception("Article page %s: the parser raised %s", url, type(exc).__name__)
        return PageRead(url, Verdict(PARSER_ERROR, f"{type(exc).__name__}: {exc}"), None, root)
    return PageRead(url, page_verdict(root, len(page.paragraphs), page.error), page, root,
                    unterminated=unterminated(text))


def other_pages(read: PageRead, site: Site) -> list[str]:
    """The article's other pages its pager links, by the profile's page shape, in order (from the
    page's one tree: no second parse)."""
    if read.others is not None:
        return read.others
    if read.root is None:
        return []
    return [u for u in discovery.article_pages(read.root, read.url, site) if u != read.url]


@dataclass
class Assembly:
    """One article being assembled: ``url`` as linked (an alias's target), its pages so far."""

    url: str
    site: Site
    pages: list[ArticlePage]
    pending: list[str]
    seen: set[str]
    capture: dict[str, Any] = field(default_factory=dict)
    section: str | None = None  # the list page it was found on (discovery.list_section), if any
    redirected_from: list[str] = field(default_factory=list)
    #: Its pages whose HTML never closes (:attr:`PageRead.unterminated`).
    unterminated: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, url: str, first: PageRead, site: Site, capture: dict[str, Any] | None = None,
              section: str | None = None, redirected_from: list[str] | None = None) -> Assembly:
        """From the article's first page (``first.verdict`` is ``None``); ``first.url`` is the URL
        that answered (a redirect's target), ``url`` the article's."""
        assert first.page is not None
        return cls(url, site, [first.page], other_pages(first, site), {url, first.url}, capture or {},
                   section, list(redirected_from or ()), [first.url] if first.unterminated else [])

    def next_page(self) -> str | None:
        """The next page to fetch, or ``None`` when every page is in."""
        if not self.pending:
            return None
        url = self.pending.pop(0)
        self.seen.add(url)
        return url

    def add(self, read: PageRead) -> Verdict | None:
        """A later page: ``None`` when it is a page of the article, else the article's verdict
        (``incomplete``, naming the page and why)."""
        verdict = read.verdict
        if verdict is None and (read.page is None or not read.page.paragraphs):
            verdict = Verdict("missing_body", "no body paragraphs")
        if verdict is not None:
            return Verdict("incomplete", f"page {read.url}: {verdict.reason} ({verdict.detail})")
        assert read.page is not None
        self.pages.append(read.page)
        if read.unterminated:
            self.unterminated.append(read.url)
        known = {*self.pending, *self.seen}
        self.pending.extend(u for u in other_pages(read, self.site) if u not in known)
        return None

    @staticmethod
    def page_failed(page_url: str, verdict: Verdict | None, message: str) -> Verdict:
        """A later page whose fetch failed for good: the article's verdict (``incomplete``; a
        refused redirect keeps its own reason: never stitched, pending)."""
        if verdict is not None and verdict.reason in REASONS:
            return verdict
        why = f"{verdict.reason}: {message}" if verdict else message
        return Verdict("incomplete", f"page {page_url} failed: {why}")

    def item(self, section_name: str | None = None) -> tuple[dict[str, Any], list[str]]:
        """The item's fields (``ITEM_FIELDS`` order) and its problem codes. ``section_name``: the
        section the first list page that listed it gives it (:func:`northnews.discovery.list_name`,
        kept by :func:`~northnews.discovery.list_entries`: the spider's and ``extract``'s one
        rule); for an article no list page listed (a sitemap's), ``[sections] from = "list"``
        takes its own URL's directory, ``list_or_crumb`` and ``crumb`` its breadcrumb."""
        fields, problems = stitch.build_item(self.pages, self.url, self.site, self.capture)
        sections = self.site.sections
        if sections.named_by_lists:
            name = section_name
            if name is None and sections.source == "list":
                name = discovery.directory_name(self.url)
            if name:
                fields["section"] = name
        # An alias's target (northnews.article.aliases): the URLs that led to it; else None.
        fields["redirected_from"] = self.redirected_from or None
        if self.unterminated:  # kept, but said: its text may lack its end
            problems = [*problems, "unterminated_page"]
        return fields, problems
