"""The GarbageCollector extension (northnews.crawl.extensions.collector): a crawl's collector
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
