"""Shared fixtures: the bundled portal, a local stand-in server, and a ``scrapy crawl`` runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.mockserver import MockPortal

#: The PostgreSQL fixtures (`postgres`, `pg_url`): a real server the session starts (tests/pgserver.py).
pytest_plugins = ("tests.pgserver",)

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
PORTAL = FIXTURES / "portal"
EXPECTED = FIXTURES / "expected"
SCRAPY = Path(sys.executable).parent / "scrapy"

# A live-mode crawl in tests talks to 127.0.0.1 only, and without politeness delays.
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO"]


@dataclass
class CrawlResult:
    returncode: int
    stdout: str
    stderr: str
    items: list[dict]
    archive: Path

    @property
    def by_url(self) -> dict[str, dict]:
        return {item["url"]: item for item in self.items}


#: What the requisites pipeline adds to each ``images[]`` entry: where its capture is, or why none.
IMAGE_CAPTURE_KEYS = ("warc", "warc_missing_reason")


def page_view(item: dict) -> dict:
    """An item as its pages say it: each image's capture pointer left out (it depends on the
    crawl, not on the page), so that items compare with the generators' expected JSON."""
    images = [{k: v for k, v in image.items() if k not in IMAGE_CAPTURE_KEYS} for image in item.get("images") or []]
    return {**item, "images": images} if "images" in item else dict(item)


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_crawl(
    archive: Path,
    *args: str,
    env: dict[str, str] | None = None,
    spider: str = "articles",
    timeout: float = 300,
    feed: bool = True,
) -> CrawlResult:
    """Run ``scrapy crawl`` in a subprocess (a fresh reactor each time).

    Items go to ``<archive>/items.jsonl`` with ``-O`` (or, with ``feed=False``, wherever the
    project's default feed puts them: ``<archive>/articles.jsonl``).
    """
    archive.mkdir(parents=True, exist_ok=True)
    out = archive / ("items.jsonl" if feed else "articles.jsonl")
    full_env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    full_env.update(env or {})
    if "http_proxy" in full_env:  # https too (an https image, say): never a direct connection or DNS lookup
        full_env.setdefault("https_proxy", full_env["http_proxy"])
    cmd = [
        str(SCRAPY), "crawl", spider, *args,
        *(["-O", str(out)] if feed else []), "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}", *FAST,
    ]
    guard = loopback_only(full_env, archive)
    proc = subprocess.run(cmd, cwd=REPO, env=full_env, capture_output=True, text=True, timeout=timeout)
    assert_no_egress(guard)
    return CrawlResult(proc.returncode, proc.stdout, proc.stderr, read_jsonl(out), archive)


NETGUARD = REPO / "tests" / "netguard"


def loopback_only(env: dict[str, str], archive: Path) -> Path | None:
    """Put the network guard in ``env`` (loopback allowed, anything else refused and logged), unless
    the caller set a guard of its own; returns the guard's log."""
    if "NORTHNEWS_NETGUARD_LOG" in env:
        return None
    log = archive.parent / f"netguard-{archive.name}-{os.getpid()}.log"
    log.unlink(missing_ok=True)
    env["NORTHNEWS_NETGUARD_LOG"] = str(log)
    env["NORTHNEWS_NETGUARD_LOOPBACK"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(NETGUARD), env.get("PYTHONPATH", "")) if p)
    return log


def assert_no_egress(log: Path | None) -> None:
    """No test process may reach another machine, not even a DNS resolver."""
    if log is not None and log.exists():
        raise AssertionError(f"network access off loopback, refused by the guard:\n{log.read_text()[:3000]}")


@pytest.fixture(scope="session")
def expected_items() -> dict[str, dict]:
    items = read_jsonl(EXPECTED / "portal.jsonl")
    assert items, "the fixture portal's expected items are missing"
    return {item["url"]: item for item in items}


@pytest.fixture(scope="session")
def expected_rejects() -> dict[str, dict]:
    return {r["url"]: r for r in read_jsonl(EXPECTED / "rejects.jsonl")}


@pytest.fixture
def portal_server() -> Iterator[MockPortal]:
    with MockPortal(PORTAL) as server:
        yield server


#: Test modules that are end to end (crawls in subprocesses, pywb, browsers): marked slow, so
#: that `make test-fast` (pytest -m "not slow") runs the rest in well under a minute.
SLOW_MODULES = frozenset({
    "test_spider", "test_cron", "test_incremental", "test_archive_crawl", "test_pywb",
    "test_site_yunhe", "test_browser_replay", "test_wacz", "test_requisites",
})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.module is not None and item.module.__name__.rsplit(".", 1)[-1] in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
