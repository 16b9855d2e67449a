"""One context per crawl: the settings read and validated once, the site profile loaded once, the
spider's ``-a`` arguments read once.

:class:`CrawlContext` is a Scrapy extension, built first (``EXTENSIONS``, priority 0): components
reach it through the crawler, ``CrawlContext.of(crawler)`` (``crawler.get_extension``), in their
``from_crawler`` or later, instead of reading settings with their own defaults, loading the site
profile again, or reading the spider's attributes. Scrapy builds the spider before the
extensions, so the spider's parsed arguments and its site (``-a site`` or ``NORTHNEWS_SITE``, loaded
and checked by the spider) are taken from it here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from weakref import WeakKeyDictionary

from northnews import config
from northnews.sites import DEFAULT_SITE, Site, load_site

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


@dataclass(frozen=True)
class CrawlArgs:
    """The spider's ``-a`` arguments as it parsed them (``None``: not given)."""

    raw: dict[str, Any]
    editions: tuple[str, ...] | None = None
    max_pages: int | None = None
    since: date | None = None
    refresh: float | None = None
    retry_failed: bool = False

    @classmethod
    def of_spider(cls, spider: Any) -> CrawlArgs:
        """Read once from the spider (Scrapy's convention: ``-a`` arguments are spider attributes)."""
        editions = getattr(spider, "editions", None)
        return cls(
            raw=dict(getattr(spider, "raw_args", None) or {}),
            editions=None if editions is None else tuple(editions),
            max_pages=getattr(spider, "max_pages", None),
            since=getattr(spider, "since", None),
            refresh=getattr(spider, "refresh", None),
            retry_failed=bool(getattr(spider, "retry_failed", False)),
        )


class CrawlContext:
    """Scrapy extension: what every component of one crawl shares (see the module docstring)."""

    def __init__(self, settings: Any, site: Site, args: CrawlArgs) -> None:
        #: The validated values of every setting in :data:`northnews.config.SETTINGS` given (but the
        #: site, which is loaded, and so checked, once: ``site``).
        self.values = config.validate({name: settings[name] for name in settings if name != "NORTHNEWS_SITE"},
                                      check_paths=False)
        self.site = site
        self.args = args
        self.archive_dir = Path(self.get("NORTHNEWS_ARCHIVE_DIR"))
        #: The replay source (``-a replay=``), or None in a live crawl.
        self.replay: str | None = self.get("NORTHNEWS_REPLAY") or None

    def get(self, name: str) -> Any:
        """A setting's validated value, else its one default (:func:`northnews.config.default`)."""
        return self.values.get(name, config.default(name))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlContext:
        ctx = _BUILT.get(crawler)
        if ctx is None:
            spider = getattr(crawler, "spider", None)
            site = getattr(spider, "site", None)
            if not isinstance(site, Site):  # not our spider (tests, tools): the profile the settings name
                site = load_site(crawler.settings.get("NORTHNEWS_SITE") or DEFAULT_SITE)
            ctx = _BUILT[crawler] = cls(crawler.settings, site, CrawlArgs.of_spider(spider))
        return ctx

    @classmethod
    def of(cls, crawler: Crawler) -> CrawlContext:
        """The crawl's context, one per crawler: the extension (``crawler.get_extension``) once the
        extensions are built; a component built before it (another extension) gets the same
        object, which the extension manager then adopts."""
        try:
            ctx = crawler.get_extension(cls)
        except RuntimeError:  # asked while the extensions are being built
            ctx = None
        return ctx if ctx is not None else cls.from_crawler(crawler)

    @property
    def editions(self) -> tuple[str, ...]:
        """The editions this crawl walks: ``-a editions``, else the profile's default ones."""
        if self.args.editions is not None:
            return self.args.editions
        return tuple(code for code, edition in self.site.editions.items() if edition.default)

    @property
    def start_url_by_edition(self) -> dict[str, str]:
        return {code: self.site.editions[code].start_url for code in self.editions if code in self.site.editions}

    @property
    def skipped_hosts(self) -> frozenset[str]:
        """The hosts of the editions this crawl leaves out (``-a editions=…``)."""
        return frozenset(e.host for code, e in self.site.editions.items() if code not in self.editions)

    @property
    def restrictions(self) -> list[str]:
        """Arguments that make a run walk less than every list page of every default edition."""
        found = []
        if self.args.max_pages is not None:
            found.append("max_pages")
        if self.args.since is not None:
            found.append("since")
        # Every edition crawled by default (an edition with `default = false`, such as an e-paper
        # crawled when named, does not make a run without it partial).
        defaults = {code for code, edition in self.site.editions.items() if edition.default}
        if self.args.editions is not None and not set(self.args.editions) >= defaults:
            found.append("editions")
        return found


_BUILT: WeakKeyDictionary[Any, CrawlContext] = WeakKeyDictionary()
