"""Checks every generated fixture portal shares (tests/fixtures/sites/<name>/): its generator stays
independent of northnews and reproduces the committed bytes, its manifest lists exactly its
mirror, and every link a crawler would follow is in the mirror.

Used by ``tests/test_fixture_<name>.py``; nothing here imports northnews either, so the
fixtures are checked with the standard library and parsel alone.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from parsel import Selector

REPO = Path(__file__).resolve().parent.parent
SITES = REPO / "tests" / "fixtures" / "sites"

#: Keys of every expected item, in order (the generators write them so).
ITEM_KEYS = ["url", "site", "edition", "section", "title", "source", "source_raw", "author", "editor",
             "published", "published_raw", "body", "images", "tags", "template",
             "kicker", "subtitle", "page", "continued_from", "continued_to"]


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class Fixture:
    name: str

    @property
    def root(self) -> Path:
        return SITES / self.name

    @property
    def mirror(self) -> Path:
        return self.root / "mirror"

    @property
    def generator(self) -> Path:
        return self.root / "make_mirror.py"

    def expected(self, name: str) -> list[dict]:
        return read_jsonl(self.root / "expected" / name)

    @property
    def items(self) -> list[dict]:
        return self.expected("items.jsonl")

    @property
    def pages(self) -> list[dict]:
        return self.expected("pages.jsonl")

    @property
    def by_url(self) -> dict[str, dict]:
        return {p["url"]: p for p in self.pages}

    def text(self, page: dict) -> str:
        """A page's text, decoded strictly with the encoding the manifest gives it."""
        data = (self.mirror / page["path"]).read_bytes()
        return data.decode(page["encoding"] or "utf-8")

    def selector(self, url: str) -> Selector:
        return Selector(text=self.text(self.by_url[url]))


def generator_imports(path: Path) -> set[str]:
    """The top-level modules a generator imports; fails on relative or dynamic imports."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    modules: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "relative import in the generator"
            modules.append(node.module or "")
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            raise AssertionError("dynamic import in the generator")
    assert modules, "no imports parsed: the check would pass vacuously"
    return {m.split(".")[0] for m in modules}


def assert_generator_independent(fixture: Fixture) -> None:
    roots = generator_imports(fixture.generator)
    assert "northnews" not in roots and "tests" not in roots, roots
    assert roots <= set(sys.stdlib_module_names) | {"__future__"}, roots


def assert_generator_reproduces(fixture: Fixture, tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(fixture.generator), "--out", str(tmp_path)], check=True)

    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    fresh, committed = tree(tmp_path / "mirror"), tree(fixture.mirror)
    assert sorted(fresh) == sorted(committed)
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"stale fixture files, re-run make_mirror.py: {stale[:5]}"
    for path in sorted((tmp_path / "expected").iterdir()):
        assert path.read_bytes() == (fixture.root / "expected" / path.name).read_bytes(), path.name
    assert sorted(p.name for p in (tmp_path / "expected").iterdir()) == sorted(
        p.name for p in (fixture.root / "expected").iterdir())


def mirror_path(url: str) -> str:
    """``wget --mirror``'s file for a URL: host/path, ``/`` → ``index.html``, the query kept."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if path.endswith("/"):
        path += "index.html"
    return parts.netloc + path + (f"?{parts.query}" if parts.query else "")


def assert_manifest_is_the_mirror(fixture: Fixture) -> None:
    on_disk = sorted(str(p.relative_to(fixture.mirror)) for p in fixture.mirror.rglob("*") if p.is_file())
    assert on_disk == sorted(p["path"] for p in fixture.pages)
    for page in fixture.pages:
        assert page["path"] == mirror_path(page["url"]), page


def links(fixture: Fixture, pages: Iterable[dict] | None = None) -> dict[str, set[str]]:
    """Every ``<a href>`` of the HTML pages, resolved, fragment dropped: target → pages linking it."""
    out: dict[str, set[str]] = {}
    for page in fixture.pages if pages is None else pages:
        if page["kind"] in ("robots", "feed", "sitemap") or not page["encoding"]:
            continue
        for raw in Selector(text=fixture.text(page)).css("a::attr(href)").getall():
            raw = raw.strip()
            if not raw or raw.startswith(("javascript:", "#", "mailto:")):
                continue
            target = urljoin(page["url"], raw).split("#", 1)[0]
            out.setdefault(target, set()).add(page["url"])
    return out


def missing_links(fixture: Fixture, hosts: set[str], skip: Iterable[str] = ()) -> list[str]:
    """Links to ``hosts`` (any scheme) that are not in the mirror, except paths matching ``skip``."""
    import re

    patterns = [re.compile(p) for p in skip]
    have = {mirror_path(p["url"]) for p in fixture.pages}
    missing = []
    for target in links(fixture):
        parts = urlsplit(target)
        if parts.hostname not in hosts:
            continue
        whole = parts.path + (f"?{parts.query}" if parts.query else "")
        if any(p.search(whole) for p in patterns):
            continue
        if mirror_path(target) not in have:
            missing.append(target)
    return sorted(missing)


def profile_of(name: str) -> dict:
    import tomllib

    return tomllib.loads((REPO / "northnews" / "sites" / name / "site.toml").read_text(encoding="utf-8"))


class _Rules:
    """A profile's URL rule: one regex or a list of them tried in order (the first that matches)."""

    def __init__(self, value: str | list[str]) -> None:
        import re

        self.patterns = [re.compile(p) for p in ([value] if isinstance(value, str) else value)]

    def search(self, target: str):  # noqa: ANN201 (a re.Match or None)
        return next((m for m in (p.search(target) for p in self.patterns) if m), None)


def assert_profile_classifies_the_manifest(fixture: Fixture) -> None:
    """The profile's URL rules (on ``path?query``, as its ``query`` key makes them) say article for
    exactly the article pages (their later pages and the rejects included), list for exactly the
    list pages, and exclude no page of the mirror."""
    import re

    urls = profile_of(fixture.name)["urls"]
    article, listing = _Rules(urls["article"]), _Rules(urls["list"])
    excluded = [re.compile(p) for p in urls.get("excluded", [])]
    series: dict[str, list[tuple[int, int]]] = {}
    for page in fixture.pages:
        parts = urlsplit(page["url"])
        whole = parts.path + (f"?{parts.query}" if parts.query else "")
        is_article = page["kind"] in ("article", "article_page", "reject", "soft404")
        assert bool(article.search(whole)) == is_article, whole
        # an e-paper's list rule may name its root (the home page): its issues are walked by date
        # and a channel cover or an "about" page may have a list's shape (they are not numbered lists)
        assert bool(listing.search(whole)) == (page["kind"] == "list") or page["kind"] in ("home", "other"), whole
        if is_article:
            match = article.search(whole)
            number = match.groupdict().get("page")  # TRS counts from 0 (article_unsuffixed_page = 0): _1 is the 2nd
            assert (int(number) + 1 - urls.get("article_unsuffixed_page", 1) if number else 1) == page.get("page", 1), whole
        if page["kind"] == "list":  # a list's pages, in the order the profile's numbers give them
            number = listing.search(whole).groupdict().get("page")
            series.setdefault(page["section"], []).append(
                (page["list_page"], int(number) if number else urls.get("list_unsuffixed_page", 1)))
        assert not any(p.search(whole) for p in excluded) or page["kind"] in ("feed",), whole
    for section, pages in series.items():
        numbers = [n for _, n in sorted(set(pages))]
        assert numbers == sorted(set(numbers)) and len(set(numbers)) == len({p for p, _ in pages}), (section, pages)


def assert_url_dates_agree(fixture: Fixture) -> None:
    """The profile's ``url_dates`` (searched in the whole URL) give each item's published day where
    its URL carries one, and match at least one item."""
    import re

    patterns = [re.compile(p) for p in profile_of(fixture.name)["urls"].get("url_dates", [])]
    dated = 0
    for item in fixture.items:
        for pattern in patterns:
            m = pattern.search(item["url"])
            if m:
                assert f"{m['y']}-{m['m']}-{m['d']}" == item["published"][:10], item["url"]
                dated += 1
                break
    assert dated or not patterns, "url_dates match no article URL"


def fixture_tests(fixture: Fixture, *, url_dates: bool = False) -> dict[str, object]:
    """The checks every generated fixture gets, for a ``tests/test_fixture_<name>.py`` to take into
    its module (``globals().update(fixture_tests(FX))``): the generator imports nothing of the
    project and reproduces every committed byte, the manifest lists exactly the mirror, the
    profile's URL rules classify it (and, ``url_dates``, its URL dates agree with the items)."""

    def test_generator_imports_nothing_of_the_project() -> None:
        assert_generator_independent(fixture)

    def test_generator_reproduces_every_committed_byte(tmp_path: Path) -> None:
        assert_generator_reproduces(fixture, tmp_path)

    def test_manifest_lists_exactly_the_mirror() -> None:
        assert_manifest_is_the_mirror(fixture)

    def test_the_profiles_url_rules_classify_the_manifest() -> None:
        assert_profile_classifies_the_manifest(fixture)

    def test_the_profiles_url_dates_agree_with_the_items() -> None:
        assert_url_dates_agree(fixture)

    tests = {name: value for name, value in locals().items() if name.startswith("test_")}
    if not url_dates:
        del tests["test_the_profiles_url_dates_agree_with_the_items"]
    return tests
