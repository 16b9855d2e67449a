"""WACZ packaging: ``northnews-archive wacz OUT.wacz`` turns an archive into one file that
replayweb.page (and any WACZ reader) opens.

Written to the WACZ 1.1.1 spec (https://specs.webrecorder.net/wacz/1.1.1/) with the standard
library and ``cdxj-indexer`` (pywb's indexer, already a dependency), so packaging needs nothing
more; the tests check the result with py-wacz's own ``wacz validate``. Layout of the ZIP:

- ``archive/<name>.warc.gz``: every closed WARC of the archive, byte for byte, ZIP-stored (a
  reader seeks into them by offset); ``.open`` files of a running or killed crawl are left out;
- ``indexes/index.cdx.gz`` + ``indexes/index.idx``: a compressed ("ZipNum") CDXJ index of every
  response, revisit, resource and metadata record, in blocks of ``INDEX_BLOCK_LINES`` lines, each
  block its own gzip member, and the secondary index naming each block's first key, offset,
  length and sha256 (``!meta`` header ``cdxj-gzip-1.0``), as py-wacz and browsertrix write it;
- ``pages/pages.jsonl``: the articles, with their titles and the capture to open
  (``{"id", "url", "ts", "title"}``; header ``json-pages-1.0``). Titles come, in this order,
  from the store of record (``northnews.sqlite3``: the latest version of each article, at the
  record its WARC pointer names), from the crawl's feed (``articles.jsonl``), or, for an archive
  with neither (WARCs from elsewhere), from the ``<title>`` of every HTML page archived with
  status 200;
- ``datapackage.json`` (Frictionless data package: every file's path, size and ``sha256:``
  digest, ``wacz_version``, ``software``, ``created``) and ``datapackage-digest.json`` (the
  digest of ``datapackage.json`` itself).

Pure archive code: no Scrapy, no knowledge of the portal's URL shapes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import re
import sqlite3
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import unescape
from pathlib import Path
from typing import IO, Any

from cdxj_indexer.main import CDXJIndexer, CompressedWriter
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import timestamp_to_iso_date

from northnews import __version__
from northnews.archive import cdxj
from northnews.util import safewrite

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
class IndexLine:
    key: str
    timestamp: str
    fields: dict[str, Any]
    raw: str

    @classmethod
    def parse(cls, line: str) -> IndexLine:
        key, timestamp, data = line.rstrip("\n").split(" ", 2)
        return cls(key, timestamp, json.loads(data), line if line.endswith("\n") else line + "\n")


@dataclass
class Page:
    url: str
    ts: str  # 14-digit timestamp of the capture to open
    title: str

    def as_json(self) -> dict[str, str]:
        pid = hashlib.sha1(f"{self.ts}/{self.url}".encode()).hexdigest()[:24]
        return {"id": pid, "url": self.url, "ts": timestamp_to_iso_date(self.ts), "title": self.title}


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


def index_lines(warcs: Iterable[Path], damaged: list[str] | None = None) -> list[IndexLine]:
    """Sorted CDXJ lines of the WARCs, as ``cdxj-indexer`` (the indexer py-wacz runs) makes them:
    ``filename`` is the file's base name, which is its path under the WACZ's ``archive/``.
    A damaged file is indexed by :func:`northnews.archive.cdxj.lines_past_damage` (every intact
    record), and its damage is appended to ``damaged``."""
    sound, broken = cdxj.split_damaged(warcs)
    out = io.StringIO()
    if sound:
        indexer = CDXJIndexer(out, [str(p) for p in sound], sort=True, post_append=True, fields="referrer")
        indexer.process_all()
    lines = [line for line in out.getvalue().splitlines() if line and not line.startswith("!")]
    if broken:
        intact, damages = cdxj.lines_past_damage(broken)
        lines = sorted([*lines, *(line.rstrip("\n") for line in intact)])
        if damaged is not None:
            damaged.extend(f"{path.name}: {damage.describe()}" for path, damage in damages)
    return [IndexLine.parse(line) for line in lines]


# --- pages --------------------------------------------------------------------------------------


def _by_pointer(lines: list[IndexLine]) -> dict[tuple[str, int], IndexLine]:
    return {(str(li.fields.get("filename")), int(li.fields.get("offset", -1))): li for li in lines}


def _pointer_pages(rows: Iterable[tuple[str, str | None, str | None, Any]],
                   lines: list[IndexLine]) -> tuple[list[Page], list[str]]:
    """Pages for (url, title, warc file, offset) rows whose record is in the index."""
    at = _by_pointer(lines)
    pages, missing = [], []
    for url, title, file, offset in rows:
        line = at.get((Path(file).name, int(offset))) if file and offset is not None else None
        if line is None:
            missing.append(url)
            continue
        pages.append(Page(str(line.fields.get("url") or url), line.timestamp, title or url))
    return pages, missing


def pages_from_store(store: Path, lines: list[IndexLine]) -> tuple[list[Page], list[str]] | None:
    """The latest version of each article in the store of record, or None without a store."""
    if not store.is_file():
        return None
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT v.url, v.title, v.warc_file, v.warc_offset FROM article_versions v"
            " JOIN (SELECT url, MAX(version) AS version FROM article_versions GROUP BY url) latest"
            " ON latest.url = v.url AND latest.version = v.version ORDER BY v.url"
        ).fetchall()
    except sqlite3.Error:  # not a store, or an empty one
        return None
    finally:
        db.close()
    return _pointer_pages(rows, lines) if rows else None


def pages_from_feed(feed: Path, lines: list[IndexLine]) -> tuple[list[Page], list[str]] | None:
    if not feed.is_file():
        return None
    rows = []
    for text in feed.read_text(encoding="utf-8").splitlines():
        if not text.strip():
            continue
        item = json.loads(text)
        pointer = item.get("warc") or {}
        rows.append((item.get("url"), item.get("title"), pointer.get("file"), pointer.get("offset")))
    return _pointer_pages(rows, lines) if rows else None


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


def pages_from_html(warcs: dict[str, Path], lines: list[IndexLine]) -> list[Page]:
    """Every HTML page archived with status 200 (latest capture), titled by its ``<title>``."""
    latest: dict[str, IndexLine] = {}
    for line in lines:
        if line.fields.get("mime") == "text/html" and line.fields.get("status") == "200":
            latest[line.fields["url"]] = line  # lines are sorted by key then time: the last wins
    pages = []
    for url, line in sorted(latest.items()):
        path = warcs[line.fields["filename"]]
        with open(path, "rb") as fh:
            fh.seek(int(line.fields["offset"]))
            record = next(iter(ArchiveIterator(fh)))
            body = record.content_stream().read()
            content_type = record.http_headers.get_header("Content-Type") if record.http_headers else None
        charset = _CHARSET.search(content_type.encode("latin-1")) if content_type else None
        title = html_title(body, charset.group(1).decode("ascii") if charset else None)
        pages.append(Page(url, line.timestamp, title or url))
    return pages


def choose_pages(archive: Path, warcs: dict[str, Path], lines: list[IndexLine]) -> tuple[list[Page], list[str], str]:
    found = pages_from_store(archive / STORE_NAME, lines)
    if found is not None:
        return found[0], found[1], "store"
    found = pages_from_feed(archive / FEED_NAME, lines)
    if found is not None:
        return found[0], found[1], "feed"
    return pages_from_html(warcs, lines), [], "html"


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


def _zip_info(path: str, moment: datetime, compress: bool) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(path, date_time=moment.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    return info


class _Package:
    def __init__(self, zf: zipfile.ZipFile, moment: datetime) -> None:
        self.zf = zf
        self.moment = moment
        self.resources: list[dict[str, Any]] = []

    def add_stream(self, path: str, chunks: Iterable[bytes], *, compress: bool) -> None:
        with self.zf.open(_zip_info(path, self.moment, compress), "w", force_zip64=True) as member:
            writer = _HashingWriter(member)
            for chunk in chunks:
                writer.write(chunk)
        self._resource(path, writer)

    def add_bytes(self, path: str, data: bytes, *, compress: bool) -> None:
        self.add_stream(path, [data], compress=compress)

    def _resource(self, path: str, writer: _HashingWriter) -> None:
        self.resources.append({
            "name": Path(path).name.lower(),
            "path": path,
            "hash": "sha256:" + writer.sha256.hexdigest(),
            "bytes": writer.size,
        })


def _file_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as fh:
        while chunk := fh.read(_BUF):
            yield chunk


def _write_index(package: _Package, lines: list[IndexLine]) -> None:
    idx = io.StringIO()
    with package.zf.open(_zip_info("indexes/index.cdx.gz", package.moment, False), "w", force_zip64=True) as member:
        data = _HashingWriter(member)
        writer = CompressedWriter(idx, data, num_lines=INDEX_BLOCK_LINES, data_out_name="index.cdx.gz",
                                  digest_records=True)
        for line in lines:
            writer.write(line.raw)
        if writer.block:
            writer.flush()
    package._resource("indexes/index.cdx.gz", data)
    package.add_bytes("indexes/index.idx", idx.getvalue().encode("utf-8"), compress=True)


def _pages_jsonl(pages: list[Page], title: str) -> bytes:
    head = {"format": PAGES_FORMAT, "id": "pages", "title": title}
    rows = [json.dumps(head, ensure_ascii=False)] + [json.dumps(p.as_json(), ensure_ascii=False) for p in pages]
    return ("\n".join(rows) + "\n").encode("utf-8")


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
    lines = index_lines(closed, damaged)
    base = archive_dir(archive)
    pages, missing, source = choose_pages(base, by_name, lines)
    title = title or f"northnews archive {base.resolve().name}"
    with safewrite.replacing(out, "wb") as fh, zipfile.ZipFile(fh, "w", allowZip64=True) as zf:
        package = _Package(zf, moment)
        for name, path in sorted(by_name.items()):
            package.add_stream(f"archive/{name}", _file_chunks(path), compress=False)
        _write_index(package, lines)
        package.add_bytes("pages/pages.jsonl", _pages_jsonl(pages, "Articles"), compress=True)
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
    return WaczSummary(out, sorted(by_name), len(lines), len(pages), source, missing,
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
