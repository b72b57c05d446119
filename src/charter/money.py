"""Money: exact decimals, bounded on the way in, summed without rounding or overflow.

An amount is a JSON number (a string or a boolean is refused) with at most
:data:`MAX_DIGITS` significant digits and :data:`DECIMAL_PLACES` decimal places, so below
10^15; such a number survives a round trip through a JSON float unchanged, which is how the
ledger stores it. Sums are :class:`decimal.Decimal` in a context wide enough that no sum of
stored records rounds or overflows. A currency is an ISO 4217 code (``USD``), upper-cased on
the way in.
"""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, PlainSerializer

__all__ = [
    "BOUND",
    "DECIMAL_PLACES",
    "MAX_DIGITS",
    "MAX_TOTAL",
    "Currency",
    "Money",
    "Rate",
    "SignedMoney",
    "as_number",
    "convert",
    "decimal_of",
    "exact",
    "total",
]

MAX_DIGITS = 15
#: every amount and rate is below this
BOUND = Decimal(10) ** 15
#: the largest sum the service reports (a float holds it; bounded records reach it never)
MAX_TOTAL = Decimal(10) ** 30
DECIMAL_PLACES = 6
#: wide enough for any sum of stored records, even out-of-bound ones from before the bounds
_CONTEXT = decimal.Context(prec=1000, Emax=10**6, Emin=-(10**6), traps=[decimal.InvalidOperation])
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _number(v: Any) -> Any:
    """A JSON number as an exact Decimal (a float by its shortest repr); no strings, no bools."""
    if isinstance(v, bool) or not isinstance(v, int | float | Decimal):
        raise ValueError("expected a JSON number, like 1250.50")
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ValueError("expected a finite number")
        d = Decimal(repr(v))
    else:
        d = Decimal(v)
    if not d.is_finite():
        raise ValueError("expected a finite number")
    if abs(d) >= BOUND:
        raise ValueError(f"must be below 10^15 (got {v!r})")
    if len(d.normalize().as_tuple().digits) > MAX_DIGITS:
        raise ValueError(f"at most {MAX_DIGITS} significant digits (got {v!r})")
    return d


def as_number(d: Decimal) -> int | float:
    """``d`` as a JSON number: an int when whole, else the float that reads back as ``d``
    (exact for a bounded amount)."""
    if d == d.to_integral_value():
        return int(d)
    return float(d)


def _currency(v: Any) -> Any:
    if not isinstance(v, str):
        raise ValueError("expected an ISO 4217 currency code, like USD")
    code = v.strip().upper()
    if not _CURRENCY.match(code):
        raise ValueError(f"expected an ISO 4217 currency code (three letters, like USD), got {v!r}")
    return code


_json_number = PlainSerializer(as_number, return_type=int | float, when_used="json")

#: an amount of money ≥ 0, exact and bounded (below 10^15, at most 6 decimal places)
Money = Annotated[
    Decimal,
    BeforeValidator(_number),
    Field(ge=0, decimal_places=DECIMAL_PLACES),
    _json_number,
]
#: an amount of money that may be negative (a credit), bounded as :data:`Money` is
SignedMoney = Annotated[
    Decimal,
    BeforeValidator(_number),
    Field(decimal_places=DECIMAL_PLACES),
    _json_number,
]
#: a conversion rate > 0: one unit of a currency in the commitment's currency
Rate = Annotated[
    Decimal,
    BeforeValidator(_number),
    Field(gt=0, decimal_places=9),
    _json_number,
]
Currency = Annotated[str, BeforeValidator(_currency)]


def decimal_of(v: Any) -> Decimal:
    """A stored amount (JSON number or numeric string) as an exact Decimal."""
    if isinstance(v, float):
        return Decimal(repr(v)) if math.isfinite(v) else Decimal("Infinity")
    return Decimal(v)


def total(amounts: Iterable[Decimal]) -> Decimal:
    """The exact sum of ``amounts``."""
    with decimal.localcontext(_CONTEXT):
        return sum(amounts, Decimal(0))


def convert(amount: Decimal, rate: Decimal) -> Decimal:
    """``amount`` times ``rate``, exactly."""
    with decimal.localcontext(_CONTEXT):
        return amount * rate


def exact(d: Decimal) -> str:
    """``d`` as a plain decimal string (no exponent), for the ``exact`` figures."""
    with decimal.localcontext(_CONTEXT):
        return f"{d.normalize():f}" if d == d.to_integral_value() else f"{d:f}"
