"""What an integrity check of the store costs: ``PRAGMA quick_check`` and ``integrity_check`` on a
large store of record, to decide where ``northnews.util.storeguard`` may run them.

    .venv/bin/python -m benchmarks.store_check [--articles 200000] [--text-kb 6] [--keep DIR]

Builds a store with the real schema (``Store`` creates it) holding ``--articles`` articles of
about ``--text-kb`` KB of Chinese text each (one version, one capture), then times each check
twice (the second run from a warm page cache). Asserts nothing: the figures go in the README.
Measured on the shared 2-core machine (1.7 GB, 200,000 articles): quick_check 13.4 s then
3.2 s warm; integrity_check 6.3 s then 3.3 s; after dropping the page cache, quick_check 58 s.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def build(path: Path, articles: int, text_kb: int) -> None:
    from northnews.ops.store import Store

    Store(path).close()
    db = sqlite3.connect(path)
    text = "".join(random.choice("北方新闻网内蒙古包头市的记者报道了今天上午") for _ in range(text_kb * 1024 // 3))
    with db:
        db.executemany(
            "INSERT INTO articles (url, url_key, site, first_seen, last_seen, latest_version, latest_digest)"
            " VALUES (?, ?, 'northnews', '2026-01-01', '2026-01-01', 1, 'd')",
            ((f"http://www.northnews.cn/p/{i}", f"northnews.cn/p/{i}") for i in range(articles)))
        db.executemany(
            "INSERT INTO article_versions (url, version, content_digest, title, first_seen, item_json,"
            " warc_file, warc_offset) VALUES (?, 1, ?, '标题', '2026-01-01', ?, 'f.warc.gz', ?)",
            ((f"http://www.northnews.cn/p/{i}", f"{i:040d}", f'{{"body": "{text}{i}"}}', i * 1000)
             for i in range(articles)))
        db.executemany(
            "INSERT INTO article_captures (url, version, outcome, seen_at, warc_file, warc_offset)"
            " VALUES (?, 1, 'new', '2026-01-01', 'f.warc.gz', ?)",
            ((f"http://www.northnews.cn/p/{i}", i * 1000) for i in range(articles)))
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument("--text-kb", type=int, default=6)
    parser.add_argument("--keep", metavar="DIR", help="build the store here and keep it")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="northnews-storecheck-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "northnews.sqlite3"
    try:
        if not path.exists():
            build(path, args.articles, args.text_kb)
        print(f"{path}: {path.stat().st_size / 1e9:.2f} GB, {args.articles} articles")
        for pragma in ("quick_check", "integrity_check"):
            for attempt in ("first", "warm"):
                db = sqlite3.connect(path)
                started = time.monotonic()
                answer = db.execute(f"PRAGMA {pragma}").fetchone()[0]
                db.close()
                print(f"  {pragma:16} {attempt:5} {time.monotonic() - started:6.2f} s  ({answer})")
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
