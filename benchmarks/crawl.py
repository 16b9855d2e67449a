"""Crawl throughput of the real ``articles`` spider, end to end.

    make bench-crawl    # = .venv/bin/python -m benchmarks.crawl [--articles 1500] [--runs 3]

Builds a larger portal in a temporary directory (:mod:`benchmarks.portal`: the bundled fixture
portal plus N synthetic articles in ten more sections), then times four crawls of it, each a
separate ``scrapy crawl articles`` process (``make bench`` runs these and more in one table):

* ``replay mirror``  — ``-a replay=<mirror>`` (no network, no WARC);
* ``live, no WARC``  — through a local server acting as the portal (gzip on the wire) via
  ``http_proxy``, ``NORTHNEWS_WARC_ENABLED=False``;
* ``live + WARC``    — the same with WARC capture (the default);
* ``replay WARC``    — ``-a replay=<archive of the previous crawl>``.

Live crawls run without politeness delays (``DOWNLOAD_DELAY=0``, AutoThrottle off) so the
figure is the crawler's own cost; a polite crawl of the real portal is bounded by its delays.
Pages/s counts every response (robots, lists, articles) over the crawl's own elapsed time
(Scrapy's ``elapsed_time_seconds``); the medians of ``--runs`` runs are printed as a table.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.portal import build_portal  # noqa: E402
from tests.mockserver import MockPortal  # noqa: E402

SCRAPY = Path(sys.executable).parent / "scrapy"


def crawl(archive: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, float]:
    cmd = [
        str(SCRAPY), "crawl", "articles", *args, "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}",
        "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "LOG_LEVEL=INFO",
        "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
    ]
    full_env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    full_env.update(env or {})
    proc = subprocess.run(cmd, cwd=ROOT, env=full_env, capture_output=True, text=True, check=True)
    def stat(name: str) -> float:
        m = re.search(rf"'{re.escape(name)}': ([\d.]+)", proc.stderr)
        return float(m.group(1)) if m else 0.0
    return {
        "pages": stat("response_received_count"),
        "items": stat("item_scraped_count"),
        "seconds": stat("elapsed_time_seconds"),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=1500)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    results: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        mirror = work / "portal"
        build_portal(mirror, args.articles)
        with MockPortal(mirror, gzip=True) as server:
            # https too: an https link must never be a direct connection or a DNS lookup.
            proxy = {"http_proxy": server.proxy_url, "https_proxy": server.proxy_url}
            for run in range(args.runs):
                base = work / f"run{run}"
                variants = {
                    "replay mirror": (base / "a", ["-a", f"replay={mirror}"], None),
                    "live, no WARC": (base / "b", ["-s", "NORTHNEWS_WARC_ENABLED=False"], proxy),
                    "live + WARC": (base / "c", [], proxy),
                    "replay WARC": (base / "d", ["-a", f"replay={base / 'c'}"], None),
                }
                for name, (archive, extra, env) in variants.items():
                    results.setdefault(name, []).append(crawl(archive, *extra, env=env))
    print(f"Crawl benchmark: fixture portal + {args.articles} synthetic articles, median of {args.runs} runs\n")
    print("| crawl          | responses | items | seconds | pages/s |")
    print("| -------------- | ---------:| -----:| -------:| -------:|")
    for name, runs in results.items():
        secs = statistics.median(r["seconds"] for r in runs)
        pages = statistics.median(r["pages"] for r in runs)
        items = statistics.median(r["items"] for r in runs)
        print(f"| {name:14s} | {pages:9.0f} | {items:5.0f} | {secs:7.2f} | {pages / secs:7.1f} |")


if __name__ == "__main__":
    main()
