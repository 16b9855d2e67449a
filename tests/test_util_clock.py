"""The one clock (northnews.util.clock): every timestamp northnews writes, and reading them back."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from northnews.util.clock import compact, iso_z, parse_iso, utc_now

CST = timezone(timedelta(hours=8))
WHEN = datetime(2026, 11, 28, 19, 20, 5, 123456, tzinfo=CST)  # 11:20:05.123456 UTC


def test_iso_z_is_utc_to_the_second_or_the_microsecond() -> None:
    assert iso_z(WHEN) == "2026-11-28T11:20:05Z"
    assert iso_z(WHEN, micro=True) == "2026-11-28T11:20:05.123456Z"


def test_compact_is_the_run_id_and_file_name_form() -> None:
    assert compact(WHEN) == "20261128T112005Z"


def test_every_written_form_parses_back_to_the_same_instant() -> None:
    assert parse_iso("2026-11-28T11:20:05Z") == WHEN.replace(microsecond=0)
    assert parse_iso("2026-11-28T11:20:05.123456Z") == WHEN
    assert parse_iso(" 2026-11-28T19:20:05.123456+08:00 ") == WHEN
    # No offset written: taken as UTC, never as the machine's local time.
    assert parse_iso("2026-11-28T11:20:05").utcoffset() == timedelta(0)


def test_micro_timestamps_sort_as_text_in_time_order() -> None:
    times = [WHEN + timedelta(microseconds=n) for n in (900_000, 5, 40_000)]
    assert sorted(iso_z(t, micro=True) for t in times) == [iso_z(t, micro=True) for t in sorted(times)]


def test_now_is_aware_utc() -> None:
    now = utc_now()
    assert now.utcoffset() == timedelta(0)
    assert iso_z().endswith("Z") and len(iso_z()) == len("2026-11-28T11:20:05Z")
