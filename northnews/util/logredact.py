"""Secrets out of every log line a crawl writes: a ``logging`` record factory built from the command.

Scrapy logs its overridden settings at start (``DEFAULT_REQUEST_HEADERS`` with an
``Authorization`` value included) and reinstalls its root handler whenever a crawler is created,
so a handler filter would be lost; a record factory (``logging.setLogRecordFactory``) sees every
record of the process whatever handler writes it. It is installed only when the command line or
the settings carry something to hide, so an ordinary crawl pays nothing.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

from northnews.util.redact import Redactor, secrets_of_command, secrets_of_headers

_installed: Redactor | None = None


def redactor_for(settings: Any, argv: Sequence[str]) -> Redactor:
    """The secrets of this process: from its command line, its request headers and proxy URLs."""
    extra = settings.getlist("NORTHNEWS_REDACT_HEADERS") if settings is not None else []
    headers = settings.getdict("DEFAULT_REQUEST_HEADERS") if settings is not None else {}
    secrets = [*secrets_of_command(argv, extra), *secrets_of_headers(headers, extra)]
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        secrets += secrets_of_command([os.environ.get(name, "")])
    return Redactor(secrets)


def install_log_redaction(settings: Any, argv: Sequence[str]) -> Redactor:
    """Make every log record of this process go through the redactor (once per process)."""
    global _installed  # noqa: PLW0603 (one factory per process)
    redact = redactor_for(settings, argv)
    if not redact or _installed is not None:
        return redact
    _installed = redact
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is logging's business, not ours
            return record
        clean = redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return record

    logging.setLogRecordFactory(factory)
    return redact
