"""SM4-GCM encryption and HMAC-SM3 blind indexes for sensitive values.

Keys live in the instance folder (``keys/data.json``) or in the file named by
``JISHENG_KEY_FILE`` — never in the database, so a copy of the database alone
reveals nothing. A token is ``key id (1 byte) | nonce (12) | ciphertext | tag (16)``;
the column's context is bound in as associated data, so a ciphertext copied into
another column or row type fails to decrypt.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from jisheng.core.instance import instance_home, write_private_file

NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(Exception):
    """A ciphertext was altered, truncated, moved between columns, or the key is wrong."""


@dataclass(frozen=True)
class Keyring:
    """The active SM4 data key (by id), older data keys for reading, and the index key."""

    active_id: int
    data_keys: dict[int, bytes]
    index_key: bytes


def _key_file() -> Path:
    configured = os.environ.get("JISHENG_KEY_FILE")
    return Path(configured) if configured else instance_home() / "keys" / "data.json"


def _new_key_file(path: Path) -> None:
    content = {
        "active": 1,
        "data_keys": {"1": base64.b64encode(secrets.token_bytes(16)).decode()},
        "index_key": base64.b64encode(secrets.token_bytes(32)).decode(),
    }
    with contextlib.suppress(FileExistsError):  # another process created it first
        write_private_file(path, json.dumps(content, indent=2))


@cache
def keyring() -> Keyring:
    """Load the keyring once per process, creating a fresh one for a new instance."""
    path = _key_file()
    if not path.exists():
        _new_key_file(path)
    raw = json.loads(path.read_text(encoding="ascii"))
    data_keys = {int(k): base64.b64decode(v) for k, v in raw["data_keys"].items()}
    if any(len(key) != 16 for key in data_keys.values()):
        raise RuntimeError("SM4 data keys must be 16 bytes")
    return Keyring(
        active_id=int(raw["active"]),
        data_keys=data_keys,
        index_key=base64.b64decode(raw["index_key"]),
    )


def encrypt(plaintext: str, *, context: str) -> bytes:
    """Encrypt ``plaintext`` for the column named by ``context``."""
    ring = keyring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(ring.data_keys[ring.active_id]), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(context.encode())
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return bytes([ring.active_id]) + nonce + body + encryptor.tag


def decrypt(token: bytes, *, context: str) -> str:
    """Decrypt a token from :func:`encrypt`; any tampering raises :class:`DecryptionError`."""
    if len(token) < 1 + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext too short")
    key = keyring().data_keys.get(token[0])
    if key is None:
        raise DecryptionError(f"unknown key id {token[0]}")
    nonce = token[1 : 1 + NONCE_BYTES]
    tag = token[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(context.encode())
    try:
        plain = decryptor.update(token[1 + NONCE_BYTES : -TAG_BYTES]) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionError("ciphertext failed authentication") from exc
    return plain.decode()


def blind_index(value: str, *, context: str) -> str:
    """Keyed HMAC-SM3 digest (hex) for exact-match search without storing the value."""
    mac = _keyed_mac(keyring().index_key, context).copy()
    mac.update(value.encode())
    return mac.finalize().hex()


@lru_cache(maxsize=64)
def _keyed_mac(key: bytes, context: str) -> crypto_hmac.HMAC:
    """HMAC state after the key and ``context | 0x00``: copied, it saves the key setup that
    would otherwise dominate a digest of a short value. Never finalized itself."""
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(context.encode() + b"\x00")
    return mac


def digests_equal(left: str, right: str) -> bool:
    """Constant-time comparison of two hex digests."""
    return hmac.compare_digest(left, right)


def encrypt_bytes(plain: bytes, *, context: str) -> bytes:
    """Encrypt a file's bytes (same token layout as :func:`encrypt`) for ``context``."""
    ring = keyring()
    nonce = secrets.token_bytes(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(ring.data_keys[ring.active_id]), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(context.encode())
    body = encryptor.update(plain) + encryptor.finalize()
    return bytes([ring.active_id]) + nonce + body + encryptor.tag


def decrypt_bytes(token: bytes, *, context: str) -> bytes:
    """Decrypt a token from :func:`encrypt_bytes`; tampering raises :class:`DecryptionError`."""
    if len(token) < 1 + NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("ciphertext too short")
    key = keyring().data_keys.get(token[0])
    if key is None:
        raise DecryptionError(f"unknown key id {token[0]}")
    nonce = token[1 : 1 + NONCE_BYTES]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, token[-TAG_BYTES:])).decryptor()
    decryptor.authenticate_additional_data(context.encode())
    try:
        return decryptor.update(token[1 + NONCE_BYTES : -TAG_BYTES]) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionError("ciphertext failed authentication") from exc
