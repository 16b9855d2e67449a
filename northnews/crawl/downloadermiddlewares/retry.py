"""Scrapy's retries, honouring ``Retry-After`` (where Scrapy's defaults fall short of an archival
crawler; see the engineering notes)."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.interfaces import IReactorTime
from twisted.internet.task import deferLater

from northnews import config

if TYPE_CHECKING:  # pragma: no cover
    from scrapy import Spider
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)


def retry_after_seconds(value: str | bytes | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delta-seconds or an HTTP-date), or None."""
    if value is None:
        return None
    text = (value.decode("latin-1") if isinstance(value, bytes) else value).strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retries, but a 429/503 that says ``Retry-After`` is retried after that long.

    Stock Scrapy retries at once (three tries in 0.1 s for ``Retry-After: 120``): impolite, and
    pointless against a server that is shedding load. The wait is capped at
    ``NORTHNEWS_RETRY_AFTER_MAX`` seconds; a longer ask is met with the cap. A 429 *without*
    ``Retry-After`` ("too many requests", no hint) is retried after an exponential backoff,
    :data:`BACKOFF_BASE` × 2^(retry − 1) seconds (2, 4, 8 … under the same cap), counted as
    ``northnews/retry_after/backoffs``; a 503 without one is retried at once, as Scrapy does.
    """

    WAIT_STATUSES = frozenset({429, 503})
    BACKOFF_STATUSES = frozenset({429})
    BACKOFF_BASE = 2.0

    def __init__(self, settings: Settings, clock: IReactorTime | None = None) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("NORTHNEWS_RETRY_AFTER_MAX", config.default("NORTHNEWS_RETRY_AFTER_MAX"))
        self._clock = clock

    @property
    def clock(self) -> IReactorTime:
        if self._clock is None:
            from twisted.internet import reactor

            self._clock = reactor
        return self._clock

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        """A coroutine (Scrapy >= 2.14 awaits it; a returned Deferred is deprecated there): the
        wait is a timer on :attr:`clock` awaited through ``maybe_deferred_to_future``, so it works
        on the asyncio reactor (an asyncio Future) and on any other (the Deferred itself)."""
        result = super().process_response(request, response)
        if not isinstance(result, Request) or response.status not in self.WAIT_STATUSES:
            return result
        wait = retry_after_seconds(response.headers.get(b"Retry-After"))
        why = "Retry-After"
        if wait is None and response.status in self.BACKOFF_STATUSES:
            retry = int(result.meta.get("retry_times", 1))
            wait, why = self.BACKOFF_BASE * 2 ** max(retry - 1, 0), "no Retry-After, backoff"
            self.crawler.stats.inc_value("northnews/retry_after/backoffs")
        if not wait:
            return result
        wait = min(wait, self.max_wait)
        self.crawler.stats.inc_value("northnews/retry_after/waits")
        self.crawler.stats.inc_value("northnews/retry_after/seconds", wait)  # type: ignore[arg-type]  # fractional seconds: Scrapy's counter adds any number
        logger.info("%s answered %s, %s: waiting %.1f s before retrying", request.url, response.status, why, wait)
        await maybe_deferred_to_future(deferLater(self.clock, wait))
        return result
