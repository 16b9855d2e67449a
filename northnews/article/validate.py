"""Is an assembled item complete? And the ``rejects.jsonl`` lines of those that are not.

The rules of :class:`northnews.crawl.pipelines.validate.ValidatePipeline` (the crawl) and of ``northnews-archive
extract`` (:mod:`northnews.ops.extract`), in one place so that both reject the same items for the
same reasons.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from itemadapter import ItemAdapter

from northnews.normalize import parse_datetime

#: The earliest ``published`` believed: the Chinese web begins in 1994-95 (a 1990 date is a CMS
#: placeholder or a misread, not an article's date).
EARLIEST_PLAUSIBLE = date(1995, 1, 1)
#: How far after its capture an article may be dated (time zones, clocks, scheduled posts).
FUTURE_SLACK = timedelta(days=2)


def reject_reasons(item: Any) -> list[str]:
    """Every reason ``item`` cannot be emitted as a normal article (empty list: it can), in the
    order checked: ``missing_title``, ``missing_body``, ``missing_date``, ``implausible_date``
    (before :data:`EARLIEST_PLAUSIBLE`, or more than :data:`FUTURE_SLACK` after the capture: a
    2099 date is rejected, not stored; the article stays pending, see :mod:`northnews.pagecheck`)."""
    adapter = ItemAdapter(item)
    reasons = []
    if not (adapter.get("title") or "").strip():
        reasons.append("missing_title")
    if not (adapter.get("body") or "").strip():
        reasons.append("missing_body")
    published = parse_datetime(adapter.get("published"))
    if published is None:
        reasons.append("missing_date")
    else:
        captured = parse_datetime(adapter.get("fetched_at")) or datetime.now(timezone.utc)
        if published.date() < EARLIEST_PLAUSIBLE or published > captured + FUTURE_SLACK:
            reasons.append("implausible_date")
    return reasons


def reject_record(item: Any, reasons: list[str]) -> dict[str, Any]:
    """The ``rejects.jsonl`` line of an item that failed validation (``rejected_at`` is added
    when it is written): the same whether the spider or ``northnews-archive extract`` rejects it."""
    adapter = ItemAdapter(item)
    return {
        "reason": reasons[0],
        "reasons": reasons,
        "url": adapter.get("url"),
        "template": adapter.get("template"),
        "title": adapter.get("title"),
    }


def incomplete_record(url: str, detail: str, reason: str = "incomplete") -> dict[str, Any]:
    """The ``rejects.jsonl`` line of an article that could not be assembled (a page failed)."""
    return {"reason": reason, "reasons": [reason], "url": url, "detail": detail}


def rejected_now() -> str:
    """``rejected_at`` of a reject line: now, UTC, whole seconds."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
