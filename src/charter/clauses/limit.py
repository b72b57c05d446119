"""``limit``: a bound on an action (e.g. a compute threshold) until a date or event.

``where`` says which requests the bound applies to; ``beyond`` describes requests past it
(e.g. ``{above_bound: true}``, a bool attribute the scenario declares); ``bound`` states it
in words. Decision: a request past the bound is *forbidden*; one that says it stays within
is *satisfied*; one that does not say (an ``beyond`` attribute left unset) is an
*obligation* to stay within the bound. Without ``beyond``, every matching request is
forbidden.
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
    SelectorField,
)
from charter.i18n import t
from charter.selectors import ABSENT, Selector


class LimitSpec(ClauseSpec):
    graded_figures: ClassVar[tuple[str, ...]] = ("bound",)
    kind: Literal["limit"]
    bound: str = Field(description="the bound, in words (and figures where public)")
    beyond: SelectorField = None

    def effects(self, batch: Batch, applies: Mask) -> Effects:
        out = np.zeros(batch.n, dtype=np.int8)
        if not isinstance(self.beyond, Selector):
            out[applies] = Effect.FORBID
            return out
        unknown = np.zeros(batch.n, dtype=bool)
        for term in self.beyond.terms:
            unknown |= batch.cols[term.attr] == ABSENT
        past = batch.match((self.beyond,))
        out[applies & ~unknown & ~past] = Effect.SATISFIED
        out[applies & unknown] = Effect.OBLIGATION
        out[applies & past & ~unknown] = Effect.FORBID
        return out

    def effect_one(self, attrs: Mapping[str, Any], ctx: ScalarContext) -> int:
        if not isinstance(self.beyond, Selector):
            return Effect.FORBID
        if any(attrs[term.attr] is None for term in self.beyond.terms):
            return Effect.OBLIGATION
        return Effect.FORBID if self.beyond.matches(attrs) else Effect.SATISFIED

    def reads(self) -> dict[str, tuple[Any, ...]]:
        if self.beyond is None:
            return {}
        return {t.attr: tuple(t.values) for t in self.beyond.terms}

    def obligation(
        self, request: Mapping[str, Any], lang: str = "en", called: Mapping[str, str] = {}
    ) -> Obligation:
        detail = t(lang, "ob.limit", bound=self.text("bound", lang))
        return Obligation("limit", self.principal, detail, self.id)

    def figures(self) -> dict[str, Any]:
        return {"bound": self.bound}
