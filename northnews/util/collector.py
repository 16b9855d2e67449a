"""Python's cyclic garbage collector for a long run: the start-up heap frozen and the young
generation collected every ``threshold`` allocations, then Python's settings again.

One piece for the crawl's ``GarbageCollector`` extension and ``northnews-archive extract``: both
allocate a few container objects per page that reference counting frees, while the default
threshold (700) walks the young objects again and again and, now and then, a heap that is never
garbage (Scrapy, lxml, the site profile). Measured in ``crawl/extensions/collector.py``.
"""

from __future__ import annotations

import gc

Saved = tuple[int, int, int]


def tune(threshold: int, *, collect: bool = True) -> Saved | None:
    """Freeze what exists (after a full collection with ``collect``) and raise the young
    generation's threshold to ``threshold``; the thresholds to give :func:`restore`, or None when
    the collector is off (then nothing is changed)."""
    if not threshold or not gc.isenabled():
        return None
    saved = gc.get_threshold()
    if collect:
        gc.collect()
    gc.freeze()
    gc.set_threshold(max(threshold, saved[0]), saved[1], saved[2])
    return saved


def restore(saved: Saved | None) -> None:
    """Undo :func:`tune`: the heap unfrozen, the thresholds as they were."""
    if saved is None:
        return
    gc.set_threshold(*saved)
    gc.unfreeze()
