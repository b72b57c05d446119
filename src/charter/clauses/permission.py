"""``permission``: an action is allowed, possibly under criteria; may override named clauses.

Decision: a matching request is *granted*, or, when the permission has ``criteria``, an
*obligation* to meet them. Like a carve-out it lifts the clauses in ``overrides`` for matching
requests.
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


class PermissionSpec(ClauseSpec):
    kind: Literal["permission"]
    lifts = True
    overrides: tuple[str, ...] = Field((), description="clause ids it lifts for matches")
    outlives_overrides: bool = Field(
        False,
        description="stays in force after the clauses it overrides end (only where the record "
        "says so; else it ends with the last of them)",
    )
    criteria: str | None = Field(None, description="what must hold for the permission to apply")
    granted_by: str | None = Field(None, description="the party that gave the permission")

    def effects(self, batch: Batch, applies: Mask) -> Effects:
        out = np.zeros(batch.n, dtype=np.int8)
        out[applies] = Effect.OBLIGATION if self.criteria else Effect.GRANT
        return out

    def effect_one(self, attrs: Mapping[str, Any], ctx: ScalarContext) -> int:
        return Effect.OBLIGATION if self.criteria else Effect.GRANT

    def obligation(
        self, request: Mapping[str, Any], lang: str = "en", called: Mapping[str, str] = {}
    ) -> Obligation | None:
        if not self.criteria:
            return None
        detail = t(lang, "ob.criteria", criteria=self.text("criteria", lang))
        return Obligation("criteria", self.principal, detail, self.id)
