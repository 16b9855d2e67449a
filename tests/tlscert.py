"""A throwaway certificate authority for the local test servers: https through a proxy (CONNECT).

The mock portal answers ``CONNECT host:443`` like a proxy that terminates TLS itself: it says
``200 Connection established``, then speaks TLS with a certificate for that host signed by this
test CA, and serves the mirror's files as ``https://host/…``. Scrapy (like the live crawl) does
not verify certificates by default, so the test sees the crawler's real https path: CONNECT,
TLS, HTTP/1.1 inside. Made with ``cryptography`` (already installed with Scrapy, through
pyOpenSSL); one key per process, a certificate per host, cached in a temporary directory.
"""

from __future__ import annotations

import datetime as dt
import ssl
import tempfile
import threading
from functools import lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

_LOCK = threading.Lock()
_DIR = Path(tempfile.mkdtemp(prefix="northnews-tls-"))
_NOT_BEFORE = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
_NOT_AFTER = dt.datetime(2040, 1, 1, tzinfo=dt.timezone.utc)


@lru_cache(maxsize=1)
def _ca() -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "northnews test CA")])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(1).not_valid_before(_NOT_BEFORE).not_valid_after(_NOT_AFTER)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return key, cert


def context_for(host: str) -> ssl.SSLContext:
    """A server-side TLS context presenting a certificate for ``host``."""
    with _LOCK:
        return _context_for(host.lower())


@lru_cache(maxsize=64)
def _context_for(host: str) -> ssl.SSLContext:
    ca_key, ca_cert = _ca()
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)]))
        .issuer_name(ca_cert.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(_NOT_BEFORE).not_valid_after(_NOT_AFTER)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    stem = _DIR / host.replace("*", "_")
    stem.with_suffix(".pem").write_bytes(
        cert.public_bytes(serialization.Encoding.PEM) + ca_cert.public_bytes(serialization.Encoding.PEM))
    stem.with_suffix(".key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(stem.with_suffix(".pem"), stem.with_suffix(".key"))
    return ctx
