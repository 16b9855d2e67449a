"""The ``northnews-archive`` entry point (northnews.ops.archive_cli): the archive's commands plus extract."""

from __future__ import annotations

import subprocess
import sys

import pytest

from northnews.ops import archive_cli


def test_every_archive_command_is_there_and_extract_too() -> None:
    parser = archive_cli.build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    assert {"check", "recover", "index", "list", "extract"} <= set(sub.choices)
    args = parser.parse_args(["extract", "a", "b", "-o", "-", "-j", "2", "--since", "2015-09-01", "--store"])
    assert (args.paths, args.output, args.jobs, str(args.since), args.store) == (["a", "b"], "-", 2, "2015-09-01", True)


@pytest.mark.parametrize("bad", [["--jobs", "0"], ["--until", "soon"]])
def test_bad_values_are_usage_errors(bad: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        archive_cli.build_parser().parse_args(["extract", *bad])
    assert exc.value.code == 2
    assert "expected" in capsys.readouterr().err


def test_the_entry_point_imports_no_scrapy_until_extract_runs() -> None:
    """check/index/list start as fast as before the entry point moved here."""
    code = ("import sys; import northnews.ops.archive_cli as m; m.build_parser(); "
            "print(sorted(x for x in ('scrapy', 'twisted') if x in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
