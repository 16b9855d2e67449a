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


def test_every_test_the_readme_names_exists() -> None:
    """``test_x.py::test_name`` in the README are real tests; a bare ``::test_name`` is in the
    module named before it on the same line (a table row)."""
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing, checked = [], 0
    for line in readme.splitlines():
        module = None
        for cell in re.findall(r"`([^`]*)`", line):
            for part in re.split(r",\s*", cell):
                m = re.fullmatch(r"(?:tests/)?(test_\w+\.py)?(?:::(\w+)\*?)?", part.strip())
                if not m or not (m.group(1) or m.group(2)):
                    continue
                module = m.group(1) or module
                if module is None:
                    missing.append(f"{part} (no module)")
                    continue
                path = REPO / "tests" / module
                checked += 1
                if not path.exists():
                    missing.append(module)
                elif m.group(2) and not re.search(rf"def {re.escape(m.group(2))}", path.read_text(encoding="utf-8")):
                    missing.append(f"{module}::{m.group(2)}")
    assert checked >= 20 and not missing, (checked, missing)
