"""The one clock of northnews: every timestamp it writes is formatted here."""

from __future__ import annotations

from datetime import datetime, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso_z(when: datetime | None = None, *, micro: bool = False) -> str:
    """``2026-11-28T11:20:00Z`` (UTC); with ``micro``, ``…:00.123456Z`` (sortable as text, so runs
    within one second still order)."""
    when = (when or utc_now()).astimezone(timezone.utc)
    if micro:
        return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return when.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def compact(when: datetime | None = None) -> str:
    """``20261128T112000Z``: run ids and file names."""
    return (when or utc_now()).astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def parse_iso(text: str) -> datetime:
    """Any of the forms above (or an offset) back to an aware datetime."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
