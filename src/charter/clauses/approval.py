"""``approval``: an action needs another party's consent.

Decision: *obligation* ("needs the consent of X"); once the agreement records the consent as
given (``granted: true``), a *grant*.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

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


class ApprovalSpec(ClauseSpec):
    kind: Literal["approval"]
    approver: str = Field(description="the party whose consent is needed")
    granted: bool = Field(False, description="the consent is recorded as given")

    def effects(self, batch: Batch, applies: Mask) -> Effects:
        out = np.zeros(batch.n, dtype=np.int8)
        out[applies] = Effect.GRANT if self.granted else Effect.OBLIGATION
        return out

    def effect_one(self, attrs: Mapping[str, Any], ctx: ScalarContext) -> int:
        return Effect.GRANT if self.granted else Effect.OBLIGATION

    def obligation(
        self, request: Mapping[str, Any], lang: str = "en", called: Mapping[str, str] = {}
    ) -> Obligation | None:
        if self.granted:
            return None
        detail = t(lang, "ob.consent", approver=called.get(self.approver, self.approver))
        return Obligation("consent", self.approver, detail, self.id)
