"""yecheng (邺城县人民政府, TRS WCM) held to the same tests as yunhe: replay of its mirror field
by field, a crawl through the local proxy, a
second run incremental, the drift alarm when its template changes.

Its profile (northnews/sites/yecheng/site.toml) and fixture (tests/fixtures/sites/yecheng/, written
by a generator that does not import northnews) are the only files that describe it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sitekit import Portal

pytestmark = pytest.mark.slow

PORTAL = Portal("yecheng")
#: What the profile asks of northnews that it cannot do yet (xfail strict: the test says when it can).
MISSING: list[str] = []
exact = pytest.mark.xfail(bool(MISSING), reason="; ".join(MISSING), strict=True) if MISSING else (lambda f: f)


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory):
    return PORTAL.replay(tmp_path_factory.mktemp("yecheng-replay"))


def test_the_fixture_is_what_the_issue_asks() -> None:
    assert 15 <= len(PORTAL.expected) <= 60
    assert PORTAL.rejects and not PORTAL.pending


@exact
def test_replay_gives_every_expected_item_field_by_field(replay) -> None:
    PORTAL.assert_exact(replay)


def test_replay_quarantines_the_reject(replay) -> None:
    PORTAL.assert_quarantined(replay)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    return PORTAL.live_runs(tmp_path_factory.mktemp("yecheng-live") / "archive")


@exact
def test_live_crawl_through_a_proxy_gives_the_same_items(live) -> None:
    PORTAL.assert_live_exact(live)


def test_the_warcs_pass_warcio_check_and_replay_gives_the_same_items(live, tmp_path: Path) -> None:
    PORTAL.assert_warcs_replay_the_same(live, tmp_path)


def test_a_second_run_fetches_no_stored_article_page(live) -> None:
    PORTAL.assert_second_run_incremental(live)


def test_the_drift_alarm_fires_when_the_template_changes(tmp_path: Path) -> None:
    PORTAL.assert_drift_alarm(tmp_path)


def test_since_skips_older_dated_articles(tmp_path: Path) -> None:
    got, want = PORTAL.assert_since(tmp_path, "2023-07-01")
    assert got == want
