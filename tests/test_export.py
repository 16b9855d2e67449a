"""``scrapy export``: the store as JSON Lines or CSV, latest or every version, by date range."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

from northnews.ops.export import export
from northnews.ops.pending import PendingArticles
from northnews.ops.store import Store
from tests.conftest import REPO, SCRAPY

FIELDS = ["url", "title", "published", "body", "tags", "warc", "content_digest"]


def item(n: int, published: str | None, body: str = "正文", **extra) -> dict:
    return {
        "url": f"http://www.northnews.cn/2015/0915/{n}.shtml",
        "title": f"标题 {n}",
        "published": published,
        "body": body,
        "tags": ["内蒙古", "经济"],
        "warc": {"file": "f.warc.gz", "offset": n, "record_id": f"<urn:uuid:{n}>"},
        "content_digest": f"sha1:{n}:{body}",
        **extra,
    }


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    with Store.open(tmp_path) as store:
        store.record_item(item(1, "2015-09-15T15:21:00+08:00"))
        store.record_item(item(2, "2015-09-30T23:59:00+08:00", body="v1"))
        store.record_item(item(2, "2015-09-30T23:59:00+08:00", body="v2"))  # a second version
        store.record_item(item(3, "2015-10-01T00:00:00+08:00"))
        store.record_item(item(4, None))
        PendingArticles(store).record("http://www.northnews.cn/2015/0930/9.shtml", "missing_date", site="northnews")
    return tmp_path


def records(archive: Path, **kwargs) -> list[dict]:
    out = io.StringIO()
    with Store.open(archive) as store:
        n = export(store, out, "jsonl", **kwargs)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert n == len(lines)
    return lines


def test_latest_version_of_every_article_by_default(archive: Path) -> None:
    got = records(archive)
    # Undated first, then by published; the reject is not an article.
    assert [r["url"].rsplit("/", 1)[1] for r in got] == ["4.shtml", "1.shtml", "2.shtml", "3.shtml"]
    second = got[2]
    assert (second["body"], second["version"]) == ("v2", 2)
    assert second["title"] == "标题 2" and second["tags"] == ["内蒙古", "经济"]
    assert second["first_seen"] <= second["last_seen"]


def test_all_versions(archive: Path) -> None:
    got = [(r["url"].rsplit("/", 1)[1], r["version"], r["body"]) for r in records(archive, all_versions=True)]
    assert ("2.shtml", 1, "v1") in got and ("2.shtml", 2, "v2") in got
    assert len(got) == 5


def test_date_range_is_inclusive_and_on_china_dates(archive: Path) -> None:
    sept = records(archive, since=date(2015, 9, 15), until=date(2015, 9, 30))
    # 23:59 on Sept 30th China time is Sept 30th, whatever UTC says; undated articles are out.
    assert [r["url"].rsplit("/", 1)[1] for r in sept] == ["1.shtml", "2.shtml"]
    assert [r["url"].rsplit("/", 1)[1] for r in records(archive, since=date(2015, 10, 1))] == ["3.shtml"]
    assert records(archive, until=date(2015, 9, 14)) == []


def test_csv_has_stable_columns_json_cells_and_chinese(archive: Path) -> None:
    out = io.StringIO()
    with Store.open(archive) as store:
        assert export(store, out, "csv", fields=FIELDS) == 4
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0])[: len(FIELDS)] == FIELDS
    assert list(rows[0])[-3:] == ["version", "first_seen", "last_seen"]
    assert rows[1]["title"] == "标题 1"
    assert json.loads(rows[1]["tags"]) == ["内蒙古", "经济"]
    assert json.loads(rows[1]["warc"])["record_id"] == "<urn:uuid:1>"
    assert rows[0]["published"] == ""  # None → empty cell


def test_empty_csv_still_has_a_header(tmp_path: Path) -> None:
    out = io.StringIO()
    with Store.open(tmp_path) as store:
        assert export(store, out, "csv", fields=FIELDS) == 0
    assert out.getvalue().splitlines() == [",".join([*FIELDS, "version", "first_seen", "last_seen"])]


def scrapy_export(archive: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRAPY), "export", *args, "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )


def test_the_command_writes_files_and_stdout(archive: Path, tmp_path: Path) -> None:
    out_csv = tmp_path / "sept.csv"
    proc = scrapy_export(archive, "-o", str(out_csv), "--since", "2015-09-01", "--until", "2015-09-30")
    assert proc.returncode == 0, proc.stderr
    assert "2 records written" in proc.stderr
    rows = list(csv.DictReader(out_csv.open(encoding="utf-8", newline="")))
    assert [r["title"] for r in rows] == ["标题 1", "标题 2"]
    assert list(rows[0])[0] == "url"  # FEED_EXPORT_FIELDS order from the project settings

    proc = scrapy_export(archive, "--all-versions")
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(lines) == 5
    assert "\\u" not in proc.stdout and "标题" in proc.stdout  # UTF-8, not escapes


def test_the_command_reports_errors(tmp_path: Path) -> None:
    missing = scrapy_export(tmp_path / "nowhere")
    assert missing.returncode == 1
    assert "no store of record" in missing.stderr
    assert not (tmp_path / "nowhere").exists()  # an export never creates a store
    bad = scrapy_export(tmp_path, "--since", "15/09/2015")
    assert bad.returncode == 2
    assert "--since: expected a date YYYY-MM-DD" in bad.stderr


def test_an_output_the_format_cannot_be_told_from_or_a_missing_directory_is_one_line(archive: Path, tmp_path: Path) -> None:
    for out, message in [
        (tmp_path / "x.xml", "-o {out}: cannot tell the format from '.xml'"),
        (tmp_path / "missing" / "x.csv", "-o {out}: no such directory: {parent}"),
    ]:
        result = subprocess.run([SCRAPY, "export", "-o", str(out), "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"],
                                cwd=REPO, capture_output=True, text=True)
        assert result.returncode == 2
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("scrapy export: error: " + message.format(out=out, parent=out.parent))
        assert not out.exists() and "Traceback" not in result.stderr
    forced = subprocess.run([SCRAPY, "export", "-t", "csv", "-o", str(tmp_path / "x.xml"),
                             "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"], cwd=REPO, capture_output=True, text=True)
    assert forced.returncode == 0 and (tmp_path / "x.xml").read_text(encoding="utf-8").startswith("url,")
    assert not list(tmp_path.glob("*.part"))
