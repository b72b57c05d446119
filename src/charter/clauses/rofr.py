"""``rofr``: a right of first refusal over the principal's matching compute purchases.

Before a matching workload takes third-party capacity, the holder may take it first; the
third party is allowed only after the holder declines or cannot meet the requirement.

Decision: on one of the holder's providers the clause is *satisfied*; elsewhere it is an
*obligation* ("offer it to the holder first"). (Planner, later: third-party use of a family in
a period only when the holder's matching capacity is saturated.)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from charter.clauses.base import (
    Batch,
    ClauseSpec,
    Effect,
    Effects,
    Mask,
    Obligation,
    ScalarContext,
)
from charter.i18n import t


class RofrSpec(ClauseSpec):
    kind: Literal["rofr"]
    default_actions: ClassVar[tuple[str, ...]] = ("run",)
    holder: str = Field(description="the party holding the right")
    providers: tuple[str, ...] | None = Field(
        None, description="the holder's providers (default: every provider the holder owns)"
    )
    response_days: int | None = Field(
        None, ge=0, description="days the holder has to match or decline"
    )

    def holder_providers(self, providers_of: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
        return self.providers if self.providers is not None else providers_of.get(self.holder, ())

    def effects(self, batch: Batch, applies: Mask) -> Effects:
        inside = batch.provider_in(self.holder_providers(batch.providers_of))
        out = np.zeros(batch.n, dtype=np.int8)
        out[applies & inside] = Effect.SATISFIED
        out[applies & ~inside] = Effect.OBLIGATION
        return out

    def effect_one(self, attrs: Mapping[str, Any], ctx: ScalarContext) -> int:
        inside = attrs["provider"] in self.holder_providers(ctx.providers_of)
        return Effect.SATISFIED if inside else Effect.OBLIGATION

    def obligation(self, request: Mapping[str, Any], lang: str = "en") -> Obligation:
        window = ""
        if self.response_days is not None:
            assumed = t(lang, "ob.assumed") if self.assumptions else ""
            window = t(
                lang,
                "ob.rofr.window",
                holder=self.holder,
                days=self.response_days,
                assumed=assumed,
            )
        provider = request.get("provider")
        take = (
            t(lang, "ob.rofr.take_from", provider=provider)
            if provider
            else t(lang, "ob.rofr.take_else")
        )
        detail = t(lang, "ob.rofr", holder=self.holder, take=take, window=window)
        return Obligation("rofr", self.holder, detail, self.id)

    def figures(self) -> dict[str, object]:
        return {"holder": self.holder, "response_days": self.response_days}
