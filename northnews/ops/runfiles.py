"""What ``northnews-cron`` writes about a run — its log and manifest — made to survive a full disk.

A scheduler must always learn how a run ended, so a manifest that cannot be written into the
archive (disk full, I/O error) is written to the first fallback directory that takes it
(:func:`fallback_dirs`: ``$XDG_STATE_HOME/northnews/runs``, ``~/.local/state/northnews/runs``,
``/tmp/northnews-runs``), and the summary line names where it went. Log lines never raise: a
full disk must not turn into a traceback. The run log's last lines also tell the wrapper what
the crawl said: its one-line usage error, and whether the disk filled up.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from northnews.ops.store import iso
from northnews.util.clock import compact, utc_now

#: What a full disk (or a size limit) looks like in a crawl's log.
_DISK_FULL = re.compile(
    r"No space left on device|database or disk is full|disk I/O error|File too large|\[Errno 2[78]\]|ENOSPC"
    r"|Closing spider \((?:northnews_write_error|northnews_warc_error)\)"
)
_USAGE = re.compile(r"^scrapy crawl \S+: error: (.*)$")


def new_run_id(runs_dir: Path | None = None, site: str | None = None) -> str:
    """``20261128T112000Z-3fa9c1``: the UTC start time (ids sort as runs started) and six random
    hex digits, so two runs starting in the same second (a run that ended at once and the next
    one, or one refused by the lock) never share an id, a manifest or a history row; an id whose
    log or manifest already exists in ``runs_dir`` is drawn again. Ids of earlier releases
    (``20261128T112000Z``) stay valid: nothing parses an id, runs are ordered by their row. On a
    shared store (several sites crawled at once) the site is added: ``20261128T112000Z-3fa9c1-yunhe``."""
    while True:
        run_id = f"{compact()}-{secrets.token_hex(3)}" + (f"-{site}" if site else "")
        if runs_dir is None or not any((runs_dir / f"{run_id}{ext}").exists() for ext in (".json", ".log")):
            return run_id


def fallback_dirs() -> Iterator[Path]:
    state = os.environ.get("XDG_STATE_HOME")
    if state:
        yield Path(state) / "northnews" / "runs"
    home = os.environ.get("HOME")
    if home:
        yield Path(home) / ".local" / "state" / "northnews" / "runs"
    yield Path("/tmp") / "northnews-runs"


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise


def write_manifest(runs_dir: Path, run_id: str, data: dict[str, Any]) -> tuple[Path | None, str | None]:
    """Write ``<run id>.json`` into ``runs_dir``, else into a fallback; (path written, error or None).

    The manifest written to a fallback says so (``manifest_fallback``) and names the error.
    """
    name = f"{run_id}.json"
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
        _write_json(runs_dir / name, data)
        return runs_dir / name, None
    except OSError as exc:
        error = f"{runs_dir / name}: {exc.strerror or exc}"
    data = dict(data, manifest_fallback={"wanted": str(runs_dir / name), "error": error})
    for directory in fallback_dirs():
        try:
            directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            _write_json(directory / name, data)
            return directory / name, error
        except OSError:
            continue
    return None, error


class RunLog:
    """The run's log file, appended to; a write that fails (disk full) is remembered, never raised."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.failed: str | None = None
        self.file: TextIO | None = None
        try:
            self.file = open(path, "a", encoding="utf-8")  # noqa: SIM115 (closed by close())
        except OSError as exc:
            self.failed = f"{path}: {exc.strerror or exc}"

    def say(self, message: str) -> None:
        if self.file is None:
            return
        try:
            self.file.write(f"{iso(utc_now())} [northnews.cron] {message}\n")
            self.file.flush()
        except OSError as exc:
            self.failed = self.failed or f"{self.path}: {exc.strerror or exc}"

    def fileno(self) -> int | None:
        return self.file.fileno() if self.file is not None else None

    def close(self) -> None:
        if self.file is not None:
            try:
                self.file.close()
            except OSError as exc:
                self.failed = self.failed or f"{self.path}: {exc.strerror or exc}"
            self.file = None


def tail(path: Path, size: int = 65536) -> list[str]:
    """The last lines of a file (at most ``size`` bytes of them), or none."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            fh.seek(max(0, fh.tell() - size))
            return fh.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return []


def crawl_usage_error(lines: list[str]) -> str | None:
    """The crawl's own one-line error (``scrapy crawl articles: error: …``), the last one."""
    for line in reversed(lines):
        match = _USAGE.match(line.strip())
        if match:
            return match.group(1)
    return None


def disk_full_in(lines: list[str]) -> str | None:
    """The last log line that says the disk (or a file size limit) is full, or ``None``."""
    for line in reversed(lines):
        if _DISK_FULL.search(line):
            return line.strip()[-300:]
    return None
