"""Domain types of the scenario files (pydantic v2): parties, providers, events, agreements,
amendments. Clause kinds live in :mod:`charter.clauses`, one module each.

These models check each file's shape; :mod:`charter.scenario.loader` checks the references
between files (parties, providers, clause ids, events) and turns every error into a message
naming file, line and field.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, NamedTuple

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from charter.clauses import AnyClause, Confidence
from charter.clauses.base import Translations, WhereField

__all__ = [
    "AgreementSpec",
    "AmendmentSpec",
    "BriefingQuestion",
    "Clarification",
    "EventSpec",
    "Narrowing",
    "OfferSpec",
    "OpenItem",
    "PartySpec",
    "PlanDefaults",
    "PricingKind",
    "ProviderSpec",
    "Removal",
    "ScenarioMeta",
    "WorkloadCopy",
    "WorkloadSpec",
    "name_key",
]

ID = r"^[a-z0-9][a-z0-9._-]*$"


def name_key(name: str) -> str:
    """How a provider's id, name or FOCUS name is matched: trimmed, in any case."""
    return name.strip().casefold()


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class PlanDefaults(_Model):
    """``scenario.yaml`` ``plan:``: whose workloads are planned, and the default horizon."""

    # an interval is start/end in code, whatever the file calls it (here from/to)
    model_config = ConfigDict(extra="forbid", frozen=True)

    party: str = Field(description="the party whose workloads the planner places")
    start: str = Field(alias="from", description="first month, e.g. 2025-01")
    end: str = Field(alias="to", description="last month, e.g. 2026-12")
    commitment_share: float = Field(
        1.0,
        gt=0,
        le=1,
        description="share of each spend commitment this portfolio carries (an assumption)",
    )


class ScenarioMeta(_Model):
    """``scenario.yaml``: what the scenario is."""

    name: str = Field(pattern=ID, description="short name, e.g. the folder name")
    title: str
    description: str | None = None
    segments: tuple[str, ...] = Field(
        ("commercial",), description="customer segments workloads may be in"
    )
    sources: tuple[str, ...] = ()
    translations: Translations = Field(default_factory=dict)
    plan: PlanDefaults | None = None


class PartySpec(_Model):
    """One entry of ``parties.yaml``: an organization."""

    id: str = Field(pattern=ID)
    name: str
    note: str | None = None


def _non_blank(name: str) -> str:
    if not name.strip():
        raise ValueError("a FOCUS name is a non-empty string")
    return name


FocusName = Annotated[str, AfterValidator(_non_blank)]


class ProviderSpec(_Model):
    """One entry of ``providers.yaml``: a party's compute brand."""

    id: str = Field(pattern=ID)
    owner: str = Field(description="the party that owns and sells it")
    name: str
    available_from: dt.date | None = Field(None, description="first day capacity exists")
    note: str | None = None
    focus_names: tuple[FocusName, ...] = Field(
        (),
        description="other names a FinOps FOCUS file gives it in ProviderName or "
        "ServiceProviderName (matched in any case, trimmed), besides its id and name",
    )


class EventSpec(_Model):
    """One entry of ``events.yaml``: a named occurrence clauses may depend on."""

    id: str = Field(pattern=ID)
    name: str
    description: str | None = None
    implies: tuple[str, ...] = Field((), description="events this one implies (occur by then)")
    date: dt.date | None = Field(None, description="the date, if it has happened")
    sources: tuple[str, ...] = ()
    translations: Translations = Field(default_factory=dict)


class Removal(_Model):
    """An amendment's removal of an earlier clause."""

    clause: str = Field(description="the clause removed")
    by: str | None = Field(None, description="the clause of this amendment that states it")
    uncertain: bool = False
    note: str | None = None
    translations: Translations = Field(default_factory=dict)


class Narrowing(_Model):
    """A clarification narrowing a clause to requests that also match ``where``."""

    clause: str
    where: WhereField


class Clarification(_Model):
    """A statement inside a version that interprets its clauses; not an amendment."""

    date: dt.date
    title: str
    summary: str | None = None
    narrows: tuple[Narrowing, ...] = ()
    confidence: Confidence
    uncertain: bool = Field(
        default=False,
        description="the reading is contested: an answer that rests on a narrowing it gives "
        "is uncertain",
    )
    note: str | None = Field(default=None, description="why the reading is uncertain")
    sources: tuple[str, ...] = Field(min_length=1)
    translations: Translations = Field(default_factory=dict)


class OpenItem(_Model):
    """Something the public record leaves unclear from this amendment on."""

    clauses: tuple[str, ...] = Field(min_length=1)
    note: str
    sources: tuple[str, ...] = ()
    translations: Translations = Field(default_factory=dict)


class AmendmentSpec(_Model):
    """One version of an agreement: what it adds, replaces and removes."""

    date: dt.date = Field(description="effective date")
    title: str
    summary: str | None = None
    sources: tuple[str, ...] = Field(min_length=1)
    clauses: tuple[AnyClause, ...] = ()
    removes: tuple[Removal, ...] = ()
    clarifications: tuple[Clarification, ...] = ()
    open_items: tuple[OpenItem, ...] = ()
    translations: Translations = Field(default_factory=dict)


class AgreementSpec(_Model):
    """``agreements.yaml`` (or ``agreements/NAME.yaml``): one agreement and its amendments."""

    id: str = Field(pattern=ID)
    title: str
    parties: tuple[str, ...] = Field(min_length=2)
    amendments: tuple[AmendmentSpec, ...] = Field(min_length=1)


class PricingKind(StrEnum):
    ON_DEMAND = "on-demand"
    RESERVED = "reserved"
    COMMITTED = "committed"
    SPOT = "spot"


class OfferSpec(_Model):
    """One entry of ``offers.yaml`` (or a row of offers.csv / offers.parquet)."""

    id: str = Field(
        pattern=ID, description="unique name of the offer", examples=["cloudco-east-h100"]
    )
    provider: str = Field(description="a provider of providers.yaml", examples=["cloudco"])
    region: str = Field(description="where the capacity is", examples=["eastus"])
    family: str = Field(
        description="accelerator family, e.g. h100, gb200, tpu-v6e", examples=["h100"]
    )
    pricing: PricingKind = Field(
        PricingKind.ON_DEMAND,
        description="how it is priced (informational)",
        examples=["committed"],
    )
    price: float = Field(ge=0, description="USD per accelerator-hour", examples=[6.5])
    capacity: float = Field(ge=0, description="accelerator-hours per month", examples=[900000])
    capacity_by_period: dict[str, float] = Field(
        default_factory=dict,
        description="month → accelerator-hours, overriding capacity",
        examples=[{"2026-01": 1000000, "2026-02": 1200000}],
    )
    compliance: tuple[str, ...] = Field(
        (), description="tags such as fedramp-high, il6", examples=[["fedramp-high", "il6"]]
    )
    available_from: dt.date | None = Field(
        None, description="first day it exists (its month counts in full)", examples=["2026-01-01"]
    )
    available_until: dt.date | None = Field(
        None, description="last day it exists (its month counts in full)", examples=["2026-12-31"]
    )
    source: str | None = Field(
        None, description="where the price comes from", examples=["PRICES.md"]
    )
    assumed_capacity: bool = Field(
        True, description="the capacity is an assumption (informational)", examples=[False]
    )
    note: str | None = Field(None, description="free text", examples=["existing fleet"])


class WorkloadSpec(_Model):
    """One entry of ``workloads.yaml`` (or a row of workloads.csv / workloads.parquet)."""

    id: str = Field(pattern=ID, description="unique name of the workload", examples=["train-a"])
    owner: str | None = Field(
        None, description="the party running it (default: plan.party)", examples=["acme"]
    )
    kind: str = Field(
        description="training, research, batch, api, product-serving, inference",
        examples=["training"],
    )
    segment: str = Field(
        "commercial",
        description="customer segment (scenario.yaml segments)",
        examples=["commercial"],
    )
    product: str | None = Field(None, description="the product it serves", examples=["assistant"])
    codeveloped_with: str | None = Field(
        None, description="a party it is developed with", examples=["partnerco"]
    )
    api: str | None = Field(
        None, description="API style: stateless or stateful", examples=["stateless"]
    )
    first_party: bool = Field(
        False, description="a first-party product (clauses may match it)", examples=[True]
    )
    families: tuple[str, ...] = Field(
        min_length=1, description="acceptable accelerator families", examples=[["h100", "gb200"]]
    )
    regions: tuple[str, ...] = Field(
        (), description="allowed regions (empty: any)", examples=[["eastus", "westus"]]
    )
    compliance: tuple[str, ...] = Field(
        (), description="compliance tags the offer must have", examples=[["fedramp-high"]]
    )
    demand: float = Field(0, ge=0, description="accelerator-hours per month", examples=[450000])
    demand_by_period: dict[str, float] = Field(
        default_factory=dict,
        description="month → accelerator-hours, overriding demand",
        examples=[{"2026-01": 1000, "2026-02": 1200}],
    )
    start: str = Field(
        description="first month, e.g. 2025-03",
        examples=["2025-02"],
        json_schema_extra={"format": "month"},
    )
    end: str = Field(
        description="last month, e.g. 2025-12",
        examples=["2025-09"],
        json_schema_extra={"format": "month"},
    )
    gang: bool = Field(
        False, description="must sit whole on one offer for its window", examples=[True]
    )
    new_capacity: bool = Field(
        True, description="needs new capacity (ROFR applies)", examples=[False]
    )
    attributes: dict[str, bool | str] = Field(
        default_factory=dict,
        description="request attributes the scenario declares (vocabulary.yaml) for clauses",
        examples=[{"data_residency": "eu"}],
    )
    count: int = Field(1, ge=1, description="identical copies", examples=[4])
    unmet_penalty: float | None = Field(
        None,
        ge=0,
        description=(
            "price of each accelerator-hour of demand left unserved (none: the demand must be "
            "met); a gang workload is then served whole or not at all"
        ),
        examples=[12.5],
    )
    note: str | None = Field(None, description="free text", examples=["a pre-training run"])

    def copies(self) -> tuple[WorkloadCopy, ...]:
        """The copies a plan places: one named by the id, or ``count`` numbered ones."""
        if self.count == 1:
            return (WorkloadCopy(self.id, None),)
        return tuple(WorkloadCopy(self.id, k + 1) for k in range(self.count))


class WorkloadCopy(NamedTuple):
    """One copy of a workload, as plans name it: ``train`` for a workload with one copy,
    ``train#2`` for the second of several (plan files carry the name)."""

    workload: str
    number: int | None

    @property
    def name(self) -> str:
        return self.workload if self.number is None else f"{self.workload}#{self.number}"

    @classmethod
    def parse(cls, name: str) -> WorkloadCopy:
        """The copy a plan row's workload name stands for (the number is not checked here)."""
        workload, mark, number = name.partition("#")
        return cls(workload, int(number) if mark and number.isdigit() else None)


class BriefingQuestion(_Model):
    """One entry of ``briefing.yaml``: a representative question ``charter brief`` asks."""

    ask: str = Field(description="the question in words")
    ask_de: str | None = Field(None, description="the question in German")
    at: dt.date
    principal: str
    action: str
    options: dict[str, str | bool] = Field(default_factory=dict)
    events: dict[str, dt.date] = Field(default_factory=dict)
