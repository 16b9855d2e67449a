"""Article pages read whole in worker processes (``NORTHNEWS_PARSE_WORKERS``,
:mod:`northnews.crawl.pageworker`): the crawl that never parses an article page on its reactor
thread archives and emits exactly what the crawl that does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from northnews.crawl.pagerequisites import requisites_of
from northnews.crawl.pageworker import read_whole
from northnews.discovery import page_links
from northnews.pages import parse_html
from northnews.sites import load_site
from tests.conftest import PORTAL, read_jsonl, run_crawl
from tests.mockserver import MockPortal

ARTICLE = PORTAL / "www.northnews.cn" / "2015" / "0916" / "2049502.shtml"
URL = "http://www.northnews.cn/2015/0916/2049502.shtml"


def test_a_page_read_in_a_worker_brings_what_the_spider_and_the_requisites_read_from_its_tree() -> None:
    body = ARTICLE.read_bytes()
    text = body.decode("gb18030")  # the portal's 2015 pages are GBK
    done = read_whole(URL, body, "text/html", text, "gb18030", "northnews", URL,
                      dates=False, requisites=True)
    assert done.read.verdict is None and done.read.page is not None and done.read.root is None
    root = parse_html(text)
    assert done.links == page_links(root, URL, load_site("northnews"), dates=False)
    assert done.requisites == requisites_of(root, URL, images=True)
    assert done.requisites and any(r.kind == "image" for r in done.requisites)


def test_a_page_that_is_no_article_brings_its_requisites_but_no_links() -> None:
    text = "<html><head><link rel=stylesheet href=/a.css></head><body>页面不存在</body></html>"
    done = read_whole(URL, text.encode("utf-8"), "text/html", text, "utf-8", "northnews", URL,
                      dates=False, requisites=True)
    assert done.read.verdict is not None and done.links is None
    assert [(r.url, r.kind) for r in done.requisites or []] == [("http://www.northnews.cn/a.css", "stylesheet")]


def _archived(archive: Path) -> list[str]:
    """Every URL the crawl archived (its CDXJ lines), sorted."""
    urls = []
    for index in (archive / "warc").glob("*.cdxj"):
        for line in index.read_text(encoding="utf-8").splitlines():
            urls.append(json.loads(line.split(" ", 2)[2])["url"])
    return sorted(urls)


@pytest.mark.slow
def test_a_live_crawl_with_page_workers_archives_and_emits_the_same(tmp_path: Path) -> None:
    def comparable(items: list[dict]) -> list[dict]:
        # Where each capture landed in the WARCs and when differs between two crawls.
        return sorted(({k: v for k, v in i.items() if k not in ("fetched_at", "warc")}
                       | {"images": [{k: v for k, v in im.items() if k not in ("warc", "fetched_at")}
                                     for im in i.get("images") or []]} for i in items), key=lambda i: i["url"])

    runs = {}
    with MockPortal(PORTAL) as server:
        for name, workers in (("inline", "0"), ("workers", "1")):
            runs[name] = run_crawl(tmp_path / name, "-s", f"NORTHNEWS_PARSE_WORKERS={workers}",
                                   env={"http_proxy": server.proxy_url})
    inline, workers = runs["inline"], runs["workers"]
    assert inline.returncode == 0 and workers.returncode == 0, workers.stderr[-3000:]
    assert inline.items and comparable(workers.items) == comparable(inline.items)
    assert _archived(tmp_path / "workers") == _archived(tmp_path / "inline")  # pages and requisites alike
    rejects = {name: sorted((r["url"], r["reason"]) for r in read_jsonl(tmp_path / name / "rejects.jsonl"))
               for name in runs}
    assert rejects["workers"] == rejects["inline"]
    assert "northnews/errors/parser" not in workers.stderr
