"""``carve_out``: matching requests are exempt from the clauses named in ``overrides``.

Decision: lifts the forbids and obligations of the overridden clauses for matching requests,
and nothing else. A carve-out never makes a verdict stricter.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from charter.clauses.base import ClauseSpec


class CarveOutSpec(ClauseSpec):
    kind: Literal["carve_out"]
    lifts = True
    overrides: tuple[str, ...] = Field(min_length=1, description="clause ids it exempts from")
    outlives_overrides: bool = Field(
        False,
        description="stays in force after the clauses it exempts from end (only where the "
        "record says so; else it ends with the last of them)",
    )
