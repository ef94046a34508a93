"""The domain's own error types. Adapters translate API answers into these, by code."""

from __future__ import annotations


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
