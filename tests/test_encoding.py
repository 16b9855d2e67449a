"""Bytes → text: GB labels as GB18030, undeclared GBK detected, lying headers overruled; and the
downloader middleware that applies it to Scrapy responses."""

from __future__ import annotations

import gzip

import pytest
from scrapy.http import HtmlResponse, Request, Response, TextResponse
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from northnews.crawl.downloadermiddlewares.encoding import EncodingMiddleware
from northnews.crawl.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from northnews.encoding import (
    decode,
    detect_encoding,
    header_charset,
    looks_mojibake,
    meta_charset,
    normalize_label,
    same_codec,
)

# 喆 and 镕 are outside GB2312: a strict gb2312 decoder fails on them.
TEXT = "正北方网：朱镕基、王喆，“内蒙古日报”报道。"
HEAD_GB2312 = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'


def page(head: str = "", text: str = TEXT) -> str:
    return f"<html><head>{head}<title>标题</title></head><body><p>{text}</p></body></html>"


def gbk(html: str) -> bytes:
    return html.encode("gbk")


@pytest.mark.parametrize(
    "label, codec",
    [
        ("gb2312", "gb18030"), ("GB2312", "gb18030"), ("gbk", "gb18030"), ("x-gbk", "gb18030"),
        ("cp936", "gb18030"), ("GB18030", "gb18030"), ("utf-8", "utf-8"), ("UTF8", "utf-8"),
        ("iso-8859-1", "cp1252"), ("us-ascii", "cp1252"), ("big5", "big5"), ("nonsense", None),
        ("", None), (None, None),
    ],
)
def test_normalize_label(label: str | None, codec: str | None) -> None:
    assert normalize_label(label) == codec


def test_header_and_meta_charset() -> None:
    assert header_charset("text/html; charset=GB2312") == "gb18030"
    assert header_charset(b'text/html;charset="utf-8"') == "utf-8"
    assert header_charset("text/html") is None
    assert meta_charset(gbk(page(HEAD_GB2312))) == "gb18030"
    assert meta_charset(b'<meta charset="utf-8">') == "utf-8"
    assert meta_charset(b"<?xml version='1.0' encoding='GBK'?><html/>") == "gb18030"
    assert meta_charset(b"<html><body>nothing</body></html>") is None


@pytest.mark.parametrize(
    "body, content_type, codec",
    [
        # gb2312 declared by <meta>: decoded as GB18030 so 喆/镕 survive.
        (gbk(page(HEAD_GB2312)), None, "gb18030"),
        (gbk(page(HEAD_GB2312)), "text/html", "gb18030"),
        # declared by the header only.
        (gbk(page()), "text/html; charset=gb2312", "gb18030"),
        # not declared at all.
        (gbk(page()), None, "gb18030"),
        (gbk(page()), "text/html", "gb18030"),
        # a header that lies: utf-8 over GBK bytes (Scrapy would produce U+FFFD).
        (gbk(page()), "text/html; charset=utf-8", "gb18030"),
        (gbk(page('<meta charset="utf-8">')), "text/html; charset=utf-8", "gb18030"),
        # a single-byte label over GBK bytes.
        (gbk(page()), "text/html; charset=iso-8859-1", "gb18030"),
        # a GB label over UTF-8 bytes (a template copied over): UTF-8.
        (page(HEAD_GB2312).encode("utf-8"), None, "utf-8"),
        (page().encode("utf-8"), "text/html; charset=gbk", "utf-8"),
        (page().encode("utf-8"), None, "utf-8"),
        # BOMs win.
        (b"\xef\xbb\xbf" + page().encode("utf-8"), "text/html; charset=gbk", "utf-8"),
        # English cp1252 stays cp1252, declared or not (its quotes would also decode as GBK).
        ("<p>caf\u00e9 \u201cquoted\u201d</p>".encode("cp1252"), "text/html; charset=iso-8859-1", "cp1252"),
        ("<p>\u201cQuoted,\u201d he said \u2014 caf\u00e9</p>".encode("cp1252"), None, "cp1252"),
        # ASCII: the declaration, else UTF-8.
        (b"<p>plain</p>", "text/html; charset=gbk", "gb18030"),
        (b"<p>plain</p>", None, "utf-8"),
    ],
)
def test_detect_encoding(body: bytes, content_type: str | None, codec: str) -> None:
    assert detect_encoding(body, content_type) == codec


@pytest.mark.parametrize("content_type", [None, "text/html", "text/html; charset=utf-8",
                                          "text/html; charset=gb2312", "text/html; charset=latin-1"])
def test_decode_gbk_never_gives_mojibake(content_type: str | None) -> None:
    text, _ = decode(gbk(page()), content_type)
    assert TEXT in text
    assert not looks_mojibake(text)


def test_decode_strips_bom_and_falls_back_without_raising() -> None:
    assert decode(b"\xef\xbb\xbfabc")[0] == "abc"
    broken = "内蒙古".encode() + b"\xff" + "日报".encode() * 20
    text, codec = decode(broken)
    assert codec == "utf-8" and "内蒙古" in text and text.count("\ufffd") == 1


@pytest.mark.parametrize(
    "text, bad",
    [
        (TEXT, False),
        ("Café naïve © 2015, 25°C", False),
        ("a\ufffdb", True),
        (TEXT.encode("utf-8").decode("cp1252", "replace"), True),
        (TEXT.encode("gbk").decode("latin-1"), True),
        (TEXT.encode("utf-8").decode("gbk", "replace"), True),
    ],
)
def test_looks_mojibake(text: str, bad: bool) -> None:
    assert looks_mojibake(text) is bad


# --- the middleware ------------------------------------------------------------------------------


@pytest.fixture
def middleware() -> EncodingMiddleware:
    crawler = get_crawler()
    crawler.stats.open_spider()
    return build_from_crawler(EncodingMiddleware, crawler)


def html_response(body: bytes, content_type: str | None) -> HtmlResponse:
    headers = {"Content-Type": content_type} if content_type else {}
    return HtmlResponse("http://www.northnews.cn/2015/0915/1.shtml", body=body, headers=headers)


def test_middleware_fixes_a_lying_utf8_header(middleware: EncodingMiddleware) -> None:
    response = html_response(gbk(page()), "text/html; charset=utf-8")
    assert "\ufffd" in response.text  # what Scrapy does on its own
    fixed = middleware.process_response(Request(response.url), response)
    assert fixed is not response
    assert isinstance(fixed, HtmlResponse)
    assert fixed.encoding == "gb18030"
    assert TEXT in fixed.text and "\ufffd" not in fixed.text
    assert fixed.body == response.body and fixed.url == response.url
    assert middleware.stats.get_value("northnews/encoding/redecoded") == 1


@pytest.mark.parametrize(
    "body, content_type, codec",
    [
        (gbk(page(HEAD_GB2312)), "text/html", "gb18030"),
        (gbk(page()), None, "gb18030"),
        (page().encode("utf-8"), "text/html; charset=utf-8", "utf-8"),
    ],
)
def test_middleware_decodes_right_responses_without_counting_a_repair(
    middleware: EncodingMiddleware, body: bytes, content_type: str | None, codec: str
) -> None:
    response = html_response(body, content_type)
    decoded = middleware.process_response(Request(response.url), response)
    assert same_codec(decoded.encoding, codec)
    assert TEXT in decoded.text and decoded.body == response.body
    assert middleware.stats.get_value("northnews/encoding/redecoded") is None


@pytest.fixture
def no_scrapy_guess(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scrapy's charset inference (w3lib + charset_normalizer) must not run at all."""
    def refuse(self: TextResponse) -> str:
        raise AssertionError(f"TextResponse inferred the encoding of {self.url}")

    monkeypatch.setattr(TextResponse, "_body_inferred_encoding", refuse)


@pytest.mark.parametrize(
    "body, content_type",
    [
        (gbk(page()), None),  # undeclared GBK: Scrapy would ask charset_normalizer
        (gbk(page()), "text/html"),
        (page(text="Hohhot 王喆").encode("gbk"), "text/html"),
        (page().encode("utf-8"), None),
        (gbk(page()), "text/html; charset=utf-8"),  # a lie
    ],
)
def test_middleware_never_lets_scrapy_guess(
    middleware: EncodingMiddleware, no_scrapy_guess: None, body: bytes, content_type: str | None
) -> None:
    decoded = middleware.process_response(Request("http://www.northnews.cn/1.shtml"), html_response(body, content_type))
    assert body.decode(decoded.encoding) in (decoded.text, decoded.text.lstrip("\ufeff"))
    assert not looks_mojibake(decoded.text)


def test_decompression_guesses_no_charset_on_compressed_bytes(no_scrapy_guess: None) -> None:
    """Scrapy 2.19's HttpCompressionMiddleware reads TextResponse.encoding of the gzip bytes
    (Response.replace evaluates every attribute); ours must not, and must decode as before."""
    crawler = get_crawler()
    crawler.stats.open_spider()
    decompress = build_from_crawler(HttpCompressionMiddleware, crawler)
    encoding_mw = build_from_crawler(EncodingMiddleware, crawler)
    body = gbk(page())
    request = Request("http://www.northnews.cn/2015/0915/1.shtml")
    compressed = HtmlResponse(request.url, body=gzip.compress(body), request=request,
                              headers={"Content-Type": "text/html", "Content-Encoding": "gzip"})
    plain = decompress.process_response(request, compressed)
    assert isinstance(plain, HtmlResponse) and plain.body == body
    assert b"Content-Encoding" not in plain.headers
    decoded = encoding_mw.process_response(request, plain)
    assert decoded.encoding == "gb18030" and TEXT in decoded.text
    assert crawler.stats.get_value("httpcompression/response_count") == 1
    head = Request(request.url, method="HEAD")
    assert decompress.process_response(head, compressed) is compressed


def test_middleware_ignores_binary_and_empty_responses(middleware: EncodingMiddleware) -> None:
    image = Response("http://upload.northnews.cn/1.jpg", body=b"\xff\xd8\xff\xe0" + bytes(range(256)))
    assert middleware.process_response(Request(image.url), image) is image
    empty = TextResponse("http://www.northnews.cn/", body=b"", encoding="utf-8")
    assert middleware.process_response(Request(empty.url), empty) is empty
    robots = TextResponse("http://www.northnews.cn/robots.txt", body=b"User-agent: *\nDisallow: /search/\n",
                          headers={"Content-Type": "text/plain; charset=gbk"})
    assert middleware.process_response(Request(robots.url), robots) is robots
    assert middleware.stats.get_value("northnews/encoding/redecoded") is None


def test_middleware_fixes_undeclared_gbk_that_scrapy_reads_as_cp1250(middleware) -> None:
    """The portal's English pages carry little Chinese: Scrapy's guess is a Central European codec."""
    body = page(text="Hohhot, Sept. 18 (Xinhua) -- 王喆 reports.").encode("gbk")
    response = html_response(body, "text/html")
    fixed = middleware.process_response(Request(response.url), response)
    assert fixed.encoding == "gb18030"
    assert "王喆" in fixed.text and not looks_mojibake(fixed.text)
