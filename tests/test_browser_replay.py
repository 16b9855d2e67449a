"""A complete replay, checked in a real browser: a proxy crawl of the fixture portal, indexed by
pywb (``wb-manager add``), served by ``wayback``, and article pages opened in headless Chromium.

The browser is driven over the Chrome DevTools protocol on ``--remote-debugging-pipe`` (file
descriptors 3 and 4, NUL-separated JSON: the standard library is enough, and no browser is
downloaded: Debian's ``/usr/bin/chromium``). Its own network log (``Network.*`` events) must
show every request of the page answered, none with 404 (or any status >= 400), every one served
by wayback (host names other than 127.0.0.1 do not resolve in this browser: nothing can leak to
the network), and every image of the article decoded (``naturalWidth > 0``). A screenshot of
each page is kept under the test's tmp dir.

The template's third-party scripts (the cnzz.com and baidu statistics, the Baidu ad loader) are
outside the portal's hosts: the crawler never fetches them (by the scope rules), so wayback
answers 404 for them. They are the only misses allowed, each one checked to be offsite.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.conftest import PORTAL, CrawlResult, run_crawl
from tests.mockserver import MockPortal

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
CHROMIUM = os.environ.get("NORTHNEWS_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
COLLECTION = "northnews"
# Hosts whose files a page may use and the crawler archives: the portal's (requisite hosts included).
PORTAL_DOMAIN = "northnews.cn"
# Third-party hosts the fixture's template loads scripts from; never archived (out of scope).
THIRD_PARTY = ("cnzz.com", "baidustatic.com", "baidu.com")
# Articles to open: English with an upload-host photo, Chinese GBK with a photo on a relative
# path, a Chinese article with two upload-host photos, the generic layout's English page.
ARTICLES = (
    "http://english.northnews.cn/2015/0915/90088.shtml",
    "http://www.northnews.cn/2015/0916/2049502.shtml",
    "http://www.northnews.cn/2015/0927/2050702.shtml",
    "http://english.northnews.cn/2016/0420/91002.shtml",
)


def _in(host: str, domain: str) -> bool:
    return host == domain or host.endswith("." + domain)


@pytest.fixture(scope="module")
def chromium() -> str:
    if not CHROMIUM:
        pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk; .ci/run does it)")
    return CHROMIUM


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory, chromium: str) -> CrawlResult:
    with MockPortal(PORTAL, gzip=True) as server:
        result = run_crawl(tmp_path_factory.mktemp("browser") / "archive", env={"http_proxy": server.proxy_url})
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def wayback(crawl: CrawlResult) -> Iterator[str]:
    home = crawl.archive.parent / "pywb"
    home.mkdir()
    subprocess.run([str(BIN / "wb-manager"), "init", COLLECTION], cwd=home, check=True, capture_output=True)
    warcs = sorted(str(p) for p in (crawl.archive / "warc").glob("*.warc.gz"))
    added = subprocess.run([str(BIN / "wb-manager"), "add", COLLECTION, *warcs], cwd=home,
                           check=False, capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    port = free_port()
    log = open(home / "wayback.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([str(BIN / "wayback"), "-b", "127.0.0.1", "-p", str(port)], cwd=home,
                            stdout=log, stderr=subprocess.STDOUT)
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
        log.close()


# --- a minimal DevTools client ------------------------------------------------------------------


class Browser:
    """Headless Chromium on ``--remote-debugging-pipe``: ``call`` sends a command and waits for
    its answer; every event is kept in ``events`` (method, params, session id)."""

    FLAGS = (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
        # Only wayback's address resolves: a URL that escaped rewriting fails, it never leaves.
        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
        "--no-proxy-server", "--window-size=1280,2000",
    )

    def __init__(self, executable: str, profile: Path, log: Path) -> None:
        to_child_r, self._to_child = os.pipe()
        self._from_child, from_child_w = os.pipe()
        self._log = open(log, "wb")  # noqa: SIM115 - closed in close()
        # The child reads our commands on fd 3 and writes its answers on fd 4 (bash wires them: dash takes one-digit fds only).
        self.proc = subprocess.Popen(
            ["/bin/bash", "-c", f'exec "$0" "$@" 3<&{to_child_r} 4>&{from_child_w}', executable, *self.FLAGS,
             f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=self._log, stderr=subprocess.STDOUT,
            pass_fds=(to_child_r, from_child_w),
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._next_id = 0
        self._answers: dict[int, queue.Queue[dict[str, Any]]] = {}
        self._lock = threading.Lock()
        self.events: list[tuple[str, dict[str, Any], str | None]] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buf = b""
        while True:
            try:
                chunk = os.read(self._from_child, 1 << 16)
            except OSError:
                return
            if not chunk:
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    with self._lock:
                        waiter = self._answers.get(message["id"])
                    if waiter is not None:
                        waiter.put(message)
                else:
                    self.events.append((message["method"], message.get("params", {}), message.get("sessionId")))

    def call(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 30) -> dict[str, Any]:
        with self._lock:
            self._next_id += 1
            ident = self._next_id
            waiter: queue.Queue[dict[str, Any]] = queue.Queue()
            self._answers[ident] = waiter
        message: dict[str, Any] = {"id": ident, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        try:
            answer = waiter.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"Chromium did not answer {method} in {timeout} s") from None
        if "error" in answer:
            raise AssertionError(f"{method}: {answer['error']}")
        return answer.get("result", {})

    def wait_for(self, method: str, session: str, start: int, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name, params, sid in self.events[start:]:
                if name == method and sid == session:
                    return params
            time.sleep(0.05)
        raise AssertionError(f"no {method} within {timeout} s")

    def close(self) -> None:
        try:
            self.call("Browser.close", timeout=5)
        except (AssertionError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        self._log.close()


@dataclass
class Fetch:
    url: str
    resource: str | None = None
    status: int | None = None
    error: str | None = None
    finished: bool = False


@dataclass
class PageLoad:
    fetches: dict[str, Fetch] = field(default_factory=dict)
    images: list[dict[str, Any]] = field(default_factory=list)
    screenshot: Path | None = None

    def problem(self, fetch: Fetch, origin: str) -> str | None:
        """What went wrong with one request of the page, or None."""
        if not fetch.url.startswith(origin) and not fetch.url.startswith("data:"):
            return f"escaped wayback: {fetch.url} ({fetch.error})"
        if fetch.error is not None:
            return f"failed: {fetch.url}: {fetch.error}"
        if fetch.status is None:
            return f"no answer: {fetch.url}"
        if fetch.status >= 400:
            return f"{fetch.status}: {fetch.url}"
        return None


def original_url(replay_url: str) -> str | None:
    """``http://127.0.0.1:P/northnews/20261201123456im_/http://upload…/x.jpg`` → the archived URL
    (``None`` for pywb's own files: its frame page's scripts and styles)."""
    path = replay_url.split("/", 3)[-1] if replay_url.count("/") >= 3 else ""
    parts = path.split("/", 2)
    if len(parts) < 3 or parts[0] != COLLECTION:
        return None
    return parts[2]


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    log = tmp_path_factory.mktemp("chromium") / "chromium.log"
    b = Browser(chromium, profile, log)
    try:
        try:
            version = b.call("Browser.getVersion", timeout=60)
        except (AssertionError, OSError) as exc:
            pytest.skip(f"Chromium did not start ({exc}); see {log}")
        assert version.get("product")
        yield b
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)


def open_page(browser: Browser, url: str, shot: Path, settle: float = 1.0, timeout: float = 60) -> PageLoad:
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    try:
        for domain in ("Page", "Network", "Runtime"):
            browser.call(f"{domain}.enable", session=session)
        browser.call("Network.setCacheDisabled", {"cacheDisabled": True}, session=session)
        # Workers the page starts (pywb's queryWorker.js) report their own requests: attach to each,
        # paused at start until its network log is on.
        browser.call("Target.setAutoAttach", {"autoAttach": True, "waitForDebuggerOnStart": True, "flatten": True},
                     session=session)
        sessions = {session}
        start = len(browser.events)
        browser.call("Page.navigate", {"url": url}, session=session)
        browser.wait_for("Page.loadEventFired", session, start, timeout=timeout)
        # Then until nothing has been in flight for `settle` seconds (scripts may load more).
        load = PageLoad()
        deadline = time.monotonic() + timeout
        quiet_since = time.monotonic()
        seen = start
        while time.monotonic() < deadline:
            events = browser.events[seen:]
            seen += len(events)
            for name, params, sid in events:
                if sid not in sessions:
                    continue
                if name == "Target.attachedToTarget":
                    child = params["sessionId"]
                    sessions.add(child)
                    browser.call("Network.enable", session=child)
                    browser.call("Runtime.runIfWaitingForDebugger", session=child)
                    continue
                rid = params.get("requestId")
                if name == "Network.requestWillBeSent":
                    if rid not in load.fetches or params.get("redirectResponse"):  # a worker's own view repeats it
                        load.fetches[rid] = Fetch(params["request"]["url"], params.get("type"))
                elif name == "Network.responseReceived" and rid in load.fetches:
                    load.fetches[rid].status = params["response"]["status"]
                elif name == "Network.loadingFinished" and rid in load.fetches:
                    load.fetches[rid].finished = True
                elif name == "Network.loadingFailed" and rid in load.fetches:
                    load.fetches[rid].error = params.get("errorText") or params.get("blockedReason") or "failed"
                    load.fetches[rid].finished = True
            if events:
                quiet_since = time.monotonic()
            pending = [f for f in load.fetches.values() if not f.finished]
            if not pending and time.monotonic() - quiet_since >= settle:
                break
            time.sleep(0.05)
        images = browser.call("Runtime.evaluate", {
            # The archived page is in pywb's replay frame (same origin: its document is ours to read).
            "expression": "(() => { const f = document.querySelector('iframe');"
                          " const d = (f && f.contentDocument) || document;"
                          " return JSON.stringify(Array.from(d.images).map(i => ({src: i.currentSrc || i.src,"
                          " w: i.naturalWidth, h: i.naturalHeight, complete: i.complete}))); })()",
            "returnByValue": True,
        }, session=session)
        load.images = json.loads(images["result"]["value"])
        png = browser.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True},
                           session=session)
        shot.write_bytes(base64.b64decode(png["data"]))
        load.screenshot = shot
        return load
    finally:
        browser.call("Target.closeTarget", {"targetId": target})


def _stamp(fetched_at: str) -> str:
    return fetched_at.replace("-", "").replace(":", "").replace("T", "").rstrip("Z")


@pytest.mark.parametrize("article", ARTICLES)
def test_archived_article_replays_completely_in_chromium(
    article: str, crawl: CrawlResult, wayback: str, browser: Browser, tmp_path: Path
) -> None:
    item = crawl.by_url[article]
    # pywb's own framed replay, as a reader opens it: its frame page, the article in an iframe (mp_).
    url = f"{wayback}/{COLLECTION}/{_stamp(item['fetched_at'])}/{article}"
    load = open_page(browser, url, tmp_path / "article.png")
    assert load.screenshot is not None and load.screenshot.stat().st_size > 0
    page = [f for f in load.fetches.values() if f.resource == "Document" and original_url(f.url) == article]
    assert page and page[-1].status == 200, url
    # Misses allowed only for third-party hosts the crawl must not archive.
    misses, third_party = [], []
    for fetch in load.fetches.values():
        problem = load.problem(fetch, wayback)
        if problem is None:
            continue
        archived = original_url(fetch.url) or ""
        host = (urlsplit(archived).hostname or "").lower()
        if fetch.status == 404 and host and any(_in(host, d) for d in THIRD_PARTY):
            third_party.append(archived)
        else:
            misses.append(problem)
    assert not misses, f"{article}: " + "\n".join(sorted(set(misses))) + f"\nscreenshot: {load.screenshot}"
    portal = [f for f in load.fetches.values()
              if _in((urlsplit(original_url(f.url) or "").hostname or "").lower(), PORTAL_DOMAIN)]
    assert {f.resource for f in portal} >= {"Document", "Stylesheet", "Script", "Image"}, portal
    # Every image of the page decoded, the article's own photos among them.
    assert load.images
    broken = [img["src"] for img in load.images if not img["w"] > 0]
    assert not broken, f"{article}: images not loaded: {broken}\nscreenshot: {load.screenshot}"
    shown = {original_url(img["src"]) for img in load.images}
    for image in item["images"]:
        assert image["url"] in shown, (article, image["url"])
    assert len(set(third_party)) <= 4, third_party
    statuses = Counter(f.status for f in load.fetches.values())
    print(f"{article}: {len(load.fetches)} requests {dict(statuses)}, {len(portal)} of the portal's,"
          f" {len(load.images)} images decoded, third-party not archived: {sorted(set(third_party))}")
