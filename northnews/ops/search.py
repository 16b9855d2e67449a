"""Full-text search over the store of record: titles and bodies, Chinese and English, ranked (BM25),
with snippets. Used by ``scrapy search`` and ``northnews serve``.

The index lives in the store's own SQLite file, in tables of its own, created additively (no
existing table or row is touched, the store's schema version does not change):

``search_fts``
    an FTS5 table, contentless (``content=''``: the text is in ``article_versions`` already, the
    index keeps only its postings), one row per article *version*, ``rowid`` = the version's
    ``article_versions.id``. Versions are insert-only, so the index only ever grows: an edited
    article is found by the words of its new version, and by those of the old one too (the
    result says which version matched).
``search_docs``
    the version ids indexed, so that what is missing (versions written by an earlier release, or
    before the index existed) is known and ``scrapy search --rebuild`` can add them.
``search_meta``
    the tokenizer's name: a store indexed with another segmentation is rebuilt, not mixed.

Chinese has no spaces between words. Measured (``benchmarks/search.py``, table in the README),
overlapping character **bigrams** were chosen over FTS5's ``trigram`` tokenizer (a 2-character
word such as 包头 cannot use a trigram index: a full scan, and the table must keep the text) and
over jieba-segmented words (a word the segmenter cut differently in its sentence, say 包头 inside
包头市 or 市长 inside 包头市长, is not found; jieba is also a dependency, a 1 s dictionary load and
the slowest to index). Each run of CJK characters ``c1 c2 … cn`` is indexed as the tokens
``c1c2 c2c3 … c(n-1)cn cn``; a query word of two or more characters is the phrase of its bigrams
(so a hit is exactly a substring hit), a single character is the prefix query ``c*`` (the trailing
unigram makes every character the start of a token). Other text goes to FTS5's ``unicode61``
tokenizer (case and diacritics folded): English words match whole words.

**On PostgreSQL** (``NORTHNEWS_STORE_URL=postgresql://…``) the same tables hold the same tokens,
in core PostgreSQL types (no extension: ``pg_trgm`` would be a trigram index, with the 2-character
problem above, and ranks by similarity, not by term frequency):

``search_fts``
    ``(version_id, part, doc tsvector)`` with a GIN index on ``doc``. The tokens are made here,
    not by a text search configuration, so both backends index exactly the same ones:
    :func:`lexemes` is :func:`segment` followed by what FTS5's ``unicode61`` does (split at what is
    not a letter or a digit, lowercase, diacritics removed), written as a tsvector literal with
    positions (phrases) and weights (title ``A``, body ``D``). A tsvector keeps positions up to
    16,383 and 256 per lexeme, so a long article is several ``part`` rows of at most
    :data:`PG_PART_TOKENS` tokens, overlapping by :data:`PG_PART_OVERLAP` (a phrase of up to that
    many tokens is inside one part); "every term occurs" is then asked of the article, not the part.
``search_docs``, ``search_meta``
    as on SQLite.

A query is the same terms as a ``tsquery`` (a phrase is ``<->``, a lone CJK character the prefix
``:*``), so a hit is a hit on both backends. Ranking is ``ts_rank`` (term frequency over the log of
the length: PostgreSQL has no BM25) with a title hit weighing 10 body hits, summed over an
article's parts: the same articles, ordered by the same idea, not necessarily in the same order
when scores are close. ``ts_rank`` reads each document it ranks, so only the best candidates are
ranked (:class:`_PgRanked`): ``search_fts`` also holds each part's title lexemes (``title``, with a
GIN index) and its number of lexemes (``lexemes``), columns the server generates from ``doc``.
The tables are created when the store opens, additively (a PostgreSQL store of an earlier release
gains them; the schema version does not change, as on SQLite), and ``scrapy search --rebuild``
indexes what was stored before (and gives an index of the previous form its ranking columns).
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date
from operator import add
from typing import Any

TOKENIZER = "cjk-bigram-1"  # bump when the segmentation changes: the index is rebuilt, not mixed
#: The PostgreSQL index's: the same segmentation, folded by :func:`lexemes`, in parts; ``pg-2``
#: adds each part's title lexemes and length as columns (ranking reads them, not the documents).
PG_TOKENIZER = TOKENIZER + "/pg-2"
#: The first PostgreSQL form (no ranking columns): upgraded in place by :func:`rebuild`.
PG_TOKENIZER_1 = TOKENIZER + "/pg-1"
#: Tokens per ``search_fts`` row on PostgreSQL, and how many of them the next row repeats.
PG_PART_TOKENS, PG_PART_OVERLAP = 4096, 64

# Han (with extensions and compatibility ideographs), kana and Hangul: scripts written without spaces.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003134f"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_WORD = re.compile(r"\w+", re.UNICODE)
_TITLE_WEIGHT, _BODY_WEIGHT = 10.0, 1.0

TABLES = """
CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
    title, body, content='', tokenize='unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS search_docs (version_id INTEGER PRIMARY KEY);
CREATE TABLE IF NOT EXISTS search_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


PG_TABLES = """
CREATE TABLE IF NOT EXISTS search_fts (
    version_id BIGINT NOT NULL,
    part INTEGER NOT NULL,
    doc tsvector NOT NULL,
    PRIMARY KEY (version_id, part)
);
CREATE INDEX IF NOT EXISTS search_fts_doc ON search_fts USING gin (doc);
CREATE TABLE IF NOT EXISTS search_docs (version_id BIGINT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS search_meta (key TEXT COLLATE "C" PRIMARY KEY, value TEXT NOT NULL);
"""
#: What ranking reads instead of the documents (``pg-2``): each part's title lexemes (its weight-A
#: positions: small, stored in the row, not TOASTed) with a GIN index of their own, and its number
#: of distinct lexemes. Generated by the server from ``doc``, so a ``pg-1`` table gains them by one
#: ALTER TABLE (``scrapy search --rebuild``), without the text being segmented again.
PG_RANK_COLUMNS = """
ALTER TABLE search_fts
    ADD COLUMN IF NOT EXISTS title tsvector GENERATED ALWAYS AS (ts_filter(doc, '{a}')) STORED,
    ADD COLUMN IF NOT EXISTS lexemes integer GENERATED ALWAYS AS (length(doc)) STORED;
CREATE INDEX IF NOT EXISTS search_fts_title ON search_fts USING gin (title);
"""
_PG_RELATIONS = ("search_fts", "search_fts_doc", "search_docs", "search_meta")
# ts_rank's weights, in the order {D, C, B, A}: a title (A) hit weighs 10 body (D) hits, as bm25's.
_PG_WEIGHTS = "'{0.1, 0, 0, 1}'::float4[]"


def is_pg(db: object) -> bool:
    """Whether ``db`` is the PostgreSQL store's connection (else SQLite's)."""
    return not isinstance(db, sqlite3.Connection)


class SearchError(ValueError):
    """A query that cannot be searched (empty, only punctuation); the message says why."""


def segment(text: str | None) -> str:
    """Text as the index sees it: each CJK run as its overlapping bigrams plus its last character,
    everything else as it is (FTS5's unicode61 splits and folds it)."""
    if not text:
        return ""

    def grams(match: re.Match[str]) -> str:
        run = match.group(0)
        return f" {' '.join(map(add, run, run[1:]))} {run[-1]} " if len(run) > 1 else f" {run} "

    return _CJK_RUN.sub(grams, text)


def _quote(tokens: Iterable[str]) -> str:
    return '"' + " ".join(tokens).replace('"', '""') + '"'


def _terms(query: str) -> list[tuple[list[str], bool]]:
    """The whitespace-separated terms of a query: each its tokens in order (CJK runs as their
    bigrams, other text as words), and whether it is a lone CJK character (a prefix)."""
    terms = []
    for term in query.split():
        pieces: list[str] = []  # the term's tokens in order, CJK runs and words alike
        pos = 0
        for run in _CJK_RUN.finditer(term):
            pieces.extend(w.lower() for w in _WORD.findall(term[pos:run.start()]))
            text = run.group(0)
            pieces.extend([text[i:i + 2] for i in range(len(text) - 1)] if len(text) > 1 else [text + "*"])
            pos = run.end()
        pieces.extend(w.lower() for w in _WORD.findall(term[pos:]))
        if not pieces:
            continue
        prefix = len(pieces) == 1 and pieces[0].endswith("*")
        terms.append(([p.rstrip("*") for p in pieces], prefix))
    if not terms:
        raise SearchError(f"nothing to search for in {query!r}: give a word")
    return terms


def fts_query(query: str) -> str:
    """The FTS5 MATCH expression of a user's query: every whitespace-separated term must occur
    (AND); a term is matched as a phrase (its CJK runs as consecutive bigrams, its words as
    consecutive words), a lone CJK character as a prefix."""
    return " AND ".join(_quote(pieces) + ("*" if prefix else "") for pieces, prefix in _terms(query))


# --- the PostgreSQL form: tokens made here, as FTS5's unicode61 makes them -------------------

_NOT_CJK_RUN = re.compile(f"[^{_CJK}]+")
_TOKEN = re.compile(r"[^\W_]+")  # letters and digits (unicode61's token characters)
_MAX_LEXEME_BYTES = 2046  # a tsvector refuses longer words (FTS5 would index them: nobody searches them)


def _fold(text: str) -> str:
    """Lowercase, diacritics removed outside CJK (NFD there would split Hangul into jamo)."""
    def strip(match: re.Match[str]) -> str:
        return "".join(c for c in unicodedata.normalize("NFD", match.group(0)) if not unicodedata.combining(c))

    return _NOT_CJK_RUN.sub(strip, text).lower()


def lexemes(text: str | None) -> list[str]:
    """The tokens FTS5 indexes for ``text`` (its :func:`segment`, split and folded by unicode61), in
    order: what the PostgreSQL index stores."""
    return [t for t in _TOKEN.findall(_fold(segment(text))) if len(t.encode()) <= _MAX_LEXEME_BYTES]


def _pg_quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def pg_documents(title: str | None, body: str | None) -> list[str]:
    """The tsvector literals of one version, one per part: title tokens weight ``A``, body tokens
    weight ``D``, one position apart more between the two (no phrase spans them)."""
    stream: list[tuple[str, str] | None] = [(t, "A") for t in lexemes(title)]
    if stream:
        stream.append(None)
    stream.extend((t, "") for t in lexemes(body))
    parts = []
    step = PG_PART_TOKENS - PG_PART_OVERLAP
    for start in range(0, max(len(stream), 1), step):
        positions: dict[str, list[str]] = {}
        for pos, token in enumerate(stream[start:start + PG_PART_TOKENS], 1):
            if token is not None:
                positions.setdefault(token[0], []).append(f"{pos}{token[1]}")
        if positions:
            parts.append(" ".join(f"{_pg_quote(lex)}:{','.join(where)}" for lex, where in positions.items()))
        if start + PG_PART_TOKENS >= len(stream):
            break
    return parts


def pg_query(query: str) -> list[str]:
    """Each term of ``query`` as a tsquery (a phrase ``<->``, a lone CJK character ``:*``); the
    same terms as :func:`fts_query`, tokenized as :func:`lexemes` tokenizes the text."""
    out = []
    for pieces, prefix in _terms(query):
        tokens = [t for p in pieces for t in _TOKEN.findall(_fold(p))]
        if not tokens:
            continue
        out.append(_pg_quote(tokens[0]) + ":*" if prefix else " <-> ".join(map(_pg_quote, tokens)))
    if not out:
        raise SearchError(f"nothing to search for in {query!r}: give a word")
    return out


# --- keeping the index -----------------------------------------------------------------------


def _tokenizer(db: Any) -> str:
    return PG_TOKENIZER if is_pg(db) else TOKENIZER


@contextmanager
def _transaction(db: Any) -> Iterator[None]:
    if is_pg(db):
        with db.transaction():
            yield
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def ensure_tables(db: Any) -> None:
    """Create the index's tables if missing (additive; called when the store opens for writing:
    on PostgreSQL inside the store's schema lock, and only when something is missing, so a worker
    whose role does not own the tables runs no DDL)."""
    if is_pg(db):
        have = {r[0] for r in db.execute(
            "SELECT relname FROM pg_class WHERE relnamespace = current_schema()::regnamespace")}
        if not set(_PG_RELATIONS) <= have:
            db.execute(PG_TABLES)
            db.execute(PG_RANK_COLUMNS)
            # Ranking reads every matching document: lz4 decompresses it about twice as fast as the
            # default pglz (measured: benchmarks.search --pg), where the server is built with it.
            found = db.execute("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'").fetchone()
            if found and "lz4" in (found[0] or []):
                db.execute("ALTER TABLE search_fts ALTER COLUMN doc SET COMPRESSION lz4")
        if db.execute("SELECT 1 FROM search_meta WHERE key = 'tokenizer'").fetchone() is None:
            db.execute("INSERT INTO search_meta (key, value) VALUES ('tokenizer', ?) ON CONFLICT (key) DO NOTHING",
                       (PG_TOKENIZER,))
        return
    db.executescript(TABLES)
    db.execute("INSERT OR IGNORE INTO search_meta (key, value) VALUES ('tokenizer', ?)", (TOKENIZER,))


def index_version(db: Any, version_id: int, item: Mapping[str, Any]) -> None:
    """Index one stored version (inside the store's transaction: both commit, or neither)."""
    if is_pg(db):
        if db.execute("INSERT INTO search_docs (version_id) VALUES (?) ON CONFLICT DO NOTHING",
                      (version_id,)).rowcount:
            parts = pg_documents(item.get("title"), item.get("body"))
            if parts:
                db.executemany("INSERT INTO search_fts (version_id, part, doc) VALUES (?, ?, ?::tsvector)",
                               [(version_id, n, doc) for n, doc in enumerate(parts)])
        return
    if db.execute("SELECT 1 FROM search_docs WHERE version_id = ?", (version_id,)).fetchone():
        return
    db.execute("INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)",
               (version_id, segment(item.get("title")), segment(item.get("body"))))
    db.execute("INSERT INTO search_docs (version_id) VALUES (?)", (version_id,))


def has_index(db: Any) -> bool:
    if is_pg(db):
        found: bool = db.execute("SELECT to_regclass('search_docs') IS NOT NULL").fetchone()[0]  # a boolean column
        return found
    return db.execute("SELECT 1 FROM sqlite_master WHERE name = 'search_docs'").fetchone() is not None


@dataclass(frozen=True)
class Coverage:
    versions: int
    indexed: int
    tokenizer: str | None
    expected: str = TOKENIZER  # the segmentation this release writes on this backend

    @property
    def current(self) -> bool:
        return self.indexed >= self.versions and self.tokenizer == self.expected


def coverage(db: Any) -> Coverage:
    versions = int(db.execute("SELECT count(*) FROM article_versions").fetchone()[0])
    if not has_index(db):
        return Coverage(versions, 0, None, _tokenizer(db))
    indexed = int(db.execute("SELECT count(*) FROM search_docs").fetchone()[0])
    row = db.execute("SELECT value FROM search_meta WHERE key = 'tokenizer'").fetchone()
    return Coverage(versions, indexed, row[0] if row else None, _tokenizer(db))


def rebuild(db: Any, *, full: bool = False, batch: int = 2000) -> int:
    """Index every version not indexed yet (all of them with ``full``, or when the tokenizer
    changed), in one transaction per ``batch`` versions; returns how many were indexed. Only the
    index's own tables are written."""
    ensure_tables(db)
    tokenizer = _tokenizer(db)
    found = db.execute("SELECT value FROM search_meta WHERE key = 'tokenizer'").fetchone()
    if is_pg(db) and not full and found and found[0] == PG_TOKENIZER_1:
        # The same tokens: the ranking columns are added (generated from each row's document by
        # the server, one table rewrite), nothing is segmented again.
        with _transaction(db):
            db.execute(PG_RANK_COLUMNS)
            db.execute("UPDATE search_meta SET value = ? WHERE key = 'tokenizer'", (tokenizer,))
        db.execute("ANALYZE search_fts")
        found = (tokenizer,)
    if full or (found and found[0] != tokenizer):
        with _transaction(db):
            db.execute("DELETE FROM search_docs")
            if is_pg(db):
                db.execute("DELETE FROM search_fts")
                db.execute(PG_RANK_COLUMNS)  # a pg-1 table rebuilt in full gains them too
            else:
                db.execute("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
            db.execute("INSERT INTO search_meta (key, value) VALUES ('tokenizer', ?)"
                       " ON CONFLICT (key) DO UPDATE SET value = excluded.value", (tokenizer,))
    done, last = 0, 0
    while True:
        rows = db.execute(
            "SELECT v.id, v.item_json FROM article_versions v WHERE v.id > ?"
            " AND NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.version_id = v.id) ORDER BY v.id LIMIT ?",
            (last, batch),
        ).fetchall()
        if not rows:
            return done
        items = [(version_id, json.loads(item_json)) for version_id, item_json in rows]
        with _transaction(db):
            if is_pg(db):
                for vid, item in items:
                    index_version(db, vid, item)
            else:
                db.executemany("INSERT INTO search_fts (rowid, title, body) VALUES (?, ?, ?)",
                               [(vid, segment(item.get("title")), segment(item.get("body"))) for vid, item in items])
                db.executemany("INSERT INTO search_docs (version_id) VALUES (?)", [(vid,) for vid, _ in items])
        done += len(rows)
        last = rows[-1][0]


# --- searching -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    url: str
    site: str
    title: str | None
    published: str | None
    version: int  # the version that matched
    latest_version: int
    snippet: str  # plain text; the matched words between MARK_START and MARK_END
    rank: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


MARK_START, MARK_END = "\x02", "\x03"


def search(
    db: Any,
    query: str,
    *,
    site: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 20,
    snippet_chars: int = 120,
) -> list[Hit]:
    """The best ``limit`` articles for ``query`` (BM25 on SQLite, ``ts_rank`` on PostgreSQL; a title
    hit weighing 10 body hits), one hit
    per article (its latest version when that matches, else its best-ranked matching one),
    optionally of one site and published within [since, until] (the dates as printed, inclusive)."""
    pg = is_pg(db)
    if pg:
        terms = pg_query(query)
        match: tuple[Any, ...] = (" | ".join(f"({t})" for t in terms), *([] if len(terms) == 1 else terms))
    else:
        match = (fts_query(query),)
    if not has_index(db):
        return []
    if pg and _pg_ranking_columns(db):
        return _hits(db, _PgRanked(db, terms), query, site, since, until, limit, snippet_chars)
    # The index ranks alone (a join inside the ranked query made SQLite join every match before
    # the LIMIT: 0.4 s at 100k articles); the best rows are then looked up and filtered, asking the
    # index for more while too few pass (several versions of one article, or the filters).
    if pg and len(match) == 1:
        # One term: each matching part ranked (a version's best part stands for it; most versions
        # are one part). No grouping: it cost as much again as the ranking itself.
        ranked_sql = (f"SELECT version_id, -ts_rank({_PG_WEIGHTS}, doc, q, 1) AS score"
                      " FROM search_fts, (SELECT ?::tsquery AS q) query WHERE doc @@ q"
                      " ORDER BY score, version_id LIMIT ? OFFSET ?")
    elif pg:
        # Parts holding any term, ranked and summed per version; every term in some part of it.
        every = " AND ".join(["bool_or(doc @@ ?::tsquery)"] * (len(match) - 1))
        ranked_sql = (f"SELECT version_id, -sum(ts_rank({_PG_WEIGHTS}, doc, q, 1)) AS score"
                      " FROM search_fts, (SELECT ?::tsquery AS q) query WHERE doc @@ q"
                      f" GROUP BY version_id HAVING {every} ORDER BY score, version_id LIMIT ? OFFSET ?")
    else:
        ranked_sql = (f"SELECT rowid, bm25(search_fts, {_TITLE_WEIGHT}, {_BODY_WEIGHT}) AS score FROM search_fts"
                      " WHERE search_fts MATCH ? ORDER BY score LIMIT ? OFFSET ?")
    return _hits(db, _SqlRanked(db, ranked_sql, match), query, site, since, until, limit, snippet_chars)


class _SqlRanked:
    """Pages of ``(version id, score)``, best first, from one ranked query (``LIMIT ? OFFSET ?``)."""

    def __init__(self, db: Any, sql: str, match: tuple[Any, ...]) -> None:
        self.db, self.sql, self.match, self.done = db, sql, match, 0

    def page(self, size: int) -> tuple[list[tuple[int, float]], bool]:
        """The next ``size`` versions, and whether there may be more."""
        ranked = [(r[0], r[1]) for r in self.db.execute(self.sql, (*self.match, size, self.done)).fetchall()]
        self.done += len(ranked)
        return ranked, len(ranked) == size


#: Candidates ranked exactly per requested result on PostgreSQL (see :class:`_PgRanked`).
PG_CANDIDATES = 5


class _PgRanked:
    """PostgreSQL ranking that reads only the best candidates' documents (index form ``pg-2``).

    ``ts_rank`` must read (de-TOAST, decompress) every document it ranks: ranking every match of a
    common word read most of the index (0.45-0.55 s a query at 100k articles), and so did checking
    a phrase (a GIN index knows no positions). Here the candidates come first, from the indexes and
    the small ranking columns only, in the order ``ts_rank`` gives in practice: a title hit outranks
    any body-only hit (a title position weighs 1, the first body occurrence 0.1; both divided by
    the log of the length, which differs by far less than 10 times), then shorter parts first (the
    length normalisation). Versions with a title hit (the title's GIN index, the phrase itself)
    are taken first, then the others holding every term's lexemes (the document's GIN index, exact
    without a recheck); only each page of :data:`PG_CANDIDATES` × the page's size is ranked by
    ``ts_rank`` over its documents, where each term is also checked as the phrase it is.
    """

    def __init__(self, db: Any, terms: list[str]) -> None:
        self.db = db
        self.terms = terms
        self.any = " | ".join(f"({t})" for t in terms)
        # A phrase's lexemes, all of them, in any order: what the GIN index answers exactly.
        self.every = [" & ".join(sorted(set(re.findall(r"'(?:[^']|'')*'(?::\*)?", t)))) for t in terms]
        self.tier, self.offset = 0, 0
        self.taken: set[int] = set()

    def _candidates(self, size: int) -> tuple[list[int], bool]:
        if self.tier == 0:
            rows = self.db.execute(
                "SELECT version_id FROM search_fts WHERE title @@ ?::tsquery ORDER BY lexemes, version_id"
                " LIMIT ? OFFSET ?", (self.any, size, self.offset)).fetchall()
        elif len(self.every) == 1:
            rows = self.db.execute(
                "SELECT version_id FROM search_fts WHERE doc @@ ?::tsquery ORDER BY lexemes, version_id"
                " LIMIT ? OFFSET ?", (self.every[0], size, self.offset)).fetchall()
        else:  # every term somewhere in the version (a long article's parts): the versions in common
            common = " INTERSECT ".join(["SELECT version_id FROM search_fts WHERE doc @@ ?::tsquery"] * len(self.every))
            rows = self.db.execute(
                f"SELECT version_id FROM search_fts WHERE version_id IN ({common})"
                " GROUP BY version_id ORDER BY min(lexemes), version_id LIMIT ? OFFSET ?",
                (*self.every, size, self.offset)).fetchall()
        self.offset += len(rows)
        more = len(rows) == size
        if not more and self.tier == 0:
            self.tier, self.offset, more = 1, 0, True
        ids = [r[0] for r in rows if r[0] not in self.taken]
        self.taken.update(ids)
        return ids, more

    def page(self, size: int) -> tuple[list[tuple[int, float]], bool]:
        ids: list[int] = []
        more = True
        while more and len(ids) < size * PG_CANDIDATES:
            found, more = self._candidates(size * PG_CANDIDATES - len(ids))
            ids += found
        if not ids:
            return [], more
        every = " AND ".join(["bool_or(doc @@ ?::tsquery)"] * len(self.terms))
        ranked = self.db.execute(
            f"SELECT version_id, -sum(ts_rank({_PG_WEIGHTS}, doc, q, 1)) AS score"
            " FROM search_fts, (SELECT ?::tsquery AS q) query WHERE version_id = ANY(?)"
            f" GROUP BY version_id HAVING {every} ORDER BY score, version_id",
            (self.any, ids, *self.terms)).fetchall()
        return [(r[0], float(r[1])) for r in ranked], more


def _pg_ranking_columns(db: Any) -> bool:
    """Whether the PostgreSQL index has its ranking columns (form ``pg-2``); an index of an earlier
    release is searched the first way until ``scrapy search --rebuild`` adds them."""
    row = db.execute("SELECT value FROM search_meta WHERE key = 'tokenizer'").fetchone()
    return row is not None and row[0] == PG_TOKENIZER


def _hits(db: Any, ranked: _SqlRanked | _PgRanked, query: str, site: str | None, since: date | None,
          until: date | None, limit: int, snippet_chars: int) -> list[Hit]:
    """The best ``limit`` articles from ``ranked`` pages: the versions looked up, filtered (site,
    published dates), one hit per article, asking for more pages while too few pass."""
    pg = is_pg(db)
    low, high = (since.isoformat() if since else None), (until.isoformat() if until else None)
    meta_sql = ("SELECT v.id, v.url, v.site, v.version, v.published, a.latest_version FROM article_versions v"
                " JOIN articles a ON a.url = v.url WHERE v.id " + ("= ANY(?)" if pg else "IN (SELECT value FROM json_each(?))"))
    seen: dict[str, tuple[int, int, int, str, float]] = {}
    fetch = limit * 3
    while True:
        page, more = ranked.page(fetch)
        ids = [r[0] for r in page]
        meta = {row[0]: row for row in db.execute(meta_sql, (ids if pg else json.dumps(ids),))} if ids else {}
        for vid, rank in page:
            if vid not in meta:
                continue
            _, url, site_, version, published, latest = meta[vid]
            day = (published or "")[:10]
            if (site is not None and site_ != site) or (low and not (published and day >= low)) or (
                    high and not (published and day <= high)):
                continue
            if url not in seen:
                seen[url] = (vid, version, latest, site_, rank)
            elif version == latest:  # the latest version matches too: show it, at the best one's place
                seen[url] = (vid, version, latest, site_, seen[url][4])
        if len(seen) >= limit or not more:
            break
        fetch *= 4
    hits = []
    terms = query.split()
    for url, (vid, version, latest, site_, rank) in list(seen.items())[:limit]:
        item = json.loads(db.execute("SELECT item_json FROM article_versions WHERE id = ?", (vid,)).fetchone()[0])
        hits.append(Hit(url, site_, item.get("title"), item.get("published"), int(version), int(latest),
                        snippet(item.get("title") or "", item.get("body") or "", terms, snippet_chars), float(rank)))
    return hits


def snippet(title: str, body: str, terms: list[str], width: int = 120) -> str:
    """About ``width`` characters of the body around the first matched term, every term marked;
    the body's start when only the title matched."""
    lowered = body.lower()
    needles = [t.lower() for t in terms if t]
    found = [i for i in (lowered.find(n) for n in needles) if i >= 0]
    start = max(0, min(found) - width // 3) if found else 0
    piece = body[start:start + width]
    text = ("…" if start else "") + piece.replace("\n", " ") + ("…" if start + width < len(body) else "")
    if not needles:
        return text
    pattern = re.compile("|".join(re.escape(n) for n in sorted(set(needles), key=len, reverse=True)), re.IGNORECASE)
    return pattern.sub(lambda m: MARK_START + m.group(0) + MARK_END, text)


def marked(text: str, start: str, end: str) -> str:
    """A snippet with its marks replaced (``[``/``]`` on a terminal, ``<mark>`` in HTML: escape first)."""
    return text.replace(MARK_START, start).replace(MARK_END, end)
