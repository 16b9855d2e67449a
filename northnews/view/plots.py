"""Plots as inline SVG, drawn on the server: no script, no build step, nothing fetched, readable
in a mail client that shows HTML. The one chart module of both readers of a run: the run report
(:mod:`northnews.view.report`, cron's ``runs/<id>.html``) and the archive view
(:mod:`northnews.view.app`).

- :func:`stacked_days`: articles per day (or week, or month, for a long span), one stacked bar a
  day, one colour a section; :func:`per_day` is it for one series (a section's articles per day
  in the view);
- :func:`hbars`: labelled horizontal bars (failures by kind, pending reasons, drift shares with
  their threshold);
- :func:`run_history`: one bar per run (articles new + updated), coloured by outcome, placed one
  after the other (the report) or on a time line with a link to each run (the view's timeline).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from html import escape
from typing import Any

WIDTH = 720
FONT = 'font-family="sans-serif" font-size="11"'
#: Colours of the stacked sections (the last one is "other sections").
PALETTE = ("#1565c0", "#2e7d32", "#ef6c00", "#6a1b9a", "#00838f", "#ad1457", "#757575")
OK, BAD, WARN, BAR, LIMIT = "#2e7d32", "#c62828", "#ef6c00", "#1565c0", "#c62828"


def _svg(body: list[str], label: str, height: int, css: str = "plot") -> str:
    """``css`` is the SVG's class: ``plot`` (a run's plots), ``chart`` (the view's section plots)."""
    return (f'<svg class="{css}" role="img" aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {height}"'
            f' width="{WIDTH}" height="{height}" xmlns="http://www.w3.org/2000/svg" {FONT}>'
            f"<title>{escape(label)}</title>" + "".join(body) + "</svg>")


def _empty(label: str, what: str, css: str = "plot") -> str:
    return _svg([f'<text x="8" y="20" fill="#555">{escape(what)}</text>'], label, 30, css)


def _axis(left: int, top: int, plot_h: int, ymax: int) -> list[str]:
    """The base line and the y axis' two labels (0 and the largest value)."""
    return [f'<line x1="{left}" y1="{top + plot_h}" x2="{WIDTH - 10}" y2="{top + plot_h}" stroke="#888"/>',
            f'<text x="{left - 4}" y="{top + 9}" text-anchor="end">{ymax}</text>',
            f'<text x="{left - 4}" y="{top + plot_h}" text-anchor="end">0</text>']


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def bucket(day: date, unit: str) -> date:
    """The first day of the day's bucket: itself, its week's Monday, or its month's first."""
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day


def buckets_for(first: date, last: date, max_bars: int) -> tuple[str, list[date]]:
    """The finest unit (day, week, month) that shows ``first``..``last`` in at most ``max_bars``
    bars (months may exceed it), and the buckets' first days."""
    for unit in ("day", "week", "month"):
        starts = sorted({bucket(d, unit) for d in days_between(first, last)})
        if len(starts) <= max_bars or unit == "month":
            return unit, starts
    raise AssertionError("unreachable")


def stacked_days(counts: Mapping[date, Mapping[str, int]], label: str, *, max_sections: int = 6,
                 max_bars: int = 120, legend: bool = True, css: str = "plot",
                 empty: str = "no article with a publication date in this run") -> str:
    """Bars from the first day to the last (empty ones left empty), one a day, or a week or a
    month when there are more than ``max_bars`` days (or weeks), stacked by section; the
    ``max_sections`` largest sections have their own colour, the rest are "other". A bar's
    tooltip is ``<unit> <day> <section>: <n>`` (``<unit> <day>: <n>`` for the section ``""``)."""
    if not counts:
        return _empty(label, empty, css)
    unit, span = buckets_for(min(counts), max(counts), max_bars)
    merged: dict[date, dict[str, int]] = {}
    for day, per_section in counts.items():
        into = merged.setdefault(bucket(day, unit), {})
        for section, n in per_section.items():
            into[section] = into.get(section, 0) + n
    counts = merged
    totals: dict[str, int] = {}
    for per_section in counts.values():
        for section, n in per_section.items():
            totals[section] = totals.get(section, 0) + n
    ranked = sorted(totals, key=lambda s: (-totals[s], s))
    # One section more than the colours: it gets the last colour rather than an "other" of one.
    named = ranked if len(ranked) <= max_sections + 1 else ranked[:max_sections]
    colour = {s: PALETTE[i] for i, s in enumerate(named)}
    other = "other sections"
    legend_rows = (len(named) + (len(ranked) > len(named)) + 2) // 3 if legend else 0
    top, plot_h, left = 10, 150 if legend else 100, 40
    height = top + plot_h + 22 + 16 * legend_rows + 6
    ymax = max(sum(c.values()) for c in counts.values()) or 1
    step = (WIDTH - left - 10) / len(span)
    body = _axis(left, top, plot_h, ymax)
    for i, day in enumerate(span):
        per_section = counts.get(day) or {}
        y: float = top + plot_h  # less each bar's height, a float
        parts = [(s, per_section.get(s, 0)) for s in named]
        parts.append((other, sum(n for s, n in per_section.items() if s not in colour)))
        for section, n in parts:
            if not n:
                continue
            h = plot_h * n / ymax
            y -= h
            what = f" {escape(section)}" if section else ""
            body.append(f'<rect class="bar" x="{left + i * step:.1f}" y="{y:.1f}" width="{max(1.0, step - 1):.1f}"'
                        f' height="{h:.1f}" fill="{colour.get(section, PALETTE[-1])}"><title>{unit} {day.isoformat()}'
                        f"{what}: {n}</title></rect>")
    body.append(f'<text x="{left}" y="{top + plot_h + 14}">{span[0].isoformat()}</text>')
    body.append(f'<text x="{WIDTH - 10}" y="{top + plot_h + 14}" text-anchor="end">{span[-1].isoformat()}'
                f" ({len(span)} {unit}s, {sum(totals.values())} articles)</text>")
    entries = [(s, colour[s], totals[s]) for s in named]
    if len(ranked) > len(named):
        entries.append((other, PALETTE[-1], sum(totals[s] for s in ranked[len(named):])))
    for i, (section, fill, n) in enumerate(entries if legend else []):
        x, y = left + (i % 3) * 225, top + plot_h + 30 + (i // 3) * 16
        body.append(f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{fill}"/>'
                    f'<text x="{x + 14}" y="{y}">{escape(section[:28])} ({n})</text>')
    return _svg(body, label, height, css)


def per_day(days: Mapping[date, int], label: str) -> str:
    """One series of articles per day (a section's, in the archive view): :func:`stacked_days`
    with one unnamed section and no legend; a long span in weeks or months."""
    return stacked_days({day: {"": n} for day, n in days.items() if n}, label, legend=False, css="chart",
                        empty="no dated article")


def hbars(values: Mapping[str, float], label: str, *, empty: str = "none", fill: str = BAR,
          limits: Mapping[str, float] | None = None, percent: bool = False) -> str:
    """One labelled bar per key, largest first. ``limits`` draws a key's threshold as a red tick
    (and its bar red when over); ``percent`` shows values (shares 0..1) as percentages."""
    rows = [(k, v) for k, v in sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))]
    if not rows:
        return _empty(label, empty)
    left, row_h, top = 230, 18, 4
    width = WIDTH - left - 70
    vmax = max([v for _, v in rows] + list((limits or {}).values())) or 1
    body = []
    for i, (key, value) in enumerate(rows):
        y = top + i * row_h
        limit = (limits or {}).get(key)
        colour = LIMIT if limit is not None and value > limit else fill
        shown = f"{value:.0%}" if percent else f"{value:g}"
        body.append(f'<text x="{left - 6}" y="{y + 12}" text-anchor="end">{escape(key[:40])}</text>'
                    f'<rect x="{left}" y="{y + 2}" width="{max(1.0, width * value / vmax):.1f}" height="{row_h - 5}"'
                    f' fill="{colour}"><title>{escape(key)}: {shown}</title></rect>'
                    f'<text x="{left + width * value / vmax + 4:.1f}" y="{y + 12}">{shown}</text>')
        if limit is not None:
            x = left + width * limit / vmax
            body.append(f'<line x1="{x:.1f}" y1="{y}" x2="{x:.1f}" y2="{y + row_h - 1}" stroke="{LIMIT}"'
                        f' stroke-width="2"><title>threshold {limit:.0%}</title></line>')
    return _svg(body, label, top + len(rows) * row_h + 4)


def _when(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def run_history(runs: Sequence[Mapping[str, Any]], label: str, *, current: str | None = None,
                link: Callable[[str], str] | None = None, by_time: bool = False,
                empty: str = "no earlier run") -> str:
    """One bar per run, oldest first: height the articles it stored new or updated (at least a
    sliver, so a run that stored nothing still shows), colour ok / drift / failed; the current
    run outlined. ``by_time``: each bar at its run's start on a time line (gaps show the runs that
    did not happen), runs without a start left out; ``link``: each bar links to ``link(run_id)``."""
    top, plot_h, left = 10, 90, 40
    if by_time:
        dated = [(when, r) for r in runs if (when := _when(r.get("started"))) is not None]
        shown = [r for _, r in dated]
        seconds = [(when - dated[0][0]).total_seconds() for when, _ in dated]
        width = 6.0
        scale = (WIDTH - left - 12 - width) / max(*seconds, 1.0)
        xs = [left + 1 + t * scale for t in seconds]
    else:
        shown = list(runs)
        step = (WIDTH - left - 10) / max(len(shown), 1)
        width = max(2.0, min(24.0, step - 2))
        xs = [left + 1 + i * step for i in range(len(shown))]
    if not shown:
        return _empty(label, empty)
    ymax = max(1, *(int(r.get("new", 0)) + int(r.get("updated", 0)) for r in shown))
    body = _axis(left, top, plot_h, ymax)
    for x, run in zip(xs, shown, strict=True):
        n = int(run.get("new", 0)) + int(run.get("updated", 0))
        h = max(2.0, plot_h * n / ymax)
        status = run.get("status")
        colour = OK if status == "ok" else WARN if status == "layout_drift" or run.get("drift_flagged") else BAD
        outline = ' stroke="#000" stroke-width="2"' if run.get("run_id") == current else ""
        tip = (f"{run.get('run_id')}: {status} (exit {run.get('exit_code')}), {run.get('new', 0)} new,"
               f" {run.get('updated', 0)} updated, {run.get('errors', 0)} errors")
        bar = (f'<rect class="run" x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{width:.1f}"'
               f' height="{h:.1f}" fill="{colour}"{outline}><title>{escape(tip)}</title></rect>')
        body.append(f'<a href="{escape(link(str(run.get("run_id"))))}">{bar}</a>' if link else bar)
    ends = [str(r.get("started") or "")[:19] if by_time else str(r.get("run_id")) for r in (shown[0], shown[-1])]
    body.append(f'<text x="{left}" y="{top + plot_h + 14}">{escape(ends[0])}</text>')
    body.append(f'<text x="{WIDTH - 10}" y="{top + plot_h + 14}" text-anchor="end">{escape(ends[1])}'
                f" ({len(shown)} runs)</text>")
    return _svg(body, label, top + plot_h + 20)
