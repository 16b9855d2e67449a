"""Sources of article URLs besides list pages: sitemaps, sitemap indexes, Google News sitemaps,
RSS 2.0 and Atom feeds, and the ``Sitemap:`` lines of robots.txt. Pure functions used by the spider.

Sitemaps are read with Scrapy's own ``scrapy.utils.sitemap`` (``Sitemap``,
``sitemap_urls_from_robots``); a feed is a few XPaths over lxml (Scrapy has no feed reader, and
feedparser would be a dependency for two elements). Each entry keeps the date its source prints
(``lastmod``, ``news:publication_date``, ``pubDate``, ``published``/``updated``), so that
``-a since`` skips older articles without fetching them.
"""

from __future__ import annotations

import re
import zlib
from datetime import date
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

from lxml import etree
from scrapy.utils.sitemap import Sitemap, sitemap_urls_from_robots

#: A sitemap larger than this once decompressed is read no further (the protocol's limit is 50 MB).
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_FEED_TYPES = {"application/rss+xml": "feed", "application/atom+xml": "feed", "application/xml": "feed"}
_ALTERNATE_XP = etree.XPath(
    "//link[@href][contains(concat(' ', translate(@rel, 'ALTERNATE', 'alternate'), ' '), ' alternate ')]"
)
_NEWS_DATES_XP = etree.XPath(
    "//*[local-name()='url'][*[local-name()='news']]"
    "/*[local-name()='loc' or local-name()='news']"
)

Entry = tuple[str, "date | None"]


def entry_date(text: str | None) -> date | None:
    """The calendar day of a sitemap/feed date: ISO 8601 (``2024-03-18T14:02:51+08:00``) or RFC 822
    (``Mon, 18 Mar 2024 14:02:51 +0800``), as printed (no zone conversion: a day is a day)."""
    if not text:
        return None
    m = _ISO_DATE_RE.search(text)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    try:
        return parsedate_to_datetime(text.strip()).date()
    except (TypeError, ValueError, IndexError):
        return None


def _gunzip(body: bytes) -> tuple[bytes, str | None]:
    """A gzip body inflated as far as it is sound (every member, at most :data:`MAX_SITEMAP_BYTES`),
    and what stopped it early (``None``: nothing did). A stream cut short or corrupt past some
    point keeps what came before."""
    out: list[bytes] = []
    size, rest, step = 0, body, 1 << 16
    while rest and size < MAX_SITEMAP_BYTES:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            for i in range(0, len(rest), step):
                chunk = inflater.decompress(rest[i : i + step], MAX_SITEMAP_BYTES - size)
                out.append(chunk)
                size += len(chunk)
                if inflater.eof or size >= MAX_SITEMAP_BYTES:
                    break
        except zlib.error as exc:
            return b"".join(out), f"corrupt ({exc})"
        if not inflater.eof:
            return b"".join(out), None if size >= MAX_SITEMAP_BYTES else "cut short"
        rest = inflater.unused_data.lstrip(b"\x00")
    return b"".join(out), None


def _xml(body: bytes, url: str) -> bytes:
    if url.lower().endswith(".gz") or body[:2] == b"\x1f\x8b":
        return _gunzip(body)[0]
    return body[:MAX_SITEMAP_BYTES]


def _news_dates(body: bytes) -> dict[str, date]:
    """loc → ``news:publication_date`` of a Google News sitemap (Scrapy's ``Sitemap`` keeps only
    the direct children of ``<url>``, and the date is a grandchild)."""
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return {}
    if root is None:
        return {}
    out: dict[str, date] = {}
    loc = None
    for el in _NEWS_DATES_XP(root):
        if etree.QName(el).localname == "loc":
            loc = (el.text or "").strip()
            continue
        for child in el.iter():
            if isinstance(child.tag, str) and etree.QName(child).localname == "publication_date" and loc:
                when = entry_date(child.text)
                if when:
                    out[loc] = when
    return out


def read_sitemap(body: bytes, url: str) -> tuple[list[Entry], list[str]]:
    """A sitemap's article entries, or a sitemap index's sitemaps."""
    xml = _xml(body, url)
    if not xml.strip():
        return [], []
    try:
        sitemap = Sitemap(xml)
    except (etree.XMLSyntaxError, StopIteration):
        return [], []
    if sitemap.type == "sitemapindex":
        return [], [urljoin(url, d["loc"]) for d in sitemap if d.get("loc")]
    news = _news_dates(xml) if b"news" in xml else {}
    entries = []
    for d in sitemap:
        loc = d.get("loc")
        if loc:
            entries.append((urljoin(url, loc), news.get(loc) or entry_date(d.get("lastmod"))))
    return entries, []


_TRAILER_RE = re.compile(rb"(?:\s|<!--.*?-->|<\?.*?\?>)*\Z", re.S)


def damage(body: bytes, url: str, kind: str) -> str | None:
    """Why a fetched sitemap or feed cannot be read whole, or ``None``: its gzip stream is cut or
    corrupt, it is no XML, or it stops before its root element closes (a body cut short, or a
    sitemap larger than :data:`MAX_SITEMAP_BYTES`). What can be read of it is read all the same
    (:func:`read_source`); the URLs after the damage are missing, which the caller must say."""
    if kind == "robots":
        return None
    if url.lower().endswith(".gz") or body[:2] == b"\x1f\x8b":
        xml, broken = _gunzip(body)
        if broken is not None:
            return f"its gzip stream is {broken}"
    else:
        xml = _xml(body, url)
    if not xml.strip():
        return "it is empty"
    try:
        root = etree.fromstring(xml, parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        return f"it is not XML ({exc})"
    if root is None:
        return "it is not XML"
    name = re.escape(etree.QName(root).localname.encode())
    closing = re.compile(rb"</(?:[\w.-]+:)?" + name + rb"\s*>")
    ends = [m.end() for m in closing.finditer(xml)]
    if not ends or not _TRAILER_RE.match(xml, ends[-1]):
        return f"it stops before its closing </{etree.QName(root).localname}> (cut short, {len(xml)} bytes)"
    return None


def read_feed(body: bytes, url: str) -> list[Entry]:
    """An RSS 2.0 or Atom feed's items: link and date."""
    try:
        root = etree.fromstring(body, parser=etree.XMLParser(recover=True, resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError:
        return []
    if root is None:
        return []
    entries = []
    for item in root.iter():
        if not isinstance(item.tag, str) or etree.QName(item).localname not in ("item", "entry"):
            continue
        link = when = None
        for child in item:
            if not isinstance(child.tag, str):
                continue
            name = etree.QName(child).localname
            if name == "link" and link is None:
                href = child.get("href")
                if href and child.get("rel", "alternate") == "alternate":
                    link = href.strip()
                elif not href and child.text and child.text.strip():
                    link = child.text.strip()
            elif name in ("pubDate", "published", "updated", "date") and when is None:
                when = entry_date(child.text)
        if link:
            entries.append((urljoin(url, link), when))
    return entries


def read_source(body: bytes, url: str, kind: str) -> tuple[list[Entry], list[tuple[str, str]]]:
    """``(article entries, further sources as (url, kind))`` of one fetched source.

    ``kind`` is what the profile or the finder called it (``sitemap``, ``feed``, ``robots``); what
    the document turns out to be decides how it is read (a URL named as a sitemap may be a feed).
    """
    if kind == "robots":
        return [], [(u, "sitemap") for u in sitemap_urls_from_robots(body, base_url=url)]
    head = _xml(body, url)[:2048].lower()
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return read_feed(body, url), []
    entries, sitemaps = read_sitemap(body, url)
    return entries, [(u, "sitemap") for u in sitemaps]


def alternate_feeds(root: etree._Element | None, base_url: str) -> list[tuple[str, str]]:
    """The feeds a page announces: ``<link rel="alternate" type="application/rss+xml" href>``."""
    if root is None:
        return []
    out = []
    for link in _ALTERNATE_XP(root):
        kind = _FEED_TYPES.get((link.get("type") or "").strip().lower())
        if kind:
            out.append((urljoin(base_url, link.get("href").strip()), kind))
    return out
