"""Loading and checking site profiles (TOML) into :class:`Site` objects."""

from __future__ import annotations

import difflib
import functools
import importlib
import importlib.util
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SITES_DIR = Path(__file__).resolve().parent
PROFILE_NAME = "site.toml"
DEFAULT_SITE = "northnews"
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_LAYOUT_PARTS = ("title", "byline", "body", "crumb", "date")
# --- layout parts of the extractor (issue 15.4; README "Site profiles"), kept in one block -------
#: Optional selector parts of a layout beside _LAYOUT_PARTS.
_LAYOUT_EXTRA_PARTS = ("exclude", "kicker", "subtitle", "author", "page", "continued", "images", "caption", "error",
                       "tags")
#: Other optional keys: a regex, and the dates a layout is valid from/until.
_LAYOUT_OTHER_KEYS = ("error_text", "valid_from", "valid_until")
_LAYOUT_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

#: Every table a profile may hold and every key each table knows (``publishers`` takes any key):
#: a key or table not listed is a mistake, reported with the closest known name.
KNOWN_KEYS: dict[str, tuple[str, ...] | None] = {
    "site": ("name", "title", "timezone", "allowed_domains", "requisite_hosts"),
    "editions": ("start_url", "language", "default"),
    "urls": ("article", "list", "list_unsuffixed_page", "article_unsuffixed_page", "excluded", "attachment_ext", "url_dates", "pager",
             "query", "noise", "article_page_one", "same_article"),
    "text": ("site_names", "home_crumbs", "chrome_classes"),
    "publishers": None,
    "layouts": ("name", *_LAYOUT_PARTS, *_LAYOUT_EXTRA_PARTS, *_LAYOUT_OTHER_KEYS),
    "sections": ("from", "names", "page_name"),
    "issues": ("edition", "page", "first_page", "max_gap"),
    "sources": ("sitemaps", "feeds", "robots", "alternate"),
    "tests": ("dir",),
}
SECTION_SOURCES = ("crumb", "list", "list_or_crumb")


class SiteError(ValueError):
    """An unknown site or a malformed profile; the message names the file, the key and what was expected."""


@dataclass(frozen=True)
class Edition:
    code: str
    start_url: str
    language: str | None = None
    #: Crawled when ``-a editions`` does not name editions (``default = false``: only when named).
    default: bool = True

    @property
    def host(self) -> str:
        return (urlsplit(self.start_url).hostname or "").lower()

    @property
    def scheme(self) -> str:
        return urlsplit(self.start_url).scheme


@dataclass(frozen=True)
class UrlRules:
    """The portal's URL shapes: regexes over the path, or over ``path?query`` when the profile
    declares its query parameters (``query`` or ``noise``; :attr:`sees_query`)."""

    article: re.Pattern[str]
    list: re.Pattern[str]
    list_unsuffixed_page: int = 1
    excluded: tuple[re.Pattern[str], ...] = ()
    attachment: re.Pattern[str] | None = None
    url_dates: tuple[re.Pattern[str], ...] = ()
    pager: str = "suffix"
    #: More article rules, tried after ``article`` in order (``article`` may be a list).
    more_articles: tuple[re.Pattern[str], ...] = ()
    #: More list rules, tried after ``list`` in order.
    more_lists: tuple[re.Pattern[str], ...] = ()
    #: Globs of the query parameters that mean something (all others dropped), or None.
    query: tuple[str, ...] | None = None
    #: Globs of the query parameters that are noise (dropped), or None.
    noise: tuple[str, ...] | None = None
    #: "bare" (page 1 has no page number in its URL) or "numbered" (page 1 is ``…-1.html``).
    article_page_one: str = "bare"
    #: The number the article page without a page piece would have: 1 (``_2`` is the 2nd page),
    #: 0 (TRS: ``t…_1.html`` is the 2nd page).
    article_unsuffixed_page: int = 1
    #: host → URL template of the article's one URL (``{id}`` and the rule's other groups).
    same_article: Mapping[str, str] = field(default_factory=dict)

    @property
    def sees_query(self) -> bool:
        """True when the rules see ``path?query`` (a profile that declares its query parameters)."""
        return self.query is not None or self.noise is not None

    @property
    def articles(self) -> tuple[re.Pattern[str], ...]:
        return (self.article, *self.more_articles)

    @property
    def lists(self) -> tuple[re.Pattern[str], ...]:
        return (self.list, *self.more_lists)


@dataclass(frozen=True)
class SectionRules:
    """Where an item's section comes from (``[sections]``)."""

    source: str = "crumb"
    names: Mapping[str, str] = field(default_factory=dict)
    page_name: re.Pattern[str] | None = None

    @property
    def named_by_lists(self) -> bool:
        """Whether list pages name their articles' sections (``from`` is ``list`` or ``list_or_crumb``)."""
        return self.source != "crumb"


@dataclass(frozen=True)
class IssueRules:
    """An e-paper edition walked issue by issue (``[issues]``)."""

    edition: str
    page: re.Pattern[str]
    first_page: str | None = None
    max_gap: int = 7


@dataclass(frozen=True)
class SourceRules:
    """Sources of article URLs besides list pages (``[sources]``)."""

    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    robots: bool = False
    alternate: bool = False

    def __bool__(self) -> bool:
        return bool(self.sitemaps or self.feeds or self.robots or self.alternate)


@dataclass(frozen=True)
class TextRules:
    site_names: re.Pattern[str] | None = None
    home_crumbs: frozenset[str] = frozenset()
    chrome_classes: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LayoutSpec:
    """One article layout, as the profile describes it: CSS selectors per part."""

    name: str
    title: str
    byline: str
    body: str
    crumb: str | None = None
    date: str | None = None
    exclude: str | None = None
    kicker: str | None = None
    subtitle: str | None = None
    author: str | None = None
    page: str | None = None
    continued: str | None = None
    images: str | None = None
    caption: str | None = None
    error: str | None = None
    #: The tags the page prints (each link inside, else the text split as keywords are).
    tags: str | None = None
    error_text: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None

    @property
    def error_only(self) -> bool:
        """A layout of an error page: it names no article part."""
        return not (self.title or self.byline or self.body)


@dataclass(frozen=True, eq=False)  # one object per profile file (cached): compared and hashed by identity
class Site:
    name: str
    title: str
    path: Path
    timezone: tzinfo
    timezone_name: str
    allowed_domains: tuple[str, ...]
    editions: Mapping[str, Edition]
    urls: UrlRules
    text: TextRules = field(default_factory=TextRules)
    publishers: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    layouts: tuple[LayoutSpec, ...] = ()
    requisite_hosts: tuple[str, ...] = ()
    hooks: ModuleType | None = field(default=None, compare=False, repr=False)
    sections: SectionRules = field(default_factory=SectionRules)
    issues: IssueRules | None = None
    sources: SourceRules = field(default_factory=SourceRules)
    #: The profile's saved pages for ``scrapy sites test``.
    tests_dir: Path | None = None

    @functools.cached_property
    def publisher_index(self) -> dict[str, str]:
        """casefolded printed name → canonical publisher."""
        return {
            alias.strip().casefold(): canonical
            for canonical, aliases in self.publishers.items()
            for alias in (canonical, *aliases)
        }

    @functools.cached_property
    def edition_by_host(self) -> dict[str, str]:
        return {e.host: code for code, e in self.editions.items()}

    def edition_of(self, url: str) -> str:
        """The edition whose host serves ``url``; the first edition for other hosts of the site."""
        host = (urlsplit(url).hostname or "").lower()
        return self.edition_by_host.get(host) or next(iter(self.editions))

    def describe(self) -> str:
        editions = ", ".join(f"{c} {e.start_url}" for c, e in self.editions.items())
        return f"{self.name}: {self.title} ({editions})"


# --- loading ------------------------------------------------------------------------------------


def known_sites() -> list[str]:
    """The names of the profiles shipped in ``northnews/sites/``."""
    return sorted(p.parent.name for p in SITES_DIR.glob(f"*/{PROFILE_NAME}"))


def profile_path(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    if text.endswith(".toml") or "/" in text or "\\" in text:
        path = Path(text)
        if path.is_dir():
            path = path / PROFILE_NAME
        if not path.is_file():
            raise SiteError(f"{path}: no such site profile")
        return path.resolve()
    if not _NAME_RE.match(text):
        raise SiteError(f"site {text!r}: expected a profile name ({', '.join(known_sites())}) or a path to a .toml file")
    path = SITES_DIR / text / PROFILE_NAME
    if not path.is_file():
        raise SiteError(f"unknown site {text!r}; known sites: {', '.join(known_sites())}")
    return path


@functools.lru_cache(maxsize=32)
def _load(path: Path) -> Site:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SiteError(f"{path}: cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SiteError(f"{path}: not valid TOML: {exc}") from None
    return _Parser(path, data).site()


def load_site(name_or_path: str | Path = DEFAULT_SITE) -> Site:
    """The site named ``name`` (a shipped profile) or described by a ``.toml`` file."""
    return _load(profile_path(name_or_path))


class _Parser:
    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data

    def fail(self, key: str, expected: str, got: Any = None) -> SiteError:
        found = "" if got is None else f", got {got!r}"
        return SiteError(f"{self.path}: {key}: expected {expected}{found}")

    def table(self, key: str, required: bool = True) -> dict[str, Any]:
        value = self.data.get(key)
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            raise self.fail(f"[{key}]", "a table", value)
        return value

    def string(self, table: dict[str, Any], prefix: str, key: str, default: str | None = None) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or not value:
            raise self.fail(f"{prefix}.{key}", "a non-empty string", value)
        return value

    def strings(self, table: dict[str, Any], prefix: str, key: str) -> list[str]:
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(f"{prefix}.{key}", "a list of strings", value)
        return value

    def regex(self, pattern: str, key: str, groups: tuple[str, ...] = ()) -> re.Pattern[str]:
        try:
            compiled = re.compile(pattern, re.I)
        except re.error as exc:
            raise self.fail(key, f"a regular expression ({exc})", pattern) from None
        missing = [g for g in groups if g not in compiled.groupindex]
        if missing:
            raise self.fail(key, f"a regular expression with the group(s) {', '.join(missing)}", pattern)
        return compiled

    def unknown(self, key: str, known: Iterable[str], where: str, what: str = "key") -> SiteError:
        known = list(known)
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(known)})"
        return SiteError(f"{self.path}: {where}: unknown {what}{hint}")

    def check_keys(self) -> None:
        """Every table and every key is one the profile format knows: a misspelt one is named,
        with the closest known name (``difflib``)."""
        for table, value in self.data.items():
            if table not in KNOWN_KEYS:
                raise self.unknown(table, KNOWN_KEYS, f"[{table}]", "table")
            known = KNOWN_KEYS[table]
            if known is None or not isinstance(value, (dict, list)):
                continue
            if table == "editions":
                if not isinstance(value, dict):  # [[editions]]: one table per edition code is [editions.zh]
                    raise self.fail("[[editions]]", "one [editions.CODE] table per edition, such as [editions.zh]",
                                    "an array of tables")
                rows = [(f"editions.{code}", t) for code, t in value.items() if isinstance(t, dict)]
            elif table == "layouts":
                if not isinstance(value, list):  # [layouts]: a layout is one [[layouts]] entry
                    raise self.fail("[layouts]", "[[layouts]] (an array of tables, one per layout)", "a table")
                rows = [(f"layouts[{i}]", t) for i, t in enumerate(value) if isinstance(t, dict)]
            elif isinstance(value, dict):
                rows = [(table, value)]
            else:
                continue
            for prefix, row in rows:
                for key in row:
                    if key not in known:
                        raise self.unknown(key, known, f"{prefix}.{key}")

    def site(self) -> Site:
        self.check_keys()
        meta = self.table("site")
        name = self.string(meta, "site", "name")
        if not _NAME_RE.match(name):
            raise self.fail("site.name", "lower-case letters, digits, - and _", name)
        tz_name = self.string(meta, "site", "timezone")
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise self.fail("site.timezone", "an IANA time zone such as Asia/Shanghai", tz_name) from None
        domains = self.strings(meta, "site", "allowed_domains")
        if not domains:
            raise self.fail("site.allowed_domains", "at least one domain")
        return Site(
            name=name,
            title=meta.get("title") or name,
            path=self.path,
            timezone=tz,
            timezone_name=tz_name,
            allowed_domains=tuple(d.lower() for d in domains),
            requisite_hosts=tuple(h.lower() for h in self.strings(meta, "site", "requisite_hosts")),
            editions=self.editions(),
            urls=self.urls(),
            text=self.text(),
            publishers=self.publishers(),
            layouts=self.layouts(),
            hooks=self.hooks(meta),
            sections=self.sections(),
            issues=self.issues(),
            sources=self.sources(),
            tests_dir=self.tests_dir(),
        )

    def editions(self) -> dict[str, Edition]:
        editions = self.table("editions")
        if not editions:
            raise self.fail("[editions]", "at least one edition table such as [editions.zh]")
        out = {}
        for code, table in editions.items():
            if not isinstance(table, dict):
                raise self.fail(f"[editions.{code}]", "a table")
            url = self.string(table, f"editions.{code}", "start_url")
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise self.fail(f"editions.{code}.start_url", "an http(s) URL", url)
            default = table.get("default", True)
            if not isinstance(default, bool):
                raise self.fail(f"editions.{code}.default", "true or false", default)
            out[code] = Edition(code=code, start_url=url, language=table.get("language"), default=default)
        if not any(e.default for e in out.values()):
            raise self.fail("[editions]", "at least one edition crawled by default (default = true)")
        return out

    def rules(self, urls: dict[str, Any], key: str, groups: tuple[str, ...] = ()) -> list[re.Pattern[str]]:
        """``urls.<key>``: one regex, or a list of them tried in order."""
        value = urls.get(key)
        patterns: list[Any] = value if isinstance(value, list) and value else [value]  # checked str just below
        if not all(isinstance(p, str) and p for p in patterns):
            raise self.fail(f"urls.{key}", "a regular expression or a list of them", value)
        return [self.regex(p, f"urls.{key}", groups) for p in patterns]

    def globs(self, urls: dict[str, Any], key: str) -> tuple[str, ...] | None:
        if key not in urls:
            return None
        return tuple(g.lower() for g in self.strings(urls, "urls", key))

    def urls(self) -> UrlRules:
        urls = self.table("urls")
        pager = urls.get("pager", "suffix")
        if pager not in ("suffix", "pages", "none"):
            raise self.fail("urls.pager", '"suffix", "pages" or "none"', pager)
        page_one = urls.get("article_page_one", "bare")
        if page_one not in ("bare", "numbered"):
            raise self.fail("urls.article_page_one", '"bare" or "numbered"', page_one)
        same = urls.get("same_article", {})
        if not isinstance(same, dict) or not all(isinstance(v, str) and "{id}" in v for v in same.values()):
            raise self.fail("urls.same_article", 'a table host = "URL template with {id}"', same)
        articles = self.rules(urls, "article", ("id",))
        lists = self.rules(urls, "list")
        first = urls.get("list_unsuffixed_page", 1)
        if not isinstance(first, int) or first < 0:
            raise self.fail("urls.list_unsuffixed_page", "an integer >= 0", first)
        article_first = urls.get("article_unsuffixed_page", 1)
        if article_first not in (0, 1) or isinstance(article_first, bool):
            raise self.fail("urls.article_unsuffixed_page", "0 or 1", article_first)
        ext = self.strings(urls, "urls", "attachment_ext")
        attachment = re.compile(r"\.(?:" + "|".join(re.escape(e.lower().lstrip(".")) for e in ext) + r")$", re.I) if ext else None
        return UrlRules(
            article=articles[0],
            more_articles=tuple(articles[1:]),
            list=lists[0],
            more_lists=tuple(lists[1:]),
            query=self.globs(urls, "query"),
            noise=self.globs(urls, "noise"),
            article_page_one=page_one,
            same_article={h.lower(): t for h, t in same.items()},
            list_unsuffixed_page=first,
            article_unsuffixed_page=article_first,
            excluded=tuple(self.regex(p, "urls.excluded") for p in self.strings(urls, "urls", "excluded")),
            attachment=attachment,
            url_dates=tuple(self.regex(p, "urls.url_dates", ("y", "m", "d")) for p in self.strings(urls, "urls", "url_dates")),
            pager=pager,
        )

    def sections(self) -> SectionRules:
        table = self.table("sections", required=False)
        source = table.get("from", "crumb")
        if source not in SECTION_SOURCES:
            raise self.fail("sections.from", " or ".join(f'"{s}"' for s in SECTION_SOURCES), source)
        names = table.get("names", {})
        if not isinstance(names, dict) or not all(isinstance(v, str) for v in names.values()):
            raise self.fail("sections.names", 'a table "<list rule section group>" = "<name>"', names)
        page_name = table.get("page_name")
        return SectionRules(
            source=source,
            names={str(k): v for k, v in names.items()},
            page_name=self.regex(page_name, "sections.page_name", ("section",)) if page_name else None,
        )

    def issues(self) -> IssueRules | None:
        table = self.table("issues", required=False)
        if not table:
            return None
        edition = self.string(table, "issues", "edition")
        if edition not in self.data.get("editions", {}):
            raise self.fail("issues.edition", "one of the profile's editions", edition)
        first_page = table.get("first_page")
        if first_page is not None and (not isinstance(first_page, str) or not all(f"{{{g}}}" in first_page for g in "ymd")):
            raise self.fail("issues.first_page", "a URL template with {y}, {m} and {d}", first_page)
        gap = table.get("max_gap", 7)
        if not isinstance(gap, int) or gap < 1:
            raise self.fail("issues.max_gap", "an integer >= 1", gap)
        return IssueRules(
            edition=edition,
            page=self.regex(self.string(table, "issues", "page"), "issues.page", ("y", "m", "d")),
            first_page=first_page,
            max_gap=gap,
        )

    def sources(self) -> SourceRules:
        table = self.table("sources", required=False)
        flags = {}
        for key in ("robots", "alternate"):
            flags[key] = table.get(key, False)
            if not isinstance(flags[key], bool):
                raise self.fail(f"sources.{key}", "true or false", flags[key])
        return SourceRules(
            sitemaps=tuple(self.strings(table, "sources", "sitemaps")),
            feeds=tuple(self.strings(table, "sources", "feeds")),
            **flags,
        )

    def tests_dir(self) -> Path:
        table = self.table("tests", required=False)
        return self.path.parent / self.string(table, "tests", "dir", "tests")

    def text(self) -> TextRules:
        text = self.table("text", required=False)
        names = self.strings(text, "text", "site_names")
        return TextRules(
            site_names=self.regex("|".join(f"(?:{n})" for n in names), "text.site_names") if names else None,
            home_crumbs=frozenset(c.casefold() for c in self.strings(text, "text", "home_crumbs")),
            chrome_classes=frozenset(self.strings(text, "text", "chrome_classes")),
        )

    def publishers(self) -> dict[str, tuple[str, ...]]:
        table = self.table("publishers", required=False)
        out = {}
        for canonical, aliases in table.items():
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise self.fail(f"publishers.{canonical}", "a list of printed names", aliases)
            out[canonical] = tuple(aliases)
        return out

    def layouts(self) -> tuple[LayoutSpec, ...]:
        layouts = self.data.get("layouts", [])
        if not isinstance(layouts, list):
            raise self.fail("[[layouts]]", "an array of tables", layouts)
        out = []
        for i, table in enumerate(layouts):
            prefix = f"layouts[{i}]"
            if not isinstance(table, dict):
                raise self.fail(prefix, "a table", table)
            keys = ("name", *_LAYOUT_PARTS, *_LAYOUT_EXTRA_PARTS, *_LAYOUT_OTHER_KEYS)
            unknown = set(table) - set(keys)
            if unknown:
                raise self.fail(f"{prefix}.{sorted(unknown)[0]}", f"one of {', '.join(keys)}")
            error_only = ("error" in table or "error_text" in table) and not any(
                k in table for k in ("title", "byline", "body"))
            extra: dict[str, str] = {}
            for key in (*_LAYOUT_EXTRA_PARTS, *_LAYOUT_OTHER_KEYS):
                if key in table:
                    extra[key] = self.string(table, prefix, key)
            for key in ("valid_from", "valid_until"):
                if key in extra and not _LAYOUT_DATE_RE.match(extra[key]):
                    raise self.fail(f"{prefix}.{key}", "a date YYYY-MM-DD", extra[key])
            if "error_text" in extra:
                self.regex(extra["error_text"], f"{prefix}.error_text")
            spec = LayoutSpec(
                name=self.string(table, prefix, "name"),
                title="" if error_only else self.string(table, prefix, "title"),
                byline="" if error_only else self.string(table, prefix, "byline"),
                body="" if error_only else self.string(table, prefix, "body"),
                crumb=table.get("crumb"),
                date=table.get("date"),
                **extra,
            )
            out.append(spec)
        names = [s.name for s in out]
        if len(set(names)) != len(names) or "generic" in names:
            raise self.fail("[[layouts]].name", "distinct names, none of them 'generic'", names)
        return tuple(out)

    def hooks(self, meta: dict[str, Any]) -> ModuleType | None:
        """``hooks.py`` beside the profile, if there is one."""
        hooks_file = self.path.parent / "hooks.py"
        if not hooks_file.is_file():
            return None
        if self.path.parent.parent == SITES_DIR:
            return importlib.import_module(f"northnews.sites.{self.path.parent.name}.hooks")
        spec = importlib.util.spec_from_file_location(f"northnews_site_hooks_{meta.get('name')}", hooks_file)
        if spec is None or spec.loader is None:  # pragma: no cover
            raise SiteError(f"{hooks_file}: cannot be imported")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
