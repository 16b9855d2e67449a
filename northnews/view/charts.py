"""Plots as inline SVG, drawn on the server: no script, no build step, nothing fetched.

Two kinds: articles per day as bars (one chart per section), and runs on a time line (one bar
per run, its height the articles it stored new or changed, its colour its outcome).
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any

from northnews.view.data import day_range

WIDTH, HEIGHT, PAD_L, PAD_B, PAD_T = 720, 120, 36, 22, 8
OK, BAD, WARN, BAR = "#2e7d32", "#c62828", "#ef6c00", "#1565c0"


def _frame(body: list[str], label: str, height: int = HEIGHT) -> str:
    return (f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {height}"'
            f' width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg">'
            f"<title>{escape(label)}</title>" + "".join(body) + "</svg>")


def _axis(top: int, plot_h: int, ymax: int) -> list[str]:
    base = top + plot_h
    return [
        f'<line x1="{PAD_L}" y1="{base}" x2="{WIDTH}" y2="{base}" stroke="#888"/>',
        f'<text x="{PAD_L - 4}" y="{top + 9}" font-size="10" text-anchor="end">{ymax}</text>',
        f'<text x="{PAD_L - 4}" y="{base}" font-size="10" text-anchor="end">0</text>',
    ]


def per_day(days: dict[date, int], label: str) -> str:
    """Bars of articles per day, every day from the first to the last (empty days at zero)."""
    span = day_range(days)
    if not span:
        return _frame([f'<text x="{PAD_L}" y="40" font-size="12">no dated article</text>'], label)
    plot_h = HEIGHT - PAD_B - PAD_T
    ymax = max(days.values())
    step = (WIDTH - PAD_L) / len(span)
    body = _axis(PAD_T, plot_h, ymax)
    for i, day in enumerate(span):
        n = days.get(day, 0)
        if not n:
            continue
        h = max(1.0, plot_h * n / ymax)
        x = PAD_L + i * step
        body.append(f'<rect class="bar" x="{x:.1f}" y="{PAD_T + plot_h - h:.1f}" width="{max(1.0, step - 1):.1f}"'
                    f' height="{h:.1f}" fill="{BAR}"><title>{day.isoformat()}: {n}</title></rect>')
    body.append(f'<text x="{PAD_L}" y="{HEIGHT - 6}" font-size="10">{span[0].isoformat()}</text>')
    body.append(f'<text x="{WIDTH}" y="{HEIGHT - 6}" font-size="10" text-anchor="end">{span[-1].isoformat()}'
                f" ({len(span)} days, {sum(days.values())} articles)</text>")
    return _frame(body, label)


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def timeline(runs: list[dict[str, Any]], label: str = "runs") -> str:
    """One bar per run at its start time; height: articles new + updated; colour: ok, drift, failed."""
    placed = [(when, run) for run in runs if (when := _when(run.get("started"))) is not None]
    if not placed:
        return _frame([f'<text x="{PAD_L}" y="40" font-size="12">no run recorded</text>'], label)
    plot_h = HEIGHT - PAD_B - PAD_T
    first, last = placed[0][0], placed[-1][0]
    span = max((last - first).total_seconds(), 1.0)
    ymax = max(1, *(r["new"] + r["updated"] for _, r in placed))
    body = _axis(PAD_T, plot_h, ymax)
    usable = WIDTH - PAD_L - 12
    for when, run in placed:
        x = PAD_L + 4 + usable * (when - first).total_seconds() / span
        n = run["new"] + run["updated"]
        h = max(3.0, plot_h * n / ymax)
        colour = OK if run.get("status") == "ok" else WARN if run.get("drift_flagged") else BAD
        tip = (f"{run['run_id']}: {run.get('status')} (exit {run.get('exit_code')}), {run['new']} new,"
               f" {run['updated']} updated, {run['errors']} errors")
        body.append(f'<a href="/runs/{escape(run["run_id"])}"><rect class="run" x="{x - 3:.1f}"'
                    f' y="{PAD_T + plot_h - h:.1f}" width="6" height="{h:.1f}" fill="{colour}">'
                    f"<title>{escape(tip)}</title></rect></a>")
    body.append(f'<text x="{PAD_L}" y="{HEIGHT - 6}" font-size="10">{escape(placed[0][1]["started"][:19])}</text>')
    body.append(f'<text x="{WIDTH}" y="{HEIGHT - 6}" font-size="10" text-anchor="end">'
                f'{escape(placed[-1][1]["started"][:19])} ({len(placed)} runs)</text>')
    return _frame(body, label)
