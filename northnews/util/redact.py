"""Redaction of secrets before anything is written: header values, URL credentials, command lines.

Pure functions, no Scrapy. Every writer of a record that may hold what a user typed or sent
(the WARC request record and warcinfo ``command-line``, the cron manifest ``command``, the run
log) passes it through here first:

* :func:`redact_headers` — request header values of ``Cookie``, ``Authorization``,
  ``Proxy-Authorization`` (:data:`SENSITIVE_HEADERS`) and any other name the caller adds (the
  ``NORTHNEWS_REDACT_HEADERS`` setting) become :data:`REDACTED`; the names stay, so a reader still
  sees that the header was sent.
* :func:`redact_url` — ``user:password@`` in a URL becomes ``[redacted]@``, and the values of
  query parameters named like a secret (``token``, ``key``, ``password``, ``sig``…) are redacted.
* :func:`redact_command` — a ``scrapy crawl``/``northnews-cron`` argument list: every header
  value given with ``-s DEFAULT_REQUEST_HEADERS=…`` except harmless ones (``Accept*``,
  ``User-Agent``…), every ``-s`` value of a setting whose name says secret (``…PASSWORD``,
  ``…TOKEN``, ``…SECRET``, ``…_KEY``, ``…AUTH…``, ``…COOKIE…``), and URL credentials anywhere.
* :func:`secrets_of_command` and :class:`Redactor` — the exact secret strings a command carries,
  and a text filter that replaces them wherever they appear (a log line quoting the settings).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import parse_qsl, quote, urlsplit, urlunsplit

REDACTED = "[redacted]"

#: Request headers whose values are credentials, always redacted (lower case).
SENSITIVE_HEADERS = frozenset({"cookie", "authorization", "proxy-authorization"})
#: Header names whose values say nothing about the user; kept as given in a command line.
HARMLESS_HEADERS = frozenset({
    "accept", "accept-language", "accept-encoding", "accept-charset", "user-agent", "cache-control",
    "pragma", "dnt", "upgrade-insecure-requests", "referer", "connection", "te",
})
#: Settings (besides the header dicts) whose values are secrets, by a word in their name.
_SECRET_SETTING = re.compile(r"(PASSW|PASSWD|TOKEN|SECRET|(^|_)KEY($|_)|AUTH(?!OTHROTTLE)|COOKIE|CREDENTIAL|PRIVATE)", re.I)
#: Settings that hold request headers (a dict, or JSON of one).
HEADER_SETTINGS = frozenset({"DEFAULT_REQUEST_HEADERS"})
#: Query parameters whose values are secrets.
_SECRET_PARAM = re.compile(r"^(.*[_-])?(token|key|apikey|api_key|password|passwd|pwd|secret|sig|signature|auth|session|sid)$", re.I)
#: ``scheme://user[:password]@`` anywhere in a text.
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s'\"]+)@")


def _names(extra: Iterable[str] | None) -> frozenset[str]:
    return SENSITIVE_HEADERS | {n.strip().lower() for n in (extra or ()) if n and n.strip()}


def is_sensitive_header(name: str | bytes, extra: Iterable[str] | None = None) -> bool:
    """True for ``Cookie``, ``Authorization``, ``Proxy-Authorization`` and the names in ``extra``."""
    text = name.decode("latin-1") if isinstance(name, bytes) else name
    return text.strip().lower() in _names(extra)


def redact_headers(
    headers: Iterable[tuple[str, str]] | Mapping[str, str], extra: Iterable[str] | None = None
) -> list[tuple[str, str]]:
    """``(name, value)`` pairs, in order, with the values of sensitive headers replaced."""
    names = _names(extra)
    pairs = headers.items() if isinstance(headers, Mapping) else headers
    return [(name, REDACTED if name.strip().lower() in names else value) for name, value in pairs]


def redact_url(url: str) -> str:
    """The URL without credentials: ``user:pass@`` and secret-looking query values redacted."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _USERINFO.sub(lambda m: m["scheme"] + REDACTED + "@", url)
    netloc = parts.netloc
    if "@" in netloc:
        netloc = REDACTED + "@" + netloc.rpartition("@")[2]
    query = parts.query
    if query:
        pairs = parse_qsl(query, keep_blank_values=True)
        if any(_SECRET_PARAM.match(k) for k, _ in pairs):
            query = "&".join(
                f"{quote(k, safe='')}={REDACTED if _SECRET_PARAM.match(k) else quote(v, safe='')}" for k, v in pairs
            )
    if netloc == parts.netloc and query == parts.query:
        return url
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def redact_text(text: str) -> str:
    """Credentials of every URL in a free text (a log line, an error message) redacted."""
    return _USERINFO.sub(lambda m: m["scheme"] + REDACTED + "@", text)


def _header_dict(value: str) -> dict[str, object] | None:
    try:
        parsed = json.loads(value)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) else None


def _redact_setting(name: str, value: str, extra: Iterable[str] | None, secrets: set[str]) -> str:
    """``value`` of ``-s name=value`` made safe; what was taken out goes into ``secrets``."""
    secrets.update(m["userinfo"] for m in _USERINFO.finditer(value))
    if name.upper() in HEADER_SETTINGS:
        headers = _header_dict(value)
        if headers is None:
            secrets.add(value)
            return REDACTED  # not readable as headers: say nothing of it
        keep = HARMLESS_HEADERS - _names(extra)
        secrets.update(str(v) for k, v in headers.items() if str(k).lower() not in keep)
        return json.dumps(
            {k: (v if str(k).lower() in keep else REDACTED) for k, v in headers.items()}, ensure_ascii=False
        )
    if _SECRET_SETTING.search(name):
        secrets.add(value)
        return REDACTED
    return redact_text(value)


def _walk(argv: Sequence[str], extra: Iterable[str] | None) -> tuple[list[str], set[str]]:
    out: list[str] = []
    secrets: set[str] = set()
    args = list(argv)
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-s", "--set") and i + 1 < len(args):
            name, sep, value = args[i + 1].partition("=")
            out += [arg, f"{name}={_redact_setting(name, value, extra, secrets)}" if sep else redact_text(args[i + 1])]
            i += 2
            continue
        for prefix in ("--set=", "-s"):
            if arg.startswith(prefix) and "=" in arg[len(prefix):]:
                name, _, value = arg[len(prefix):].partition("=")
                out.append(f"{prefix}{name}={_redact_setting(name, value, extra, secrets)}")
                break
        else:
            secrets.update(m["userinfo"] for m in _USERINFO.finditer(arg))
            out.append(redact_text(arg))
        i += 1
    return out, secrets


def redact_command(argv: Sequence[str], extra_headers: Iterable[str] | None = None) -> list[str]:
    """A command line safe to write down (see the module docstring); same length as ``argv``."""
    return _walk(argv, extra_headers)[0]


def secrets_of_command(argv: Sequence[str], extra_headers: Iterable[str] | None = None) -> list[str]:
    """The secret strings ``argv`` carries (what :func:`redact_command` takes out), longest first."""
    secrets = _walk(argv, extra_headers)[1]
    return sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True)


def secrets_of_headers(headers: Mapping[str, object] | None, extra: Iterable[str] | None = None) -> list[str]:
    """The values of sensitive headers in a header dict (``DEFAULT_REQUEST_HEADERS``), longest first."""
    names = _names(extra)
    values = {str(v) for k, v in (headers or {}).items() if str(k).lower() in names and str(v)}
    return sorted((v for v in values if len(v) >= 4), key=len, reverse=True)


class Redactor:
    """Replaces known secret strings (and URL credentials) in any text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets = sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True)
        # Also the parts of a cookie or a "Bearer <token>": a log may quote them apart.
        for secret in list(self.secrets):
            for piece in re.split(r"[;,\s]+", secret):
                value = piece.partition("=")[2] or piece
                if len(value) >= 8 and value not in self.secrets:
                    self.secrets.append(value)
        self.secrets.sort(key=len, reverse=True)
        self._re = re.compile("|".join(re.escape(s) for s in self.secrets)) if self.secrets else None

    def __bool__(self) -> bool:
        return self._re is not None

    def __call__(self, text: str) -> str:
        if self._re is not None:
            text = self._re.sub(REDACTED, text)
        return redact_text(text)
