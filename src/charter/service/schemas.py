"""Every request (``XCreate``) and response (``XPublic``) model of the HTTP API.

Pure pydantic (no FastAPI, no SQLAlchemy): the ledger's workflows take the request models as
their typed input, so that the CLI can call them with the same validation. Requests forbid
unknown fields and infinite numbers. Responses document the fields the service writes and
allow further ones (keys are never renamed, new keys may be added), so a response is never
cut to its model; fields that are absent in some answers are absent there, not null.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from charter.errors import CharterError
from charter.money import Currency, Money, Rate, SignedMoney
from charter.periods import Period

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


def _has_surrogate(value: Any) -> bool:
    """Whether a string anywhere in ``value`` (keys included) holds a lone UTF-16 surrogate,
    which JSON's ``\\ud800`` escapes can carry but UTF-8 cannot encode."""
    if isinstance(value, str):
        return not value.isascii() and any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(map(_has_surrogate, value))
    return False


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _no_surrogates(cls, data: Any) -> Any:
        if _has_surrogate(data):
            raise ValueError("a string holds a lone UTF-16 surrogate (not valid Unicode text)")
        return data


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


#: a name's length in a request (a party, a provider, a family, a kind, a segment)
NAME_MAX = 100
#: a quantity in accelerator-hours: strictly a JSON number (no "1", no true), above 0
Hours = Annotated[float, Field(strict=True, gt=0, le=1e15)]


class RofrRequestCreate(_In):
    """A capacity request. Numbers are JSON numbers (a string or a boolean is a 422); the
    quantities' periods overlap the window, which ends neither before the filing nor more
    than :data:`charter.ledger.rofr.MAX_WINDOW_YEARS` after it (checked on filing)."""

    provider: str = Field(
        min_length=1,
        max_length=NAME_MAX,
        description="the third party whose capacity would be bought (private)",
    )
    family: str = Field(min_length=1, max_length=NAME_MAX, description="accelerator family")
    kind: str = Field("training", min_length=1, max_length=NAME_MAX)
    segment: str = Field("commercial", min_length=1, max_length=NAME_MAX)
    quantity: dict[Annotated[str, Field(max_length=16)], Hours] = Field(
        min_length=1,
        max_length=120,
        description="month (or quarter, year) → accelerator-hours, e.g. {'2025-04': 100000}",
    )
    window_from: dt.date
    window_to: dt.date
    price_per_hour: float = Field(
        gt=0, le=1e9, strict=True, description="the third-party price the holder may match"
    )
    terms: str | None = Field(None, max_length=2000)


def _iso_date(v: Any) -> Any:
    """A date as ``YYYY-MM-DD`` (surrounding blanks dropped) or a date; nothing else (no
    timestamps, no times, no numbers)."""
    if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
        return v
    if isinstance(v, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v.strip()):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError as exc:
            raise ValueError(f"not a calendar date: {v!r} ({exc})") from None
    raise ValueError(f"expected a date like 2026-07-31, got {v!r}")


def _id(v: Any) -> Any:
    """An id (a party's, a provider's) with surrounding blanks dropped; never empty."""
    if not isinstance(v, str) or not v.strip():
        raise ValueError("expected a non-empty id")
    return v.strip()


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
Id = Annotated[str, BeforeValidator(_id)]


class SpendCreate(_In):
    """A spend row: exact, bounded amounts (JSON numbers of absolute value below 10^15, at
    most 6 decimal places; a credit is negative) in an ISO 4217 ``currency``;
    ``rate_to_commitment`` converts them for a commitment in another currency (one unit of
    ``currency`` in the commitment's). ``period_end`` is the last day the charge covers.
    ``contract_applied`` is a FOCUS 1.3 file's ContractApplied cell, kept as given."""

    provider: Id
    billed_cost: SignedMoney = Field(description="negative for a credit")
    effective_cost: SignedMoney | None = None
    currency: Currency = "USD"
    rate_to_commitment: Rate | None = Field(
        None, description="1 unit of `currency` in the commitment's currency, e.g. 1.08"
    )
    period_start: IsoDate
    period_end: IsoDate
    contract_applied: dict[str, Any] | list[dict[str, Any]] | None = Field(
        None, description="FOCUS 1.3 ContractApplied (JSON), carried as given, not interpreted"
    )


class RevenueCreate(_In):
    """Revenue for a period, stored under the period's canonical label (``2025-Q4``)."""

    payee: Id
    period: str = Field(description="2026-07, 2026-Q3 or 2026")
    amount: Money

    @field_validator("period", mode="before")
    @classmethod
    def _period(cls, v: Any) -> Any:
        if not isinstance(v, str):
            raise ValueError("expected a period like 2026-07, 2026-Q3 or 2026")
        try:
            return Period.parse(v).label
        except CharterError as exc:
            raise ValueError(str(exc)) from None


# ---------------------------------------------------------------------------- responses
class HealthPublic(_Out):
    ok: bool


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
    currency: str = Field(description="the commitment's; spend in another counts at its rate")
    window_start: str
    # null, with the pace figures, for a commitment without a window (no window_end, open-ended)
    window_end: str | None
    spent: float
    remaining: float
    exact: dict[str, str] = Field(
        description="committed, spent and remaining as exact decimal strings"
    )
    uncounted_currencies: list[str] = Field(
        description="currencies of spend recorded without a rate (before they were refused): "
        "not counted"
    )
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
    #: when the server last read the whole log (a result is reused for a few seconds)
    verified_at: str | None = None


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
