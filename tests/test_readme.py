"""The README says what the code does: its settings tables are the settings registry's own."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO, SCRAPY


def table(*args: str) -> str:
    return subprocess.run([sys.executable, "-m", "northnews.config", *args], cwd=REPO,
                          capture_output=True, text=True, check=True).stdout.strip()


def test_the_settings_tables_in_the_readme_are_the_registry() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for args in ((), ("--scrapy",)):
        assert table(*args) in readme, f"README settings table differs from `python -m northnews.config {' '.join(args)}`"


def test_every_command_the_readme_names_exists() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    commands = subprocess.run([str(SCRAPY), "-h"], cwd=REPO, capture_output=True, text=True).stdout
    for name in ("sites", "export", "drift", "pending"):
        assert f"scrapy {name}" in readme and name in commands, name
