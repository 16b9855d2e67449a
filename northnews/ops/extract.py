"""``northnews-archive extract``: every article of an archive extracted again, without Scrapy's engine.

After a parser fix, ``scrapy crawl articles -a replay=ARCHIVE`` re-extracts an archive at about
the speed of a crawl: each page still goes through the scheduler, the downloader and the
middlewares. This reads the same WARCs directly and gives the same items:

1. **which articles**: the files' CDXJ indexes (the replay source's: a file's own index, or one
   built at opening for a file without an up-to-date one), merged in key order as a stream:
   every URL of the site's article shape (a first page, as the spider would request it) once.
   Memory holds one index key's URLs at a time, whatever the archive's size.
2. **each article**: its pages as the spider receives them in replay
   (:class:`~northnews.ops.replayed.ReplayedPages`: the same capture chosen, revisits
   resolved, redirects judged, decompression, decoding), then the spider's own article path
   (:mod:`northnews.article`: verdict, one parse per page, stitch, normalise) and validation
   (:func:`northnews.article.validate.reject_reasons`, the validate pipeline's). An alias (a
   redirect or a canonical link to another article) is skipped: its target is extracted under its
   own URL. State: one article.
3. **output**: the items as JSON Lines in ``FEED_EXPORT_FIELDS`` order (what the spider's feed
   holds, line for line), rejects as ``rejects.jsonl`` lines, optionally the items into the
   store of record as new versions (``--store``, under the archive lock).

``--jobs N`` runs the per-article work in N processes, this one and N-1 workers forked after the
indexes are open (:func:`outcomes`); output order is the index order whatever N is. Items come out in index (URL) order, not
in crawl order; the set is every article captured, where a replay gives those its navigation
reaches (the same set for an archive written by crawls: the test proves it).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from multiprocessing.connection import Connection
from multiprocessing.reduction import ForkingPickler
from pathlib import Path
from typing import IO, Any

from scrapy.http import TextResponse
from scrapy.settings import BaseSettings

from northnews import config
from northnews.archive.warcreplay import IndexEntry, WarcSource
from northnews.article import Assembly, PageRead, read_page
from northnews.article.aliases import canonical_alias
from northnews.article.validate import incomplete_record, reject_reasons, reject_record, rejected_now
from northnews.crawl.pipelines.requisites import Scope
from northnews.crawl.pipelines.requisites import outcome as requisite_outcome
from northnews.discovery import Kind, classify, first_page_url, list_entries, page_links
from northnews.ops.replayed import Page, ReplayedPages, Served
from northnews.pagecheck import Verdict
from northnews.pages import parse_html, stitch
from northnews.sites import Site
from northnews.util import safewrite
from northnews.util.collector import restore, tune

BATCH = 8  # articles per task sent to a worker
#: ``json.dumps(item, ensure_ascii=False)`` (the feed's lines), its encoder made once.
_ITEM_JSON = json.JSONEncoder(ensure_ascii=False)
AHEAD = 2  # batches waiting for each worker before this process takes the next one itself
#: The largest batch sent to a worker, pickled (a batch is a few KB: URLs and their index lines);
#: :data:`AHEAD` of them fit in a pipe's buffer (see :class:`_Worker`).
SEND_LIMIT = 32 * 1024


@dataclass
class Outcome:
    """One article's result: an item line, a reject line, or nothing (``skipped``: why)."""

    url: str
    item: str | None = None
    reject: dict[str, Any] | None = None
    skipped: str | None = None
    problems: list[str] = field(default_factory=list)
    pages: int = 0
    #: Captures met that could not be read (file, offset, what): reported, never fatal.
    damages: list[tuple[str, int, int | None, str]] = field(default_factory=list)


class ArticleExtractor:
    """One article URL → its :class:`Outcome`, as the spider would make it in WARC replay: the
    same assembly (:mod:`northnews.article`), on pages served by :class:`ReplayedPages`."""

    def __init__(self, source: WarcSource, site: Site, settings: BaseSettings,
                 since: date | None = None, until: date | None = None) -> None:
        self.site = site
        self.pages = ReplayedPages(source, settings, site)
        self.fields = settings.getlist("FEED_EXPORT_FIELDS") or list(stitch.ITEM_FIELDS)
        self.since, self.until = since, until
        self.requisites = settings.getbool("NORTHNEWS_REQUISITES_ENABLED", True)
        self.scope = Scope(site.allowed_domains, (*site.requisite_hosts, *settings.getlist("NORTHNEWS_REQUISITE_HOSTS")))
        self._images: OrderedDict[str, dict[str, Any]] = OrderedDict()
        # Built before any worker forks, so each inherits it.
        self.section_names = list_section_names(self.pages, site)

    def extract(self, url: str, entries: list[IndexEntry] | None = None) -> Outcome:
        """The spider's ``parse_article`` / ``parse_article_page`` / errbacks, on replayed pages;
        with the unreadable captures met on the way (a worker process reports them this way).
        ``entries``: the index lines of the URL's key, when the caller streamed them."""
        damages = self.pages.source.damages
        before = len(damages)
        outcome = self._extract(url, entries)
        outcome.damages = damages[before:]
        return outcome

    def _extract(self, url: str, entries: list[IndexEntry] | None) -> Outcome:
        first = self.pages.get(url, "article", entries)
        if first.alias is not None:
            # Another article's alias (a redirect): that article is extracted under its own URL.
            return Outcome(url, skipped="alias")
        if first.page is None:  # the errback: pending with a reason, or a deliberate skip
            verdict = _failure_verdict(first)
            if verdict is None:
                return Outcome(url, skipped="unavailable")
            return Outcome(url, reject=incomplete_record(url, verdict.detail, verdict.reason))
        captured = (first.capture or {}).get("fetched_at") or ""
        day = date.fromisoformat(captured[:10]) if captured else None
        if day is not None and ((self.since and day < self.since) or (self.until and day > self.until)):
            return Outcome(url, skipped="out_of_range")
        read = _read(first.page, self.site)
        if read.verdict is not None:
            return Outcome(url, reject=incomplete_record(url, read.verdict.detail, read.verdict.reason))
        if canonical_alias(read.root, url, self.site) is not None:
            # Its page names another article as canonical: that article's alias, as in the spider.
            return Outcome(url, skipped="alias")
        article = Assembly.start(url, read, self.site, capture=first.capture)
        while (nxt := article.next_page()) is not None:
            later = self.pages.get(nxt, "article_page")
            if later.page is None:
                verdict = Assembly.page_failed(later.failed or nxt, _failure_verdict(later), later.error or "")
                return Outcome(url, reject=incomplete_record(url, verdict.detail, verdict.reason),
                               pages=len(article.pages))
            verdict = article.add(_read(later.page, self.site))
            if verdict is not None:
                return Outcome(url, reject=incomplete_record(url, verdict.detail, verdict.reason),
                               pages=len(article.pages))
        fields, problems = article.item(self.section_names.get(url))
        pages = len(article.pages)
        reasons = reject_reasons(fields)
        if reasons:
            return Outcome(url, reject=reject_record(fields, reasons), problems=problems, pages=pages)
        if fields.get("images"):  # RequisitesPipeline (500), after validation (300)
            fields["images"] = [{**image, **self._image(image.get("url") or "")} for image in fields["images"]]
        line = _ITEM_JSON.encode({name: fields.get(name) for name in self.fields})
        return Outcome(url, item=line, problems=problems, pages=pages)

    def _image(self, url: str) -> dict[str, Any]:
        """An image's ``warc`` / ``warc_missing_reason``, as RequisitesPipeline writes them in replay.
        (Not emulated: ``too_many``, a page over NORTHNEWS_REQUISITES_MAX_PER_PAGE new requisites.)"""
        if not self.requisites:
            return requisite_outcome(None, "disabled")
        reason = self.scope.reason(url)
        if reason is not None:
            return requisite_outcome(None, reason)
        found = self._images.pop(url, None)
        if found is None:
            found = requisite_outcome(*self.pages.requisite(url))
        self._images[url] = found
        while len(self._images) > 4096:  # the template's logos recur; the rest is seen once
            self._images.popitem(last=False)
        return found


def _read(page: Page, site: Site) -> PageRead:
    """:func:`northnews.article.read_page` of a replayed answer (the spider's ``_read`` of its response)."""
    content_type = (page.headers.get(b"Content-Type") or b"").decode("latin-1")  # get() is typed bytes | None
    return read_page(page.url, page.body, content_type, page.text if page.is_text else None, site)


def _failure_verdict(served: Served) -> Verdict | None:
    """:func:`northnews.pagecheck.failure_verdict` of the failure the errback would get: an
    HttpError is ``http_<status>``; a refused redirect its own verdict; an IgnoreRequest (not
    archived, offsite) is no failure of the article, unless it says the body was too large."""
    if served.verdict is not None:
        return served.verdict
    if served.status is not None:
        return Verdict(f"http_{served.status}", f"answered {served.status}")
    if served.error and "DOWNLOAD_MAXSIZE" in served.error:
        return Verdict("too_large", served.error[:300])
    return None


def _as_requested(url: str, scheme_by_host: dict[str, str]) -> str:
    """``url`` spelled as the spider requests it: its host with its edition's scheme."""
    scheme, sep, rest = url.partition("://")
    wanted = scheme_by_host.get(rest.split("/", 1)[0].lower())
    return f"{wanted}://{rest}" if sep and wanted and scheme != wanted else url


def list_section_names(pages: ReplayedPages, site: Site) -> dict[str, str]:
    """``[sections] from = "list"`` or ``"list_or_crumb"``: article URL -> the section its list
    page gives it, as the spider's ``parse_listing`` records it (:func:`list_entries`: the first
    list page to list an article names it; the list pages read in the order they were captured,
    the crawl's order). Empty when list pages name no sections (``from = "crumb"``)."""
    if not site.sections.named_by_lists:
        return {}
    scheme_by_host = {e.host: e.scheme for e in site.editions.values()}
    domains = tuple(site.allowed_domains)
    listed: list[tuple[str, str]] = []
    for _key, entries in pages.source.index_groups():
        for _seq, ts, raw in entries:
            url = _as_requested(json.loads(raw).get("url") or "", scheme_by_host)
            if classify(url, site, domains) in (Kind.LIST, Kind.ISSUE):  # an e-paper's 版面 pages list too
                listed.append((ts, url))
                break
    names: dict[str, str] = {}
    for _ts, url in sorted(listed):
        response = pages.get(url).response
        if not isinstance(response, TextResponse):
            continue
        root = parse_html(response.text)
        list_entries(response.url, root, page_links(root, response.url, site, dates=False), site, names)
    return names


def article_urls(source: WarcSource, site: Site) -> Iterator[tuple[str, list[IndexEntry]]]:
    """Every article (first page) URL of ``site`` in the source's indexes, once, in key order,
    spelled as the spider requests it (each host with its edition's scheme), with the index lines
    of its key (its captures: served without searching the indexes again)."""
    scheme_by_host = {e.host: e.scheme for e in site.editions.values()}
    domains = tuple(site.allowed_domains)
    for _key, entries in source.index_groups():
        seen = set()
        for _seq, _ts, raw in entries:
            url = _as_requested(json.loads(raw).get("url") or "", scheme_by_host)
            if url in seen:
                continue
            seen.add(url)
            if classify(url, site, domains) is Kind.ARTICLE and first_page_url(url, site) == url:
                yield url, entries


# --- running it -----------------------------------------------------------------------------------

_WORKER: ArticleExtractor | None = None


#: An article to extract: its URL and, when known, the index lines of its key.
Wanted = tuple[str, "list[IndexEntry] | None"]


def _work(batch: list[Wanted]) -> list[Outcome]:
    assert _WORKER is not None
    return [_WORKER.extract(url, entries) for url, entries in batch]


def _forked() -> None:
    """In a new worker: WARC file handles inherited from the parent share their file offsets
    with it and with the other workers, so each worker opens its own (WarcSource reopens a
    closed handle on its next read). The indexes (read-only mmaps) are shared as they are."""
    assert _WORKER is not None
    handles = getattr(_WORKER.pages.source, "_handles", None)  # WarcSource's open WARC files
    if handles:
        for fh in handles.values():
            fh.close()
        handles.clear()


def _batches(wanted: Iterable[Wanted], size: int = BATCH) -> Iterator[list[Wanted]]:
    batch: list[Wanted] = []
    for one in wanted:
        batch.append(one)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class WorkerFailed(RuntimeError):
    """A worker process raised, or stopped without answering (killed, out of memory)."""


class _Worker:
    """One forked worker on a pipe of its own: batches in, their outcomes out, in order. No thread
    in this process (a ``multiprocessing.Pool`` keeps three, which compete for the interpreter
    lock with the extraction this process does between handing out batches). A batch is sent
    only when its pickle is at most :data:`SEND_LIMIT` bytes: with at most :data:`AHEAD` of them
    in the pipe, a send never waits, so this process never blocks on a worker that is itself
    blocked sending a large result (it takes a larger batch itself)."""

    conn: Connection

    def __init__(self, others: list[_Worker]) -> None:
        ours, theirs = multiprocessing.Pipe()
        pid = os.fork()
        if pid == 0:  # the worker: never returns
            ours.close()
            for other in others:  # the earlier workers' pipes: held here, they would never see EOF
                other.conn.close()
            _serve(theirs)
        theirs.close()
        self.pid, self.conn, self.waiting = pid, ours, 0

    def send(self, pickled: bytes | memoryview) -> None:
        self.conn.send_bytes(pickled)  # what conn.send(batch) writes; the worker's recv() reads it
        self.waiting += 1

    def ready(self) -> bool:
        return self.conn.poll()

    def receive(self) -> list[Outcome]:
        try:
            kind, value = self.conn.recv()
        except (EOFError, OSError):
            raise WorkerFailed(f"extract worker {self.pid} stopped without answering") from None
        self.waiting -= 1
        if kind == "error":
            raise WorkerFailed(f"extract worker {self.pid} failed:\n{value}")
        return value  # type: ignore[no-any-return]

    def stop(self) -> None:
        self.conn.close()  # the worker reads EOF and exits
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:  # pragma: no cover - reaped elsewhere
            pass


def _serve(conn: Connection) -> None:
    """A worker's life: batches until this process closes the pipe; ``os._exit`` so that nothing
    of this process (temporary directories, open feeds, atexit hooks) is finalised twice. Ctrl-C
    is this process's to handle: the worker ends when its pipe closes."""
    import signal
    import traceback

    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        _forked()
        while True:
            try:
                batch = conn.recv()
            except EOFError:
                break
            try:
                conn.send(("ok", _work(batch)))
            except Exception:  # noqa: BLE001 - the parent raises it
                conn.send(("error", traceback.format_exc()))
    except BaseException:  # noqa: BLE001 - a broken pipe, a signal: the parent says so
        code = 1
    finally:
        os._exit(code)


def outcomes(extractor: ArticleExtractor, urls: Iterable[str | Wanted], jobs: int = 1) -> Iterator[Outcome]:
    """Every article's outcome, in ``urls`` order (URLs, or :data:`Wanted` pairs as
    :func:`article_urls` gives them). With ``jobs`` > 1, in ``jobs`` processes: this one and
    ``jobs - 1`` forked workers (they inherit ``extractor`` and its open indexes; each opens its
    own WARC handles). A batch of :data:`BATCH` articles goes to the worker with the fewest
    waiting while it has fewer than :data:`AHEAD`; otherwise this process extracts the batch
    itself, between writing the results in order: on N cores N processes work, none only waits
    (a parent that only hands out work and writes is a third process on two cores, and its
    switching costs). Small batches keep the end short: this process waits there for at most
    ``AHEAD`` batches of the slowest worker."""
    wanted = ((u, None) if isinstance(u, str) else u for u in urls)
    global _WORKER
    _WORKER = extractor
    # What exists now lives as long as the run: out of the collector's sight, its full passes do
    # not scan it again and again, nor copy its pages into each worker by writing to them; the
    # young objects (a page's lists and proxies, freed by reference counting) are looked at every
    # NORTHNEWS_GC_THRESHOLD allocations instead of 700 (the crawl's GarbageCollector does the same).
    saved = tune(config.default("NORTHNEWS_GC_THRESHOLD"), collect=False)
    workers: list[_Worker] = []
    try:
        if jobs <= 1:
            for url, entries in wanted:
                yield extractor.extract(url, entries)
            return
        for _ in range(jobs - 1):
            workers.append(_Worker(workers))
        # In hand-out order: a worker's batch (its results come back in the order it got them) or
        # the outcomes this process made.
        pending: deque[_Worker | list[Outcome]] = deque()
        for batch in _batches(wanted):
            least = min(workers, key=lambda w: w.waiting)
            pickled = ForkingPickler.dumps(batch) if least.waiting < AHEAD else None
            if pickled is not None and len(pickled) <= SEND_LIMIT:
                least.send(pickled)
                pending.append(least)
            else:
                pending.append(_work(batch))
            while pending and (isinstance(pending[0], list) or pending[0].ready()):
                yield from _done(pending.popleft())
        while pending:
            yield from _done(pending.popleft())
    finally:
        for worker in workers:
            worker.stop()
        _WORKER = None
        restore(saved)


def _done(result: _Worker | list[Outcome]) -> list[Outcome]:
    return result if isinstance(result, list) else result.receive()


@dataclass
class Summary:
    articles: int = 0
    items: int = 0
    rejects: int = 0
    pages: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    problems: Counter[str] = field(default_factory=Counter)
    store: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    damages: list[tuple[str, int, int | None, str]] = field(default_factory=list)

    def line(self) -> str:
        rate = self.pages / self.seconds if self.seconds else 0.0
        parts = [f"{self.items} items", f"{self.rejects} rejected", f"{self.articles} articles",
                 f"{self.pages} pages", f"{self.seconds:.1f} s ({rate:.0f} pages/s)"]
        if self.skipped:
            parts.append("skipped " + ", ".join(f"{k} {v}" for k, v in sorted(self.skipped.items())))
        if self.problems:
            parts.append(", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(self.problems.items())))
        if self.store:
            parts.append("store " + ", ".join(f"{k} {v}" for k, v in sorted(self.store.items())))
        return "northnews-archive extract: " + "; ".join(parts)


class Progress:
    """One self-overwriting line on stderr, at most every half second, only on a terminal."""

    def __init__(self, stream: IO[str] | None = None, enabled: bool | None = None) -> None:
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self.start = time.monotonic()
        self._last = 0.0

    def update(self, summary: Summary, final: bool = False) -> None:
        now = time.monotonic()
        if not self.enabled or (not final and now - self._last < 0.5):
            return
        self._last = now
        rate = summary.pages / max(now - self.start, 1e-9)
        self.stream.write(f"\r  extract: {summary.articles} articles, {summary.items} items, "
                          f"{summary.rejects} rejected, {rate:.0f} pages/s ")
        if final:
            self.stream.write("\n")
        self.stream.flush()


def write_outcomes(
    results: Iterable[Outcome], items: IO[str], rejects: IO[str], summary: Summary,
    progress: Progress | None = None, store: Any = None,
) -> Summary:
    """Write each outcome where it goes, count it, show progress; ``store`` (a
    :class:`~northnews.ops.store.Store`) also records each item as a version."""
    for outcome in results:
        summary.articles += 1
        summary.pages += outcome.pages
        summary.problems.update(outcome.problems)
        summary.damages.extend(outcome.damages)
        if outcome.item is not None:
            items.write(outcome.item + "\n")
            summary.items += 1
            if store is not None:
                summary.store[store.record_item(json.loads(outcome.item)).outcome] += 1
        elif outcome.reject is not None:
            rejects.write(json.dumps({**outcome.reject, "rejected_at": rejected_now()}, ensure_ascii=False) + "\n")
            summary.rejects += 1
        else:
            summary.skipped[outcome.skipped or "?"] += 1
        if progress is not None:
            progress.update(summary)
    return summary


@contextmanager
def open_output(path: str, follow: bool = False) -> Iterator[IO[str]]:
    """A feed file written beside ``path`` and moved over it once complete, only over a regular
    file (:mod:`northnews.util.safewrite`: a kill or an error never leaves a half-written feed, a
    symlink, FIFO or device is refused); ``-`` is stdout."""
    if path == "-":
        with os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8") as out:
            yield out
        return
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with safewrite.replacing(path, "w", follow=follow, encoding="utf-8") as out:
        yield out
