"""`temuship rotate-key`: adapters/db/keys.rotate_key, and what to set next."""

from __future__ import annotations

import os
from pathlib import Path

from flows.cli.output import out


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
        f"re-encrypted the credentials of {done.shops} shop(s) under the new key "
        f"(fingerprint {shown(done.fingerprint)}); the old key no longer opens them",
        highlight=False,
        soft_wrap=True,
    )
    if done.key_file is not None:
        out.print(
            f"the key file {done.key_file} now holds the new key", highlight=False, soft_wrap=True
        )
    elif new.path is not None:
        out.print(
            f"next: set {SECRET_KEY_ENV} to the contents of {new.path} wherever temuship runs "
            f'(export {SECRET_KEY_ENV}="$(cat {new.path})")',
            highlight=False,
            soft_wrap=True,
        )
    else:
        out.print(
            f"next: set {SECRET_KEY_ENV} to the value of {NEW_SECRET_KEY_ENV} wherever temuship "
            f"runs, then unset {NEW_SECRET_KEY_ENV}",
            highlight=False,
            soft_wrap=True,
        )
    return 0
