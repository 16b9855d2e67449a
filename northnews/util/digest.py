"""The one SHA-1 base32 helper (WARC digests, content digests, file manifests)."""

from __future__ import annotations

import base64
import hashlib


def sha1_base32(data: bytes) -> str:
    """``BASE32`` of SHA-1, as WARC ``…-Digest: sha1:<BASE32>`` headers write it."""
    return base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def base32_of(hasher: hashlib._Hash) -> str:
    """The base32 form of a running hash object (streamed files)."""
    return base64.b32encode(hasher.digest()).decode("ascii")
