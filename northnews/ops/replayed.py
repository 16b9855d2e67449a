"""Pages as the spider receives them in WARC replay, without Scrapy's engine.

``scrapy crawl articles -a replay=ARCHIVE`` answers each request from
:class:`~northnews.archive.warcreplay.WarcSource` and runs the answer through the downloader
middlewares before the spider sees it. :class:`ReplayedPages` does the same for
``northnews-archive extract`` with the same source and the same code wherever it can:

* the capture: ``WarcSource.lookup`` (latest usable capture, revisits resolved, provenance);
* redirects: 301/302/303/307/308 with ``Location``, and ``<meta http-equiv=refresh>`` under
  ``METAREFRESH_MAXDELAY`` (Scrapy's ``get_meta_refresh``), at most ``REDIRECT_MAX_TIMES``, a
  loop stopped at once, a redirect off the site's domains dropped;
* HTTP errors: only 2xx answers reach the spider;
* decompression: :mod:`northnews.util.decompress` (Scrapy's HttpCompressionMiddleware's behaviour,
  with the standard library, ``brotli`` and ``zstd``: no private Scrapy API), ``DOWNLOAD_MAXSIZE``;
* an article page's redirect judged as the crawl's redirect middleware judges it
  (:func:`northnews.article.aliases.judge`: followed, an alias, or refused);
* the response class: ``responsetypes``; the text: our :class:`~northnews.crawl.downloadermiddlewares.encoding.EncodingMiddleware`
  and ``TextResponse.text``.

robots.txt is read by the one policy (:mod:`northnews.article.robots`) for page requisites only
(an archived page was allowed when it was fetched). What it does not do, because a replay of our
own archive never needs it: retries (a replayed answer does not change), the
duplicate filter (the extractor asks for each article once).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from scrapy.http import Headers, HtmlResponse, Response, TextResponse
from scrapy.responsetypes import responsetypes
from scrapy.settings import BaseSettings
from scrapy.utils.misc import load_object
from scrapy.utils.response import get_meta_refresh
from w3lib.encoding import html_to_unicode
from w3lib.url import safe_url_string

from northnews.archive.warcreplay import IndexEntry, WarcSource
from northnews.article import robots as robots_policy
from northnews.article.aliases import judge
from northnews.crawl.downloadermiddlewares.encoding import EncodingMiddleware
from northnews.discovery import host_in_domains
from northnews.pagecheck import Verdict
from northnews.sites import Site
from northnews.util import decompress

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: What Scrapy's ``get_meta_refresh`` reads of a page: its first 4096 characters.
META_REFRESH_SCAN = 4096
# A ``<meta http-equiv>`` is a refresh when its value is "refresh" (ASCII, any case) once its
# character references are decoded. No named reference decodes to a letter of it (the only named
# one with an ASCII letter, ``&fjlig;``, gives "fj"), so text without the word itself and without
# a numeric reference (``&#114;``) has no refresh: Scrapy's browser-grade scan (two passes of
# w3lib's HTML navigation) is skipped for it, with the same answer (tests/test_replayed.py).
_UNSET = object()


class Page:
    """A replayed answer as the spider's callback reads it, without building Scrapy's response
    (its construction, a second copy of the headers and object tracking were 3% of an article's
    time): the class ``responsetypes`` gives it (``cls``), ``url``, ``status``, ``headers`` (the
    Scrapy ``Headers`` HttpCompressionMiddleware leaves), ``body`` (decompressed), ``protocol``,
    and for a text answer ``encoding`` (EncodingMiddleware's choice) and ``text``, as the
    ``TextResponse`` built with that encoding gives them (w3lib's ``html_to_unicode``: a BOM
    wins). :meth:`response` builds that response when something needs the real one (a meta
    refresh to read, a list page); tests/test_replayed.py compares the two."""

    __slots__ = ("body", "cls", "encoding", "headers", "protocol", "status", "url", "_response", "_text")

    def __init__(self, cls: type[Response], url: str, status: int, headers: Headers, body: bytes,
                 protocol: str | None, encoding: str | None) -> None:
        self.cls, self.url, self.status, self.headers, self.body = cls, url, status, headers, body
        self.protocol, self.encoding = protocol, encoding
        self._response: Response | None = None
        self._text: str | None = None

    @property
    def is_text(self) -> bool:
        return issubclass(self.cls, TextResponse)

    @property
    def text(self) -> str:
        """``TextResponse.text`` (a text answer only)."""
        if self._text is None:
            if self.encoding is None:  # empty or ASCII: Scrapy's own choice of encoding, from its response
                response = self.response()
                assert isinstance(response, TextResponse)
                self._text = response.text
            else:  # what TextResponse.text does with a given encoding
                self._text = html_to_unicode(f"charset={self.encoding}", self.body)[1]
        return self._text

    def response(self) -> Response:
        """The Scrapy response the callback would get, built once when asked for."""
        if self._response is None:
            kwargs: dict[str, Any] = {} if self.encoding is None else {"encoding": self.encoding}
            self._response = self.cls(url=self.url, status=self.status, headers=self.headers, body=self.body,
                                      flags=["replay"], protocol=self.protocol, **kwargs)
        return self._response


@dataclass
class Served:
    """What the spider's callback (or errback) would get for one request."""

    url: str  # the requested URL
    page: Page | None = None  # the final 2xx answer (text or not), as the callback reads it
    capture: dict[str, Any] | None = None  # provenance of the record that answered
    error: str | None = None  # the failure's message when the errback would be called instead
    status: int | None = None  # with ``error``: the status of an HttpError (a non-2xx answer)
    failed: str | None = None  # with ``error``: the request that failed (a redirect's target, say)
    redirect_urls: list[str] = field(default_factory=list)
    #: With ``error``: a refused redirect of an article page (its pending reason), as the errback gets it.
    verdict: Verdict | None = None
    #: An article's first page redirected to another article: that article (the request is its alias).
    alias: str | None = None

    @property
    def response(self) -> Response | None:
        """The final 2xx response as Scrapy's object (built when asked for: :attr:`page` reads the same)."""
        return self.page.response() if self.page is not None else None

    def fail(self, url: str, message: str, status: int | None = None, verdict: Verdict | None = None) -> Served:
        self.failed, self.error, self.status, self.verdict = url, message, status, verdict
        return self


class ReplayedPages:
    """``get(url)`` → :class:`Served`, as the ``articles`` spider would see it in WARC replay."""

    def __init__(self, source: WarcSource, settings: BaseSettings, site: Site) -> None:
        self.source = source
        self.site = site
        self.domains = tuple(site.allowed_domains)
        self.max_redirects = settings.getint("REDIRECT_MAX_TIMES", 20)
        self.meta_refresh = settings.getbool("METAREFRESH_ENABLED", True)
        self.meta_refresh_max_delay = settings.getint("METAREFRESH_MAXDELAY", 100)
        self.meta_refresh_ignore = settings.getlist("METAREFRESH_IGNORE_TAGS")
        self.max_size = settings.getint("DOWNLOAD_MAXSIZE", 1024 * 1024 * 1024)
        self.compression = settings.getbool("COMPRESSION_ENABLED", True)
        self.encoding = EncodingMiddleware(None)
        self.http_allowed = set(settings.getlist("HTTPERROR_ALLOWED_CODES"))
        self.requisite_max_size = settings.getint("NORTHNEWS_REQUISITE_MAX_SIZE", 10_000_000)
        self.user_agent = settings.get("ROBOTSTXT_USER_AGENT") or settings.get("USER_AGENT") or "Scrapy"
        self._robots_parser = load_object(settings.get("ROBOTSTXT_PARSER") or "scrapy.robotstxt.ProtegoRobotParser")
        self._robots: dict[str, Any] = {}  # host -> robots.txt parser (None: allow all), one per host
        self._classes: dict[tuple[bytes, bytes | None], type[Response]] = {}  # see _class

    def get(self, url: str, kind: str | None = None, entries: list[IndexEntry] | None = None) -> Served:
        """``kind``: ``article`` or ``article_page`` (what the spider marks the request as; its
        redirects are judged), else ``None``; ``entries``: the index lines of ``url``'s key, when
        the caller streamed them (no second search of the indexes)."""
        served = Served(url)
        current = url
        while True:
            hit = self.source.lookup(current, entries if current == url else None)
            if hit is None:
                return served.fail(current, f"not archived: {current}")  # ReplayMiss's message
            # Request(current).url, without the rest of a Request: nothing here reads it.
            request_url = _request_url(current)
            headers = Headers(hit.headers)  # repeated names appended in order, as appendlist does
            # Downloader middlewares in Scrapy's order on the way back: RedirectMiddleware (600),
            # HttpCompressionMiddleware (590), EncodingMiddleware (585), MetaRefreshMiddleware (580).
            target = self._location(request_url, hit.status, headers)
            page: Page | None = None
            if target is None:
                page = self._page(request_url, hit.status, headers, hit.body, hit.protocol)
                if page is None:
                    return served.fail(current, f"body over DOWNLOAD_MAXSIZE: {current}")
                target = self._meta_refresh(page)
            if target is not None:
                chain = [*served.redirect_urls, current]
                if target in chain:
                    return served.fail(current, f"redirect loop: {current}")
                if len(chain) > self.max_redirects:
                    return served.fail(current, "max redirections reached")
                if kind is not None:
                    action, value = judge(kind, chain, target, self.site, self.domains)
                    if action == "refuse":
                        return served.fail(current, f"{value.reason}: {value.detail}", verdict=value)
                    if action == "alias":
                        served.alias = value
                        served.redirect_urls = chain
                        return served
                elif not host_in_domains(urlsplit(target).hostname or "", self.domains):
                    return served.fail(target, f"offsite redirect: {target}")
                served.redirect_urls = chain
                current = target
                continue
            assert page is not None
            if not (200 <= page.status < 300 or page.status in self.http_allowed):
                # HttpErrorMiddleware's HttpError, after RetryMiddleware's retries (same answer).
                return served.fail(current, "Ignoring non-200 response", page.status)
            served.capture = hit.capture
            served.page = page
            return served

    def requisite(self, url: str) -> tuple[dict[str, Any] | None, str]:
        """``(warc pointer or None, reason)`` of an image as RequisitesPipeline gets it in replay
        (``engine.download_async`` with ``handle_httpstatus_all``: robots.txt, the capture, no
        redirect followed, DOWNLOAD_MAXSIZE of a requisite, an error status)."""
        if not self._robots_allow(url):
            return None, "robots"
        hit = self.source.lookup(url)
        if hit is None:
            return None, "replay_miss"
        _request_url(url)  # a URL a Request refuses is refused here too
        body = self._decoded(Headers(hit.headers), hit.body)  # only its size matters: no response built
        if body is None or (self.requisite_max_size > 0 and len(body) > self.requisite_max_size):
            return None, "too_large"
        if hit.status >= 400:
            return None, f"http_{hit.status}"
        return (hit.capture or {}).get("warc"), "no_warc"

    def _robots_allow(self, url: str) -> bool:
        """RobotsTxtMiddleware on the archived robots.txt of the URL's host, by the one policy
        (:mod:`northnews.article.robots`); a robots.txt missing from the archive allows everything."""
        parts = urlsplit(url)
        parser = self._robots.get(parts.netloc, _UNSET)
        if parser is _UNSET:
            parser = None
            robots = f"{parts.scheme}://{parts.netloc}/robots.txt"
            for _ in range(robots_policy.MAX_REDIRECTS):  # redirects, as the robots.txt middleware follows them
                hit = self.source.lookup(robots)
                if hit is None or not 300 <= hit.status < 400:
                    break
                location = dict((k.lower(), v) for k, v in hit.headers).get("location")
                if not location:
                    break
                robots = urljoin(robots, location)
            if hit is not None and not 300 <= hit.status < 400:
                page = self._page(_request_url(robots), hit.status, Headers(hit.headers), hit.body, hit.protocol,
                                  text=False)
                body = page.body if page is not None else b""
                parser = self._robots_parser(robots_policy.rules(hit.status, body), None)
            self._robots[parts.netloc] = parser
        return parser is None or parser.allowed(url, self.user_agent)

    def _page(self, url: str, status: int, headers: Headers, body: bytes, protocol: str | None,
              text: bool = True) -> Page | None:
        """The answer the spider sees after HttpCompressionMiddleware (590), and with ``text``
        after EncodingMiddleware (585) too: a text answer with the encoding that middleware gives
        it (:meth:`~northnews.crawl.downloadermiddlewares.encoding.EncodingMiddleware.codec`);
        ``None`` over DOWNLOAD_MAXSIZE."""
        decoded = self._decoded(headers, body)
        if decoded is None:
            return None
        respcls = self._class(headers, url, decoded)
        codec = None
        if text and issubclass(respcls, TextResponse):
            codec = self.encoding.codec(url, decoded, headers.get(b"Content-Type"))
        return Page(respcls, url, status, headers, decoded, protocol, codec)

    def _class(self, headers: Headers, url: str, body: bytes) -> type[Response]:
        """``responsetypes.from_args(headers=headers, url=url, body=body)``: a ``Content-Type`` that
        names a class decides alone (with ``Content-Encoding``), so its answer is kept per pair
        of values (an archive has a handful); the URL and body are looked at only otherwise."""
        content_type = headers.get(b"Content-Type")
        if content_type:
            key = (content_type, headers.get(b"Content-Encoding"))
            cls = self._classes.get(key)
            if cls is None:
                cls = responsetypes.from_content_type(content_type, key[1])
                if len(self._classes) < 1024:
                    self._classes[key] = cls
            if cls is not Response:
                return cls
        return responsetypes.from_args(headers=headers, url=url, body=body)

    def _decompressed(
        self, url: str, status: int, headers: Headers, body: bytes, protocol: str | None, text: bool = False,
    ) -> Response | None:
        """:meth:`_page` as the Scrapy response."""
        page = self._page(url, status, headers, body, protocol, text)
        return page.response() if page is not None else None

    def _decoded(self, headers: Headers, body: bytes) -> bytes | None:
        """The body as HttpCompressionMiddleware (590) leaves it, and ``headers``' encodings as it
        leaves them; ``None`` over DOWNLOAD_MAXSIZE."""
        encodings = headers.getlist("Content-Encoding")
        if self.compression and encodings:
            try:
                body, to_keep = decompress.decode_all(body, [e.decode("latin-1") for e in encodings], self.max_size)
            except decompress.TooLarge:
                return None
            if to_keep:
                headers[b"Content-Encoding"] = [e.encode("latin-1") for e in to_keep]
            else:
                del headers[b"Content-Encoding"]
        return body

    @staticmethod
    def _location(url: str, status: int, headers: Headers) -> str | None:
        """Where RedirectMiddleware sends a 3xx with ``Location``."""
        if status not in REDIRECT_STATUSES or b"Location" not in headers:
            return None
        raw = headers[b"Location"]
        assert raw is not None  # `in headers` above: a value (typed bytes | None for an empty list)
        location = safe_url_string(raw)
        if raw.startswith(b"//"):
            location = urlsplit(url).scheme + "://" + location.lstrip("/")
        return _http_only(urljoin(url, location))

    def _meta_refresh(self, page: Page | Response) -> str | None:
        """Where MetaRefreshMiddleware sends a page whose ``<meta http-equiv=refresh>`` is soon enough."""
        cls = page.cls if isinstance(page, Page) else type(page)
        if not self.meta_refresh or not issubclass(cls, HtmlResponse):
            return None
        head = page.text[:META_REFRESH_SCAN]  # an HtmlResponse's (or a text Page's)
        if "&#" not in head and "refresh" not in head.lower():
            return None  # no refresh can be spelled there: get_meta_refresh's (None, None), for less
        response = page.response() if isinstance(page, Page) else page
        assert isinstance(response, HtmlResponse)
        interval, url = get_meta_refresh(response, ignore_tags=self.meta_refresh_ignore)
        if not url or interval is None or interval >= self.meta_refresh_max_delay:
            return None
        return _http_only(url)


#: A URL ``safe_url_string`` returns unchanged, by construction: http(s), a lower-case host name
#: whose last label is not a number (no IPv4 reading), no hyphen pair (no IDNA), no port or user, a
#: path and query of characters it never escapes (no ``%``, no quote), no fragment; with
#: :func:`_request_url`'s check for dot segments. Checked against it in tests/test_replayed.py.
_PLAIN_URL = re.compile(
    r"https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?"
    r"/[A-Za-z0-9!$&()*+,\-./:;=@_~]*(?:\?[A-Za-z0-9!$&()*+,\-./:;=@_~?]+)?"
)


def _request_url(url: str) -> str:
    """``Request(url).url``: the URL as Scrapy escapes it (its default encoding, UTF-8); the usual
    URL, which it would return unchanged, without the parse (3% of an article's time)."""
    if _PLAIN_URL.fullmatch(url) and "/." not in url and "--" not in url.split("/", 3)[2]:
        return url
    escaped = safe_url_string(url, "utf-8")
    if "://" not in escaped and not escaped.startswith(("about:", "data:")):
        raise ValueError(f"Missing scheme in request url: {escaped}")
    return escaped


def _http_only(url: str) -> str | None:
    return url.split("#", 1)[0] if urlsplit(url).scheme in ("http", "https") else None
