"""Command-line values of the form ``NAME=VALUE`` (``-a``, ``-s``, ``--schedule``), shared by
``northnews-cron`` and ``northnews-fleet``."""

from __future__ import annotations

from collections.abc import Sequence


def name_value_pairs(values: Sequence[str] | None, what: str) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` → ``{"a": "1", "b": "x=y"}``; a value without ``=`` or a name is a
    ValueError naming the option (``what``) and the value."""
    out = {}
    for value in values or ():
        name, sep, val = value.partition("=")
        if not sep or not name:
            raise ValueError(f"{what} {value!r}: expected NAME=VALUE")
        out[name] = val
    return out
