"""Chinese article pages: the held-out Chinese checks' six measures on our own small corpus of real
pages, ours beside trafilatura in the same run.

    .venv/bin/python -m benchmarks.cnpages            # the counts, dev and held-out split
    .venv/bin/python -m benchmarks.cnpages --pages    # and every page's marks

Pages: ``tests/fixtures/cnpages`` (real pages from the test data of permissively licensed
extraction projects, each page's origin and hand-written gold in ``gold.json``, see its README).
The ``heldout`` split was chosen before any extractor ran on the pages (every third page): rules
are written from the ``dev`` pages only, and the gap between the two is what they memorised.

The measures, per page (text compared with all whitespace left out):

* **complete**: the item has a title, a published time and a body (what the store keeps);
* **title**: the title is the headline exactly;
* **minute**: the published time is the page's publication, to the minute (as an instant);
* **starts**: the body starts at the story's first words (at most ``SLACK`` characters before
  them: a dateline or a reporter's credit);
* **ends**: the body ends at the story's last words (at most ``SLACK`` characters after them: an
  editor's or a source's bracket);
* **length**: the body's length is within 20% of the story's (``gold.json``'s ``length``).

Ours is what a portal with no profile of its own gets: :func:`northnews.pages.parse_article` with
the default profile (whose layouts claim none of these pages), then the item's normalisation
(:func:`northnews.pages.stitch.build_item`). trafilatura: ``bare_extraction`` with metadata (its
title, its date with the time of day asked for, read in +08:00 when it gives no zone), comments off.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "fixtures" / "cnpages"
MEASURES = ("complete", "title", "minute", "starts", "ends", "length")
#: Characters a body may hold before the story's first words or after its last.
SLACK = 24
#: How far a body's length may be from the story's.
LENGTH_TOLERANCE = 0.2
CHINA = timezone(timedelta(hours=8))


@dataclass
class CnPage:
    key: str
    split: str
    url: str
    html: str
    gold: dict[str, Any]


@dataclass
class Fields:
    """What an extractor gives for a page: the fields the measures read."""

    title: str | None
    published: str | None  # ISO
    body: str


def _decode(raw: bytes) -> str:
    found = re.search(rb"charset=[\"']?([\w-]+)", raw[:3000])
    try:
        return raw.decode(found.group(1).decode() if found else "utf-8")
    except (LookupError, UnicodeDecodeError):
        return raw.decode("utf-8", "replace")


def load_pages(root: Path = PAGES) -> list[CnPage]:
    gold = json.loads((root / "gold.json").read_text("utf-8"))
    out = []
    for entry in gold["pages"]:
        raw = gzip.decompress((root / "html" / f"{entry['key']}.html.gz").read_bytes())
        out.append(CnPage(entry["key"], entry["split"], entry["url"], _decode(raw), entry))
    return out


def squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def _instant(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=CHINA)
    return parsed.replace(second=0, microsecond=0)


def marks(page: CnPage, got: Fields) -> dict[str, bool]:
    gold = page.gold
    body = squash(got.body)
    start, end = squash(gold["start"]), squash(gold["end"])
    first = body.find(start)
    last = body.rfind(end)
    published = _instant(got.published)
    return {
        "complete": bool(got.title and published and body),
        "title": squash(got.title) == squash(gold["title"]),
        "minute": published is not None and published == _instant(gold["published"]),
        "starts": 0 <= first <= SLACK,
        "ends": last >= 0 and len(body) - (last + len(end)) <= SLACK,
        "length": abs(len(body) - gold["length"]) <= LENGTH_TOLERANCE * gold["length"],
    }


# --- the extractors ------------------------------------------------------------------------------


def ours(page: CnPage) -> Fields:
    from northnews.pages import parse_article
    from northnews.pages.stitch import build_item
    from northnews.sites import load_site

    site = load_site()
    parsed = parse_article(page.html, page.url, site)
    item, _ = build_item([parsed], page.url, site, {})
    return Fields(item["title"], item["published"], item["body"] or "")


def trafilatura_fields(page: CnPage) -> Fields:
    import trafilatura

    doc = trafilatura.bare_extraction(
        page.html, url=page.url, include_comments=False, with_metadata=True,
        date_extraction_params={"extensive_search": True, "original_date": True, "outputformat": "%Y-%m-%dT%H:%M"},
    )
    if doc is None:
        return Fields(None, None, "")
    return Fields(getattr(doc, "title", None), getattr(doc, "date", None), getattr(doc, "text", None) or "")


EXTRACTORS: dict[str, Callable[[CnPage], Fields]] = {"northnews": ours, "trafilatura": trafilatura_fields}


def counts(pages: list[CnPage], run: Callable[[CnPage], Fields]) -> tuple[dict[str, int], dict[str, dict[str, bool]]]:
    per_page = {page.key: marks(page, run(page)) for page in pages}
    totals = {m: sum(per_page[p.key][m] for p in pages) for m in MEASURES}
    return totals, per_page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", action="store_true", help="print every page's marks too")
    args = parser.parse_args(argv)
    pages = load_pages()
    splits = {name: [p for p in pages if p.split == name] for name in ("dev", "heldout")}
    head = f"{'set':10} {'extractor':12} {'pages':>5} " + " ".join(f"{m:>8}" for m in MEASURES)
    print(head)
    per: dict[str, dict[str, dict[str, bool]]] = {}
    for name, subset in splits.items():
        for extractor, run in EXTRACTORS.items():
            totals, per_page = counts(subset, run)
            per.setdefault(extractor, {}).update(per_page)
            print(f"{name:10} {extractor:12} {len(subset):>5} " + " ".join(f"{totals[m]:>8}" for m in MEASURES))
    if args.pages:
        print()
        print(f"{'page':16} {'split':8} " + " ".join(f"{m[:6]:>6}" for m in MEASURES) + "   (northnews | trafilatura)")
        for page in pages:
            cells = []
            for m in MEASURES:
                a = "+" if per["northnews"][page.key][m] else "-"
                b = "+" if per["trafilatura"][page.key][m] else "-"
                cells.append(f"{a + '|' + b:>6}")
            print(f"{page.key:16} {page.split:8} " + " ".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
