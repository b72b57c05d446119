"""``first_ship``: new products launch first on the holder's providers, unless the holder
cannot and chooses not to support them.

Decision: applies to requests that are a product's first launch (``launch``). On the holder's
providers it is *satisfied*; elsewhere it is an *obligation* naming the escape condition.
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


class FirstShipSpec(ClauseSpec):
    kind: Literal["first_ship"]
    default_actions: ClassVar[tuple[str, ...]] = ("run",)
    holder: str = Field(description="the party whose providers launch first")
    providers: tuple[str, ...] | None = Field(
        None, description="where launches go first (default: the holder's providers)"
    )
    escape: str = Field(
        "cannot and chooses not to support the necessary capabilities",
        description="when the launch may go elsewhere first",
    )

    def effects(self, batch: Batch, applies: Mask) -> Effects:
        launch = batch.cols["launch"] == 1
        providers = self.providers or batch.providers_of.get(self.holder, ())
        inside = batch.provider_in(providers)
        out = np.zeros(batch.n, dtype=np.int8)
        out[applies & launch & inside] = Effect.SATISFIED
        out[applies & launch & ~inside] = Effect.OBLIGATION
        return out

    def effect_one(self, attrs: Mapping[str, Any], ctx: ScalarContext) -> int:
        if attrs["launch"] is not True:
            return Effect.NONE
        providers = self.providers or ctx.providers_of.get(self.holder, ())
        return Effect.SATISFIED if attrs["provider"] in providers else Effect.OBLIGATION

    def reads(self) -> dict[str, tuple[Any, ...]]:
        return {"launch": (True,), "provider": ()}

    def obligation(
        self, request: Mapping[str, Any], lang: str = "en", called: Mapping[str, str] = {}
    ) -> Obligation:
        escape = self.text("escape", lang)
        return Obligation(
            "first-ship",
            self.holder,
            t(lang, "ob.first_ship", holder=called.get(self.holder, self.holder), escape=escape),
            self.id,
        )
