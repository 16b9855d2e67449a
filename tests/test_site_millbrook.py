"""millbrook (The Millbrook Ledger, WordPress) held to the same tests as yunhe: replay of its mirror field
by field, a crawl through the local proxy (https through CONNECT, the shortlink answered by a redirect, feed and sitemaps with their content types), a
second run incremental, the drift alarm when its template changes.

Its profile (northnews/sites/millbrook/site.toml) and fixture (tests/fixtures/sites/millbrook/, written
by a generator that does not import northnews) are the only files that describe it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.mockserver import Answer
from tests.sitekit import Portal

pytestmark = pytest.mark.slow

PORTAL = Portal("millbrook")
#: What the profile asks of northnews that it cannot do yet (xfail strict: the test says when it can).
MISSING: list[str] = []
exact = pytest.mark.xfail(bool(MISSING), reason="; ".join(MISSING), strict=True) if MISSING else (lambda f: f)


def live_answers(url: str) -> Answer | None:
    """WordPress's own answers: the shortlink ``/?p=<id>`` is a 301 to the permalink (the mirror has
    the page under the shortlink, as wget saves a redirect's target by default); the feed and the
    sitemaps go out with their content types."""
    page = PORTAL.fixture.by_url.get(url)
    if page is None:
        return None
    if page.get("same_as"):
        return 301, [("Location", page["same_as"]), ("Content-Type", "text/html; charset=UTF-8")], b""
    if page["kind"] == "feed":
        return 200, [("Content-Type", "application/rss+xml; charset=UTF-8")], (PORTAL.mirror / page["path"]).read_bytes()
    if page["kind"] == "sitemap":
        return 200, [("Content-Type", "application/xml; charset=UTF-8")], (PORTAL.mirror / page["path"]).read_bytes()
    return None


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory):
    return PORTAL.replay(tmp_path_factory.mktemp("millbrook-replay"))


def test_the_fixture_is_what_the_issue_asks() -> None:
    assert 30 <= len(PORTAL.expected) <= 60
    assert PORTAL.rejects


@exact
def test_replay_gives_every_expected_item_field_by_field(replay) -> None:
    PORTAL.assert_exact(replay)


def test_replay_quarantines_the_reject(replay) -> None:
    PORTAL.assert_quarantined(replay)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    return PORTAL.live_runs(tmp_path_factory.mktemp("millbrook-live") / "archive", live_answers)


def test_live_crawl_through_a_proxy_gives_the_same_items(live) -> None:
    """Live, the shortlink is WordPress's 301 to the permalink: one item (replay, above, is not)."""
    PORTAL.assert_live_exact(live)



def test_a_shortlink_served_as_the_post_is_an_alias_of_the_permalink_its_canonical_names(tmp_path: Path) -> None:
    """Served as wget saved it (200, the post's page under ``/?p=<id>``, no redirect): the page's
    ``<link rel=canonical>`` makes the shortlink an alias of the permalink, as WordPress's 301 does
    live: one item under the permalink, the alias in the store's ``article_aliases``, nothing pending."""
    from tests.mockserver import MockPortal
    from tests.opskit import query

    shortlinks = {u: p["same_as"] for u, p in PORTAL.fixture.by_url.items() if p.get("same_as")}
    assert shortlinks
    with MockPortal(PORTAL.mirror, tls=True) as server:
        run = PORTAL.crawl(tmp_path / "archive", env={"http_proxy": server.proxy_url})
        asked = server.requested_urls()
    assert set(shortlinks) <= set(asked)  # the shortlink was fetched, and answered 200
    PORTAL.assert_exact(run)
    aliases = dict(query(run.archive, "SELECT url, target FROM article_aliases WHERE site = ?", "millbrook"))
    assert aliases == shortlinks
    pending = {u for (u,) in query(run.archive, "SELECT url FROM article_pending WHERE site = ?", "millbrook")}
    assert not pending & set(shortlinks)


def test_the_warcs_pass_warcio_check_and_replay_gives_the_same_items(live, tmp_path: Path) -> None:
    """https, a 301 shortlink, feed and sitemaps: the WARCs hold what replays into the same items."""
    PORTAL.assert_warcs_replay_the_same(live, tmp_path)


def test_a_second_run_fetches_no_stored_article_page(live) -> None:
    PORTAL.assert_second_run_incremental(live)


def test_the_drift_alarm_fires_when_the_template_changes(tmp_path: Path) -> None:
    PORTAL.assert_drift_alarm(tmp_path)


def test_a_date_part_on_a_time_element_reads_its_datetime(tmp_path: Path) -> None:
    from northnews import pages
    from northnews.sites import load_site

    profile = (REPO / "northnews" / "sites" / "millbrook" / "site.toml").read_text(encoding="utf-8")
    with_date = profile.replace('byline = ".below-entry-meta"', 'byline = ".below-entry-meta"\ndate = "time.entry-date.published"')
    assert with_date != profile
    (tmp_path / "millbrook").mkdir()
    (tmp_path / "millbrook" / "site.toml").write_text(with_date, encoding="utf-8")
    site = load_site(str(tmp_path / "millbrook" / "site.toml"))
    item = next(iter(PORTAL.expected.values()))
    html = (PORTAL.mirror / PORTAL.fixture.by_url[item["url"]]["path"]).read_text(encoding="utf-8")
    page = pages.parse_article(html, item["url"], site)
    assert page.template == "colormag-single" and page.date == item["published_raw"]


def test_since_keeps_only_newer_posts_from_lists_sitemaps_and_feed(tmp_path: Path) -> None:
    """``-a since``: the URL's date decides for every source (list pages, sitemaps, the feed)."""
    got, want = PORTAL.assert_since(tmp_path, "2024-03-15")
    assert got == want
