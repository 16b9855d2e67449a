"""The archive tools at scale: time and peak memory of ``northnews-archive`` on a large archive.

    .venv/bin/python -m benchmarks.archive [--size 1GB] [--page-kb 14] [--keep DIR]

Generates an archive of about ``--size`` bytes of WARC under a temporary directory in /tmp
(removed afterwards unless ``--keep``), written by the real ``WarcWriter`` (records, revisits for
one exchange in ten, 404s, one file up to ``NORTHNEWS_WARC_MAX_SIZE``), then runs each tool in
its own child process and reports its wall time and peak RSS (``ru_maxrss`` of that child, from
``os.wait4``): ``check`` (digests, completeness, manifest: the 60 s/GB and 300 MB targets of
issue 11), ``index``, ``list``, recovery of the file renamed ``.open`` with its last record cut,
opening WARC replay and 2,000 lookups, and the writer itself (the generator's RSS: flat, since
index lines go to a side file). Bodies are gzip-encoded random-word HTML of ~``--page-kb`` KB,
as Scrapy receives the portal's pages (the WARC's gzip cannot shrink them). Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GENERATE = textwrap.dedent(
    """
    import gzip, json, os, random, sys
    from collections import deque
    from pathlib import Path
    sys.path.insert(0, sys.argv[4])
    from tests.warc_helpers import capture, exchange, make_writer

    def rss_mb():
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

    archive, target, page = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(7)
    words = ["".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9)))
             for _ in range(5000)]
    bodies = []
    for _ in range(200):  # distinct pages; each served under many URLs
        n = rnd.randint(page * 60, page * 140)
        html = "<html><body><p>" + " ".join(rnd.choice(words) for _ in range(n)) + "</p></body></html>"
        bodies.append(gzip.compress(html.encode(), 6, mtime=0))
    ext = make_writer(archive, NORTHNEWS_WARC_HOSTNAME="bench")
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")]
    recent = deque(maxlen=1000)  # re-fetched pages come from here (memory stays flat)
    sample = []  # every 50th URL, for the replay lookups
    rss = {}
    i = 0
    while True:
        if i % 10 == 9 and recent:  # a re-fetch of an unchanged page: a revisit
            url, body = recent[rnd.randrange(len(recent))]
            capture(ext, *exchange(url, body, headers=headers))
        elif i % 50 == 49:
            capture(ext, *exchange(f"http://www.northnews.cn/gone/{i}.shtml", b"not found", status=404))
        else:
            url = f"http://www.northnews.cn/{2015 + i % 10}/{i % 1000:04d}/{i}.shtml"
            body = bodies[i % len(bodies)]  # same bytes under a new URL: a response
            capture(ext, *exchange(url, body, headers=headers))
            recent.append((url, body))
            if i % 50 == 0 and len(sample) < 2000:
                sample.append(url)
        i += 1
        if i % 500 == 0:
            written = sum(p.stat().st_size for p in (archive / "warc").glob("*.warc.gz*") if p.is_file())
            for share in (0.1, 0.5):
                if written >= share * target and share not in rss:
                    rss[share] = rss_mb()
            if written >= target:
                rss[1.0] = rss_mb()
                break
    ext.spider_closed(ext.crawler.spider)
    json.dump({"exchanges": i, "urls": sample, "rss": rss}, sys.stdout)
    """
)

REPLAY = textwrap.dedent(
    """
    import json, sys, time
    sys.path.insert(0, sys.argv[3])
    from northnews.archive.warcreplay import WarcSource
    urls = json.load(open(sys.argv[2]))
    t0 = time.monotonic()
    source = WarcSource(sys.argv[1])
    opened = time.monotonic() - t0
    hits = sum(source.lookup(u) is not None for u in urls)
    source.close()
    print(json.dumps({"open_s": opened, "lookups": len(urls), "hits": hits,
                      "lookup_ms": (time.monotonic() - t0 - opened) / max(1, len(urls)) * 1000}))
    """
)


def run_child(cmd: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(seconds, peak RSS in MB, stdout) of one child process."""
    out = tempfile.TemporaryFile()
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, cwd=cwd, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    out.seek(0)
    text = out.read().decode("utf-8", "replace")
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{text[-2000:]}")
    return seconds, usage.ru_maxrss / 1024, text


def parse_size(text: str) -> int:
    text = text.strip().upper().removesuffix("B")
    factor = {"K": 1e3, "M": 1e6, "G": 1e9}.get(text[-1:], 1)
    return int(float(text.rstrip("KMG")) * factor)


def measure(py: str, src: Path, archive: Path, urls: Path) -> list[tuple[str, float, float, str]]:
    """Each tool of the release in ``src`` on ``archive``, in its own child process."""
    env = {**os.environ, "PYTHONPATH": str(src)}

    def tool(cmd: list[str]) -> tuple[float, float, str]:
        return run_child(cmd, cwd=src, env=env)  # cwd too: `python -m` puts it first on sys.path

    cli = [py, "-m", "northnews.archive.cli", "-d", str(archive)]
    warc = archive / "warc"
    rows = []
    t, rss, out = tool([*cli, "check"])
    rows.append(("check", t, rss, out.strip().splitlines()[-1]))
    t, rss, _ = tool([*cli, "index"])
    lines = sum(1 for p in warc.glob("*.cdxj") for _ in open(p, encoding="utf-8"))
    rows.append(("index", t, rss, f"{lines} CDXJ lines"))
    t, rss, out = tool([*cli, "list"])
    rows.append(("list", t, rss, f"{out.count(chr(10))} rows"))
    t, rss, out = tool([py, "-c", REPLAY, str(archive), str(urls), str(src)])
    r = json.loads(out)
    rows.append(("replay: open + 2,000 lookups", t, rss,
                 f"open {r['open_s']:.2f} s, {r['hits']}/{r['lookups']} hits, {r['lookup_ms']:.2f} ms/lookup"))
    aside = archive.parent / "cdxj-aside"
    aside.mkdir(exist_ok=True)
    for index in warc.glob("*.cdxj"):
        index.rename(aside / index.name)
    try:
        t, rss, out = tool([py, "-c", REPLAY, str(archive), str(urls), str(src)])
    finally:
        for index in aside.glob("*.cdxj"):
            index.rename(warc / index.name)
    r = json.loads(out)
    rows.append(("replay without CDXJ (reads the WARCs)", t, rss, f"open {r['open_s']:.2f} s, {r['hits']}/{r['lookups']} hits"))
    # Recovery: the biggest file as a killed crawl leaves it (.open, its last record cut).
    big = max(warc.glob("*.warc.gz"), key=lambda p: p.stat().st_size)
    cut = big.with_name(big.name + ".open")
    big.rename(cut)
    with open(cut, "r+b") as fh:
        fh.truncate(cut.stat().st_size - 100)
    t, rss, out = tool([*cli, "recover"])
    rows.append(("recover (a cut .open file)", t, rss, out.strip().splitlines()[-1][-60:]))
    return rows


def print_table(title: str, rows: list[tuple[str, float, float, str]], gb: float) -> None:
    print(f"\n{title}\n")
    print("| tool | seconds | s/GB | peak RSS MB | |")
    print("| --- | ---:| ---:| ---:| --- |")
    for name, seconds, rss, note in rows:
        print(f"| {name} | {seconds:.1f} | {seconds / gb:.1f} | {rss:.0f} | {note} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", default="1GB", help="WARC bytes to generate (e.g. 200MB, 1GB)")
    parser.add_argument("--page-kb", type=int, default=14, help="typical page size before gzip")
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    parser.add_argument("--compare-with", metavar="SRC", action="append", default=[],
                        help="also run the tools of another release's source tree (e.g. `git archive` of a tag)")
    args = parser.parse_args()
    target = parse_size(args.size)
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="northnews-bench-archive-", dir="/tmp"))
    base.mkdir(parents=True, exist_ok=True)
    archive = base / "archive"
    py = sys.executable
    try:
        gen_s, gen_rss, gen_out = run_child([py, "-c", GENERATE, str(archive), str(target), str(args.page_kb), str(ROOT)])
        info = json.loads(gen_out)
        warcs = sorted((archive / "warc").glob("*.warc.gz"))
        size = sum(p.stat().st_size for p in warcs)
        gb = size / 1e9
        urls = base / "urls.json"
        urls.write_text(json.dumps(info["urls"]))
        writer = ", ".join(f"{float(k):.0%}: {v:.0f} MB" for k, v in sorted(info["rss"].items()))
        results = [("this tree", measure(py, ROOT, archive, urls))]
        results += [(f"release in {src}", measure(py, Path(src).resolve(), archive, urls)) for src in args.compare_with]
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    print(f"Archive tools on {size / 1e6:.0f} MB of WARC ({len(warcs)} file(s), {info['exchanges']} exchanges), "
          f"Python {sys.version.split()[0]}, {os.cpu_count()} cores")
    print(f"Writing it (WarcWriter, this tree): {gen_s:.1f} s, writer RSS at {writer}, peak {gen_rss:.0f} MB")
    for title, rows in results:
        print_table(title, rows, gb)


if __name__ == "__main__":
    main()
