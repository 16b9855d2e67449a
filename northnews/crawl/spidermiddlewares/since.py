"""``-a since=YYYY-MM-DD`` made exact: no item dated before the day is emitted.

The spider skips links dated earlier before it fetches them (a list entry's date, else the URL's);
an article reached through a link that carries no date (a sidebar, related news, an undated list
entry) is fetched, archived, and only then known to be older. :class:`SinceMiddleware` removes such
an item from the spider's output, after the page is in the WARCs (the writer records every response
as it is downloaded) and its requisites are handed on, before any item pipeline sees it:

* the item is not in the feed, not in the store, not a reject, and not pending: a later crawl
  without ``-a since`` fetches the article and stores it like any article the store does not know
  (a pipeline's ``DropItem`` would fire ``item_dropped``, which records the URL pending in the store,
  and a pending or failed article counts as known to the incremental middleware);
* the stats count it, ``northnews/since/dropped_older``.

"Before the day" is the item's ``published`` timestamp read in the site's time zone: its calendar
date there is earlier than ``since``. An item with no ``published`` at all (or one no date parser
reads) is kept by this filter, counted as ``northnews/since/undated_kept``: nothing says it is older;
validation then quarantines it (``missing_date``), as in a crawl without ``-a since``.

Not configured without ``-a since``.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter, is_item
from scrapy.exceptions import NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from northnews.crawl.context import CrawlContext
from northnews.crawl.keys import SINCE_DROPPED_OLDER_STAT, SINCE_UNDATED_STAT
from northnews.normalize import parse_datetime

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def published_day(item: Any, tz: tzinfo) -> date | None:
    """The calendar day of the item's ``published`` in ``tz`` (the site's zone), or None when it has none."""
    value = ItemAdapter(item).get("published")
    if isinstance(value, datetime):  # an item built by other code than the spider's
        published: datetime | None = value if value.tzinfo else value.replace(tzinfo=tz)
    else:
        published = parse_datetime(value, tz) if isinstance(value, str) else None
    return None if published is None else published.astimezone(tz).date()


class SinceMiddleware(BaseSpiderMiddleware):
    """Spider middleware: items dated before ``-a since`` are archived but not emitted (module docstring)."""

    def __init__(self, crawler: Crawler, since: date, tz: tzinfo) -> None:
        super().__init__(crawler)
        self.since = since
        self.tz = tz
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SinceMiddleware:
        context = CrawlContext.of(crawler)
        if context.args.since is None:
            raise NotConfigured("no -a since")
        return cls(crawler, context.args.since, context.site.timezone)

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if not is_item(item):
            return item
        day = published_day(item, self.tz)
        if day is None:
            self.stats.inc_value(SINCE_UNDATED_STAT)
            return item
        if day < self.since:
            self.stats.inc_value(SINCE_DROPPED_OLDER_STAT)
            logger.debug("Article %s published %s, before -a since=%s: archived, not emitted",
                         ItemAdapter(item).get("url"), day, self.since)
            return None
        return item
