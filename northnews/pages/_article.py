"""The raw fields of one article page."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ArticlePage:
    """Raw fields of one article page, as printed (labels may still be attached).

    ``date`` is the printed date/time string (for ``<time>``, its ``datetime`` attribute);
    ``page_urls`` the absolute URLs of the article's *other* pages from its pager, in order.
    """

    template: str
    title: str | None = None
    source: str | None = None
    author: str | None = None
    editor: str | None = None
    date: str | None = None
    section: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    images: list[dict[str, str | None]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    page_urls: list[str] = field(default_factory=list)
    kicker: str | None = None
    subtitle: str | None = None
    page: str | None = None
    continued_from: str | None = None
    continued_to: str | None = None
    #: Why this is an error page answered 200 (a layout's ``error``/``error_text``), else ``None``.
    error: str | None = None
