"""The crawl's context (northnews.crawl.context): one per crawl, shared by every component; the
settings validated once, the site profile loaded once, the spider's arguments read once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from scrapy.utils.test import get_crawler

from northnews.config import ConfigError
from northnews.crawl.context import CrawlContext
from northnews.crawl.pipelines.requisites import RequisitesPipeline
from northnews.sites import load_site
from tests.conftest import PORTAL, REPO
from tests.mockserver import MockPortal


def test_one_context_per_crawler_which_the_components_read() -> None:
    crawler = get_crawler(settings_dict={
        "EXTENSIONS": {"northnews.crawl.context.CrawlContext": 0},
        "NORTHNEWS_REQUISITE_HOSTS": "cdn.example.org", "NORTHNEWS_ARCHIVE_DIR": "/srv/nn",
    })
    context = CrawlContext.of(crawler)
    assert crawler.get_extension(CrawlContext) is context and CrawlContext.of(crawler) is context
    assert context.site == load_site("northnews") and context.archive_dir == Path("/srv/nn")
    assert context.get("NORTHNEWS_REQUISITE_HOSTS") == ["cdn.example.org"]  # validated: a list
    assert context.get("NORTHNEWS_PROGRESS_INTERVAL") == 60.0  # not given: config's one default
    pipeline = RequisitesPipeline(crawler)
    assert pipeline.scope.reason("http://img.cdn.example.org/a.jpg") is None
    assert pipeline.scope.reason("http://elsewhere.example.net/a.jpg") == "offsite"


def test_a_context_asked_for_without_the_extension_is_still_one_per_crawler() -> None:
    crawler = get_crawler(settings_dict={"EXTENSIONS": {}, "EXTENSIONS_BASE": {}})
    assert crawler.get_extension(CrawlContext) is None
    assert CrawlContext.of(crawler) is CrawlContext.of(crawler)


def test_a_bad_setting_is_one_line_naming_it() -> None:
    crawler = get_crawler(settings_dict={"EXTENSIONS": {}, "NORTHNEWS_REQUISITES_MAX_PER_PAGE": "many"})
    with pytest.raises(ConfigError, match="NORTHNEWS_REQUISITES_MAX_PER_PAGE: expected an integer"):
        CrawlContext.of(crawler)


@pytest.mark.slow
def test_a_live_crawl_loads_the_site_profile_in_the_spider_only(tmp_path: Path) -> None:
    """Every component of a live crawl (store, requisites, incremental, drift...) takes the site from
    the context, which takes it from the spider: no component loads the profile again."""
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    with MockPortal(PORTAL) as server:
        env["http_proxy"] = server.proxy_url
        proc = subprocess.run([sys.executable, "-m", "tests.contextprobe", str(tmp_path / "archive"), "-a", "max_pages=1"],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
        assert server.requested_urls(), proc.stderr[-2000:]
    assert proc.returncode == 0, proc.stderr[-2000:]
    calls = json.loads(proc.stdout.strip().splitlines()[-1])
    assert calls.get("spiders/articles.py:parse_args") == 1, calls
    assert not [caller for caller in calls if caller.startswith("crawl/")], calls
