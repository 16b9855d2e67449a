"""The GarbageCollector extension (northnews.crawl.extensions.collector) and the tune/restore pair
it shares with extract (northnews.util.collector): a crawl's collector
settings, and Python's own again when it ends."""

from __future__ import annotations

import gc

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from northnews.crawl.extensions.collector import GarbageCollector


def test_the_heap_is_frozen_and_the_threshold_raised_for_the_crawl_only() -> None:
    before = gc.get_threshold()
    ext = GarbageCollector.from_crawler(get_crawler(settings_dict={"NORTHNEWS_GC_THRESHOLD": 25_000}))
    try:
        ext.spider_opened(None)  # type: ignore[arg-type]
        assert gc.get_threshold() == (25_000, before[1], before[2])
        assert gc.get_freeze_count() > 0
        garbage = []
        garbage.append(garbage)  # a cycle made during the crawl is still collectable
        del garbage
        assert gc.collect() >= 1
    finally:
        ext.spider_closed(None)  # type: ignore[arg-type]
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_zero_leaves_pythons_collector_alone() -> None:
    with pytest.raises(NotConfigured):
        GarbageCollector.from_crawler(get_crawler(settings_dict={"NORTHNEWS_GC_THRESHOLD": 0}))


# --- northnews.util.collector: the one tune/restore pair the extension and extract share ------


def test_tune_then_restore_gives_pythons_settings_back() -> None:
    from northnews.util.collector import restore, tune

    before = gc.get_threshold()
    saved = tune(30_000, collect=False)
    try:
        assert saved == before
        assert gc.get_threshold()[0] == max(30_000, before[0])
        assert gc.get_freeze_count() > 0
    finally:
        restore(saved)
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_tune_changes_nothing_when_the_collector_is_off_or_the_threshold_zero() -> None:
    from northnews.util.collector import restore, tune

    before = gc.get_threshold()
    assert tune(0) is None
    gc.disable()
    try:
        assert tune(30_000) is None
    finally:
        gc.enable()
    restore(None)
    assert gc.get_threshold() == before
