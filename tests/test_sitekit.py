"""``scrapy sites test`` (a profile's saved pages, field by field) and ``scrapy sites draft`` (a
first profile from a mirror or a short polite crawl of a local server)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from northnews import sitekit
from northnews.sites import load_site
from tests.conftest import FIXTURES, REPO, SCRAPY, read_jsonl, run_crawl
from tests.mockserver import MockPortal

YUNHE = FIXTURES / "sites" / "yunhe"


def sites(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRAPY), "sites", *args], cwd=REPO, capture_output=True, text=True, timeout=300)


def test_the_northnews_profile_passes_its_saved_pages() -> None:
    result = sites("test", "northnews")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("northnews: 9 of 9 saved pages exact")
    assert result.stdout.count("\nok   ") + result.stdout.startswith("ok   ") == 9


def test_a_differing_field_is_one_line_and_exit_1(tmp_path: Path) -> None:
    profile = tmp_path / "northnews"
    shutil.copytree(REPO / "northnews" / "sites" / "northnews", profile, ignore=shutil.ignore_patterns("__pycache__"))
    case = profile / "tests" / "today_2362033.json"
    spec = json.loads(case.read_text(encoding="utf-8"))
    spec["expected"]["title"] = "另一个标题"
    case.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    result = sites("test", str(profile / "site.toml"))
    assert result.returncode == 1
    fails = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert fails == ["FAIL today_2362033 title: got '乳业企业加快拓展海外市场', expected '另一个标题'"]


def test_a_profile_without_saved_pages_says_so() -> None:
    result = sites("test", "yunhe")
    assert result.returncode == 2 and "no saved pages" in result.stderr


def test_a_selector_that_does_not_compile_is_one_line_exit_2(tmp_path: Path) -> None:
    text = (REPO / "northnews" / "sites" / "yunhe" / "site.toml").read_text(encoding="utf-8")
    path = tmp_path / "site.toml"
    path.write_text(text.replace('body = ".TRS_Editor"', 'body = "p:first-child"'), encoding="utf-8")
    result = sites(str(path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"scrapy sites: error: {path}: layouts[1].body: selector 'p:first-child' does not compile:"
        " unsupported selector step: 'p:first-child'"
    )


def test_a_draft_of_a_mirror_loads_and_names_its_shapes(tmp_path: Path) -> None:
    out = tmp_path / "draft.toml"
    result = sites("draft", str(YUNHE / "mirror"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    site = load_site(out)
    assert site.allowed_domains == ("yunhenews.cn",)
    assert site.urls.articles and site.layouts
    assert site.urls.list_unsuffixed_page == 0  # index_1.htm is the second page (TRS)
    titles = {spec.title for spec in site.layouts}
    assert ".article-title h1" in titles and ".pic-hd h1" in titles


@pytest.mark.slow
def test_a_crawl_with_the_unedited_draft_finds_every_yunhe_article(tmp_path: Path) -> None:
    out = tmp_path / "draft.toml"
    assert sites("draft", str(YUNHE / "mirror"), "-o", str(out)).returncode == 0
    result = run_crawl(tmp_path / "archive", "-a", f"site={out}", "-a", f"replay={YUNHE / 'mirror'}")
    assert result.returncode == 0, result.stderr[-3000:]
    expected = {i["url"]: i for i in read_jsonl(YUNHE / "expected" / "items.jsonl")}
    assert set(result.by_url) == set(expected)
    assert all(result.by_url[u]["title"] == i["title"] and result.by_url[u]["body"] == i["body"] for u, i in expected.items())


def test_a_draft_from_a_short_polite_crawl_of_a_local_server(tmp_path: Path) -> None:
    """The URL form: robots.txt read, one page at a time, the start host only (127.0.0.1 here)."""
    shutil.copytree(YUNHE / "mirror" / "www.yunhenews.cn", tmp_path / "mirror" / "127.0.0.1")
    with MockPortal(tmp_path / "mirror") as server:
        pages = list(sitekit.crawl_pages(server.proxy_url + "/", limit=60, delay=0))
        requested = server.requested_urls()
    assert len(pages) >= 20
    assert requested[0].endswith("/robots.txt") and all(u.startswith(server.proxy_url) for u in requested)
    draft = sitekit.draft(pages)
    assert draft.articles >= 1 and draft.layouts >= 1
    path = tmp_path / "site.toml"
    path.write_text(draft.toml, encoding="utf-8")
    assert load_site(path).urls.articles


def test_a_draft_reads_query_articles_numbered_pages_query_lists_and_one_article_at_two_urls(tmp_path: Path) -> None:
    """Discuz (qinghe): no root page (the portal is /portal.php), articles at article-<aid>-<page>.html
    (page 1 numbered) and portal.php?mod=view&aid=, lists portal.php?mod=list&catid=&page=."""
    out = tmp_path / "draft.toml"
    result = sites("draft", str(FIXTURES / "sites" / "qinghe" / "mirror"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    site = load_site(out)
    assert site.editions["zh"].start_url == "http://www.qinghebbs.cn/portal.php"
    assert site.urls.article_page_one == "numbered" and site.urls.pager == "pages"
    assert set(site.urls.query) == {"mod", "aid", "catid", "page"}
    assert site.urls.same_article == {"www.qinghebbs.cn": "http://www.qinghebbs.cn/article-{id}-1.html"}
    from northnews import discovery

    assert discovery.article_page("http://www.qinghebbs.cn/article-64-3.html", site) == (
        "http://www.qinghebbs.cn/article-64-1.html", 3)
    assert discovery.first_page_url("http://www.qinghebbs.cn/portal.php?mod=view&aid=64&from=x", site) == (
        "http://www.qinghebbs.cn/article-64-1.html")
    assert discovery.list_info("http://www.qinghebbs.cn/portal.php?mod=list&catid=3&page=2", site)[1] == 2


def test_a_draft_reads_slug_articles_zero_based_query_lists_and_the_https_its_links_say(tmp_path: Path) -> None:
    """Drupal (harwick): /news/<Y>/<m>/<d>/<slug> with no trailing slash, /sections/<term>?page=1 as
    the second page (``?page=0`` linked), https only in the pages' absolute links; no e-paper."""
    out = tmp_path / "draft.toml"
    assert sites("draft", str(FIXTURES / "sites" / "harwick" / "mirror"), "-o", str(out)).returncode == 0
    site = load_site(out)
    assert [e.start_url for e in site.editions.values()] == ["https://www.harwickcourier.com/"]
    assert site.issues is None and site.urls.list_unsuffixed_page == 0
    from northnews import discovery
    from northnews.discovery import Kind

    assert discovery.classify("https://www.harwickcourier.com/news/2024/03/18/council-advances-a-plan", site) is Kind.ARTICLE
    assert discovery.list_info("https://www.harwickcourier.com/sections/schools?page=1", site)[1] == 1


@pytest.mark.slow
@pytest.mark.parametrize("name", ["qinghe", "harwick", "fenshui", "huaihe", "shuiyang", "yecheng"])
def test_a_crawl_with_the_unedited_draft_finds_every_article(tmp_path: Path, name: str) -> None:
    """Discuz, Drupal, DedeCMS (static and view.php?aid=&pageno=), PHPCMS, PowerEasy (ASP) and TRS
    (script pagers, t…_1.html second pages): every article found, no article twice (benchmarks/draft.py prints the same, with the fields the draft gets right)."""
    mirror = FIXTURES / "sites" / name / "mirror"
    out = tmp_path / "draft.toml"
    assert sites("draft", str(mirror), "-o", str(out)).returncode == 0
    result = run_crawl(tmp_path / "archive", "-a", f"site={out}", "-a", f"replay={mirror}")
    assert result.returncode == 0, result.stderr[-3000:]
    expected = {i["url"].split("://", 1)[1] for i in read_jsonl(FIXTURES / "sites" / name / "expected" / "items.jsonl")}
    found = [u.split("://", 1)[1] for u in result.by_url]
    assert expected <= set(found) and len(found) == len(set(found))
