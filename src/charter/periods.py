"""One period type for months, quarters and years (``2025-01``, ``2026-Q3``, ``2027``)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from charter.errors import RequestError

__all__ = ["Period"]

_MONTH = re.compile(r"^([0-9]{4})-([0-9]{2})$")
_QUARTER = re.compile(r"^([0-9]{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^([0-9]{4})$")


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


@dataclass(frozen=True, order=True)
class Period:
    """A calendar period: ``start`` and ``end`` are both inside it (inclusive)."""

    start: dt.date
    end: dt.date
    label: str

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse ``2026-07`` (month), ``2026-Q3`` (quarter) or ``2026`` (year).

        Raises:
            RequestError: any other form, with the accepted ones.
        """
        s = str(text).strip()
        try:
            return cls._parse(s)
        except ValueError:
            pass  # a year outside the calendar's range
        raise RequestError(
            f"invalid period {text!r}: expected a month (2026-07), a quarter (2026-Q3) or a "
            f"year (2026) between 0001 and 9998"
        )

    @classmethod
    def _parse(cls, s: str) -> Period:
        if m := _MONTH.match(s):
            year, month = int(m[1]), int(m[2])
            if 1 <= month <= 12:
                return cls(dt.date(year, month, 1), _month_end(year, month), s)
        elif m := _QUARTER.match(s):
            year, q = int(m[1]), int(m[2])
            first = 3 * (q - 1) + 1
            return cls(dt.date(year, first, 1), _month_end(year, first + 2), f"{year}-Q{q}")
        elif m := _YEAR.match(s):
            year = int(m[1])
            return cls(dt.date(year, 1, 1), dt.date(year, 12, 31), s)
        raise ValueError(s)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def overlaps(self, other: Period) -> bool:
        return self.start <= other.end and other.start <= self.end

    def __str__(self) -> str:
        return self.label
