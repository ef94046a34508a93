"""The secret key at the command line: checked before a command asks anyone anything or writes
(`require_key`), and `temuship rotate-key` (adapters/db/keys.rotate_key, and what to set next)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from flows.cli.output import out
from flows.wording import plural

if TYPE_CHECKING:
    from domain.errors import SecretKeyError
    from domain.ports import Services


def key_refusal(services: Services, *, writing: bool = False) -> SecretKeyError | None:
    """Why this process's key cannot open the database's credentials (another key, a key file
    others may read, an empty one, a passphrase too short), else None. Nothing is decrypted
    (adapters/db/keys.StoredKey.check); services not on a SQL database have nothing to check.
    `writing`: the command is about to store credentials (a first key file may be made)."""
    from adapters.db.keys import StoredKey
    from domain.errors import SecretKeyError

    with services.uow() as uow:
        connection = getattr(uow, "connection", None)
        if connection is None:
            return None
        try:
            StoredKey(connection).check(writing=writing)
        except SecretKeyError as refusal:
            return refusal
    return None


def require_key(services: Services, *, writing: bool = False) -> None:
    """Stop the command (the error boundary says why, exit 1) when the key cannot be used."""
    refusal = key_refusal(services, writing=writing)
    if refusal is not None:
        raise refusal


def do_rotate_key(new_key_file: str | None, database_url: str | None = None) -> int:
    """Re-encrypt every stored credential under the new key; print how many shops and what to
    set TEMUSHIP_SECRET_KEY to next (the key itself is never printed)."""
    from adapters.db.crypto import NEW_SECRET_KEY_ENV, SECRET_KEY_ENV, shown
    from adapters.db.engine import engine_for
    from adapters.db.keys import new_secret_key, rotate_key

    path = Path(new_key_file).expanduser() if new_key_file else None
    new = new_secret_key(path, os.environ.get(NEW_SECRET_KEY_ENV), NEW_SECRET_KEY_ENV)
    done = rotate_key(engine_for(database_url), new)
    out.print(
        f"Re-encrypted the credentials of {plural(done.shops, 'shop')} under the new key "
        f"(fingerprint {shown(done.fingerprint)}); the old key no longer opens them.",
        highlight=False,
        soft_wrap=True,
    )
    if done.key_file is not None:
        out.print(
            f"The key file {done.key_file} now holds the new key.", highlight=False, soft_wrap=True
        )
    elif new.path is not None:
        out.print(
            f"Next: set {SECRET_KEY_ENV} to the contents of {new.path} wherever temuship runs "
            f'(export {SECRET_KEY_ENV}="$(cat {new.path})").',
            highlight=False,
            soft_wrap=True,
        )
    else:
        out.print(
            f"Next: set {SECRET_KEY_ENV} to the value of {NEW_SECRET_KEY_ENV} wherever temuship "
            f"runs, then unset {NEW_SECRET_KEY_ENV}.",
            highlight=False,
            soft_wrap=True,
        )
    return 0
