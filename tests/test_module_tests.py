"""Every module of northnews/ has tests, found from the module's name (README "Tests").

The rule: ``northnews/<package>/<module>.py`` is tested by ``tests/test_<module>.py`` or
``tests/test_<package>_<module>.py`` (a module at the root, ``northnews/<module>.py``, by
``tests/test_<module>.py``; a deeper one, ``northnews/a/b/<module>.py``, also by
``tests/test_a_b_<module>.py``). Where the tests are grouped by behaviour instead (a package tested
through its public API, a command through its subprocess, a portal end to end), ``MODULE_TESTS``
below names them. A module with neither fails, and the message says what to add.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "northnews"
TESTS = ROOT / "tests"

# Module -> the test files that test it, for modules whose tests are not named after them.
# Keep it short: a module that gets a test by its name leaves this table (the check says so).
MODULE_TESTS: dict[str, tuple[str, ...]] = {
    # The archive: the record-level parts are tested through the files they write and read.
    "northnews.archive.hits": ("test_archive_mirror.py", "test_archive_warcreplay.py", "test_replay.py"),
    "northnews.archive.http": ("test_warc_writer.py", "test_archive_secrets.py"),
    "northnews.archive.writer": ("test_warc_writer.py", "test_archive_crawl.py"),
    # The one article path, through the package's API (test_article.py) and extract's items.
    "northnews.article.assembly": ("test_article.py", "test_extract.py"),
    "northnews.article.robots": ("test_article.py",),
    "northnews.article.validate": ("test_article.py", "test_pipelines.py"),
    # The Scrapy side: components tested in the crawl they take part in.
    "northnews.commands.crawl": ("test_spider_args.py", "test_archive_crawl.py"),  # `scrapy crawl`, subprocesses
    "northnews.crawl.downloadermiddlewares.failedfetch": ("test_archive_crawl.py",),  # attempts with no answer
    "northnews.crawl.downloadermiddlewares.httpcompression": ("test_encoding.py", "test_settings_speed.py"),
    "northnews.crawl.downloadermiddlewares.outcomes": ("test_progress.py",),
    "northnews.crawl.downloadermiddlewares.redirect": ("test_middlewares.py", "test_redirects.py"),
    "northnews.crawl.downloadermiddlewares.retry": ("test_middlewares.py", "test_faults.py"),
    "northnews.crawl.downloadermiddlewares.robotstxt": ("test_middlewares.py", "test_spider.py"),
    "northnews.crawl.extensions.summary": ("test_silent_zero.py", "test_run_report.py"),
    "northnews.crawl.keys": ("test_context.py", "test_layers.py"),  # names only: every component uses them
    "northnews.crawl.pipelines.store": ("test_incremental.py", "test_cron.py"),  # runs recorded in the store
    "northnews.crawl.pipelines.validate": ("test_pipelines.py", "test_pages.py"),
    "northnews.crawl.responses": ("test_spider.py",),  # one parsed tree per response, in the spider's callbacks
    "northnews.crawl.stats": ("test_silent_zero.py", "test_progress.py"),
    "northnews.crawl.writeerrors": ("test_cron_faults.py", "test_archive_files.py"),  # full disks
    "northnews.inputs": ("test_config.py",),  # -a replay= checked with the other settings
    "northnews.items": ("test_pipelines.py", "test_spider.py"),
    "northnews.settings": ("test_config.py", "test_settings_speed.py"),
    "northnews.sources": ("test_site_model.py",),  # sitemaps and feeds, with the URL model
    "northnews.spiders.articles": ("test_spider.py", "test_spider_args.py", "test_site_model.py"),
    # Page understanding: the pages and normalize packages are tested through their public API.
    "northnews.normalize.dates": ("test_normalize.py",),
    "northnews.normalize.merge": ("test_normalize.py",),
    "northnews.normalize.text": ("test_normalize.py",),
    "northnews.pages._article": ("test_pages.py", "test_pages_parts.py"),
    "northnews.pages._byline": ("test_pages_parts.py", "test_normalize.py"),
    "northnews.pages._container": ("test_pages_parts.py", "test_generic.py"),
    "northnews.pages._dom": ("test_pages_parts.py", "test_generic.py"),
    "northnews.pages._fields": ("test_pages.py", "test_pages_parts.py"),
    "northnews.pages._gallery": ("test_pages_parts.py",),
    "northnews.pages._layout": ("test_pages.py", "test_pages_parts.py"),
    "northnews.pages._lines": ("test_pages_parts.py",),
    "northnews.pages._meta": ("test_pages_parts.py", "test_generic.py"),
    "northnews.pages._paragraphs": ("test_pages_parts.py", "test_generic.py"),
    "northnews.pages._select": ("test_pages.py",),
    "northnews.pages._title": ("test_pages_parts.py",),
    "northnews.pages._walk": ("test_pages_parts.py", "test_generic.py"),
    "northnews.pages.objects": ("test_pages.py", "test_site_northnews.py"),
    # Site profiles: the loader with the URL model; a portal's hooks with that portal.
    "northnews.sites.profile": ("test_sites.py", "test_site_model.py"),
    "northnews.sites.northnews.hooks": ("test_site_northnews.py",),
    # Operations and the store: both backends run the same assertions.
    "northnews.ops.manifest": ("test_cron.py", "test_silent_zero.py"),
    "northnews.ops.schema": ("test_store_migration.py", "test_upgrade.py"),
    "northnews.ops.storebase": ("test_store.py", "test_store_pg.py"),
    "northnews.util.logredact": ("test_redact.py",),
    # The fleet: workers as processes on a real PostgreSQL.
    "northnews.fleet.cli": ("test_fleet.py",),
    "northnews.fleet.jobs": ("test_fleet.py",),
    "northnews.fleet.recover": ("test_fleet.py",),
    # northnews serve and the run report, over HTTP and in a browser.
    "northnews.view.app": ("test_view.py", "test_view_browser.py"),
    "northnews.view.cli": ("test_view.py", "test_view_browser.py"),
    "northnews.view.data": ("test_view.py",),
    "northnews.view.diff": ("test_view.py",),
    "northnews.view.plots": ("test_run_report.py",),
    "northnews.view.report": ("test_run_report.py",),
}


# A test file whose name the rule gives a module it does not test (another module's namesake):
# the module needs its MODULE_TESTS entry all the same.
NOT_ITS_TEST: dict[str, str] = {
    "northnews.crawl.pipelines.store": "test_store.py",  # tests northnews.ops.store, the store itself
}


def modules() -> list[str]:
    """Every module of the package, dotted (``__init__`` files hold no logic of their own)."""
    return sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts)
        for p in PACKAGE.rglob("*.py")
        if p.name != "__init__.py"
    )


def rule_names(module: str) -> list[str]:
    """The test file names the naming rule gives ``module``, the most specific first."""
    parts = module.split(".")[1:]  # without "northnews"
    names = [f"test_{'_'.join(parts)}.py", f"test_{'_'.join(parts[-2:])}.py", f"test_{parts[-1]}.py"]
    return list(dict.fromkeys(names))


def named_tests(module: str) -> list[str]:
    """The test files the naming rule gives ``module``, those that exist (a namesake's aside)."""
    return [n for n in rule_names(module) if (TESTS / n).is_file() and NOT_ITS_TEST.get(module) != n]


@cache
def _imports(test: Path) -> frozenset[str]:
    """What a test file imports (``from a import b`` counts as ``a`` and ``a.b``), and the dotted
    northnews names it writes out (``-m northnews.ops.cron``)."""
    text = test.read_text(encoding="utf-8")
    found = set(re.findall(r"\bnorthnews(?:\.\w+)+", text))
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return frozenset(found)


def importers_of(module: str) -> list[str]:
    """The test files that import ``module`` (or name it), this one aside."""
    return sorted(p.name for p in TESTS.glob("test_*.py") if p.name != Path(__file__).name and module in _imports(p))


def _entry(module: str, tests: list[str] | tuple[str, ...]) -> str:
    """A MODULE_TESTS line, as it is written in the table."""
    files = ", ".join(f'"{t}"' for t in tests) or '"test_….py"'
    return f'    "{module}": ({files},),' if len(tests) <= 1 else f'    "{module}": ({files}),'


def _same_name(module: str, others: set[str]) -> list[str]:
    return sorted(m for m in others if m.rsplit(".", 1)[-1] == module.rsplit(".", 1)[-1])


def _suggestion(module: str) -> tuple[str, str]:
    """Why ``module`` fails, and the table line that would make it pass."""
    by_name = " or ".join(f"tests/{n}" for n in rule_names(module))
    gone = _same_name(module, set(MODULE_TESTS) - set(modules()))  # an entry left under its old name
    if gone:
        tests, where = list(MODULE_TESTS[gone[0]]), f"the entry of {gone[0]}, its old name, said"
    else:
        tests = importers_of(module)
        where = f"the tests that import it today: {', '.join(tests)}" if tests else "no test imports it today: write one"
    return (f"{module}: no test named {by_name}, and no MODULE_TESTS entry ({where})", _entry(module, tests))


def _failure(problems: list[tuple[str, str]]) -> str:
    """One line per problem, then every table line to add in one block (ready to paste)."""
    lines = [line for _, line in problems if line]
    return "\n".join(why for why, _ in problems) + (
        "\n\nEither name the tests so, or add these lines to MODULE_TESTS in tests/test_module_tests.py"
        " (where the tests are grouped by behaviour):\n" + "\n".join(lines) if lines else "")


def test_every_module_has_its_tests_by_name_or_in_the_table() -> None:
    missing = [_suggestion(m) for m in modules() if not named_tests(m) and m not in MODULE_TESTS]
    assert not missing, _failure(missing)


def test_the_table_names_existing_modules_and_tests_and_only_what_the_rule_misses() -> None:
    known = set(modules())
    problems: list[tuple[str, str]] = []
    for module, tests in MODULE_TESTS.items():
        if module not in known:
            moved = _same_name(module, known)
            problems.append((f"MODULE_TESTS[{module!r}]: no such module: remove the line"
                             + (f" (moved to {moved[0]}?: the line below)" if moved else ""),
                             _entry(moved[0], tests) if moved and moved[0] not in MODULE_TESTS else ""))
        elif named_tests(module):
            problems.append((f"MODULE_TESTS[{module!r}]: {', '.join(named_tests(module))} is found by its name:"
                             " remove the line", ""))
        problems += [(f"MODULE_TESTS[{module!r}]: tests/{t} does not exist", "")
                     for t in tests if not (TESTS / t).is_file()]
    problems += [(f"NOT_ITS_TEST[{module!r}]: no such module: remove the line", "")
                  for module in NOT_ITS_TEST if module not in known]
    assert not problems, _failure(problems)


def test_the_naming_rule_and_its_message(monkeypatch: pytest.MonkeyPatch) -> None:
    assert named_tests("northnews.archive.cdxj") == ["test_archive_cdxj.py"]
    assert named_tests("northnews.ops.cron") == ["test_cron.py"]
    assert named_tests("northnews.config") == ["test_config.py"]
    assert named_tests("northnews.no_such_module") == []
    assert named_tests("northnews.ops.store") == ["test_store.py"]
    assert named_tests("northnews.crawl.pipelines.store") == []  # test_store.py is its namesake's
    assert importers_of("northnews.util.clock") == ["test_util_clock.py"]
    why, line = _suggestion("northnews.crawl.pipelines.nothing")
    assert "no test named tests/test_crawl_pipelines_nothing.py or tests/test_pipelines_nothing.py or " \
           "tests/test_nothing.py, and no MODULE_TESTS entry (no test imports it today: write one)" in why
    assert line == '    "northnews.crawl.pipelines.nothing": ("test_….py",),'
    # A module moved under a new package takes the files its old entry named.
    monkeypatch.setitem(MODULE_TESTS, "northnews.gone.widget", ("test_x.py", "test_y.py"))
    why, line = _suggestion("northnews.crawl.widget")
    assert why.endswith("(the entry of northnews.gone.widget, its old name, said)")
    assert line == '    "northnews.crawl.widget": ("test_x.py", "test_y.py"),'
    assert _entry("northnews.a.b", ["test_x.py", "test_y.py"]) == '    "northnews.a.b": ("test_x.py", "test_y.py"),'
    message = _failure([("a: why", '    "northnews.a": ("test_a.py",),'), ("b: why", "")])
    assert message.startswith("a: why\nb: why\n\nEither name the tests so, or add these lines")
    assert message.endswith('\n    "northnews.a": ("test_a.py",),')
