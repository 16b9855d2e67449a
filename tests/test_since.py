"""``-a since`` is exact (northnews.crawl.spidermiddlewares.since): no item dated before the day is
emitted, also for articles reached through links that carry no date; such a page is still fetched
and archived, counted, and neither stored nor pending, so a later crawl without ``-a since`` stores it.

End to end on the fenshui fixture portal served by the local proxy (tests/mockserver.py): its
dynamic channel's articles (``/plus/view.php?aid=N``) are linked from every page's sidebar with no
date, so the spider cannot skip the older ones before fetching them. The expected items are the
generator's (tests/fixtures/sites/fenshui/make_mirror.py, which imports no northnews).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from northnews.crawl.keys import SINCE_DROPPED_OLDER_STAT, SINCE_UNDATED_STAT
from northnews.crawl.spidermiddlewares.since import SinceMiddleware, published_day
from northnews.crawl.stats import silent_zero
from northnews.items import ArticleItem
from tests.mockserver import MockPortal
from tests.opskit import query
from tests.sitekit import Portal

PORTAL = Portal("fenshui")
SINCE = "2024-03-15"
SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- the rule, on items ---------------------------------------------------------------------------


def test_the_day_is_the_published_timestamp_s_day_in_the_site_s_zone() -> None:
    assert published_day({"published": "2024-03-14T23:59:59+08:00"}, SHANGHAI) == date(2024, 3, 14)
    # 16:30 UTC on the 14th is 00:30 on the 15th in Shanghai: the site's day counts.
    assert published_day({"published": "2024-03-14T16:30:00+00:00"}, SHANGHAI) == date(2024, 3, 15)
    assert published_day({"published": None}, SHANGHAI) is None
    assert published_day({"published": "not a date"}, SHANGHAI) is None
    assert published_day({}, SHANGHAI) is None
    assert published_day({"published": datetime(2024, 3, 14, 23, 0)}, SHANGHAI) == date(2024, 3, 14)
    assert published_day({"published": datetime(2024, 3, 14, 16, 30, tzinfo=timezone.utc)}, SHANGHAI) == date(2024, 3, 15)


def _middleware(since: date) -> SinceMiddleware:
    crawler = get_crawler()
    crawler.stats.open_spider()
    return SinceMiddleware(crawler, since, SHANGHAI)


def test_older_items_are_removed_undated_and_newer_ones_kept_and_each_counted() -> None:
    mw = _middleware(date(2024, 3, 15))
    older = ArticleItem(url="http://a.test/1", published="2024-03-14T23:59:00+08:00")
    first_minute = ArticleItem(url="http://a.test/2", published="2024-03-15T00:00:00+08:00")
    undated = ArticleItem(url="http://a.test/3", published=None)
    request_like = "not an item"  # anything that is not an item passes untouched
    out = list(mw.process_spider_output(None, [older, first_minute, undated, request_like]))
    assert out == [first_minute, undated, request_like]
    stats = mw.crawler.stats
    assert stats.get_value(SINCE_DROPPED_OLDER_STAT) == 1
    assert stats.get_value(SINCE_UNDATED_STAT) == 1


def test_not_configured_without_since() -> None:
    crawler = get_crawler(settings_dict={"NORTHNEWS_SITE": "fenshui"})
    with pytest.raises(NotConfigured):
        SinceMiddleware.from_crawler(crawler)


def test_a_run_whose_fetched_articles_were_all_older_is_no_silent_zero_alarm() -> None:
    run = {"northnews/run/id": "20261207T000000Z", "northnews/pages/list": 5,
           "northnews/spider/article_links": 3, "northnews/store/articles_before": 40}
    assert silent_zero(run)  # fetched 3 articles, stored none: an alarm ...
    assert silent_zero({**run, SINCE_DROPPED_OLDER_STAT: 3}) == []  # ... unless -a since left them out


# --- end to end, through the local proxy ----------------------------------------------------------


def _warc_urls(archive: Path) -> set[str]:
    """The target URLs of the response and revisit records in the archive's WARCs (from the CDXJ)."""
    urls: set[str] = set()
    for cdxj in (archive / "warc").glob("*.cdxj"):
        for line in cdxj.read_text(encoding="utf-8").splitlines():
            fields = json.loads(line.split(" ", 2)[2])
            urls.add(fields["url"])
    return urls


def _stats(archive: Path, run: int) -> dict:
    rows = query(archive, "SELECT stats_json FROM runs ORDER BY id")
    return json.loads(rows[run][0])


@pytest.fixture(scope="module")
def crawls(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A crawl with ``-a since``, then one without into the same archive: what each emitted, what
    the server was asked for by each."""
    archive = tmp_path_factory.mktemp("since") / "archive"
    with MockPortal(PORTAL.mirror, tls=True) as server:
        first = PORTAL.crawl(archive, "-a", f"since={SINCE}", env={"http_proxy": server.proxy_url})
        asked_first = server.requested_urls()
        stored_after_first = {u for (u,) in query(archive, "SELECT url FROM articles")}
        pending_after_first = {u for (u,) in query(archive, "SELECT url FROM article_pending")}
        second = PORTAL.crawl(archive, env={"http_proxy": server.proxy_url})
        asked_second = server.requested_urls()[len(asked_first):]
    return {"archive": archive, "first": first, "second": second, "asked_first": asked_first,
            "asked_second": asked_second, "stored_after_first": stored_after_first,
            "pending_after_first": pending_after_first}


def _older(urls: set[str] | list[str]) -> set[str]:
    """The fixture's expected articles among ``urls`` dated before SINCE (by the generator's dates)."""
    return {u for u in urls if u in PORTAL.expected and PORTAL.expected[u]["published"][:10] < SINCE}


@pytest.mark.slow  # crawls in subprocesses
def test_since_emits_exactly_the_articles_dated_that_day_or_later(crawls: dict) -> None:
    first = crawls["first"]
    assert first.returncode == 0, first.stderr[-3000:]
    want = {u for u, item in PORTAL.expected.items() if item["published"][:10] >= SINCE}
    assert len(want) >= 10
    assert {item["url"] for item in first.items} == want
    assert all(item["published"][:10] >= SINCE for item in first.items)


@pytest.mark.slow  # crawls in subprocesses
def test_older_articles_reached_by_undated_links_were_fetched_archived_and_counted(crawls: dict) -> None:
    fetched_older = _older(crawls["asked_first"])
    # The sidebar's undated links: fetched (nothing said they were older), then left out.
    assert fetched_older, "the fixture no longer links an older article without a date"
    assert all("/plus/view.php?aid=" in u for u in fetched_older), sorted(fetched_older)
    assert fetched_older <= _warc_urls(crawls["archive"])
    assert _stats(crawls["archive"], 0)[SINCE_DROPPED_OLDER_STAT] == len(fetched_older)


@pytest.mark.slow  # crawls in subprocesses
def test_older_articles_are_neither_stored_nor_pending_and_a_crawl_without_since_stores_them(crawls: dict) -> None:
    fetched_older = _older(crawls["asked_first"])
    assert not fetched_older & crawls["stored_after_first"]
    assert not fetched_older & crawls["pending_after_first"]
    second = crawls["second"]
    assert second.returncode == 0, second.stderr[-3000:]
    # Not known to the store, so fetched again and emitted by the run without -a since.
    assert fetched_older <= set(crawls["asked_second"])
    assert fetched_older <= {item["url"] for item in second.items}
    stored = {u for (u,) in query(crawls["archive"], "SELECT url FROM articles")}
    assert set(PORTAL.expected) <= stored
    assert SINCE_DROPPED_OLDER_STAT not in _stats(crawls["archive"], 1)


@pytest.mark.slow  # crawls in subprocesses
def test_an_undated_article_is_kept_by_since_and_quarantined_as_without_it(tmp_path: Path) -> None:
    """An article page printing no date at all: ``-a since`` cannot place it, so it is not dropped
    as older; validation quarantines it (``missing_date``), exactly as a crawl without ``since`` does."""
    import shutil

    mirror = tmp_path / "mirror"
    shutil.copytree(PORTAL.mirror, mirror)
    url = "http://www.fenshuinews.cn/plus/view.php?aid=1968"  # dated 2024-03-16: kept either way
    printed = PORTAL.expected[url]["published_raw"].encode("gbk")
    for page in PORTAL.fixture.pages:  # the article's every page (each prints the date)
        if page["url"] == url or page["url"].startswith(url + "&"):
            path = mirror / page["path"]
            raw = path.read_bytes()
            assert printed in raw
            path.write_bytes(raw.replace(printed, b""))
    with MockPortal(mirror, tls=True) as server:
        result = PORTAL.crawl(tmp_path / "archive", "-a", f"since={SINCE}", env={"http_proxy": server.proxy_url})
    assert result.returncode == 0, result.stderr[-3000:]
    assert url not in {item["url"] for item in result.items}
    assert PORTAL.quarantined(result.archive).get(url) == "missing_date"
    stats = _stats(result.archive, 0)
    assert stats[SINCE_UNDATED_STAT] >= 1


def test_the_readme_says_so() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert SINCE_DROPPED_OLDER_STAT in readme and SINCE_UNDATED_STAT in readme
