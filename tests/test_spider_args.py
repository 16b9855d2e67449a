"""Spider arguments: validated up front, bad values are one line naming the argument, exit 2."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest

from northnews.spiders.articles import ArgumentError, parse_args
from tests.conftest import REPO, SCRAPY


def test_defaults() -> None:
    args = parse_args()
    site = args.pop("site")
    assert site.name == "northnews"
    assert args == {"editions": ["zh", "en"], "replay": None, "max_pages": None, "since": None, "refresh": None,
                    "retry_failed": False}


def test_valid_values() -> None:
    args = parse_args(editions="en", max_pages="3", since="2015-09-01", refresh="2")
    assert args["editions"] == ["en"]
    assert args["max_pages"] == 3
    assert args["since"] == date(2015, 9, 1)
    assert args["refresh"] == 2.0


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"editions": "fr"}, "editions"),
        ({"editions": ","}, "editions"),
        ({"max_pages": "0"}, "max_pages"),
        ({"max_pages": "two"}, "max_pages"),
        ({"since": "15/09/2015"}, "since"),
        ({"replay": "/nonexistent/mirror"}, "replay"),
        ({"refresh": "-1"}, "refresh"),
        ({"replay": ""}, "replay"),
        ({"site": "nosuchportal"}, "site"),
        ({"site": "/nonexistent/site.toml"}, "site"),
    ],
)
def test_bad_values_name_the_argument(kwargs: dict[str, str], name: str) -> None:
    with pytest.raises(ArgumentError, match=f"^-a {name}:"):
        parse_args(**kwargs)


@pytest.mark.parametrize("arg", ["since=yesterday", "editions=de", "colour=blue"])
def test_command_line_error_is_one_line_and_non_zero(arg: str) -> None:
    proc = subprocess.run(
        [str(SCRAPY), "crawl", "articles", "-a", arg], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"scrapy crawl articles: error: -a {arg.split('=')[0]}:")
