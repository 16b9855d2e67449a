"""The item contract: one ``ArticleItem`` per article, whatever its page count.

Each field's docstring states its exact format. Fields that a page does not print are ``None``
(scalars) or empty lists, never missing, so every exported line has the same keys.
"""

from __future__ import annotations

import scrapy


class ArticleItem(scrapy.Item):
    url = scrapy.Field()
    """Absolute URL of the article's first page, as linked by the portal (``http`` or ``https``)."""

    site = scrapy.Field()
    """The site profile the article was crawled with (``"northnews"``): ``-a site``, see
    ``northnews/sites/``."""

    edition = scrapy.Field()
    """The edition code of the site profile whose host served the article (northnews: ``"zh"``,
    the Chinese edition, www.northnews.cn, or ``"en"``, the English edition)."""

    section = scrapy.Field()
    """The section name as the page's breadcrumb prints it (its last non-article crumb), or ``None``."""

    title = scrapy.Field()
    """Clean title: whitespace collapsed (``\\u3000`` and no-break spaces too), no site suffix."""

    source = scrapy.Field()
    """Canonical publisher name (``"Xinhua"`` for 新华网/新华社/Xinhua), ``None`` when nothing is printed.
    Unknown publishers pass through as printed."""

    source_raw = scrapy.Field()
    """The publisher as printed, without its label (``来源：``, ``from:``, ``Source:``), or ``None``."""

    author = scrapy.Field()
    """Author(s) as printed, without the ``作者：`` label, or ``None``."""

    editor = scrapy.Field()
    """Responsible editor as printed, without ``责任编辑：``/``编辑：``, or ``None``."""

    published = scrapy.Field()
    """Publication time, ISO 8601 with seconds and the offset of the site's time zone
    (northnews: China Standard Time, ``2015-09-15T15:21:00+08:00``). A date printed without a
    year takes the capture's year."""

    published_raw = scrapy.Field()
    """The date string exactly as printed on the page (``2015-09-15 15:21``)."""

    body = scrapy.Field()
    """The article text: paragraphs in reading order (all pages of a multi-page article), each
    stripped of indentation, joined by one blank line (``"\\n\\n"``). No captions, no chrome."""

    images = scrapy.Field()
    """List of ``{"url": absolute URL, "caption": str | None, "warc": {"file", "offset",
    "record_id"} | None, "warc_missing_reason": str | None}`` in page order. ``warc`` points at
    the image's own response (or revisit) record, like the item's ``warc``; when it is ``None``,
    ``warc_missing_reason`` says why (``disabled``, ``offsite``, ``too_many``, ``too_large``,
    ``robots``, ``http_<status>``, ``failed``, ``replay_miss``, ``no_warc``…: see
    ``northnews.crawl.pipelines.requisites.REASONS``)."""

    tags = scrapy.Field()
    """List of keywords from ``<meta name="keywords">``, split on commas/spaces, in order, no duplicates."""

    template = scrapy.Field()
    """The page layout recognised: a layout name of the site profile (northnews: ``"english"``,
    ``"l-cont"``, ``"l-tit"``, ``"wz-tit"``, ``"title-h3"``) or ``"generic"`` (best effort, no
    known layout matched)."""

    fetched_at = scrapy.Field()
    """When the first page was captured, ISO 8601 UTC: ``2026-11-28T11:20:00Z``. In WARC replay,
    the original capture time."""

    warc = scrapy.Field()
    """Provenance of the first page's response record: ``{"file", "offset", "record_id"}``
    (file name relative to ``<NORTHNEWS_ARCHIVE_DIR>/warc``), or ``None`` when no WARC holds it
    (mirror replay, WARC writing disabled)."""

    kicker = scrapy.Field()
    """The 引题 printed above a newspaper story's headline, as printed (whitespace collapsed), or
    ``None`` (read by a layout's ``kicker`` part)."""

    subtitle = scrapy.Field()
    """The 副题 printed below the headline, as printed, or ``None`` (a layout's ``subtitle`` part)."""

    page = scrapy.Field()
    """The newspaper page (版次) the story ran on, its number or code as printed (``第03版：经济``
    → ``"03"``, ``A3版`` → ``"A3"``), or ``None``."""

    continued_from = scrapy.Field()
    """Absolute URL of the first half of a story continued on another page (``上接第1版``), or ``None``."""

    continued_to = scrapy.Field()
    """Absolute URL of the rest of a story continued on another page (``转第5版``), or ``None``."""

    content_digest = scrapy.Field()
    """``sha1:<BASE32>`` of the article's normalised content (title, published, body) —
    changes exactly when the article's text changes; used for versioning."""

    redirected_from = scrapy.Field()
    """``None``, or for an item fetched through a redirect from another article URL (an alias,
    see ``northnews.crawl.redirects``): the URLs as linked that redirected to ``url``, oldest first
    (``["http://www.northnews.cn/2015/0916/2049502.shtml"]``). The store keeps each as an alias
    of ``url`` (table ``article_aliases``)."""

