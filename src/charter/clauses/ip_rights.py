"""``ip_rights``: the principal (grantee) may access matching artifacts of the grantor.

``where`` says which artifacts are granted, ``exclude`` which are carved out of the grant,
``created_before`` limits it to artifacts created before a date or event (e.g. pre-AGI
technology), ``until`` ends the grant. A clause with ``exclusion: true`` only states an
exclusion from the grantee's rights: matching artifacts are denied whatever else grants them.

Decision: granted artifacts give a *grant*; excluded artifacts a *forbid*; artifacts created
too late get nothing from this clause.
"""

from __future__ import annotations

import datetime as dt
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
    ScalarContext,
    SelectorField,
    UntilField,
)
from charter.dates import until_day, until_events
from charter.selectors import Selector


class IpRightsSpec(ClauseSpec):
    kind: Literal["ip_rights"]
    default_actions: ClassVar[tuple[str, ...]] = ("access",)
    grantor: str = Field(description="the party whose IP is granted")
    exclusive: bool = Field(False, description="the grant is exclusive to the grantee")
    exclusive_until: UntilField = Field(
        None, description="when an exclusive grant becomes non-exclusive (date or event)"
    )
    exclusion: bool = Field(False, description="the clause only excludes matching artifacts")
    exclude: SelectorField = None
    created_before: UntilField = None

    def reads(self) -> dict[str, tuple[Any, ...]]:
        out: dict[str, tuple[Any, ...]] = {"artifact_owner": (self.grantor,)}
        if isinstance(self.exclude, Selector):
            for t in self.exclude.terms:
                out[t.attr] = (*out.get(t.attr, ()), *t.values)
        return out

    def created_cuts(self, events: Mapping[str, dt.date]) -> tuple[int, ...]:
        if self.created_before is None:
            return ()
        return (until_day(self.created_before, events),)

    def effects(self, batch: Batch, applies: Mask) -> Effects:
        out = np.zeros(batch.n, dtype=np.int8)
        owner_ok = batch.cols["artifact_owner"] < 0
        owner_ok |= batch.cols["artifact_owner"] == batch.encoder.code(self.grantor)
        applies = applies & owner_ok
        if self.exclusion:
            out[applies] = Effect.FORBID
            return out
        granted = applies
        if self.created_before is not None:
            granted = granted & (batch.created < until_day(self.created_before, batch.events))
        if self.exclude is not None:
            excluded = applies & batch.match((self.exclude,))
            out[excluded] = Effect.FORBID
            granted = granted & ~excluded
        out[granted] = Effect.GRANT
        return out

    def effect_one(self, attrs: Mapping[str, Any], ctx: ScalarContext) -> int:
        owner = attrs["artifact_owner"]
        if owner is not None and owner != self.grantor:
            return Effect.NONE
        if self.exclusion:
            return Effect.FORBID
        if isinstance(self.exclude, Selector) and self.exclude.matches(attrs):
            return Effect.FORBID
        if self.created_before is not None and ctx.created >= until_day(
            self.created_before, ctx.events
        ):
            return Effect.NONE
        return Effect.GRANT

    def events(self) -> set[str]:
        return (
            super().events()
            | until_events(self.created_before)
            | until_events(self.exclusive_until)
        )

    def figures(self) -> dict[str, Any]:
        from charter.dates import describe_until

        out: dict[str, Any] = {"grantor": self.grantor, "exclusive": self.exclusive}
        if self.exclusive and self.exclusive_until is not None:
            out["exclusive_until"] = describe_until(self.exclusive_until)
        if isinstance(self.exclude, Selector):
            out["exclude"] = self.exclude.describe()
        if self.created_before is not None:
            out["created_before"] = describe_until(self.created_before)
        return out
