"""Stored articles whose capture lies in a damaged span are pending again (northnews.ops.captures)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from northnews.ops.captures import requeue_unreadable
from northnews.ops.store import Store


def _item(n: int, offset: int) -> dict:
    return {"url": f"http://www.northnews.cn/2015/0915/{n}.shtml", "title": f"标题 {n}", "body": "正文",
            "published": "2015-09-15T10:00:00+08:00", "content_digest": f"sha1:{n}",
            "warc": {"file": "a.warc.gz", "offset": offset, "record_id": f"<urn:uuid:{n}>"}}


def test_only_the_articles_whose_latest_capture_is_in_a_span_are_pending_again(tmp_path: Path) -> None:
    with Store.open(tmp_path) as store:
        for n, offset in ((1, 100), (2, 5000), (3, 9000)):
            store.record_item(_item(n, offset))
        # Article 3's latest version is elsewhere: its old capture in the span does not matter.
        store.record_item({**_item(3, 20000), "body": "新正文", "content_digest": "sha1:3b"})
    urls = requeue_unreadable(tmp_path, [("a.warc.gz", 4000, 9500), ("b.warc.gz", 0, None)])
    assert urls == ["http://www.northnews.cn/2015/0915/2.shtml"]
    db = sqlite3.connect(tmp_path / "northnews.sqlite3")
    rows = db.execute("SELECT url, status, reason, attempts FROM article_pending").fetchall()
    db.close()
    assert rows == [("http://www.northnews.cn/2015/0915/2.shtml", "pending", "capture_unreadable", 0)]
    assert requeue_unreadable(tmp_path, [("a.warc.gz", 19000, None)]) == ["http://www.northnews.cn/2015/0915/3.shtml"]


def test_without_a_store_nothing_is_created(tmp_path: Path) -> None:
    assert requeue_unreadable(tmp_path, [("a.warc.gz", 0, None)]) == []
    assert not (tmp_path / "northnews.sqlite3").exists()
