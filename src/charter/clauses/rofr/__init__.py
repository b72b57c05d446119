"""``rofr``: a right of first refusal over the principal's matching compute purchases.

Before a matching workload takes third-party capacity, the holder may take it first; the
third party is allowed only after the holder declines or cannot meet the requirement.

Decision: on one of the holder's providers the clause is *satisfied*; elsewhere it is an
*obligation* ("offer it to the holder first"). A plan meets the obligation by taking
third-party capacity of a family in a month only when every offer of the holder's of that
family that the work could use is full: :meth:`RofrSpec.plan_breach` checks a plan for it, and
:mod:`.plan` writes it into the planner's model (groups, linking and saturation rows, the
greedy's repair and the requests a plan makes of the holder).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np
from pydantic import Field

from charter.clauses.base import (
    Batch,
    ClauseSpec,
    Effect,
    Effects,
    Mask,
    Obligation,
    PlanView,
    ScalarContext,
)
from charter.clauses.planning import ProblemView
from charter.clauses.rofr.plan import RofrPart
from charter.i18n import t

if TYPE_CHECKING:
    from charter.model import OfferSpec, WorkloadSpec

#: hours below a full offer that still count as full (rounding of the solver's values)
FULL_TOLERANCE = 1e-6


class RofrSpec(ClauseSpec):
    kind: Literal["rofr"]
    default_actions: ClassVar[tuple[str, ...]] = ("run",)
    constrains: ClassVar[bool] = True
    plan_report: ClassVar[str | None] = "rofr_requests"
    plan_stats: ClassVar[tuple[str, ...]] = ("rofr_groups",)
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

    def reads(self) -> dict[str, tuple[Any, ...]]:
        return {"provider": ()}

    def obligation(
        self, request: Mapping[str, Any], lang: str = "en", called: Mapping[str, str] = {}
    ) -> Obligation:
        holder = called.get(self.holder, self.holder)
        window = ""
        if self.response_days is not None:
            assumed = t(lang, "ob.assumed") if self.assumptions else ""
            window = t(
                lang,
                "ob.rofr.window",
                holder=holder,
                days=self.response_days,
                assumed=assumed,
            )
        provider = request.get("provider")
        take = (
            t(lang, "ob.rofr.take_from", provider=called.get(provider, provider))
            if provider
            else t(lang, "ob.rofr.take_else")
        )
        detail = t(lang, "ob.rofr", holder=holder, take=take, window=window)
        return Obligation("rofr", self.holder, detail, self.id)

    def plan_breach(
        self, view: PlanView, workload: WorkloadSpec, offer: OfferSpec, period: str
    ) -> str | None:
        """Third-party capacity taken while an offer of the holder's, of the same family,
        that the workload could use that month is not full."""
        holder = set(self.holder_providers(view.providers_of))
        not_full = []
        for h in view.offers():
            if h.provider not in holder or h.family != offer.family:
                continue
            cap = view.capacity(h, period)
            if cap <= 0 or not view.could_run(workload, h, period):
                continue
            used = view.load(h, period)
            if used < cap * (1 - FULL_TOLERANCE) - FULL_TOLERANCE:
                not_full.append(f"{h.id} ({used:,.0f} of {cap:,.0f})")
        if not not_full:
            return None
        return f"third-party capacity taken while {self.holder}'s capacity is not full: " + (
            ", ".join(not_full)
        )

    def plan_part(self, record: int, view: ProblemView) -> RofrPart | None:
        part = RofrPart.build(self, record, view)
        return part if part.groups else None

    def figures(self) -> dict[str, object]:
        return {"holder": self.holder, "response_days": self.response_days}
