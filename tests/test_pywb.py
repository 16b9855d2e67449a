"""pywb, the reference replay tool, accepts our WARCs: ``wb-manager add`` indexes them and
``wayback`` serves every archived article byte-for-byte (``id_`` mode: the original payload)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PORTAL, CrawlResult, run_crawl
from tests.mockserver import MockPortal

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlResult:
    with MockPortal(PORTAL, gzip=True) as server:
        result = run_crawl(tmp_path_factory.mktemp("pywb") / "archive", env={"http_proxy": server.proxy_url})
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.items
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def wayback(crawl: CrawlResult) -> Iterator[str]:
    home = crawl.archive.parent / "pywb"
    home.mkdir()
    subprocess.run([str(BIN / "wb-manager"), "init", "northnews"], cwd=home, check=True, capture_output=True)
    warcs = sorted(str(p) for p in (crawl.archive / "warc").glob("*.warc.gz"))
    added = subprocess.run(
        [str(BIN / "wb-manager"), "add", "northnews", *warcs], cwd=home, capture_output=True, text=True
    )
    assert added.returncode == 0, added.stderr
    port = free_port()
    proc = subprocess.Popen(
        [str(BIN / "wayback"), "-b", "127.0.0.1", "-p", str(port)],
        cwd=home, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        for _ in range(300):  # up to ~30 s for gevent to start
            try:
                opener.open(base + "/", timeout=1).read()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if proc.poll() is not None:
                    pytest.fail("wayback exited before serving")
                time.sleep(0.1)
        else:
            pytest.fail("wayback did not start")
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(home, ignore_errors=True)


def test_wb_manager_indexes_every_article(crawl: CrawlResult, wayback: str) -> None:
    index = (crawl.archive.parent / "pywb" / "collections" / "northnews" / "indexes" / "index.cdxj").read_text()
    for item in crawl.items:
        assert f'"url": "{item["url"]}"' in index, item["url"]


def test_wayback_replays_every_article_byte_for_byte(crawl: CrawlResult, wayback: str) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    for item in crawl.items:
        url = item["url"]
        with opener.open(f"{wayback}/northnews/2id_/{url}", timeout=30) as response:
            body = response.read()
        host, _, path = url.removeprefix("http://").partition("/")
        original = (PORTAL / host / (path or "index.html")).read_bytes()
        assert body == original, url
