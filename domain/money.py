from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

_ZERO_DECIMAL_CURRENCIES = frozenset({"JPY", "KRW", "CLP", "VND", "HUF", "ISK", "TWD"})


def minor_unit_exponent(currency: str) -> int:
    return 0 if currency.upper() in _ZERO_DECIMAL_CURRENCIES else 2


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount in one currency (never a float)."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            raise TypeError(f"Money needs a Decimal amount, got {type(self.amount).__name__}")
        if len(self.currency) != 3 or not self.currency.isalpha():
            raise ValueError(f"not an ISO 4217 currency code: {self.currency!r}")
        object.__setattr__(self, "currency", self.currency.upper())

    @classmethod
    def from_minor(cls, minor: int, currency: str) -> Money:
        exponent = minor_unit_exponent(currency)
        return cls(Decimal(int(minor)).scaleb(-exponent), currency)

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str) -> Money:
        return cls(Decimal(str(amount)), currency)

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"cannot add {other.currency} to {self.currency}")
        return Money(self.amount + other.amount, self.currency)

    def __mul__(self, factor: int) -> Money:
        return Money(self.amount * factor, self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
