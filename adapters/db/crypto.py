"""Credentials at rest: the secret key (TEMUSHIP_SECRET_KEY, else a private key file), the Fernet
key derived from it, and its fingerprint.

A generated key (43+ characters of URL-safe base64, such as `Fernet.generate_key()` or the key
file temuship makes) goes through HKDF-SHA256. Anything else is a passphrase: at least
MIN_PASSPHRASE characters, stretched with scrypt and a random salt kept in the database.
The fingerprint is an HMAC-SHA256 of a fixed label under the derived key: it tells keys apart
and says nothing about them.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import hmac
import os
import re
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from adapters.db.location import PRIVATE_FILE, data_dir
from domain.errors import UnusableSecretKey, WrongSecretKey
from domain.secrets import Secret

SECRET_KEY_ENV = "TEMUSHIP_SECRET_KEY"
NEW_SECRET_KEY_ENV = "TEMUSHIP_NEW_SECRET_KEY"
KEY_FILE_NAME = "secret.key"
MIN_PASSPHRASE = 16
HKDF_KDF = "hkdf-sha256"
SCRYPT_KDF = "scrypt:n=16384,r=8,p=1"  # about 0.1 s on a small machine, once per process
SALT_BYTES = 16
FINGERPRINT_SHOWN = 12
_HKDF_SALT = b"temuship-credentials-v1"
_FINGERPRINT_LABEL = b"temuship secret key fingerprint v1"
_GENERATED = re.compile(r"[A-Za-z0-9_-]{43,}={0,2}")
_SCRYPT = re.compile(r"scrypt:n=(\d+),r=(\d+),p=(\d+)")
GENERATE_HINT = (
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


@dataclass(frozen=True)
class SecretKey:
    """A secret key and where it came from (`source`, shown in messages; the key never is)."""

    material: str = field(repr=False)
    source: str
    path: Path | None = None

    @property
    def is_passphrase(self) -> bool:
        return not looks_generated(self.material)

    @property
    def kdf(self) -> str:
        """How a database newly keyed with this key derives it."""
        return SCRYPT_KDF if self.is_passphrase else HKDF_KDF


def looks_generated(value: str) -> bool:
    """A generated key: URL-safe base64 of at least 32 random bytes."""
    if not _GENERATED.fullmatch(value):
        return False
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return False
    return len(raw) >= 32


def checked(key: SecretKey) -> SecretKey:
    """Refuse a passphrase shorter than MIN_PASSPHRASE characters."""
    if key.is_passphrase and len(key.material) < MIN_PASSPHRASE:
        raise UnusableSecretKey(
            f"{key.source} is a passphrase of {len(key.material)} characters: use at least "
            f"{MIN_PASSPHRASE} (or a generated key: {GENERATE_HINT})"
        )
    return key


def key_file() -> Path:
    return data_dir() / KEY_FILE_NAME


def secret_key() -> SecretKey:
    """This process's key: TEMUSHIP_SECRET_KEY, else the local key file (made on first use)."""
    value = os.environ.get(SECRET_KEY_ENV)
    if value:
        return checked(SecretKey(value, SECRET_KEY_ENV))
    path = key_file()
    if not path.exists():
        _create_key_file(path)
    return read_key_file(path, f"the key file {path}")


def read_key_file(path: Path, source: str | None = None) -> SecretKey:
    """The key in a file that only its owner may read (as ssh wants of a private key)."""
    try:
        with open(path, encoding="utf-8") as handle:
            mode = stat.S_IMODE(os.fstat(handle.fileno()).st_mode)
            text = handle.read().strip()
    except FileNotFoundError:
        raise UnusableSecretKey(f"there is no key file {path}") from None
    if mode & 0o077:
        raise UnusableSecretKey(
            f"permissions {mode:04o} for the key file {path} are too open (others may read "
            f"it): run `chmod 600 {path}`"
        )
    if not text:
        raise UnusableSecretKey(
            f"the key file {path} is empty: put the key back in it (then `chmod 600 {path}`), "
            "or delete it to make a new one if no shop was ever connected"
        )
    return checked(SecretKey(text, source or f"the key file {path}", path))


def _create_key_file(path: Path) -> None:
    """Create the key file once (owner-only, atomically); another process first wins."""
    write_key_file(path, Fernet.generate_key().decode(), replace=False)


def write_key_file(path: Path, material: str, *, replace: bool = True) -> None:
    """Write a key file owner-only (0600) and atomically: a reader sees the old key or the new."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except OSError as error:  # named as the key file, not the temporary one
        raise OSError(error.errno, error.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(material + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
        else:
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


@functools.lru_cache(maxsize=16)
def derive_fernet_key(material: str, kdf: str = HKDF_KDF, salt: bytes | None = None) -> bytes:
    """The Fernet key of a secret key (cached: scrypt is slow on purpose)."""
    if kdf == HKDF_KDF:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=b"fernet")
        raw = hkdf.derive(material.encode())
    elif (params := _SCRYPT.fullmatch(kdf)) is not None and salt:
        n, r, p = (int(v) for v in params.groups())
        raw = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(material.encode())
    else:
        raise UnusableSecretKey(
            f"the database's key derivation {kdf!r} is unknown to this temuship: upgrade it"
        )
    return base64.urlsafe_b64encode(raw)


def fingerprint_of(fernet_key: bytes) -> str:
    """HMAC-SHA256 of a fixed label under the key: the same key, the same fingerprint."""
    raw = base64.urlsafe_b64decode(fernet_key)
    return hmac.new(raw, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()


def shown(fingerprint: str) -> str:
    return fingerprint[:FINGERPRINT_SHOWN]


class Cipher:
    """Encrypts and decrypts secrets for the credentials table, with one Fernet key."""

    def __init__(self, fernet_key: bytes, source: str = "this key") -> None:
        self._fernet = Fernet(fernet_key)
        self.fingerprint = fingerprint_of(fernet_key)
        self.source = source

    @classmethod
    def derived(
        cls, key: SecretKey | str, kdf: str = HKDF_KDF, salt: bytes | None = None
    ) -> Cipher:
        if isinstance(key, str):
            key = SecretKey(key, "a key")
        return cls(derive_fernet_key(key.material, kdf, salt), key.source)

    def encrypt(self, secret: Secret) -> bytes:
        return self._fernet.encrypt(secret.reveal().encode())

    def decrypt(self, token: bytes) -> Secret:
        try:
            return Secret(self._fernet.decrypt(bytes(token)).decode())
        except InvalidToken:
            raise WrongSecretKey(
                "this database's credentials were encrypted with another key: set "
                "TEMUSHIP_SECRET_KEY to the key they were saved with "
                f"(the key from {self.source} is not it)"
            ) from None

    def __repr__(self) -> str:
        return f"Cipher(<key hidden>, fingerprint {shown(self.fingerprint)})"
