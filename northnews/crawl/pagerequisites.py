"""What a page loads (its requisites: template files, images), read from its parsed tree.

Pure (no Scrapy): the requisites pipeline reads it from the crawl's one tree per page
(:mod:`northnews.crawl.pipelines.requisites`), a worker process of ``NORTHNEWS_PARSE_WORKERS``
from the tree it built (:mod:`northnews.crawl.pageworker`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import SplitResult, urldefrag, urljoin, urlsplit

from lxml import etree

from northnews.pages import Element

_PRELOAD_KINDS = {"font": "font", "style": "stylesheet", "script": "script", "image": "image"}
_LINKS = etree.XPath("//link[@href]")
_SCRIPTS = etree.XPath("//script/@src")
_IMAGES = etree.XPath("//img | //input[translate(@type, 'IMAGE', 'image') = 'image']")


@dataclass(frozen=True)
class Requisite:
    url: str
    kind: str  # stylesheet | script | icon | font | image | css (a url() of a stylesheet)


def _clean(url: str) -> str:
    return urldefrag(url.strip())[0]


#: ``_clean(urljoin(base, href))`` by what the answer depends on (see :func:`_join`): every page
#: repeats the template's links, and urljoin was a third of this module's time.
_JOINED: dict[tuple[str, ...], str] = {}
_JOINED_MAX = 4096  # entries (~1 MB at most): the crawl's memory must not grow with the portal


def _join(base: str, base_parts: SplitResult, href: str) -> str:
    """``_clean(urljoin(base, href))``, memoised where the answer depends only on part of ``base``:
    its scheme for a network-path or absolute ``http(s)://host`` reference, its host too for an
    absolute path (``/css/a.css``), the directory of its path too for a relative one (``a.css``,
    ``../a.css``: urljoin drops the last segment of the base's path and its query). Anything else (an
    empty path: ``?q``, ``#f``; a scheme of its own; surrounding spaces) is joined as it comes."""
    key: tuple[str, ...] | None = None
    if href and href == href.strip() and href[0] not in "?#;":
        scheme = base_parts.scheme
        if href.startswith(("//", "http://", "https://")):  # a host of its own, unless it names none
            key = (scheme, href) if href.split("//", 1)[1][:1] not in ("", "/", "?", "#") else None
        elif ":" in href.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]:
            key = None  # a scheme of its own (mailto:, data:, javascript:…)
        elif href[0] == "/":
            key = (scheme, base_parts.netloc, href)
        else:
            path = base_parts.path
            key = (scheme, base_parts.netloc, path[:path.rfind("/") + 1], href)
    if key is None:
        return _clean(urljoin(base, href))
    found = _JOINED.get(key)
    if found is None:
        found = _clean(urljoin(base, href))
        if len(_JOINED) >= _JOINED_MAX:  # an article's own images fill it: start again, the template comes back
            _JOINED.clear()
        _JOINED[key] = found
    return found


def requisites_of(root: Element, base: str, *, images: bool) -> list[Requisite]:
    """What an HTML page loads, in document order: template files (``<link>``, ``<script>``)
    and, with ``images``, every image (``<img src/srcset>``, ``<input type=image>``); ``base``:
    what its links are joined with (its ``<base href>``, else its URL)."""
    base_parts = urlsplit(base)
    found: list[Requisite] = []
    for link in _LINKS(root):
        rel = set((link.get("rel") or "").lower().split())
        href = link.get("href") or ""
        if "stylesheet" in rel:
            kind = "stylesheet"
        elif rel & {"icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon"}:
            kind = "icon"
        elif rel & {"preload", "prefetch"} and (link.get("as") or "").lower() in _PRELOAD_KINDS:
            kind = _PRELOAD_KINDS[(link.get("as") or "").lower()]
        else:
            continue
        found.append(Requisite(_join(base, base_parts, href), kind))
    for src in _SCRIPTS(root):
        found.append(Requisite(_join(base, base_parts, str(src)), "script"))
    if images:
        for img in _IMAGES(root):
            src = img.get("src") or ""
            if src.strip():
                found.append(Requisite(_join(base, base_parts, src), "image"))
            for candidate in (img.get("srcset") or "").split(","):
                if candidate.strip():
                    found.append(Requisite(_join(base, base_parts, candidate.split()[0]), "image"))
    unique: dict[str, Requisite] = {}
    for req in found:
        if req.url and req.url not in unique:
            unique[req.url] = req
    return list(unique.values())


