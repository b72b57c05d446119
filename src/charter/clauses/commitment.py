"""``commitment``: the payer spends at least an amount with the payee's providers over a
window; a shortfall is owed anyway.

No effect on allow/deny decisions; shown on the timeline (burn-down and planning come later).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar, Literal

from pydantic import Field

from charter.clauses.base import ClauseSpec


class CommitmentSpec(ClauseSpec):
    decides: ClassVar[bool] = False
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
