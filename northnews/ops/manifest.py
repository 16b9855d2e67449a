"""The run manifest of ``northnews-cron`` and the exit code a scheduler acts on."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from northnews.crawl.keys import (
    ARTICLE_KNOWN_STAT,
    DRIFT_REPORT_STAT,
    INCREMENTAL_FULL_WALK,
    SOURCE_STATS,
    STORE_REJECTED,
    WARC_ERROR_REASON,
    WRITE_ERROR_REASON,
)
from northnews.crawl.stats import PAGES, UNREACHABLE, error_count, error_kinds, request_count, silent_zero

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_LOCKED = 3
EXIT_UNREACHABLE = 4
EXIT_ERROR_RATE = 5
EXIT_CRASHED = 6
EXIT_LAYOUT_DRIFT = 7
EXIT_TERMINATED = 8
EXIT_WRITE_ERROR = 9

STATUS_BY_CODE = {
    EXIT_OK: "ok",
    EXIT_USAGE: "usage_error",
    EXIT_LOCKED: "locked",
    EXIT_UNREACHABLE: "unreachable",
    EXIT_ERROR_RATE: "error_rate",
    EXIT_CRASHED: "crashed",
    EXIT_LAYOUT_DRIFT: "layout_drift",
    EXIT_TERMINATED: "terminated",
    EXIT_WRITE_ERROR: "write_error",
}

#: Crawl finish reasons that mean "stopped as configured", not "interrupted".
DELIBERATE_REASONS = ("finished",)
DELIBERATE_PREFIXES = ("closespider_",)
#: Finish reasons of a crawl that stopped because the archive could not be written (disk full,
#: an I/O error): the WARC writer's, and the store's, feed's and rejects' (northnews.crawl.writeerrors).
WRITE_ERROR_REASONS = (WARC_ERROR_REASON, WRITE_ERROR_REASON)
#: Signals a scheduler (or an operator) stops a run with: a clean stop, not a crash.
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


@dataclass
class Options:
    """What ``northnews-cron`` was asked (:func:`northnews.ops.cron.parse_options`), as its manifest
    records it."""

    archive_dir: Path
    max_error_rate: float
    crawl_args: list[str]
    settings_module: str | None = None
    spider_args: dict[str, str] = field(default_factory=dict)
    site: str = "northnews"
    redact_headers: list[str] = field(default_factory=list)
    file_group: str = ""
    store_url: str = ""


def classify(
    returncode: int,
    run: dict[str, Any] | None,
    max_error_rate: float,
    *,
    usage: str | None = None,
    stopped_by: int | None = None,
    write_error: str | None = None,
) -> tuple[int, str]:
    """Exit code and a one-line reason, from the crawl's exit status and its run row.

    ``usage``: the crawl's own one-line error, when it refused its arguments; ``stopped_by``: the
    signal the wrapper received and passed on; ``write_error``: what could not be written, when
    the log or the wrapper saw the disk fill up.
    """
    if returncode == EXIT_USAGE and (run is None or run.get("stats") is None):
        return EXIT_USAGE, usage or "usage error (see the log)"
    if returncode == EXIT_LOCKED and run is None:  # the crawl found the archive or its store busy
        return EXIT_LOCKED, usage or "locked (see the log)"
    status = str((run or {}).get("status"))
    if status in WRITE_ERROR_REASONS or write_error:
        return EXIT_WRITE_ERROR, f"the archive could not be written ({write_error or status}): free space, then rerun"
    killed_by = -returncode if returncode < 0 else None
    if stopped_by is not None or killed_by in STOP_SIGNALS or status == "shutdown":
        name = signal.Signals(stopped_by or killed_by or signal.SIGTERM).name
        how = "shut down cleanly" if status == "shutdown" else f"exit status {returncode}"
        return EXIT_TERMINATED, f"terminated by {name} ({how}); the next run resumes"
    if killed_by is not None:
        return EXIT_CRASHED, f"crawl killed by signal {signal.Signals(killed_by).name}"
    if run is None or run.get("stats") is None or run.get("status") in ("running", "killed", "crashed"):
        return EXIT_CRASHED, f"crawl exited {returncode} without closing its run"
    if returncode != 0:
        return EXIT_CRASHED, f"crawl exited {returncode}"
    if status not in DELIBERATE_REASONS and not status.startswith(DELIBERATE_PREFIXES):
        return EXIT_CRASHED, f"crawl interrupted (finish reason {status})"
    stats = run["stats"]
    errors = error_count(stats)
    if not stats.get(PAGES + "answered"):
        kinds = ", ".join(f"{k} {v}" for k, v in error_kinds(stats).items()) or "no request made"
        return EXIT_UNREACHABLE, f"site unreachable: no page answered ({kinds})"
    rate = errors / max(request_count(stats), 1)
    if rate > max_error_rate:
        return EXIT_ERROR_RATE, f"error rate {rate:.1%} over NORTHNEWS_MAX_ERROR_RATE {max_error_rate:.1%}"
    for kind, message in silent_zero(stats):  # a run that archived nothing it should have
        return (EXIT_UNREACHABLE if kind == UNREACHABLE else EXIT_LAYOUT_DRIFT), message
    report = stats.get(DRIFT_REPORT_STAT) or {}
    if report.get("flagged"):
        over = "; ".join(f"{o['name']} {o['share']:.0%} {o['kind']}" for o in report.get("over", []))
        return EXIT_LAYOUT_DRIFT, f"layout drift: {over}"
    return EXIT_OK, "ok"


def build_manifest(
    *,
    run_id: str,
    exit_code: int,
    reason: str,
    started: str,
    ended: str,
    duration: float,
    opts: Options,
    command: list[str],
    returncode: int | None,
    run: dict[str, Any] | None,
    recovered: list[dict[str, Any]],
    interrupted_runs: list[str],
    closed: list[str],
    open_left: list[str],
    totals: dict[str, int],
) -> dict[str, Any]:
    stats = (run or {}).get("stats") or {}
    kinds = error_kinds(stats)
    errors = sum(kinds.values())
    requests = request_count(stats)

    def count(key: str) -> int:
        return int(stats.get(key, 0))

    return {
        "run_id": run_id,
        "site": opts.site,
        "status": STATUS_BY_CODE.get(exit_code, "crashed"),
        "exit_code": exit_code,
        "reason": reason,
        "started": started,
        "ended": ended,
        "duration_seconds": round(duration, 3),
        "archive_dir": str(opts.archive_dir),
        "log": f"runs/{run_id}.log",
        "command": command,
        "crawl": {
            "exit_status": returncode,
            "finish_reason": stats.get("finish_reason") or (run or {}).get("status"),
            "complete": bool((run or {}).get("complete")),
            "incomplete_because": (run or {}).get("note"),
            "walked_every_list_page": bool(stats.get(INCREMENTAL_FULL_WALK)),
            "refresh_days": (opts.spider_args.get("refresh") or None),
        },
        "pages": {
            "fetched": count(PAGES + "fetched"),
            "list": count(PAGES + "list"),
            "article": count(PAGES + "article"),
            "other": count(PAGES + "other"),
            "gone": count(PAGES + "gone"),
            "failed": count(PAGES + "failed"),
            "by_status": {
                k.rsplit("/", 1)[1]: int(v) for k, v in sorted(stats.items()) if k.startswith(PAGES + "status/")
            },
        },
        "articles": {
            "new": count("northnews/store/new"),
            "updated": count("northnews/store/updated"),
            "unchanged": count("northnews/store/unchanged"),
            "rejected": count(STORE_REJECTED),
            "skipped_known": count(ARTICLE_KNOWN_STAT),
        },
        "errors": {
            "total": errors,
            "rate": round(errors / requests, 4) if requests else None,
            "max_rate": opts.max_error_rate,
            "by_kind": kinds,
        },
        "pending": {
            "recorded": count("northnews/pending/recorded"),
            "failed": count("northnews/pending/failed"),
            "resolved": count("northnews/pending/resolved"),
            "scheduled": count("northnews/pending/scheduled"),
            "by_reason": {
                k.rsplit("/", 1)[1]: int(v) for k, v in sorted(stats.items())
                if k.startswith("northnews/pending/reason/")
            },
        },
        "warc": {
            "files_closed": closed,
            "recovered_before_crawl": recovered,
            "open_files_left": open_left,
        },
        "drift": stats.get(DRIFT_REPORT_STAT),
        # Each source's yield (the spider's northnews/sources/<kind>/articles|urls): list pages,
        # sitemaps, feeds, robots.txt, related links, pending articles.
        "sources": {
            k[len(SOURCE_STATS):]: int(v) for k, v in sorted(stats.items())
            if k.startswith(SOURCE_STATS)
        },
        "interrupted_runs_closed": interrupted_runs,
        "store": totals,
    }
