"""``northnews-archive extract --jobs N``'s scheduling (northnews.ops.extract.outcomes): every
article once, in the order given, whatever N; with N > 1 this process and its N-1 workers all take
batches. The items themselves, against a replaying spider, are tests/test_extract.py's."""

from __future__ import annotations

import gc
import os
import time
from types import SimpleNamespace

import pytest

from northnews.ops import extract
from northnews.ops.extract import Outcome


class Recorder:
    """An extractor that only says which process read each URL (after a little work)."""

    def __init__(self) -> None:
        self.pages = SimpleNamespace(source=SimpleNamespace(_handles={}))

    def extract(self, url: str, entries: object = None) -> Outcome:
        time.sleep(0.002)
        return Outcome(url, skipped=str(os.getpid()))


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_every_article_once_in_order_and_every_process_works(jobs: int) -> None:
    urls = [f"http://www.northnews.cn/2015/1016/{n}.shtml" for n in range(20 * extract.BATCH)]
    threshold = gc.get_threshold()
    got = list(extract.outcomes(Recorder(), urls, jobs=jobs))  # type: ignore[arg-type]
    assert [o.url for o in got] == urls
    by = {o.skipped for o in got}
    assert len(by) <= jobs
    if jobs > 1:  # this process took batches, and a worker did (which of several: the machine's load)
        assert str(os.getpid()) in by and len(by) >= 2
    else:
        assert by == {str(os.getpid())}
    assert gc.get_threshold() == threshold and not gc.get_freeze_count()  # the collector as it was


class FailsInAWorker(Recorder):
    """Raises on the first URL when a worker reads it (the first batch always goes to a worker)."""

    def __init__(self) -> None:
        super().__init__()
        self.parent = os.getpid()

    def extract(self, url: str, entries: object = None) -> Outcome:
        if url.endswith("/0.shtml") and os.getpid() != self.parent:
            raise ValueError("a parser bug")
        return super().extract(url, entries)


def test_a_worker_that_raises_stops_the_run_with_its_traceback() -> None:
    urls = [f"http://www.northnews.cn/2015/1016/{n}.shtml" for n in range(4 * extract.BATCH)]
    with pytest.raises(extract.WorkerFailed, match="ValueError: a parser bug"):
        list(extract.outcomes(FailsInAWorker(), urls, jobs=2))  # type: ignore[arg-type]


def test_a_batch_too_large_for_the_pipe_is_extracted_here() -> None:
    """A batch whose pickle is over SEND_LIMIT (a URL key with very many captures) is not sent:
    this process extracts it, so it never waits on a full pipe to a worker that is itself
    waiting to send a large result."""
    wanted = [(f"http://www.northnews.cn/2015/1016/{n}.shtml",
               [(0, "20151016000000", f"{n} {i} " + "x" * 1000) for i in range(extract.SEND_LIMIT // 1000 + 1)])
              for n in range(4 * extract.BATCH)]
    got = list(extract.outcomes(Recorder(), wanted, jobs=2))  # type: ignore[arg-type]
    assert [o.url for o in got] == [url for url, _ in wanted]
    assert {o.skipped for o in got} == {str(os.getpid())}
