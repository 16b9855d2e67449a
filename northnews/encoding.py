"""Bytes → text for the portal's pages.

Pages of the 2010s are GB2312/GBK, declared by a ``<meta>``, by the HTTP header, or not at all, and
the declarations lie: an HTTP ``charset=utf-8`` over GBK bytes makes Scrapy decode the page into
U+FFFD replacement characters without a word. The rules here:

* ``gb2312``/``gbk``/``cp936``… labels decode as GB18030, the superset (王喆, 朱镕基 are not GB2312);
  ISO-8859-1/ASCII labels as cp1252, as browsers do;
* declarations are tried in order (BOM, HTTP header, ``<meta>``), but one is only believed when the
  bytes decode under it without error — and bytes that are valid, non-ASCII UTF-8 are UTF-8
  whatever a label says (GBK text is practically never valid UTF-8);
* undeclared or wrongly declared bytes are UTF-8 when they decode as such, else GB18030 when they
  look like Chinese text in that encoding, else the first declaration with replacement characters.
"""

from __future__ import annotations

import codecs
import re

GB_LABELS = frozenset(
    {"gb2312", "gbk", "gb18030", "cp936", "ms936", "x-gbk", "gb_2312-80", "gb_2312", "csgb2312",
     "euc-cn", "euccn", "x-euc-cn", "chinese", "iso-ir-58", "csiso58gb231280", "windows-936"}
)
LATIN1_LABELS = frozenset(
    {"iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "us-ascii", "ascii", "ansi_x3.4-1968",
     "cp819", "ibm819", "iso_8859-1", "iso-ir-100", "csisolatin1", "windows-1252", "cp1252"}
)

_HEADER_CHARSET_RE = re.compile(rb"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.I)
_META_RES = (
    re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.I),
    re.compile(rb"""<\?xml[^>]+encoding\s*=\s*["']\s*([\w.:-]+)""", re.I),
)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# A GB2312-coded character has both bytes in A1-FE; a page of Chinese is mostly such characters,
# while other bytes that merely happen to decode as GBK (cp1252 quotes before a letter) are not.
_GB_PAIR_RE = re.compile(rb"[\x81-\xfe][\x40-\x7e\x80-\xfe]")
_GB2312_PAIR_RE = re.compile(rb"[\xa1-\xf7][\xa1-\xfe]")


def normalize_label(label: str | bytes | None) -> str | None:
    """A charset label → the Python codec we decode it with, or ``None`` if unknown."""
    if not label:
        return None
    if isinstance(label, bytes):
        label = label.decode("ascii", "replace")
    label = label.strip().strip("\"'").lower()
    if label in GB_LABELS:
        return "gb18030"
    if label in LATIN1_LABELS:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name in {"gbk", "gb2312", "gb18030"}:
        return "gb18030"
    if name in {"utf-8", "utf_8"}:
        return "utf-8"
    return name


def header_charset(content_type: str | bytes | None) -> str | None:
    """The codec named by a ``Content-Type`` header value, or ``None``."""
    if not content_type:
        return None
    if isinstance(content_type, str):
        content_type = content_type.encode("latin-1", "replace")
    match = _HEADER_CHARSET_RE.search(content_type)
    return normalize_label(match.group(1)) if match else None


def meta_charset(body: bytes) -> str | None:
    """The codec named by the page's ``<meta>`` (or XML declaration) in its first 4 KB."""
    head = body[:4096]
    for regex in _META_RES:
        match = regex.search(head)
        if match:
            label = normalize_label(match.group(1))
            if label:
                return label
    return None


def bom_charset(body: bytes) -> str | None:
    for bom, name in _BOMS:
        if body.startswith(bom):
            return name
    return None


def _decodes(body: bytes, codec: str) -> bool:
    try:
        body.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def looks_like_gb(body: bytes, share: float = 0.8) -> bool:
    """Do the non-ASCII bytes read as Chinese text in GBK (mostly GB2312-range characters)?"""
    pairs = len(_GB_PAIR_RE.findall(body))
    if not pairs:
        return False
    return len(_GB2312_PAIR_RE.findall(body)) >= share * pairs and _decodes(body, "gb18030")


def detect_encoding(body: bytes, content_type: str | bytes | None = None) -> str:
    """The codec to decode ``body`` with (a Python codec name: ``utf-8``, ``gb18030``, …)."""
    bom = bom_charset(body)
    if bom:
        return bom
    declared = [c for c in (header_charset(content_type), meta_charset(body)) if c]
    if body.isascii():
        return declared[0] if declared else "utf-8"
    utf8 = _decodes(body, "utf-8")
    if utf8:
        # Valid multi-byte UTF-8 is UTF-8, whatever a (copied-over) declaration says.
        return "utf-8"
    for codec in declared:
        if codec == "utf-8":
            continue  # just shown not to decode
        if codec == "gb18030" or codec.startswith(("big5", "shift_jis", "euc", "iso2022")):
            if _decodes(body, codec):
                return codec
            continue
        # A single-byte label decodes anything: believe it unless the bytes are clearly GBK.
        if looks_like_gb(body):
            return "gb18030"
        return codec
    # Undeclared: Chinese text in GBK, else a Western single-byte page (curly quotes in cp1252
    # also decode as GBK, but not as GB2312-range characters), else whatever decodes.
    if looks_like_gb(body, share=0.5):
        return "gb18030"
    for codec in ("cp1252", "gb18030"):
        if _decodes(body, codec):
            return codec
    # Nothing decodes cleanly: the lesser evil is the codec with the fewest replacement characters.
    candidates = [*declared, "utf-8", "gb18030"]
    return min(candidates, key=lambda c: body.decode(c, "replace").count("\ufffd"))


def decode(body: bytes, content_type: str | bytes | None = None) -> tuple[str, str]:
    """``(text, codec)`` for a page's bytes and its ``Content-Type`` header (if any)."""
    codec = detect_encoding(body, content_type)
    text = body.decode(codec, "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, codec


def same_codec(a: str | None, b: str | None) -> bool:
    """Do two labels name the same decoding (``gb2312`` and ``gb18030`` do, for us)?"""
    return normalize_label(a) == normalize_label(b)


_MOJIBAKE_RE = re.compile(
    "\ufffd"
    # UTF-8 read as cp1252/latin-1: a lead byte's letter followed by a continuation byte's.
    "|[\u00c2-\u00ef][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    # GBK read as cp1252/latin-1: runs of accented letters no Chinese or English text has.
    "|[\u00a1-\u00ff]{3,}"
    # UTF-8 read as GBK: what ，。、“” and 的/是/在 turn into.
    "|[锛銆鈥鐨鏄鍦]"
)


def looks_mojibake(text: str | None) -> bool:
    """Does ``text`` carry replacement characters or the usual traces of a wrong decoding?"""
    return bool(text and _MOJIBAKE_RE.search(text))
