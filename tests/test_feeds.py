"""Feeds are replaced whole at the end of a crawl, never by the empty output of a run that did nothing."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.conftest import PORTAL, run_crawl


def dead_proxy() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


def test_the_default_feed_is_written_whole_and_no_part_file_is_left(tmp_path: Path, expected_items: dict) -> None:
    result = run_crawl(tmp_path, "-a", f"replay={PORTAL}", feed=False)
    assert result.returncode == 0, result.stderr[-2000:]
    assert {item["url"] for item in result.items} == set(expected_items)
    assert not list(tmp_path.glob("*.part"))


def test_a_run_that_fetched_nothing_leaves_the_previous_feed(tmp_path: Path) -> None:
    feed = tmp_path / "articles.jsonl"
    feed.write_text('{"url": "http://www.northnews.cn/2015/0915/2049381.shtml"}\n', encoding="utf-8")
    before = feed.read_bytes()
    result = run_crawl(tmp_path, "-s", "RETRY_TIMES=0", "-s", "NORTHNEWS_STORE_ENABLED=False",
                       "-s", "NORTHNEWS_WARC_ENABLED=False", env={"http_proxy": dead_proxy()}, feed=False)
    assert result.items and feed.read_bytes() == before
    assert f"Feed {feed} left as it was: this run produced no item" in result.stderr
    assert not list(tmp_path.glob("*.part"))


def test_an_explicit_O_feed_is_replaced_by_a_run_that_worked(tmp_path: Path, expected_items: dict) -> None:
    out = tmp_path / "items.jsonl"
    out.write_text("old\n", encoding="utf-8")
    result = run_crawl(tmp_path, "-a", f"replay={PORTAL}")  # -O items.jsonl
    assert result.returncode == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == len(expected_items)
