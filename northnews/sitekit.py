"""A profile's own test kit and a first draft of a profile (``scrapy sites test|draft``).

* :func:`run_tests` — the profile's saved pages (``<tests dir>/<case>.html`` + ``<case>.json``:
  ``{"url": …, "pages": ["case.html", "case_2.html"], "expected": {field: value}}``), each read as
  the crawl reads it (decoded as the crawl decodes, extracted by :mod:`northnews.pages`, built into
  an item by :func:`northnews.pages.stitch.build_item`) and compared field by field, as Fundus keeps
  saved pages and expected output per publisher.
* :func:`draft` — pages of a site (a ``wget --mirror`` directory, or a short polite crawl) → a first
  profile: article and list URL rules from the shapes of the links seen, the page suffix of split
  articles, sections, and layouts from the markup repeated across article pages; for a person to
  refine (``scrapy sites FILE`` checks it, ``scrapy crawl articles -a site=FILE`` uses it).
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
import urllib.robotparser
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote, urljoin, urlsplit

from northnews import pages
from northnews.discovery import script_pager_hrefs
from northnews.encoding import decode
from northnews.normalize.dates import DATE_RE
from northnews.pages import stitch
from northnews.sites import LayoutSpec, Site


def tag_of(el: Any) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


def classes(el: Any) -> list[str]:
    return (el.get("class") or "").split()


def text_of(el: Any) -> str:
    return " ".join(" ".join(t for t in el.itertext() if t.strip()).split()) if el is not None else ""

# --- sites test ---------------------------------------------------------------------------------

#: Fields that depend on the capture, not on the page: never compared.
CAPTURE_FIELDS = ("fetched_at", "warc", "content_digest")


@dataclass
class Mismatch:
    case: str
    field: str
    got: Any
    want: Any


@dataclass
class CaseResult:
    name: str
    url: str
    checked: int
    mismatches: list[Mismatch]


def _comparable(field_name: str, value: Any) -> Any:
    if field_name == "images" and isinstance(value, list):
        return [{k: v for k, v in image.items() if k in ("url", "caption")} for image in value]
    return value


def test_cases(site: Site) -> list[Path]:
    directory = site.tests_dir
    return sorted(directory.glob("*.json")) if directory is not None and directory.is_dir() else []


def run_case(site: Site, case: Path) -> CaseResult:
    spec = json.loads(case.read_text(encoding="utf-8"))
    url = spec["url"]
    files = spec.get("pages") or [case.with_suffix(".html").name]
    parsed = []
    for name in files:
        text, _ = decode((case.parent / name).read_bytes(), spec.get("content_type"))
        parsed.append(pages.parse_article(text, url, site))
    item, _ = stitch.build_item(parsed, url, site, {"fetched_at": spec.get("fetched_at", "2000-01-01T00:00:00Z")})
    expected = spec.get("expected") or {}
    mismatches = [
        Mismatch(case.stem, name, _comparable(name, item.get(name)), _comparable(name, want))
        for name, want in expected.items()
        if name not in CAPTURE_FIELDS and _comparable(name, item.get(name)) != _comparable(name, want)
    ]
    return CaseResult(case.stem, url, len(expected), mismatches)


def run_tests(site: Site) -> list[CaseResult]:
    return [run_case(site, case) for case in test_cases(site)]


# --- sites draft: reading a sample -------------------------------------------------------------

HTML_SUFFIXES = (".html", ".htm", ".shtml", ".php", ".asp", ".aspx", ".jsp", "")
STATIC_SUFFIXES = re.compile(
    r"\.(?:css|js|jpe?g|png|gif|webp|svg|ico|bmp|pdf|docx?|xlsx?|pptx?|zip|rar|7z|gz|mp[34]|flv|avi|swf|xml|txt|json)$", re.I
)


@dataclass
class SamplePage:
    url: str
    root: Any
    title: str
    text_chars: int  # characters of paragraph text: articles have many
    links: list[tuple[str, str]] = field(default_factory=list)  # (absolute url, anchor text)


def _page(url: str, body: bytes, content_type: str | None = None) -> SamplePage | None:
    head = body[:2048].lower()
    if b"<html" not in head and b"<!doctype" not in head and b"<body" not in head:
        return None
    text, _ = decode(body, content_type)
    root = pages.parse_html(text)
    if root is None:
        return None
    title = " ".join(t.strip() for t in root.xpath("//title//text()") if t.strip())
    chars = sum(len(text_of(p)) for p in root.iter("p"))
    links = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if href and not href.startswith(("#", "javascript:", "mailto:", "tel:")):
            links.append((urljoin(url, href).split("#", 1)[0], text_of(a)))
    links += [(urljoin(url, href), "") for href in script_pager_hrefs(root)]  # TRS's createPageHTML
    return SamplePage(url, root, title, chars, links)


def mirror_pages(directory: Path) -> Iterator[SamplePage]:
    """Every HTML page of a ``wget --mirror`` directory (``DIR/<host>/<path>``, ``index.html`` for
    ``/``, the query kept in the file name)."""
    for host_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
        host = host_dir.name
        for path in sorted(host_dir.rglob("*")):
            if not path.is_file() or STATIC_SUFFIXES.search(path.name.split("?", 1)[0]):
                continue
            rel = path.relative_to(host_dir).as_posix()
            if rel.split("?", 1)[0].endswith("index.html"):
                rel = rel.replace("index.html", "", 1)
            page = _page(f"http://{host}/{rel}", path.read_bytes())
            if page is not None:
                yield page


def crawl_pages(start: str, limit: int = 200, delay: float = 1.0, timeout: float = 20) -> Iterator[SamplePage]:
    """A short polite crawl: robots.txt obeyed, one request at a time, ``delay`` seconds apart, at
    most ``limit`` pages, the start URL's host only."""
    host = urlsplit(start).hostname
    parser = urllib.robotparser.RobotFileParser(urljoin(start, "/robots.txt"))
    robots: urllib.robotparser.RobotFileParser | None = parser  # None: robots.txt could not be read
    try:
        parser.read()
    except OSError:
        robots = None
    agent = "northnews-draft (site profile draft; polite, one page at a time)"
    queue, seen, fetched = [start], {start}, 0
    while queue and fetched < limit:
        url = queue.pop(0)
        if robots is not None and not robots.can_fetch(agent, url):
            continue
        request = urllib.request.Request(url, headers={"User-Agent": agent})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310 - http(s) only, checked below
                body, ctype = answer.read(5_000_000), answer.headers.get("Content-Type")
        except OSError:
            continue
        finally:
            fetched += 1
            time.sleep(delay)
        page = _page(url, body, ctype)
        if page is None:
            continue
        yield page
        for link, _ in page.links:
            parts = urlsplit(link)
            if parts.scheme in ("http", "https") and parts.hostname == host and link not in seen \
                    and not STATIC_SUFFIXES.search(parts.path):
                seen.add(link)
                queue.append(link)


# --- sites draft: URL shapes -------------------------------------------------------------------

_DIGITS = re.compile(r"\d+")


def _target(url: str) -> str:
    parts = urlsplit(url)
    return unquote(parts.path or "/") + (f"?{parts.query}" if parts.query else "")


#: A WordPress-style slug: words joined by at least two dashes (whats-next-for-small-business).
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){2,}", re.I)
#: A slug article and its later pages: .../<slug>/ and .../<slug>/2/.
_SLUG_ARTICLE = re.compile(r"<slug>/$")
_SLUG_PAGE = re.compile(r"<slug>/\\d\{\d\}/$")
_HTML_EXT = re.compile(r"\.s?html?$", re.I)


def _digit_shape(m: re.Match[str]) -> str:
    n = len(m.group())
    return "\\d{" + str(n) + "}" if n <= 8 else "\\d+"


def shape(url: str) -> str:
    """A URL's shape: its path with digit runs as ``\\d{n}`` (lengths kept up to 8, longer runs as
    ``\\d+``), letters-only directory names as ``<dir>``, slugs (``whats-next-for-x``) as
    ``<slug>``; its query as written, each value's digit runs shaped the same way
    (``portal.php?mod=view&aid=\\d{2}``: dynamic articles are told by their query)."""
    parts = urlsplit(url)
    segments = (parts.path or "/").split("/")
    out = []
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        if _SLUG.fullmatch(seg) and not (last and _HTML_EXT.search(seg)):
            out.append("<slug>")
        elif not last and re.fullmatch(r"[A-Za-z][A-Za-z_-]*", seg):
            out.append("<dir>")
        else:
            out.append(_HTML_EXT.sub(".<html>", _DIGITS.sub(_digit_shape, seg)))
    query = "&".join(_DIGITS.sub(_digit_shape, p) for p in parts.query.split("&") if p) if parts.query else ""
    return "/".join(out) + (f"?{query}" if query else "")


def _regex_of(shape_key: str, split_suffix: bool, with_id: bool = True, *, numbered: bool = False,
              query_page: str | None = None) -> str:
    """An article rule from a shape: literal text escaped, the ``id`` the last digit run of the
    query when it has one (``?aid=\\d{2}``), else of the last path segment; an optional ``_<page>``
    suffix when split articles were seen (``split_suffix``), a ``&<query_page>=<page>`` one when
    their pages are a query parameter, or (``numbered``) the last digit run the page and the one
    before it the id (Discuz's ``article-<aid>-<page>.html``)."""
    path, _, query = shape_key.partition("?")
    if _SLUG_ARTICLE.search(path):  # /yyyy/mm/dd/<slug>/: the slug is the id
        head = _regex_of(path[: -len("<slug>/")] + "X", False, with_id=False)[:-2]  # without its X$
        return head + r"(?P<id>[a-z0-9-]+)/" + (r"(?P<paged>(?P<page>\d+)/)?" if split_suffix else "") + "$"
    if path.endswith("/<slug>") and not query:  # /news/yyyy/mm/dd/<slug> (Drupal's pathauto)
        head = _regex_of(path[: -len("<slug>")] + "X", False, with_id=False)[:-2]
        return head + r"(?P<id>[a-z0-9-]+)$"
    target = path + (f"?{query}" if query else "")
    pieces = re.split(r"(\\d\{\d+\}|\\d\+|<dir>|<slug>)", target)
    # The id: the last digit token of the query, else of the last path segment, else of the path;
    # numbered, the page is that last token and the id the one before it.
    starts, pos = {}, 0
    for i, p in enumerate(pieces):
        if p.startswith("\\d"):
            starts[i] = pos
        pos += len(p)
    last_seg_start = len(path) - len(path.split("/")[-1])
    candidates = ([i for i, at in starts.items() if at > len(path)]
                  or [i for i, at in starts.items() if at >= last_seg_start] or list(starts))
    id_index = candidates[-1] if candidates else None
    page_index = None
    if numbered and len(candidates) >= 2:
        id_index, page_index = candidates[-2], candidates[-1]
    if not with_id:
        id_index = page_index = None
    out = []
    for i, p in enumerate(pieces):
        if i == id_index:
            out.append(r"(?P<id>\d+)" + (r"(?:_(?P<page>\d+))?" if split_suffix else ""))
        elif i == page_index:
            out.append(r"(?P<page>\d+)")
        elif p.startswith("\\d"):
            out.append(p)
        elif p == "<dir>":
            out.append(r"[a-z][a-z_-]*")
        elif p == "<slug>":
            out.append(r"[a-z0-9-]+")
        else:
            out.append(re.escape(p).replace("\\/", "/").replace("\\&", "&").replace("\\=", "="))
    regex = ("^" + "".join(out)).replace(re.escape(".<html>"), r"\.s?html?")
    if query_page:
        regex += rf"(?P<paged>&{re.escape(query_page)}=(?P<page>\d+))?"
    return regex + "$"


_DEFAULT_LIST_RULE = "(?:/|/(?:index|list|default)(?:_(?P<page>\\d+))?\\.s?html?)$"
_DEFAULT_LIST = re.compile(_DEFAULT_LIST_RULE)
#: Query parameters that number a list's or an article's pages.
#: (Not ``p``: WordPress's ``?p=`` is a post's id.)
_PAGE_PARAM = re.compile(r"^(?:page|pageno|pn|paged|pagenum|pageindex|curpage)$", re.I)
#: A page with this much paragraph text is an article (its related links are no list).
_ARTICLE_TEXT_CHARS = 400


def _numbered(key: str, urls: Iterable[str]) -> bool:
    """Is the last number of this shape's file name a page number counted from 1 (``-1`` on most
    links, small on all) while the number before it varies (the id)?"""
    tail = key.partition("?")[0].split("/")[-1]
    if len(re.findall(r"\\d\{\d+\}|\\d\+", tail)) < 2:
        return False
    pairs = [re.findall(r"\d+", urlsplit(u).path.split("/")[-1])[-2:] for u in urls]
    pairs = [p for p in pairs if len(p) == 2]
    if len(pairs) < 2:
        return False
    pages_, ids = Counter(int(p[1]) for p in pairs), {p[0] for p in pairs}
    return max(pages_) <= 30 and pages_.most_common(1)[0][0] == 1 and len(ids) > len(pages_)


def _schemes(sample: Iterable[SamplePage]) -> dict[str, str]:
    """Each host's scheme as the pages' own absolute links and addresses give it (a mirror does not
    know it): the majority of ``https://host`` against ``http://host``."""
    seen: dict[str, Counter[str]] = defaultdict(Counter)
    for p in sample:
        for el in p.root.iter("a", "link", "base", "img", "script", "form"):
            for attr in ("href", "src", "action"):
                m = re.match(r"\s*(https?)://([^/:?#\s]+)", el.get(attr) or "", re.I)
                if m:
                    seen[m.group(2).lower()][m.group(1).lower()] += 1
    return {host: count.most_common(1)[0][0] for host, count in seen.items()}


def _list_regex(url: str) -> tuple[str | None, int | None]:
    """A list rule from one list page's URL, and its page number when it prints one: the file name's
    letters kept, a last path segment of letters (a section's slug) and every number generalised,
    the query's page parameter optional (``portal.php?mod=list&catid=1&page=2``,
    ``/sections/local-news?page=1``)."""
    parts = urlsplit(url)
    segments = (parts.path or "/").split("/")
    out = []
    page_name, page = None, None
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        numbers = _DIGITS.findall(seg)
        if last and re.fullmatch(r"[a-z0-9]+(?:[-_][a-z0-9]+)*", seg) and not seg.isdigit() and len(segments) > 2:
            out.append("[a-z0-9_-]+")  # a section's slug
        elif not last and re.fullmatch(r"[A-Za-z][A-Za-z_-]*", seg):
            out.append("[A-Za-z][A-Za-z_-]*")
        elif last and len(numbers) >= 2 and re.search(r"[_-]\d+\.[a-z]+$", seg):
            # list_<tid>_<n>.html: the last number is the page
            numbered_name = re.match(r"^(.*?)([_-])(\d+)(\.[a-z]+)$", seg)
            assert numbered_name is not None  # the search above found this shape
            head, sep, n, ext = numbered_name.groups()
            out.append(re.escape(_DIGITS.sub("0", head)).replace("0", r"\d+")
                       + rf"(?P<paged>{re.escape(sep)}(?P<page>\d+))?" + re.escape(ext))
            page_name, page = "", int(n)
        else:
            out.append(re.escape(_DIGITS.sub("0", seg)).replace("0", r"\d+"))
    params = []
    for piece in (q for q in parts.query.split("&") if q):
        name, _, value = piece.partition("=")
        if _PAGE_PARAM.match(name) and value.isdigit():
            page_name, page = name, int(value)
            continue
        params.append(re.escape(name) + "=" + (r"\d+" if value.isdigit() else re.escape(value)))
    regex = "^" + "/".join(out)
    if params:
        regex += r"\?" + "&".join(params)
    if page_name:  # a query parameter (the file name's is in the path already)
        sep = "&" if params else r"\?"
        regex += rf"(?P<paged>{sep}{re.escape(page_name)}=(?P<page>\d+))?"
    return regex + "$", page


@dataclass
class Draft:
    toml: str
    articles: int
    lists: int
    layouts: int


_DATE_DIRS = re.compile(r"\\d\{4\}(\\?[-/]?)\\d\{2\}/\\d\{2\}/")


def _date_groups(m: re.Match[str]) -> str:
    return r"(?P<y>\d{4})" + m.group(1) + r"(?P<m>\d{2})/(?P<d>\d{2})/"


def _issue_order(url: str) -> tuple[str, int]:
    """The latest issue first, and its lowest-numbered page (第01版) of the equals."""
    digits = re.findall(r"\d+", urlsplit(url).path)
    return "".join(digits[:3]), -int(digits[-1]) if digits else 0


def _key(url: str) -> str:
    """A URL without its scheme: a mirror does not know it, links say either."""
    return url.split("://", 1)[-1]


def _registered_domain(host: str) -> str:
    labels = host.split(".")
    if len(labels) >= 3 and labels[-2] in ("com", "net", "org", "gov", "edu", "ac") and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _css_of(el: Any) -> str | None:
    """A selector our layouts understand for ``el``: ``tag.class``, or ``.class tag`` through the
    nearest ancestor with a class."""
    cls = [c for c in classes(el) if re.fullmatch(r"[A-Za-z][\w-]*", c)]
    tag = tag_of(el)
    if cls:
        return f".{cls[0]}" if tag in ("div", "section", "article", "td", "span", "p") else f"{tag}.{cls[0]}"
    if el.get("id") and re.fullmatch(r"[A-Za-z][\w-]*", el.get("id")):
        return f"{tag}[id={el.get('id')}]"
    for parent in el.iterancestors():
        pcls = [c for c in classes(parent) if re.fullmatch(r"[A-Za-z][\w-]*", c)]
        if pcls:
            return f".{pcls[0]} {tag}"
        if parent.get("id") and re.fullmatch(r"[A-Za-z][\w-]*", parent.get("id")):
            return f"[id={parent.get('id')}] {tag}"
    return None


_CHROME = re.compile(r"foot|copyright|related|relate|xgxw|nav|menu|share|comment|sidebar|aside", re.I)


def _layout_of(page: SamplePage) -> tuple[str, str, str, str | None] | None:
    """(title, byline, body, crumb) selectors of one article page, or None."""
    root = page.root
    # Title: an <h1>/<h2>/<h3> whose text the document title contains.
    title_el = None
    for tag in ("h1", "h2", "h3"):
        for el in root.iter(tag):
            text = text_of(el)
            if text and len(text) >= 4 and text[:8] in page.title:
                title_el = el
                break
        if title_el is not None:
            break
    if title_el is None:
        return None
    # Body: after the title, the element with the most text in its own <p> children (page chrome
    # such as footers and related lists excluded).
    best, best_chars, started = None, 0, False
    for el in root.iter():
        if el is title_el:
            started = True
        if not started or not isinstance(el.tag, str):
            continue
        if _CHROME.search(" ".join(classes(el)) + " " + (el.get("id") or "")):
            continue
        chars = sum(len(text_of(p)) for p in el if tag_of(p) == "p")
        if chars > best_chars:
            best, best_chars = el, chars
    if best is None or best_chars < 20:
        return None
    body = _css_of(best)
    title = _css_of(title_el)
    # Byline: the smallest element with a printed date between the title and the body.
    byline = None
    candidates = []
    started = False
    for el in root.iter():
        if el is title_el:
            started = True
            continue
        if el is best:
            break
        if started and isinstance(el.tag, str) and DATE_RE.search(text_of(el) or ""):
            candidates.append(el)
    if candidates:
        el = min(candidates, key=lambda e: len(text_of(e)))
        if tag_of(el) in ("span", "em", "i", "font", "time", "a", "b", "strong") and el.getparent() is not None:
            el = el.getparent()  # the byline is the line, not one of its spans
        byline = _css_of(el)
    crumb = None
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        names = " ".join(classes(el)).lower()
        if re.search(r"crumb|position|location|senav|weizhi|dqwz|l-pos|nav-path", names):
            crumb = _css_of(el)
            break
    if not (title and body and byline):
        return None
    return title, byline, body, crumb


def robots_sitemaps(directory: Path) -> bool:
    """Does any host of a mirror name sitemaps in its robots.txt?"""
    return any(
        re.search(rb"(?im)^\s*sitemap\s*:", p.read_bytes()) for p in directory.glob("*/robots.txt") if p.is_file()
    )


def draft(sample: Iterable[SamplePage], name: str | None = None, sitemaps: bool = False) -> Draft:
    """A first profile from the pages of one site (``sitemaps``: its robots.txt names sitemaps)."""
    pages_ = list(sample)
    by_url = {_key(p.url): p for p in pages_}
    hosts = Counter(urlsplit(p.url).hostname for p in pages_)
    if not hosts:
        raise ValueError("no HTML page in the sample")
    domains = sorted({_registered_domain(h) for h in hosts if h})
    linked: dict[str, set[str]] = defaultdict(set)
    anchor_text: dict[str, Counter[str]] = defaultdict(Counter)
    for p in pages_:
        for url, text in p.links:
            host = urlsplit(url).hostname or ""
            if any(host == d or host.endswith("." + d) for d in domains) and not STATIC_SUFFIXES.search(urlsplit(url).path):
                linked[shape(url)].add(url)
                if text:
                    anchor_text[url][text] += 1
    # Article shapes: several URLs whose pages (when in the sample) are text-rich.
    article_shapes = []
    for key, urls in linked.items():
        tail, _, query = key.split("/")[-1].partition("?")
        if len(urls) < 2 or not (re.search(r"\\d\{[3-8]\}|\\d\+", tail) or re.search(r"\\d\{[2-8]\}|\\d\+", query)
                                 or _SLUG_ARTICLE.search(key) or key.endswith("/<slug>")):
            continue
        found_pages = [by_url.get(_key(u)) for u in urls]
        sampled = [p for p in found_pages if p is not None]
        if not sampled:
            continue
        rich = sum(p.text_chars >= 30 for p in sampled) / len(sampled)
        if rich >= 0.5:
            article_shapes.append(key)
    # Split articles: a shape that is another one plus _\d{n} before its extension.
    split, later_pages = set(), set()
    for key in article_shapes:
        m = re.match(r"^(.*)_\\d\{\d\}(\.(?:[a-z]+|<html>))$", key)
        if m:
            for other in article_shapes:
                if other != key and other.startswith(m.group(1)) and other.endswith(m.group(2)):
                    split.add(other)
                    later_pages.add(key)
    for key in linked:  # a slug article's later pages (/<slug>/2/) need not be text-rich shapes of their own
        if _SLUG_PAGE.search(key) and key[: -len("\\d{1}/")] in article_shapes:
            split.add(key[: -len("\\d{1}/")])
    # Pages as a query parameter: a shape that is an article shape plus &<name>=<digits> (DedeCMS's
    # view.php?aid=1&pageno=2); page 1 numbered: the last number of the file name is 1 on most
    # links and small on all, the one before it varies (Discuz's article-<aid>-<page>.html).
    query_pages: dict[str, str] = {}
    for key in linked:
        m = re.match(r"^(.*\?.*)&([A-Za-z_]+)=\\d\{\d\}$", key)
        if m and m.group(1) in article_shapes:
            query_pages[m.group(1)] = m.group(2)
    numbered = {key for key in article_shapes if key not in later_pages and _numbered(key, linked[key])}
    rules: list[str] = []
    for key in sorted(article_shapes, key=lambda k: (k not in split and k not in query_pages and k not in numbered,
                                                     -len(linked[k]))):
        compiled = [re.compile(r, re.I) for r in rules]
        if all(any(r.search(_target(u)) for r in compiled) for u in linked[key]):
            continue  # covered by a rule already (a later page's shape by the page group)
        rules.append(_regex_of(key, key in split, numbered=key in numbered, query_page=query_pages.get(key)))
    # One article on two hosts (www and m.): the same ids under two rules on different hosts.
    same_article: dict[str, str] = {}
    ids: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    examples: dict[str, str] = {}
    for rule in rules:
        rule_re = re.compile(rule, re.I)
        for urls in linked.values():
            for u in urls:
                m = rule_re.search(_target(u))
                if m:
                    host = urlsplit(u).hostname or ""
                    ids[host][rule].add(m.group("id"))
                    examples.setdefault(f"{host} {rule}", u)
    hosts_ids = {h: set().union(*by_rule.values()) for h, by_rule in ids.items()}
    for host, found in hosts_ids.items():
        for other, other_ids in hosts_ids.items():
            if other != host and len(found & other_ids) >= 2 and len(other_ids) > len(found):
                rule = max(ids[other], key=lambda r: len(ids[other][r]))
                example = examples[f"{other} {rule}"]
                m = re.compile(rule, re.I).search(_target(example))
                if m:
                    start, end = m.span("id")
                    path = _target(example)
                    same_article[host] = f"{urlsplit(example).scheme}://{other}{path[:start]}{{id}}{path[end:]}"
    # One article at two URLs of one host (Discuz's article-<aid>-1.html and portal.php?mod=view&aid=):
    # the same ids under two rules; the one URL is the rule linked more, when its only variables
    # are the id and the page.
    for host, by_rule in ids.items():
        if host in same_article or len(by_rule) < 2:
            continue
        ranked = sorted(by_rule, key=lambda r: -len(by_rule[r]))
        target = ranked[0]
        shared = any(len(by_rule[target] & by_rule[other]) >= 2 for other in ranked[1:])
        fixed = re.sub(r"\(\?P<(?:id|page)>\\d\+\)", "", target)
        if not shared or re.search(r"\\d|\[|\(\?P<", fixed):
            continue
        example = examples[f"{host} {target}"]
        m = re.compile(target, re.I).search(_target(example))
        path = _target(example)
        assert m is not None  # the example is one this rule matched
        spans = sorted((m.span(g), "{id}" if g == "id" else "1") for g in ("id", "page") if g in m.re.groupindex)
        for (start, end), value in reversed(spans):
            path = path[:start] + value + path[end:]
        same_article[host] = f"{_schemes(pages_).get(host, urlsplit(example).scheme)}://{host}{path}"
    paged_lists = any(re.search(r"/page/\d+/$", urlsplit(u).path) for urls in linked.values() for u in urls)
    feeds = any(
        (link.get("type") or "").lower() in ("application/rss+xml", "application/atom+xml")
        for p in pages_ for link in p.root.iter("link") if "alternate" in (link.get("rel") or "").lower()
    )
    # List pages: directories and index/list pages the sample links.
    list_paths: Counter[str] = Counter()
    for key in linked:
        tail = key.split("?")[0].split("/")[-1]
        if tail == "" or re.fullmatch(r"(?:index|list|default)(?:_\\d\{\d\})?\.[a-z]+", tail):
            list_paths[tail or "/"] += len(linked[key])
    unsuffixed = 1
    for urls in linked.values():
        for u in urls:
            if re.search(r"/index_1\.[a-z]+$", urlsplit(u).path):
                unsuffixed = 0
    sections: Counter[tuple[str, str]] = Counter()
    for key, urls in linked.items():
        if key.endswith("/") and key.count("/") >= 2:
            for u in urls:
                texts = anchor_text.get(u)
                if texts:
                    sections[(urlsplit(u).path, texts.most_common(1)[0][0])] += 1
    # E-paper issue pages: a shape with a date in its directories (yyyy-mm/dd, yyyy/mm/dd) that
    # is not an article shape, each date with several pages.
    issue_shape: str | None = None
    issue_hosts: Counter[str | None] = Counter()
    for key, urls in sorted(linked.items(), key=lambda kv: -len(kv[1])):
        if key in article_shapes or not _DATE_DIRS.search(key) or "<slug>" in key or key.endswith("/"):
            continue  # 版面 pages are files (node_2.htm), not a slug article's pages
        issue_shape = key
        issue_hosts.update(urlsplit(u).hostname for u in urls)
        break
    issue_latest = None
    if issue_shape:
        issue_latest = max(linked[issue_shape], key=_issue_order)
    article_res = [re.compile(r, re.I) for r in rules]
    # Home pages: the hosts' roots in the sample, else the page linking the most articles
    # (Discuz's portal.php); each with the scheme the pages' own absolute links give its host.
    articles_linked = {p.url: len({u for u, _ in p.links if any(r.search(_target(u)) for r in article_res)}) for p in pages_}
    roots = [f"http://{h}/" for h in hosts if _key(f"http://{h}/") in by_url]
    if not roots:
        roots = [max(pages_, key=lambda p: (articles_linked[p.url], -len(p.url))).url]
    schemes = _schemes(pages_)
    # Query and file lists: other pages linking three articles or more, by the shape of their URL.
    list_examples: dict[str, list[str]] = defaultdict(list)
    zero_based = False
    for p in sorted(pages_, key=lambda p: p.url):
        if p.url in roots or articles_linked[p.url] < 3 or any(r.search(_target(p.url)) for r in article_res) \
                or _DEFAULT_LIST.search(_target(p.url)) or p.text_chars >= _ARTICLE_TEXT_CHARS:
            continue
        list_rule, page = _list_regex(p.url)
        zero_based |= page == 0
        if list_rule:
            list_examples[list_rule].append(_target(p.url))
    paged_rules = [re.compile(r) for r in list_examples if "(?P<paged>" in r]
    list_rules = [r for r, examples in list_examples.items()  # a list's first page: its paged rule serves
                  if "(?P<paged>" in r or not any(all(pr.search(e) for e in examples) for pr in paged_rules)]
    for urls in linked.values():
        zero_based |= any(re.search(r"[?&](?:page|pageno|pn)=0(?:&|$)", "?" + urlsplit(u).query, re.I) for u in urls)
    query_names = sorted({name for r in rules + list_rules if "\\?" in r
                          for name in re.findall(r"(?:\\\?|&)([A-Za-z_]+)=", r)})
    # Layouts: selector tables repeated across article pages.
    triples: Counter[tuple[str, str, str, str | None]] = Counter()
    for p in pages_:
        if any(r.search(_target(p.url)) for r in article_res):
            layout = _layout_of(p)
            if layout:
                triples[layout] += 1
    layouts = []
    for (title, byline, body, crumb), count in triples.most_common(4):
        if count < 2:
            continue
        try:
            pages.Layout(LayoutSpec(name="draft", title=title, byline=byline, body=body, crumb=crumb))
        except ValueError:
            continue
        layouts.append((title, byline, body, crumb, count))
    # Editions: the hosts with a home page in the sample (else the page linking most articles).
    # Roots are absolute URLs (a host each): their hostname is a str, not None.
    homes = {cast(str, urlsplit(r).hostname): r for r in roots}
    name = name or re.sub(r"[^a-z0-9_-]", "", domains[0].split(".")[0].lower()) or "site"
    lines = [
        f"# A first profile of {', '.join(sorted(h for h in hosts if h))}, drafted by `scrapy sites draft` from",
        f"# {len(pages_)} pages: refine it, check it with `scrapy sites FILE`, crawl with -a site=FILE.",
        "",
        "[site]",
        f'name = "{name}"',
        f'title = "{name}"',
        'timezone = "Asia/Shanghai"',
        f"allowed_domains = {json.dumps(domains)}",
        "",
    ]
    codes: set[str] = set()
    for i, host in enumerate(sorted(homes)):
        home = by_url.get(_key(homes[host]))
        lang = home.root.get("lang") if home is not None else None
        english = host.startswith(("en.", "english.")) or (lang or "").lower().startswith("en")
        code = "en" if english else "zh"
        code = code if code not in codes else f"e{i}"
        codes.add(code)
        lang = lang or ("en" if english else "zh-CN")
        home_url = f"{schemes.get(host, 'http')}://{_key(homes[host])}"
        lines += [f"[editions.{code}]", f'start_url = "{home_url}"', f'language = "{lang}"', ""]
    if issue_shape and issue_latest:
        issue_host = issue_hosts.most_common(1)[0][0]
        lines += ["# An e-paper: issue pages by date", "[editions.epaper]", f'start_url = "{issue_latest}"',
                  'language = "zh-CN"', ""]
    lines += ["[urls]", "# Article shapes seen (most linked first):"]
    for key in sorted(article_shapes, key=lambda k: -len(linked[k]))[:8]:
        lines.append(f"#   {key}   ({len(linked[key])} links)")
    if len(rules) == 1:
        lines.append(f"article = '{rules[0]}'")
    else:
        lines.append("article = [")
        lines += [f"    '{r}'," for r in rules] or ["    '/(?P<id>\\d+)\\.s?html?$',"]
        lines.append("]")
    list_lines = [f"    '{r}'," for r in list_rules]
    if paged_lists:  # WordPress-style /category/x/page/2/ (tried first: it ends in / too)
        list_lines.insert(0, "    '/(?P<paged>page/(?P<page>\\d+)/)$',")
    if list_lines:
        lines += ["list = [", *list_lines, f"    '{_DEFAULT_LIST_RULE}',", "]"]
    else:
        lines.append(f"list = '{_DEFAULT_LIST_RULE}'")
    if query_names:
        lines += ["# The query parameters that mean something to the rules above: every other one is dropped.",
                  f"query = {json.dumps(query_names)}"]
    if numbered:
        lines.append('article_page_one = "numbered"')
    # An article's 2nd page at _1 (TRS counts from 0: t…_1.html), not _2.
    zero_based_articles = False
    for rule in rules:
        if "(?:_(?P<page>\\d+))?" in rule:
            rule_re = re.compile(rule, re.I)
            zero_based_articles |= any((m := rule_re.search(_target(u))) is not None and m.group("page") == "1"
                                       for urls in linked.values() for u in urls)
    if zero_based_articles:
        lines.append("article_unsuffixed_page = 0")
    pager = "pages" if (numbered or query_pages or zero_based_articles) else "suffix" if split else "none"
    lines += [
        f"list_unsuffixed_page = {0 if zero_based else unsuffixed}",
        f'pager = "{pager}"',
        'attachment_ext = ["pdf", "doc", "docx", "xls", "xlsx", "zip", "rar", "jpg", "jpeg", "png", "gif", "css", "js", "xml"]',
        "",
    ]
    if same_article:
        lines.append("# The same ids on two hosts: one article, at the host that links more of them.")
        lines.append("[urls.same_article]")
        lines += [f'"{h}" = "{t}"' for h, t in sorted(same_article.items())]
        lines.append("")
    if feeds or sitemaps:
        lines += ["# Pages announce feeds (<link rel=\"alternate\">), robots.txt names sitemaps: read them too.",
                  "[sources]", f"alternate = {str(feeds).lower()}", f"robots = {str(sitemaps).lower()}", ""]
    if sections:
        lines.append("# Sections linked as directories (path, the text linking it):")
        for (path, text), _ in sorted(sections.items())[:30]:
            lines.append(f"#   {path}  {text}")
        lines.append("")
    if issue_shape and issue_latest:
        regex = _regex_of(issue_shape, False).replace("(?P<id>\\d+)", "\\d+")
        regex = _DATE_DIRS.sub(_date_groups, regex, count=1)
        lines += [f"# The issue pages of {issue_host} (版面): every one of an issue is walked, other issues by",
                  "# the date links the pages carry.", "[issues]", 'edition = "epaper"', f"page = '{regex}'", "",
                  "[sections]", 'from = "list_or_crumb"', "page_name = '第\\s*\\d+\\s*版\\s*[:：]\\s*(?P<section>[^\\s<>|]+)'", ""]
    for i, (title, byline, body, crumb, count) in enumerate(layouts):
        lines += [f"# {count} article pages of the sample share this markup", "[[layouts]]",
                  f'name = "layout-{i + 1}"', f"title = '{title}'", f"byline = '{byline}'", f"body = '{body}'"]
        if crumb:
            lines.append(f"crumb = '{crumb}'")
        lines.append("")
    return Draft("\n".join(lines), len(rules), sum(list_paths.values()), len(layouts))
