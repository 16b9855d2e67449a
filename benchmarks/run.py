"""``make bench``: every speed and scale figure of the README in one run, side by side.

    .venv/bin/python -m benchmarks.run                 # full: 1k rows x3, 10k and 50k rows x1 (~30 min on 2 cores)
    .venv/bin/python -m benchmarks.run --quick         # 300 articles, one run each, no baseline (~2 min)
    .venv/bin/python -m benchmarks.run --sizes 1000,10000,50000 --runs 3 --baseline 5a307f9

On a generated portal (:mod:`benchmarks.portal`: the fixture portal plus N synthetic articles)
served by a keep-alive server in its own process (:mod:`benchmarks.server`, whose CPU share is
shown), each crawl a separate ``scrapy crawl articles`` process through ``http_proxy``, without
politeness delays (``DOWNLOAD_DELAY=0``, AutoThrottle off, 16 concurrent requests): the crawler's
own cost. Rows, at the first size: live crawl with WARC on/off over gzip and plain bodies, and with
the WARC writer on its thread (``NORTHNEWS_WARC_QUEUE_BYTES=16777216``; the default writes inline);
with article pages read in a worker process (``NORTHNEWS_PARSE_WORKERS=1``), WARC on (with and
without the writer thread) and off; the
same spider with stock Scrapy settings (:mod:`benchmarks.stock_settings`); a no-op spider
(:mod:`benchmarks.noop_spider`) requesting the URLs the live crawl fetched, with stock settings
and with our speed settings (:mod:`benchmarks.tuned_settings`): the engine's floor; the code of
``--baseline REV`` (default 5a307f9, the previous release, checked out with ``git worktree add``
into the work directory and removed afterwards) with WARC on and off; replay from the mirror and
from the WARCs; ``northnews-archive extract`` on 1 and 2 jobs; an incremental rerun of the
unchanged portal. At every size: live crawl (gzip, WARC on), the baseline's, the rerun, extract
on 2 jobs (peak RSS across sizes is the seen-sets' growth). Then extraction ms/page against
trafilatura (:mod:`benchmarks.extract`).

Figures are medians over ``--runs``. ``pages/s`` is responses over the crawl's own elapsed time
(Scrapy's ``elapsed_time_seconds``; for extract, article pages over its run time); ``CPU
ms/page`` is the process's user+system CPU (start-up included) per article page; ``RSS`` its peak
resident set; ``reactor CPU ms/resp`` the CPU time of the thread the reactor runs on per response
(:mod:`benchmarks.threadcpu`), which the load of a shared machine does not inflate as it does wall
time. The benchmark asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.portal import build_portal  # noqa: E402
from benchmarks.server import BenchServer  # noqa: E402

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16"]
# The add-on as a top-level module (benchmarks/ is on PYTHONPATH): the baseline's tree has its own
# ``benchmarks`` package, first on the path, without it.
ADDON = ["-s", 'ADDONS={"threadcpu.ReactorCPU": 0}']
BASELINE = "5a307f9"  # the previous release (main when issue 19 was taken)
FIXTURE_ARTICLE_PAGES = 56  # article pages of the bundled portal (tests/fixtures/expected/pages.jsonl)


@dataclass
class Result:
    responses: float = 0
    items: float = 0
    requests: float = 0
    seconds: float = 0  # the crawl's (or extraction's) own elapsed time
    cpu: float = 0  # user + system seconds of the process (and its workers)
    rss_mb: float = 0
    server_cpu: float = 0
    article_pages: float = 0
    pages_per_s: float = 0
    reactor_cpu: float = 0  # CPU seconds of the reactor thread (0: not measured)


@dataclass
class Row:
    name: str
    size: int
    runs: list[Result] = field(default_factory=list)

    def median(self, attr: str) -> float:
        values = [getattr(r, attr) for r in self.runs]
        return statistics.median(values) if values else 0.0


def _stat(log: str, name: str) -> float:
    m = re.search(rf"'{re.escape(name)}': ([\d.]+)", log)
    return float(m.group(1)) if m else 0.0


def _run(cmd: list[str], cwd: Path, env: dict[str, str], log: Path) -> tuple[str, float, float, float]:
    """Run ``cmd``; return its output, wall seconds, CPU seconds and peak RSS (MB)."""
    with open(log, "w") as fh:
        start = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
    text = log.read_text(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{text[-3000:]}")
    return text, wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def _env(code: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")}
    env["PYTHONPATH"] = os.pathsep.join([str(code), str(ROOT), str(ROOT / "benchmarks")])  # the add-on
    env.update(extra)
    return env


class Bench:
    def __init__(self, work: Path, code: Path, baseline: Path | None) -> None:
        self.work, self.code, self.baseline = work, code, baseline
        self.portals: dict[int, Path] = {}
        self.counter = 0

    def portal(self, size: int) -> Path:
        if size not in self.portals:
            dest = self.work / f"portal-{size}"
            build_portal(dest, size)
            self.portals[size] = dest
        return self.portals[size]

    def _log(self) -> Path:
        self.counter += 1
        return self.work / f"run-{self.counter:03d}.log"

    def crawl(self, size: int, archive: Path, *args: str, gzip: bool = True, live: bool = True,
              stock: bool = False, code: Path | None = None, noop: str = "") -> Result:
        """One crawl; ``noop="stock"`` or ``"tuned"``: the no-op spider on the URLs of ``archive``
        (a live crawl's) with those settings instead of ours."""
        code = code or self.code
        out = archive.parent / f"{archive.name}.jsonl"
        spider = ["crawl", "articles"]
        extra = {"SCRAPY_SETTINGS_MODULE": "benchmarks.stock_settings"} if stock else {}
        if noop:
            urls = archive.parent / f"{archive.name}-urls.txt"
            urls.write_text("".join(u + "\n" for u in fetched_urls(archive)), encoding="utf-8")
            spider = ["runspider", str(ROOT / "benchmarks" / "noop_spider.py"), "-a", f"urls={urls}"]
            extra["SCRAPY_SETTINGS_MODULE"] = f"benchmarks.{noop}_settings"
            out = archive.parent / f"{archive.name}-noop.jsonl"
        cmd = [sys.executable, "-m", "scrapy", *spider, *args, "-O", str(out),
               "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}", *FAST, *ADDON]
        server = BenchServer(self.portal(size), gzip=gzip) if live else None
        if server is not None:
            with server:
                extra["http_proxy"] = extra["https_proxy"] = server.proxy_url  # https too: never direct
                log, _, cpu, rss = _run(cmd, code, _env(code, **extra), self._log())
                server_cpu = server.cpu_seconds()
        else:
            log, _, cpu, rss = _run(cmd, code, _env(code, **extra), self._log())
            server_cpu = 0.0
        seconds = _stat(log, "elapsed_time_seconds")
        responses = _stat(log, "response_received_count")
        article_pages = size + FIXTURE_ARTICLE_PAGES
        return Result(
            responses=responses, items=_stat(log, "item_scraped_count"),
            requests=_stat(log, "downloader/request_count") or responses, seconds=seconds, cpu=cpu,
            rss_mb=rss, server_cpu=server_cpu, article_pages=article_pages,
            pages_per_s=responses / seconds if seconds else 0.0,
            reactor_cpu=_stat(log, "bench/reactor_cpu_seconds"),
        )

    def extract(self, archive: Path, jobs: int) -> Result:
        out = archive.parent / f"{archive.name}-extract-{jobs}.jsonl"
        cmd = [sys.executable, "-m", "northnews.ops.archive_cli", "-d", str(archive), "extract",
               "-o", str(out), "--jobs", str(jobs)]
        log, wall, cpu, rss = _run(cmd, self.code, _env(self.code), self._log())
        m = re.search(r"(\d+) items; (\d+) rejected; (\d+) articles; (\d+) pages; ([\d.]+) s", log)
        assert m, log
        items, pages, seconds = int(m[1]), int(m[4]), float(m[5])
        return Result(responses=pages, items=items, seconds=seconds, cpu=cpu, rss_mb=rss,
                      article_pages=pages, pages_per_s=pages / seconds if seconds else 0.0)


def fetched_urls(archive: Path) -> list[str]:
    """Every URL a live crawl got an answer for, in the order it was fetched (its CDXJ indexes)."""
    found: list[tuple[str, int, str]] = []
    for index in sorted((archive / "warc").glob("*.cdxj")):
        for line in index.read_text(encoding="utf-8").splitlines():
            fields = json.loads(line.split(" ", 2)[2])
            found.append((fields["filename"], int(fields["offset"]), fields["url"]))
    return list(dict.fromkeys(url for _, _, url in sorted(found)))


def machine() -> str:
    import lxml.etree
    import scrapy

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores ({platform.machine()}), Linux {platform.release()}, "
            f"Python {platform.python_version()}, Scrapy {scrapy.__version__}, "
            f"lxml {'.'.join(map(str, lxml.etree.LXML_VERSION))}; load average at start {load}; "
            "the machine is shared with other developers")


def plan(bench: Bench, sizes: list[int]) -> list[tuple[Row, Callable[[Path], Result]]]:
    """Every row and how to make one run of it (given a fresh directory)."""
    small = sizes[0]
    rows: list[tuple[Row, Callable[[Path], Result]]] = []
    state: dict[str, Path] = {}

    def live_ours(size: int) -> Callable[[Path], Result]:
        def go(d: Path) -> Result:
            state[f"warc-{size}"] = d / "archive"
            return bench.crawl(size, d / "archive")
        return go

    def rerun(size: int) -> Callable[[Path], Result]:
        return lambda d: bench.crawl(size, state[f"warc-{size}"])

    def add(name: str, size: int, run: Callable[[Path], Result]) -> None:
        rows.append((Row(name, size), run))

    add("live, gzip, WARC on (ours)", small, live_ours(small))
    add("incremental rerun (unchanged)", small, rerun(small))
    add("no-op spider, stock settings", small, lambda d: bench.crawl(small, state[f"warc-{small}"], noop="stock"))
    add("no-op spider, tuned settings", small, lambda d: bench.crawl(small, state[f"warc-{small}"], noop="tuned"))
    add("live, gzip, WARC off", small, lambda d: bench.crawl(small, d / "a", "-s", "NORTHNEWS_WARC_ENABLED=False"))
    add("live, gzip, WARC on, writer thread", small,
        lambda d: bench.crawl(small, d / "a", "-s", "NORTHNEWS_WARC_QUEUE_BYTES=16777216"))
    workers = ("-s", "NORTHNEWS_PARSE_WORKERS=1")
    thread = ("-s", "NORTHNEWS_WARC_QUEUE_BYTES=16777216")
    add("live, gzip, WARC on, page worker", small, lambda d: bench.crawl(small, d / "a", *workers))
    add("live, gzip, WARC on, page worker, writer thread", small, lambda d: bench.crawl(small, d / "a", *workers, *thread))
    add("live, gzip, WARC off, page worker", small,
        lambda d: bench.crawl(small, d / "a", *workers, "-s", "NORTHNEWS_WARC_ENABLED=False"))
    add("live, plain, WARC on", small, lambda d: bench.crawl(small, d / "a", gzip=False))
    add("live, plain, WARC off", small,
        lambda d: bench.crawl(small, d / "a", "-s", "NORTHNEWS_WARC_ENABLED=False", gzip=False))
    add("live, gzip, stock Scrapy settings", small, lambda d: bench.crawl(small, d / "a", stock=True))
    if bench.baseline is not None:
        add("live, gzip, WARC on (baseline)", small,
            lambda d: bench.crawl(small, d / "a", code=bench.baseline))
        add("live, gzip, WARC off (baseline)", small,
            lambda d: bench.crawl(small, d / "a", "-s", "NORTHNEWS_WARC_ENABLED=False", code=bench.baseline))
    add("replay mirror", small, lambda d: bench.crawl(small, d / "a", "-a", f"replay={bench.portal(small)}", live=False))
    add("replay WARC", small, lambda d: bench.crawl(small, d / "a", "-a", f"replay={state[f'warc-{small}']}", live=False))
    add("extract, 1 job", small, lambda d: bench.extract(state[f"warc-{small}"], 1))
    add("extract, 2 jobs", small, lambda d: bench.extract(state[f"warc-{small}"], 2))
    for size in sizes[1:]:
        add("live, gzip, WARC on (ours)", size, live_ours(size))
        if bench.baseline is not None:
            add("live, gzip, WARC on (baseline)", size,
                lambda d, s=size: bench.crawl(s, d / "a", code=bench.baseline))
        add("incremental rerun (unchanged)", size, rerun(size))
        add("extract, 2 jobs", size, lambda d, s=size: bench.extract(state[f"warc-{s}"], 2))
    return rows


def extraction_ms(repeat: int) -> tuple[float, float, int]:
    from benchmarks import extract

    articles = extract.load_articles()
    pages = sum(len(a.pages) for a in articles)
    for article in articles:  # warm-up: first calls compile patterns and load data
        extract.ours(article)
        extract.trafilatura_fields(article)
    t_ours = extract.timed(extract.ours, articles, repeat)
    t_traf = extract.timed(extract.trafilatura_fields, articles, max(1, repeat // 2))
    return 1000 * t_ours / pages, 1000 * t_traf / pages, pages


def export(rev: str, dest: Path, repo: Path = ROOT) -> Path | None:
    """A worktree of ``rev`` at ``dest`` (``git worktree add --detach``), to run the code a target
    compares with; :func:`unexport` removes it."""
    try:
        subprocess.run(["git", "-C", str(repo), "worktree", "add", "--detach", "--quiet", str(dest), rev],
                       capture_output=True, check=True, text=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"(no baseline: git worktree add {rev} failed: {getattr(exc, 'stderr', exc)})", file=sys.stderr)
        return None
    return dest


def unexport(dest: Path, repo: Path = ROOT) -> None:
    subprocess.run(["git", "-C", str(repo), "worktree", "remove", "--force", str(dest)], capture_output=True)
    subprocess.run(["git", "-C", str(repo), "worktree", "prune"], capture_output=True)


def table(rows: list[Row]) -> list[str]:
    out = ["| run | articles | responses | items | seconds | pages/s | CPU ms/article page | reactor CPU ms/resp "
           "| peak RSS MB | server CPU |",
           "| --- | ---:| ---:| ---:| ---:| ---:| ---:| ---:| ---:| ---:|"]
    for row in rows:
        if not row.runs:
            continue
        secs = row.median("seconds")
        server = row.median("server_cpu")
        share = f"{100 * server / secs:.0f}%" if server and secs else "-"
        cpu = row.median("cpu") / row.median("article_pages") * 1000 if row.median("article_pages") else 0
        reactor = row.median("reactor_cpu") / row.median("responses") * 1000 if row.median("reactor_cpu") else 0
        reactor_ms = f"{reactor:.2f}" if reactor else "-"
        out.append(f"| {row.name} | {row.size} | {row.median('responses'):.0f} | {row.median('items'):.0f} | "
                   f"{secs:.2f} | {row.median('pages_per_s'):.1f} | {cpu:.2f} | {reactor_ms} | "
                   f"{row.median('rss_mb'):.0f} | {share} |")
    return out


def targets(rows: list[Row], sizes: list[int], ms: tuple[float, float, int] | None) -> list[str]:
    def get(name: str, size: int | None = None) -> Row | None:
        return next((r for r in rows if r.name == name and (size is None or r.size == size) and r.runs), None)

    def rate(name: str, size: int | None = None) -> float:
        row = get(name, size)
        return row.median("pages_per_s") if row else float("nan")

    small, lines = sizes[0], []

    def check(label: str, value: float, goal: str, ok: bool) -> None:
        lines.append(f"| {label} | {value:.2f} | {goal} | {'met' if ok else 'MISSED'} |")

    lines += ["| target | measured | goal | |", "| --- | ---:| --- | --- |"]
    ours = rate("live, gzip, WARC on (ours)", small)
    big = sizes[-1]
    live_big = get("live, gzip, WARC on (ours)", big)
    if live_big and len(sizes) > 1:
        live_small = get("live, gzip, WARC on (ours)", small)
        assert live_small is not None
        marginal = (live_big.median("cpu") - live_small.median("cpu")) / (
            live_big.median("article_pages") - live_small.median("article_pages")) * 1000
        check(f"live CPU per article page, marginal {small}->{big} (ms)", marginal, "<= 6", marginal <= 6)
    if get("live, gzip, WARC on (baseline)"):
        value = ours / rate("live, gzip, WARC on (baseline)")
        check("live pages/s vs baseline (x)", value, ">= 2", value >= 2)
    value = rate("live, gzip, WARC off", small) / rate("live, gzip, stock Scrapy settings", small)
    check("our settings vs stock, WARC off (x)", value, ">= 1.3", value >= 1.3)
    value = ours / rate("live, gzip, stock Scrapy settings", small)
    check("our settings vs stock, WARC on (x)", value, ">= 1.3", value >= 1.3)
    def reactor(name: str, size: int = small) -> float:
        row = get(name, size)
        return row.median("reactor_cpu") / row.median("responses") if row and row.median("reactor_cpu") else float("nan")

    def seconds(name: str, size: int = small) -> float:
        row = get(name, size)
        return row.median("seconds") if row else float("nan")

    for floor in ("tuned", "stock"):
        noop = f"no-op spider, {floor} settings"
        if not get(noop):
            continue
        for live, label in (("live, gzip, WARC on (ours)", "live crawl"),
                            ("live, gzip, WARC on, page worker", "live crawl, page worker"),
                            ("live, gzip, WARC on, page worker, writer thread", "live crawl, page worker + writer thread")):
            if not get(live):
                continue
            value = seconds(live) / seconds(noop)
            check(f"{label} time / no-op spider's, {floor} settings (x)", value,
                  "<= 1.3" if floor == "tuned" else "-", value <= 1.3)
            value = reactor(live) / reactor(noop)
            check(f"{label} reactor CPU / no-op spider's, {floor} settings (x)", value,
                  "<= 1.3" if floor == "tuned" else "-", value <= 1.3)
    value = ours / rate("live, gzip, WARC off", small)
    check("archiving on / off, gzip bodies (x)", value, ">= 0.95", value >= 0.95)
    value = reactor("live, gzip, WARC off") / reactor("live, gzip, WARC on (ours)")
    check("archiving on / off, gzip bodies, reactor CPU per response (x)", value, ">= 0.95", value >= 0.95)
    if get("live, gzip, WARC on, writer thread"):
        value = reactor("live, gzip, WARC off") / reactor("live, gzip, WARC on, writer thread")
        check("archiving on / off, writer thread, reactor CPU per response (x)", value, ">= 0.95", value >= 0.95)
    off = "live, gzip, WARC off, page worker"
    for on in ("live, gzip, WARC on, page worker", "live, gzip, WARC on, page worker, writer thread"):
        if get(on) and get(off):
            value = rate(on) / rate(off)
            check(f"archiving on / off, {on[len('live, gzip, WARC on, '):]} (x)", value, ">= 0.95", value >= 0.95)
            value = reactor(off) / reactor(on)
            check(f"archiving on / off, {on[len('live, gzip, WARC on, '):]}, reactor CPU per response (x)", value,
                  ">= 0.95", value >= 0.95)
    if get("live, gzip, WARC off (baseline)"):
        value = rate("live, gzip, WARC on (baseline)") / rate("live, gzip, WARC off (baseline)")
        check("baseline: archiving on / off, gzip bodies (x)", value, ">= 0.95", value >= 0.95)
        value = reactor("live, gzip, WARC off (baseline)") / reactor("live, gzip, WARC on (baseline)")
        check("baseline: archiving on / off, reactor CPU per response (x)", value, ">= 0.95", value >= 0.95)
    value = rate("live, plain, WARC on", small) / rate("live, plain, WARC off", small)
    check("archiving on / off, plain bodies (x)", value, ">= 0.95", value >= 0.95)
    for size in sizes:
        extract2 = get("extract, 2 jobs", size)
        live = get("live, gzip, WARC on (ours)", size)
        if extract2 and live:
            # Article pages per second on both sides (the crawl's responses include list pages).
            crawl_articles = live.median("article_pages") / live.median("seconds")
            value = extract2.median("pages_per_s") / crawl_articles
            check(f"extract on 2 jobs vs live article pages/s, {size} articles (x)", value, ">= 10", value >= 10)
        again, full = get("incremental rerun (unchanged)", size), get("live, gzip, WARC on (ours)", size)
        if again and full:
            value = 100 * again.median("requests") / full.median("requests")
            check(f"incremental rerun requests, {size} articles (% of full)", value, "<= 1", value <= 1)
    live_small = get("live, gzip, WARC on (ours)", small)
    for size in sizes[1:]:
        live_size = get("live, gzip, WARC on (ours)", size)
        if live_small is None or live_size is None:
            continue
        value = live_size.median("pages_per_s") / live_small.median("pages_per_s")
        check(f"throughput {size} vs {small} articles (x)", value, ">= 0.9", value >= 0.9)
        value = live_size.median("rss_mb") / live_small.median("rss_mb")
        check(f"peak RSS {size} vs {small} articles (x)", value, "<= 1.1", value <= 1.1)
        base_small, base_size = get("live, gzip, WARC on (baseline)", small), get("live, gzip, WARC on (baseline)", size)
        if base_small and base_size:
            value = base_size.median("rss_mb") / base_small.median("rss_mb")
            check(f"baseline: peak RSS {size} vs {small} articles (x)", value, "<= 1.1", value <= 1.1)
    if ms:
        check(f"extraction ms per page, ours (trafilatura: {ms[1]:.2f})", ms[0], "faster", ms[0] < ms[1])
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="300 articles, one run, no baseline (~2 min)")
    ap.add_argument("--sizes", default=None, help="portal sizes in articles, comma-separated (default 1000,10000,50000)")
    ap.add_argument("--runs", type=int, default=None, help="runs per row at the first size (default 3)")
    ap.add_argument("--big-runs", type=int, default=None, help="runs per row at the other sizes (default 1)")
    ap.add_argument("--baseline", default=None,
                    help=f"git revision to compare with (default {BASELINE}, the previous release; '' or --quick: none)")
    ap.add_argument("--git-dir", type=Path, default=ROOT, help="repository the baseline is taken from (default: here)")
    ap.add_argument("--only", default=None, help="only the rows whose name contains one of these (comma-separated, so a piece"
                         " holds no comma: 'live' alone matches every live row)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in (args.sizes or ("300" if args.quick else "1000,10000,50000")).split(",")]
    runs = args.runs or (1 if args.quick else 3)
    big_runs = args.big_runs or 1
    rev = args.baseline if args.baseline is not None else (None if args.quick else BASELINE)
    work = Path(tempfile.mkdtemp(prefix="northnews-bench-"))
    started = time.monotonic()
    print(f"$ {' '.join(['python -m benchmarks.run', *(argv if argv is not None else sys.argv[1:])])}")
    print(f"machine: {machine()}\n", flush=True)
    baseline = None
    try:
        baseline = export(rev, work / "baseline", args.git_dir) if rev else None
        bench = Bench(work, ROOT, baseline)
        rows = plan(bench, sizes)
        if args.only:
            wanted = args.only.split(",")
            rows = [(r, go) for r, go in rows if any(w in r.name for w in wanted)]
        for n in range(max(runs, big_runs)):
            for row, go in rows:
                if n >= (runs if row.size == sizes[0] else big_runs):
                    continue
                d = work / f"r{n}-{row.size}-{len(row.runs)}-{abs(hash(row.name)) % 10**6}"
                d.mkdir()
                row.runs.append(go(d))
                done = row.runs[-1]
                print(f"  {row.name} ({row.size}): {done.pages_per_s:.1f} pages/s, {done.seconds:.1f} s, "
                      f"peak RSS {done.rss_mb:.0f} MB, reactor CPU {done.reactor_cpu:.1f} s", file=sys.stderr, flush=True)
        ms = extraction_ms(2 if args.quick else 5)
        portal = sizes[0]
        print(f"Portal: the fixture portal + N synthetic articles ({portal} and more: see 'articles'), "
              f"{runs} run(s) per row at {portal}, {big_runs} at larger sizes, medians.\n")
        print("\n".join(table([r for r, _ in rows])))
        print()
        print(f"Extraction alone, fixture pages ({ms[2]}): northnews {ms[0]:.2f} ms/page, trafilatura "
              f"{ms[1]:.2f} ms/page ({ms[1] / ms[0]:.1f}x).\n")
        print("\n".join(targets([r for r, _ in rows], sizes, ms)))
        print(f"\n(bench took {time.monotonic() - started:.0f} s; work dir {work})")
    finally:
        if baseline is not None:
            unexport(baseline, args.git_dir)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
