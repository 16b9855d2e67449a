"""Every setting and argument validated up front (northnews.config), and the table kept true."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest
from scrapy.settings import Settings, default_settings

from northnews import config
from northnews.config import BY_NAME, SETTINGS, ConfigError, validate
from northnews.inputs import check_replay
from tests.conftest import FIXTURES, REPO, SCRAPY

SETTINGS_PY = REPO / "northnews" / "settings.py"


def assigned() -> dict[str, object]:
    """Top-level NAME = literal assignments of settings.py (read as text, not imported)."""
    tree = ast.parse(SETTINGS_PY.read_text(encoding="utf-8"))
    out: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                out[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                out[node.targets[0].id] = ...  # computed (USER_AGENT)
    return out


def test_every_northnews_setting_is_in_the_table_with_its_default_and_vice_versa() -> None:
    values = assigned()
    ours = {name for name in values if name.startswith("NORTHNEWS_")}
    table = {s.name for s in SETTINGS if s.name.startswith("NORTHNEWS_") and not s.internal}
    assert ours - table == set(), "settings.py names missing from northnews/config.py SETTINGS"
    assert table - ours == set(), "config.SETTINGS names missing from settings.py"
    for name in ours:
        assert BY_NAME[name].default == values[name], name


def test_the_scrapy_settings_in_the_table_have_their_real_defaults() -> None:
    values = assigned()
    for s in SETTINGS:
        if not s.scrapy or s.default is None:
            continue
        real = values.get(s.name, getattr(default_settings, s.name))
        assert s.default == real, s.name


def project(**overrides: object) -> Settings:
    settings = Settings()
    settings.setmodule("northnews.settings", priority="project")
    settings.setdict(overrides, priority="cmdline")
    return settings


def test_the_project_settings_are_valid(tmp_path: Path) -> None:
    values = validate(project(NORTHNEWS_ARCHIVE_DIR=str(tmp_path / "a")))
    assert values["NORTHNEWS_WARC_GZIP_LEVEL"] == 6 and values["NORTHNEWS_WARC_ENABLED"] is True
    assert (tmp_path / "a").is_dir()


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("NORTHNEWS_WARC_GZIP_LEVEL", "11", "expected an integer 0-9, got '11'"),
        ("NORTHNEWS_WARC_GZIP_LEVEL", "abc", "expected an integer 0-9, got 'abc'"),
        ("NORTHNEWS_WARC_ENABLED", "maybe", "expected True or False, got 'maybe'"),
        ("NORTHNEWS_WARC_PREFIX", "a/b", "got 'a/b'"),
        ("NORTHNEWS_WARC_MAX_SIZE", "0", "expected an integer >= 1024, got '0'"),
        ("NORTHNEWS_PROGRESS_INTERVAL", "-1", "expected a number >= 0, got '-1'"),
        ("NORTHNEWS_RETRY_AFTER_MAX", "-5", "expected a number >= 0, got '-5'"),
        ("NORTHNEWS_MAX_ERROR_RATE", "2", "expected a number 0-1"),
        ("NORTHNEWS_MAX_LIST_PAGES", "0", "expected an integer >= 1"),
        ("NORTHNEWS_PENDING_MAX_ATTEMPTS", "x", "expected an integer >= 1"),
        ("NORTHNEWS_SITE", "nosuch", "unknown site 'nosuch'"),
        ("NORTHNEWS_ARCHIVE_DIR", "/proc/x", "expected a writable directory, got '/proc/x'"),
        ("NORTHNEWS_START_URLS", "foo", "no longer a setting: each edition's start URL is in the site profile"),
        ("NORTHNEWS_WARC_GIZP_LEVEL", "3", "unknown setting; did you mean NORTHNEWS_WARC_GZIP_LEVEL?"),
        ("NORTHNEWS_FROBNICATE", "3", "unknown setting; see `python -m northnews.config`"),
        ("DOWNLOAD_TIMEOUT", "0", "expected a number > 0"),
        ("DOWNLOAD_MAXSIZE", "-1", "expected an integer >= 0"),
        ("LOG_LEVEL", "LOUD", "expected one of CRITICAL, ERROR, WARNING, INFO, DEBUG"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_setting(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError) as exc:
        validate(project(**{name: value}))
    text = str(exc.value)
    assert text.startswith(f"-s {name}: ") and message in text and "\n" not in text


def test_a_header_dict_that_scrapy_cannot_read_is_refused_before_scrapy_sees_it() -> None:
    for bad in ("[1]", "{bad"):
        with pytest.raises(ConfigError, match="-s DEFAULT_REQUEST_HEADERS: expected a JSON object"):
            config.check_cmdline_pairs([f"DEFAULT_REQUEST_HEADERS={bad}"])
    config.check_cmdline_pairs(['DEFAULT_REQUEST_HEADERS={"Accept": "text/html"}', "LOG_LEVEL=INFO"])


def test_good_values_in_every_spelling(tmp_path: Path) -> None:
    values = validate(project(
        NORTHNEWS_WARC_ENABLED="false", NORTHNEWS_WARC_GZIP_LEVEL="0", NORTHNEWS_REDACT_HEADERS="X-Token,X-Key",
        NORTHNEWS_REQUISITE_HOSTS='["cdn.example"]', NORTHNEWS_ARCHIVE_DIR=str(tmp_path), LOG_LEVEL="debug",
    ))
    assert values["NORTHNEWS_WARC_ENABLED"] is False and values["NORTHNEWS_WARC_GZIP_LEVEL"] == 0
    assert values["NORTHNEWS_REDACT_HEADERS"] == ["X-Token", "X-Key"]
    assert values["NORTHNEWS_REQUISITE_HOSTS"] == ["cdn.example"] and values["LOG_LEVEL"] == "DEBUG"


def test_replay_sources_are_checked(tmp_path: Path) -> None:
    check_replay(str(FIXTURES / "portal"))  # a mirror
    check_replay(str(FIXTURES / "archive_v1"))  # an archive dir with warc/
    (tmp_path / "empty").mkdir()
    (tmp_path / "archive").mkdir()
    (tmp_path / "archive" / "articles.jsonl").write_text("{}\n")
    (tmp_path / "feed.jsonl").write_text("{}\n")
    (tmp_path / "fake.warc.gz").write_bytes(b"not a warc")
    for value, message in [
        ("", "got an empty value"),
        (str(tmp_path / "missing"), "no such file or directory"),
        (str(tmp_path / "empty"), "holds no WARC file and is not a mirror"),
        (str(tmp_path / "archive"), "holds no WARC file and is not a mirror"),
        (str(tmp_path / "feed.jsonl"), "is not a WARC file"),
        (str(tmp_path / "fake.warc.gz"), "is not a WARC file"),
    ]:
        with pytest.raises(ConfigError, match=message):
            check_replay(value)


def test_the_readme_table_lists_every_user_setting() -> None:
    table = config.markdown_table()
    for s in SETTINGS:
        if not s.internal and not s.scrapy:
            assert f"| `{s.name}` |" in table
    assert "`NORTHNEWS_RUN_ID`" not in table


def crawl(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(SCRAPY), "crawl", "articles", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize(
    "args",
    [
        ["-s", "NORTHNEWS_WARC_GZIP_LEVEL=11"],
        ["-s", "NORTHNEWS_WARC_ENABLED=maybe"],
        ["-s", "NORTHNEWS_ARCHIVE_DIR=/proc/x"],
        ["-s", "NORTHNEWS_START_URLS=foo"],
        ["-s", "NORTHNEWS_WARC_PREFIX=a/b"],
        ["-s", "NORTHNEWS_WARC_GIZP_LEVEL=3"],
        ["-s", "DEFAULT_REQUEST_HEADERS={bad"],
        ["-a", "replay="],
    ],
)
def test_scrapy_crawl_refuses_bad_input_in_one_line(args: list[str], tmp_path: Path) -> None:
    result = crawl(*args, "-s", f"NORTHNEWS_ARCHIVE_DIR={tmp_path / 'a'}") if "NORTHNEWS_ARCHIVE_DIR=/proc/x" not in args[1] else crawl(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("scrapy crawl articles: error: -")
    assert "Traceback" not in result.stderr + result.stdout
    assert not (tmp_path / "a" / "articles.jsonl").exists()


def test_replay_of_an_archive_without_warcs_keeps_the_feed(tmp_path: Path) -> None:
    """`make crawl` then `-a replay=archive`: an error, and articles.jsonl is left as it was."""
    archive = tmp_path / "archive"
    archive.mkdir()
    feed = archive / "articles.jsonl"
    feed.write_text('{"url": "http://www.northnews.cn/2015/0915/1.shtml"}\n', encoding="utf-8")
    result = crawl("-a", f"replay={archive}", "-s", f"NORTHNEWS_ARCHIVE_DIR={archive}")
    assert result.returncode == 2
    assert "holds no WARC file and is not a mirror" in result.stderr
    assert feed.read_text(encoding="utf-8").count("\n") == 1


def test_every_setting_of_ours_names_the_component_that_reads_it() -> None:
    """The README's settings table says where each setting is read (config.READ_BY), and that module exists."""
    import importlib

    from northnews import config

    ours = [s.name for s in config.SETTINGS if not s.internal and not s.scrapy]
    assert sorted(config.READ_BY) == sorted(ours)
    for modules in config.READ_BY.values():
        for module in modules.split(","):
            importlib.import_module("northnews." + module.strip())
