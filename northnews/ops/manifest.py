"""The run manifest of ``northnews-cron`` and the exit code a scheduler acts on."""

from __future__ import annotations

import signal
from typing import TYPE_CHECKING, Any

from northnews.extensions.progress import PAGES, error_count, error_kinds, request_count

if TYPE_CHECKING:
    from northnews.ops.cron import Options

EXIT_OK = 0
EXIT_USAGE = 2
EXIT_LOCKED = 3
EXIT_UNREACHABLE = 4
EXIT_ERROR_RATE = 5
EXIT_CRASHED = 6
EXIT_LAYOUT_DRIFT = 7

STATUS_BY_CODE = {
    EXIT_OK: "ok",
    EXIT_USAGE: "usage_error",
    EXIT_LOCKED: "locked",
    EXIT_UNREACHABLE: "unreachable",
    EXIT_ERROR_RATE: "error_rate",
    EXIT_CRASHED: "crashed",
    EXIT_LAYOUT_DRIFT: "layout_drift",
}

#: Crawl finish reasons that mean "stopped as configured", not "interrupted".
DELIBERATE_REASONS = ("finished",)
DELIBERATE_PREFIXES = ("closespider_",)



def classify(returncode: int, run: dict[str, Any] | None, max_error_rate: float) -> tuple[int, str]:
    """Exit code and a one-line reason, from the crawl's exit status and its run row."""
    if returncode == EXIT_USAGE and (run is None or run.get("stats") is None):
        return EXIT_USAGE, "usage error (see the log)"
    if returncode < 0:
        return EXIT_CRASHED, f"crawl killed by signal {signal.Signals(-returncode).name}"
    if run is None or run.get("stats") is None or run.get("status") in ("running", "killed", "crashed"):
        return EXIT_CRASHED, f"crawl exited {returncode} without closing its run"
    if returncode != 0:
        return EXIT_CRASHED, f"crawl exited {returncode}"
    status = str(run.get("status"))
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
    report = stats.get("northnews/drift/report") or {}
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
    count = lambda key: int(stats.get(key, 0))  # noqa: E731
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
            "walked_every_list_page": bool(stats.get("northnews/incremental/full_walk")),
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
            "rejected": count("northnews/store/rejected"),
            "skipped_known": count("northnews/spider/article_known"),
        },
        "errors": {
            "total": errors,
            "rate": round(errors / requests, 4) if requests else None,
            "max_rate": opts.max_error_rate,
            "by_kind": kinds,
        },
        "warc": {
            "files_closed": closed,
            "recovered_before_crawl": recovered,
            "open_files_left": open_left,
        },
        "drift": stats.get("northnews/drift/report"),
        "interrupted_runs_closed": interrupted_runs,
        "store": totals,
    }
