"""Every request (``XCreate``) and response (``XPublic``) model of the HTTP API.

Pure pydantic (no FastAPI, no SQLAlchemy): the ledger's workflows take the request models as
their typed input, so that the CLI can call them with the same validation. Requests forbid
unknown fields and infinite numbers. Responses document the fields the service writes and
allow further ones (keys are never renamed, new keys may be added), so a response is never
cut to its model; fields that are absent in some answers are absent there, not null.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CommitmentPublic",
    "CommitmentsPublic",
    "DecisionBatchCreate",
    "DecisionBatchPublic",
    "DecisionCreate",
    "DecisionPublic",
    "HealthPublic",
    "LedgerEventPublic",
    "LedgerPagePublic",
    "ObligationPublic",
    "RecordedPublic",
    "RevenueCreate",
    "RofrAnswerPublic",
    "RofrRequestCreate",
    "RofrRequestListPublic",
    "RofrRequestPublic",
    "SpendCreate",
    "SpendImportPublic",
    "StatementPublic",
    "VerifyPublic",
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


# ---------------------------------------------------------------------------- requests
class DecisionCreate(_In):
    """A question. Besides these fields it takes the attributes the scenario's vocabulary
    declares (the OpenAPI document of an app lists them); others are a 422 naming the
    closest field."""

    model_config = ConfigDict(extra="allow", allow_inf_nan=False)

    at: dt.date
    principal: str
    action: str
    provider: str | None = None
    kind: str | None = None
    segment: str | None = None
    new_capacity: bool = False
    api: str | None = None
    product: str | None = None
    codeveloped_with: str | None = None
    first_party: bool = False
    launch: bool = False
    artifact_kind: str | None = None
    artifact_owner: str | None = None
    created: dt.date | None = None
    purpose: str | None = None
    with_party: str | None = None
    events: dict[str, dt.date] = Field(default_factory=dict)
    lang: str = "en"


class DecisionBatchCreate(_In):
    requests: list[DecisionCreate] = Field(min_length=1, max_length=10_000)


class RofrRequestCreate(_In):
    provider: str = Field(description="the third party whose capacity would be bought (private)")
    family: str = Field(min_length=1, description="accelerator family")
    kind: str = "training"
    segment: str = "commercial"
    quantity: dict[str, float] = Field(
        min_length=1, description="month → accelerator-hours, e.g. {'2025-04': 100000}"
    )
    window_from: dt.date
    window_to: dt.date
    price_per_hour: float = Field(gt=0, description="the third-party price the holder may match")
    terms: str | None = Field(None, max_length=2000)


class SpendCreate(_In):
    provider: str
    billed_cost: float = Field(ge=0)
    effective_cost: float | None = Field(None, ge=0)
    currency: str = Field("USD", min_length=3, max_length=3)
    period_start: dt.date
    period_end: dt.date


class RevenueCreate(_In):
    payee: str
    period: str
    amount: float = Field(ge=0)


# ---------------------------------------------------------------------------- responses
class HealthPublic(_Out):
    ok: bool
    scenario: str
    now: str = Field(description="the server's clock, ISO 8601")


class ObligationPublic(_Out):
    kind: str
    party: str | None = None
    detail: str
    clause: str | None = None


class DecisionPublic(_Out):
    """The documented JSON form of a decision (README: "decide --json")."""

    verdict: Literal["allow", "conditional", "deny"]
    lang: str
    obligations: list[ObligationPublic]
    clauses: list[dict[str, Any]] = Field(
        description="the deciding clauses: id, effect, kind, title, agreement, amendment, "
        "confidence, uncertain, sources (lifts, ends, ended_on, notes when they apply)"
    )
    uncertain: bool
    note: str
    request: dict[str, Any] = Field(description="the request as understood (unset fields left out)")
    events: dict[str, str]


class DecisionBatchPublic(_Out):
    decisions: list[DecisionPublic]


class RofrPrivatePublic(_Out):
    provider: str
    provider_owner: str | None = None


class RofrRequestPublic(_Out):
    """A ROFR request as the caller may see it (the holder never sees ``private``).

    Keys come in this order, as in the answer to the filing."""

    id: str
    family: str
    kind: str
    segment: str
    quantity: dict[str, float]
    window_from: str
    window_to: str
    price_per_hour: float
    terms: str | None = None
    filed_at: str
    private: RofrPrivatePublic | None = Field(None, description="the principal's view only")
    clause: str | None = None
    holder: str | None = None
    status: Literal["open", "matched", "released"]
    deadline: str
    reason: str | None = None
    principal: str
    seq: int
    responded_at: str | None = Field(None, description="when the holder answered")


class RofrRequestListPublic(_Out):
    requests: list[RofrRequestPublic]


class RofrAnswerPublic(_Out):
    id: str
    status: Literal["matched", "released"]
    seq: int


class RecordedPublic(_Out):
    seq: int = Field(description="the ledger event that records it")


class SpendImportPublic(_Out):
    imported: int
    seqs: list[int]


class CommitmentPublic(_Out):
    clause: str
    payer: str
    payee: str
    providers: list[str]
    committed: float
    window_start: str
    # null, with the pace figures, for a commitment without a window (no window_end, open-ended)
    window_end: str | None
    spent: float
    remaining: float
    pace_needed_by_now: float | None
    ahead_of_pace: float | None
    run_rate_per_day: float | None
    projected_at_window_end: float | None
    projected_shortfall: float | None
    assumptions: list[str]


class CommitmentsPublic(_Out):
    as_of: str
    commitments: list[CommitmentPublic]


class StatementPublic(_Out):
    """What the payer owes the payee for a period (README: "owes --json")."""

    payer: str
    payee: str
    period: str
    start: str
    end: str
    days: int
    revenue: float
    currency: str
    amount: float | None
    rate: float | None
    cap: float | None
    cap_used: float | None
    cap_remaining: float | None
    clauses: list[dict[str, Any]]
    uncertain: bool
    note: str
    lang: str
    events: dict[str, str]
    history_ignored: list[str]


class LedgerEventPublic(_Out):
    seq: int
    at: str
    kind: str
    actor: str
    audience: list[str]
    payload: dict[str, Any]
    prev_hash: str
    hash: str


class LedgerPagePublic(_Out):
    events: list[LedgerEventPublic]
    next_after: int = Field(description="pass as `after` for the next page")


class VerifyPublic(_Out):
    ok: bool
    events: int
    head: str
    broken_at: int | None = None
    reason: str | None = None
    root: str | None = None


class CheckpointPublic(_Out):
    """A signed tree head: the log's size and Merkle root, Ed25519-signed by the server."""

    size: int
    root: str
    key_id: str
    key: str
    signature: str


class ProofPublic(_Out):
    checkpoint: CheckpointPublic
    consistency: list[str] | None = None
    inclusion: list[str] | None = None
