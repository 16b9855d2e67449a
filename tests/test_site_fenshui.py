"""fenshui (汾水新闻网, DedeCMS 5.7 in GBK) held to the same tests as yunhe: replay of its mirror field
by field, a crawl through the local proxy (with a lying ``charset=utf-8`` header on some pages), a
second run incremental, the drift alarm when its template changes.

Its profile (northnews/sites/fenshui/site.toml) and fixture (tests/fixtures/sites/fenshui/, written
by a generator that does not import northnews) are the only files that describe it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.mockserver import Answer
from tests.sitekit import Portal

pytestmark = pytest.mark.slow

PORTAL = Portal("fenshui")
#: What the profile asks of northnews that it cannot do yet (xfail strict: the test says when it can).
MISSING: list[str] = [
]
exact = pytest.mark.xfail(bool(MISSING), reason="; ".join(MISSING), strict=True) if MISSING else (lambda f: f)


def lying(url: str) -> Answer | None:
    """Every third article page, and the 本地 lists, say ``charset=utf-8`` in the header over GBK bytes
    (as a misconfigured nginx in front of a GBK DedeCMS does)."""
    page = PORTAL.fixture.by_url.get(url)
    if page is None or not page["encoding"]:
        return None
    if (page["kind"] in ("article", "article_page") and page.get("key", "")[1:].isdigit()
            and int(page["key"][1:]) % 3 == 0) or page.get("section") == "本地新闻":
        return 200, [("Content-Type", "text/html; charset=utf-8")], (PORTAL.mirror / page["path"]).read_bytes()
    return None


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory):
    return PORTAL.replay(tmp_path_factory.mktemp("fenshui-replay"))


def test_the_fixture_is_what_the_issue_asks() -> None:
    assert 30 <= len(PORTAL.expected) <= 60
    assert PORTAL.rejects and PORTAL.pending == {next(iter(PORTAL.pending)): "soft_404"}


@exact
def test_replay_gives_every_expected_item_field_by_field(replay) -> None:
    PORTAL.assert_exact(replay)


def test_replay_quarantines_the_reject_and_keeps_the_404_page_pending(replay) -> None:
    PORTAL.assert_quarantined(replay)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    return PORTAL.live_runs(tmp_path_factory.mktemp("fenshui-live") / "archive", lying)


@exact
def test_live_crawl_through_a_proxy_gives_the_same_items(live) -> None:
    PORTAL.assert_live_exact(live)



def test_the_warcs_pass_warcio_check_and_replay_gives_the_same_items(live, tmp_path: Path) -> None:
    """GBK pages, some under a lying charset=utf-8 header: the WARCs hold what replays into the same items."""
    PORTAL.assert_warcs_replay_the_same(live, tmp_path)


def test_a_second_run_fetches_no_stored_article_page(live) -> None:
    PORTAL.assert_second_run_incremental(live)


def test_the_drift_alarm_fires_when_the_template_changes(tmp_path: Path) -> None:
    PORTAL.assert_drift_alarm(tmp_path)


PAGED = """<html><head><meta charset="utf-8"><title>时评_汾水新闻网</title></head><body>
<div class="place"><a href="/">主页</a> &gt; <a href="/plus/list.php?tid=5">评论</a> &gt; </div>
<div class="viewbox"><div class="title"><h2>时评</h2></div>
<div class="info"><small>时间:</small>2024-03-12 09:30<small>来源:</small>汾水日报 <small>作者:</small>晓峰 </div>
<div class="content"><table><tr><td><p>{0}</p><p>{1}</p></td></tr></table></div>
<div class="dede_pages"><ul class="pagelist"><li><a href='view.php?aid=1&pageno=1'>1</a></li>
<li><a href='view.php?aid=1&pageno=2'>2</a></li></ul></div></div></body></html>"""


def test_page_one_linked_with_its_number_is_not_a_page_of_its_own(tmp_path: Path) -> None:
    """Not DedeCMS's own pager (it links page 1 bare), but the issue's "page 1 with or without its number"."""
    host = tmp_path / "mirror" / "www.fenshuinews.cn"
    (host / "plus").mkdir(parents=True)
    (host / "index.html").write_text('<html><body><a href="/plus/view.php?aid=1">时评</a></body></html>', encoding="utf-8")
    first = PAGED.format("第一页第一段。", "第一页第二段。")
    (host / "plus" / "view.php?aid=1").write_text(first, encoding="utf-8")
    (host / "plus" / "view.php?aid=1&pageno=1").write_text(first, encoding="utf-8")
    (host / "plus" / "view.php?aid=1&pageno=2").write_text(PAGED.format("第二页第一段。", "第二页第二段。"), encoding="utf-8")
    result = PORTAL.crawl(tmp_path / "archive", "-a", f"replay={tmp_path / 'mirror'}")
    assert result.returncode == 0, result.stderr[-2000:]
    (item,) = result.items
    assert item["body"].split("\n\n") == ["第一页第一段。", "第一页第二段。", "第二页第一段。", "第二页第二段。"]


def test_the_run_summary_counts_no_negative_drops(replay) -> None:
    line = next(line for line in replay.stdout.splitlines() if line.strip().startswith("articles:"))
    assert " -" not in line, line


def test_since_skips_older_dated_articles(tmp_path: Path) -> None:
    """``-a since``: articles whose list entry or URL is dated earlier are not fetched; the dynamic
    channel's URLs carry no date, so those linked from the sidebar without one are fetched, then not
    emitted (README: since; tests/test_since.py)."""
    got, want = PORTAL.assert_since(tmp_path, "2024-03-15")
    assert got == want
