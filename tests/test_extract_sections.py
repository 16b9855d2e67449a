"""``northnews-archive extract`` and ``scrapy crawl articles -a replay=`` give the same ``section``
for every ``[sections] from`` the README documents (``crumb``, ``list``, ``list_or_crumb``, with
``names`` and ``page_name``), on a generated portal whose list pages name sections other than the
breadcrumbs (:mod:`tests.sectionportal`, which also says what each article's section must be)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from northnews import discovery
from northnews.pages import parse_html
from northnews.sites import load_site
from tests import sectionportal
from tests.conftest import REPO, read_jsonl, run_crawl
from tests.mockserver import MockPortal

BIN = Path(sys.executable).parent


def lines(path: Path) -> list[str]:
    return sorted(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def assert_parity(tmp_path: Path, mirror: Path, profile: Path, want: dict[str, str | None]) -> None:
    """Crawl ``mirror`` live with ``profile``, replay the archive with the spider and extract it:
    each gives ``want``'s sections, and extract the replay's lines."""
    archive = tmp_path / "archive"
    with MockPortal(mirror, gzip=True) as server:
        live = run_crawl(archive, "-a", f"site={profile}", env={"http_proxy": server.proxy_url})
    assert live.returncode == 0, live.stderr[-3000:]
    assert {item["url"]: item["section"] for item in live.items} == want
    replay = run_crawl(tmp_path / "replay", "-a", f"site={profile}", "-a", f"replay={archive}")
    assert replay.returncode == 0, replay.stderr[-3000:]
    out = tmp_path / "items.jsonl"
    proc = subprocess.run(
        [str(BIN / "northnews-archive"), "-d", str(archive), "extract", "--site", str(profile), "-o", str(out)],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    assert {item["url"]: item["section"] for item in read_jsonl(out)} == want
    assert lines(out) == lines(replay.archive / "items.jsonl")


@pytest.mark.slow
@pytest.mark.parametrize("source", sectionportal.SOURCES)
def test_extract_gives_the_replays_sections(source: str, tmp_path: Path) -> None:
    mirror, profile, want = sectionportal.write(tmp_path / "portal", source)
    assert_parity(tmp_path, mirror, profile, want)


@pytest.mark.parametrize("source", sectionportal.SOURCES)
def test_the_name_a_list_page_gives(source: str, tmp_path: Path) -> None:
    """:func:`discovery.list_name`, the one rule both read list pages with: a ``page_name`` match
    in a ``<title>`` loses the site's name after it (``[text] site_names``), as a title does."""
    _mirror, profile, _want = sectionportal.write(tmp_path, source)
    site = load_site(profile)
    titled = parse_html("<html><head><title>第03版：经济_河香新闻网</title></head><body><h2>第03版：经济</h2></body></html>")
    plain = parse_html("<html><head><title>综合新闻_河香新闻网</title></head><body><h2>综合新闻</h2></body></html>")
    jingji = f"http://{sectionportal.HOST}/col/jingji/index.html"
    misc = f"http://{sectionportal.HOST}/col/misc/index.html"
    named, unnamed = discovery.list_name(jingji, titled, site), discovery.list_name(misc, plain, site)
    assert (named, unnamed) == {"crumb": (None, None), "list": ("经济", "misc"), "list_or_crumb": ("经济", None)}[source]
    assert discovery.list_name(f"http://{sectionportal.HOST}/list-7-2.html", plain, site) == (None if source == "crumb" else "要闻")
    # A list at the site's root that names nothing gives nothing, not its host: the home page is no section.
    assert discovery.list_name(f"http://{sectionportal.HOST}/", plain, site) is None
    assert discovery.list_name(f"http://{sectionportal.HOST}/col/misc/", plain, site) == ("misc" if source == "list" else None)


@pytest.mark.slow
def test_an_epaper_walked_by_issues_with_list_or_crumb(tmp_path: Path) -> None:
    """``[issues]`` (``edition``, ``page``, ``first_page``) with ``from = "list_or_crumb"``: the
    lanling e-paper's profile so changed (its stories print no breadcrumb, so each keeps its 版面's
    name, as the fixture's generator says), extracted as the spider replays it."""
    lanling = REPO / "northnews" / "sites" / "lanling" / "site.toml"
    text = lanling.read_text(encoding="utf-8")
    assert 'from = "list"' in text
    profile = tmp_path / "lanling" / "site.toml"
    profile.parent.mkdir()
    profile.write_text(text.replace('from = "list"', 'from = "list_or_crumb"', 1), encoding="utf-8")
    fixture = REPO / "tests" / "fixtures" / "sites" / "lanling"
    want = {item["url"]: item["section"] for item in read_jsonl(fixture / "expected" / "items.jsonl")}
    assert_parity(tmp_path, fixture / "mirror", profile, want)
