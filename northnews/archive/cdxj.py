"""CDXJ indexes in pywb's format, one per closed WARC file (``<stem>.cdxj`` next to it).

A line is ``<SURT key> <14-digit timestamp> <JSON>``, the JSON holding the fields
``cdxj-indexer`` writes by default, in its order and string forms (``url``, ``mime``,
``status``, ``digest``, ``length``, ``offset``, ``filename``), so our index and the one pywb's
own tool builds for the same file are identical (a test compares them line by line). Lines are
sorted, as pywb's binary search needs.

Indexed record types are cdxj-indexer's defaults: ``response``, ``revisit``, and ``resource`` /
``metadata`` records that are not ``application/warc-fields``.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from warcio.timeutils import iso_date_to_timestamp

from northnews.archive.scan import RecordInfo, ScanResult, final_name, scan_file

INDEXED_TYPES = ("response", "revisit", "resource", "metadata")
_MIME_SPLIT = re.compile(r"[;\s]")

try:  # pywb's canonical keys come from the `surt` package (installed with cdxj-indexer/pywb).
    from surt import surt as _surt
except ImportError:  # pragma: no cover - exercised only where surt is not installed
    _surt = None


def url_key(url: str) -> str:
    """SURT key of a URL, e.g. ``cn,northnews)/2015/0915/2049381.shtml``."""
    if _surt is not None:
        try:
            return _surt(url)
        except Exception:  # noqa: BLE001 - cdxj-indexer falls back to the URL too
            return url
    return _simple_surt(url)


def _simple_surt(url: str) -> str:
    # Fallback when `surt` is missing: the common cases of the IA canonicalisation (lower-case
    # host without "www.", default port and fragment dropped, sorted query, lower-case path).
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    host = re.sub(r"^www\d*\.", "", host)
    port = parts.port
    if port and not ((parts.scheme == "http" and port == 80) or (parts.scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    key = ",".join(reversed(host.split("."))) + ")"
    path = (parts.path or "/").lower()
    query = "&".join(sorted(parts.query.lower().split("&"))) if parts.query else ""
    return key + path + ("?" + query if query else "")


def record_fields(rec: RecordInfo, filename: str) -> dict[str, str] | None:
    """The JSON fields of a record's index line, or ``None`` when it is not indexed."""
    rtype = rec.rec_type
    if rtype not in INDEXED_TYPES:
        return None
    if rtype in ("resource", "metadata") and rec.header("Content-Type") == "application/warc-fields":
        return None
    fields: dict[str, str] = {}
    url = rec.target_uri
    if url is not None:
        fields["url"] = url
    if rtype == "revisit":
        mime: str | None = "warc/revisit"
    elif rtype == "response":
        mime = rec.http_header("Content-Type")
    else:
        mime = rec.header("Content-Type")
    if mime is not None and rtype != "revisit":
        mime = _MIME_SPLIT.split(mime, 1)[0].strip()
    if mime is not None:
        fields["mime"] = mime
    if rtype in ("response", "revisit") and rec.http_head:
        status = rec.http_head.split(b"\r\n", 1)[0].split(b" ", 2)
        if len(status) > 1:
            fields["status"] = status[1].decode("latin-1")
    digest = rec.header("WARC-Payload-Digest")
    if digest is not None:
        fields["digest"] = digest
    fields["length"] = str(rec.length)
    fields["offset"] = str(rec.offset)
    fields["filename"] = filename
    return fields


def cdxj_line(url: str, warc_date: str, fields: dict[str, str]) -> str:
    return f"{url_key(url)} {iso_date_to_timestamp(warc_date)} {json.dumps(fields)}\n"


def lines_for_scan(scan: ScanResult, filename: str | None = None) -> list[str]:
    name = filename or final_name(scan.path.name)
    out = []
    for rec in scan.records:
        fields = record_fields(rec, name)
        if fields is not None:
            out.append(cdxj_line(rec.target_uri or "", rec.date or "", fields))
    return out


def index_path(warc_path: str | os.PathLike[str]) -> Path:
    """``northnews-…-host.warc.gz`` (or ``.warc.gz.open``) → ``northnews-…-host.cdxj`` beside it."""
    p = Path(warc_path)
    name = final_name(p.name)
    for suffix in (".warc.gz", ".warc"):
        if name.endswith(suffix):
            name = name[: -len(suffix)]
            break
    return p.with_name(name + ".cdxj")


def write_lines(path: str | os.PathLike[str], lines: Iterable[str]) -> Path:
    """Write sorted, de-duplicated lines atomically (a reader never sees half an index)."""
    p = Path(path)
    tmp = p.with_name(p.name + ".tmp")
    with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        last = None
        for line in sorted(lines):
            if line != last:
                fh.write(line)
            last = line
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, p)
    return p


def index_file(warc_path: str | os.PathLike[str]) -> Path:
    """(Re)build the CDXJ index of one WARC file from its records."""
    scan = scan_file(warc_path)
    return write_lines(index_path(warc_path), lines_for_scan(scan))


def merge(indexes: Iterable[str | os.PathLike[str]], out: str | os.PathLike[str]) -> Path:
    """One sorted index of several (e.g. pywb's ``indexes/index.cdxj``)."""
    lines: list[str] = []
    for path in indexes:
        with open(path, encoding="utf-8") as fh:
            lines.extend(fh)
    return write_lines(out, lines)
