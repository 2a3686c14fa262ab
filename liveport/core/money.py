"""Money is a Decimal amount with a currency. CNY rounds half-up to the fen, in one place."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

FEN = Decimal("0.01")


def round_fen(amount: Decimal) -> Decimal:
    """The single rounding rule for CNY amounts (DESIGN.md §6)."""
    return amount.quantize(FEN, rounding=ROUND_HALF_UP)


def to_decimal(value: object) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money never comes from a float; pass a str or Decimal")
    try:
        result = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a decimal amount: {value!r}") from exc
    if not result.is_finite():
        raise ValueError(f"not a finite amount: {value!r}")
    return result


@dataclass(frozen=True, slots=True)
class Money:
    amount: Decimal
    currency: str = "CNY"

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal):
            object.__setattr__(self, "amount", to_decimal(self.amount))
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise ValueError(f"currency must be an ISO 4217 code: {self.currency!r}")

    @classmethod
    def cny(cls, amount: object) -> "Money":
        return cls(to_decimal(amount), "CNY")

    def _same(self, other: "Money") -> None:
        if self.currency != other.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, factor: int | Decimal) -> "Money":
        if isinstance(factor, float):
            raise TypeError("multiply money by int or Decimal, not float")
        return Money(self.amount * factor, self.currency)

    def rounded(self) -> "Money":
        return Money(round_fen(self.amount), self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


def fen_text(amount: Decimal) -> str:
    """An amount as the API writes it: a string with exactly two decimals ("26000.00")."""
    return f"{round_fen(amount):.2f}"
