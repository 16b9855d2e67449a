"""Every setting northnews reads, in one table, and their validation before anything starts.

The table (:data:`SETTINGS`) gives each ``NORTHNEWS_*`` setting, and the Scrapy settings whose
values we rely on, its type, default, allowed range and meaning. ``scrapy crawl`` (the crawl
command's ``process_options``) and ``northnews-cron`` call :func:`validate` on the merged
settings before a crawler exists; a wrong type or range, or an unknown ``NORTHNEWS_*`` name (with
the closest known name suggested), is one :class:`ConfigError` line naming the setting and what
was expected, and the process exits 2. No component ever sees a bad value, so no bad value can end
in a traceback from inside the reactor.

The README's settings table is generated from this one (``python -m northnews.config``), and
``tests/test_config.py`` checks that every ``NORTHNEWS_*`` name assigned in ``settings.py`` is
here with the same default, and the other way round.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREFIX = "NORTHNEWS_"
_BOOL_WORDS = {"true": True, "false": False, "1": True, "0": False}
_NAME_RE = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
_LOG_LEVELS = ("CRITICAL", "ERROR", "WARNING", "INFO", "DEBUG")


class ConfigError(ValueError):
    """A bad setting; the message is one line naming it and what was expected."""


@dataclass(frozen=True)
class Setting:
    name: str
    type: str  # bool | int | float | str | path | list | dict | site | choice
    default: Any
    meaning: str
    min: float | None = None
    max: float | None = None
    above: float | None = None  # exclusive lower bound
    pattern: str | None = None  # for str values (an empty value is allowed when the default is "")
    choices: tuple[str, ...] = ()
    #: Set by northnews itself (cron, the spider), not by users; not in settings.py.
    internal: bool = False
    #: A Scrapy setting we rely on (not ours; default is Scrapy's or settings.py's).
    scrapy: bool = False

    def expected(self) -> str:
        """What a good value looks like, for error messages and the README."""
        kind = {
            "bool": "True or False", "int": "an integer", "float": "a number", "str": "a string",
            "path": "a writable directory", "list": "a comma-separated list or a JSON list",
            "dict": "a JSON object", "site": "a site profile name or a path to its .toml",
            "choice": "one of " + ", ".join(self.choices),
        }[self.type]
        bounds = []
        if self.min is not None and self.max is not None:
            return f"{kind} {_num(self.min)}-{_num(self.max)}"
        if self.above is not None:
            bounds.append(f"> {_num(self.above)}")
        if self.min is not None:
            bounds.append(f">= {_num(self.min)}")
        if self.max is not None:
            bounds.append(f"<= {_num(self.max)}")
        if self.pattern:
            bounds.append("of letters, digits, '.', '_' or '-'")
        return kind + (" " + " and ".join(bounds) if bounds else "")


def _num(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


S = Setting
SETTINGS: tuple[Setting, ...] = (
    # --- crawl ---
    S("NORTHNEWS_ARCHIVE_DIR", "path", "archive",
      "root of everything a crawl writes (feed, rejects, WARCs, store, runs); must be creatable and writable"),
    S("NORTHNEWS_SITE", "site", "northnews", "the site profile to crawl (`-a site=` sets it per run)"),
    S("NORTHNEWS_MAX_LIST_PAGES", "int", 1000,
      "list pages walked per section per run at most; a longer chain is a pagination trap, logged at WARNING"
      " and counted `northnews/spider/pagination_capped` (the run still finishes)", min=1),
    # --- archive (WARC) ---
    S("NORTHNEWS_WARC_ENABLED", "bool", True, "write WARCs in live crawls (always off in replay)"),
    S("NORTHNEWS_WARC_PREFIX", "str", "northnews",
      "file names `<prefix>-<yyyymmddhhmmss>-<serial>-<host>.warc.gz`", pattern=_NAME_RE),
    S("NORTHNEWS_WARC_MAX_SIZE", "int", 1_000_000_000,
      "bytes: rotate to a new file at this size (a request and its response share a file)", min=1024),
    S("NORTHNEWS_WARC_GZIP_LEVEL", "int", 6, "zlib level of each record's gzip member", min=0, max=9),
    S("NORTHNEWS_WARC_OPERATOR", "str", "", "operator (contact, organisation) written into each warcinfo record"),
    S("NORTHNEWS_WARC_REVISITS", "bool", True, "write a `revisit` record instead of an unchanged payload"),
    S("NORTHNEWS_WARC_QUEUE_BYTES", "int", 0,
      "0 (the default, measured faster on 2 idle cores): records written on the reactor thread; N > 0: on a"
      " writer thread fed by a queue of at most N bytes of exchanges (the reactor waits when it is full)", min=0),
    S("NORTHNEWS_WARC_HOSTNAME", "str", "", "host part of WARC file names (empty: the machine's hostname)",
      pattern=_NAME_RE),
    S("NORTHNEWS_REDACT_HEADERS", "list", [],
      "request headers whose values are never written (WARC request records, command lines, logs), besides"
      " `Cookie`, `Authorization` and `Proxy-Authorization`, which always are"),
    S("NORTHNEWS_FILE_GROUP", "str", "",
      "group given to the files and directories the archive and the store are written as (mode 0640 / 0750);"
      " empty: the process's own group", pattern=_NAME_RE),
    S("NORTHNEWS_REQUISITES_ENABLED", "bool", True,
      "fetch and archive the images and template files (CSS, JS, icons, fonts) article pages show"),
    S("NORTHNEWS_REQUISITES_MAX_PER_PAGE", "int", 100, "new requisites fetched per page at most", min=0),
    S("NORTHNEWS_REQUISITE_MAX_SIZE", "int", 10_000_000,
      "bytes: a larger requisite is cancelled and recorded as too_large", min=0),
    S("NORTHNEWS_REQUISITE_HOSTS", "list", [],
      "more hosts (sub-domains included) whose images and template files are fetched"),
    # --- operations ---
    S("NORTHNEWS_STORE_ENABLED", "bool", True,
      "keep the store of record (`NORTHNEWS_STORE_URL`; never touched in replay; cron requires it)"),
    S("NORTHNEWS_STORE_URL", "str", "",
      "where the store of record is: empty for the SQLite file `<archive>/northnews.sqlite3`;"
      " `postgresql://USER@HOST:PORT/DB` for a PostgreSQL server that several workers share (the WARC"
      " digest index and file manifest then live there too); a password is better in `~/.pgpass` or"
      " `PGPASSWORD` than in the URL", pattern=r"^(postgres(ql)?://\S+|[^:]+)$"),
    S("NORTHNEWS_GC_THRESHOLD", "int", 20_000,
      "allocations between young-generation collections of Python's cyclic garbage collector during a crawl,"
      " whose start-up heap is frozen (`gc.freeze`); 0 leaves the collector as Python sets it", min=0),
    S("NORTHNEWS_STORE_COMMIT_INTERVAL", "float", 1.0,
      "seconds of stored items a crawl commits to the SQLite store at once (0: one commit per item); a kill"
      " loses at most that open group, whose articles the next run fetches again; anything else (the run's own"
      " record, a pending article, an alias) commits the group and itself at once (PostgreSQL: one commit per"
      " item always)", min=0),
    S("NORTHNEWS_WORKER", "str", "",
      "a fleet worker's name (set by `northnews-fleet worker`), added to WARC file names"
      " `<prefix>-<yyyymmddhhmmss>-<serial>-<host>-<worker>.warc.gz` so that they are unique across workers",
      pattern=_NAME_RE),
    S("NORTHNEWS_INCREMENTAL", "bool", True,
      "skip article pages already in the store; `False` fetches every article again"),
    S("NORTHNEWS_PENDING_MAX_ATTEMPTS", "int", 5,
      "fetches of an article that did not become a complete item before it is `failed`"
      " (listed by `scrapy pending`, retried only with `-a retry_failed=1`)", min=1),
    S("NORTHNEWS_PENDING_BACKOFF", "float", 3600.0,
      "seconds: a pending article is fetched again by the next run after its first failure, then no sooner"
      " than BACKOFF × 2^(attempts-2) after its last attempt", min=0),
    S("NORTHNEWS_PENDING_BACKOFF_MAX", "float", 7 * 86400.0,
      "seconds: the longest a pending article waits after its last attempt, whatever the backoff says; a"
      " pending row dated further than this past now (a clock that ran ahead, then was corrected) is due at once",
      min=0),
    S("NORTHNEWS_PARSE_WORKERS", "int", 0,
      "worker processes that read article pages whole off the reactor thread (the page's HTML sent; its"
      " fields, links, requisites and a one-page article's item returned: the reactor thread never parses"
      " an article page); `0`: on the reactor thread. Measured on 2 cores: see README \"Benchmarks\"", min=0),
    S("NORTHNEWS_PROGRESS_INTERVAL", "float", 60.0, "seconds between progress lines (`0`: only the final one)",
      min=0),
    S("NORTHNEWS_MAX_ERROR_RATE", "float", 0.05, "`northnews-cron` exits 5 when errors / requests exceed it",
      min=0, max=1),
    S("NORTHNEWS_DRIFT_MAX_GENERIC", "float", 0.3,
      "share of a run's article pages read by the generic extractor above which the run is flagged"
      " `layout_drift` (cron exit 7)", min=0, max=1),
    S("NORTHNEWS_DRIFT_MAX_QUARANTINED", "float", 0.2,
      "share of a run's article pages quarantined above which the run is flagged `layout_drift`", min=0, max=1),
    S("NORTHNEWS_DRIFT_SECTION_MAX_GENERIC", "float", 0.5, "the same share of generic pages, in one section",
      min=0, max=1),
    S("NORTHNEWS_DRIFT_SECTION_MAX_QUARANTINED", "float", 0.5, "the same share of quarantined pages, in one section",
      min=0, max=1),
    S("NORTHNEWS_DRIFT_MIN_PAGES", "int", 10, "article pages (site-wide or per section) before drift is judged",
      min=1),
    S("NORTHNEWS_RETRY_AFTER_MAX", "float", 120.0,
      "seconds: the longest wait before retrying a 429/503 (its `Retry-After`, or the backoff without one)",
      min=0),
    S("NORTHNEWS_RUN_ID", "str", "", "run id (set by cron); names the run's log and manifest", pattern=_NAME_RE,
      internal=True),
    S("NORTHNEWS_REPLAY", "str", "", "replay source (set by `-a replay=`)", internal=True),
    # --- Scrapy settings we rely on ---
    S("DOWNLOAD_MAXSIZE", "int", 64 * 1024 * 1024,
      "bytes: a larger response, on the wire or once decompressed (a gzip bomb), is cancelled", min=0, scrapy=True),
    S("DOWNLOAD_WARNSIZE", "int", 16 * 1024 * 1024, "bytes: a larger response is logged at WARNING", min=0,
      scrapy=True),
    S("DOWNLOAD_TIMEOUT", "float", 60, "seconds before a request times out", above=0, scrapy=True),
    S("DOWNLOAD_DELAY", "float", 0.5, "seconds between requests to one host", min=0, scrapy=True),
    S("CONCURRENT_REQUESTS", "int", 8, "requests in flight at most", min=1, scrapy=True),
    S("CONCURRENT_REQUESTS_PER_DOMAIN", "int", 4, "requests in flight per host at most", min=1, scrapy=True),
    S("RETRY_TIMES", "int", 3, "retries of a failed request (timeouts, resets, 5xx, 429)", min=0, scrapy=True),
    S("RETRY_ENABLED", "bool", True, "retry failed requests", scrapy=True),
    S("ROBOTSTXT_OBEY", "bool", True, "obey robots.txt", scrapy=True),
    S("COOKIES_ENABLED", "bool", False, "Scrapy's cookie middleware", scrapy=True),
    S("AUTOTHROTTLE_ENABLED", "bool", True, "AutoThrottle", scrapy=True),
    S("AUTOTHROTTLE_START_DELAY", "float", 1.0, "AutoThrottle's first delay", min=0, scrapy=True),
    S("AUTOTHROTTLE_MAX_DELAY", "float", 30.0, "AutoThrottle's longest delay", min=0, scrapy=True),
    S("AUTOTHROTTLE_TARGET_CONCURRENCY", "float", 2.0, "AutoThrottle's target", above=0, scrapy=True),
    S("DEFAULT_REQUEST_HEADERS", "dict", None, "headers of every request (their values are redacted in records)",
      scrapy=True),
    S("LOG_LEVEL", "choice", "INFO", "log level", choices=_LOG_LEVELS, scrapy=True),
    S("USER_AGENT", "str", None, "the crawler's identity", scrapy=True),
)
del S

BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}

#: Names of earlier releases, and where what they said lives now.
REMOVED: dict[str, str] = {
    "NORTHNEWS_START_URLS": "no longer a setting: each edition's start URL is in the site profile"
    " (northnews/sites/<name>/site.toml; choose it with -a site=NAME)",
    "NORTHNEWS_ALLOWED_DOMAINS": "no longer a setting: the allowed domains are in the site profile"
    " (northnews/sites/<name>/site.toml; choose it with -a site=NAME)",
}


#: Which component reads each of our settings (a module under ``northnews``), for the README's table.
#: Scrapy's own settings are read by Scrapy. ``crawl.context`` is the crawl's context, which every
#: component of a crawl asks.
READ_BY = {
    "NORTHNEWS_ARCHIVE_DIR": "crawl.context",
    "NORTHNEWS_SITE": "crawl.context",
    "NORTHNEWS_MAX_LIST_PAGES": "spiders.articles",
    **dict.fromkeys(
        ("NORTHNEWS_WARC_ENABLED", "NORTHNEWS_WARC_PREFIX", "NORTHNEWS_WARC_MAX_SIZE", "NORTHNEWS_WARC_GZIP_LEVEL",
         "NORTHNEWS_WARC_OPERATOR", "NORTHNEWS_WARC_REVISITS", "NORTHNEWS_WARC_QUEUE_BYTES", "NORTHNEWS_WARC_HOSTNAME",
         "NORTHNEWS_WORKER"),
        "archive.writer"),
    "NORTHNEWS_REDACT_HEADERS": "archive.writer, ops.cron",
    "NORTHNEWS_FILE_GROUP": "commands.crawl, ops.cron",
    **dict.fromkeys(
        ("NORTHNEWS_REQUISITES_ENABLED", "NORTHNEWS_REQUISITES_MAX_PER_PAGE", "NORTHNEWS_REQUISITE_MAX_SIZE",
         "NORTHNEWS_REQUISITE_HOSTS"),
        "crawl.pipelines.requisites"),
    "NORTHNEWS_STORE_ENABLED": "crawl.extensions.incremental",
    "NORTHNEWS_STORE_URL": "ops.store",
    "NORTHNEWS_STORE_COMMIT_INTERVAL": "crawl.pipelines.store",
    "NORTHNEWS_GC_THRESHOLD": "crawl.extensions.collector",
    "NORTHNEWS_INCREMENTAL": "crawl.extensions.incremental",
    **dict.fromkeys(("NORTHNEWS_PENDING_MAX_ATTEMPTS", "NORTHNEWS_PENDING_BACKOFF", "NORTHNEWS_PENDING_BACKOFF_MAX"),
                    "ops.pending"),
    "NORTHNEWS_PARSE_WORKERS": "spiders.articles",
    "NORTHNEWS_PROGRESS_INTERVAL": "crawl.extensions.progress",
    "NORTHNEWS_MAX_ERROR_RATE": "ops.cron",
    **dict.fromkeys(
        ("NORTHNEWS_DRIFT_MAX_GENERIC", "NORTHNEWS_DRIFT_MAX_QUARANTINED", "NORTHNEWS_DRIFT_SECTION_MAX_GENERIC",
         "NORTHNEWS_DRIFT_SECTION_MAX_QUARANTINED", "NORTHNEWS_DRIFT_MIN_PAGES"),
        "crawl.extensions.drift"),
    "NORTHNEWS_RETRY_AFTER_MAX": "crawl.downloadermiddlewares.retry",
}


def _fail(setting: Setting, value: Any) -> ConfigError:
    shown = value if isinstance(value, str) else json.dumps(value, default=str)
    return ConfigError(f"-s {setting.name}: expected {setting.expected()}, got {shown!r}")


def convert(setting: Setting, value: Any) -> Any:
    """``value`` (as given: a string from ``-s``, or a Python value) as the setting's type, checked."""
    t = setting.type
    if t == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        word = _BOOL_WORDS.get(str(value).strip().lower())
        if word is None:
            raise _fail(setting, value)
        return word
    if t in ("int", "float"):
        if isinstance(value, bool):
            raise _fail(setting, value)
        try:
            number = int(str(value).strip()) if t == "int" and not isinstance(value, int) else (
                value if t == "int" else float(value)
            )
        except (TypeError, ValueError):
            raise _fail(setting, value) from None
        if t == "float" and number != number:  # NaN
            raise _fail(setting, value)
        if (setting.min is not None and number < setting.min) or (setting.max is not None and number > setting.max):
            raise _fail(setting, value)
        if setting.above is not None and number <= setting.above:
            raise _fail(setting, value)
        return number
    if t == "choice":
        text = str(value).strip().upper()
        if text not in setting.choices:
            raise _fail(setting, value)
        return text
    if t == "list":
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                try:
                    value = json.loads(text)
                except ValueError:
                    raise _fail(setting, value) from None
            else:
                return [v.strip() for v in text.split(",") if v.strip()]
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise _fail(setting, value)
        return list(value)
    if t == "dict":
        if value is None:
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise _fail(setting, value) from None
        if hasattr(value, "copy_to_dict"):  # a BaseSettings
            value = value.copy_to_dict()
        if not isinstance(value, Mapping):
            raise _fail(setting, value)
        return dict(value)
    if t == "site":
        from northnews.sites import SiteError, load_site

        try:
            load_site(str(value))
        except SiteError as exc:
            raise ConfigError(f"-s {setting.name}: {exc}") from None
        return str(value)
    # str and path
    if value is None and setting.default is None:
        return None
    if not isinstance(value, str):
        raise _fail(setting, value)
    if t == "path":
        if not value.strip():
            raise _fail(setting, value)
        return value
    if setting.pattern and value and not re.match(setting.pattern, value):
        raise _fail(setting, value)
    if setting.pattern and not value and setting.default not in ("", None):
        raise _fail(setting, value)
    return value


def check_writable_dir(name: str, value: str) -> None:
    """The directory exists and takes a new file, or can be created: else a ConfigError.

    Creating it is what the crawl would do first anyway; this only does it before anything else.
    """
    path = Path(value)
    try:
        path.mkdir(parents=True, exist_ok=True)
        if not path.is_dir():
            raise NotADirectoryError(f"not a directory: {value}")
        fd, probe = tempfile.mkstemp(prefix=".northnews-probe-", dir=path)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        why = exc.strerror or str(exc)
        raise ConfigError(f"-s {name}: expected a writable directory, got {value!r} ({why})") from None


def suggest(name: str, known: Iterable[str] | None = None) -> str | None:
    """The known setting name closest to a misspelt one, if any is close."""
    names = [s.name for s in SETTINGS if s.name.startswith(PREFIX)] if known is None else list(known)
    # Compared without the common prefix, which would make every name look alike.
    tails = {n.removeprefix(PREFIX): n for n in names}
    match = difflib.get_close_matches(name.upper().removeprefix(PREFIX), list(tails), n=1, cutoff=0.6)
    return tails[match[0]] if match else None


def unknown_name_error(name: str) -> ConfigError:
    if name in REMOVED:
        return ConfigError(f"-s {name}: {REMOVED[name]}")
    close = suggest(name)
    hint = f"; did you mean {close}?" if close else "; see `python -m northnews.config` for the settings"
    return ConfigError(f"-s {name}: unknown setting{hint}")


def validate(settings: Any, *, check_paths: bool = True) -> dict[str, Any]:
    """Check every northnews setting and the Scrapy ones in the table; return the converted values.

    ``settings`` is a Scrapy ``Settings`` (or any mapping). Raises :class:`ConfigError` for the
    first bad one: unknown ``NORTHNEWS_*`` names first, then values in table order, then (with
    ``check_paths``) that the archive directory is writable.
    """
    names = list(settings.keys()) if hasattr(settings, "keys") else list(settings)
    for name in sorted(names):
        if name.upper().startswith(PREFIX) and name not in BY_NAME:
            raise unknown_name_error(name)
    values: dict[str, Any] = {}
    for setting in SETTINGS:
        if setting.name not in names:
            continue
        value = settings[setting.name]
        if setting.internal and value in (None, ""):
            continue
        values[setting.name] = convert(setting, value)
    if values.get("NORTHNEWS_FILE_GROUP"):
        from northnews.util.fileperms import group_id

        try:
            group_id(values["NORTHNEWS_FILE_GROUP"])
        except LookupError:
            raise ConfigError(f"-s NORTHNEWS_FILE_GROUP: no such group: {values['NORTHNEWS_FILE_GROUP']!r}") from None
    if check_paths and "NORTHNEWS_ARCHIVE_DIR" in values:
        check_writable_dir("NORTHNEWS_ARCHIVE_DIR", values["NORTHNEWS_ARCHIVE_DIR"])
    return values


def check_cmdline_pairs(pairs: Iterable[str] | None) -> None:
    """``-s NAME=VALUE`` pairs Scrapy itself would choke on (a dict setting given bad JSON)."""
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        setting = BY_NAME.get(name)
        if sep and setting is not None and setting.type == "dict":
            convert(setting, value)


def checker(settings: Any) -> Callable[[str], Any]:
    """A getter of validated values (a small convenience for components' ``from_crawler``)."""
    values = validate(settings, check_paths=False)
    return lambda name: values.get(name, BY_NAME[name].default)


def default(name: str) -> Any:
    """A setting's default, as the table says (the one place it is written)."""
    return BY_NAME[name].default


def archive_dir(settings: Any) -> Path:
    """``NORTHNEWS_ARCHIVE_DIR`` of ``settings`` (a Scrapy ``Settings`` or a mapping), else its default."""
    return Path(settings.get("NORTHNEWS_ARCHIVE_DIR") or default("NORTHNEWS_ARCHIVE_DIR"))


def _default_text(setting: Setting) -> str:
    value = setting.default
    if value is None:
        return "Scrapy's" if setting.scrapy else "none"
    if isinstance(value, str):
        return f"`{value}`" if value else '`""`'
    if isinstance(value, int) and not isinstance(value, bool) and value >= 10_000:
        return f"`{value}`"
    return f"`{json.dumps(value) if isinstance(value, list) else value}`"


def markdown_table(scrapy: bool = False) -> str:
    """The README's settings table: | setting | type, default | read by | meaning | (Scrapy's: no
    "read by")."""
    if scrapy:
        lines = ["| setting | type, default | meaning |", "| --- | --- | --- |"]
    else:  # ours: also which component reads it
        lines = ["| setting | type, default | read by | meaning |", "| --- | --- | --- | --- |"]
    for s in SETTINGS:
        if s.internal or s.scrapy != scrapy:
            continue
        reader = "" if scrapy else " " + ", ".join(f"`{m.strip()}`" for m in READ_BY.get(s.name, "").split(",") if m.strip()) + " |"
        lines.append(f"| `{s.name}` | {s.expected()}, {_default_text(s)} |{reader} {s.meaning} |")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m northnews.config [--scrapy]: the README table
    import sys

    print(markdown_table(scrapy="--scrapy" in sys.argv[1:]))
