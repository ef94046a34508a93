"""Credentials at rest: Fernet with a key derived from TEMUSHIP_SECRET_KEY or a local key file."""

from __future__ import annotations

import base64
import contextlib
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from adapters.db.errors import SecretKeyMismatch
from adapters.db.location import data_dir
from domain.secrets import Secret

SECRET_KEY_ENV = "TEMUSHIP_SECRET_KEY"
KEY_FILE_NAME = "secret.key"
_SALT = b"temuship-credentials-v1"


def derive_fernet_key(material: str) -> bytes:
    """A Fernet key from any string, by HKDF-SHA256 (the same string gives the same key)."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=b"fernet")
    return base64.urlsafe_b64encode(hkdf.derive(material.encode()))


def key_file() -> Path:
    return data_dir() / KEY_FILE_NAME


def _read_or_create_key_file(path: Path) -> str:
    """Create the key file once (owner-only, atomically) and reuse it ever after."""
    if not path.exists():
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            with contextlib.suppress(FileExistsError):  # another process was first: theirs wins
                os.link(tmp, path)
        finally:
            tmp.unlink()
    return path.read_text().strip()


class Cipher:
    """Encrypts and decrypts secrets for the credentials table."""

    def __init__(self, key_material: str) -> None:
        self._fernet = Fernet(derive_fernet_key(key_material))

    @classmethod
    def from_env(cls) -> Cipher:
        """The key from TEMUSHIP_SECRET_KEY, else from the local key file (made on first use)."""
        material = os.environ.get(SECRET_KEY_ENV) or _read_or_create_key_file(key_file())
        return cls(material)

    def encrypt(self, secret: Secret) -> bytes:
        return self._fernet.encrypt(secret.reveal().encode())

    def decrypt(self, token: bytes) -> Secret:
        try:
            return Secret(self._fernet.decrypt(bytes(token)).decode())
        except InvalidToken:
            raise SecretKeyMismatch() from None

    def __repr__(self) -> str:
        return "Cipher(<key hidden>)"
