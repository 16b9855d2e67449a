"""Drift alarms: a section whose template changes mid-portal is flagged; an unchanged portal is not."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from northnews.crawl.extensions.drift import DriftMonitor
from northnews.ops import cron
from tests.conftest import EXPECTED, REPO, SCRAPY, read_jsonl
from tests.mockserver import MockPortal
from tests.opskit import copy_portal, run_cron

SECTION = "china"  # english.northnews.cn/news/china/


def response(url: str, section: str) -> HtmlResponse:
    return HtmlResponse(url, body=b"", request=Request(url, meta={"northnews_section": section}))


def test_report_flags_a_section_over_its_threshold_and_not_the_rest() -> None:
    crawler = get_crawler(settings_dict={"NORTHNEWS_DRIFT_MIN_PAGES": 3})
    ext = DriftMonitor.from_crawler(crawler)
    for i in range(10):  # a healthy section
        ext.item_scraped({"url": f"http://a/{i}", "template": "l-cont"}, response(f"http://a/{i}", "a/ok/"), None)
    for i in range(4):  # a redesigned one
        ext.item_scraped({"url": f"http://a/n{i}", "template": "generic"}, response(f"http://a/n{i}", "a/new/"), None)
    ext.item_dropped({"url": "http://a/r"}, response("http://a/r", "a/ok/"), DropItem("missing_date"), None)
    report = ext.report()
    assert report["flagged"]
    assert [(o["scope"], o["name"], o["kind"]) for o in report["over"]] == [("section", "a/new/", "generic")]
    assert report["over"][0]["examples"] == [f"http://a/n{i}" for i in range(4)]
    assert report["site"] == {"items": 14, "generic": 4, "quarantined": 1,
                              "generic_share": round(4 / 14, 4), "quarantined_share": round(1 / 15, 4)}
    assert crawler.stats.get_value("northnews/drift/section/a/new//generic") == 4


def test_few_pages_are_not_judged() -> None:
    ext = DriftMonitor.from_crawler(get_crawler(settings_dict={"NORTHNEWS_DRIFT_MIN_PAGES": 5}))
    for i in range(4):
        ext.item_scraped({"url": f"http://a/{i}", "template": "generic"}, response(f"http://a/{i}", "a/x/"), None)
    assert not ext.report()["flagged"]


def redesign(root: Path, section: str) -> set[str]:
    """Give every article linked from ``section``'s list pages a template no layout knows."""
    pages = read_jsonl(EXPECTED / "pages.jsonl")
    by_url = {p["url"]: p for p in pages}
    changed = set()
    for page in pages:
        if page["kind"] != "list" or page.get("section") != section:
            continue
        html = (root / page["path"]).read_text(encoding="utf-8", errors="replace")
        for href in re.findall(r'href="([^"]+)"', html):
            url = href if href.startswith("http") else "http://" + page["path"].split("/")[0] + href
            target = by_url.get(url)
            if target and target["kind"] == "article":
                path = root / target["path"]
                raw = path.read_bytes()
                new = re.sub(rb'(class|id)="([^"]*)"', lambda m: m.group(1) + b'="v2-' + m.group(2).replace(b" ", b" v2-") + b'"', raw)
                path.write_bytes(new)
                changed.add(target["article"])
    assert len(changed) >= 5, changed
    return changed


@pytest.mark.slow
def test_a_redesigned_section_is_flagged_with_its_urls(tmp_path: Path) -> None:
    root = copy_portal(tmp_path)
    changed = redesign(root, SECTION)
    archive = tmp_path / "archive"
    with MockPortal(root) as server:
        result = run_cron(archive, proxy=server.proxy_url)
    assert result.returncode == cron.EXIT_LAYOUT_DRIFT == 7, result.stderr
    manifest = result.manifest
    assert manifest["status"] == "layout_drift" and manifest["reason"].startswith("layout drift: ")
    drift = manifest["drift"]
    assert drift["flagged"]
    flagged = [o for o in drift["over"] if o["kind"] == "generic"]
    assert flagged and all(set(o["examples"]) <= changed for o in flagged), flagged
    # Flagged where the redesigned pages were found: the section's list pages, or the home page
    # (an article counts for the first list page that linked it; the home page links many).
    assert any(o["scope"] == "section" for o in flagged), drift["over"]
    log = (archive / manifest["log"]).read_text(encoding="utf-8")
    assert "WARNING: Layout drift: section" in log
    listed = subprocess.run(
        [SCRAPY, "drift", "--json", "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    generic = {json.loads(line)["url"] for line in listed.stdout.splitlines() if '"generic"' in line}
    assert changed <= generic | {r["url"] for r in read_jsonl(archive / "rejects.jsonl")}


@pytest.mark.slow
def test_an_unchanged_portal_is_not_flagged(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    with MockPortal(copy_portal(tmp_path)) as server:
        result = run_cron(archive, proxy=server.proxy_url)
    assert result.returncode == 0, result.stderr
    assert result.manifest["drift"]["flagged"] is False and result.manifest["drift"]["over"] == []


def test_scrapy_drift_lists_the_pages_quarantined_in_the_pending_table_and_old_rejects(tmp_path: Path) -> None:
    """Schema 3 keeps quarantined pages in ``article_pending``; ``scrapy drift`` read only the
    ``article_rejects`` table of schemas 1-2 and so never showed one."""
    from northnews.ops.pending import PendingArticles
    from northnews.ops.store import Store

    archive = tmp_path / "archive"
    zh = "http://www.northnews.cn/2015/09"
    with Store.open(archive) as store:
        pending = PendingArticles(store)
        pending.record(f"{zh}30/2050950.shtml", "missing_date", "DropItem: missing_date", site="northnews")
        pending.record(f"{zh}18/2049790.shtml", "soft_404", "页面不存在", site="northnews")
        pending.record(f"{zh}25/2050501.shtml", "http_503", "answered 503", site="northnews")  # not the layout's doing
        with store.transaction() as db:  # what a schema-2 release left: one old reject, one since stored
            for url in (f"{zh}20/2052199.shtml", f"{zh}16/2049502.shtml"):
                db.execute("INSERT INTO article_rejects (url, url_key, reason, first_seen, last_seen, site)"
                           " VALUES (?, ?, 'missing_title', '2099-01-01T00:00:00Z', '2099-01-01T00:00:00Z', 'northnews')",
                           (url, url.split("//", 1)[1]))
        store.record_item({"url": f"{zh}16/2049502.shtml", "site": "northnews", "content_digest": "sha1:A"})
    listed = subprocess.run(
        [SCRAPY, "drift", "--json", "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    rows = {r["url"]: (r["kind"], r["reason"]) for r in map(json.loads, listed.stdout.splitlines())}
    assert rows == {
        f"{zh}30/2050950.shtml": ("quarantined", "missing_date"),
        f"{zh}18/2049790.shtml": ("quarantined", "soft_404"),
        f"{zh}20/2052199.shtml": ("quarantined", "missing_title"),
    }
