"""NAME=VALUE options (northnews.util.cmdline), as northnews-cron and northnews-fleet read them."""

from __future__ import annotations

import pytest

from northnews.util.cmdline import name_value_pairs


def test_pairs_split_at_the_first_equals_sign_and_later_ones_win() -> None:
    assert name_value_pairs(["since=2025-01-01", "q=a=b", "empty=", "since=2025-02-01"], "-a") == {
        "since": "2025-02-01", "q": "a=b", "empty": "",
    }
    assert name_value_pairs(None, "-a") == {} == name_value_pairs([], "-s")


@pytest.mark.parametrize("bad", ["since", "=2025-01-01"])
def test_a_value_without_a_name_or_an_equals_sign_names_the_option(bad: str) -> None:
    with pytest.raises(ValueError, match=rf"^--schedule '{bad}': expected NAME=VALUE$"):
        name_value_pairs(["ok=1", bad], "--schedule")
