"""Documents at rest: AES-256-GCM with a fresh nonce per file, in files with random names."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
VERSION = b"BD1"  # file format marker: version, nonce, ciphertext with tag


class VaultError(Exception):
    """A stored document cannot be read (missing, damaged, or another key)."""


def key_from_settings(settings: object) -> bytes:
    """The 32-byte key: BALIE_DOCUMENTS_KEY, or in development one derived from the secret."""
    configured = settings.documents_key.get_secret_value()
    if configured:
        try:
            key = base64.b64decode(configured, validate=True)
        except (binascii.Error, ValueError) as error:
            raise VaultError("BALIE_DOCUMENTS_KEY is not base64") from error
        if len(key) != 32:
            raise VaultError("BALIE_DOCUMENTS_KEY must be 32 bytes (base64)")
        return key
    secret = settings.secret_key.get_secret_value().encode()
    return hashlib.sha256(b"balie-documents-key:" + secret).digest()


def new_storage_name() -> str:
    """A random file name that says nothing about the document."""
    return secrets.token_hex(20)


def _path(folder: Path, storage_name: str) -> Path:
    """Where a stored document lives (the name is ours, never the citizen's)."""
    if not storage_name.isalnum():
        raise VaultError("bad storage name")
    return folder / storage_name[:2] / f"{storage_name}.bin"


def seal(key: bytes, data: bytes, bound_to: bytes) -> bytes:
    """``data`` encrypted with a fresh nonce (nonce + ciphertext + tag), bound to ``bound_to``."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, data, bound_to)


def unseal(key: bytes, sealed: bytes, bound_to: bytes) -> bytes:
    """The data of ``seal``; VaultError when damaged, bound elsewhere or made with another key."""
    try:
        return AESGCM(key).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], bound_to)
    except (InvalidTag, ValueError) as error:
        raise VaultError("damaged or encrypted with another key") from error


def store(folder: Path, key: bytes, storage_name: str, data: bytes) -> None:
    """Encrypt ``data`` and write it; the storage name is bound to the ciphertext."""
    sealed = seal(key, data, storage_name.encode())
    path = _path(folder, storage_name)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.parent.mkdir(exist_ok=True, mode=0o700)
    partial = path.with_suffix(".part")
    with open(partial, "wb", opener=lambda p, flags: os.open(p, flags, 0o600)) as handle:
        handle.write(VERSION + sealed)
    partial.replace(path)


def load(folder: Path, key: bytes, storage_name: str) -> bytes:
    """Read and decrypt a stored document."""
    try:
        raw = _path(folder, storage_name).read_bytes()
    except OSError as error:
        raise VaultError("document file missing") from error
    if not raw.startswith(VERSION):
        raise VaultError("unknown file format")
    return unseal(key, raw[len(VERSION) :], storage_name.encode())


def remove(folder: Path, storage_name: str) -> None:
    """Delete a stored document (nothing when it is gone already)."""
    _path(folder, storage_name).unlink(missing_ok=True)


def stored_path(folder: Path, storage_name: str) -> Path:
    """The file of a stored document (for tests and operators)."""
    return _path(folder, storage_name)
