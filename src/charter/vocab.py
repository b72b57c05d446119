"""The engine's fixed vocabulary: actions, request attributes and their value sets.

Everything here is generic; the parties, providers and clause ids of a scenario come from its
files, never from code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ACTIONS",
    "API_MODES",
    "ARTIFACT_KINDS",
    "ATTRIBUTES",
    "PURPOSES",
    "WORKLOAD_KINDS",
    "Action",
    "AttrType",
    "Attribute",
    "Default",
]


class Default(StrEnum):
    """What an action's verdict is when no clause speaks to it."""

    ALLOW = "allow"
    DENY = "deny"


@dataclass(frozen=True)
class Action:
    """An action a principal may take, with its default verdict and a plain description."""

    name: str
    default: Default
    describe: str


#: The actions the engine answers for, with their defaults (DESIGN.md "Decisions").
ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("run", Default.ALLOW, "run a workload on a provider"),
        Action("access", Default.DENY, "access an artifact (IP) of another party"),
        Action("build-capacity", Default.ALLOW, "build compute capacity of one's own"),
        Action("restructure", Default.ALLOW, "change the corporate structure"),
        Action("publish", Default.ALLOW, "publish an artifact, e.g. open model weights"),
        Action("pursue-agi", Default.ALLOW, "pursue AGI, alone or with another party"),
        Action("train", Default.ALLOW, "train a model"),
    )
}

WORKLOAD_KINDS = ("training", "research", "batch", "api", "product-serving", "inference")
ARTIFACT_KINDS = (
    "model-weights",
    "model-architecture",
    "inference-code",
    "fine-tuning-code",
    "research-method",
    "datacenter-design",
    "consumer-hardware-design",
    "product",
    "acquired-ip",
)
API_MODES = ("stateless", "stateful")
PURPOSES = ("training", "research", "inference")


class AttrType(StrEnum):
    """How an attribute's values are checked and encoded."""

    PARTY = "party"
    PROVIDER = "provider"
    ENUM = "enum"
    SEGMENT = "segment"
    TEXT = "text"
    BOOL = "bool"


@dataclass(frozen=True)
class Attribute:
    """A request attribute that selectors may match on."""

    name: str
    type: AttrType
    values: tuple[str, ...] = ()
    describe: str = ""


#: Attributes a selector (``where:``) may name. ``provider_owner`` is derived from the provider.
ATTRIBUTES: dict[str, Attribute] = {
    a.name: a
    for a in (
        Attribute("action", AttrType.ENUM, tuple(ACTIONS), "the action asked about"),
        Attribute("provider", AttrType.PROVIDER, describe="where a workload runs"),
        Attribute("provider_owner", AttrType.PARTY, describe="the party owning the provider"),
        Attribute("kind", AttrType.ENUM, WORKLOAD_KINDS, "workload kind"),
        Attribute("segment", AttrType.SEGMENT, describe="customer segment"),
        Attribute("new_capacity", AttrType.BOOL, describe="the workload needs new capacity"),
        Attribute("api", AttrType.ENUM, API_MODES, "API style of an api workload"),
        Attribute("product", AttrType.TEXT, describe="product name"),
        Attribute("codeveloped_with", AttrType.PARTY, describe="co-developing third party"),
        Attribute("first_party", AttrType.BOOL, describe="a first-party product"),
        Attribute("launch", AttrType.BOOL, describe="a new product's first launch"),
        Attribute("artifact_kind", AttrType.ENUM, ARTIFACT_KINDS, "kind of IP artifact"),
        Attribute("artifact_owner", AttrType.PARTY, describe="owner of the artifact"),
        Attribute("purpose", AttrType.ENUM, PURPOSES, "purpose of capacity being built"),
        Attribute("with_party", AttrType.PARTY, describe="partner in the action"),
        Attribute("uses_licensed_ip", AttrType.BOOL, describe="training uses licensed IP"),
        Attribute(
            "above_compute_threshold", AttrType.BOOL, describe="training above a compute bound"
        ),
    )
}
