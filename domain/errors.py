"""The domain's own error types. Adapters translate API answers into these, by code."""

from __future__ import annotations

import re
from collections.abc import Iterable


class TemushipError(Exception):
    """Base of every error temuship raises on purpose."""


class ExternalApiError(TemushipError):
    """An answer from Temu or ShipStation that is not a success."""

    retryable = False

    def __init__(self, api: str, message: str, code: int | str | None = None) -> None:
        self.api = api
        self.code = code
        self.message = message
        label = f"{api} error {code}" if code is not None else f"{api} error"
        super().__init__(f"{label}: {message}")


class TokenError(ExternalApiError):
    """The shop's Temu access token cannot be used: the shop must be paused."""


class TokenExpired(TokenError):
    """Temu 3000034, or HTTP 401 saying the access token is expired."""


class TokenRevoked(TokenError):
    """Temu 3000031 (token not known) or 3000033 (token and app key do not match)."""


class PermissionMissing(ExternalApiError):
    """Temu 3000032: the token was not granted an API we call."""

    def __init__(self, api: str, message: str, code: int | str | None, api_type: str) -> None:
        super().__init__(api, message, code)
        self.api_type = api_type


class ConfigError(ExternalApiError):
    """Wrong app key or secret, signature, region host, IP allow-list: a person must fix it."""


class AuthenticationFailed(ConfigError):
    """ShipStation 401: the API key and secret are wrong or expired."""


class RateLimited(ExternalApiError):
    retryable = True

    def __init__(
        self, api: str, message: str, code: int | str | None = None, retry_after: float = 1.0
    ) -> None:
        super().__init__(api, message, code)
        self.retry_after = retry_after


class TransientError(ExternalApiError):
    """Timeouts, resets, 5xx, Temu 2000000/4000000: worth retrying later."""

    retryable = True


class BusinessError(ExternalApiError):
    """A permanent, per-order answer (Temu 9-digit codes, ShipStation 400): kept on the order."""

    def __init__(
        self, api: str, message: str, code: int | str | None = None, field: str | None = None
    ) -> None:
        super().__init__(api, message, code)
        self.field = field


class InvalidPayload(TemushipError):
    """A payload that misses or garbles a field we need."""

    def __init__(self, what: str, reason: str) -> None:
        self.what = what
        self.reason = reason
        super().__init__(f"{what}: {reason}")


class ShopPaused(TemushipError):
    """The shop is paused (token expired, revoked or missing a permission)."""


class TokenLapsed(ShopPaused):
    """The token passed its expiry by the clock just now: the shop has been paused."""


class UnusableAnswer(ExternalApiError):
    """An answer that could not be used; `excerpt` quotes its body, short and scrubbed.

    Subclasses say whether asking again can help: MalformedAnswer (yes) or UnexpectedAnswer (no).
    """

    EXCERPT_CHARS = 200
    _SCAN_CHARS = 4096
    _SECRET_KEYS = re.compile(
        r"""(?ix)
        (["']?\b(?:access[_-]?token|app[_-]?secret|api[_-]?secret|toa-access-token|toa-sign|sign)
        \b["']?\s*[:=]\s*)
        ("(?:[^"\\]|\\.)*"?|'[^']*'?|[^\s,&;}\]]+)
        """
    )
    _AUTHORIZATION = re.compile(r"""(?i)(\bauthorization\b["']?\s*[:=]\s*)["']?[^"',}\n]*""")

    def __init__(
        self, api: str, message: str, code: int | str | None = None, excerpt: str = ""
    ) -> None:
        self.reason = message
        self.excerpt = excerpt
        super().__init__(api, f"{message} [answer: {excerpt}]" if excerpt else message, code)

    @classmethod
    def excerpt_of(cls, body: str | bytes | None, secrets: Iterable[str] = ()) -> str:
        """At most EXCERPT_CHARS of a body, one line, with every secret in it masked."""
        if body is None:
            return ""
        head = body[: cls._SCAN_CHARS]
        text = head.decode("utf-8", "replace") if isinstance(head, bytes) else head
        text = cls.scrub(text, secrets)
        text = " ".join(text.split())
        if len(text) > cls.EXCERPT_CHARS:
            text = text[: cls.EXCERPT_CHARS - 1] + "…"
        return text

    @classmethod
    def scrub(cls, text: str, secrets: Iterable[str] = ()) -> str:
        """`text` with secret values (named, or under a secret-sounding key) replaced by ***."""
        for secret in sorted((s for s in secrets if s and len(s) >= 4), key=len, reverse=True):
            text = text.replace(secret, "***")
            # A body cut short may end inside a secret: mask what is left of it too.
            for size in range(len(secret) - 1, 3, -1):
                if text.endswith(secret[:size]):
                    text = text[:-size] + "***"
                    break
        text = cls._SECRET_KEYS.sub(lambda m: f"{m[1]}***", text)
        return cls._AUTHORIZATION.sub(lambda m: f"{m[1]}***", text)


class MalformedAnswer(TransientError, UnusableAnswer):
    """An answer that could not be read: invalid or truncated JSON, HTML, an empty body, not the
    API's envelope at all. Proxies and cut connections give these: retried, then raised."""


class UnexpectedAnswer(UnusableAnswer):
    """Readable JSON of the wrong shape for the call (no `result`, a list where an object belongs,
    a field of the wrong type): the same question gets the same answer, so that call (or that
    order) fails, and is not retried."""


class Unreachable(TransientError):
    """No connection could be made (refused, DNS, connect timeout): nothing was sent."""

    def __init__(self, api: str, url: str, detail: str) -> None:
        self.url = url
        super().__init__(api, f"could not reach {url} ({detail})")


class ConnectionLost(TransientError):
    """The request went out but no whole answer came back (read timeout, connection dropped or
    reset mid-answer)."""

    def __init__(self, api: str, url: str, detail: str) -> None:
        self.url = url
        super().__init__(api, f"no complete answer from {url} ({detail})")


class SecretKeyError(TemushipError):
    """The secret key that encrypts stored credentials cannot be used (see the subclasses)."""


class WrongSecretKey(SecretKeyError):
    """The stored credentials were encrypted with another key than this process's: nothing is
    written, and the message says which key the database expects (by fingerprint)."""


class UnusableSecretKey(SecretKeyError):
    """The secret key is refused before use: a key file readable by others or empty, a
    passphrase too short. The message says what to run or set."""
