"""The generic extractor on real Chinese article pages (``tests/fixtures/cnpages``), scored on the
held-out Chinese checks' six measures (:mod:`benchmarks.cnpages`): complete item, title exact,
published to the minute, body starting at the story, ending at it, length within 20%.

The gold is written by hand (see the fixture's README); the counts below are floors, one per split
and measure, at what the code reached when they were pinned: a change that loses a page on any
measure fails here, one that gains raises the floor in the same commit. Per page, the measures a
page passes today are pinned too (``PASSING``), so a loss is named, not only counted.
"""

from __future__ import annotations

import gzip
import json
import re
from functools import cache

import pytest

from benchmarks.cnpages import MEASURES, PAGES, CnPage, Fields, load_pages, marks, ours

#: Floors per split: the counts of ``python -m benchmarks.cnpages`` when pinned.
FLOORS = {
    "dev": {"complete": 11, "title": 11, "minute": 11, "starts": 10, "ends": 10, "length": 9},
    "heldout": {"complete": 5, "title": 5, "minute": 4, "starts": 4, "ends": 3, "length": 4},
}
#: The measures each page misses today (every other measure it must pass).
MISSES: dict[str, set[str]] = {
    "tw-appledaily": {"ends", "length"},
    "tw-cna": {"ends", "length"},
    "rdb-qq": {"starts", "ends"},
    "g3-cna": {"starts", "length"},
    "n4k-chinadaily": {"minute"},
}


@cache
def _pages() -> list[CnPage]:
    return load_pages()


@cache
def _fields(key: str) -> Fields:
    return ours(next(p for p in _pages() if p.key == key))


def test_corpus_and_split() -> None:
    """16 pages; the held-out split is every third page in the gold's order, as fixed before any run."""
    pages = _pages()
    assert len(pages) == 16
    assert [p.key for p in pages if p.split == "heldout"] == [p.key for i, p in enumerate(pages, 1) if i % 3 == 0]
    for page in pages:
        assert {"repo", "path", "commit", "licence"} <= page.gold.keys(), page.key
        assert page.gold["licence"] in {"MIT", "Apache-2.0"}, page.key


@pytest.mark.parametrize("key", [p.key for p in load_pages()])
def test_gold_is_in_the_page(key: str) -> None:
    """The hand-written start, end and headline are what the page prints (no typing slip)."""
    page = next(p for p in _pages() if p.key == key)
    text = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", page.html))
    for name in ("start", "end", "title"):
        assert re.sub(r"\s+", "", page.gold[name]) in text, name
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:00\+08:00", page.gold["published"])


@pytest.mark.parametrize("key", [p.key for p in load_pages()])
def test_page(key: str) -> None:
    page = next(p for p in _pages() if p.key == key)
    got = _fields(key)
    result = marks(page, got)
    want = {m: m not in MISSES.get(key, set()) for m in MEASURES}
    detail = {"title": got.title, "published": got.published, "first": got.body[:40], "last": got.body[-40:]}
    lost = [m for m in MEASURES if want[m] and not result[m]]
    gained = [m for m in MEASURES if result[m] and not want[m]]
    assert not lost, (lost, detail)
    assert not gained, f"{key} passes {gained} now: take them out of MISSES and raise FLOORS"


@pytest.mark.parametrize("split", ["dev", "heldout"])
def test_floors(split: str) -> None:
    pages = [p for p in _pages() if p.split == split]
    totals = {m: sum(marks(p, _fields(p.key))[m] for p in pages) for m in MEASURES}
    assert totals == FLOORS[split]


def test_the_generic_path_reads_them() -> None:
    """No layout of the default profile claims a foreign page: these are the generic extractor's."""
    from northnews.pages import parse_article
    from northnews.sites import load_site

    site = load_site()
    for page in _pages():
        assert parse_article(page.html, page.url, site).template == "generic", page.key


def test_lengths_are_the_measurers() -> None:
    """``length`` in the gold is what ``measure_lengths.py`` (lxml alone) writes."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("measure_lengths", PAGES / "measure_lengths.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    gold = json.loads((PAGES / "gold.json").read_text("utf-8"))
    for entry in gold["pages"]:
        text = module.text_of(gzip.decompress((PAGES / "html" / f"{entry['key']}.html.gz").read_bytes()))
        start, end = re.sub(r"\s+", "", entry["start"]), re.sub(r"\s+", "", entry["end"])
        j = text.find(end, text.find(start))
        i = text.rfind(start, 0, j + len(end))
        assert j + len(end) - i == entry["length"], entry["key"]


#: The printed source/author a page's item misses today (every other printed one it must read).
LABEL_MISSES: dict[str, set[str]] = {
    "tw-chinatimes": {"author"},  # 中時 謝明俊: a source and a name in spans of their own, no label
    # held out: not looked into (rules are written from the dev pages only)
    "n4k-chinadaily": {"source"},
    "rdb-qq": {"source"},
}


@pytest.mark.parametrize("key", [p.key for p in load_pages() if {"source", "author"} & p.gold.keys()])
def test_printed_source_and_author(key: str) -> None:
    """The source and the author where the page prints them (gold by hand), as the item stores them."""
    from northnews.normalize import clean_person, clean_source
    from northnews.pages import parse_article
    from northnews.pages.stitch import build_item
    from northnews.sites import load_site

    page = next(p for p in _pages() if p.key == key)
    site = load_site()
    item, _ = build_item([parse_article(page.html, page.url, site)], page.url, site, {})
    want = {"source": clean_source(page.gold.get("source")), "author": clean_person(page.gold.get("author"), "author")}
    got = {"source": item["source_raw"], "author": item["author"]}
    for name in ("source", "author"):
        if want[name] is None:
            continue
        missed = name in LABEL_MISSES.get(key, set())
        assert (got[name] == want[name]) is not missed, (name, got[name], want[name])
