"""Discovery benchmark: the cost of one list page with many links (issue 17: "a list page with
10,000 links in well under a second").

    .venv/bin/python -m benchmarks.discovery [--links 10000] [--repeat 5]

Builds a list page of N distinct article links (each in a ``<li>`` with its printed date, as
northnews.cn's lists print them), plus the site's menu, and times what the spider does with a list
page: parse the HTML once (lxml), then :func:`northnews.discovery.page_links` (resolve, canonicalise,
classify, reduce each article link to its first page), without and with the list-entry dates that
``-a since`` asks for, and the next list page. Caches are cleared before each run: every link is
new, as on a crawl's first visit. Prints the median of ``--repeat`` runs for the shipped northnews
profile (three article rules, ``query = ["page"]``), the same profile as 0.2.0 shipped it (rules
over the path only) and a profile whose rules see the query (``noise`` declared).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from northnews import discovery
from northnews.pages import parse_html
from northnews.sites import load_site

ROOT = Path(__file__).resolve().parents[1]
QUERY_PROFILE = """
[site]
name = "bench"
timezone = "Asia/Shanghai"
allowed_domains = ["northnews.cn"]
[editions.zh]
start_url = "http://www.northnews.cn/"
[urls]
article = ['/(?P<ym>\\d{4,6})/(?P<md>\\d{2,4})/(?P<id>\\d+)(?P<paged>_(?P<page>\\d+))?\\.s?html?$', '^/p/(?P<id>\\d+)(?:\\.html)?$']
list = '(?:/|/(?:index|list|default)(?P<paged>_(?P<page>\\d+))?\\.s?html?)$'
noise = ["utm_*", "from", "spm"]
[urls.same_article]
"m.northnews.cn" = "https://www.northnews.cn/p/{id}"
"""


def list_page(n: int) -> str:
    menu = "".join(f'<a href="/news/s{i}/">栏目{i}</a>' for i in range(40))
    rows = []
    for i in range(n):
        day = 1 + i % 28
        if i % 3 == 0:
            href = f"/2015/09{day:02d}/{2_000_000 + i}.shtml"
        elif i % 3 == 1:
            href = f"http://www.northnews.cn/201509/{day:02d}/{2_000_000 + i}.html?from=rss"
        else:
            href = f"https://m.northnews.cn/p/{2_500_000 + i}.html"
        rows.append(f'<li><a href="{href}" target="_blank">第{i}条新闻标题</a><span>2015-09-{day:02d}</span></li>')
    pager = '<div class="page"><a href="index_2.shtml">2</a><a href="index_3.shtml">3</a></div>'
    return (f"<html><head><title>国内</title></head><body><div class='nav'>{menu}</div>"
            f"<ul class='list'>{''.join(rows)}</ul>{pager}</body></html>")


def clear_caches() -> None:
    discovery._absolute.cache_clear()  # noqa: SLF001 - a benchmark measures the cold path
    discovery._kind_and_url.cache_clear()  # noqa: SLF001


def run(site_name: str, site, html: str, repeat: int) -> None:  # noqa: ANN001
    url = "http://www.northnews.cn/news/guonei/"
    timings: dict[str, list[float]] = {"parse": [], "links": [], "links+dates": [], "next page": []}
    count = 0
    for _ in range(repeat):
        clear_caches()
        t0 = time.perf_counter()
        root = parse_html(html)
        t1 = time.perf_counter()
        links = discovery.page_links(root, url, site, dates=False)
        t2 = time.perf_counter()
        clear_caches()
        t3 = time.perf_counter()
        dated = discovery.page_links(root, url, site, dates=True)
        t4 = time.perf_counter()
        discovery.next_list_page(url, links, site)
        t5 = time.perf_counter()
        timings["parse"].append(t1 - t0)
        timings["links"].append(t2 - t1)
        timings["links+dates"].append(t4 - t3)
        timings["next page"].append(t5 - t4)
        count = sum(link.kind is discovery.Kind.ARTICLE for link in links)
        assert len(dated) == len(links)
    cells = "  ".join(f"{k} {statistics.median(v) * 1000:7.1f} ms" for k, v in timings.items())
    print(f"{site_name:<22} {count:>6} articles  {cells}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    html = list_page(args.links)
    print(f"one list page, {args.links} article links, {len(html) // 1024} KiB; median of {args.repeat} runs, cold caches")
    run("northnews profile", load_site("northnews"), html, args.repeat)
    run("northnews as of 0.2.0", load_site(ROOT / "tests" / "fixtures" / "profiles_0_2_0" / "northnews" / "site.toml"),
        html, args.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "site.toml"
        path.write_text(QUERY_PROFILE, encoding="utf-8")
        run("query model (noise)", load_site(path), html, args.repeat)


if __name__ == "__main__":
    main()
