"""northnews.pages.stitch (one article from its pages) and the spider's one parse per page."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from northnews import settings
from northnews.encoding import decode
from northnews.items import ArticleItem
from northnews.pages import ArticlePage, parse_article, parse_html, stitch
from northnews.sites import load_site
from northnews.spiders.articles import ArticlesSpider

NN = load_site("northnews")
PORTAL = Path(__file__).resolve().parent / "fixtures" / "portal"
# A split article of the fixture portal (3 pages) and a single-page one.
SPLIT = "http://www.northnews.cn/2015/0915/2049381.shtml"


def test_item_fields_are_the_feed_order_and_the_item_contract() -> None:
    assert list(stitch.ITEM_FIELDS) == settings.FEED_EXPORT_FIELDS
    assert set(stitch.ITEM_FIELDS) == set(ArticleItem.fields)


def test_build_item_fills_every_field_in_order_with_the_capture() -> None:
    page = ArticlePage(template="l-cont", title="标题", date="2015-09-15 15:21", paragraphs=["一", "二"])
    capture = {"fetched_at": "2026-11-28T11:20:00Z", "warc": {"file": "a.warc.gz", "offset": 7, "record_id": "<x>"}}
    item, problems = stitch.build_item([page], "http://www.northnews.cn/2015/0915/1.shtml", NN, capture)
    assert list(item) == list(stitch.ITEM_FIELDS)
    assert item["url"] == "http://www.northnews.cn/2015/0915/1.shtml"
    assert (item["site"], item["edition"]) == ("northnews", "zh")
    assert item["fetched_at"] == "2026-11-28T11:20:00Z" and item["warc"]["offset"] == 7
    assert item["published"] == "2015-09-15T15:21:00+08:00"
    assert item["body"] == "一\n\n二"
    assert problems == []


def test_build_item_reports_problems_and_stamps_now_without_a_capture() -> None:
    page = ArticlePage(template="generic", title="t", date="2015-09-16 10:00", paragraphs=["x"])
    item, problems = stitch.build_item([page], "http://www.northnews.cn/2015/0915/1.shtml", NN)
    assert problems == ["generic_template", "date_url_mismatch"]
    assert item["fetched_at"].endswith("Z") and item["warc"] is None


def test_pager_urls_are_asked_for_once_in_order() -> None:
    first = ArticlePage(template="l-cont", page_urls=["u1", "u2", "u3"])
    assert stitch.other_pages(first, "u1") == ["u2", "u3"]
    third = ArticlePage(template="l-cont", page_urls=["u1", "u2", "u3", "u4"])
    assert stitch.more_pages(third, "u3", ["u1", "u2"]) == ["u4"]


def _response(url: str, body: bytes, meta: dict) -> HtmlResponse:
    return HtmlResponse(url=url, body=body, encoding="gb18030" if b"gb2312" in body[:2048].lower() else "utf-8",
                        request=Request(url, meta=meta))


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every lxml document parse (our parser's and parsel's both go through etree.fromstring)."""
    calls: list[int] = []
    real = etree.fromstring

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(etree, "fromstring", counting)
    return calls


def _spider(**args: str) -> ArticlesSpider:
    crawler = get_crawler(ArticlesSpider, settings_dict={"FEEDS": {"x.jsonl": {"format": "jsonlines"}}, "NORTHNEWS_SITE": "northnews"})
    spider = ArticlesSpider.from_crawler(crawler, **args)
    crawler.stats.open_spider()
    return spider


@pytest.mark.parametrize("since", [None, "2015-01-01"])
def test_an_article_page_is_parsed_once_for_its_fields_and_its_links(parses: list[int], since: str | None) -> None:
    spider = _spider(**({"since": since} if since else {}))
    path = PORTAL / "www.northnews.cn" / "2015" / "0915" / "2049381.shtml"
    response = _response(SPLIT, path.read_bytes(), {"northnews_page": "article"})
    out = list(spider.parse_article(response))
    assert len(parses) == 1
    requests = [r for r in out if isinstance(r, Request)]
    # Its related articles were read from that one tree, and its page 2 asked for.
    assert any(r.meta.get("northnews_page") == "article" for r in requests)
    assert any(r.url.endswith("2049381_2.shtml") for r in requests)


def test_a_list_page_is_parsed_once(parses: list[int]) -> None:
    spider = _spider()
    path = PORTAL / "www.northnews.cn" / "news" / "nmgnews" / "index.html"
    response = _response("http://www.northnews.cn/news/nmgnews/", path.read_bytes(), {"northnews_page": "list"})
    out = list(spider.parse_listing(response))
    assert len(parses) == 1
    assert any(r.meta.get("northnews_page") == "article" for r in out)


def test_the_shared_tree_gives_what_a_fresh_parse_gives() -> None:
    html = decode((PORTAL / "www.northnews.cn" / "2015" / "0915" / "2049381.shtml").read_bytes())[0]
    root = parse_html(html)
    before = etree.tostring(root)
    assert parse_article(None, SPLIT, NN, root=root) == parse_article(html, SPLIT, NN)
    assert etree.tostring(root) == before  # the parsers never modify the tree they are given


def test_page_requisites_read_the_same_tree(parses: list[int]) -> None:
    from northnews.crawl.pipelines.requisites import page_requisites

    spider = _spider()
    path = PORTAL / "www.northnews.cn" / "2015" / "0915" / "2049381.shtml"
    response = _response(SPLIT, path.read_bytes(), {"northnews_page": "article"})
    requisites = page_requisites(response, images=True)
    list(spider.parse_article(response))
    assert len(parses) == 1
    assert any(r.kind == "image" for r in requisites) and any(r.kind == "stylesheet" for r in requisites)
