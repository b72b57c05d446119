"""The one seam where clause kinds meet the engine.

Every clause kind is a subclass of :class:`ClauseSpec` in a module of its own: its fields (the
legal content), :meth:`ClauseSpec.effects` (its decision rule, vectorized over a batch of
requests), :meth:`ClauseSpec.obligation` (what would make a request allowed) and
:meth:`ClauseSpec.describe`. Capabilities beyond deciding are flags and methods on the same
class, so that callers iterate the clauses in force and ask, never test for a kind:

- ``constrains``: a plan meets the kind's obligation by its shape (the ROFR). The planner adds
  the kind's :meth:`ClauseSpec.plan_part` to its model (:mod:`charter.clauses.planning`); the
  checker asks :meth:`ClauseSpec.plan_breach` over the small :class:`PlanView` it builds.
- :class:`SpendCommitment`: the kind commits a payer to spend (its window, prorating and
  burn-down), counted by the planner and the service.
- :meth:`ClauseSpec.revenue_flows`: the revenue the kind makes one party pay another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, get_args, runtime_checkable

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, field_validator

from charter.clauses.fields import (
    SelectorField,
    Translation,
    Translations,
    UntilField,
    WhereField,
    attribute_schema,
    selector_schema,
)
from charter.selectors import Encoder, Where, parse_where

if TYPE_CHECKING:
    from charter.clauses.commitment import BurnDown
    from charter.clauses.planning import PlanPart, ProblemView
    from charter.clauses.revenue_share import Flow
    from charter.model import OfferSpec, WorkloadSpec

__all__ = [
    "Batch",
    "ClauseSpec",
    "Confidence",
    "Effect",
    "Obligation",
    "PlanView",
    "ScalarContext",
    "SelectorField",
    "SpendCommitment",
    "Translation",
    "Translations",
    "UntilField",
    "WhereField",
    "attribute_schema",
    "selector_schema",
]

Mask = npt.NDArray[np.bool_]
Effects = npt.NDArray[np.int8]


class Effect(IntEnum):
    """What a clause does to one request, ordered so that stronger effects compare higher."""

    NONE = 0
    SATISFIED = 1
    GRANT = 2
    OBLIGATION = 3
    FORBID = 4


class Confidence(StrEnum):
    """Grade of the source a clause rests on."""

    PRIMARY = "primary"
    QUOTED = "quoted"
    REPORTED = "reported"
    WEAK = "weak"


@dataclass(frozen=True)
class Obligation:
    """What must happen for a conditional request to be allowed."""

    kind: str
    party: str | None
    detail: str
    clause: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "party": self.party,
            "detail": self.detail,
            "clause": self.clause,
        }


@dataclass
class Batch:
    """A batch of requests as integer-coded columns, with what clause rules need to read them.

    Attributes:
        n: number of requests.
        cols: attribute name → int32 codes (see :class:`charter.selectors.Encoder`).
        at: decision dates as day numbers.
        created: creation dates of artifacts as day numbers (the decision date if not given).
        events: assumed event dates.
        encoder: the scenario's value encoder.
        providers_of: party → the providers it owns.
    """

    n: int
    cols: dict[str, npt.NDArray[np.int32]]
    at: npt.NDArray[np.int64]
    created: npt.NDArray[np.int64]
    events: Mapping[str, dt.date]
    encoder: Encoder
    providers_of: Mapping[str, tuple[str, ...]]
    _cache: dict[tuple[str, ...], Mask] = field(default_factory=dict)

    def match(self, where: Where) -> Mask:
        """Mask of requests matching ``where``."""
        return self.encoder.compile(where).mask(self.cols, self.n)

    def provider_in(self, providers: tuple[str, ...]) -> Mask:
        """Mask of requests whose provider is one of ``providers`` (cached per set)."""
        hit = self._cache.get(providers)
        if hit is None:
            codes = np.array([self.encoder.code(p) for p in providers], dtype=np.int32)
            hit = np.isin(self.cols["provider"], codes)
            self._cache[providers] = hit
        return hit


@dataclass(frozen=True)
class ScalarContext:
    """What scalar clause rules need besides the request's attributes."""

    created: int  # the artifact's creation day number (the decision date if not given)
    events: Mapping[str, dt.date]
    providers_of: Mapping[str, tuple[str, ...]]


class PlanView(Protocol):
    """What a clause kind sees of a plan when it checks it (built by :mod:`charter.check`,
    independent of the planner)."""

    providers_of: Mapping[str, tuple[str, ...]]

    def offers(self) -> tuple[OfferSpec, ...]:
        """Every offer of the scenario."""
        ...

    def capacity(self, offer: OfferSpec, period: str) -> float:
        """The offer's accelerator-hours in the month (0 when it is not available)."""
        ...

    def load(self, offer: OfferSpec, period: str) -> float:
        """The accelerator-hours the plan places on the offer in the month."""
        ...

    def could_run(self, workload: WorkloadSpec, offer: OfferSpec, period: str) -> bool:
        """Whether the workload fits the offer (family, region, compliance) and no clause
        denies running it there on any day of the month that a clause boundary starts."""
        ...


@runtime_checkable
class SpendCommitment(Protocol):
    """The capability of a kind that commits a payer to spend with a payee's providers
    (``commitment``): the planner counts spend against it, the service reports its burn-down.
    Callers ask ``isinstance(spec, SpendCommitment)``, never for the kind."""

    id: str
    payer: str
    payee: str
    amount: float | None
    currency: str
    assumptions: tuple[str, ...]

    def window(self, start: dt.date, end_day: int) -> tuple[int, int] | None: ...

    def spend_providers(self, providers_of: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]: ...

    def prorated(self, window: tuple[int, int], first: int, stop: int) -> float: ...

    def burn_down(self, window: tuple[int, int], spent: float, today: dt.date) -> BurnDown: ...


class ClauseSpec(BaseModel):
    """Fields every clause has, whatever its kind.

    Subclasses set ``kind`` (a literal), ``default_actions`` and override the rule methods.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Actions the clause applies to when it does not list ``actions`` itself ("*": any).
    default_actions: ClassVar[tuple[str, ...]] = ("*",)
    #: Whether the clause is an exception that lifts the clauses it names in ``overrides``.
    lifts: ClassVar[bool] = False
    #: Whether the kind takes part in decisions at all (informational kinds do not).
    decides: ClassVar[bool] = True
    #: Whether a plan itself meets the kind's obligation by its shape (the ROFR: by filling
    #: the holder's capacity first): the planner treats its conditional verdicts as feasible
    #: and adds the kind's :meth:`plan_part`; the checker asks :meth:`plan_breach` instead of
    #: counting the conditional verdict as a breach.
    constrains: ClassVar[bool] = False
    #: The plan document's key for what the kind's parts report (with ``constrains``).
    plan_report: ClassVar[str | None] = None
    #: The names of the figures its parts add to a plan's statistics (0 when none is built).
    plan_stats: ClassVar[tuple[str, ...]] = ()
    #: The figures of the kind that ``figure_grades`` may grade apart from its terms.
    graded_figures: ClassVar[tuple[str, ...]] = ()

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", description="clause id, e.g. A2.C4")
    title: str = Field(min_length=1, description="short name of the clause, in your own words")
    summary: str | None = Field(None, description="what the clause says, in your own words")
    principal: str | None = Field(None, description="the party the clause binds or empowers")
    actions: tuple[str, ...] | None = Field(None, description="actions it applies to")
    where: WhereField = Field(default_factory=lambda: parse_where(None))
    # an interval is start/end in code; the files say from/until
    start: dt.date | None = Field(None, alias="from", description="starts later than its amendment")
    end: UntilField = Field(None, alias="until")
    replaces: tuple[str, ...] = Field((), description="clause ids this clause replaces")
    confidence: Confidence = Field(description="source grade: primary, quoted, reported, weak")
    figure_grades: dict[str, Confidence] = Field(
        default_factory=dict,
        description="grades of single figures (a rate, a cap, an amount) where the record "
        "gives them on softer sources than the clause's terms: {rate: reported}",
    )
    uncertain: bool = False
    note: str | None = Field(None, description="what is unclear, or how the record was read")
    assumptions: tuple[str, ...] = Field((), description="figures the record does not give")
    sources: tuple[str, ...] = Field(min_length=1, description="URLs or seed file names")
    translations: Translations = Field(
        default_factory=dict, description="texts in other languages: {de: {title, summary}}"
    )

    @field_validator("figure_grades")
    @classmethod
    def _grades_name_figures(cls, grades: dict[str, Confidence]) -> dict[str, Confidence]:
        unknown = sorted(set(grades) - set(cls.graded_figures))
        if unknown:
            field = cls.model_fields.get("kind")
            kinds = get_args(field.annotation) if field is not None else ()
            kind = kinds[0] if kinds else cls.__name__
            known = ", ".join(cls.graded_figures) or "none"
            raise ValueError(
                f"{', '.join(unknown)} is not a figure of kind {kind} (figures it has: {known})"
            )
        return grades

    # ------------------------------------------------------------------ rule interface
    def reads(self) -> dict[str, tuple[Any, ...]]:
        """The request attributes :meth:`effects` reads beyond ``where``, each with the
        values it compares them against (empty: any value may matter). With the selectors,
        this is everything a decision depends on: ``charter diff`` builds its request
        classes from it, so a kind whose effect reads an attribute must name it here."""
        return {}

    def created_cuts(self, events: Mapping[str, dt.date]) -> tuple[int, ...]:
        """Day numbers where an artifact's creation date changes the effect (none here)."""
        return ()

    def applies_to_actions(self) -> tuple[str, ...]:
        """The actions this clause speaks to."""
        return self.actions if self.actions is not None else self.default_actions

    def effects(self, batch: Batch, applies: Mask) -> Effects:
        """Effect of this clause on each request where ``applies`` holds (vectorized).

        ``applies`` already accounts for the clause being in force, its principal, actions and
        ``where``. The default is no effect (informational kinds).
        """
        return np.zeros(batch.n, dtype=np.int8)

    def effect_one(self, attrs: Mapping[str, Any], ctx: ScalarContext) -> int:
        """Effect on one request (scalar form of :meth:`effects`; a property test keeps the
        two in agreement). ``attrs`` maps attribute names to the request's values."""
        return Effect.NONE

    def plan_breach(
        self, view: PlanView, workload: WorkloadSpec, offer: OfferSpec, period: str
    ) -> str | None:
        """Why placing ``workload`` on ``offer`` in ``period`` breaches this clause, given the
        whole plan (None if it does not). Asked only of kinds that ``constrains``, for
        placements whose verdict is conditional on this clause."""
        return None

    def plan_part(self, record: int, view: ProblemView) -> PlanPart | None:
        """The clause's terms in the plan model (kinds that ``constrains``); ``record`` is the
        clause's record index, by which ``view`` names the triples conditional on it. None
        when the clause reaches nothing in this problem."""
        return None

    def revenue_flows(self) -> tuple[Flow, ...]:
        """The revenue this clause makes one party pay another (``revenue_share``)."""
        return ()

    def obligation(
        self, request: Mapping[str, Any], lang: str = "en", called: Mapping[str, str] = {}
    ) -> Obligation | None:
        """What would make a request this clause obliges allowed (in ``lang``; ``called``
        names parties and providers in the sentence, by id)."""
        return None

    def text(self, field: str, lang: str = "en") -> str | None:
        """A text field (``criteria``, ``bound``, ``escape``, ``note``) in ``lang``."""
        t = self.translations.get(lang)
        translated = getattr(t, field, None) if t is not None else None
        return translated or getattr(self, field, None)

    def events(self) -> set[str]:
        """Event names this clause depends on."""
        from charter.dates import until_events

        return until_events(self.end)

    def describe(self, lang: str = "en") -> str:
        """One line on what the clause does, for timelines and explanations."""
        t = self.translations.get(lang)
        if t is not None and (t.summary or t.title):
            return t.summary or t.title or ""
        return self.summary or self.title

    def title_in(self, lang: str = "en") -> str:
        """The clause's title in ``lang`` (English when no translation exists)."""
        t = self.translations.get(lang)
        return t.title if t is not None and t.title else self.title

    def figures(self) -> dict[str, Any]:
        """Kind-specific figures shown on the timeline (amounts, rates, providers)."""
        return {}
