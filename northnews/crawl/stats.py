"""What a crawl's stats say: its errors by kind, its requests, and whether it archived nothing while
it should have. Read by the progress line and the summary (northnews.crawl.extensions), the store's
record of the run (the incremental extension) and ``northnews-cron``'s manifest and exit code
(northnews.ops.manifest), from the stats dict alone.

What counts as an error: a request that failed for good (a download exception after retries,
``download/<Exception>``; an HTTP status >= 400 other than 404/410, ``http_<status>``), an exception
in a spider callback (``spider/<Exception>``) or an item pipeline (``item/<Exception>``), an
article left incomplete because one of its pages failed (``article_incomplete``), and a sitemap or
feed that could not be read whole (``source_damaged``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from northnews.crawl.keys import (
    ARTICLE_INCOMPLETE_STAT,
    ARTICLE_KNOWN_STAT,
    ARTICLE_LINKS_STAT,
    ARTICLE_TOO_OLD_STAT,
    EDITION_DISALLOWED_STAT,
    ERRORS_STATS,
    PAGES_STATS,
    RUN_ID_STAT,
    SINCE_DROPPED_OLDER_STAT,
    STORE_ARTICLES_BEFORE,
    STORE_STATS,
)

PAGES = PAGES_STATS
ERRORS = ERRORS_STATS


def error_kinds(stats: Mapping[str, Any]) -> dict[str, int]:
    """Errors by kind, from a crawl's stats (see the module docstring)."""
    kinds = {k[len(ERRORS):]: int(v) for k, v in stats.items() if k.startswith(ERRORS)}
    for key, value in stats.items():
        if key.startswith("spider_exceptions/") and key != "spider_exceptions/count":
            kinds["spider/" + key.split("/", 1)[1]] = int(value)
    incomplete = int(stats.get(ARTICLE_INCOMPLETE_STAT, 0))
    if incomplete:
        kinds["article_incomplete"] = incomplete
    return dict(sorted(kinds.items()))


def error_count(stats: Mapping[str, Any]) -> int:
    return sum(error_kinds(stats).values())


def request_count(stats: Mapping[str, Any]) -> int:
    """Requests that reached an outcome: a final response or a final download failure."""
    return int(stats.get(PAGES + "fetched", 0)) + int(stats.get(PAGES + "failed", 0))


#: The kinds of :func:`silent_zero` alarms (cron: 4 for "unreachable", 7 for "drift").
UNREACHABLE, DRIFT = "unreachable", "drift"


def silent_zero(stats: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(kind, message)`` for each way this run archived nothing while it should have; [] if none.

    Judged only for a crawl recorded in the store (``northnews/run/id``): replay and a crawl
    without a store have nothing to compare with. A run that met only known articles (an
    incremental run on a quiet day) is no alarm, nor is one whose article links or articles were all
    older than ``-a since``.
    """
    if not stats.get(RUN_ID_STAT):
        return []

    def count(key: str) -> int:
        return int(stats.get(key, 0) or 0)

    alarms = []
    disallowed = sorted(k.rsplit("/", 1)[1] for k in stats if k.startswith(EDITION_DISALLOWED_STAT + "/"))
    if disallowed:
        alarms.append((UNREACHABLE, f"edition {', '.join(disallowed)} disallowed by robots.txt: nothing of it crawled"))
    lists, links = count(PAGES + "list"), count(ARTICLE_LINKS_STAT)
    matched = links + count(ARTICLE_TOO_OLD_STAT)
    archived = sum(count(STORE_STATS + k) for k in ("new", "updated", "unchanged"))
    # Articles fetched but dated before -a since (northnews.crawl.spidermiddlewares.since): not
    # stored, by choice, like the links the spider skipped as older.
    known = count(ARTICLE_KNOWN_STAT) + count(SINCE_DROPPED_OLDER_STAT)
    before = count(STORE_ARTICLES_BEFORE)
    if lists and not matched:
        alarms.append((DRIFT, f"no link on {lists} list page(s) matched the site profile's article rule"
                              " (urls.article): the profile no longer fits the site"))
    elif links and not archived and not known and before:
        alarms.append((DRIFT, f"nothing archived: {links} article link(s), none stored or already known,"
                              f" though the store holds {before} article(s) of this site"))
    return alarms
