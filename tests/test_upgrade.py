"""An archive written by the first release is read and continued by this one: nothing lost, nothing
fetched twice, every file still checked, replayed and exported."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from northnews.discovery import Kind, classify
from northnews.ops.schema import SCHEMA_VERSION
from northnews.sites import load_site
from tests.conftest import EXPECTED, FIXTURES, PORTAL, REPO, SCRAPY, read_jsonl, run_crawl
from tests.mockserver import MockPortal
from tests.opskit import run_cron

pytestmark = pytest.mark.slow

V1 = FIXTURES / "archive_v1_full" / "archive"
ARCHIVE_CLI = Path(sys.executable).parent / "northnews-archive"
NN = load_site("northnews")


def counts(archive: Path) -> dict[str, int]:
    db = sqlite3.connect(archive / "northnews.sqlite3")
    try:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("articles", "article_versions", "article_captures", "article_rejects", "runs")}
    finally:
        db.close()


@pytest.fixture(scope="module")
def continued(tmp_path_factory: pytest.TempPathFactory):
    archive = tmp_path_factory.mktemp("upgrade") / "archive"
    shutil.copytree(V1, archive)
    v1_versions = sqlite3.connect(archive / "northnews.sqlite3").execute(
        "SELECT url, version, content_digest, item_json FROM article_versions ORDER BY id").fetchall()
    v1_files = {p.name: p.read_bytes() for p in (archive / "warc").glob("*.warc.gz")}
    with MockPortal(PORTAL, gzip=True) as server:
        result = run_cron(archive, proxy=server.proxy_url)
        requested = server.requested_urls()
    return archive, result, requested, v1_versions, v1_files


def test_the_next_run_succeeds_and_fetches_no_stored_article_again(continued) -> None:
    archive, result, requested, v1_versions, _ = continued
    assert result.returncode == 0, result.stdout + result.stderr
    stored = {url for url, *_ in v1_versions}
    again = [u for u in requested if classify(u, NN) is Kind.ARTICLE and u in stored]
    assert again == [], again
    manifest = result.manifest
    assert manifest["site"] == "northnews"
    assert manifest["articles"]["new"] == 0 and manifest["articles"]["updated"] == 0


def test_the_store_is_migrated_and_keeps_every_version(continued) -> None:
    archive, _, _, v1_versions, _ = continued
    db = sqlite3.connect(archive / "northnews.sqlite3")
    assert db.execute("SELECT value FROM store_meta WHERE key = 'schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
    now = db.execute("SELECT url, version, content_digest, item_json FROM article_versions ORDER BY id").fetchall()
    assert now[: len(v1_versions)] == v1_versions  # every version byte for byte
    assert {r[0] for r in db.execute("SELECT DISTINCT site FROM articles")} == {"northnews"}
    assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == 3
    db.close()


def test_old_warc_files_are_untouched_and_every_file_checks(continued) -> None:
    archive, _, _, _, v1_files = continued
    for name, data in v1_files.items():
        assert (archive / "warc" / name).read_bytes() == data, name
    assert len(list((archive / "warc").glob("*.warc.gz"))) > len(v1_files)  # the new run added its own
    check = subprocess.run([str(ARCHIVE_CLI), "-d", str(archive), "check"], cwd=REPO, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_replay_of_the_whole_archive_gives_every_article(continued, tmp_path: Path) -> None:
    archive, *_ = continued
    replayed = run_crawl(tmp_path / "replay", "-a", f"replay={archive}")
    assert replayed.returncode == 0, replayed.stderr[-3000:]
    expected = {i["url"]: i for i in read_jsonl(EXPECTED / "portal.jsonl")}
    assert set(replayed.by_url) == set(expected)
    for url, want in expected.items():
        got = dict(replayed.by_url[url])
        # Images gained where their capture is (requisites); the photos themselves are as before.
        got["images"] = [{"url": i["url"], "caption": i["caption"]} for i in got["images"]]
        assert {k: got[k] for k in want} == want, url
        assert got["warc"] is not None


def test_export_reads_old_and_new_rows(continued) -> None:
    archive, *_ = continued
    out = subprocess.run([SCRAPY, "export", "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"],
                         cwd=REPO, capture_output=True, text=True, check=True)
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(records) == 46 and all(r["version"] == 1 for r in records)
