"""Extraction benchmark: our page understanding against trafilatura on every fixture article.

    make bench-extract        # or: .venv/bin/python -m benchmarks.extract [--repeat N]

For every article of the fixture portal (``tests/fixtures/portal``, truth in
``tests/fixtures/expected/portal.jsonl``) and every hand-written page fixture
(``tests/fixtures/pages/<layout>/<case>``), both extractors get the same decoded HTML of every
page of the article. Printed side by side: exact-match accuracy of title, published, source,
author and editor; body token F1 (CJK characters and Latin words are tokens); milliseconds per
page. Then the generic fallback alone on the known-layout pages (body F1), which is what an
article of an unknown layout can expect.

trafilatura gets its best settings for this task: metadata on, comments off, htmldate's extensive
search with time of day; its ``sitename`` stands in for the publisher (it has no notion of a
syndication source) and it has no editor field.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from northnews.encoding import decode
from northnews.normalize import article_fields, canonical_source, parse_published
from northnews.pages import ArticlePage, generic, parse_article

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
FIELDS = ("title", "published", "source", "author", "editor")


@dataclass
class Article:
    """One fixture article: its pages' decoded HTML (first page first) and the expected fields."""

    name: str
    url: str
    pages: list[tuple[str, str]]  # (url, html)
    expected: dict[str, Any]
    result: dict[str, dict[str, Any]] = field(default_factory=dict)


def _portal_path(url: str) -> Path:
    parts = urlsplit(url)
    path = parts.path + ("index.html" if parts.path.endswith("/") else "")
    return FIXTURES / "portal" / parts.netloc / path.lstrip("/")


def load_articles() -> list[Article]:
    articles = []
    expected_path = FIXTURES / "expected" / "portal.jsonl"
    manifest_path = FIXTURES / "expected" / "pages.jsonl"
    if expected_path.exists() and manifest_path.exists():
        manifest = [json.loads(line) for line in manifest_path.read_text("utf-8").splitlines() if line]
        for line in expected_path.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            expected = json.loads(line)
            entries = sorted(
                (m for m in manifest if m.get("article") == expected["url"]), key=lambda m: m["page"]
            )
            pages = [(m["url"], decode(_portal_path(m["url"]).read_bytes())[0]) for m in entries]
            articles.append(Article(f"portal {expected['url']}", expected["url"], pages, expected))
    for case in sorted((FIXTURES / "pages").glob("*/*/output.json")):
        meta = json.loads((case.parent / "meta.json").read_text("utf-8"))
        html, _ = decode((case.parent / "page.html").read_bytes(), meta.get("content_type"))
        expected = json.loads(case.read_text("utf-8"))
        name = f"pages {case.parent.parent.name}/{case.parent.name}"
        articles.append(Article(name, meta["url"], [(meta["url"], html)], expected))
    return articles


# --- the two extractors --------------------------------------------------------------------------


def ours(article: Article, parser: Callable[[str, str], ArticlePage] = parse_article) -> dict[str, Any]:
    pages = [parser(html, url) for url, html in article.pages]
    fields, _ = article_fields(pages, article.url)
    return fields


def ours_generic(article: Article) -> dict[str, Any]:
    return ours(article, generic.parse)


def trafilatura_fields(article: Article) -> dict[str, Any]:
    import trafilatura

    results = [
        trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False,
            date_extraction_params={
                "extensive_search": True, "original_date": True,
                "outputformat": "%Y-%m-%dT%H:%M:%S",
            },
        )
        for url, html in article.pages
    ]
    docs = [r.as_dict() if r is not None else {} for r in results]
    first = docs[0] if docs else {}
    return {
        "title": first.get("title"),
        "published": parse_published(first.get("date")),
        "source": canonical_source(first.get("sitename")),
        "author": first.get("author"),
        "editor": None,
        "body": "\n\n".join(d.get("text") or "" for d in docs),
    }


# --- scoring -------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]|[^\W_]+", re.UNICODE)


def tokens(text: str | None) -> Counter[str]:
    return Counter(t.lower() for t in _TOKEN_RE.findall(text or ""))


def body_f1(got: str | None, expected: str | None) -> float:
    want, have = tokens(expected), tokens(got)
    if not want and not have:
        return 1.0
    overlap = sum((want & have).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(have.values()), overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def timed(run: Callable[[Article], dict[str, Any]], articles: list[Article], repeat: int) -> float:
    """Best-of-``repeat`` seconds for one pass over every article."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for article in articles:
            run(article)
        best = min(best, time.perf_counter() - start)
    return best


@dataclass
class Score:
    accuracy: dict[str, float]
    f1_mean: float
    f1_min: float
    exact_bodies: int
    misses: list[str]


def score(articles: list[Article], key: str) -> Score:
    hits = dict.fromkeys(FIELDS, 0)
    f1s, exact, misses = [], 0, []
    for article in articles:
        got = article.result[key]
        for name in FIELDS:
            if got.get(name) == article.expected.get(name):
                hits[name] += 1
            elif key == "ours":
                misses.append(f"{article.name}: {name} {got.get(name)!r} != {article.expected.get(name)!r}")
        f1 = body_f1(got.get("body"), article.expected.get("body"))
        f1s.append(f1)
        exact += got.get("body") == article.expected.get("body")
        if key == "ours" and got.get("body") != article.expected.get("body"):
            misses.append(f"{article.name}: body differs (F1 {f1:.3f})")
    n = len(articles) or 1
    return Score(
        {name: hits[name] / n for name in FIELDS},
        statistics.fmean(f1s) if f1s else 0.0, min(f1s, default=0.0), exact, misses,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="timing passes (best is kept)")
    args = parser.parse_args(argv)

    articles = load_articles()
    if not articles:
        print("no fixture articles found under", FIXTURES, file=sys.stderr)
        return 1
    n_pages = sum(len(a.pages) for a in articles)
    for article in articles:
        article.result["ours"] = ours(article)
        article.result["trafilatura"] = trafilatura_fields(article)
    t_ours = timed(ours, articles, args.repeat)
    t_traf = timed(trafilatura_fields, articles, max(1, args.repeat // 2))
    a, b = score(articles, "ours"), score(articles, "trafilatura")

    portal = sum(a.name.startswith("portal") for a in articles)
    print(f"Extraction benchmark: {len(articles)} fixture articles ({portal} portal, "
          f"{len(articles) - portal} page fixtures), {n_pages} pages")
    print()
    print(f"| {'field':<22} | {'northnews':>10} | {'trafilatura':>11} |")
    print(f"| {'-' * 22} | {'-' * 10}:| {'-' * 11}:|")
    for name in FIELDS:
        print(f"| {name + ' (exact)':<22} | {a.accuracy[name]:>10.1%} | {b.accuracy[name]:>11.1%} |")
    print(f"| {'body token F1 (mean)':<22} | {a.f1_mean:>10.3f} | {b.f1_mean:>11.3f} |")
    print(f"| {'body token F1 (min)':<22} | {a.f1_min:>10.3f} | {b.f1_min:>11.3f} |")
    print(f"| {'body exact':<22} | {a.exact_bodies:>4}/{len(articles):<5} | "
          f"{b.exact_bodies:>5}/{len(articles):<5} |")
    print(f"| {'ms per page':<22} | {1000 * t_ours / n_pages:>10.2f} | {1000 * t_traf / n_pages:>11.2f} |")
    print()
    print(f"northnews is {t_traf / t_ours:.1f}x faster per page than trafilatura.")

    known = [x for x in articles if x.expected.get("template") != "generic"]
    for article in known:
        article.result["generic"] = ours_generic(article)
    g = score(known, "generic")
    print(f"Generic fallback alone on the {len(known)} known-layout articles: body token F1 "
          f"mean {g.f1_mean:.3f}, min {g.f1_min:.3f}; title {g.accuracy['title']:.1%}, "
          f"published {g.accuracy['published']:.1%}.")
    if a.misses:
        print()
        print("northnews misses:")
        for miss in a.misses:
            print("  ", miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
