"""Naming what a fetch gave when it was not an article page (northnews.pagecheck)."""

from __future__ import annotations

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectionRefusedError as TxRefused
from twisted.python.failure import Failure

from northnews.pagecheck import body_verdict, failure_verdict, page_verdict
from northnews.pages import parse_html
from tests.faultserver import MAINTENANCE, SOFT_404, SOFT_404_EN, png_bytes

ARTICLE = "<p>" + "内蒙古自治区今年粮食产量再创新高，各地秋收工作有序推进。" * 4 + "</p>"


def verdict(html: str | bytes, paragraphs: int = 0) -> str | None:
    found = page_verdict(parse_html(html), paragraphs)
    return found.reason if found else None


@pytest.mark.parametrize(
    ("body", "content_type", "text", "reason"),
    [
        (b"", "text/html", True, "empty"),
        (b"  \r\n ", "text/html", True, "empty"),
        (png_bytes(), "text/html", True, "not_html"),
        (b"%PDF-1.4 ...", "text/html", True, "not_html"),
        (b"\x00\x01\x00\x02" * 100, "text/html", True, "not_html"),
        (b"GIF89a....", "image/gif", False, "not_html"),
        (b"<html><body><p>ok</p></body></html>", "text/html", True, None),
    ],
)
def test_body_verdicts(body: bytes, content_type: str, text: bool, reason: str | None) -> None:
    found = body_verdict(body, content_type, text)
    assert (found.reason if found else None) == reason


def test_error_and_maintenance_pages_are_named() -> None:
    assert verdict(SOFT_404, 1) == "soft_404"
    assert verdict(SOFT_404_EN) == "soft_404"
    assert verdict(MAINTENANCE, 1) == "maintenance"
    assert verdict("<html><body><div>对不起，该文章不存在！</div></body></html>") == "soft_404"
    assert verdict("<html><body><div> </div></body></html>") == "soft_404"  # a page with no text at all


def test_articles_that_merely_mention_the_words_are_articles() -> None:
    long_headline = "<html><head><title>Missing herder still not found after three days of searching the grassland</title>" \
                    f"</head><body><h1>Missing herder still not found after three days of searching</h1>{ARTICLE}</body></html>"
    assert verdict(long_headline, 1) is None
    upgrade = f"<html><head><title>系统升级</title></head><body><h1>系统升级</h1>{ARTICLE * 3}</body></html>"
    assert verdict(upgrade, 3) is None  # a headline of a real story with its paragraphs
    assert verdict(f"<html><body><h1>呼和浩特地铁1号线开工</h1>{ARTICLE}</body></html>", 1) is None


def failure(exc: BaseException) -> Failure:
    f = Failure(exc)
    f.request = Request("http://www.northnews.cn/2015/0915/1.shtml")  # type: ignore[attr-defined]
    return f


def test_failures_are_named_and_deliberate_skips_are_not() -> None:
    from scrapy.exceptions import DownloadFailedError, DownloadTimeoutError

    request = Request("http://www.northnews.cn/2015/0915/1.shtml")
    assert failure_verdict(failure(HttpError(Response(request.url, status=503, request=request)))).reason == "http_503"
    assert failure_verdict(failure(DownloadTimeoutError("Getting x took longer than 1.0 seconds."))).reason == "timeout"
    assert failure_verdict(failure(DownloadFailedError("Connection was closed cleanly."))).reason == "connection"
    assert failure_verdict(failure(TxRefused())).reason == "connection"
    big = IgnoreRequest("Ignored response because its body exceeded DOWNLOAD_MAXSIZE (67108864 B) during decompression.")
    assert failure_verdict(failure(big)).reason == "too_large"
    assert failure_verdict(failure(IgnoreRequest("Forbidden by robots.txt"))) is None
    assert failure_verdict(failure(ValueError("odd"))).reason == "download_error"
