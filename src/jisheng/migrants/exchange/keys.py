"""This deployment's signing key and the signature algorithms peers may use.

Each message names its algorithm; ``ALGORITHMS`` maps the name to a verifier, so a national
algorithm (SM2) is one more entry. The private key lives in the instance folder
(``keys/exchange_ed25519``, owner-only), created on first use, never in the database.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
from collections.abc import Callable
from functools import cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

from jisheng.core.instance import write_private_file

ED25519 = "ed25519"


def _key_path() -> Path:
    return Path(settings.JISHENG_HOME) / "keys" / "exchange_ed25519"


@cache
def private_key() -> Ed25519PrivateKey:
    """Our Ed25519 key, generated once per instance (a second process reads the same file)."""
    path = _key_path()
    if not path.exists():
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        with contextlib.suppress(FileExistsError):  # another process created it first
            write_private_file(path, pem.decode("ascii"))
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise RuntimeError(f"{path} does not hold an Ed25519 key")
    return key


def public_key_text() -> str:
    """Our public key as peers register it: base64 of the 32 raw bytes."""
    raw = (
        private_key()
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )
    return base64.b64encode(raw).decode("ascii")


def fingerprint(public_key: str) -> str:
    """A key's fingerprint to compare by phone: SHA-256 of the raw key, 16 groups of 4 hex."""
    digest = hashlib.sha256(base64.b64decode(public_key)).hexdigest()
    return ":".join(digest[i : i + 4] for i in range(0, 64, 4))


def sign(data: bytes) -> tuple[str, str]:
    """(algorithm, base64 signature) of ``data`` with our key."""
    return ED25519, base64.b64encode(private_key().sign(data)).decode("ascii")


def _verify_ed25519(public_key: str, data: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key)).verify(signature, data)
    except (InvalidSignature, ValueError):
        return False
    return True


ALGORITHMS: dict[str, Callable[[str, bytes, bytes], bool]] = {ED25519: _verify_ed25519}


def verify(algorithm: str, public_key: str, data: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is the peer's signature of ``data``; False for an
    algorithm we do not know or a malformed signature."""
    verifier = ALGORITHMS.get(algorithm)
    if verifier is None:
        return False
    try:
        raw = base64.b64decode(signature, validate=True)
    except ValueError:
        return False
    return verifier(public_key, data, raw)


def valid_public_key(algorithm: str, public_key: str) -> bool:
    """Whether ``public_key`` is a well-formed key of ``algorithm``."""
    if algorithm != ED25519:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
    except ValueError:
        return False
    return True
