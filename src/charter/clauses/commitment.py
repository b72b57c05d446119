"""``commitment``: the payer spends at least an amount with the payee's providers over a
window; a shortfall is owed anyway.

No effect on allow/deny decisions. Its one window rule is :meth:`CommitmentSpec.window`
(from the clause's start to the earlier of ``window_end`` and the end of the clause's force),
:meth:`CommitmentSpec.prorated` is the share of the amount a planning horizon carries, and
:meth:`CommitmentSpec.burn_down` the pace arithmetic the service reports.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

from pydantic import Field

from charter.clauses.base import ClauseSpec
from charter.dates import FOREVER, day_number


@dataclass(frozen=True)
class BurnDown:
    """A commitment's spend against the pace it needs, on one day (amounts in its currency)."""

    committed: float
    spent: float
    remaining: float
    pace_needed_by_now: float
    ahead_of_pace: float
    run_rate_per_day: float
    projected_at_window_end: float
    projected_shortfall: float


class CommitmentSpec(ClauseSpec):
    decides: ClassVar[bool] = False
    graded_figures: ClassVar[tuple[str, ...]] = ("amount",)
    kind: Literal["commitment"]
    payer: str
    payee: str
    providers: tuple[str, ...] = Field((), description="providers the spend counts on")
    amount: float | None = Field(None, ge=0, description="committed spend; null if undisclosed")
    currency: str = "USD"
    window_end: dt.date | None = Field(None, description="date by which it must be spent")

    def figures(self) -> dict[str, Any]:
        return {
            "amount": self.amount,
            "currency": self.currency,
            "providers": list(self.providers),
            "window_end": self.window_end,
        }

    def window(self, start: dt.date, end_day: int) -> tuple[int, int] | None:
        """The days the spend counts on, as day numbers ``[first, stop)``: from the clause's
        ``start`` to the earlier of ``window_end`` and ``end_day`` (the first day the clause is
        no longer in force; FOREVER if never). None when neither bounds it: there is then no
        window to prorate or pace against."""
        stop = end_day
        if self.window_end is not None:
            stop = min(stop, day_number(self.window_end) + 1)
        if stop >= FOREVER:
            return None
        return day_number(start), stop

    def spend_providers(self, providers_of: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
        """The providers the spend counts on (default: every provider the payee owns)."""
        return self.providers or providers_of.get(self.payee, ())

    def prorated(self, window: tuple[int, int], first: int, stop: int) -> float:
        """The part of the amount that falls in the days ``[first, stop)``, prorated by day."""
        if self.amount is None:
            return 0.0
        overlap = max(0, min(window[1], stop) - max(window[0], first))
        return self.amount * overlap / max(window[1] - window[0], 1)

    def burn_down(self, window: tuple[int, int], spent: float, today: dt.date) -> BurnDown:
        """Spend to date against the linear pace the window needs, and where the run rate
        leads by the window's end."""
        amount = self.amount or 0.0
        total = max(window[1] - window[0], 1)
        elapsed = min(max(day_number(today) - window[0], 0), total)
        needed = amount * elapsed / total
        run_rate = spent / elapsed if elapsed else 0.0
        projected = run_rate * total
        return BurnDown(
            committed=amount,
            spent=spent,
            remaining=max(amount - spent, 0.0),
            pace_needed_by_now=needed,
            ahead_of_pace=spent - needed,
            run_rate_per_day=run_rate,
            projected_at_window_end=projected,
            projected_shortfall=max(amount - projected, 0.0),
        )
