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
