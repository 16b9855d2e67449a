"""What became of an article fetch that did not give a page worth parsing, named.

An archive must never take a glitch for an article, nor lose an article to a glitch: a page that
answers 200 with nothing, an error page, a maintenance notice or an image is not the article, and
a timeout is not its absence. Each such outcome gets a reason (the vocabulary below); the spider
reports it with the ``article_pending`` signal and the store keeps the URL *pending* with that
reason, to be fetched again by later runs (:mod:`northnews.ops.pending`).

Reasons:

=================  ==============================================================================
``empty``          200 with no body, or only whitespace
``not_html``       a body that is not a web page: binary (PNG/JPEG/GIF/PDF/ZIP magic, NUL bytes)
                   whatever the ``Content-Type``, or a non-text content type
``soft_404``       an error page answered 200: "页面不存在", "404 Not Found", … in the title or a
                   heading, or a short page saying it; also a page with almost no text at all
``maintenance``    a maintenance notice answered 200 ("系统维护", "under maintenance", …)
``too_large``      bigger than ``DOWNLOAD_MAXSIZE`` on the wire or once decompressed (cancelled)
``timeout``        no answer within ``DOWNLOAD_TIMEOUT``, after the retries
``connection``     connection refused, reset or lost, after the retries
``http_<status>``  a final HTTP error status (``http_404``, ``http_503`` …)
``download_error`` any other download failure
``incomplete``     a later page of a split article failed or was one of the above
                   (``detail`` names the page and its reason)
``missing_title``, ``missing_body``, ``missing_date``, ``implausible_date``
                   the page parsed, but the item failed validation (:mod:`northnews.crawl.pipelines.validate`)
=================  ==============================================================================
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from twisted.python.failure import Failure

#: Magic numbers of bodies that are not HTML whatever their Content-Type says.
_BINARY_MAGIC = (b"\x89PNG", b"GIF87a", b"GIF89a", b"\xff\xd8\xff", b"%PDF", b"PK\x03\x04", b"\x1f\x8b",
                 b"RIFF", b"\x00\x00\x01\x00", b"BM")
_SOFT_404 = re.compile(
    r"页面不存在|页面未找到|找不到(?:该|此|您要的)?页面|页面(?:已|被)?删除|(?:该|此)?(?:文章|信息|内容|稿件)不存在|"
    r"无法找到(?:该)?页面|404\s*(?:not\s*found|错误|error|页面)|(?:error|http)\s*404|page\s+not\s+found|"
    r"^\W*not\s+found\W*$",  # a title that is only "Not Found"; "… not found after …" is a headline
    re.I,
)
_MAINTENANCE = re.compile(
    r"系统维护|网站维护|维护中|正在维护|升级维护|系统升级|网站升级|暂停访问|under\s+maintenance|"
    r"maintenance\s+mode|temporarily\s+unavailable|scheduled\s+maintenance",
    re.I,
)
#: A page whose visible text is shorter than this is too short to tell anything but an error.
SHORT_PAGE = 2000
#: Titles and headings longer than this are headlines, not error notices.
SHORT_TITLE = 40
#: An error or maintenance notice parses into at most this many "paragraphs".
MAX_NOTICE_PARAGRAPHS = 2
#: A page with less visible text than this (and no paragraphs) is no article: a soft 404.
TINY_PAGE = 40


@dataclass(frozen=True)
class Verdict:
    """Why a fetch is not (yet) an article: a reason code and a human detail."""

    reason: str
    detail: str = ""


def body_verdict(body: bytes, content_type: str | None, is_text: bool) -> Verdict | None:
    """Checks on the raw body, before any parsing: ``empty`` or ``not_html`` (or ``None``)."""
    if not body.strip():
        return Verdict("empty", "the server answered with an empty body")
    head = body[:16]
    if any(head.startswith(m) for m in _BINARY_MAGIC):
        return Verdict("not_html", f"binary body ({head[:4]!r}…) served as {content_type or 'no content type'}")
    if not is_text:
        return Verdict("not_html", f"content type {content_type or 'none'}")
    sample = body[:4096]
    if sample.count(b"\x00") > len(sample) // 8:
        return Verdict("not_html", "binary body (NUL bytes) served as text")
    return None


def _text(node: Any) -> str:
    try:
        return " ".join("".join(node.itertext()).split())
    except (AttributeError, ValueError):
        return ""


def _visible_text(body: Any, limit: int) -> str:
    """The page's text outside scripts and styles, whitespace collapsed; stops past ``limit``."""
    words: list[str] = []
    size = 0
    for node in body.iter():
        if not isinstance(node.tag, str):
            chunks = [node.tail]
        elif node.tag in ("script", "style", "noscript"):
            chunks = [node.tail]
        else:
            chunks = [node.text, node.tail]
        for chunk in chunks:
            if chunk and chunk.strip():
                words += chunk.split()
                size += len(chunk)
        if size > limit:
            break
    return " ".join(words)


#: How far from its end a page's closing ``</body>`` or ``</html>`` is looked for.
CLOSING_TAG_WINDOW = 64 * 1024


def unterminated(text: str) -> bool:
    """A page whose HTML never closes: no ``</body>`` nor ``</html>`` near its end. Most often the
    server stopped writing it (a script that died mid-page, a proxy that cut the stream with a
    length that agreed): the text read may lack its end. Kept, not refused (hand-written pages
    without closing tags exist), but said: :meth:`northnews.article.Assembly.item`'s problem
    ``unterminated_page``."""
    tail = text[-CLOSING_TAG_WINDOW:].lower()
    return "</body" not in tail and "</html" not in tail


def page_verdict(root: Any, paragraphs: int, error: str | None = None) -> Verdict | None:
    """Checks on the parsed page (an lxml root, ``None`` when it did not parse): soft 404, maintenance.

    ``paragraphs`` is how many body paragraphs the article parser found; a real article's title
    never says "page not found", so the title and headings are trusted alone; the page's whole
    text only when it is short. ``error``: the page parser's verdict by the site profile's own
    error-page markers (``ArticlePage.error``): always a soft 404.
    """
    if root is None:
        return Verdict("empty", "no markup to parse")
    if error:  # the site profile's error-page markers (a layout's ``error``/``error_text``)
        return Verdict("soft_404", error)
    if paragraphs > MAX_NOTICE_PARAGRAPHS:
        # An error page has no story: a real article headlined "系统升级" has its paragraphs, and
        # every check below asks for at most MAX_NOTICE_PARAGRAPHS (0.2 ms a page not spent).
        return None
    # An error page's title and headings are short; a headline that merely contains the words
    # ("… still not found after three days") is longer than :data:`SHORT_TITLE`.
    said = _label_verdict(root)
    if said is not None:
        return said
    text = _visible_text(next(root.iter("body"), root), SHORT_PAGE)
    if text and len(text) < SHORT_PAGE:
        for pattern, reason in ((_MAINTENANCE, "maintenance"), (_SOFT_404, "soft_404")):
            found = pattern.search(text)
            if found and paragraphs <= MAX_NOTICE_PARAGRAPHS:
                return Verdict(reason, f"a short page ({len(text)} characters) saying {found.group(0)!r}")
    if paragraphs == 0 and len(text) < TINY_PAGE:
        return Verdict("soft_404", f"a page with {len(text)} characters of text and no article")
    return None


def _label_verdict(root: Any) -> Verdict | None:
    """A soft 404 or maintenance notice its short ``<title>``, ``<h1>`` or ``<h2>`` says."""
    labels = [_text(t) for t in root.iter("title")] + [_text(h) for tag in ("h1", "h2") for h in root.iter(tag)]
    for label in labels:
        if len(label) > SHORT_TITLE:
            continue
        for pattern, reason in ((_SOFT_404, "soft_404"), (_MAINTENANCE, "maintenance")):
            found = pattern.search(label)
            if found:
                return Verdict(reason, f"the page says {found.group(0)!r}")
    return None


def list_verdict(body: bytes, content_type: str | None, is_text: bool, root: Any) -> Verdict | None:
    """A list page (or home page, 版面 page) answered 200 that is no list: empty, not a web page, or
    an error or maintenance notice by its title and headings. Narrower than an article's
    :func:`page_verdict`: a list page has no paragraphs, a script-rendered one almost no text, and
    a short one may well print "网站维护：…" (who maintains the site) in its footer."""
    verdict = body_verdict(body, content_type, is_text)
    if verdict is not None or root is None:
        return verdict
    return _label_verdict(root)


_TOO_LARGE = re.compile(r"max\s*size|maxsize|DOWNLOAD_MAXSIZE|larger than download", re.I)


def failure_verdict(failure: Failure) -> Verdict | None:
    """Why a request failed for good, or ``None`` when it was a deliberate skip (robots.txt,
    offsite, a URL missing from a replayed archive): those are no failure of the article.

    Scrapy 2.19 wraps Twisted's errors (``DownloadTimeoutError``, ``DownloadFailedError``…, see
    ``scrapy.utils._download_handlers.wrap_twisted_exceptions``); both families are read.
    """
    from scrapy import exceptions as sx
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import error as net
    from twisted.internet.defer import CancelledError
    from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

    exc = failure.value
    message = failure.getErrorMessage()
    name = type(exc).__name__
    if isinstance(exc, HttpError):
        status = exc.response.status
        return Verdict(f"http_{status}", f"answered {status}")
    if isinstance(exc, sx.IgnoreRequest):
        verdict = getattr(exc, "verdict", None)
        if isinstance(verdict, Verdict):  # a refused redirect (northnews.crawl.redirects)
            return verdict
        if _TOO_LARGE.search(message):
            return Verdict("too_large", message[:300])
        return None
    cancelled = (CancelledError, *_scrapy(sx, "DownloadCancelledError"))
    if _TOO_LARGE.search(message) or (isinstance(exc, cancelled) and not message):
        return Verdict("too_large", message[:300] or "cancelled: larger than DOWNLOAD_MAXSIZE")
    timeouts = (net.TimeoutError, net.TCPTimedOutError, TimeoutError, *_scrapy(sx, "DownloadTimeoutError"))
    if isinstance(exc, timeouts) or "took longer than" in message:
        return Verdict("timeout", f"{name}: {message}"[:300])
    connection = (
        net.ConnectionRefusedError, net.ConnectionLost, net.ConnectionDone, net.DNSLookupError,
        ResponseNeverReceived, ResponseFailed, ConnectionError,
        *_scrapy(sx, "DownloadFailedError", "DownloadConnectionRefusedError", "CannotResolveHostError"),
    )
    if isinstance(exc, connection):
        return Verdict("connection", f"{name}: {message}"[:300])
    return Verdict("download_error", f"{name}: {message}"[:300])


def _scrapy(module: Any, *names: str) -> tuple[type, ...]:
    """Scrapy's exception classes that exist in this version (2.19 added the download ones)."""
    return tuple(getattr(module, n) for n in names if isinstance(getattr(module, n, None), type))
