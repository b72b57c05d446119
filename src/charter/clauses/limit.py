"""``limit``: a bound on an action (e.g. a compute threshold) until a date or event.

``where`` describes the requests beyond the bound (``{above_compute_threshold: true}``);
``bound`` states it in words. Decision: matching requests are *forbidden*.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field

from charter.clauses.base import Batch, ClauseSpec, Effect, Effects, Mask


class LimitSpec(ClauseSpec):
    kind: Literal["limit"]
    bound: str = Field(description="the bound, in words (and figures where public)")

    def effects(self, batch: Batch, applies: Mask) -> Effects:
        out = np.zeros(batch.n, dtype=np.int8)
        out[applies] = Effect.FORBID
        return out

    def figures(self) -> dict[str, Any]:
        return {"bound": self.bound}
