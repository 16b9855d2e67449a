"""Helpers for the cron-operation tests: an editable copy of the portal, the server's request log,
``northnews-cron`` in a subprocess, and a look into the store without going through its code."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import FAST, PORTAL, REPO, assert_no_egress, loopback_only, read_jsonl
from tests.mockserver import MockPortal

CRON = Path(sys.executable).parent / "northnews-cron"
# Article shape from the site profile, written here independently of northnews.discovery.
ARTICLE_URL = re.compile(r"^https?://[^/]+/\d{4,6}/\d{2,4}/\d+(?:_\d+)?\.s?html?$")
FIRST_PAGE = re.compile(r"_\d+(\.s?html?)$")

# The English "China" section: a UTF-8 list page whose first page we extend.
SECTION_PAGE = Path("english.northnews.cn/news/china/index.html")
TEMPLATE_ARTICLE = Path("english.northnews.cn/2015/0923/90210.shtml")
TEMPLATE_TITLE = b"Hohhot opens first 24-hour self-service library"
CHANGED_ARTICLE = "http://english.northnews.cn/2015/0923/90210.shtml"


def copy_portal(tmp_path: Path) -> Path:
    root = tmp_path / "portal"
    shutil.copytree(PORTAL, root)
    return root


def add_articles(root: Path, count: int = 3, list_page: Path = SECTION_PAGE, first: int = 1) -> list[str]:
    """New single-page articles, linked only from the top of one list page (by default the
    China section's first)."""
    template = (root / TEMPLATE_ARTICLE).read_bytes()
    urls, entries = [], []
    for n in range(first, first + count):
        title = f"Grassland festival opens new season, part {n}".encode()
        page = (
            template.replace(TEMPLATE_TITLE, title)
            .replace(b"2015-09-23 09:12", b"2016-06-0%d 10:00" % n)
            .replace(b"A 24-hour self-service library opened", b"Festival number %d opened" % n)
            # Related-news links relative to /2015/: keep them pointing where they pointed.
            .replace(b'href="../', b'href="/2015/')
        )
        path = root / f"english.northnews.cn/2016/060{n}/9200{n}.shtml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(page)
        urls.append(f"http://english.northnews.cn/2016/060{n}/9200{n}.shtml")
        entries.append(
            b'<li><a href="/2016/060%d/9200%d.shtml" target="_blank">%s</a><span class="date">2016-06-0%d</span></li>\n'
            % (n, n, title, n)
        )
    section = root / list_page
    html = section.read_bytes()
    marker = b'<ul class="list">\n'
    assert marker in html
    section.write_bytes(html.replace(marker, marker + b"".join(entries), 1))
    return urls


def change_article(root: Path) -> tuple[str, str]:
    """Edit one article's body text; returns its URL and the new text."""
    path = root / TEMPLATE_ARTICLE
    html = path.read_bytes()
    assert b"holds about 20,000 books" in html
    path.write_bytes(html.replace(b"holds about 20,000 books", b"holds about 25,000 books"))
    return CHANGED_ARTICLE, "holds about 25,000 books"


def article_requests(server: MockPortal) -> list[str]:
    return [url for url in server.requested_urls() if ARTICLE_URL.match(url)]


def first_pages(urls: list[str]) -> set[str]:
    return {FIRST_PAGE.sub(r"\1", url) for url in urls}


def clear_log(server: MockPortal) -> None:
    with server.lock:
        server.log.clear()


def slow(seconds: float):
    """A server override that delays article pages (so that a test can stop a crawl mid-way)."""

    def override(url: str):
        if ARTICLE_URL.match(url):
            time.sleep(seconds)
        return None

    return override


@dataclass
class CronResult:
    returncode: int
    stdout: str
    stderr: str
    archive: Path

    def manifests(self) -> list[dict]:
        return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((self.archive / "runs").glob("*.json"))]

    @property
    def manifest(self) -> dict:
        return self.manifests()[-1]


def cron_command(archive: Path, *args: str) -> list[str]:
    return [str(CRON), *args, "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}", *FAST]


def cron_env(proxy: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    if proxy:
        env["http_proxy"] = env["https_proxy"] = proxy  # https too: never a direct connection
    # The repository first on the path, as `scrapy` has it from its project dir: the package
    # under test, whatever state the virtualenv's editable install is in.
    env["PYTHONPATH"] = str(REPO)
    return env


def run_cron(archive: Path, *args: str, proxy: str | None, timeout: float = 180) -> CronResult:
    env = cron_env(proxy)
    guard = loopback_only(env, archive)
    proc = subprocess.run(
        cron_command(archive, *args), cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout,
    )
    assert_no_egress(guard)
    return CronResult(proc.returncode, proc.stdout, proc.stderr, archive)


def start_cron(archive: Path, *args: str, proxy: str | None, log: Path) -> subprocess.Popen[bytes]:
    """A cron run in the background (the network guard's log is checked by the caller's kill tests
    only through their outcomes: a refused connection fails the crawl)."""
    env = cron_env(proxy)
    loopback_only(env, archive)
    out = open(log, "wb")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(cron_command(archive, *args), cwd=REPO, env=env, stdout=out, stderr=out)


# --- the store, read with plain SQL -------------------------------------------------------------


def query(archive: Path, sql: str, *params: object) -> list[tuple]:
    path = archive / "northnews.sqlite3"
    if not path.exists():
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    try:
        return db.execute(sql, params).fetchall()
    except sqlite3.OperationalError:  # schema not created yet
        return []
    finally:
        db.close()


def stored_urls(archive: Path) -> list[str]:
    return [r[0] for r in query(archive, "SELECT url FROM articles ORDER BY url")]


def _store_now() -> str:
    """Now, as the store writes its timestamps (UTC, microseconds, Z): they compare as text."""
    from datetime import datetime, timezone

    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def known_urls(archive: Path) -> set[str]:
    """What a run starting now would not fetch: stored articles, failed ones, pending ones not due yet."""
    return {r[0] for r in query(
        archive, "SELECT url FROM articles UNION SELECT url FROM article_pending"
                 " WHERE status = 'failed' OR next_attempt > ?", _store_now(),
    )}


def pending_urls(archive: Path, status: str = "pending") -> set[str]:
    return {r[0] for r in query(archive, "SELECT url FROM article_pending WHERE status = ?", status)}


def known_count(archive: Path) -> int:
    """Article URLs the store has a row for (stored or pending): how far a crawl got."""
    rows = query(archive, "SELECT (SELECT count(*) FROM articles) + (SELECT count(*) FROM article_pending)")
    return rows[0][0] if rows else 0


def running_pid(archive: Path) -> int | None:
    rows = query(archive, "SELECT pid FROM runs WHERE status = 'running' ORDER BY id DESC LIMIT 1")
    return rows[0][0] if rows else None


def wait_for(predicate, timeout: float = 60.0, every: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(every)


def feed(archive: Path) -> list[dict]:
    return read_jsonl(archive / "items.jsonl")


# --- WARC pointers ---------------------------------------------------------------------------


def warc_record(archive: Path, file: str, offset: int) -> dict[str, str]:
    """The headers of the record a store row points to (read with warcio, not our reader)."""
    from warcio.archiveiterator import ArchiveIterator

    with open(archive / "warc" / file, "rb") as fh:
        fh.seek(offset)
        record = next(iter(ArchiveIterator(fh)))
        return {
            "type": record.rec_type,
            "id": record.rec_headers.get_header("WARC-Record-ID"),
            "uri": record.rec_headers.get_header("WARC-Target-URI"),
        }


def unresolved_pointers(archive: Path) -> list[str]:
    """Stored versions and captures whose WARC pointer does not lead to their own record."""
    bad = []
    rows = query(archive, "SELECT url, warc_file, warc_offset, warc_record_id FROM article_versions"
                          " UNION ALL SELECT url, warc_file, warc_offset, warc_record_id FROM article_captures")
    for url, file, offset, record_id in rows:
        try:
            rec = warc_record(archive, file, offset)
        except (OSError, StopIteration, TypeError) as exc:
            bad.append(f"{url}: {file}@{offset}: {exc!r}")
            continue
        if rec["id"] != record_id or rec["uri"] != url or rec["type"] not in ("response", "revisit"):
            bad.append(f"{url}: {file}@{offset} is {rec}")
    return bad
