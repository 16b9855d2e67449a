"""Mirror replay: the wget --mirror mapping and the middleware's answers."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, TextResponse
from scrapy.utils.test import get_crawler

from northnews.archive.mirror import MirrorSource, mirror_path
from northnews.crawl.downloadermiddlewares.replay import ReplayMiddleware, open_source


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    site = tmp_path / "www.northnews.cn"
    (site / "news" / "guonei").mkdir(parents=True)
    (site / "index.html").write_bytes(b"<html><body>home</body></html>")
    (site / "news" / "guonei" / "index.html").write_bytes(b"<html>list 1</html>")
    (site / "page.shtml?x=1").write_bytes(b"<html>with query</html>")
    (site / "robots.txt").write_bytes(b"User-agent: *\nDisallow: /search/\n")
    (tmp_path / "secret.txt").write_bytes(b"outside the host folder")
    return tmp_path


@pytest.mark.parametrize(
    ("url", "relative"),
    [
        ("http://www.northnews.cn/", "www.northnews.cn/index.html"),
        ("https://www.northnews.cn/", "www.northnews.cn/index.html"),
        ("http://WWW.northnews.cn/news/guonei/", "www.northnews.cn/news/guonei/index.html"),
        ("http://www.northnews.cn/page.shtml?x=1", "www.northnews.cn/page.shtml?x=1"),
        ("http://www.northnews.cn/a%20b.shtml", "www.northnews.cn/a b.shtml"),
        ("http://www.northnews.cn:8080/x.html", "www.northnews.cn:8080/x.html"),
    ],
)
def test_mirror_path(mirror: Path, url: str, relative: str) -> None:
    assert mirror_path(mirror, url) == (mirror / relative).resolve()


def test_mirror_path_never_escapes_the_host_folder(mirror: Path) -> None:
    assert mirror_path(mirror, "http://www.northnews.cn/../secret.txt") is None
    assert mirror_path(mirror, "http://www.northnews.cn/%2e%2e/secret.txt") is None


def test_mirror_source_answers(mirror: Path) -> None:
    source = MirrorSource(mirror)
    home = source.lookup("https://www.northnews.cn/")
    assert (home.status, home.body) == (200, b"<html><body>home</body></html>")
    assert ("Content-Type", "text/html") in home.headers
    assert source.lookup("http://www.northnews.cn/missing.shtml").status == 404
    redirect = source.lookup("http://www.northnews.cn/news/guonei")
    assert redirect.status == 301
    assert ("Location", "http://www.northnews.cn/news/guonei/") in redirect.headers
    assert source.lookup("http://www.northnews.cn/robots.txt").body.startswith(b"User-agent")


def test_open_source_rejects_missing_path(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        open_source(tmp_path / "nope")


def test_middleware_is_off_without_replay() -> None:
    with pytest.raises(NotConfigured):
        ReplayMiddleware.from_crawler(get_crawler(settings_dict={}))


def test_middleware_returns_responses_from_the_mirror(mirror: Path) -> None:
    crawler = get_crawler(settings_dict={"NORTHNEWS_REPLAY": str(mirror)})
    crawler.stats.open_spider()
    mw = ReplayMiddleware.from_crawler(crawler)
    response = mw.process_request(Request("http://www.northnews.cn/"))
    assert isinstance(response, HtmlResponse)
    assert response.status == 200 and "replay" in response.flags
    robots = mw.process_request(Request("http://www.northnews.cn/robots.txt"))
    assert isinstance(robots, TextResponse)
    missing = mw.process_request(Request("http://www.northnews.cn/2015/0915/1.shtml"))
    assert missing.status == 404
    assert crawler.stats.get_value("northnews/replay/hit") == 3
    assert crawler.stats.get_value("northnews/replay/status/404") == 1


def test_the_mirror_serves_nothing_from_outside_its_root(tmp_path) -> None:
    """A host directory that is a symlink to elsewhere, ``../`` and ``%00`` never reach a file
    outside the mirror: they are 404s, and replay goes on."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.html").write_text("CANARY", encoding="utf-8")
    root = tmp_path / "mirror"
    (root / "www.example.cn").mkdir(parents=True)
    (root / "www.example.cn" / "index.html").write_text("<html>home</html>", encoding="utf-8")
    (root / "evil.example.cn").symlink_to(outside, target_is_directory=True)
    source = MirrorSource(root)
    assert source.lookup("http://www.example.cn/").status == 200
    for url in (
        "http://evil.example.cn/secret.html",
        "http://www.example.cn/../outside/secret.html",
        "http://www.example.cn/%2e%2e/%2e%2e/outside/secret.html",
        "http://www.example.cn/index.html%00.png",
    ):
        hit = source.lookup(url)
        assert hit.status == 404 and b"CANARY" not in hit.body, url
