"""northnews.cn as it is today, beside the 2015 portal: the redesigned site (``/p/<id>`` articles,
the ``m.`` host, lists paginated ``?page=2``, markup read by the generic extractor) and 内蒙古日报's
digital edition (``szb.northnews.cn/nmgrb/``: issues by date, every 版面, gb2312 and UTF-8 issues,
a continued story, an advertising 版面 with no story).

The fixture (tests/fixtures/sites/northnews/, written by make_mirror.py, which does not import
northnews) prints its expected items; the profile is the shipped northnews one, unchanged.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, PORTAL, REPO, CrawlResult, page_view, read_jsonl, run_crawl
from tests.mockserver import MockPortal

pytestmark = pytest.mark.slow

ROOT = FIXTURES / "sites" / "northnews"
MIRROR = ROOT / "mirror"
EXPECTED = {item["url"]: item for item in read_jsonl(ROOT / "expected" / "items.jsonl")}
OLD = {item["url"]: item for item in read_jsonl(FIXTURES / "expected" / "portal.jsonl")}
#: What the generic extractor cannot read yet on the e-paper (issue 15 part 4, owned by the
#: extractor's branch: an unlabelled 本报记者 X byline, a picture above the text block). Compared
#: in their own test, marked xfail until that work is merged; every other field is exact.
EPAPER_PENDING = ("author", "images")


def pending_field(item: dict, field: str) -> bool:
    return item["edition"] == "szb" and field in EPAPER_PENDING


def stat(result: CrawlResult, key: str) -> int:
    m = re.search(rf"'{re.escape(key)}': (\d+)", result.stderr)
    return int(m.group(1)) if m else 0


def assert_exact(result: CrawlResult, expected: dict[str, dict]) -> None:
    assert result.returncode == 0, result.stderr[-3000:]
    urls = [item["url"] for item in result.items]
    assert len(urls) == len(set(urls)), "an article became two items"
    assert set(urls) == set(expected)
    for url, want in expected.items():
        got = page_view(result.by_url[url])
        for field, value in want.items():
            if field.startswith("_") or pending_field(want, field):
                continue
            assert got[field] == value, f"{url} {field}"


@pytest.fixture(scope="module")
def today(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    return run_crawl(tmp_path_factory.mktemp("nn-today"), "-a", f"replay={MIRROR}", "-a", "editions=zh,szb")


def test_the_generator_is_deterministic_and_matches_the_committed_fixture(tmp_path: Path) -> None:
    import subprocess
    import sys

    subprocess.run([sys.executable, str(ROOT / "make_mirror.py"), "--out", str(tmp_path), "--cases", str(tmp_path / "cases")],
                   check=True, capture_output=True)
    cases = REPO / "northnews" / "sites" / "northnews" / "tests"
    assert sorted(p.name for p in (tmp_path / "cases").iterdir()) == sorted(p.name for p in cases.iterdir())
    assert all((tmp_path / "cases" / p.name).read_bytes() == p.read_bytes() for p in cases.iterdir())
    assert (tmp_path / "expected" / "items.jsonl").read_bytes() == (ROOT / "expected" / "items.jsonl").read_bytes()
    ours = sorted(p.relative_to(tmp_path / "mirror") for p in (tmp_path / "mirror").rglob("*") if p.is_file())
    committed = sorted(p.relative_to(MIRROR) for p in MIRROR.rglob("*") if p.is_file())
    assert ours == committed
    assert all((tmp_path / "mirror" / p).read_bytes() == (MIRROR / p).read_bytes() for p in ours)


def test_the_fixture_has_both_new_parts() -> None:
    editions = [item["edition"] for item in EXPECTED.values()]
    assert editions.count("zh") == 9 and editions.count("szb") == 8
    assert any(item.get("_continued") for item in EXPECTED.values())
    gb = list((MIRROR / "szb.northnews.cn" / "nmgrb" / "html" / "2020-01" / "27").glob("*.htm"))
    assert gb and all(b"charset=gb2312" in p.read_bytes() for p in gb)


def test_todays_site_and_the_e_paper_in_replay_field_by_field(today: CrawlResult) -> None:
    assert_exact(today, EXPECTED)


@pytest.mark.xfail(reason="issue 15 part 4 (extractor branch): unlabelled 本报记者 bylines and pictures above the "
                          "text block are not read by the generic path yet", strict=False)
def test_the_e_paper_fields_the_extractor_is_still_learning(today: CrawlResult) -> None:
    for url, want in EXPECTED.items():
        if want["edition"] == "szb":
            got = page_view(today.by_url[url])
            for field in EPAPER_PENDING:
                assert got[field] == want[field], f"{url} {field}"


def test_one_article_per_id_across_hosts_and_noise(today: CrawlResult) -> None:
    # Linked as https://www…/p/2359976?from=index, https://m…/p/2359976.html and /p/2359976.
    assert [i["url"] for i in today.items].count("http://www.northnews.cn/p/2359976") == 1
    assert not any("m.northnews.cn" in i["url"] or "?" in i["url"] for i in today.items)


def test_an_article_only_the_announced_feed_lists(today: CrawlResult) -> None:
    assert "http://www.northnews.cn/p/2362100" in today.by_url
    assert stat(today, "northnews/sources/feed/urls") == 3
    assert stat(today, "northnews/sources/feed/articles") >= 1  # the others may be found on lists first


def test_list_pages_by_query_and_sections_of_the_e_paper(today: CrawlResult) -> None:
    # /news/nmgnews/?page=2 alone lists 2359976's section mates: all four found.
    assert {i["url"] for i in today.items if i["section"] == "内蒙古"} == {
        u for u, i in EXPECTED.items() if i["section"] == "内蒙古"}
    # The e-paper's sections are its 版面 names, 第01版：要闻 → 要闻; the advertising 版面 gives nothing.
    assert {i["section"] for i in today.items if i["edition"] == "szb"} == {"要闻", "经济", "综合", "文化", "社会"}


def test_since_stops_at_the_first_older_issue(tmp_path: Path) -> None:
    result = run_crawl(tmp_path / "a", "-a", f"replay={MIRROR}", "-a", "editions=szb", "-a", "since=2025-10-18")
    assert result.returncode == 0, result.stderr[-3000:]
    want = {u for u, i in EXPECTED.items() if i["edition"] == "szb" and i["published"] >= "2025-10-18"}
    assert set(result.by_url) == want and len(want) == 6
    assert stat(result, "northnews/spider/issue_too_old") == 1  # 2020-01-27, linked as 上一期, not fetched


def test_an_incremental_run_walks_no_completed_issue(tmp_path: Path) -> None:
    """Live, through the local server, with a copy of the profile whose only edition is the
    e-paper: a run restricted by ``-a editions`` never counts as complete (the next one walks every
    list page, northnews.crawl.extensions.incremental), and the local server is a proxy without CONNECT (so the
    e-paper's start URL is http://)."""
    profile = tmp_path / "profile"
    shutil.copytree(REPO / "northnews" / "sites" / "northnews", profile, ignore=shutil.ignore_patterns("__pycache__"))
    toml = profile / "site.toml"
    text = toml.read_text(encoding="utf-8")
    for table in ('[editions.zh]\nstart_url = "http://www.northnews.cn/"\nlanguage = "zh-CN"\n',
                  '[editions.en]\nstart_url = "http://english.northnews.cn/"\nlanguage = "en"\n'):
        assert table in text
        text = text.replace(table, "")
    text = text.replace('start_url = "https://szb.', 'start_url = "http://szb.').replace("default = false", "default = true")
    toml.write_text(text, encoding="utf-8")
    archive = tmp_path / "archive"
    args = ("-a", f"site={toml}")
    with MockPortal(MIRROR) as server:
        first = run_crawl(archive, *args, env={"http_proxy": server.proxy_url})
        before = len(server.requested_urls())
        again = run_crawl(archive, *args, env={"http_proxy": server.proxy_url})
        second = server.requested_urls()[before:]
    assert first.returncode == 0 and len(first.items) == 8, first.stderr[-3000:]
    assert again.returncode == 0 and again.items == [], again.stderr[-3000:]
    # Again: the root and the latest issue's 4 版面 (a story may still appear on them), no story;
    # the earlier issue's request carried the latest 第01版's stories, all archived, so the
    # incremental middleware dropped it: no page of 2025-10-18 or 2020-01-27 is requested.
    assert not [u for u in second if "/content_" in u], second
    assert sorted(u for u in second if "node_" in u) == sorted(
        f"http://szb.northnews.cn/nmgrb/html/2025-10/19/node_{n}.htm" for n in (2, 3, 4, 5))


def test_the_two_eras_in_one_archive(tmp_path: Path) -> None:
    """The 2015 portal and today's site crawled into one archive: each era exact, nothing twice."""
    archive = tmp_path / "archive"
    old = run_crawl(archive, "-a", f"replay={PORTAL}")
    assert_exact(old, OLD)
    new = run_crawl(archive, "-a", f"replay={MIRROR}", "-a", "editions=zh,szb")
    assert_exact(new, EXPECTED)
    assert not set(old.by_url) & set(new.by_url)


@pytest.mark.parametrize("name", ["northnews", "yunhe"])
def test_a_0_2_0_profile_loads_unchanged_and_gives_the_same_items(tmp_path: Path, name: str) -> None:
    """The profiles as 0.2.0 shipped them (tests/fixtures/profiles_0_2_0/, copied from main at
    520ad26): no key of theirs is unknown, and their portals' items are exactly as before."""
    profile = tmp_path / name
    shutil.copytree(FIXTURES / "profiles_0_2_0" / name, profile)
    mirror = PORTAL if name == "northnews" else FIXTURES / "sites" / "yunhe" / "mirror"
    expected_file = FIXTURES / "expected" / "portal.jsonl" if name == "northnews" else (
        FIXTURES / "sites" / "yunhe" / "expected" / "items.jsonl")
    expected = {i["url"]: i for i in read_jsonl(expected_file)}
    result = run_crawl(tmp_path / "archive", "-a", f"site={profile / 'site.toml'}", "-a", f"replay={mirror}")
    assert_exact(result, expected)
    assert json.dumps(sorted(result.by_url)) == json.dumps(sorted(expected))


def test_todays_site_through_a_local_proxy_equals_replay(tmp_path: Path, today: CrawlResult) -> None:
    """Live mode through the local server as the portal (http_proxy): today's site only (the
    e-paper's start URL is https://, and the local proxy has no CONNECT)."""
    with MockPortal(MIRROR) as server:
        result = run_crawl(tmp_path / "archive", "-a", "editions=zh", env={"http_proxy": server.proxy_url})
        requested = server.requested_urls()
    zh = {u: i for u, i in EXPECTED.items() if i["edition"] == "zh"}
    assert_exact(result, zh)
    assert all(item["warc"] for item in result.items)
    assert not any("m.northnews.cn/p/" in u for u in requested)  # the m. URL of an article is its www URL
    assert "http://www.northnews.cn/rss/news.xml" in requested
