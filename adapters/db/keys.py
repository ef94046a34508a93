"""The secret key as a database knows it: its fingerprint (and, for a passphrase, the KDF and
salt) in the `settings` table, checked before any credential is read or written.

- The first write of credentials stores the key's fingerprint, once it has opened every
  credential already there (a database from before fingerprints). A passphrase that was
  derived by HKDF then is moved to scrypt in the same transaction.
- From then on any other key is refused with WrongSecretKey, before anything is written.
- `rotate_key` re-encrypts every credential under a new key in one transaction.
"""

from __future__ import annotations

import base64
import hmac
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Engine, delete, select, text, update

from adapters.db.crypto import (
    HKDF_KDF,
    SALT_BYTES,
    SECRET_KEY_ENV,
    Cipher,
    SecretKey,
    derive_fernet_key,
    key_file,
    secret_key,
    shown,
    write_key_file,
)
from adapters.db.tables import CREDENTIALS, SETTINGS
from adapters.db.upsert import upsert
from domain.errors import UnusableSecretKey, WrongSecretKey
from domain.secrets import Secret

FINGERPRINT = "secret_key.fingerprint"
KDF = "secret_key.kdf"
SALT = "secret_key.salt"
KEY_SETTINGS = (FINGERPRINT, KDF, SALT)
SECRET_COLUMNS = ("temu_app_secret", "temu_access_token", "shipstation_api_secret")
# Any constant will do: the same in every temuship process (and not the migration lock's).
KEY_LOCK = 0x7E5A_5111_0002


@dataclass(frozen=True)
class KeyState:
    """What a database says about its key: nothing secret. No fingerprint: from before them."""

    fingerprint: str | None = None
    kdf: str = HKDF_KDF
    salt: bytes | None = None


def read_state(
    connection: Connection, *, lock: Literal["share", "update"] | None = None
) -> KeyState:
    """The database's key state. On PostgreSQL, `lock` holds its rows to the end of the
    transaction: "share" for a writer of credentials (no rotation slips between its check and
    its write), "update" for a rotation (it waits for those writers, and they for it)."""
    query = select(SETTINGS.c.name, SETTINGS.c.value).where(SETTINGS.c.name.in_(KEY_SETTINGS))
    if lock is not None and connection.dialect.name == "postgresql":
        query = query.with_for_update(read=lock == "share")
    values: dict[str, str] = {name: value for name, value in connection.execute(query).all()}
    salt = values.get(SALT)
    return KeyState(
        values.get(FINGERPRINT),
        values.get(KDF, HKDF_KDF),
        base64.urlsafe_b64decode(salt) if salt else None,
    )


def write_state(connection: Connection, state: KeyState) -> None:
    now = datetime.now(UTC)
    rows = [{"name": FINGERPRINT, "value": state.fingerprint, "updated_at": now}]
    rows.append({"name": KDF, "value": state.kdf, "updated_at": now})
    if state.salt is not None:
        salt = base64.urlsafe_b64encode(state.salt).decode()
        rows.append({"name": SALT, "value": salt, "updated_at": now})
    else:
        connection.execute(delete(SETTINGS).where(SETTINGS.c.name == SALT))
    upsert(connection, SETTINGS, rows, ("name",))


def lock_key(connection: Connection) -> None:
    """One key change at a time: an advisory lock (PostgreSQL), the write lock (SQLite)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": KEY_LOCK})
    else:  # any write takes SQLite's one write lock, held to the end of the transaction
        connection.execute(
            update(SETTINGS).where(SETTINGS.c.name == FINGERPRINT).values(name=SETTINGS.c.name)
        )


def cipher_for(key: SecretKey, state: KeyState) -> Cipher:
    """The key's cipher for a database in `state`; WrongSecretKey if it is not the database's.

    A database without a fingerprint is from before them: its credentials were encrypted with
    the key through HKDF, and only opening them tells (Cipher.decrypt refuses then)."""
    if state.fingerprint is None:
        return Cipher(derive_fernet_key(key.material, HKDF_KDF, None), key.source)
    cipher = Cipher(derive_fernet_key(key.material, state.kdf, state.salt), key.source)
    if not hmac.compare_digest(cipher.fingerprint, state.fingerprint):
        raise WrongSecretKey(
            "this database's credentials were encrypted with another key: set "
            f"TEMUSHIP_SECRET_KEY to the key with fingerprint {shown(state.fingerprint)} "
            f"(the key from {key.source} has {shown(cipher.fingerprint)})"
        )
    return cipher


def new_cipher(key: SecretKey) -> tuple[Cipher, KeyState]:
    """A cipher for a key newly given to a database, and the state to store with it."""
    salt = secrets.token_bytes(SALT_BYTES) if key.is_passphrase else None
    cipher = Cipher(derive_fernet_key(key.material, key.kdf, salt), key.source)
    return cipher, KeyState(cipher.fingerprint, key.kdf, salt)


def reencrypt(connection: Connection, old: Cipher, new: Cipher) -> int:
    """Open every stored credential with `old` (WrongSecretKey if one does not open), and write
    it back under `new` unless that is the same key. The number of shops."""
    rows = connection.execute(select(CREDENTIALS.c.shop_id, *CREDENTIALS.c[SECRET_COLUMNS]))
    opened = [
        (row.shop_id, {c: old.decrypt(getattr(row, c)) for c in SECRET_COLUMNS}) for row in rows
    ]
    if new.fingerprint != old.fingerprint:
        for shop_id, values in opened:
            connection.execute(
                update(CREDENTIALS)
                .where(CREDENTIALS.c.shop_id == shop_id)
                .values({c: new.encrypt(v) for c, v in values.items()})
            )
    return len(opened)


def current_key(state: KeyState) -> SecretKey:
    """This process's key (crypto.secret_key); but no key file is made for a database that
    already has a key: that new key could only be refused."""
    if state.fingerprint is not None and not os.environ.get(SECRET_KEY_ENV):
        path = key_file()
        if not path.exists():
            raise WrongSecretKey(
                "this database's credentials were encrypted with another key: set "
                f"TEMUSHIP_SECRET_KEY to the key with fingerprint {shown(state.fingerprint)} "
                f"(or restore the key file {path})"
            )
    return secret_key()


class StoredKey:
    """This process's key as the database on one connection sees it (read for every use: no
    cache to go stale after a rollback or another process's rotation; derived keys are cached
    process-wide by crypto.derive_fernet_key)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def state(self) -> KeyState:
        return read_state(self._connection)

    def for_reading(self) -> Cipher:
        state = self.state()
        return cipher_for(current_key(state), state)

    def for_writing(self) -> Cipher:
        """The cipher to encrypt with; WrongSecretKey (nothing written) for another key. The
        first write to a database stores the key's fingerprint, in the same transaction."""
        state = read_state(self._connection, lock="share")
        key = current_key(state)
        if state.fingerprint is not None:
            return cipher_for(key, state)
        lock_key(self._connection)
        state = read_state(self._connection)
        if state.fingerprint is not None:  # another process was first
            return cipher_for(key, state)
        cipher, state = new_cipher(key)
        reencrypt(self._connection, cipher_for(key, KeyState()), cipher)
        write_state(self._connection, state)
        return cipher

    def check(self, *, writing: bool = False) -> None:
        """Raise SecretKeyError when this process's key is not the database's, before a
        command asks anyone anything. Reads only: nothing is decrypted but one stored token of
        a database from before fingerprints, and no key file is made unless `writing` to a
        database that holds no credentials yet (the key about to be used must be usable)."""
        state = self.state()
        if state.fingerprint is not None:
            cipher_for(current_key(state), state)
            return
        token = self._connection.execute(select(CREDENTIALS.c.temu_access_token).limit(1))
        stored = token.scalar()
        if stored is None:  # nothing encrypted yet: the first write will take any usable key
            if writing:
                secret_key()
            return
        if not os.environ.get(SECRET_KEY_ENV) and not key_file().exists():
            raise WrongSecretKey(
                "this database's credentials were encrypted with another key: set "
                f"TEMUSHIP_SECRET_KEY to the key they were saved with (or restore the key file "
                f"{key_file()})"
            )
        cipher_for(secret_key(), state).decrypt(stored)

    def confirm(self, cipher: Cipher) -> None:
        """After writing: the database still expects this key (no rotation slipped in)."""
        state = self.state()
        if state.fingerprint != cipher.fingerprint:
            cipher_for(current_key(state), state)  # raises WrongSecretKey, with fingerprints
            raise WrongSecretKey("the secret key was rotated meanwhile: run the command again")


@dataclass(frozen=True)
class Unsealer:
    """Opens a token of a database in `state` with this process's key (picklable)."""

    state: KeyState

    def __call__(self, token: bytes) -> str:
        return cipher_for(current_key(self.state), self.state).decrypt(token).reveal()


class SealedSecret(Secret):
    """A stored secret still encrypted: the key is checked and the token decrypted the first
    time it is revealed (listing shops or showing their status never does). Its repr and str
    show `****` until then."""

    __slots__ = ("_opened", "_token", "_unseal")
    _opened: bool
    _token: bytes
    _unseal: Callable[[bytes], str]

    def __init__(self, token: bytes, unseal: Callable[[bytes], str]) -> None:
        super().__init__("")
        object.__setattr__(self, "_token", bytes(token))
        object.__setattr__(self, "_unseal", unseal)
        object.__setattr__(self, "_opened", False)

    def reveal(self) -> str:
        if not self._opened:
            object.__setattr__(self, "_value", self._unseal(self._token))
            object.__setattr__(self, "_opened", True)
        return self._value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and self.reveal() == other.reveal()

    def __hash__(self) -> int:
        return hash((self.reveal(),))

    def __bool__(self) -> bool:
        return bool(self.reveal())

    def __reduce__(self) -> tuple[Any, ...]:
        return (SealedSecret, (self._token, self._unseal))


# --- rotation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rotation:
    """What `rotate_key` did: shops re-encrypted, the new fingerprint, the key file rewritten."""

    shops: int
    fingerprint: str
    key_file: Path | None


def new_secret_key(path: Path | None, from_env: str | None, env_name: str) -> SecretKey:
    """The new key for a rotation: from a file only its owner may read, or an environment
    variable (never a command-line argument, which shell history keeps)."""
    from adapters.db.crypto import checked, read_key_file

    if path is not None and from_env:
        raise UnusableSecretKey(f"give the new key by --new-key-file or {env_name}, not both")
    if path is not None:
        return read_key_file(path, f"the new key file {path}")
    if from_env:
        return checked(SecretKey(from_env, env_name))
    raise UnusableSecretKey(
        f"give the new key in a file (--new-key-file PATH, mode 600) or in {env_name}"
    )


def rotate_key(engine: Engine, new: SecretKey, current: SecretKey | None = None) -> Rotation:
    """Re-encrypt every stored credential under `new` and store its fingerprint, in one
    transaction; then, if the current key came from the local key file, write `new` there.

    Refuses (WrongSecretKey) when the current key is not the database's: nothing changes."""
    with engine.connect() as connection:
        lock_key(connection)
        state = read_state(connection, lock="update")
        current = current or current_key(state)
        if new.material == current.material:
            raise UnusableSecretKey(f"{new.source} holds the key in use already: nothing to do")
        old = cipher_for(current, state)
        cipher, state = new_cipher(new)
        count = reencrypt(connection, old, cipher)
        write_state(connection, state)
        connection.commit()
    replaced = None
    if current.path is not None and current.path == key_file():
        write_key_file(current.path, new.material)
        replaced = current.path
    return Rotation(count, cipher.fingerprint, replaced)
