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
   resolved, redirects, decompression, decoding), parsed once each by the same page parsers,
   stitched and normalised by :func:`northnews.pages.stitch.build_item` (the spider's own item
   building) and validated by :func:`northnews.crawl.pipelines.validate.reject_reasons`. State: one article.
3. **output**: the items as JSON Lines in ``FEED_EXPORT_FIELDS`` order (what the spider's feed
   holds, line for line), rejects as ``rejects.jsonl`` lines, optionally the items into the
   store of record as new versions (``--store``, under the archive lock).

``--jobs N`` runs the per-article work in N worker processes (forked after the indexes are
open); output order is the index order whatever N is. Items come out in index (URL) order, not
in crawl order; the set is every article captured, where a replay gives those its navigation
reaches (the same set for an archive written by crawls: the test proves it).
"""

from __future__ import annotations

import heapq
import json
import multiprocessing
import os
import sys
import time
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

from scrapy.http import Response, TextResponse
from scrapy.settings import BaseSettings

from northnews.archive.warcreplay import WarcSource
from northnews.crawl.pipelines.requisites import Scope
from northnews.crawl.pipelines.requisites import outcome as requisite_outcome
from northnews.crawl.pipelines.validate import incomplete_record, reject_reasons, reject_record, rejected_now
from northnews.discovery import Kind, article_pages, classify, first_page_url
from northnews.ops.replayed import ReplayedPages, Served
from northnews.pagecheck import Verdict, body_verdict, page_verdict
from northnews.pages import parse_article, parse_html, stitch
from northnews.sites import Site
from northnews.util import safewrite

BATCH = 16  # articles per task sent to a worker


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
    """One article URL → its :class:`Outcome`, as the spider would make it in WARC replay."""

    def __init__(self, source: WarcSource, site: Site, settings: BaseSettings,
                 since: date | None = None, until: date | None = None) -> None:
        self.site = site
        self.pages = ReplayedPages(source, settings, tuple(site.allowed_domains))
        self.fields = settings.getlist("FEED_EXPORT_FIELDS") or list(stitch.ITEM_FIELDS)
        self.since, self.until = since, until
        self.requisites = settings.getbool("NORTHNEWS_REQUISITES_ENABLED", True)
        self.scope = Scope(site.allowed_domains, (*site.requisite_hosts, *settings.getlist("NORTHNEWS_REQUISITE_HOSTS")))
        self._images: OrderedDict[str, dict[str, Any]] = OrderedDict()

    def extract(self, url: str) -> Outcome:
        """The spider's ``parse_article`` / ``parse_article_page`` / errbacks, on replayed pages;
        with the unreadable captures met on the way (a worker process reports them this way)."""
        damages = self.pages.source.damages
        before = len(damages)
        outcome = self._extract(url)
        outcome.damages = damages[before:]
        return outcome

    def _extract(self, url: str) -> Outcome:
        first = self.pages.get(url)
        if first.response is None:  # the errback: pending with a reason, or a deliberate skip
            verdict = _failure_verdict(first)
            if verdict is None:
                return Outcome(url, skipped="unavailable")
            return Outcome(url, reject=incomplete_record(url, verdict.detail, verdict.reason))
        captured = (first.capture or {}).get("fetched_at") or ""
        day = date.fromisoformat(captured[:10]) if captured else None
        if day is not None and ((self.since and day < self.since) or (self.until and day > self.until)):
            return Outcome(url, skipped="out_of_range")
        verdict, page = self._verdict(first.response)
        if verdict is not None:
            return Outcome(url, reject=incomplete_record(url, verdict.detail, verdict.reason))
        response = first.response
        pages = [page]
        pending = self._other_pages(page, response)
        seen = {url, response.url}
        while pending:
            nxt = pending.pop(0)
            seen.add(nxt)
            later = self.pages.get(nxt)
            if later.response is None:
                failed = _failure_verdict(later)
                why = f"{failed.reason}: {later.error}" if failed else later.error
                return Outcome(url, reject=incomplete_record(url, f"page {later.failed} failed: {why}"),
                               pages=len(pages))
            verdict, other = self._verdict(later.response)
            if verdict is None and not other.paragraphs:
                verdict = Verdict("missing_body", "no body paragraphs")
            if verdict is not None:
                detail = f"page {later.response.url}: {verdict.reason} ({verdict.detail})"
                return Outcome(url, reject=incomplete_record(url, detail), pages=len(pages))
            pages.append(other)
            known = {*pending, *seen}
            pending.extend(u for u in self._other_pages(other, later.response) if u not in known)
        fields, problems = stitch.build_item(pages, url, self.site, first.capture)
        reasons = reject_reasons(fields)
        if reasons:
            return Outcome(url, reject=reject_record(fields, reasons), problems=problems, pages=len(pages))
        if fields.get("images"):  # RequisitesPipeline (500), after validation (300)
            fields["images"] = [{**image, **self._image(image.get("url") or "")} for image in fields["images"]]
        line = json.dumps({name: fields.get(name) for name in self.fields}, ensure_ascii=False)
        return Outcome(url, item=line, problems=problems, pages=len(pages))

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

    def _other_pages(self, page: Any, response: Response) -> list[str]:
        """The article's other pages, as the spider finds them: by the profile's page shape
        (:func:`northnews.discovery.article_pages`) when it declares one beyond the 0.2.0 ``_N``
        suffix (a ``paged`` group, a numbered page one, an article rule over the query), else by the pager
        the page parser read (no second parse of the page)."""
        urls = self.site.urls
        declared = urls.article_page_one == "numbered" or any(
            "paged" in rule.groupindex or "\\?" in rule.pattern for rule in urls.articles)
        if declared and isinstance(response, TextResponse):
            return [u for u in article_pages(response.text, response.url, self.site) if u != response.url]
        return stitch.other_pages(page, response.url)

    def _verdict(self, response: Response) -> tuple[Verdict | None, Any]:
        """The spider's ``_verdict``: is this answer an article page at all? And its parsed page."""
        text = isinstance(response, TextResponse)
        verdict = body_verdict(response.body, response.headers.get(b"Content-Type", b"").decode("latin-1"), text)
        if verdict is not None or not isinstance(response, TextResponse):
            return verdict, None
        root = parse_html(response.text)
        page = parse_article(None, response.url, self.site, root=root)
        return page_verdict(root, len(page.paragraphs), page.error), page


def _failure_verdict(served: Served) -> Verdict | None:
    """:func:`northnews.pagecheck.failure_verdict` of the failure the errback would get: an
    HttpError is ``http_<status>``; an IgnoreRequest (not archived, a redirect loop, offsite) is
    no failure of the article, unless it says the body was too large."""
    if served.status is not None:
        return Verdict(f"http_{served.status}", f"answered {served.status}")
    if served.error and "DOWNLOAD_MAXSIZE" in served.error:
        return Verdict("too_large", served.error[:300])
    return None


def article_urls(source: WarcSource, site: Site) -> Iterator[str]:
    """Every article (first page) URL of ``site`` in the source's indexes, once, in key order,
    spelled as the spider requests it (each host with its edition's scheme)."""
    scheme_by_host = {e.host: e.scheme for e in site.editions.values()}
    domains = tuple(site.allowed_domains)
    with ExitStack() as stack:
        handles = [stack.enter_context(open(f.index.path, encoding="utf-8")) for f in source.files]
        group, seen = None, set()
        for line in heapq.merge(*handles):
            key, _ts, raw = line.split(" ", 2)
            if key != group:
                group, seen = key, set()
            url = json.loads(raw).get("url") or ""
            scheme, sep, rest = url.partition("://")
            host = rest.split("/", 1)[0].lower()
            wanted = scheme_by_host.get(host)
            if sep and wanted and scheme != wanted:
                url = f"{wanted}://{rest}"
            if url in seen:
                continue
            seen.add(url)
            if classify(url, site, domains) is Kind.ARTICLE and first_page_url(url, site) == url:
                yield url


# --- running it -----------------------------------------------------------------------------------

_WORKER: ArticleExtractor | None = None


def _work(urls: list[str]) -> list[Outcome]:
    assert _WORKER is not None
    return [_WORKER.extract(url) for url in urls]


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


def _batches(urls: Iterable[str], size: int = BATCH) -> Iterator[list[str]]:
    batch: list[str] = []
    for url in urls:
        batch.append(url)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def outcomes(extractor: ArticleExtractor, urls: Iterable[str], jobs: int = 1) -> Iterator[Outcome]:
    """Every article's outcome, in ``urls`` order; with ``jobs`` > 1 in forked worker processes
    (they inherit ``extractor`` and its open indexes; each opens its own WARC handles)."""
    if jobs <= 1:
        for url in urls:
            yield extractor.extract(url)
        return
    global _WORKER
    _WORKER = extractor
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs, initializer=_forked) as pool:
        for batch in pool.imap(_work, _batches(urls), chunksize=1):
            yield from batch
    _WORKER = None


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
