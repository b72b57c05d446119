"""``revenue_share``: payers pay a rate of a revenue stream to payees, until a date or event,
possibly up to a cap. A flow whose rate the record does not give has ``rate: null``.

No effect on allow/deny decisions. The amounts: :meth:`Flow.owed` is what one flow owes on
revenue counted in a period (rate × revenue, within what is left of its cap);
:func:`charter.revenue.compute_owed` prorates periods by day over the clauses in force and
carries the cap from earlier periods.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from charter.clauses.base import ClauseSpec


class Flow(BaseModel):
    """One direction of a revenue share."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    payer: str
    payee: str
    rate: float | None = Field(None, ge=0, le=1, description="share of the stream; null if unknown")
    stream: str = Field("revenue", description="the revenue the rate applies to")
    cap: float | None = Field(None, ge=0, description="total cap over the clause's life")
    currency: str = "USD"

    def owed(self, counted: float, paid_before: float) -> tuple[float | None, str]:
        """What this flow owes on ``counted`` revenue after ``paid_before`` under its cap.

        Returns:
            (amount, effect): the amount (None when the rate is unknown) and ``owed``,
            ``capped`` (the cap cut it) or ``no-rate``.
        """
        if self.rate is None:
            return None, "no-rate"
        amount = self.rate * counted
        if self.cap is not None and amount > self.cap - paid_before:
            return max(self.cap - paid_before, 0.0), "capped"
        return amount, "owed"


class RevenueShareSpec(ClauseSpec):
    decides: ClassVar[bool] = False
    graded_figures: ClassVar[tuple[str, ...]] = ("rate", "cap")
    kind: Literal["revenue_share"]
    flows: tuple[Flow, ...] = Field(min_length=1)

    def revenue_flows(self) -> tuple[Flow, ...]:
        return self.flows

    def figures(self) -> dict[str, Any]:
        return {"flows": [f.model_dump() for f in self.flows]}
