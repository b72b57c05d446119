"""Informational kinds, shown on the timeline but deciding nothing.

``equity`` (who holds or invests what), ``term`` (how long the agreement runs) and
``trigger`` (how a named event, such as a milestone, is declared and by whom).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import Field

from charter.clauses.base import ClauseSpec


class EquitySpec(ClauseSpec):
    decides: ClassVar[bool] = False
    graded_figures: ClassVar[tuple[str, ...]] = ("amount", "stake")
    kind: Literal["equity"]
    holder: str | None = Field(None, description="investor or shareholder")
    amount: float | None = Field(None, ge=0, description="amount invested or valued")
    stake: float | None = Field(None, ge=0, le=1, description="share held, 0..1")
    currency: str = "USD"

    def figures(self) -> dict[str, Any]:
        return {"holder": self.holder, "amount": self.amount, "stake": self.stake}


class TermSpec(ClauseSpec):
    decides: ClassVar[bool] = False
    kind: Literal["term"]


class TriggerSpec(ClauseSpec):
    decides: ClassVar[bool] = False
    kind: Literal["trigger"]
    event: str = Field(description="the event this clause defines")
    decided_by: str | None = Field(None, description="who declares or verifies it")

    def events(self) -> set[str]:
        return super().events() | {self.event}

    def figures(self) -> dict[str, Any]:
        return {"event": self.event, "decided_by": self.decided_by}
