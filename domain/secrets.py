from __future__ import annotations

from dataclasses import dataclass


def mask(value: str) -> str:
    """Show at most the last four characters of a secret, and never of a short one."""
    if len(value) < 12:
        return "****"
    return f"****{value[-4:]}"


@dataclass(frozen=True, slots=True)
class Secret:
    """A token or API secret: its repr, str and format never show the value."""

    _value: str

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({mask(self._value)})"

    def __str__(self) -> str:
        return mask(self._value)

    def __format__(self, spec: str) -> str:
        return mask(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)
