"""``northnews-archive extract``: the items of ``scrapy crawl articles -a replay=ARCHIVE``, line for
line, without Scrapy's engine, on archives crawled through the local stand-in of each fixture portal."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from northnews.archive.lock import ArchiveLock
from northnews.ops import archive_cli
from northnews.ops.store import Store
from tests.conftest import PORTAL, REPO, read_jsonl, run_crawl
from tests.mockserver import MockPortal

YUNHE = REPO / "tests" / "fixtures" / "sites" / "yunhe" / "mirror"
MILLBROOK = REPO / "tests" / "fixtures" / "sites" / "millbrook" / "mirror"
BIN = Path(sys.executable).parent

pytestmark = pytest.mark.slow


def lines(path: Path) -> list[str]:
    return sorted(line for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def without_time(rejects: list[dict]) -> list[dict]:
    return sorted(({k: v for k, v in r.items() if k != "rejected_at"} for r in rejects), key=lambda r: r["url"])


def crawled(tmp: Path, mirror: Path, *args: str, twice: bool = False, tls: bool = False) -> dict:
    """Crawl ``mirror`` live (gzip on the wire, cookies) into an archive, optionally a second time
    with every article re-fetched (revisits), then replay that archive with the spider."""
    archive = tmp / "archive"
    with MockPortal(mirror, gzip=True, cookies=True, tls=tls) as server:
        env = {"http_proxy": server.proxy_url}
        first = run_crawl(archive, *args, env=env)
        assert first.returncode == 0, first.stderr[-3000:]
        if twice:
            second = run_crawl(archive, *args, "-a", "refresh=30", env=env)
            assert second.returncode == 0, second.stderr[-3000:]
    replay = run_crawl(tmp / "replay", *args, "-a", f"replay={archive}")
    assert replay.returncode == 0, replay.stderr[-3000:]
    assert replay.items
    return {"archive": archive, "replay": replay, "tmp": tmp}


@pytest.fixture(scope="module")
def northnews(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return crawled(tmp_path_factory.mktemp("extract-northnews"), PORTAL, twice=True)


@pytest.fixture(scope="module")
def yunhe(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return crawled(tmp_path_factory.mktemp("extract-yunhe"), YUNHE, "-a", "site=yunhe")


def extract(archive: Path, out: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "northnews-archive"), "-d", str(archive), "extract", "-o", str(out), *args],
        cwd=REPO, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_items_are_the_spiders_replay_line_for_line(northnews: dict, tmp_path: Path, jobs: str) -> None:
    out = tmp_path / "items.jsonl"
    proc = extract(northnews["archive"], out, "--jobs", jobs)
    assert proc.returncode == 0, proc.stderr
    replay = northnews["replay"]
    # The same JSON text: same fields in the feed's order, same values, same provenance (the
    # second crawl's revisit records and their capture times), one line per article.
    assert lines(out) == lines(replay.archive / "items.jsonl")
    got = {item["url"]: item for item in read_jsonl(out)}
    assert all(item["warc"]["file"] and item["fetched_at"].endswith("Z") for item in got.values())
    rejects = read_jsonl(tmp_path / "items.rejects.jsonl")
    assert rejects and without_time(rejects) == without_time(read_jsonl(replay.archive / "rejects.jsonl"))
    assert f"{len(got)} items; {len(rejects)} rejected" in proc.stderr


def test_the_second_portal_too(yunhe: dict, tmp_path: Path) -> None:
    out = tmp_path / "items.jsonl"
    proc = extract(yunhe["archive"], out, "--site", "yunhe")
    assert proc.returncode == 0, proc.stderr
    assert lines(out) == lines(yunhe["replay"].archive / "items.jsonl")
    assert {json.loads(line)["site"] for line in lines(out)} == {"yunhe"}
    assert without_time(read_jsonl(tmp_path / "items.rejects.jsonl")) == without_time(
        read_jsonl(yunhe["replay"].archive / "rejects.jsonl"))


@pytest.fixture(scope="module")
def millbrook(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return crawled(tmp_path_factory.mktemp("extract-millbrook"), MILLBROOK, "-a", "site=millbrook", tls=True)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_wordpress_portal_over_https_with_a_canonical_alias_too(millbrook: dict, tmp_path: Path, jobs: str) -> None:
    """millbrook (WordPress, https through CONNECT, sitemaps and a feed): its shortlink page, saved as
    the post (``<link rel=canonical>`` to the permalink), is an alias in both: one item, the same line."""
    out = tmp_path / "items.jsonl"
    proc = extract(millbrook["archive"], out, "--site", "millbrook", "-j", jobs)
    assert proc.returncode == 0, proc.stderr
    assert lines(out) == lines(millbrook["replay"].archive / "items.jsonl")
    assert not [line for line in lines(out) if "?p=" in json.loads(line)["url"]]
    assert "skipped alias 1" in proc.stderr
    assert without_time(read_jsonl(tmp_path / "items.rejects.jsonl")) == without_time(
        read_jsonl(millbrook["replay"].archive / "rejects.jsonl"))


def test_output_order_does_not_depend_on_jobs(northnews: dict, tmp_path: Path) -> None:
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    assert extract(northnews["archive"], one).returncode == 0
    assert extract(northnews["archive"], two, "-j", "2").returncode == 0
    assert one.read_text(encoding="utf-8") == two.read_text(encoding="utf-8")
    urls = [json.loads(line)["url"] for line in one.read_text(encoding="utf-8").splitlines()]
    assert len(urls) == len(set(urls))


def test_warc_files_given_one_by_one(northnews: dict, tmp_path: Path) -> None:
    files = sorted(str(p) for p in (northnews["archive"] / "warc").glob("*.warc.gz"))
    assert len(files) >= 2
    out = tmp_path / "items.jsonl"
    proc = extract(northnews["archive"], out, *files)
    assert proc.returncode == 0, proc.stderr
    assert lines(out) == lines(northnews["replay"].archive / "items.jsonl")


def test_capture_date_range(northnews: dict, tmp_path: Path) -> None:
    fetched = sorted(item["fetched_at"][:10] for item in northnews["replay"].items)
    out = tmp_path / "items.jsonl"
    proc = extract(northnews["archive"], out, "--since", "2999-01-01")
    assert proc.returncode == 0 and out.read_text() == ""
    assert "skipped out_of_range" in proc.stderr
    proc = extract(northnews["archive"], out, "--since", fetched[0], "--until", fetched[-1])
    assert len(lines(out)) == len(northnews["replay"].items)
    assert extract(northnews["archive"], out, "--since", "yesterday").returncode == 2


def test_store_gets_the_items_as_versions_under_the_lock(northnews: dict, tmp_path: Path) -> None:
    archive = northnews["archive"]
    with Store.open(archive) as store:
        before = store.counts()
    with ArchiveLock(archive).acquire(run_id="a crawl"):
        held = extract(archive, tmp_path / "held.jsonl", "--store")
    assert held.returncode == archive_cli.archive_cli.EXIT_LOCKED, held.stderr
    proc = extract(archive, tmp_path / "items.jsonl", "--store")
    assert proc.returncode == 0, proc.stderr
    with Store.open(archive) as store:
        after = store.counts()
    items = len(lines(tmp_path / "items.jsonl"))
    # The parsers did not change: every article is an unchanged sighting, no new version.
    assert f"store unchanged {items}" in proc.stderr
    assert after["versions"] == before["versions"]
    assert after["captures"] == before["captures"] + items


def test_progress_only_when_asked_or_on_a_terminal(northnews: dict, tmp_path: Path) -> None:
    quiet = extract(northnews["archive"], tmp_path / "a.jsonl")  # stderr is a pipe here
    assert "  extract: " not in quiet.stderr
    shown = extract(northnews["archive"], tmp_path / "b.jsonl", "--progress")
    items, rejects = len(northnews["replay"].items), len(read_jsonl(northnews["replay"].archive / "rejects.jsonl"))
    assert f"  extract: {items + rejects} articles, {items} items, {rejects} rejected, " in shown.stderr


def test_no_warc_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "warc").mkdir()
    assert archive_cli.main(["-d", str(tmp_path), "extract"]) == 1
    assert "no WARC" in capsys.readouterr().err


def test_stdout_feed(northnews: dict) -> None:
    proc = extract(northnews["archive"], Path("-"))
    assert proc.returncode == 0, proc.stderr
    assert sorted(proc.stdout.splitlines()) == lines(northnews["replay"].archive / "items.jsonl")


@pytest.mark.parametrize("name", [
    "huaihe",  # PHPCMS v9 over https, the byline inside <h1>, numbered page one
    "fenshui",  # DedeCMS in GBK, dynamic view.php?aid=&pageno=
    "lanling",  # Founder e-paper: sections named by the 版面 page that listed each article
])
def test_more_cms_families_line_for_line(name: str, tmp_path: Path) -> None:
    mirror = REPO / "tests" / "fixtures" / "sites" / name / "mirror"
    got = crawled(tmp_path, mirror, "-a", f"site={name}", tls=True)
    out = tmp_path / "items.jsonl"
    proc = extract(got["archive"], out, "--site", name, "-j", "2")
    assert proc.returncode == 0, proc.stderr
    assert lines(out) == lines(got["replay"].archive / "items.jsonl")
