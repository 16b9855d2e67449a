"""``make demo``: the archive without the site, in a minute.

Starts the bundled fixture portal (``tests/mockserver.py`` on 127.0.0.1, serving a copy of
``tests/fixtures/portal``), runs ``northnews-cron`` through it as a proxy twice — the second run
incremental, after the portal published three articles and edited one, with ``-a refresh=1`` so
the edit becomes a second version — then starts pywb's ``wayback`` on the WARCs (for the replay
links, when pywb is installed: ``pip install -e '.[test]'``) and ``northnews serve`` on the result,
and prints the URL. Ctrl-C stops everything. Nothing leaves 127.0.0.1.

    make demo                                  # or: .venv/bin/python -m tests.demo [--dir DIR] [--port N]

The same steps build the archive that ``tests/test_view_browser.py`` opens in Chromium.
"""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.mockserver import MockPortal
from tests.opskit import CronResult, add_articles, copy_portal, run_cron

BIN = Path(sys.executable).parent
COLLECTION = "northnews"
#: A Chinese article of the fixture portal (UTF-8, with photos) that the portal edits before the second run.
EDITED = "http://www.northnews.cn/2015/0927/2050702.shtml"
EDITED_FILE = Path("www.northnews.cn/2015/0927/2050702.shtml")
EDIT = ("登高赏月。".encode(), "登高赏月，共度佳节。".encode())


@dataclass
class Demo:
    archive: Path
    runs: list[CronResult]


def build_archive(root: Path) -> Demo:
    """Two cron runs of the fixture portal into ``root/archive``: the first full, the second
    incremental after the portal changed (3 new articles, 1 edited)."""
    portal = copy_portal(root)
    archive = root / "archive"
    runs = []
    with MockPortal(portal, gzip=True) as server:
        runs.append(run_cron(archive, proxy=server.proxy_url))
        add_articles(portal, 3)
        page = portal / EDITED_FILE
        html = page.read_bytes()
        assert EDIT[0] in html, "the fixture article changed: update tests/demo.py's EDIT"
        page.write_bytes(html.replace(EDIT[0], EDIT[1]))
        runs.append(run_cron(archive, "-a", "refresh=1", proxy=server.proxy_url))
    return Demo(archive, runs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            opener.open(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args[0]} exited before serving (status {proc.returncode})") from None
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {seconds} s")


@contextmanager
def wayback(archive: Path, home: Path) -> Iterator[str | None]:
    """pywb on the archive's WARCs: the replay collection's URL prefix, or None without pywb."""
    manager, server = BIN / "wb-manager", BIN / "wayback"
    if not manager.exists() or not server.exists():
        yield None
        return
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(manager), "init", COLLECTION], cwd=home, check=True, capture_output=True)
    warcs = sorted(str(p) for p in (archive / "warc").glob("*.warc.gz"))
    subprocess.run([str(manager), "add", COLLECTION, *warcs], cwd=home, check=True, capture_output=True)
    port = free_port()
    with open(home / "wayback.log", "wb") as log:
        proc = subprocess.Popen([str(server), "-b", "127.0.0.1", "-p", str(port)], cwd=home,
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_http(f"http://127.0.0.1:{port}/", proc)
            yield f"http://127.0.0.1:{port}/{COLLECTION}/"
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@contextmanager
def serve(archive: Path, port: int, replay: str | None, log: Path) -> Iterator[str]:
    cmd = [str(BIN / "northnews"), "serve", "-d", str(archive), "--port", str(port)]
    if replay:
        cmd += ["--replay-url", replay]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/"
        try:
            wait_http(url, proc)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Crawl the bundled portal twice and open northnews serve on it.")
    parser.add_argument("--dir", type=Path, default=None, help="where to build it (default: a new temporary dir)")
    parser.add_argument("--port", type=int, default=8600, help="northnews serve's port (default 8600)")
    args = parser.parse_args(argv)
    root = args.dir or Path(tempfile.mkdtemp(prefix="northnews-demo-"))
    if (root / "archive").exists():
        print(f"demo: {root}/archive exists: give another --dir", file=sys.stderr)
        return 2
    root.mkdir(parents=True, exist_ok=True)
    print(f"demo: crawling the bundled portal twice into {root}/archive ...", flush=True)
    demo = build_archive(root)
    manifests = demo.runs[-1].manifests()
    for n, (run, m) in enumerate(zip(demo.runs, manifests, strict=True), 1):
        print(f"demo: run {n} ({m['run_id']}): exit {run.returncode}, {m['articles']}", flush=True)
        if run.returncode != 0:
            print(run.stderr[-2000:], file=sys.stderr)
            return 1
    with wayback(demo.archive, root / "pywb") as replay, serve(demo.archive, args.port, replay, root / "serve.log") as url:
        print(f"demo: replay: {replay or 'pywb not installed (pip install -e .[test]): no replay links'}")
        print(f"demo: northnews serve is at {url}  (try {url}search?q=胡杨 and the runs page; Ctrl-C stops)",
              flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            print("demo: stopped; the archive stays in", root)
    shutil.rmtree(root / "pywb", ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
