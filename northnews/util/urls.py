"""The one URL key: how two spellings of one URL are recognised as the same capture target."""

from __future__ import annotations

from urllib.parse import urlsplit


def url_key(url: str) -> str:
    """Host (lower case, no trailing dot, default port dropped) + path + query; no scheme, no fragment.

    The scheme is left out on purpose: a portal served over ``http://`` in 2015 and ``https://``
    today must not have an article archived under one fetched again when linked under the other.
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    default = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: keep the netloc as written
        port, host = None, parts.netloc.lower()
    if port and port != default:
        host = f"{host}:{port}"
    return host + (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
