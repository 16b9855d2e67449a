"""ValidatePipeline: invalid articles are quarantined with a trace, valid ones pass untouched."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from northnews.crawl.pipelines.validate import ValidatePipeline, reject_reasons
from northnews.items import ArticleItem


def article(**overrides: object) -> ArticleItem:
    fields = {
        "url": "http://www.northnews.cn/2015/0915/2049381.shtml",
        "title": "标题",
        "body": "正文。",
        "published": "2015-09-15T15:21:00+08:00",
        "template": "l-cont",
    }
    fields.update(overrides)
    return ArticleItem(**fields)


@pytest.fixture
def crawler(tmp_path: Path):
    crawler = get_crawler(settings_dict={"NORTHNEWS_ARCHIVE_DIR": str(tmp_path / "archive")})
    crawler.stats.open_spider()  # a bare crawler's stats start closed
    return crawler


@pytest.fixture
def pipeline(crawler) -> ValidatePipeline:
    return build_from_crawler(ValidatePipeline, crawler)


def rejects(tmp_path: Path) -> list[dict]:
    path = tmp_path / "archive" / "rejects.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_valid_item_passes_unchanged(pipeline: ValidatePipeline, tmp_path: Path) -> None:
    item = article()
    assert pipeline.process_item(item) is item
    assert not (tmp_path / "archive" / "rejects.jsonl").exists()


@pytest.mark.parametrize(
    "overrides, reason",
    [
        ({"title": None}, "missing_title"),
        ({"title": "   "}, "missing_title"),
        ({"body": ""}, "missing_body"),
        ({"body": None}, "missing_body"),
        ({"published": None}, "missing_date"),
        ({"published": "not a date"}, "missing_date"),
    ],
)
def test_invalid_item_is_quarantined(
    pipeline: ValidatePipeline, crawler, tmp_path: Path, caplog, overrides: dict, reason: str
) -> None:
    item = article(**overrides)
    with caplog.at_level(logging.WARNING, logger="northnews.crawl.pipelines.validate"):
        with pytest.raises(DropItem):
            pipeline.process_item(item)
    [record] = rejects(tmp_path)
    assert record["reason"] == reason
    assert record["url"] == "http://www.northnews.cn/2015/0915/2049381.shtml"
    assert crawler.stats.get_value(f"northnews/rejected/{reason}") == 1
    assert any(
        r.levelno == logging.WARNING and reason in r.getMessage() and item["url"] in r.getMessage()
        for r in caplog.records
    )


def test_first_reason_is_counted_and_all_are_recorded(pipeline, crawler, tmp_path: Path) -> None:
    with pytest.raises(DropItem):
        pipeline.process_item(article(title="", body="", published=None))
    with pytest.raises(DropItem):
        pipeline.process_item(article(url="http://www.northnews.cn/2/1.shtml", published=None))
    first, second = rejects(tmp_path)
    assert first["reason"] == "missing_title"
    assert first["reasons"] == ["missing_title", "missing_body", "missing_date"]
    assert second["reason"] == "missing_date"
    assert second["url"] == "http://www.northnews.cn/2/1.shtml"
    assert crawler.stats.get_value("northnews/rejected/missing_title") == 1
    assert crawler.stats.get_value("northnews/rejected/missing_date") == 1
    assert crawler.stats.get_value("northnews/rejected/missing_body") is None


def test_rejects_are_appended_and_file_closed_on_spider_close(crawler, tmp_path: Path) -> None:
    for n in range(2):
        pipeline = build_from_crawler(ValidatePipeline, crawler)
        with pytest.raises(DropItem):
            pipeline.process_item(article(body="", url=f"http://www.northnews.cn/{n}.shtml"))
        pipeline.spider_closed(None)
        assert pipeline._file is None
    assert [r["url"] for r in rejects(tmp_path)] == [
        "http://www.northnews.cn/0.shtml",
        "http://www.northnews.cn/1.shtml",
    ]


def test_reject_reasons_accepts_dicts() -> None:
    assert reject_reasons({"title": "t", "body": "b", "published": "2015-09-15T15:21:00+08:00"}) == []
    assert reject_reasons({}) == ["missing_title", "missing_body", "missing_date"]


SPIDER = """
import scrapy

from northnews.items import ArticleItem

GOOD = {"title": "标题", "body": "正文。", "published": "2015-09-15T15:21:00+08:00"}


class Items(scrapy.Spider):
    name = "items"
    custom_settings = {"ITEM_PIPELINES": {"northnews.crawl.pipelines.validate.ValidatePipeline": 100}}

    async def start(self):
        yield ArticleItem(url="http://www.northnews.cn/good.shtml", **GOOD)
        yield ArticleItem(url="http://www.northnews.cn/bad.shtml", **{**GOOD, "published": None})
"""


def test_pipeline_in_a_real_crawl(tmp_path: Path) -> None:
    """Built by Scrapy from ITEM_PIPELINES in a real (offline) crawl run as a subprocess."""
    (tmp_path / "items_spider.py").write_text(SPIDER, "utf-8")
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "runspider", "items_spider.py", "-O", "out.jsonl",
         "-s", f"NORTHNEWS_ARCHIVE_DIR={tmp_path / 'archive'}", "-s", "TELNETCONSOLE_ENABLED=0"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    emitted = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text("utf-8").splitlines()]
    assert [i["url"] for i in emitted] == ["http://www.northnews.cn/good.shtml"]
    [record] = rejects(tmp_path)
    assert (record["url"], record["reason"]) == ("http://www.northnews.cn/bad.shtml", "missing_date")
    assert "'northnews/rejected/missing_date': 1" in result.stderr
    assert "WARNING: Rejected http://www.northnews.cn/bad.shtml: missing_date" in result.stderr


def test_the_store_pipeline_hands_the_store_what_asdict_gives() -> None:
    from dataclasses import dataclass

    from itemadapter import ItemAdapter

    from northnews.crawl.pipelines.store import plain
    from northnews.items import ArticleItem

    @dataclass
    class Nested:
        name: str

    item = ArticleItem(url="http://www.northnews.cn/a.shtml", title="标题", page=2, body=None,
                       images=[{"url": "http://www.northnews.cn/i.jpg", "caption": None, "warc": {"offset": 3}}],
                       tags=("a", "b"), kicker=Nested("n"), subtitle=ArticleItem(title="t"))
    expected = ItemAdapter(item).asdict()
    assert plain(ItemAdapter(item)) == expected
    assert expected["kicker"] == {"name": "n"} and expected["subtitle"] == {"title": "t"}
    assert type(plain(ItemAdapter(item))["tags"]) is tuple
