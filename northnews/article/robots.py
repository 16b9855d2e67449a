"""The one robots.txt policy, for the live crawl's middleware and for re-extraction from WARCs.

RFC 9309 as we read it (README "The spider"): a robots.txt answering 5xx (after retries) or not
reachable at all disallows its host entirely (§2.3.1.4: "unreachable"); any other answer is parsed
as rules (a 4xx page holds none: allow everything, §2.3.1.3); a robots.txt that redirects is
followed up to :data:`MAX_REDIRECTS` times, to any host, and the rules found apply to the host first
asked (§2.3.1.2); more redirects than that make it "unavailable" (allow). A robots.txt missing from
a replayed archive allows everything (nothing to obey, and nothing was fetched against it).

:class:`northnews.crawl.downloadermiddlewares.robotstxt.RobotsTxtMiddleware` (live and replay crawls) and
:class:`northnews.ops.replayed.ReplayedPages` (``northnews-archive extract``, for the images'
``robots`` reason) both decide with these functions; each parses the rules with Scrapy's
configured parser (Protego by default).
"""

from __future__ import annotations

#: The rules of a host whose robots.txt is unreachable: nothing allowed.
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
#: Redirects of a robots.txt followed at most (RFC 9309 §2.3.1.2: at least five).
MAX_REDIRECTS = 5


def unreachable(status: int) -> bool:
    """A robots.txt answer that means "unreachable": a server error (after retries)."""
    return status >= 500


def rules(status: int, body: bytes) -> bytes:
    """The robots.txt text that applies to a host, given its (final) answer."""
    return DISALLOW_ALL if unreachable(status) else body
