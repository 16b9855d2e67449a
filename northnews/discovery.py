"""What a URL is, and what a listing page offers: pure functions used by the spider.

The portal's structure is discovered from the pages themselves: anything on the site's hosts
shaped like an article (the profile's ``urls.article``) is an article; anything shaped like a
directory listing (``urls.list``: ``/news/nmgnews/``, ``…/index_3.shtml``) is a list page to walk.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import Enum
from fnmatch import fnmatchcase
from typing import Protocol, TypeAlias
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

from lxml import etree
from parsel import Selector
from w3lib.url import url_query_cleaner

# Dates are read by the same rules as article bylines (and URL dates the same way everywhere).
from northnews.normalize.dates import parse_datetime, url_date
from northnews.normalize.text import clean_title
from northnews.sites import Site, UrlRules

Element: TypeAlias = etree._Element  # an alias (not a variable), so that mypy takes it as a type


class Kind(str, Enum):
    ARTICLE = "article"
    LIST = "list"
    #: An e-paper's 版面 page (the profile's ``issues.page``): a list page of one dated issue.
    ISSUE = "issue"
    ATTACHMENT = "attachment"
    EXCLUDED = "excluded"
    OFFSITE = "offsite"
    OTHER = "other"


def host_in_domains(host: str, domains: Iterable[str]) -> bool:
    host = host.lower().rstrip(".")
    return any(host == d or host.endswith("." + d) for d in (d.lower() for d in domains))


# --- the URL model ------------------------------------------------------------------------------


def _meaningful(name: str, urls: UrlRules) -> bool:
    key = unquote(name).lower()
    if urls.query is not None and not any(fnmatchcase(key, g) for g in urls.query):
        return False
    return not (urls.noise is not None and any(fnmatchcase(key, g) for g in urls.noise))


def canonical(url: str, site: Site) -> str:
    """``url`` as the site's rules see it: fragment dropped and, when the profile declares its query
    parameters (``urls.query`` / ``urls.noise``), the query reduced to the meaningful ones, in the
    order written (w3lib's ``url_query_cleaner``)."""
    base, _, fragment = url.partition("#")
    if "?" not in base or not site.urls.sees_query:
        return base
    query = base.partition("?")[2]
    keep = [name for name in dict.fromkeys(p.partition("=")[0] for p in query.split("&") if p)
            if _meaningful(name, site.urls)]
    return url_query_cleaner(base, keep) if keep else base.partition("?")[0]


def _target(parts: SplitResult, site: Site) -> str:
    """What the rules match: the path, plus ``?query`` when the profile's rules see the query."""
    path = parts.path or "/"
    if parts.query and site.urls.sees_query:
        return f"{path}?{parts.query}"
    return path


def _match(rules: Iterable[re.Pattern[str]], target: str) -> re.Match[str] | None:
    for rule in rules:
        m = rule.search(target)
        if m:
            return m
    return None


def _tidy(target: str) -> str:
    """A target with a piece cut out of its query: no ``?&``, ``&&`` or trailing ``?``/``&``."""
    path, sep, query = target.partition("?")
    query = "&".join(p for p in query.split("&") if p)
    return f"{path}?{query}" if sep and query else path


def _without_page(m: re.Match[str], numbered: bool = False) -> str:
    """The matched target with its page piece removed (``paged``; else the ``page`` group and the
    character before it, the 0.2.0 rule) or, ``numbered``, with page number 1. A rule with a
    ``paged`` group declares that page 1 is the URL without that piece, so ``numbered`` applies
    only to rules without one (a profile may hold both shapes: PHPCMS's ``show-5-123-1.html`` and
    its dynamic ``…&id=123[&page=2]``)."""
    target = m.string
    if "page" not in m.re.groupindex or m.group("page") is None:
        return target
    if numbered and "paged" not in m.re.groupindex:
        start, end = m.span("page")
        return target[:start] + "1" + target[end:]
    if "paged" in m.re.groupindex and m.group("paged") is not None:
        start, end = m.span("paged")
    else:
        start, end = m.span("page")
        start -= 1
    return _tidy(target[:start] + target[end:])


def _issue_match(target: str, site: Site) -> re.Match[str] | None:
    return site.issues.page.search(target) if site.issues is not None else None


def classify(url: str, site: Site, domains: Iterable[str] | None = None) -> Kind:
    """What ``url`` is to ``site`` (``domains``: the hosts in scope, default the site's)."""
    parts = urlsplit(canonical(url, site))
    if parts.scheme not in ("http", "https") or not host_in_domains(
        parts.hostname or "", site.allowed_domains if domains is None else domains
    ):
        return Kind.OFFSITE
    return _classify_target(_target(parts, site), site)


def _classify_target(target: str, site: Site) -> Kind:
    rules = site.urls
    path = target.partition("?")[0]
    if any(r.search(target) for r in rules.excluded):
        return Kind.EXCLUDED
    if rules.attachment is not None and rules.attachment.search(path):
        return Kind.ATTACHMENT
    if _match(rules.articles, target):
        return Kind.ARTICLE
    if _issue_match(target, site):
        return Kind.ISSUE
    if _match(rules.lists, target):
        return Kind.LIST
    return Kind.OTHER


def _article_url(parts: SplitResult, m: re.Match[str], site: Site) -> str:
    """The article's one URL from its rule's match: first page, and the ``same_article`` host's
    URL when its host has one."""
    template = site.urls.same_article.get(_host(parts)) if site.urls.same_article else None
    if template:
        try:
            return template.format(**{k: v for k, v in m.groupdict().items() if v is not None})
        except (KeyError, IndexError, ValueError):
            pass
    if not site.urls.sees_query:  # 0.2.0: an article page is a static file, its query is noise
        return f"{parts.scheme}://{parts.netloc}{_without_page(m)}"
    path, _, query = _without_page(m, site.urls.article_page_one == "numbered").partition("?")
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def article_page(url: str, site: Site) -> tuple[str, int] | None:
    """An article URL's first page and page number (1 for the first page), or None if ``url`` is
    not shaped like an article."""
    parts = urlsplit(canonical(url, site))
    m = _match(site.urls.articles, _target(parts, site))
    if m is None:
        return None
    number = m.group("page") if "page" in m.re.groupindex else None
    if not number:
        return _article_url(parts, m, site), 1
    # TRS counts from 0 (article_unsuffixed_page = 0): t…_1.html is the second page.
    return _article_url(parts, m, site), int(number) + 1 - site.urls.article_unsuffixed_page


def first_page_url(url: str, site: Site) -> str:
    """An article's one URL: ``…/2049381_3.shtml?from=rss#top`` → ``…/2049381.shtml``.

    The page piece goes (or becomes page 1, ``article_page_one = "numbered"``), the query keeps
    only the profile's meaningful parameters (0.2.0 profiles: an article's query is dropped, it is
    tracking noise such as ``?from=rss``), an article on a ``same_article`` host becomes its one
    URL. Other URLs keep their (meaningful) query; fragments are always dropped.
    """
    found = article_page(url, site)
    return found[0] if found else canonical(url, site)


def list_page_number(url: str, site: Site) -> int:
    """The list page's place in its section: the unsuffixed page is the profile's
    ``list_unsuffixed_page`` (1 for ``index_2`` = 2nd page, 0 for TRS's ``index_1`` = 2nd page)."""
    return list_info(url, site)[1]


def list_info(url: str, site: Site) -> tuple[str, int]:
    """``(list_series(url), list_page_number(url))`` with one split and one match: a list page
    that links 10,000 pages of its list asks this of each."""
    parts = _split(canonical(url, site))
    m = _match(site.urls.lists, _target(parts, site))
    if m is None:
        return list_section(url), site.urls.list_unsuffixed_page
    number = int(m.group("page")) if "page" in m.re.groupindex and m.group("page") else site.urls.list_unsuffixed_page
    path, _, query = _without_page(m).partition("?")
    key = parts.netloc.lower() + (path[: path.rfind("/") + 1] or "/")
    groups = sorted((k, v) for k, v in m.groupdict().items() if v is not None and k not in ("page", "paged"))
    return key + (f"?{query}" if query else "") + "".join(f"|{k}={v}" for k, v in groups), number


def list_section(url: str) -> str:
    """The section a list page belongs to: host and directory (``www.northnews.cn/news/nmgnews/``),
    the same whether the page was linked over http or https."""
    parts = urlsplit(url)
    directory = parts.path[: parts.path.rfind("/") + 1] or "/"
    return parts.netloc.lower() + directory


def list_series(url: str, site: Site) -> str:
    """The list a list page is one page of: host, directory once the page piece is removed, the
    meaningful query without it, and the values of the list rule's other named groups
    (``list-<catid>-<page>.html`` all sit in the root; the catid tells them apart)."""
    return list_info(url, site)[0]


def directory_name(url: str) -> str | None:
    """The last part of a URL's directory (``news`` of ``/col/news/index.html``): the section of
    ``[sections] from = "list"`` when nothing names one. ``None`` at the site's root: the home
    page (or ``/list-9-1.html``) is no section, and its host is no section's name."""
    directory = urlsplit(url).path
    directory = directory[: directory.rfind("/") + 1].strip("/")
    return directory.rsplit("/", 1)[-1] or None


def list_section_key(url: str, site: Site) -> str | None:
    """The list rule's ``section`` group of a list page URL, if it has one."""
    m = _match(site.urls.lists, _target(urlsplit(canonical(url, site)), site))
    if m is not None and "section" in m.re.groupindex:
        return m.group("section")
    return None


_TITLE_TEXTS = etree.XPath("//title//text() | //h1//text() | //h2//text() | //h3//text()")


def section_name(url: str, root: Element | None, site: Site) -> str | None:
    """The section a list page names (``[sections]``): its list rule's ``section`` group mapped by
    ``names``, else the first ``page_name`` match in its ``<title>`` and headings (the site's name
    after a separator, ``[text] site_names``, left out as from a title: a ``<title>`` of
    ``第03版：经济_河香新闻网`` names 经济), else None."""
    rules = site.sections
    key = list_section_key(url, site)
    if key:
        return rules.names.get(key, key)
    if rules.page_name is not None and root is not None:
        for text in _TITLE_TEXTS(root):
            m = rules.page_name.search(text)
            name = clean_title(m.group("section"), site) if m else None
            if name:
                return name
    return None


def issue_date(url: str, site: Site) -> date | None:
    """The issue date of an e-paper's 版面 page URL (``issues.page`` groups y, m, d)."""
    m = _issue_match(_target(urlsplit(canonical(url, site)), site), site)
    if m is None:
        return None
    try:
        return date(int(m["y"]), int(m["m"]), int(m["d"]))
    except ValueError:
        return None


def issue_first_page(day: date, base_url: str, site: Site) -> str | None:
    """The URL of the issue of ``day`` by the profile's ``issues.first_page`` template."""
    if site.issues is None or not site.issues.first_page:
        return None
    path = site.issues.first_page.format(y=f"{day.year:04d}", m=f"{day.month:02d}", d=f"{day.day:02d}")
    return urljoin(base_url, path)


def text_date(text: str) -> date | None:
    """The first valid date printed in ``text`` (a list entry), by the byline rules."""
    moment = parse_datetime(text)  # only the calendar day is used: the zone does not matter
    return moment.date() if moment else None


@dataclass(frozen=True)
class Link:
    url: str
    kind: Kind
    # The date printed beside the link (list entries), else the URL's date, else None; only
    # read when page_links was asked for dates.
    date: date | None = None


_ANCHORS = etree.XPath("//a[@href] | //area[@href]")
#: TRS WCM's pager, written by script (``createPageHTML(3, 0, "index", "html")``: 3 pages, this is
#: the first, ``index.html``, ``index_1.html``, ``index_2.html``); no ``<a>`` names its pages.
_SCRIPT_PAGER_RE = re.compile(
    r"""createPageHTML\(\s*(\d{1,6})\s*,\s*(\d{1,6})\s*,\s*["']([\w.-]{1,200})["']\s*,\s*["']([A-Za-z]{2,5})["']\s*\)""")
#: A script pager of this many pages or fewer names them all; a longer one its neighbours only.
_SCRIPT_PAGER_ALL = 50


def script_pager_hrefs(root: Element) -> list[str]:
    """The pages a script pager names (relative hrefs, in page order): all of them for an article's
    few pages, the first, previous and next of a long list (the walk needs no more)."""
    hrefs: list[str] = []
    for script in root.iter("script"):
        text = script.text or ""
        if "createPageHTML" not in text:
            continue
        for m in _SCRIPT_PAGER_RE.finditer(text):
            count, current, name, ext = int(m[1]), int(m[2]), m[3], m[4]
            wanted = range(count) if count <= _SCRIPT_PAGER_ALL else sorted({0, current - 1, current + 1} & set(range(count)))
            hrefs += [f"{name}.{ext}" if i == 0 else f"{name}_{i}.{ext}" for i in wanted if i != current]
    return hrefs
_BASE_HREF = etree.XPath("(//base[@href])[1]/@href")
_SKIPPED = ("#", "javascript:", "mailto:", "tel:")


@functools.lru_cache(maxsize=1024)
def _absolute(base: str, href: str) -> str:
    return urlunsplit(urlsplit(urljoin(base, href))._replace(fragment=""))


def _plain(href: str) -> bool:
    """An href that urljoin would give back unchanged once absolute (no dot segment, fragment,
    backslash or empty query)."""
    return "/." not in href and "#" not in href and "\\" not in href and not href.endswith("?") and " " not in href


def resolve(base_url: str, href: str, origin: str | None = None) -> str:
    """``href`` made absolute against ``base_url``, fragment dropped.

    Menus repeat the same links on every page: an absolute or root-relative ``href`` resolves
    the same against any page of a host, so those are cached by host, not by page. The caches
    hold 1,024 entries (a portal's menus and the latest article links): larger ones made the
    crawl's memory grow with the portal (+1.5 MB at 10,000 articles for 4,096 entries).
    """
    if href.startswith(("http://", "https://")):
        if _plain(href) and "/" in href[8:]:
            return href
        base_url = ""
    elif href.startswith("/") and not href.startswith("//"):
        if origin is None:
            parts = urlsplit(base_url)
            origin = f"{parts.scheme}://{parts.netloc}"
        if _plain(href):
            return origin + href  # what urljoin gives, without its cost
        base_url = origin + "/"
    return _absolute(base_url, href)


@functools.lru_cache(maxsize=1024)
def _kind_and_url(url: str, site: Site, domains: tuple[str, ...]) -> tuple[Kind, str]:
    return _kind_and_url_uncached(url, site, domains)


def _host(parts: SplitResult) -> str:
    netloc = parts.netloc
    if "@" in netloc or ":" in netloc:
        return (parts.hostname or "").lower()
    return netloc.lower()


@functools.lru_cache(maxsize=256)
def _in_scope(host: str, domains: tuple[str, ...]) -> bool:
    return host_in_domains(host, domains)


def _split(url: str) -> SplitResult:
    """``urlsplit`` for the plain URLs pages link (``http://host/path?query``), without its
    generality (a third of a list page's cost); anything unusual goes to ``urlsplit``."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("http", "https") or "\\" in rest or "@" in rest or "#" in rest:
        return urlsplit(url)
    netloc, slash, tail = rest.partition("/")
    if ":" in netloc or not netloc or "[" in netloc:
        return urlsplit(url)
    path, _, query = tail.partition("?")
    return SplitResult(scheme, netloc, slash + path, query, "")


def _kind_and_url_uncached(url: str, site: Site, domains: tuple[str, ...]) -> tuple[Kind, str]:
    """The link's kind and its one URL (an article's first page, a canonical URL otherwise), with
    one split and one pass over the rules."""
    url = canonical(url, site)
    parts = _split(url)
    if parts.scheme not in ("http", "https") or not _in_scope(_host(parts), domains):
        return Kind.OFFSITE, url
    target = _target(parts, site)
    kind = _classify_target(target, site)
    if kind is Kind.ARTICLE:
        m = _match(site.urls.articles, target)
        assert m is not None
        return kind, _article_url(parts, m, site)
    return kind, url


def _tree(html: str | Selector | Element) -> Element | None:
    if isinstance(html, Selector):
        return html.root
    if isinstance(html, str):  # a caller without a tree of its own
        return Selector(text=html).root if html.strip() else None
    return html


def page_links(
    html: str | Selector | Element,
    base_url: str,
    site: Site,
    domains: Iterable[str] | None = None,
    *,
    dates: bool = True,
) -> list[Link]:
    """Every distinct link of a page, resolved and classified, in document order.

    ``html`` is the page's parsed tree (an lxml element, as ``northnews.pages.parse_html``
    gives and the article parsers read: the spider parses each page once) or, for callers
    without one, its text or a parsel selector. Article links are reduced to their first page;
    with ``dates`` they carry the date printed next to them in their list entry
    (``<li><a …>Title</a><span>2015-09-15</span></li>``) when there is one, else the URL's. The
    spider asks for dates only when ``-a since`` needs them: reading each entry's text is most
    of the cost of a page's links.
    """
    root = _tree(html)
    if root is None:
        return []
    base = _BASE_HREF(root)
    base_url = urljoin(base_url, base[0].strip()) if base else base_url
    domains = tuple(site.allowed_domains if domains is None else domains)
    seen: set[str] = set()
    links: list[Link] = []
    here = urlsplit(base_url)
    origin = f"{here.scheme}://{here.netloc}"
    for a in root.iter("a", "area"):
        href = a.get("href")
        if href is None:
            continue
        href = href.strip()
        if not href or href.startswith(_SKIPPED):
            continue
        kind, url = _kind_and_url(resolve(base_url, href, origin), site, domains)
        if url in seen:
            continue
        when = None
        if dates and kind is Kind.ARTICLE:
            parent = a.getparent()
            entry_text = " ".join(parent.itertext()) if parent is not None else ""
            when = text_date(entry_text) or url_date(url, site)
        seen.add(url)
        links.append(Link(url, kind, when))
    for href in script_pager_hrefs(root):
        kind, url = _kind_and_url(resolve(base_url, href, origin), site, domains)
        if url not in seen:
            seen.add(url)
            links.append(Link(url, kind, url_date(url, site) if dates and kind is Kind.ARTICLE else None))
    return links


def next_list_page(current_url: str, links: Iterable[Link], site: Site) -> str | None:
    """The lowest-numbered page of the same list after the current one, if linked."""
    series, number = list_info(current_url, site)
    best: tuple[int, str] | None = None
    for link in links:
        if link.kind is Kind.LIST:
            other, n = list_info(link.url, site)
            if other == series and n > number and (best is None or (n, link.url) < best):
                best = (n, link.url)
    return best[1] if best else None


class SectionNames(Protocol):
    """Where list pages' section names are kept: article URL -> name, the first one set stays (a
    ``dict``, or :class:`~northnews.util.digestset.UrlLabels` for a crawl's worth of URLs)."""

    def setdefault(self, url: str, name: str, /) -> str: ...


def list_name(url: str, root: Element | None, site: Site) -> str | None:
    """The section the list page ``url`` gives the articles it lists, by ``[sections] from``:
    ``crumb``: none (the article's breadcrumb names it); ``list_or_crumb``: the name the page gives
    (:func:`section_name`), if any; ``list``: that name, else its directory's (:func:`directory_name`)."""
    if not site.sections.named_by_lists:
        return None
    name = section_name(url, root, site)
    if name is None and site.sections.source == "list":
        name = directory_name(url)
    return name


def list_entries(url: str, root: Element | None, links: Iterable[Link], site: Site, names: SectionNames,
                 since: date | None = None) -> tuple[list[Link], int]:
    """A list page's article entries, in the order linked, and how many were older than ``since``
    (left out); each kept entry gets, in ``names``, the section the page gives it
    (:func:`list_name`) unless an earlier list page gave one. The spider's ``parse_listing`` and
    ``northnews-archive extract`` both read list pages with this, so an article's section is the
    same either way."""
    entries = [link for link in links if link.kind is Kind.ARTICLE]
    kept = [link for link in entries if since is None or link.date is None or link.date >= since]
    name = list_name(url, root, site)
    if name:
        for link in kept:
            names.setdefault(link.url, name)
    return kept, len(entries) - len(kept)


def article_pages(html: str | Selector | Element, page_url: str, site: Site) -> list[str]:
    """The other pages of the article ``page_url`` is a page of, as its pager links them, in page
    order: links on the same host whose first page is this article's (whatever the page shape the
    article rule declares: ``_2``, ``-2``, ``_p2``, ``?pageno=2``, ``/page/2/``). Page 1 is the
    article's one URL (its first page), whether the pager links it with its number or without."""
    if site.urls.pager == "none":
        return []
    root = _tree(html)
    here = article_page(page_url, site)
    if root is None or here is None:
        return []
    first, current = here
    parts = urlsplit(canonical(page_url, site))
    m = _match(site.urls.articles, _target(parts, site))
    article_id = m.group("id") if m else ""
    base = _BASE_HREF(root)
    base_url = urljoin(page_url, base[0].strip()) if base else page_url
    pages: dict[int, str] = {}
    for href in [a.get("href") or "" for a in _ANCHORS(root)] + script_pager_hrefs(root):
        href = href.strip()
        # Only links naming the id can be one of its pages: resolving every link is the cost.
        if not href or article_id not in href or href.startswith(_SKIPPED):
            continue
        url = canonical(resolve(base_url, href), site)
        other = urlsplit(url)
        if other.netloc.lower() != parts.netloc.lower():
            continue
        found = article_page(url, site)
        if found is None or found[0] != first or found[1] == current:
            continue
        number = found[1]
        # Page 1 is the article's one URL whether a pager links it with its number
        # (``view.php?aid=1&pageno=1``) or without: never a page of its own.
        pages[number] = first if number == 1 else pages.get(number) or urlunsplit(
            (parts.scheme, parts.netloc, other.path, other.query, ""))
    return [pages[n] for n in sorted(pages)]
