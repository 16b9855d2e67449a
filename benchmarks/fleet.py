"""The fleet on this machine: 1, 2 and 4 workers over M generated portals, each with a politeness delay.

    .venv/bin/python -m benchmarks.fleet [--portals 8] [--delay 0.25] [--workers 1,2,4] [--kill]

Portals are copies of the yunhe fixture under their own host names (``www.yunhe03news.cn`` …) with
their own profile (``-a site=PATH.toml``), served by one local server (tests/mockserver.py, through
``http_proxy``) that logs the time of every request. A throw-away PostgreSQL cluster holds the store
and the job tables (tests/pgserver.py). Each worker count gets a fresh database; every portal is
queued once (``northnews-fleet crawl``); each worker runs ``--concurrency`` crawls at a time.

Printed (a Markdown table, copied into the README):

* pages/s: every request the server answered / wall time from the first job queued to the last done;
* per-host rate: the most requests one host got in any 10-second window, against what the delay
  allows (10/DELAY + 1, the fence post), and the shortest gap between two arrivals at one host
  (``DOWNLOAD_DELAY`` with ``RANDOMIZE_DOWNLOAD_DELAY`` off spaces the *sending*; arrivals jitter by
  the proxy's connection set-up, so a single gap may be shorter while the rate is not higher);
* CPU per page: user+system CPU of the workers and everything they ran (cron, Scrapy), reaped, per
  request answered; the PostgreSQL server's and the test server's CPU are not in it.

``--kill``: one more run with 2 workers, one of them SIGKILLed with its children a third of the way
in and a fresh one started: articles lost (expected but not stored) and stored twice are counted.
It asserts nothing; it prints.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlsplit

from tests.conftest import FIXTURES, REPO, read_jsonl
from tests.fleetkit import fleet, jobs, kill_tree, live_workers, sql, start_worker, stop, wait_for
from tests.mockserver import MockPortal
from tests.pgserver import PgCluster

YUNHE = FIXTURES / "sites" / "yunhe"
PROFILE = REPO / "northnews" / "sites" / "yunhe" / "site.toml"


def make_portals(dest: Path, count: int) -> tuple[Path, list[Path], dict[str, set[str]]]:
    """``count`` copies of the yunhe mirror and profile under new host names; expected article URLs."""
    mirror, profiles = dest / "mirror", dest / "profiles"
    profiles.mkdir(parents=True)
    expected = [i["url"] for i in read_jsonl(YUNHE / "expected" / "items.jsonl")]
    paths, want = [], {}
    for k in range(count):
        new = f"yunhe{k:02d}news"
        for src in (YUNHE / "mirror").rglob("*"):
            if src.is_file():
                rel = Path(str(src.relative_to(YUNHE / "mirror")).replace("yunhenews", new))
                out = mirror / rel
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(src.read_bytes().replace(b"yunhenews", new.encode()))
        toml = PROFILE.read_text(encoding="utf-8").replace("yunhenews", new).replace('name = "yunhe"', f'name = "yunhe{k:02d}"')
        path = profiles / f"yunhe{k:02d}.toml"
        path.write_text(toml, encoding="utf-8")
        paths.append(path)
        want[f"yunhe{k:02d}"] = {u.replace("yunhenews", new) for u in expected}
    return mirror, paths, want


class Clocked:
    """The server's log with times: (monotonic time, host) of every request."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hits: list[tuple[float, str]] = []

    def __call__(self, url: str) -> None:
        with self.lock:
            self.hits.append((time.monotonic(), urlsplit(url).hostname or ""))
        return None

    def per_host(self, since: float, window: float = 10.0) -> tuple[float, float]:
        """(most requests to one host in any ``window`` seconds, shortest gap between two to one host)."""
        by: dict[str, list[float]] = defaultdict(list)
        with self.lock:
            for t, host in self.hits:
                if t >= since:
                    by[host].append(t)
        most, gap = 0, float("inf")
        for times in by.values():
            times.sort()
            j = 0
            for i, t in enumerate(times):
                while times[j] < t - window:
                    j += 1
                most = max(most, i - j + 1)
                if i:
                    gap = min(gap, t - times[i - 1])
        return most, gap


def cpu_children() -> float:
    use = resource.getrusage(resource.RUSAGE_CHILDREN)
    return use.ru_utime + use.ru_stime


def one_run(cluster: PgCluster, tmp: Path, server: MockPortal, clock: Clocked, profiles: list[Path],
            want: dict[str, set[str]], workers: int, args: argparse.Namespace, kill: bool = False) -> dict:
    url = cluster.create_database(f"bench_{workers}_{int(kill)}_{int(time.time())}")
    root = tmp / f"root-{workers}-{int(kill)}"
    settings = ["AUTOTHROTTLE_ENABLED=False", f"DOWNLOAD_DELAY={args.delay}", "RANDOMIZE_DOWNLOAD_DELAY=False",
                "CONCURRENT_REQUESTS_PER_DOMAIN=1", "LOG_LEVEL=INFO"]
    cpu0 = cpu_children()
    procs = [start_worker(url, f"b{i}", root, server.proxy_url, tmp / f"b{i}-{workers}-{int(kill)}.log",
                          settings=settings, concurrency=args.concurrency) for i in range(workers)]
    wait_for(lambda: live_workers(url) == workers, 120, what="workers")
    start = time.monotonic()
    served0 = len(clock.hits)
    for profile in profiles:
        fleet(url, "crawl", str(profile))
    done = lambda: len(jobs(url)) == len(profiles) and all(j[3] in ("succeeded", "failed") for j in jobs(url))  # noqa: E731
    if kill:
        total = sum(len(w) for w in want.values())
        wait_for(lambda: sql(url, "SELECT count(*) FROM articles")[0][0] >= total // 3, 900, what="a third stored")
        kill_tree(procs[0])
        procs[0] = start_worker(url, "b_heir", root, server.proxy_url, tmp / "b_heir.log", settings=settings,
                                concurrency=args.concurrency)
    wait_for(done, 3600, every=0.5, what="every crawl job")
    seconds = time.monotonic() - start
    pages = len(clock.hits) - served0
    most, gap = clock.per_host(start)
    for p in procs:
        stop(p)
    cpu = cpu_children() - cpu0
    stored = defaultdict(set)
    for site, u in sql(url, "SELECT site, url FROM articles"):
        stored[site].add(u)
    lost = sum(len(w - stored[s]) for s, w in want.items())
    twice = sql(url, "SELECT count(*) FROM (SELECT url FROM article_versions GROUP BY url HAVING count(*) > 1) d")[0][0]
    twice += sql(url, "SELECT count(*) FROM (SELECT url FROM article_captures WHERE outcome = 'new'"
                      " GROUP BY url HAVING count(*) > 1) d")[0][0]
    failed = sum(1 for j in jobs(url) if j[3] != "succeeded")
    return {"workers": workers, "seconds": seconds, "pages": pages, "pps": pages / seconds, "most": most,
            "gap": gap, "cpu_ms": 1000 * cpu / max(pages, 1), "lost": lost, "twice": twice, "failed": failed,
            "articles": sum(len(s) for s in stored.values())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--portals", type=int, default=8)
    parser.add_argument("--delay", type=float, default=0.25, help="DOWNLOAD_DELAY, seconds (per host)")
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--concurrency", type=int, default=1, help="crawls at a time per worker")
    parser.add_argument("--kill", action="store_true", help="also a 2-worker run with one worker killed")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="northnews-fleet-bench-"))
    pg_root = Path(tempfile.mkdtemp(prefix="northnews-pg-"))
    pg_root.chmod(0o755)
    cluster = PgCluster(pg_root)
    cluster.start()
    rows = []
    try:
        mirror, profiles, want = make_portals(tmp, args.portals)
        clock = Clocked()
        with MockPortal(mirror, override=clock) as server:
            for n in [int(x) for x in args.workers.split(",")]:
                rows.append(one_run(cluster, tmp, server, clock, profiles, want, n, args))
                print(rows[-1], flush=True)
            if args.kill:
                rows.append(one_run(cluster, tmp, server, clock, profiles, want, 2, args, kill=True))
                print(rows[-1], flush=True)
    finally:
        cluster.stop()
        shutil.rmtree(pg_root, ignore_errors=True)
    limit = 1 / args.delay
    print(f"\n{args.portals} portals, DOWNLOAD_DELAY {args.delay} s (at most {limit:g} requests/s per host),"
          f" {args.concurrency} crawl(s) at a time per worker\n")
    print(f"| workers | wall s | pages | pages/s | most requests to one host in 10 s (allowed {10 / args.delay + 1:g})"
          " | shortest gap, s |"
          " CPU ms/page | articles stored | lost | stored twice | jobs failed |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for i, r in enumerate(rows):
        label = f"{r['workers']}" + (" (one killed)" if args.kill and i == len(rows) - 1 else "")
        print(f"| {label} | {r['seconds']:.1f} | {r['pages']} | {r['pps']:.1f} | {r['most']} | {r['gap']:.3f} |"
              f" {r['cpu_ms']:.1f} | {r['articles']} | {r['lost']} | {r['twice']} | {r['failed']} |")
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
