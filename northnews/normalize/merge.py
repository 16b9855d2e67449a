"""One article's pages (raw fields) → the item's fields, with problem codes for the caller."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, Protocol

from northnews.normalize.dates import find_date, parse_datetime, published_raw_of, url_date
from northnews.normalize.text import (
    canonical_source,
    clean_person,
    clean_title,
    clean_value,
    collapse_ws,
    dedupe,
    strip_label,
)
from northnews.sites import Site, load_site
from northnews.util.digest import sha1_base32


class RawPage(Protocol):
    """What the page parsers return (:class:`northnews.pages.ArticlePage`), as merge reads it."""

    template: str
    title: str | None
    source: str | None
    author: str | None
    editor: str | None
    date: str | None
    section: str | None
    paragraphs: list[str]
    images: list[dict[str, str | None]]
    tags: list[str]
    kicker: str | None
    subtitle: str | None
    page: str | None
    continued_from: str | None
    continued_to: str | None


GENERIC = "generic"


def clean_source(text: str | None) -> str | None:
    """``source_raw``: the publisher as printed, label and any glued date removed."""
    if text is None:
        return None
    text = strip_label(text, "source")
    match = find_date(text)
    if match:
        # English pages print "from:新华网2015-09-15 15:21" as one run of text.
        text = text[: match.start()] + " " + text[match.end() :]
    return clean_value(text)


def content_digest(title: str | None, published: str | None, body: str | None) -> str:
    """``sha1:<BASE32>`` of ``title + "\\n" + published + "\\n" + body`` (UTF-8)."""
    return "sha1:" + sha1_base32(f"{title or ''}\n{published or ''}\n{body or ''}".encode())


def _first(values: Iterable[Any]) -> Any:
    return next((v for v in values if v), None)


def article_fields(
    pages: Sequence[RawPage], url: str, site: Site | None = None, *, captured: datetime | None = None,
) -> tuple[dict[str, Any], list[str]]:
    """Merge one article's pages (first page first) into item fields, plus problem codes.

    ``site``: the profile whose names, publishers and time zone apply (the default profile when
    not given, as the first release's two-argument call did). ``captured`` (the first page's
    capture time) gives a year-less printed date its year.
    """
    site = site or load_site()
    problems: list[str] = []
    if not pages:
        return empty_fields(), ["no_pages"]
    first = pages[0]
    tz = site.timezone

    title = clean_title(first.title, site) or clean_title(_first(p.title for p in pages[1:]), site)
    source_raw = clean_source(_first(p.source for p in pages))
    author = clean_person(_first(p.author for p in pages), "author")
    editor = clean_person(_first(p.editor for p in pages), "editor")
    raw_date = _first(p.date for p in pages)
    printed = parse_datetime(raw_date, tz, now=captured or datetime.now(tz))
    published = printed.isoformat() if printed else None
    published_raw = published_raw_of(raw_date)

    paragraphs = [collapse_ws(t) for t in _once(pages)]
    body = "\n\n".join(t for t in paragraphs if t)
    images = [
        {"url": img["url"], "caption": collapse_ws(img.get("caption")) or None}
        for page in pages
        for img in page.images
        if img.get("url")
    ]
    tags = dedupe(collapse_ws(t) for t in (_first(p.tags for p in pages) or []))
    section = collapse_ws(_first(p.section for p in pages)) or None
    if section and section.casefold() in site.text.home_crumbs:
        section = None

    if first.template == GENERIC:
        problems.append("generic_template")
    in_url = url_date(url, site)
    if printed and in_url and printed.date() != in_url:
        problems.append("date_url_mismatch")

    fields = {
        "title": title,
        "source": canonical_source(source_raw, site),
        "source_raw": source_raw,
        "author": author,
        "editor": editor,
        "published": published,
        "published_raw": published_raw,
        "body": body,
        "images": images,
        "tags": tags,
        "template": first.template,
        "section": section,
        "content_digest": content_digest(title, published, body),
    }
    for name in ("kicker", "subtitle", "page", "continued_from", "continued_to"):
        fields[name] = collapse_ws(_first(getattr(p, name, None) for p in pages)) or None
    return fields, problems


def _once(pages: Sequence[RawPage]) -> list[str]:
    """The paragraphs of all pages, text printed on every page (a photo set's description) kept
    once, where the first page prints it."""
    if len(pages) < 2:
        return list(pages[0].paragraphs) if pages else []
    every = set(pages[0].paragraphs)
    for page in pages[1:]:
        every &= set(page.paragraphs)
    out = list(pages[0].paragraphs)
    for page in pages[1:]:
        out += [t for t in page.paragraphs if t not in every]
    return out


def empty_fields() -> dict[str, Any]:
    return {
        "title": None, "source": None, "source_raw": None, "author": None, "editor": None,
        "published": None, "published_raw": None, "body": "", "images": [], "tags": [],
        "template": GENERIC, "section": None, "content_digest": content_digest(None, None, ""),
        "kicker": None, "subtitle": None, "page": None, "continued_from": None, "continued_to": None,
    }
