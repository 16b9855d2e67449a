"""Throughput cost of WARC writing: the same loopback crawl with and without ``WarcWriter``.

    make bench-warc    # = .venv/bin/python -m benchmarks.warc [--pages 2000] [--runs 3] [--levels 1,6,9] [--identity]

Serves N distinct ~20 KB HTML pages (non-repeating text, gzip-encoded on the wire, as the portal
does) from :mod:`tests.mockserver` and crawls them with a minimal spider through
``http_proxy``, ``CONCURRENT_REQUESTS=16``, no delay; reports pages/s (timed by the spider from
its start to its close), without WARC writing and with it at each gzip level. ``--identity``
serves the pages without gzip encoding, where the level matters. Runs alternate so drift
hits every variant alike. Not part of the test-suite (no timing assertions there).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.mockserver import MockPortal  # noqa: E402

SPIDER = textwrap.dedent(
    """
    import json, time, scrapy

    class Bench(scrapy.Spider):
        name = "bench"
        # Cookies off: Scrapy's cookie middleware would try to download the public suffix list.
        custom_settings = {"ROBOTSTXT_OBEY": False, "COOKIES_ENABLED": False}

        async def start(self):
            self.t0 = time.monotonic()
            yield scrapy.Request("http://bench.northnews.cn/index.html")

        def parse(self, response):
            for href in response.css("a::attr(href)").getall():
                yield response.follow(href, self.page)

        def page(self, response):
            yield {"title": response.css("title::text").get()}

        def closed(self, reason):
            s = self.crawler.stats.get_stats()
            out = {"pages": s.get("response_received_count", 0),
                   "seconds": time.monotonic() - self.t0}
            open(self.settings.get("BENCH_OUT"), "w").write(json.dumps(out))
    """
)


def make_site(root: Path, pages: int) -> None:
    rnd = random.Random(42)
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    site = root / "bench.northnews.cn"
    site.mkdir(parents=True)
    links = []
    for i in range(pages):
        paras = "".join(
            "<p>\u3000\u3000" + "".join(rnd.choice(chars) for _ in range(120)) + "</p>\n" for _ in range(50)
        )
        html = (
            f"<html><head><meta charset='utf-8'><title>page {i}</title></head><body>"
            f"<div class='nav'>{'<a href=/x.html>nav</a>' * 20}</div>{paras}</body></html>"
        )
        (site / f"{i}.html").write_text(html, encoding="utf-8")
        links.append(f"<a href='/{i}.html'>{i}</a>")
    (site / "index.html").write_text("<html><body>" + "\n".join(links) + "</body></html>")


def run(proxy: str, workdir: Path, spider: Path, warc_level: int | None) -> dict:
    out = workdir / f"out-{time.monotonic_ns()}.json"
    archive = Path(tempfile.mkdtemp(dir=workdir))
    cmd = [
        str(ROOT / ".venv/bin/scrapy"), "runspider", str(spider),
        "-s", "LOG_LEVEL=WARNING", "-s", "CONCURRENT_REQUESTS=16",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "DOWNLOAD_DELAY=0",
        "-s", "TELNETCONSOLE_ENABLED=False", "-s", f"BENCH_OUT={out}",
        "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}",
    ]
    if warc_level is not None:
        cmd += ["-s", 'EXTENSIONS={"northnews.archive.writer.WarcWriter": 100}',
                "-s", f"NORTHNEWS_WARC_GZIP_LEVEL={warc_level}"]
    env = dict(os.environ, http_proxy=proxy, https_proxy=proxy, PYTHONPATH=str(ROOT), SCRAPY_SETTINGS_MODULE="")
    env.pop("SCRAPY_SETTINGS_MODULE")
    subprocess.run(cmd, cwd=workdir, env=env, check=True)
    result = json.loads(out.read_text())
    result["warc_bytes"] = sum(p.stat().st_size for p in archive.rglob("*.warc.gz"))
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--levels", default="1,6,9")
    ap.add_argument("--identity", action="store_true", help="serve bodies without gzip encoding")
    args = ap.parse_args()
    levels = [int(x) for x in args.levels.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        make_site(work / "site", args.pages)
        spider = work / "bench_spider.py"
        spider.write_text(SPIDER)
        variants: list[int | None] = [None, *levels]
        results: dict[str, list[dict]] = {str(v): [] for v in variants}
        with MockPortal(work / "site", gzip=not args.identity, cookies=True) as srv:
            run(srv.proxy_url, work, spider, None)  # warm-up (imports, page cache)
            for _ in range(args.runs):
                for v in variants:
                    results[str(v)].append(run(srv.proxy_url, work, spider, v))
        base = None
        for v in variants:
            rs = results[str(v)]
            rates = sorted(r["pages"] / r["seconds"] for r in rs)
            median = rates[len(rates) // 2]
            base = base or median
            label = "no WARC" if v is None else f"WARC gzip level {v}"
            size = rs[0]["warc_bytes"]
            print(f"{label:20s} median {median:7.1f} pages/s  runs {', '.join(f'{r:.1f}' for r in rates)}"
                  f"  cost {100 * (1 - median / base):5.1f}%  warc {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
