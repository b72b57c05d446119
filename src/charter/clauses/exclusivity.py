"""``exclusivity``: matching workloads of the principal run only on the listed providers.

Decision: a matching request on a listed provider *satisfies* the clause; on any other
provider the clause *forbids* it. The planner needs nothing more: a denied (workload, offer,
month) gets no column, and the checker reports a placement the clause denies.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from charter.clauses.base import Batch, ClauseSpec, Effect, Effects, Mask, ScalarContext


class ExclusivitySpec(ClauseSpec):
    kind: Literal["exclusivity"]
    default_actions: ClassVar[tuple[str, ...]] = ("run",)
    holder: str | None = Field(None, description="the party the exclusivity favours")
    providers: tuple[str, ...] = Field(min_length=1, description="the only allowed providers")

    def effects(self, batch: Batch, applies: Mask) -> Effects:
        inside = batch.provider_in(self.providers)
        out = np.zeros(batch.n, dtype=np.int8)
        out[applies & inside] = Effect.SATISFIED
        out[applies & ~inside] = Effect.FORBID
        return out

    def effect_one(self, attrs: Mapping[str, Any], ctx: ScalarContext) -> int:
        return Effect.SATISFIED if attrs["provider"] in self.providers else Effect.FORBID

    def reads(self) -> dict[str, tuple[Any, ...]]:
        return {"provider": ()}

    def figures(self) -> dict[str, object]:
        return {"providers": list(self.providers)}
