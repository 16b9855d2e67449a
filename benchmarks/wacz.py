"""``northnews-archive wacz`` at scale: time and peak memory of packaging archives of growing size.

    .venv/bin/python -m benchmarks.wacz [--sizes 300MB,3GB] [--every 10] [--keep DIR]

For each size, generates an archive of about that many bytes of WARC with the generator of
``benchmarks/archive.py`` (the real ``WarcWriter``: responses, revisits, 404s, files rotated at
``NORTHNEWS_WARC_MAX_SIZE``), then a crawl feed (``articles.jsonl``) naming one HTML response in
``--every`` as an article, with a title and a body of mixed Chinese and English text (so
pages.jsonl's text is segmented by jieba, as for a real crawl), and runs ``northnews-archive
wacz`` in a child process: its wall time and peak RSS (``ru_maxrss`` of that child, from
``os.wait4``) and CPU seconds (wall time depends on what else the machine runs). Flat memory shows as the same peak RSS at every size. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

from benchmarks.archive import GENERATE, ROOT, parse_size, run_child

# Text the bodies are drawn from: phrases of the kind the portal prints (written for this
# benchmark), shuffled per article.
PHRASES = (
    "内蒙古自治区", "呼和浩特市", "鄂尔多斯", "包头", "草原生态保护", "风电装机容量", "今年前三季度",
    "地区生产总值", "同比增长", "记者从自治区发展改革委获悉", "全区", "农牧民", "人均可支配收入",
    "Inner Mongolia", "wind power capacity", "kilowatts", "the regional government said", "Hohhot",
)


def write_feed(archive: Path, every: int, seed: int = 7) -> int:
    """``articles.jsonl``: one article per ``every`` HTML 200 response of the WARCs' indexes."""
    rnd = random.Random(seed)
    count = seen = 0
    with open(archive / "articles.jsonl", "w", encoding="utf-8") as out:
        for index in sorted((archive / "warc").glob("*.cdxj")):
            with open(index, encoding="utf-8") as fh:
                for line in fh:
                    fields = json.loads(line.split(" ", 2)[2])
                    if fields.get("status") != "200" or fields.get("mime") != "text/html":
                        continue
                    seen += 1
                    if seen % every:
                        continue
                    body = "\n\n".join("，".join(rnd.choice(PHRASES) for _ in range(12)) + "。" for _ in range(4))
                    out.write(json.dumps({
                        "url": fields["url"], "title": "".join(rnd.choice(PHRASES) for _ in range(3)),
                        "body": body, "warc": {"file": fields["filename"], "offset": int(fields["offset"])},
                    }, ensure_ascii=False) + "\n")
                    count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="300MB,3GB", help="WARC bytes to generate, comma-separated")
    parser.add_argument("--every", type=int, default=10, help="one HTML response in N is an article")
    parser.add_argument("--page-kb", type=int, default=14, help="typical page size before gzip")
    parser.add_argument("--keep", metavar="DIR", help="generate into DIR and keep it")
    args = parser.parse_args()
    py = sys.executable
    rows = []
    for size_text in args.sizes.split(","):
        target = parse_size(size_text)
        base = Path(args.keep) / size_text if args.keep else Path(tempfile.mkdtemp(prefix="northnews-bench-wacz-"))
        base.mkdir(parents=True, exist_ok=True)
        archive = base / "archive"
        try:
            run_child([py, "-c", GENERATE, str(archive), str(target), str(args.page_kb), str(ROOT)])
            warcs = sorted((archive / "warc").glob("*.warc.gz"))
            size = sum(p.stat().st_size for p in warcs)
            articles = write_feed(archive, args.every)
            out = base / "bench.wacz"
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            seconds, rss, text = run_child([py, "-m", "northnews.archive.cli", "-d", str(archive), "wacz", str(out)])
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
            with zipfile.ZipFile(out) as zf:
                pages = zf.getinfo("pages/pages.jsonl").file_size
            rows.append((size, len(warcs), articles, seconds, cpu, rss, out.stat().st_size, pages, text.strip().splitlines()[-1]))
        finally:
            if not args.keep:
                shutil.rmtree(base, ignore_errors=True)
    print(f"northnews-archive wacz, Python {sys.version.split()[0]}, {os.cpu_count()} cores\n")
    print("| WARC MB | files | articles | wall s | CPU s | CPU s/GB | peak RSS MB | WACZ MB | pages.jsonl MB |")
    print("| ---:| ---:| ---:| ---:| ---:| ---:| ---:| ---:| ---:|")
    for size, files, articles, seconds, cpu, rss, wacz_bytes, pages, _note in rows:
        print(f"| {size / 1e6:.0f} | {files} | {articles} | {seconds:.1f} | {cpu:.1f} | {cpu / (size / 1e9):.1f} | {rss:.0f}"
              f" | {wacz_bytes / 1e6:.0f} | {pages / 1e6:.1f} |")
    for row in rows:
        print(f"\n{row[0] / 1e6:.0f} MB: {row[-1]}")


if __name__ == "__main__":
    main()
