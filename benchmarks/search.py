"""Search benchmark: which full-text index for a Chinese and English news archive, by measurement.

    make bench-search            # or: .venv/bin/python -m benchmarks.search [--sizes 10000,100000]

Articles are generated from real sentences (the fixture portals' article bodies, the titles and
paragraphs of the hand-written Chinese page set), 8-20 sentences each, so that Chinese words occur
in the contexts a segmenter meets in news. For each candidate index, built in a file of its own:

- ``bigram`` (ours, :mod:`northnews.ops.search`): FTS5 ``unicode61`` over CJK bigrams, contentless;
- ``trigram``: FTS5's own ``trigram`` tokenizer; it keeps the text (a query shorter than 3
  characters cannot use the index and is answered by ``LIKE`` over that text: a full scan);
- ``jieba``: FTS5 ``unicode61`` over jieba's search-mode segmentation (``cut_for_search``),
  contentless; the query is jieba's segmentation of the query, as a phrase (only at the smallest
  size: jieba segments about 0.3 MB of text a second, so 100k articles take many minutes).

Printed per index and size: recall on the query set (every article whose title or body contains
the query, by Python's ``in``, is the truth; the index is asked for all its matches), median,
95th-percentile and largest milliseconds of a ranked top-20 query (``ORDER BY rank LIMIT 20``),
wall and CPU (the CPU time does not count the neighbours of a shared machine), index bytes per
article, build seconds. Then ours end to end: ``search()`` on a real store (join, one hit per
article, snippets), after ``rebuild()`` of the index of a store whose versions were written
without it (what an archive of an earlier release is); with ``--pg URL`` the same on a PostgreSQL
store (tsvector and GIN, see :mod:`northnews.ops.search`), with its recall. It asserts nothing.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from northnews.ops import search
from northnews.ops.store import Store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"

# Written by hand: 2-character words (the hard case for a trigram index), place names, terms, and
# words that a segmenter may cut differently in their sentence (头市 in 包头市, 自治 in 自治区).
QUERIES = (
    "包头", "草原", "经济", "旅游", "记者", "文化", "发展", "市长", "牧民", "教育", "学生", "企业",
    "内蒙古", "呼和浩特", "鄂尔多斯", "自治区", "新华社", "铁路", "人民政府", "互联网", "乌兰察布", "农牧民",
    "头市", "自治", "蒙古", "和浩", "课后服务", "北京市", "生态", "同比增长",
    "Hohhot", "Mongolia", "library", "economic", "China",
    "包子",  # in no article: a 2-character word no index entry answers is trigram's full scan
)
PLACES = ("包头市", "呼和浩特市", "鄂尔多斯", "赤峰", "通辽", "乌海", "锡林郭勒", "呼伦贝尔", "包头市长", "巴彦淖尔")


def sentences() -> list[str]:
    pool: list[str] = []
    for name in ("portal.jsonl", "portal_b.jsonl"):
        for line in (FIXTURES / "expected" / name).read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            pool.append(item["title"])
            pool.extend(s for s in re.split(r"(?<=[。！？.!?])\s*|\n+", item["body"] or "") if len(s) > 4)
    for path in glob.glob(str(FIXTURES / "realworld_cn" / "*" / "expected.json")):
        expected = json.loads(Path(path).read_text(encoding="utf-8"))
        for key in ("title", "first_paragraph", "last_paragraph"):
            text = expected.get(key)
            if isinstance(text, str):
                pool.extend(s for s in re.split(r"(?<=[。！？])", text) if len(s) > 4)
    return sorted(set(pool))


def articles(count: int, seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    pool = sentences()
    out = []
    for _ in range(count):
        body = "".join(rng.choice(pool) for _ in range(rng.randint(8, 20)))
        if rng.random() < 0.3:
            body = rng.choice(PLACES) + body
        out.append((rng.choice(pool)[:40], body))
    return out


class Index:
    name = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=OFF")

    def build(self, docs: list[tuple[str, str]]) -> None:
        raise NotImplementedError

    def all_matches(self, query: str) -> set[int]:
        raise NotImplementedError

    def top(self, query: str) -> list[int]:
        raise NotImplementedError

    def size(self) -> int:
        self.db.execute("VACUUM")
        return os.path.getsize(self.path)


class Bigram(Index):
    name = "bigram (ours)"

    def build(self, docs: list[tuple[str, str]]) -> None:
        self.db.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, content='', tokenize='unicode61 remove_diacritics 2')")
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO t (rowid, title, body) VALUES (?, ?, ?)",
                            ((i, search.segment(a), search.segment(b)) for i, (a, b) in enumerate(docs, 1)))
        self.db.execute("COMMIT")

    def all_matches(self, query: str) -> set[int]:
        return {r[0] for r in self.db.execute("SELECT rowid FROM t WHERE t MATCH ?", (search.fts_query(query),))}

    def top(self, query: str) -> list[int]:
        return [r[0] for r in self.db.execute(
            "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t, 10.0, 1.0) LIMIT 20", (search.fts_query(query),))]


class Trigram(Index):
    name = "trigram (FTS5)"

    def build(self, docs: list[tuple[str, str]]) -> None:
        self.db.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='trigram')")
        self.db.execute("BEGIN")
        self.db.executemany("INSERT INTO t (rowid, title, body) VALUES (?, ?, ?)",
                            ((i, a, b) for i, (a, b) in enumerate(docs, 1)))
        self.db.execute("COMMIT")

    def _where(self, query: str) -> tuple[str, list[str]]:
        if len(query) >= 3:
            return "t MATCH ?", ['"' + query.replace('"', '""') + '"']
        like = "%" + query + "%"
        return "(title LIKE ? OR body LIKE ?)", [like, like]

    def all_matches(self, query: str) -> set[int]:
        where, params = self._where(query)
        return {r[0] for r in self.db.execute(f"SELECT rowid FROM t WHERE {where}", params)}

    def top(self, query: str) -> list[int]:
        where, params = self._where(query)
        # LIKE has no rank: the first 20 found (a trigram index cannot rank a 2-character word).
        order = " ORDER BY bm25(t, 10.0, 1.0)" if len(query) >= 3 else ""
        return [r[0] for r in self.db.execute(f"SELECT rowid FROM t WHERE {where}{order} LIMIT 20", params)]


class Jieba(Index):
    name = "jieba (cut_for_search)"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        import jieba  # bench-only dependency (pyproject's `bench` extra)

        jieba.setLogLevel(60)
        jieba.initialize()
        self.jieba = jieba

    def _words(self, text: str, cut: Callable[[str], list[str]]) -> str:
        return " ".join(w for w in cut(text) if w.strip())

    def build(self, docs: list[tuple[str, str]]) -> None:
        self.db.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, content='', tokenize='unicode61 remove_diacritics 2')")
        self.db.execute("BEGIN")
        cut = self.jieba.lcut_for_search
        self.db.executemany("INSERT INTO t (rowid, title, body) VALUES (?, ?, ?)",
                            ((i, self._words(a, cut), self._words(b, cut)) for i, (a, b) in enumerate(docs, 1)))
        self.db.execute("COMMIT")

    def _match(self, query: str) -> str:
        words = [w for w in self.jieba.lcut(query) if w.strip()]
        return '"' + " ".join(words).replace('"', '""') + '"'

    def all_matches(self, query: str) -> set[int]:
        return {r[0] for r in self.db.execute("SELECT rowid FROM t WHERE t MATCH ?", (self._match(query),))}

    def top(self, query: str) -> list[int]:
        return [r[0] for r in self.db.execute(
            "SELECT rowid FROM t WHERE t MATCH ? ORDER BY bm25(t, 10.0, 1.0) LIMIT 20", (self._match(query),))]


def truth(docs: list[tuple[str, str]], query: str) -> set[int]:
    """Articles holding the query: a Chinese query as a substring, an English one as a whole word."""
    if query.isascii():
        word = re.compile(rf"\b{re.escape(query)}\b", re.IGNORECASE)
        return {i for i, (a, b) in enumerate(docs, 1) if word.search(a) or word.search(b)}
    return {i for i, (a, b) in enumerate(docs, 1) if query in a or query in b}


def timed(fn: Callable[[], object], repeat: int, cpu: list[float] | None = None) -> list[float]:
    """Wall milliseconds of each call (and CPU milliseconds into ``cpu``: on a shared, loaded
    machine the wall time measures the neighbours too)."""
    out = []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - c0) * 1000)
    return out


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def measure(kind: type[Index], docs: list[tuple[str, str]], truths: dict[str, set[int]], tmp: Path,
            repeat: int) -> dict[str, object]:
    index = kind(tmp / f"{kind.__name__}-{len(docs)}.sqlite3")
    t0 = time.perf_counter()
    index.build(docs)
    built = time.perf_counter() - t0
    found = total = 0
    misses: dict[str, int] = {}
    for q, want in truths.items():
        got = index.all_matches(q)
        found += len(want & got)
        total += len(want)
        if want - got:
            misses[q] = len(want - got)
    times: list[float] = []
    cpu: list[float] = []
    for q in QUERIES:
        index.top(q)  # warm
        times.extend(timed(lambda q=q: index.top(q), repeat, cpu))
    size = index.size()
    index.db.close()
    return {"index": kind.name, "articles": len(docs), "recall": found / total if total else 0.0,
            "misses": misses, "ms_median": statistics.median(times), "ms_p95": p95(times),
            "ms_max": max(times), "cpu_median": statistics.median(cpu), "cpu_max": max(cpu),
            "bytes_per_article": size / len(docs), "build_s": built}


def end_to_end(docs: list[tuple[str, str]], tmp: Path, repeat: int) -> dict[str, float]:
    """Ours through the store: versions written without the index, rebuild(), then search()."""
    archive = tmp / f"store-{len(docs)}"
    with Store.open(archive) as store:
        db = store.db
        db.execute("BEGIN")
        for i, (title, body) in enumerate(docs, 1):
            url = f"http://example.test/{i}.html"
            item = {"url": url, "title": title, "body": body, "published": f"2015-{1 + i % 12:02d}-{1 + i % 28:02d}"}
            db.execute("INSERT INTO articles (url, url_key, site, first_seen, last_seen, latest_version, latest_digest)"
                       " VALUES (?, ?, 'bench', '', '', 1, ?)", (url, url, str(i)))
            db.execute("INSERT INTO article_versions (url, version, content_digest, title, published, first_seen,"
                       " item_json, site) VALUES (?, 1, ?, ?, ?, '', ?, 'bench')",
                       (url, str(i), title, item["published"], json.dumps(item, ensure_ascii=False)))
        db.execute("DELETE FROM search_docs")
        db.execute("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
        db.execute("COMMIT")
        t0 = time.perf_counter()
        search.rebuild(db)
        rebuilt = time.perf_counter() - t0
        times: list[float] = []
        cpu: list[float] = []
        for q in QUERIES:
            search.search(db, q)
            times.extend(timed(lambda q=q: search.search(db, q), repeat, cpu))
    return {"rebuild_s": rebuilt, "ms_median": statistics.median(times), "ms_p95": p95(times),
            "ms_max": max(times), "cpu_median": statistics.median(cpu), "cpu_max": max(cpu)}


def end_to_end_pg(docs: list[tuple[str, str]], truths: dict[str, set[int]], url: str,
                  repeat: int, reuse: bool = False) -> dict[str, float]:
    """Ours on a PostgreSQL store (``--pg URL``, an empty database: refused otherwise): versions
    written without the index, ``rebuild()``, recall of every query (all its matches), then
    ``search()`` top 20 with snippets; index bytes (tables and GIN) per article. With ``reuse``,
    the database an earlier ``--pg`` run of the same size filled: its versions are kept, and
    ``rebuild()`` brings its index to this release's form (an earlier release's index is upgraded
    as an operator's ``scrapy search --rebuild`` would; 100k articles take many minutes to write)."""
    from northnews.ops.store_pg import PgStore

    with PgStore(url) as store:
        db = store.db
        stored = db.execute("SELECT count(*) FROM article_versions").fetchone()[0]
        if reuse and stored != len(docs):
            raise SystemExit(f"--pg-reuse {store.where}: {stored} versions stored, not {len(docs)}")
        if stored and not reuse:
            raise SystemExit(f"--pg {store.where}: not an empty store; give a fresh database (or --pg-reuse)")
        rows = []
        for i, (title, body) in enumerate(docs, 1):
            item = {"url": f"http://example.test/{i}.html", "title": title, "body": body,
                    "published": f"2015-{1 + i % 12:02d}-{1 + i % 28:02d}"}
            rows.append((item["url"], str(i), title, item["published"], json.dumps(item, ensure_ascii=False)))
        if not reuse:
            with db.transaction():
                db.executemany("INSERT INTO articles (url, url_key, site, first_seen, last_seen, latest_version,"
                               " latest_digest) VALUES (?, ?, 'bench', '', '', 1, ?)",
                               [(r[0], r[0], r[1]) for r in rows])
                db.executemany("INSERT INTO article_versions (url, version, content_digest, title, published,"
                               " first_seen, item_json, site) VALUES (?, 1, ?, ?, ?, '', ?, 'bench')", rows)
        t0 = time.perf_counter()
        search.rebuild(db)
        rebuilt = time.perf_counter() - t0
        db.execute("VACUUM ANALYZE search_fts")
        tokenizer = db.execute("SELECT value FROM search_meta WHERE key = 'tokenizer'").fetchone()[0]
        ids = {r[0]: int(r[1].rsplit("/", 1)[1].split(".")[0]) for r in db.execute("SELECT id, url FROM article_versions")}
        found = total = 0
        for q, want in truths.items():
            [term] = search.pg_query(q)
            got = {ids[r[0]] for r in db.execute("SELECT DISTINCT version_id FROM search_fts WHERE doc @@ ?::tsquery",
                                                 (term,))}
            found += len(want & got)
            total += len(want)
        times: list[float] = []
        cpu: list[float] = []
        for q in QUERIES:
            search.search(db, q)
            times.extend(timed(lambda q=q: search.search(db, q), repeat, cpu))
        size = db.execute("SELECT pg_total_relation_size('search_fts') + pg_total_relation_size('search_docs')"
                          ).fetchone()[0]
    return {"tokenizer": tokenizer, "rebuild_s": rebuilt, "recall": found / total if total else 0.0,
            "ms_median": statistics.median(times),
            "ms_p95": p95(times), "ms_max": max(times), "cpu_median": statistics.median(cpu), "cpu_max": max(cpu),
            "bytes_per_article": size / len(docs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000", help="article counts (comma-separated)")
    parser.add_argument("--jieba-max", type=int, default=10000, help="largest size jieba is built at")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query")
    parser.add_argument("--pg", metavar="URL", help="also ours on a PostgreSQL store: an empty database"
                        " (the first size only), e.g. postgresql://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--only-pg", action="store_true", help="with --pg: skip the SQLite indexes")
    parser.add_argument("--pg-reuse", action="store_true", help="with --pg: the database an earlier --pg run of"
                        " the same size filled (its index brought to this release's form by rebuild())")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if (args.only_pg or args.pg_reuse) and not args.pg:
        parser.error("--only-pg and --pg-reuse need --pg URL")
    print(f"sqlite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, {os.cpu_count()} cores,"
          f" load {os.getloadavg()[0]:.2f}, {len(sentences())} source sentences, {len(QUERIES)} queries", flush=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmpdir:
        tmp = Path(tmpdir)
        for size in sizes:
            docs = articles(size)
            truths = {q: truth(docs, q) for q in QUERIES}
            empty = [q for q, t in truths.items() if not t]
            if empty:
                print(f"  (queries with no article at {size}: {' '.join(empty)})")
            if args.pg and size == sizes[0]:
                pg = end_to_end_pg(docs, truths, args.pg, args.repeat, reuse=args.pg_reuse)
                print(f"  ours on PostgreSQL ({pg['tokenizer']}; search() top 20 with snippets) {size:>7}:"
                      f" recall {pg['recall']:.3f},"
                      f" rebuild {pg['rebuild_s']:.1f} s, {pg['ms_median']:.2f} ms median, {pg['ms_p95']:.2f} ms p95,"
                      f" {pg['ms_max']:.2f} ms max (CPU of this process {pg['cpu_median']:.2f} median,"
                      f" {pg['cpu_max']:.2f} max), {pg['bytes_per_article']:.0f} B/article", flush=True)
            if args.only_pg:
                continue
            for kind in (Bigram, Trigram, Jieba):
                if kind is Jieba and size > args.jieba_max:
                    continue
                try:
                    row = measure(kind, docs, truths, tmp, args.repeat)
                except ImportError as exc:
                    print(f"  {kind.name}: not measured ({exc}; pip install jieba)")
                    continue
                rows.append(row)
                print(f"  {row['index']:24} {size:>7}: recall {row['recall']:.3f}, {row['ms_median']:.2f} ms median,"
                      f" {row['ms_p95']:.2f} ms p95, {row['ms_max']:.2f} ms max (CPU {row['cpu_median']:.2f} median,"
                      f" {row['cpu_max']:.2f} max), {row['bytes_per_article']:.0f} B/article, built in"
                      f" {row['build_s']:.1f} s; missed {row['misses'] or 'none'}", flush=True)
            e2e = end_to_end(docs, tmp, args.repeat)
            print(f"  ours end to end (store, search() top 20 with snippets) {size:>7}: rebuild {e2e['rebuild_s']:.1f} s,"
                  f" {e2e['ms_median']:.2f} ms median, {e2e['ms_p95']:.2f} ms p95, {e2e['ms_max']:.2f} ms max"
                  f" (CPU {e2e['cpu_median']:.2f} median, {e2e['cpu_max']:.2f} max)", flush=True)
            for f in tmp.glob("*.sqlite3"):
                f.unlink()
    print()
    print("| index | articles | recall | ms/query median | p95 | max | CPU ms median | CPU ms max"
          " | index bytes/article | build s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        print(f"| {r['index']} | {r['articles']} | {r['recall']:.3f} | {r['ms_median']:.2f} | {r['ms_p95']:.2f} |"
              f" {r['ms_max']:.2f} | {r['cpu_median']:.2f} | {r['cpu_max']:.2f} | {r['bytes_per_article']:.0f} |"
              f" {r['build_s']:.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
