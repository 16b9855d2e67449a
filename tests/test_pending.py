"""Pending articles: attempts, backoff, the cap, failed, retry_failed, resolution (northnews.ops.pending)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from northnews.ops.pending import PendingArticles, Policy
from northnews.ops.store import Store

T0 = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
URL = "http://www.northnews.cn/2015/0930/2050950.shtml"


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Store:
    with Store(tmp_path / "northnews.sqlite3", clock=clock) as s:
        yield s


def item(url: str = URL) -> dict:
    return {"url": url, "site": "northnews", "content_digest": "sha1:AAAA", "title": "t", "body": "b"}


def test_the_policy_retries_at_once_then_backs_off_then_gives_up() -> None:
    policy = Policy(max_attempts=5, backoff=3600)
    assert [policy.delay(n) for n in range(1, 6)] == [0.0, 3600.0, 7200.0, 14400.0, None]


def test_attempts_backoff_and_failed(store: Store, clock: Clock) -> None:
    pending = PendingArticles(store, Policy(max_attempts=3, backoff=600))
    row = pending.record(URL, "soft_404", "the page says '页面不存在'", site="northnews", run_id="r1")
    assert (row.status, row.attempts, row.reason) == ("pending", 1, "soft_404")
    assert pending.due("northnews") == [URL] and not store.is_known(URL)  # the next run, at once
    clock.now += timedelta(minutes=1)
    row = pending.record(URL, "empty", site="northnews", run_id="r2")
    assert (row.status, row.attempts, row.reason) == ("pending", 2, "empty")
    assert pending.due("northnews") == [] and store.is_known(URL)  # backing off: not before 600 s
    clock.now += timedelta(seconds=601)
    assert pending.due("northnews") == [URL] and not store.is_known(URL)
    row = pending.record(URL, "timeout", site="northnews", run_id="r3")
    assert (row.status, row.attempts, row.next_attempt) == ("failed", 3, None)
    assert pending.due("northnews") == [] and store.is_known(URL)  # failed: known until retry_failed
    assert pending.counts() == {"pending": 0, "failed": 1}
    assert [r.url for r in pending.rows(status="failed")] == [URL]
    assert pending.requeue_failed("northnews") == 1
    assert pending.due("northnews") == [URL]
    assert pending.get(URL, "northnews").attempts == 0


def test_storing_the_article_resolves_it(store: Store) -> None:
    pending = PendingArticles(store)
    pending.record(URL, "http_503", site="northnews")
    recorded = store.record_item(item())
    assert recorded.resolved and recorded.outcome == "new"
    assert pending.get(URL, "northnews") is None and store.counts()["pending"] == 0
    # Either scheme is one article.
    assert pending.record(URL.replace("http:", "https:"), "timeout", site="northnews") is None
    assert store.record_item(item()).resolved is False


def test_pending_is_per_site(store: Store) -> None:
    pending = PendingArticles(store)
    pending.record(URL, "empty", site="northnews")
    assert pending.due("yunhe") == [] and pending.due("northnews") == [URL]
    assert pending.counts("yunhe") == {"pending": 0, "failed": 0}


def test_the_backoff_is_bounded_whatever_the_attempts() -> None:
    policy = Policy(max_attempts=10_000, backoff=3600, backoff_max=86400)
    delays = [policy.delay(n) for n in (2, 3, 6, 100, 5000, 9999)]
    assert delays == [3600.0, 7200.0, 57600.0, 86400.0, 86400.0, 86400.0]  # no overflow, never past the bound
    assert policy.delay(10_000) is None


def test_a_row_dated_by_a_clock_that_ran_ahead_is_due_once_the_clock_is_corrected(store: Store, clock: Clock) -> None:
    pending = PendingArticles(store, Policy(max_attempts=5, backoff=3600, backoff_max=7 * 86400))
    other = URL.replace("2050950", "2050951")
    clock.now = datetime(2046, 1, 1, tzinfo=timezone.utc)  # the clock runs 20 years ahead
    pending.record(URL, "empty", site="northnews")
    pending.record(URL, "empty", site="northnews")  # next attempt 2046-01-01 + 1 h
    clock.now = T0  # corrected backwards
    pending.record(other, "timeout", site="northnews")
    pending.record(other, "timeout", site="northnews")  # an honest backoff: 1 h from T0
    assert pending.due("northnews") == [] and store.is_known(URL)  # waiting for 2046
    assert pending.clamp_future("northnews") == [(URL, "2046-01-01T01:00:00.000000Z")]
    assert pending.due("northnews") == [URL] and not store.is_known(URL)  # due now
    assert store.is_known(other)  # within the bound: left as it was
    assert pending.get(other, "northnews").next_attempt == "2026-12-01T13:00:00.000000Z"
    row = pending.record(URL, "empty", site="northnews")  # the retry fails again: backoff from now
    assert row.next_attempt == "2026-12-01T14:00:00.000000Z" and row.attempts == 3  # 2 h: attempt 3
