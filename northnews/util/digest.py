"""The one SHA-1 base32 helper (WARC digests, content digests, file manifests)."""

from __future__ import annotations

import base64
import hashlib

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648 base32
#: Every 10-bit value as its two base32 characters: a SHA-1 (160 bits) is 16 look-ups. The
#: standard library's b32encode is pure Python, ~10 µs a digest: a crawl makes four per exchange.
_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]


def b32_digest(digest: bytes) -> str:
    """``base64.b32encode(digest)`` as text, for a 20-byte digest (no padding needed); any other
    length goes through the standard library."""
    if len(digest) != 20:
        return base64.b32encode(digest).decode("ascii")
    n = int.from_bytes(digest, "big")
    pairs = _PAIRS
    return "".join([pairs[(n >> shift) & 1023] for shift in range(150, -1, -10)])


def sha1_base32(data: bytes) -> str:
    """``BASE32`` of SHA-1, as WARC ``…-Digest: sha1:<BASE32>`` headers write it."""
    return b32_digest(hashlib.sha1(data).digest())


def base32_of(hasher: hashlib._Hash) -> str:
    """The base32 form of a running hash object (streamed files)."""
    return b32_digest(hasher.digest())
