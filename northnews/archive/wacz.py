"""WACZ packaging: ``northnews-archive wacz OUT.wacz`` turns an archive into one file that
replayweb.page (and any WACZ reader: pywb, py-wacz) opens.

Written to the WACZ 1.1.1 spec (https://specs.webrecorder.net/wacz/1.1.1/) with the standard
library, our own CDXJ indexer (identical to ``cdxj-indexer``'s, see ``cdxj.py``) and
``cdxj-indexer``'s compressed-index writer; the tests check the result with py-wacz's own ``wacz
validate`` and open it in replayweb.page in Chromium. Layout of the ZIP:

- ``archive/<name>.warc.gz``: every closed WARC of the archive, byte for byte, ZIP-stored (a
  reader seeks into them by offset); ``.open`` files of a running or killed crawl are left out;
- ``indexes/index.cdx.gz`` + ``indexes/index.idx``: a compressed ("ZipNum") CDXJ index of every
  response, revisit, resource and metadata record, in blocks of ``INDEX_BLOCK_LINES`` lines, each
  block its own gzip member, and the secondary index naming each block's first key, offset,
  length and sha256 (``!meta`` header ``cdxj-gzip-1.0``), as py-wacz and browsertrix write it;
- ``pages/pages.jsonl``: the articles: ``{"id", "url", "ts", "title", "text"}``, header
  ``{"format": "json-pages-1.0", "id": "pages", "title": "Articles", "hasText": true}``.
  ``title`` is the clean title, ``text`` the body as space-separated words (Chinese segmented by
  :func:`northnews.util.segment.search_words`: replayweb.page's search matches whole words split
  on spaces and punctuation, and reads ``text`` only when the header says ``hasText``). Pages
  come, in this order, from the store of record (``northnews.sqlite3``: the latest version of
  each article, at the record its WARC pointer names), from the crawl's feed
  (``articles.jsonl``), or, for an archive with neither (WARCs from elsewhere), from every HTML
  page archived with status 200, titled by its ``<title>`` (no ``text`` then);
- ``datapackage.json`` (Frictionless data package: every file's path, size and ``sha256:``
  digest, ``wacz_version``, ``software``, ``created``) and ``datapackage-digest.json`` (the
  digest of ``datapackage.json`` itself).

**ZIP64 only where a member needs it.** Every member is written with its size known before its
local header (the WARCs' from the file system, the index and pages from temporary files), so
``zipfile`` adds ZIP64 fields only to a member of 4 GiB or more, or one lying beyond 4 GiB.
``force_zip64=True`` on every member (release 0.2.0) passes ``wacz validate`` but replayweb.page
2.5.3 refuses it ("… is not valid JSON").

**Flat memory.** Each WARC's sorted CDXJ index is the one beside it (written when the file was
closed) when it is up to date, else built in one pass by :func:`northnews.archive.cdxj.index_file`
(sorted in bounded runs) into a temporary directory; the per-file indexes are merged as a stream
into the compressed index. pages.jsonl is written row by row from a store cursor (or the feed),
each page's capture read at its WARC pointer (one seek). What is held: one index block, one page,
the block table (``index.idx``: a line per 1,024 index lines), and jieba's dictionary.

Pure archive code: no Scrapy, no knowledge of the portal's URL shapes.
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import io
import json
import re
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import timestamp_to_iso_date

from northnews import __version__
from northnews.archive import cdxj
from northnews.archive.cdxj import timestamp14
from northnews.archive.paths import index_path
from northnews.util import safewrite
from northnews.util.segment import search_words

WACZ_VERSION = "1.1.1"
PAGES_FORMAT = "json-pages-1.0"
# Lines per compressed index block: a reader fetches one block per lookup (py-wacz uses 1024).
INDEX_BLOCK_LINES = 1024
STORE_NAME = "northnews.sqlite3"
FEED_NAME = "articles.jsonl"
_TITLE = re.compile(rb"<title[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_BUF = 1 << 20


class WaczError(Exception):
    """The archive cannot be packaged (no WARC, clashing file names, ...)."""


@dataclass
class Page:
    url: str
    ts: str  # 14-digit timestamp of the capture to open
    title: str
    text: str | None = None  # the body as words for search (see search_words), or None

    def as_json(self) -> dict[str, str]:
        pid = hashlib.sha1(f"{self.ts}/{self.url}".encode()).hexdigest()[:24]
        row = {"id": pid, "url": self.url, "ts": timestamp_to_iso_date(self.ts), "title": self.title}
        if self.text is not None:
            row["text"] = self.text
        return row


@dataclass
class WaczSummary:
    path: Path
    warcs: list[str]
    index_lines: int
    pages: int
    pages_source: str
    # Articles of the store/feed whose capture is not in any packaged WARC.
    pages_missing: list[str] = field(default_factory=list)
    skipped_open: list[str] = field(default_factory=list)
    damaged: list[str] = field(default_factory=list)  # damage read past (every intact record kept)


def warc_files(archive: Path) -> tuple[list[Path], list[Path]]:
    """(closed WARC files, ``.open`` files) under an archive dir, its ``warc/`` dir, or one file."""
    if archive.is_file():
        return [archive], []
    root = archive / "warc" if (archive / "warc").is_dir() else archive
    files = sorted(p for p in root.rglob("*") if p.is_file())
    closed = [p for p in files if p.name.endswith((".warc.gz", ".warc"))]
    still_open = [p for p in files if p.name.endswith((".warc.gz.open", ".warc.open"))]
    return closed, still_open


def archive_dir(path: Path) -> Path:
    """The archive dir (where the store and the feed are) of a path given to :func:`create`."""
    folder = path.parent if path.is_file() else path
    if folder.name == "warc" and not (folder / "warc").is_dir():
        return folder.parent
    return folder


def index_warcs(warcs: dict[str, Path], tmp: Path, damaged: list[str] | None = None) -> list[Path]:
    """Each WARC's sorted CDXJ index (``filename`` = the base name, which is the file's path under
    the WACZ's ``archive/``): the one beside it when it is as new as the file and names it so
    (the writer's, or ``northnews-archive index``'s), else one built into ``tmp``. Both read past
    damage (every intact record indexed, :func:`northnews.archive.cdxj.reindex`); what was read
    past is appended to ``damaged``."""
    out: list[Path] = []
    for number, (name, warc) in enumerate(sorted(warcs.items())):
        beside = _usable_index(warc, name)
        if beside is not None:
            out.append(beside)
            found = cdxj.recorded_damage(warc)
        else:
            done = cdxj.reindex(warc, tmp / f"{number}.cdxj")
            out.append(done.path)
            found = done.scan.damages
        if damaged is not None:
            damaged.extend(f"{name}: {damage.describe()}" for damage in found)
    return out


def _usable_index(warc: Path, name: str) -> Path | None:
    beside = index_path(warc)
    try:
        if beside.stat().st_mtime < warc.stat().st_mtime:
            return None
        with open(beside, encoding="utf-8") as fh:
            first = fh.readline()
        if not first:
            return None
        return beside if json.loads(first.split(" ", 2)[2]).get("filename") == name else None
    except (OSError, ValueError, IndexError):
        return None


def merged(indexes: list[Path]) -> Iterator[str]:
    """The lines of sorted indexes in sort order, streamed, each once."""
    with ExitStack() as stack:
        handles = [stack.enter_context(open(p, encoding="utf-8")) for p in indexes]
        last = None
        for line in heapq.merge(*handles):
            if line != last:  # the same record indexed twice: once
                yield line
            last = line


# --- pages --------------------------------------------------------------------------------------

#: A page source row: (url, title, warc file, offset, body or None).
Row = tuple[str, str | None, str | None, Any, str | None]


class PageSource:
    """Where pages come from: rows read one at a time, never held."""

    name = ""

    def rows(self) -> Iterator[Row]:
        raise NotImplementedError


class StoreSource(PageSource):
    name = "store"
    _QUERY = (
        "SELECT v.url, v.title, v.warc_file, v.warc_offset, v.item_json FROM article_versions v"
        " JOIN (SELECT url, MAX(version) AS version FROM article_versions GROUP BY url) latest"
        " ON latest.url = v.url AND latest.version = v.version ORDER BY v.url"
    )

    def __init__(self, store: Path) -> None:
        self.store = store

    @classmethod
    def open(cls, store: Path) -> StoreSource | None:
        """The store of record, or None without a store (or an empty one, or not a store)."""
        if not store.is_file():
            return None
        try:
            with _read_only(store) as db:
                found = db.execute("SELECT 1 FROM article_versions LIMIT 1").fetchone()
        except sqlite3.Error:
            return None
        return cls(store) if found else None

    def rows(self) -> Iterator[Row]:
        with _read_only(self.store) as db:
            for url, title, file, offset, item_json in db.execute(self._QUERY):
                yield url, title, file, offset, _body(item_json)


class _read_only:
    def __init__(self, store: Path) -> None:
        self.db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)

    def __enter__(self) -> sqlite3.Connection:
        return self.db

    def __exit__(self, *exc: object) -> None:
        self.db.close()


def _body(item_json: str | None) -> str | None:
    try:
        body = json.loads(item_json).get("body") if item_json else None
    except (ValueError, AttributeError):
        return None
    return body if isinstance(body, str) else None


class FeedSource(PageSource):
    name = "feed"

    def __init__(self, feed: Path) -> None:
        self.feed = feed

    @classmethod
    def open(cls, feed: Path) -> FeedSource | None:
        if not feed.is_file():
            return None
        source = cls(feed)
        return source if next(source.rows(), None) is not None else None

    def rows(self) -> Iterator[Row]:
        with open(self.feed, encoding="utf-8") as fh:
            for text in fh:
                if not text.strip():
                    continue
                item = json.loads(text)
                pointer = item.get("warc") or {}
                body = item.get("body")
                yield (item.get("url"), item.get("title"), pointer.get("file"), pointer.get("offset"),
                       body if isinstance(body, str) else None)


def html_title(body: bytes, http_charset: str | None = None) -> str | None:
    """The page's ``<title>``, decoded by its declared charset when that fits the bytes, else as
    UTF-8, else as GB18030 (the superset of GBK/GB2312 that Chinese portals write undeclared)."""
    match = _TITLE.search(body[:65536])
    if not match:
        return None
    raw = match.group(1)
    declared = _CHARSET.search(body[:4096])
    candidates = [c for c in (declared.group(1).decode("ascii") if declared else None, http_charset) if c]
    for encoding in [*candidates, "utf-8", "gb18030"]:
        if encoding.lower() in ("gb2312", "gbk"):
            encoding = "gb18030"
        try:
            text = raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
        return " ".join(unescape(text).split()) or None
    return None


def html_page(warcs: dict[str, Path], url: str, fields: dict[str, Any], timestamp: str) -> Page:
    """The page of an archived HTML response, titled by its ``<title>``."""
    with open(warcs[fields["filename"]], "rb") as fh:
        fh.seek(int(fields["offset"]))
        record = next(iter(ArchiveIterator(fh)))
        body = record.content_stream().read()
        content_type = record.http_headers.get_header("Content-Type") if record.http_headers else None
    charset = _CHARSET.search(content_type.encode("latin-1")) if content_type else None
    title = html_title(body, charset.group(1).decode("ascii") if charset else None)
    return Page(url, timestamp, title or url)


def html_pages(warcs: dict[str, Path], lines: Iterable[str]) -> Iterator[Page]:
    """Without a store or feed: the latest HTML 200 capture of each URL, titled by its
    ``<title>``. Lines come sorted by key then time, so a URL's captures are adjacent (URLs that
    share a key, ``www.`` or not, interleave): one key's URLs are held at a time."""
    group_key = None
    latest: dict[str, tuple[str, dict[str, Any]]] = {}
    for line in lines:
        key, timestamp, raw = line.split(" ", 2)
        if key != group_key:
            yield from (html_page(warcs, url, fields, ts) for url, (ts, fields) in sorted(latest.items()))
            group_key, latest = key, {}
        if '"text/html"' in raw:
            fields = json.loads(raw)
            if fields.get("mime") == "text/html" and fields.get("status") == "200":
                latest[fields["url"]] = (timestamp, fields)  # the last wins: the latest
    yield from (html_page(warcs, url, fields, ts) for url, (ts, fields) in sorted(latest.items()))


class _Captures:
    """The capture a (file, offset) pointer names, read from the WARC: (timestamp, url), or None
    when the file is not packaged or no response/revisit starts there. One seek per article,
    nothing held but an open handle per file."""

    def __init__(self, warcs: dict[str, Path]) -> None:
        self.warcs = warcs
        self.stack = ExitStack()
        self.handles: dict[str, IO[bytes]] = {}

    def at(self, file: str | None, offset: Any) -> tuple[str, str] | None:
        name = Path(file).name if file else None
        if name not in self.warcs or offset is None:
            return None
        fh = self.handles.get(name)
        if fh is None:
            fh = self.handles[name] = self.stack.enter_context(open(self.warcs[name], "rb"))
        try:
            fh.seek(int(offset))
            record = next(iter(ArchiveIterator(fh)))
        except Exception:  # noqa: BLE001 - whatever is there, it is not the capture
            return None
        if record.rec_type not in ("response", "revisit"):
            return None
        date, url = record.rec_headers.get_header("WARC-Date"), record.rec_headers.get_header("WARC-Target-URI")
        return (timestamp14(date), url) if date and url else None


def source_pages(source: PageSource, warcs: dict[str, Path], missing: list[str]) -> Iterator[Page]:
    """A page per row whose capture is in the packaged WARCs (the others' URLs to ``missing``)."""
    captures = _Captures(warcs)
    with captures.stack:
        for url, title, file, offset, body in source.rows():
            hit = captures.at(file, offset)
            if hit is None:
                missing.append(url)
                continue
            timestamp, captured = hit
            yield Page(captured or url, timestamp, title or url, search_words(body) if body is not None else None)


# --- the ZIP ------------------------------------------------------------------------------------


class _HashingWriter(io.RawIOBase):
    """Wraps a ZIP member's stream: counts and sha256-hashes what goes through."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out
        self.sha256 = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        data = bytes(data)
        self.sha256.update(data)
        self.size += len(data)
        self.out.write(data)
        return len(data)


def _zip_info(path: str, moment: datetime, compress: bool, size: int = 0) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=moment.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    # The size known before the local header: zipfile writes ZIP64 fields only if it needs them.
    info.file_size = size
    return info


class _Package:
    def __init__(self, zf: zipfile.ZipFile, moment: datetime) -> None:
        self.zf = zf
        self.moment = moment
        self.resources: list[dict[str, Any]] = []

    def add_file(self, path: str, source: Path, *, compress: bool) -> None:
        info = _zip_info(path, self.moment, compress, source.stat().st_size)
        with self.zf.open(info, "w") as member, open(source, "rb") as fh:
            writer = _HashingWriter(member)
            while chunk := fh.read(_BUF):
                writer.write(chunk)
        self._resource(path, writer)

    def add_bytes(self, path: str, data: bytes, *, compress: bool) -> None:
        with self.zf.open(_zip_info(path, self.moment, compress, len(data)), "w") as member:
            writer = _HashingWriter(member)
            writer.write(data)
        self._resource(path, writer)

    def _resource(self, path: str, writer: _HashingWriter) -> None:
        self.resources.append({
            "name": Path(path).name.lower(),
            "path": path,
            "hash": "sha256:" + writer.sha256.hexdigest(),
            "bytes": writer.size,
        })


def write_index(lines: Iterable[str], data_path: Path) -> tuple[str, int]:
    """The compressed index of sorted ``lines`` to ``data_path``; returns (index.idx text, lines)."""
    # Imported here: cdxj_indexer brings pyamf and pkg_resources (about 0.25 s of CPU), which every
    # other command of northnews-archive (the parser registers this one's arguments) does without.
    from cdxj_indexer.main import CompressedWriter

    idx = io.StringIO()
    count = 0
    with open(data_path, "wb") as data:
        writer = CompressedWriter(idx, data, num_lines=INDEX_BLOCK_LINES, data_out_name="index.cdx.gz",
                                  digest_records=True)
        for line in lines:
            writer.write(line)
            count += 1
        if writer.block:
            writer.flush()
    return idx.getvalue(), count


def write_pages(pages: Iterable[Page], out: Path, title: str) -> int:
    """``pages.jsonl``, one page at a time (rows to a side file first: the header's ``hasText``
    says whether any page has text, known at the end)."""
    count, has_text = 0, False
    rows = out.with_name(out.name + ".rows")
    with open(rows, "w", encoding="utf-8", newline="\n") as fh:
        for page in pages:
            row = page.as_json()
            has_text = has_text or "text" in row
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    head: dict[str, Any] = {"format": PAGES_FORMAT, "id": "pages", "title": title}
    if has_text:
        head["hasText"] = True
    with open(out, "wb") as dest, open(rows, "rb") as src:
        dest.write(json.dumps(head, ensure_ascii=False).encode("utf-8") + b"\n")
        while chunk := src.read(_BUF):
            dest.write(chunk)
    rows.unlink()
    return count


def create(
    archive: str | Path,
    out: str | Path,
    *,
    title: str | None = None,
    description: str | None = None,
    main_url: str | None = None,
    now: datetime | None = None,
) -> WaczSummary:
    """Package ``archive`` (an archive dir, its ``warc/`` dir, or one WARC) into ``out``."""
    archive = Path(archive)
    out = Path(out)
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    closed, still_open = warc_files(archive)
    if not closed:
        raise WaczError(f"no closed WARC file under {archive}")
    by_name: dict[str, Path] = {}
    for path in closed:
        if path.name in by_name:
            raise WaczError(f"two WARC files are named {path.name}: {by_name[path.name]} and {path}")
        by_name[path.name] = path
    damaged: list[str] = []
    base = archive_dir(archive)
    source: PageSource | None = StoreSource.open(base / STORE_NAME) or FeedSource.open(base / FEED_NAME)
    title = title or f"northnews archive {base.resolve().name}"
    safewrite.check_target(out)  # a link, FIFO or device is refused before any work
    with tempfile.TemporaryDirectory(prefix="wacz-", dir=out.parent) as tmpname:
        tmp = Path(tmpname)
        indexes = index_warcs(by_name, tmp, damaged)
        idx, count = write_index(merged(indexes), tmp / "index.cdx.gz")
        missing: list[str] = []
        if source is not None:
            pages: Iterable[Page] = source_pages(source, by_name, missing)
        else:
            pages = html_pages(by_name, merged(indexes))
        npages = write_pages(pages, tmp / "pages.jsonl", "Articles")
        with safewrite.replacing(out, "wb") as fh, zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
            package = _Package(zf, moment)
            for name, path in sorted(by_name.items()):
                package.add_file(f"archive/{name}", path, compress=False)
            package.add_file("indexes/index.cdx.gz", tmp / "index.cdx.gz", compress=False)
            package.add_bytes("indexes/index.idx", idx.encode("utf-8"), compress=True)
            package.add_file("pages/pages.jsonl", tmp / "pages.jsonl", compress=True)
            datapackage: dict[str, Any] = {
                "profile": "data-package",
                "resources": package.resources,
                "wacz_version": WACZ_VERSION,
                "software": f"northnews/{__version__}",
                "created": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "title": title,
            }
            if description:
                datapackage["description"] = description
            if main_url:
                datapackage["mainPageURL"] = main_url
            raw = json.dumps(datapackage, indent=2, ensure_ascii=False).encode("utf-8")
            zf.writestr(_zip_info("datapackage.json", moment, True), raw)
            digest = {"path": "datapackage.json", "hash": "sha256:" + hashlib.sha256(raw).hexdigest()}
            zf.writestr(_zip_info("datapackage-digest.json", moment, True), json.dumps(digest, indent=2))
    return WaczSummary(out, sorted(by_name), count, npages, source.name if source else "html", missing,
                       [str(p) for p in still_open], damaged)


# --- command line -------------------------------------------------------------------------------


def cmd_wacz(args: argparse.Namespace) -> int:
    source = Path(args.path or args.archive_dir)
    try:
        summary = create(source, args.output, title=args.title, description=args.description,
                         main_url=args.main_url)
    except WaczError as exc:
        print(f"northnews-archive wacz: {exc}")
        return 1
    except (OSError, safewrite.NotOurs) as exc:  # only our files (northnews.util.safewrite)
        print(f"northnews-archive wacz: error: {exc}")
        return 2 if isinstance(exc, safewrite.NotOurs) else 1
    for name in summary.skipped_open:
        print(f"skipped (still open): {name}")
    print(f"{summary.path}: {len(summary.warcs)} WARC file(s), {summary.index_lines} index lines,"
          f" {summary.pages} pages (titles from the {summary.pages_source})")
    if summary.pages_missing:
        print(f"{len(summary.pages_missing)} article(s) of the {summary.pages_source} have no capture in these WARCs:")
        for url in summary.pages_missing[:20]:
            print(f"  {url}")
    for damage in summary.damaged:
        print(f"northnews-archive wacz: {damage}")
    return 1 if summary.damaged else 0


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    """Register ``wacz`` on ``northnews-archive``'s sub-command parser."""
    p = sub.add_parser("wacz", parents=[common], help="package the archive as one WACZ file (replayweb.page)")
    p.add_argument("output", metavar="OUT.wacz", help="the WACZ file to write")
    p.add_argument("path", nargs="?", help="archive dir, warc/ dir or one WARC (default: the archive dir)")
    p.add_argument("--title", help="the package's title (default: 'northnews archive <dir name>')")
    p.add_argument("--description", help="the package's description")
    p.add_argument("--main-url", help="the page a reader opens first (mainPageURL)")
    p.set_defaults(func=cmd_wacz)
