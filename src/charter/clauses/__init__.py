"""Clause kinds, one module each, registered in :data:`KINDS`.

A new kind is one new module (its spec model and rule methods, see :mod:`.base`) and one entry
here.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from charter.clauses.approval import ApprovalSpec
from charter.clauses.base import Batch, ClauseSpec, Confidence, Effect, Obligation
from charter.clauses.carve_out import CarveOutSpec
from charter.clauses.commitment import CommitmentSpec
from charter.clauses.exclusivity import ExclusivitySpec
from charter.clauses.first_ship import FirstShipSpec
from charter.clauses.informational import EquitySpec, TermSpec, TriggerSpec
from charter.clauses.ip_rights import IpRightsSpec
from charter.clauses.limit import LimitSpec
from charter.clauses.permission import PermissionSpec
from charter.clauses.revenue_share import Flow, RevenueShareSpec
from charter.clauses.rofr import RofrSpec

__all__ = [
    "KINDS",
    "KIND_NAMES",
    "AnyClause",
    "Batch",
    "ClauseSpec",
    "Confidence",
    "Effect",
    "Flow",
    "Obligation",
]

#: Every clause kind, in the order the documentation lists them.
KINDS: tuple[type[ClauseSpec], ...] = (
    ExclusivitySpec,
    RofrSpec,
    FirstShipSpec,
    CommitmentSpec,
    CarveOutSpec,
    PermissionSpec,
    ApprovalSpec,
    IpRightsSpec,
    RevenueShareSpec,
    LimitSpec,
    EquitySpec,
    TermSpec,
    TriggerSpec,
)

#: Their names as written in scenario files (``kind:``).
KIND_NAMES: tuple[str, ...] = tuple(k.model_fields["kind"].annotation.__args__[0] for k in KINDS)  # type: ignore[union-attr]

AnyClause = Annotated[
    ExclusivitySpec
    | RofrSpec
    | FirstShipSpec
    | CommitmentSpec
    | CarveOutSpec
    | PermissionSpec
    | ApprovalSpec
    | IpRightsSpec
    | RevenueShareSpec
    | LimitSpec
    | EquitySpec
    | TermSpec
    | TriggerSpec,
    Field(discriminator="kind"),
]
