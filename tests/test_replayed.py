"""northnews.ops.replayed: the pages ``northnews-archive extract`` serves are the ones Scrapy's
middlewares would hand the spider. Here: the parts that are not Scrapy's own code run as is (the
meta-refresh shortcut, the response built once with the encoding middleware's choice); the whole
path, item for item against a replaying spider, is tests/test_extract.py."""

from __future__ import annotations

import random

import pytest
from scrapy.http import Headers, HtmlResponse, Request, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.settings import Settings
from scrapy.utils.response import get_meta_refresh
from w3lib.url import safe_url_string

from northnews import settings as project_settings
from northnews.crawl.downloadermiddlewares.encoding import EncodingMiddleware
from northnews.ops.replayed import _PLAIN_URL, META_REFRESH_SCAN, ReplayedPages, _request_url
from northnews.sites import load_site

URL = "http://www.northnews.cn/2015/1016/1.shtml"
FILLER = "<p>" + "填充文字。" * 20 + "</p>\n"


def page(head: str, body: str = "<p>正文</p>") -> str:
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


#: Pages whose refresh is there, spelled every way a browser reads one, or not there; the scan
#: limit of Scrapy's get_meta_refresh (4096 characters) on either side.
PAGES = {
    "none": page("<title>t</title>"),
    "plain": page('<meta http-equiv="refresh" content="0; url=/2015/1016/2.shtml">'),
    "upper case, unquoted": page("<META HTTP-EQUIV=REFRESH CONTENT='5;URL=/x.shtml'>"),
    "decimal reference": page('<meta http-equiv="&#114;efresh" content="0;url=/y.shtml">'),
    "hex references": page('<meta http-equiv="&#x52;&#x45;FRESH" content="1;url=http://www.northnews.cn/z">'),
    "reference in the url only": page('<meta http-equiv="refresh" content="0;url=/a&#38;b.shtml">'),
    "named references around it": page('<meta name="x" content="&amp;&lt;&fjlig;">', "&nbsp;&copy;"),
    "in a comment": page('<!-- <meta http-equiv="refresh" content="0;url=/c.shtml"> -->'),
    "in noscript": page('<noscript><meta http-equiv="refresh" content="0;url=/n.shtml"></noscript>'),
    "in a script": page('<script>var s = \'<meta http-equiv="refresh" content="0;url=/s.shtml">\';</script>'),
    "late, past the scan": page("", FILLER * 60 + '<meta http-equiv="refresh" content="0;url=/late.shtml">'),
    "reference past the scan": page("", FILLER * 60 + '<meta http-equiv="&#114;efresh" content="0;url=/l">'),
    "base href": page('<base href="http://www.northnews.cn/other/"><meta http-equiv="refresh" content="0;url=rel.shtml">'),
    "delay too long": page('<meta http-equiv="refresh" content="600;url=/slow.shtml">'),
}


@pytest.fixture(scope="module")
def pages() -> ReplayedPages:
    settings = Settings()
    settings.setmodule(project_settings)
    return ReplayedPages(source=None, settings=settings, site=load_site("northnews"))  # type: ignore[arg-type]


def scrapys_target(response: HtmlResponse, max_delay: int, ignore: list[str]) -> str | None:
    """MetaRefreshMiddleware's decision, as Scrapy makes it (get_meta_refresh, the delay)."""
    interval, url = get_meta_refresh(response, ignore_tags=ignore)
    if not url or interval is None or interval >= max_delay:
        return None
    return url.split("#", 1)[0]


@pytest.mark.parametrize("name", sorted(PAGES))
def test_meta_refresh_is_scrapys(pages: ReplayedPages, name: str) -> None:
    html = PAGES[name]
    ours = pages._meta_refresh(HtmlResponse(URL, body=html.encode("utf-8"), encoding="utf-8"))
    theirs = scrapys_target(HtmlResponse(URL, body=html.encode("utf-8"), encoding="utf-8"),
                            pages.meta_refresh_max_delay, pages.meta_refresh_ignore)
    assert ours == theirs


def test_the_pages_cover_both_answers_and_the_scan_limit() -> None:
    found = {name: scrapys_target(HtmlResponse(URL, body=html.encode("utf-8"), encoding="utf-8"), 100, [])
             for name, html in PAGES.items()}
    assert found["plain"] and found["decimal reference"] and found["hex references"] and found["base href"]
    assert not found["none"] and not found["late, past the scan"] and not found["reference past the scan"]
    assert len(PAGES["late, past the scan"]) > META_REFRESH_SCAN


@pytest.mark.parametrize("body, content_type", [
    ("<html><head><meta charset='gbk'></head><body>中文内容</body></html>".encode("gbk"), b"text/html"),
    ("<html><body>中文内容</body></html>".encode(), b"text/html; charset=gbk"),  # a lying header
    (b"<html><body>plain ASCII</body></html>", b"text/html"),
    (b"", b"text/html"),
    ("<html><body>caf\u00e9</body></html>".encode("cp1252"), b"text/html"),
])
def test_the_response_is_built_once_with_the_encoding_middlewares_choice(
    pages: ReplayedPages, body: bytes, content_type: bytes
) -> None:
    headers = Headers({"Content-Type": content_type})
    ours = pages._decompressed(URL, 200, Headers(headers), body, "HTTP/1.1", text=True)
    scrapys = EncodingMiddleware(None).process_response(
        Request(URL), HtmlResponse(URL, status=200, headers=Headers(headers), body=body, protocol="HTTP/1.1"))
    assert isinstance(ours, TextResponse) and isinstance(scrapys, TextResponse)
    assert type(ours) is type(scrapys)
    assert (ours.url, ours.status, ours.body, ours.encoding, ours.text) == \
        (scrapys.url, scrapys.status, scrapys.body, scrapys.encoding, scrapys.text)
    # The light answer extract reads (no Scrapy response built) gives what that response gives.
    light = pages._page(URL, 200, Headers(headers), body, "HTTP/1.1")
    assert light is not None and light.cls is type(scrapys) and light.is_text
    assert (light.url, light.status, light.body, light.text, light.headers.get(b"Content-Type")) == \
        (scrapys.url, scrapys.status, scrapys.body, scrapys.text, scrapys.headers.get(b"Content-Type"))


@pytest.mark.parametrize("body, headers", [
    (b"\xef\xbb\xbf<html><body>\xe4\xb8\xad</body></html>", {"Content-Type": "text/html; charset=gbk"}),  # a BOM wins
    ("<html><body>中文</body></html>".encode("utf-16-le"), {"Content-Type": "text/html; charset=utf-16"}),
    (b"\x89PNG\r\n\x1a\n\x00\x00", {"Content-Type": "image/png"}),  # not text
    (b"{\"a\": 1}", {"Content-Type": "application/json"}),
    (b"<?xml version='1.0'?><rss/>", {"Content-Type": "text/xml"}),
    (b"<html>no type</html>", {}),
    (b"<html>gzip type</html>", {"Content-Type": "application/x-gzip", "Content-Encoding": "identity"}),
    (b"<html>a download</html>", {"Content-Type": "application/octet-stream",
                                  "Content-Disposition": "attachment; filename=a.html"}),
    (b"<html>typed, empty</html>", {"Content-Type": ""}),
])
def test_the_light_answer_reads_as_scrapys_response(pages: ReplayedPages, body: bytes, headers: dict[str, str]) -> None:
    """Class, text and headers of :class:`Page` against the response Scrapy's middlewares would
    hand the spider (EncodingMiddleware after the response class is chosen)."""
    light = pages._page(URL, 200, Headers(headers), body, "HTTP/1.1")
    scrapys = responsetypes.from_args(headers=Headers(headers), url=URL, body=body)(
        URL, status=200, headers=Headers(headers), body=body, protocol="HTTP/1.1")
    scrapys = EncodingMiddleware(None).process_response(Request(URL), scrapys)
    assert light is not None and light.cls is type(scrapys)
    assert light.is_text == isinstance(scrapys, TextResponse)
    if light.is_text:
        assert isinstance(scrapys, TextResponse) and light.text == scrapys.text
    built = light.response()
    assert type(built) is type(scrapys) and built.body == scrapys.body and built.headers == scrapys.headers


def test_repeated_headers_are_kept_in_order(pages: ReplayedPages) -> None:
    pairs = [("Set-Cookie", "a=1"), ("Content-Type", "text/html"), ("set-cookie", "b=2")]
    appended = Headers()
    for name, value in pairs:
        appended.appendlist(name, value)
    assert Headers(pairs) == appended
    assert Headers(pairs).getlist("Set-Cookie") == [b"a=1", b"b=2"]


@pytest.mark.parametrize("url", [
    URL, "http://www.northnews.cn/a b.shtml", "http://www.northnews.cn/新闻/1.shtml?q=中文#frag",
    "HTTP://WWW.NorthNews.CN/x", "http://www.northnews.cn/%zz",
])
def test_the_url_is_the_one_a_request_gets(url: str) -> None:
    assert _request_url(url) == Request(url).url


def test_the_shortcut_for_plain_urls_is_safe_url_strings_answer() -> None:
    """Random URLs built from the pieces that change safe_url_string's answer (case, ports, dot
    segments, percent signs, quotes, IDNA and numeric hosts, spaces, non-ASCII) and from plain
    ones: whichever the shortcut takes, the answer is the full function's."""
    rng = random.Random(19)
    hosts = ["www.northnews.cn", "WWW.northnews.cn", "a-b.example.com", "xn--fiqs8s.cn", "a--b.cn",
             "127.0.0.1", "0x7f.1", "host.123", "-a.cn", "a-.cn", "a" * 64 + ".cn", "b.cn:80",
             "user@c.cn", "c.cn.", "d..cn", "新闻.cn"]
    pieces = ["a", "Z", "9", "/", ".", "..", "./", "%", "%2e", "%41", "'", "~", "-", "_", "!", "$",
              "&", "(", ")", "*", "+", ",", ";", "=", ":", "@", "?", "#", " ", "\\", "|", "[", "{",
              "^", "`", '"', "<", "中", "\t", "shtml"]
    taken = 0
    for _ in range(20000):
        scheme = rng.choice(["http", "https", "HTTP", "ftp"])
        some = pieces if rng.random() < 0.5 else pieces[:5] + pieces[11:27] + pieces[-1:]  # or plain ones
        tail = "".join(rng.choice(some) for _ in range(rng.randint(0, 12)))
        url = f"{scheme}://{rng.choice(hosts)}{rng.choice(['/', '', '/x/'])}{tail}"
        taken += bool(_PLAIN_URL.fullmatch(url))
        try:
            expected = safe_url_string(url, "utf-8")
        except ValueError:
            expected = None
        try:
            got = _request_url(url)
        except ValueError:
            got = None
        if expected is not None and "://" in expected:
            assert got == expected, url
    assert 500 < taken < 15000  # the shortcut was exercised, and so was the full function


def test_a_url_without_a_scheme_is_refused_as_a_request_refuses_it() -> None:
    with pytest.raises(ValueError, match="Missing scheme"):
        Request("www.northnews.cn/x")
    with pytest.raises(ValueError, match="Missing scheme"):
        _request_url("www.northnews.cn/x")
