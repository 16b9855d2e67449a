"""The generic extractor on real-looking pages of sites we have no layout for.

``tests/fixtures/realworld/<case>/`` holds ``page.html`` (the bytes as served; ``meta.json`` gives
the ``Content-Type`` header when the case is about it) and ``expected.json``, written by hand from
what a reader of the page sees: the headline, the time printed (or kept in the page's metadata)
to the minute in China Standard Time, the story's first and last paragraphs, how many paragraphs it
has, and strings the body must and must not contain (compared whitespace-insensitively, as
trafilatura's tests do). ``covers`` says which real-page habit the case stands for.

Then the real-pages benchmark (``tests/fixtures/realpages``): none of its pages may be claimed by
a known layout, and the body quality may not fall below a floor (a quality check, not a timing one).
"""

from __future__ import annotations

import inspect
import json
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from benchmarks import realpages
from northnews.encoding import decode
from northnews.normalize import clean_person, clean_source, clean_title, parse_datetime
from northnews.pages import ArticlePage, generic, parse_article

FIXTURES = Path(__file__).parent / "fixtures"
CASES = sorted(p.parent for p in (FIXTURES / "realworld").glob("*/expected.json"))
CST = timezone(timedelta(hours=8))


def _site() -> object | None:
    try:
        from northnews.sites import load_site
    except ImportError:
        return None
    return load_site()


SITE = _site()


def parse(html: str, url: str) -> ArticlePage:
    """The public entry point, with the default site's layouts in play (they must not claim)."""
    return parse_article(html, url, SITE) if SITE is not None else parse_article(html, url)


def minute(raw: str | None, year: int | None) -> str | None:
    """A raw date → ``YYYY-MM-DD HH:MM`` in China Standard Time, as normalize reads it."""
    params = inspect.signature(parse_datetime).parameters
    kwargs: dict[str, object] = {}
    if "tz" in params:
        kwargs["tz"] = CST
    if "year" in params:
        kwargs["year"] = year
    parsed = parse_datetime(raw, **kwargs)
    return parsed.astimezone(CST).strftime("%Y-%m-%d %H:%M") if parsed else None


def squash(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def load(case: Path) -> tuple[str, dict]:
    expected = json.loads((case / "expected.json").read_text("utf-8"))
    meta_path = case / "meta.json"
    meta = json.loads(meta_path.read_text("utf-8")) if meta_path.exists() else {}
    html, _ = decode((case / "page.html").read_bytes(), meta.get("content_type"))
    return html, expected


def test_enough_cases() -> None:
    assert len(CASES) >= 15


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_realworld_page(case: Path) -> None:
    html, expected = load(case)
    page = parse(html, expected["url"])
    assert page.template == "generic"  # no known layout claims a foreign page
    assert clean_title(page.title) == expected["title"]
    captured = expected.get("captured")
    year = datetime.fromisoformat(captured.replace("Z", "+00:00")).year if captured else None
    assert minute(page.date, year) == expected["published"], page.date
    paragraphs = [squash(p) for p in page.paragraphs]
    assert paragraphs, "empty body"
    assert paragraphs[0] == squash(expected["first_paragraph"])
    assert paragraphs[-1] == squash(expected["last_paragraph"])
    assert len(paragraphs) == expected["paragraphs"]
    body = "".join(paragraphs)
    for text in expected.get("must_contain", []):
        assert squash(text) in body, text
    for text in expected.get("must_not_contain", []):
        assert squash(text) not in body, text
    if "source" in expected:
        assert clean_source(page.source) == expected["source"]
    if "author" in expected:
        assert clean_person(page.author, "author") == expected["author"]
    if "editor" in expected:
        assert clean_person(page.editor, "editor") == expected["editor"]


def test_bytes_are_decoded_whatever_the_declaration() -> None:
    """``generic.parse`` given the raw bytes of a page that declares the wrong charset."""
    for name in ("gb2312_declared_utf8", "utf8_declared_gbk"):
        expected = json.loads((FIXTURES / "realworld" / name / "expected.json").read_text("utf-8"))
        page = generic.parse((FIXTURES / "realworld" / name / "page.html").read_bytes(), expected["url"])
        assert clean_title(page.title) == expected["title"]
        assert squash(page.paragraphs[-1]) == squash(expected["last_paragraph"])


# --- the real-pages benchmark ----------------------------------------------------------------------

REAL = realpages.load_pages() if (realpages.PAGES / "ground-truth.json").exists() else []


@pytest.mark.skipif(not REAL, reason="tests/fixtures/realpages missing")
def test_no_real_page_is_claimed_by_a_known_layout() -> None:
    claimed = [p.url for p in REAL if parse(p.html, p.url).template != "generic"]
    assert claimed == []


@pytest.mark.skipif(not REAL, reason="tests/fixtures/realpages missing")
def test_real_pages_body_quality_floor() -> None:
    """The benchmark's own metric on its development pages (measured 0.968; trafilatura 0.963)."""
    bodies = {p.key: "\n\n".join(parse(p.html, p.url).paragraphs) for p in REAL}
    score = realpages.score(REAL, bodies)
    assert score.empty == 0
    assert score.f1 >= 0.95, score


def test_benchmark_metric() -> None:
    """The shingle metric as the benchmark defines it, on small hand-computed cases."""
    assert realpages.match("a b c d e", "a b c d e") == (1.0, 0.0, 0.0)
    tp, fp, fn = realpages.match("a b c d e", "a b c d")  # truth: abcd, bcde; got: abcd
    assert (tp, fp, fn) == (0.5, 0.0, 0.5)
    assert realpages.precision(0.0, 0.0, 0.0) == 1.0  # nothing on either side
    assert realpages.precision(0.0, 0.0, 1.0) == 0.0  # nothing extracted
    assert realpages.recall(0.5, 0.0, 0.5) == 0.5
