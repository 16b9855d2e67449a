"""Normalisation: pure functions from raw page fields to item fields.

* :mod:`.text` — whitespace, byline labels and values, titles, publishers, tags, breadcrumbs;
* :mod:`.dates` — printed dates → aware datetimes in the site's time zone;
* :mod:`.merge` — ``article_fields(pages, url, site)``: one article's pages → item fields + problems.

Site data (publisher aliases, site names, home crumbs, time zone, URL dates) comes from the
:class:`~northnews.sites.Site` passed in; nothing here is true of one portal only.
"""

from northnews.normalize.dates import (
    DATE_RE,
    date_raw,
    find_date,
    parse_datetime,
    parse_published,
    published_raw_of,
    url_date,
)
from northnews.normalize.merge import article_fields, clean_source, content_digest, empty_fields
from northnews.normalize.text import (
    AUTHOR_LABEL,
    DATE_LABEL,
    EDITOR_LABEL,
    SOURCE_LABEL,
    canonical_source,
    clean_person,
    clean_title,
    clean_value,
    collapse_ws,
    dedupe,
    section_from_crumbs,
    split_tags,
    strip_label,
)

__all__ = [
    "AUTHOR_LABEL", "DATE_LABEL", "DATE_RE", "EDITOR_LABEL", "SOURCE_LABEL", "article_fields",
    "canonical_source", "clean_person", "clean_source", "clean_title", "clean_value", "collapse_ws",
    "content_digest", "date_raw", "dedupe", "empty_fields", "find_date", "parse_datetime",
    "parse_published", "published_raw_of", "section_from_crumbs", "split_tags", "strip_label", "url_date",
]
