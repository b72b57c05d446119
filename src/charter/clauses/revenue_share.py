"""``revenue_share``: payers pay a rate of a revenue stream to payees, until a date or event,
possibly up to a cap. A flow whose rate the record does not give has ``rate: null``.

No effect on allow/deny decisions; shown on the timeline (amounts owed come later).
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


class RevenueShareSpec(ClauseSpec):
    decides: ClassVar[bool] = False
    kind: Literal["revenue_share"]
    flows: tuple[Flow, ...] = Field(min_length=1)

    def figures(self) -> dict[str, Any]:
        return {"flows": [f.model_dump() for f in self.flows]}
