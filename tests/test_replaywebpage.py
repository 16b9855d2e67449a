"""The WACZ in its real reader: replayweb.page 2.5.3 (npm ``replaywebpage``: its static build,
``index.html`` + ``ui.js`` + ``sw.js``) and a WACZ of a proxy crawl of the fixture portal, both
served on 127.0.0.1 by a static server with HTTP Range support (replayweb.page reads a WACZ by
ranges), opened in Debian's headless Chromium driven over the DevTools protocol (the client of
tests/test_browser_replay.py; no browser is downloaded; host names other than 127.0.0.1 do not
resolve, so nothing leaves the machine).

Checked as a reader would see it: the WACZ loads (no error in the app), every article of the
crawl is in its page list, one article replays with its photos decoded (``naturalWidth > 0``),
and replayweb.page's own page search finds an article by a Chinese word and by an English word
of its body. Screenshots are kept under the test's tmp dir.

replayweb.page is installed by ``.ci/run`` (``npm pack replaywebpage@2.5.3`` into
``~/.cache/northnews/replaywebpage-2.5.3``, only when missing; its prebuilt files need none of
its npm dependencies); ``NORTHNEWS_REPLAYWEBPAGE`` names another copy. Without it or without
Chromium, the test skips and says why.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest

from tests.conftest import PORTAL, CrawlResult, run_crawl
from tests.mockserver import MockPortal
from tests.test_browser_replay import CHROMIUM, Browser

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
REPLAYWEBPAGE_VERSION = "2.5.3"
REPLAYWEBPAGE = Path(os.environ.get("NORTHNEWS_REPLAYWEBPAGE") or
                     Path.home() / ".cache" / "northnews" / f"replaywebpage-{REPLAYWEBPAGE_VERSION}" / "package")
# The article opened in replay: Chinese, GBK, two photos on the upload host.
ARTICLE = "http://www.northnews.cn/2015/0927/2050702.shtml"
# Words of article bodies, each in a body of the fixture portal (checked below against the items).
CHINESE_WORD = "呼和浩特"
ENGLISH_WORD = "kilowatts"


# --- a static server with Range requests ----------------------------------------------------------


class RangeHandler(SimpleHTTPRequestHandler):
    """Files under ``directory`` and ``/<name>.wacz`` from ``server.waczs``; ``Range: bytes=a-b``
    answered with 206 and ``Content-Range``. Every request is logged in ``server.log``."""

    server: RangeServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the stdlib's name
        self.server.log.append(format % args)

    def translate_path(self, path: str) -> str:
        name = unquote(urlsplit(path).path).lstrip("/")
        if name in self.server.waczs:
            return str(self.server.waczs[name])
        return super().translate_path(path)

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def send_head(self) -> Any:
        header = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        match = re.fullmatch(r"bytes=(\d*)-(\d*)", header.strip()) if header else None
        if match is None or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        first, last = match.groups()
        if first == "":
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        if start >= size or start > end:
            self.send_response(HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return None
        fh = open(path, "rb")  # noqa: SIM115 - the base class copies and closes it
        fh.seek(start)
        self.send_response(HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        return _Limited(fh, end - start + 1)


class _Limited:
    def __init__(self, fh: Any, left: int) -> None:
        self.fh, self.left = fh, left

    def read(self, size: int = -1) -> bytes:
        size = self.left if size < 0 else min(size, self.left)
        data = self.fh.read(size) if size else b""
        self.left -= len(data)
        return data

    def close(self) -> None:
        self.fh.close()


class RangeServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, root: Path, waczs: dict[str, Path]) -> None:
        self.waczs = waczs
        self.log: list[str] = []
        super().__init__(("127.0.0.1", 0), lambda *a: RangeHandler(*a, directory=str(root)))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


# --- fixtures -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def replaywebpage() -> Path:
    if not (REPLAYWEBPAGE / "index.html").is_file() or not (REPLAYWEBPAGE / "sw.js").is_file():
        pytest.skip(f"replayweb.page {REPLAYWEBPAGE_VERSION} is not at {REPLAYWEBPAGE} (.ci/run installs it:"
                    f" npm pack replaywebpage@{REPLAYWEBPAGE_VERSION} and untar it there)")
    version = json.loads((REPLAYWEBPAGE / "package.json").read_text(encoding="utf-8"))["version"]
    assert version == REPLAYWEBPAGE_VERSION, f"{REPLAYWEBPAGE} holds replayweb.page {version}"
    return REPLAYWEBPAGE


@pytest.fixture(scope="module")
def chromium() -> str:
    if not CHROMIUM:
        pytest.skip("Chromium is not installed (apt-get install chromium fonts-noto-cjk; .ci/run does it)")
    return CHROMIUM


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory, replaywebpage: Path, chromium: str) -> CrawlResult:
    with MockPortal(PORTAL, gzip=True) as server:
        result = run_crawl(tmp_path_factory.mktemp("rwp") / "archive", env={"http_proxy": server.proxy_url})
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(result.items) > 20
    return result


@pytest.fixture(scope="module")
def package(crawl: CrawlResult) -> Path:
    out = crawl.archive.parent / "fixture.wacz"
    proc = subprocess.run([str(BIN / "northnews-archive"), "-d", str(crawl.archive), "wacz", str(out)],
                          check=False, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


@pytest.fixture(scope="module")
def served(replaywebpage: Path, package: Path) -> Iterator[RangeServer]:
    server = RangeServer(replaywebpage, {"fixture.wacz": package})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser(chromium: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    profile = Path(tempfile.mkdtemp(prefix="chromium-rwp-"))
    log = tmp_path_factory.mktemp("chromium-rwp") / "chromium.log"
    b = Browser(chromium, profile, log)
    try:
        try:
            b.call("Browser.getVersion", timeout=60)
        except (AssertionError, OSError) as exc:
            pytest.skip(f"Chromium did not start ({exc}); see {log}")
        yield b
    finally:
        b.close()
        shutil.rmtree(profile, ignore_errors=True)


# --- driving replayweb.page -----------------------------------------------------------------------

# Queries across replayweb.page's shadow roots (its UI is lit web components).
DEEP = """
window.__deep = (selector, root) => {
  const out = [];
  const walk = (node) => {
    if (node.querySelectorAll) out.push(...node.querySelectorAll(selector));
    const all = node.querySelectorAll ? node.querySelectorAll('*') : [];
    for (const el of all) if (el.shadowRoot) walk(el.shadowRoot);
  };
  walk(root || document);
  return out;
};
"""


class Tab:
    """One page target of the browser, with its console and exceptions kept."""

    def __init__(self, browser: Browser) -> None:
        self.browser = browser
        self.target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.call("Target.attachToTarget", {"targetId": self.target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            browser.call(f"{domain}.enable", session=self.session)
        self.start = len(browser.events)

    def navigate(self, url: str, timeout: float = 60) -> None:
        start = len(self.browser.events)
        self.browser.call("Page.navigate", {"url": url}, session=self.session)
        self.browser.wait_for("Page.loadEventFired", self.session, start, timeout=timeout)

    def eval(self, expression: str, timeout: float = 30) -> Any:
        answer = self.browser.call("Runtime.evaluate", {
            "expression": DEEP + expression, "returnByValue": True, "awaitPromise": True,
        }, session=self.session, timeout=timeout)
        if "exceptionDetails" in answer:
            raise AssertionError(f"{expression}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def until(self, expression: str, what: str, timeout: float = 90) -> Any:
        """Evaluate until the value is truthy; fail saying ``what`` was awaited."""
        deadline = time.monotonic() + timeout
        value = None
        while time.monotonic() < deadline:
            value = self.eval(expression)
            if value:
                return value
            time.sleep(0.25)
        raise AssertionError(f"timed out waiting for {what} (last value {value!r}); console: {self.console()[-10:]}")

    def console(self) -> list[str]:
        out = []
        for name, params, sid in self.browser.events[self.start:]:
            if sid != self.session:
                continue
            if name == "Runtime.consoleAPICalled":
                out.append(params["type"] + ": " + " ".join(str(a.get("value", a.get("description", "")))
                                                             for a in params.get("args", [])))
            elif name == "Runtime.exceptionThrown":
                out.append("exception: " + json.dumps(params["exceptionDetails"])[:500])
            elif name == "Log.entryAdded":
                out.append(f"{params['entry']['level']}: {params['entry']['text']} {params['entry'].get('url', '')}")
        return out

    def screenshot(self, path: Path) -> Path:
        png = self.browser.call("Page.captureScreenshot", {"format": "png"}, session=self.session)
        path.write_bytes(base64.b64decode(png["data"]))
        return path

    def close(self) -> None:
        self.browser.call("Target.closeTarget", {"targetId": self.target})


def app_url(served: RangeServer, **hash_params: str) -> str:
    source = quote(f"{served.base}/fixture.wacz", safe="")
    fragment = "&".join(f"{k}={quote(v, safe='')}" for k, v in hash_params.items())
    return f"{served.base}/?source={source}" + (f"#{fragment}" if fragment else "")


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    t = Tab(browser)
    try:
        yield t
    finally:
        t.close()


SEARCH_BOX = "window.__deep('input').find(e => (e.placeholder || '').startsWith('Search by Page'))"
LISTED = "JSON.stringify(window.__deep('wr-page-entry').map(e => e.page && e.page.url))"


def open_pages(tab: Tab, served: RangeServer, expected: int) -> list[str]:
    """The app on the WACZ's page list, once it holds ``expected`` entries (or fails saying why)."""
    tab.navigate(app_url(served, view="pages"))
    tab.until(f"window.__deep('wr-page-entry').length >= {expected}", f"{expected} pages listed")
    return json.loads(tab.eval(LISTED))


def search(tab: Tab, query: str) -> list[str]:
    """Type ``query`` into replayweb.page's page search; the URLs it lists once the list settles."""
    tab.eval(f"(() => {{ const box = {SEARCH_BOX}; box.value = {json.dumps(query)};"
             " box.dispatchEvent(new Event('input', {bubbles: true, composed: true})); return true; })()")
    last, stable_since = None, time.monotonic()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        now = json.loads(tab.eval(LISTED))
        if now != last:
            last, stable_since = now, time.monotonic()
        elif time.monotonic() - stable_since > 2:
            return now
        time.sleep(0.2)
    raise AssertionError(f"search for {query!r} did not settle")


def body_has(item: dict, word: str) -> bool:
    return word.lower() in (item.get("body") or "").lower() or word.lower() in (item.get("title") or "").lower()


def test_wacz_opens_and_lists_every_article(tab: Tab, served: RangeServer, crawl: CrawlResult,
                                            tmp_path: Path) -> None:
    listed = open_pages(tab, served, len(crawl.items))
    shot = tab.screenshot(tmp_path / "replaywebpage-pages.png")
    assert sorted(listed) == sorted(crawl.by_url), f"screenshot: {shot}"
    console = tab.console()
    assert not [c for c in console if "Loading Error" in c or "not valid JSON" in c], console
    # The WACZ was read by ranges, as replayweb.page reads a remote archive.
    assert any("/fixture.wacz" in line and '" 206 ' in line for line in served.log), served.log[-20:]
    print(f"{len(listed)} pages listed; screenshot {shot}")


def test_article_replays_with_its_photos(tab: Tab, served: RangeServer, crawl: CrawlResult, tmp_path: Path) -> None:
    item = crawl.by_url[ARTICLE]
    assert len(item["images"]) >= 2
    tab.navigate(app_url(served, view="replay", url=ARTICLE))
    # The archived page in replayweb.page's replay frame (same origin: its document is ours to read).
    frame_doc = ("(() => { const f = window.__deep('iframe').find(f => (f.name || '') === '___wb_replay_top_frame');"
                 " return f && f.contentDocument; })()")
    tab.until(f"(() => {{ const d = {frame_doc}; return d && d.readyState === 'complete' && d.images.length > 0"
              " && Array.from(d.images).every(i => i.complete); })()", "the article and its images")
    images = json.loads(tab.eval(f"JSON.stringify(Array.from(({frame_doc}).images).map(i =>"
                                 " ({src: i.src, w: i.naturalWidth})))"))
    title = tab.eval(f"({frame_doc}).title")
    shot = tab.screenshot(tmp_path / "replaywebpage-article.png")
    assert item["title"] in title, (title, shot)
    broken = [img["src"] for img in images if not img["w"] > 0]
    assert not broken, f"images not decoded: {broken}; screenshot: {shot}"
    shown = {img["src"] for img in images}
    for image in item["images"]:
        assert image["url"] in shown, (image["url"], shown)
    print(f"{ARTICLE}: {len(images)} images decoded; screenshot {shot}")


@pytest.mark.parametrize(("word", "article"), [
    (CHINESE_WORD, ARTICLE),
    ("内蒙古", "http://www.northnews.cn/2015/0925/2050501.shtml"),
    (ENGLISH_WORD, "http://english.northnews.cn/2015/0916/90102.shtml"),
])
def test_search_finds_articles_by_a_body_word(word: str, article: str, tab: Tab, served: RangeServer,
                                              crawl: CrawlResult, tmp_path: Path) -> None:
    assert word in crawl.by_url[article]["body"], "the word is from the article's body"
    open_pages(tab, served, len(crawl.items))
    found = search(tab, word)
    shot = tab.screenshot(tmp_path / f"replaywebpage-search-{word.encode('unicode_escape').decode('ascii').replace(chr(92), '')}.png")
    assert article in found, f"{word!r} did not find {article}: {found}; screenshot {shot}"
    # Exactly the articles whose title or body has the word as a substring: also where it is
    # inside a longer word (呼和浩特市, 内蒙古自治区), whose dictionary words pages.jsonl adds.
    expected = sorted(url for url, item in crawl.by_url.items() if body_has(item, word))
    assert sorted(found) == expected, f"screenshot {shot}"
    print(f"{word!r}: {len(found)} articles found; screenshot {shot}")
