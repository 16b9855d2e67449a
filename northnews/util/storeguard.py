"""The SQLite files of an archive guard themselves: a damaged, truncated, empty, busy or read-only
database is refused with one line naming the file and what to do, and left exactly as it was.

Two kinds of file: the store of record (``northnews.sqlite3``) and the WARC digest index and
manifest (``warc/digests.sqlite3``). Each is opened through :func:`guarded` (one decorator on
the class's ``__init__``: the hook is one line, whatever backend split happens around it):

1. before SQLite touches the file (SQLite would silently turn a zero-byte file into a new, empty
   database, and a truncated one into "malformed" errors deep inside a crawl): the file must be
   empty-free, start with the SQLite header, and be as long as its header says (page size ×
   page count, when the header's count is valid), and be writable, as must its directory (WAL
   needs its ``-wal``/``-shm`` files);
2. while opening: "database is locked" (another process holds a write lock past the busy
   timeout) is ``locked``, never "disk full"; "malformed", "not a database", "file is
   encrypted" are ``corrupt``; "readonly" is ``readonly``;
3. after opening, ``PRAGMA quick_check`` must answer ``ok``, where it is cheap: on every open of
   a file up to :data:`QUICK_CHECK_MAX_BYTES`, and once per run whatever the size
   (:func:`preflight`, called by ``scrapy crawl`` and ``northnews-cron`` before anything is
   fetched). Measured (``benchmarks/store_check.py``): a 1.7 GB store of 200,000 articles takes
   3.2 s warm, 13-58 s from a cold page cache on the shared 2-core test machine: too much for
   every ``scrapy pending``, fine once per crawl.

A refusal is an exception of the class's own error type (``StoreError`` for the store, so every
command that already says one line for it keeps doing so) carrying ``kind`` (``empty``,
``not_sqlite``, ``truncated``, ``corrupt``, ``locked``, ``readonly``) and ``exit_code`` (3 for
``locked``, as "another run holds the lock"; 9 for ``readonly``, as a write error; 2 otherwise). Nothing is written to a refused file.

:func:`backup` copies a live database with SQLite's online backup API (consistent even while a
crawl writes), :func:`check` is ``northnews-archive store-check``.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

HEADER = b"SQLite format 3\x00"
#: What to do, by kind of refusal (the one line ends with it).
ADVICE = {
    "empty": "restore it from a backup (README: Backup and restore) or move it away to start an empty one",
    "not_sqlite": "restore it from a backup (README: Backup and restore)",
    "truncated": "restore it from a backup (README: Backup and restore)",
    "corrupt": "restore it from a backup (README: Backup and restore); `northnews-archive store-check` says more",
    "locked": "another process holds it; rerun when that one is done",
    "readonly": "make the archive writable for this user, or run as its owner",
}
#: ``locked``: as "another run holds the lock"; ``readonly``: as a write error; else a refused input.
EXIT_CODES = {"locked": 3, "readonly": 9}
#: Stores up to this size are quick_checked on every open (about 0.5 s warm at the limit).
QUICK_CHECK_MAX_BYTES = 256 << 20
_LOCKED = ("database is locked", "database table is locked")
_CORRUPT = ("malformed", "not a database", "file is encrypted", "disk image", "corrupt")
_READONLY = ("readonly", "read-only", "unable to open database file")

T = TypeVar("T")


class Refused(Exception):
    """A database file refused (see the module docstring); ``str()`` is the one line."""

    def __init__(self, path: Path, kind: str, what: str) -> None:
        self.path, self.kind, self.what = path, kind, what
        super().__init__(f"{path}: {what}: {ADVICE[kind]} (the file was left untouched)")

    @property
    def exit_code(self) -> int:
        return EXIT_CODES.get(self.kind, 2)


def inspect(path: Path) -> None:
    """What can be said of the file before SQLite opens it; raises :class:`Refused`."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        if path.parent.is_dir() and not os.access(path.parent, os.W_OK):
            raise Refused(path, "readonly", f"cannot be created: {path.parent} is read-only") from None
        return  # a new database: SQLite creates it
    if size == 0:
        raise Refused(path, "empty", "zero bytes, not a database")
    with open(path, "rb") as fh:
        head = fh.read(100)
    if not head.startswith(HEADER):
        raise Refused(path, "not_sqlite", "not an SQLite database (its first bytes are not the SQLite header)")
    if len(head) < 100:
        raise Refused(path, "truncated", f"truncated ({size} bytes, shorter than the SQLite header)")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    valid = head[24:28] == head[92:96] and pages > 0  # the header's page count is trustworthy
    if valid and size < page_size * pages:
        raise Refused(path, "truncated", f"truncated ({size} bytes; its header says {page_size * pages})")
    if not os.access(path, os.W_OK) or not os.access(path.parent, os.W_OK):
        where = path if not os.access(path, os.W_OK) else path.parent
        raise Refused(path, "readonly", f"read-only ({where} is not writable)")


def classify(exc: BaseException) -> str | None:
    """The kind of refusal an sqlite3 error on open means, or None (not a refusal)."""
    text = str(exc).lower()
    if any(s in text for s in _LOCKED):
        return "locked"
    if any(s in text for s in _CORRUPT):
        return "corrupt"
    if any(s in text for s in _READONLY):
        return "readonly"
    return None


def describe(kind: str, exc: BaseException) -> str:
    """The middle of the one line, for a refusal SQLite's own error explains."""
    word = {"corrupt": "damaged", "readonly": "read-only"}.get(kind, kind)
    return f"{word} ({exc})"


def quick_check(db: sqlite3.Connection) -> str | None:
    """``PRAGMA quick_check``'s first problem, or None when it says ``ok``."""
    rows = db.execute("PRAGMA quick_check").fetchall()
    first = rows[0][0] if rows else "no answer"
    return None if first == "ok" else "; ".join(str(r[0]) for r in rows[:3])


def reader(path: Path, timeout: float = 10) -> sqlite3.Connection:
    """A connection that only reads ``path`` and leaves nothing behind: a plain one where the file
    and its directory are writable (SQLite removes the ``-wal``/``-shm`` files it made when the
    last connection closes; a read-only one would leave them), else ``mode=ro``, else (no
    ``-shm`` can be made next to a WAL file) ``immutable=1``. Nothing here writes to the file."""
    attempts = ([(str(path), False)] if os.access(path, os.W_OK) and os.access(path.parent, os.W_OK) else []) + [
        (f"file:{path}?mode=ro", True), (f"file:{path}?mode=ro&immutable=1", True)]
    last: sqlite3.Error | None = None
    for target, uri in attempts:
        try:
            db = sqlite3.connect(target, uri=uri, timeout=timeout)
        except sqlite3.Error as exc:
            last = exc
            continue
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            return db
        except sqlite3.Error as exc:
            db.close()
            if classify(exc) in ("corrupt", "locked"):
                raise
            last = exc
    assert last is not None
    raise last


def _quick_check_file(path: Path, timeout: float = 10) -> tuple[str, str] | None:
    """(kind, what) when ``PRAGMA quick_check`` fails on the file, read without writing it."""
    try:
        db = reader(path, timeout)
        try:
            problem = quick_check(db)
        finally:
            db.close()
    except sqlite3.Error as exc:
        kind = classify(exc) or "corrupt"
        return kind, describe(kind, exc)
    return None if problem is None else ("corrupt", f"damaged (quick_check: {problem[:200]})")


def guarded(error: type[Exception], *, db_attr: str, integrity: bool = True) -> Callable[[T], T]:
    """Decorate a database class's ``__init__(self, path, …)`` (see the module docstring):
    refusals raise ``error`` with ``kind``, ``exit_code`` and the one line."""

    def wrap(init: Any) -> Any:
        @functools.wraps(init)
        def guarded_init(self: Any, path: Any, *args: Any, **kwargs: Any) -> None:
            p = Path(path)
            try:
                inspect(p)
                if integrity and p.exists() and p.stat().st_size <= QUICK_CHECK_MAX_BYTES:
                    # Before the class opens it for writing: a damaged file is never written to.
                    problem = _quick_check_file(p)
                    if problem is not None:
                        raise Refused(p, *problem)
                try:
                    init(self, path, *args, **kwargs)
                except sqlite3.Error as exc:
                    kind = classify(exc)
                    if kind is None:
                        raise
                    db = getattr(self, db_attr, None)
                    if db is not None:
                        db.close()
                    raise Refused(p, kind, describe(kind, exc)) from None
            except Refused as exc:
                refused = error(str(exc))
                refused.kind = exc.kind  # type: ignore[attr-defined]
                refused.exit_code = exc.exit_code  # type: ignore[attr-defined]
                refused.path = p  # type: ignore[attr-defined]
                raise refused from None

        return guarded_init

    return wrap


def check(path: Path) -> tuple[bool, str]:
    """``northnews-archive store-check`` of one file: (sound, one line), read-only, never a write."""
    started = time.monotonic()
    try:
        inspect_readonly(path)
        db = reader(path, 5)
        try:
            rows = db.execute("PRAGMA integrity_check").fetchall()
        finally:
            db.close()
    except Refused as exc:
        return False, str(exc)
    except sqlite3.Error as exc:
        kind = classify(exc) or "corrupt"
        return False, str(Refused(path, kind, describe(kind, exc)))
    seconds = time.monotonic() - started
    if rows and rows[0][0] == "ok":
        return True, f"{path}: ok (integrity_check, {path.stat().st_size} bytes, {seconds:.1f} s)"
    problem = "; ".join(str(r[0]) for r in rows[:3]) or "no answer"
    return False, str(Refused(path, "corrupt", f"damaged (integrity_check: {problem[:300]})"))


def inspect_readonly(path: Path) -> None:
    """:func:`inspect` without the writability test (checking and backing up only read)."""
    if not path.exists():
        raise Refused(path, "empty", "does not exist")
    try:
        inspect(path)
    except Refused as exc:
        if exc.kind != "readonly":
            raise


def backup(source: Path, out: Path, *, pages: int = -1) -> int:
    """Copy a live database to ``out`` with SQLite's online backup API, then check the copy;
    returns its size. ``out`` is written beside as ``out.part`` and renamed when whole. All pages
    are copied in one step under a read transaction: in WAL mode a crawl goes on writing, and the
    copy is the store as of that moment."""
    inspect_readonly(source)
    part = out.with_name(out.name + ".part")
    part.unlink(missing_ok=True)
    src = reader(source, 30)
    try:
        dst = sqlite3.connect(part)
        try:
            src.backup(dst, pages=pages)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            problem = quick_check(dst)
        finally:
            dst.close()
    finally:
        src.close()
    if problem is not None:
        part.unlink(missing_ok=True)
        raise Refused(source, "corrupt", f"its backup does not pass quick_check ({problem[:200]})")
    with open(part, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(part, out)
    return out.stat().st_size


#: The archive's SQLite files, relative to the archive dir.
ARCHIVE_FILES = ("northnews.sqlite3", "warc/digests.sqlite3")


def preflight(archive_dir: str | os.PathLike[str], *, writable: bool = True,
              integrity: bool = True) -> Refused | None:
    """The first refusal among the archive's SQLite files (those that exist), checked read-only,
    ``quick_check`` included whatever their size (``integrity``): for commands that must say one
    line before a crawl starts (``scrapy crawl``, cron)."""
    root = Path(archive_dir)
    if writable:
        for folder in (root, root / "warc", root / "runs"):
            if folder.is_dir() and not os.access(folder, os.W_OK):
                return Refused(folder, "readonly", "read-only (the archive's files cannot be written)")
    for name in ARCHIVE_FILES:
        path = root / name
        if not path.exists():
            continue
        try:
            inspect(path) if writable else inspect_readonly(path)
            db = reader(path, 5)
            try:
                problem = quick_check(db) if integrity else None
                db.execute("SELECT count(*) FROM sqlite_master").fetchone()
            finally:
                db.close()
        except Refused as exc:
            return exc
        except sqlite3.Error as exc:
            kind = classify(exc) or "corrupt"
            return Refused(path, kind, describe(kind, exc))
        if problem is not None:
            return Refused(path, "corrupt", f"damaged (quick_check: {problem[:200]})")
    return None
