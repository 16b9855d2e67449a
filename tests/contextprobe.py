"""Runs one crawl in this process and prints, as JSON, who loaded a site profile and how often.

``python -m tests.contextprobe ARCHIVE_DIR [-a NAME=VALUE]...`` (the portal through ``http_proxy``):
``load_site`` is wrapped before any northnews component is imported, so every call is counted by its
caller (``path/of/module.py:function``). Used by tests/test_context.py.
"""

from __future__ import annotations

import collections
import json
import sys
import traceback
from typing import Any

import northnews.sites
from northnews.sites import profile

calls: collections.Counter[str] = collections.Counter()
_load_site = profile.load_site


def counting_load_site(*args: Any, **kwargs: Any) -> Any:
    caller = traceback.extract_stack(limit=2)[0]
    calls[caller.filename.split("/northnews/", 1)[-1] + ":" + caller.name] += 1
    return _load_site(*args, **kwargs)


def main(argv: list[str]) -> None:
    profile.load_site = northnews.sites.load_site = counting_load_site  # type: ignore[assignment]
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("NORTHNEWS_ARCHIVE_DIR", argv[0], priority="cmdline")
    settings.set("LOG_LEVEL", "WARNING", priority="cmdline")
    options = argv[1:]
    spider_args = dict(pair.split("=", 1) for flag, pair in zip(options[::2], options[1::2], strict=True) if flag == "-a")
    process = CrawlerProcess(settings)
    process.crawl("articles", **spider_args)
    process.start()
    print(json.dumps(calls))


if __name__ == "__main__":
    main(sys.argv[1:])
