"""The SHA-1 base32 helper (northnews.util.digest) that WARC digests and manifests use."""

from __future__ import annotations

import hashlib

from northnews.util.digest import base32_of, sha1_base32

# The digest of an empty payload as WARC files print it (``WARC-Payload-Digest: sha1:3I42H…``).
EMPTY = "3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"


def test_empty_payload_has_the_well_known_warc_digest() -> None:
    assert sha1_base32(b"") == EMPTY
    assert base32_of(hashlib.sha1()) == EMPTY


def test_a_streamed_hash_equals_the_one_shot_digest() -> None:
    data = "北方新闻网 northnews\r\n".encode() * 1000
    streamed = hashlib.sha1()
    for start in range(0, len(data), 4096):
        streamed.update(data[start:start + 4096])
    assert base32_of(streamed) == sha1_base32(data)
    assert len(sha1_base32(data)) == 32 and sha1_base32(data) != EMPTY


def test_the_base32_of_a_digest_is_the_standard_librarys() -> None:
    import base64
    import os

    from northnews.util.digest import b32_digest

    for data in [bytes(20), b"\xff" * 20, *(os.urandom(20) for _ in range(2000)), b"", b"abc", os.urandom(32)]:
        assert b32_digest(data) == base64.b32encode(data).decode("ascii")
