"""FROZEN REFERENCE, used only by tests: the plan checker as it was before the columnar
rewrite of :mod:`charter.check`, kept verbatim below (only this docstring added) so that the
differential test (tests/test_check_columnar.py) compares the new checker's verdicts with it.
Do not edit or use it outside the tests.

Independent compliance check of a plan: charter's own, or a user's actual placements.

Never imports the planner (a test proves it): it re-derives everything from the scenario
with the public decision API. For every row it asks the decision engine whether the owner
may run the workload on the offer's provider on the first day of the month and on every day
of the month where a clause starts or ends; then it checks offer capacities, availability,
family, region and compliance fit, gang workloads sitting on one offer, demand met, and last
the clauses a plan settles by its shape, each asked of its own kind over a view of the whole
plan (the ROFR: third-party capacity taken while a holder offer the work could use is not
full is a breach). It loops over the kinds' checks and names none.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from charter.dates import day_number, from_day_number
from charter.decide import Verdict
from charter.errors import RequestError
from charter.model import OfferSpec, WorkloadCopy, WorkloadSpec
from charter.periods import Period
from charter.plans import PlanRow
from charter.scenario import Scenario

__all__ = ["Breach", "CheckReport", "check_plan"]

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Breach:
    kind: str  # clause | capacity | availability | fit | gang | demand
    detail: str
    clause: str | None = None
    offer: str | None = None
    workload: str | None = None
    period: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


@dataclass
class CheckReport:
    breaches: list[Breach] = field(default_factory=list)
    rows: int = 0
    cost: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.breaches

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "rows": self.rows,
            "cost": self.cost,
            "breaches": [b.to_json() for b in self.breaches],
        }


def _base_name(workload: str) -> str:
    return WorkloadCopy.parse(workload).workload


def _demand(w: WorkloadSpec, period: str) -> float:
    start, end, p = Period.parse(w.start), Period.parse(w.end), Period.parse(period)
    if not start.start <= p.start <= end.start:
        return 0.0
    return float(w.demand_by_period.get(period, w.demand))


def _capacity(o: OfferSpec, p: Period) -> float:
    if o.available_from and p.end < o.available_from:
        return 0.0
    if o.available_until and p.start > o.available_until:
        return 0.0
    return float(o.capacity_by_period.get(p.label, o.capacity))


def check_plan(
    scenario: Scenario, rows: list[PlanRow], events: dict[str, str] | None = None
) -> CheckReport:
    """Every breach of a plan, with its clause or offer.

    Raises:
        RequestError: a row names an unknown workload, offer or month.
    """
    ctx = _Context(scenario, events)
    ctx.check_rows(rows)
    report = CheckReport(rows=len(rows))
    settled = _clause_verdicts(ctx, rows, report)
    load = _fit_and_capacity(ctx, rows, report)
    _demand_met(ctx, rows, report)
    _settled_by_the_plan(ctx, rows, settled, load, report)
    # correctly rounded, whatever the number of rows
    report.cost = math.fsum(r.hours * ctx.offers[r.offer].price for r in rows)
    return report


class _Context:
    """What every step of the check reads: the scenario's offers and workloads by id, the
    planning party, the events, and the days a month is decided on."""

    def __init__(self, scenario: Scenario, events: dict[str, str] | None) -> None:
        self.scenario = scenario
        self.events = events
        self.offers = {o.id: o for o in scenario.data.offers}
        self.workloads = {w.id: w for w in scenario.data.workloads}
        self.party = scenario.data.meta.plan.party if scenario.data.meta.plan else None
        resolved = scenario.resolve_events(events)
        self._boundaries = set()
        for rec in scenario.clauses:
            self._boundaries.add(day_number(rec.start))
            self._boundaries.add(rec.end_day(resolved))

    def check_rows(self, rows: list[PlanRow]) -> None:
        """Raise on a row naming an unknown workload, offer or month."""
        for r in rows:
            if _base_name(r.workload) not in self.workloads:
                raise RequestError(f"line {r.line}: unknown workload {r.workload!r}")
            if r.offer not in self.offers:
                raise RequestError(f"line {r.line}: unknown offer {r.offer!r}")
            if Period.parse(r.period).days > 31:
                raise RequestError(f"line {r.line}: period {r.period!r} is not a month")

    def workload(self, r: PlanRow) -> WorkloadSpec:
        return self.workloads[_base_name(r.workload)]

    def days_of(self, period: str) -> list[int]:
        """The month's first day and every day in it where a clause starts or ends."""
        p = Period.parse(period)
        a, b = day_number(p.start), day_number(p.end)
        return [a, *sorted(d for d in self._boundaries if a < d <= b)]

    def request(self, w: WorkloadSpec, o: OfferSpec, day: int) -> Any:
        """May the workload's owner run it on the offer's provider that day?"""
        return self.scenario.request(
            at=from_day_number(day),
            principal=w.owner or self.party,
            action="run",
            provider=o.provider,
            kind=w.kind,
            segment=w.segment,
            new_capacity=w.new_capacity,
            api=w.api,
            product=w.product,
            codeveloped_with=w.codeveloped_with,
            first_party=w.first_party,
            attrs=w.attributes,
        )


def _clause_verdicts(
    ctx: _Context, rows: list[PlanRow], report: CheckReport
) -> dict[int, set[str]]:
    """Step 1: each row decided on every day of its month that matters; a deny, or a
    condition the plan cannot settle, is a breach of its clause. Returns, per row, the
    clauses that constrain plans its verdict is conditional on (checked in step 4)."""
    asks: list[tuple[int, Any]] = []
    for i, r in enumerate(rows):
        w, o = ctx.workload(r), ctx.offers[r.offer]
        for day in ctx.days_of(r.period):
            asks.append((i, ctx.request(w, o, day)))
    decided = ctx.scenario.decide_many([a[1] for a in asks], ctx.events) if asks else []
    settled: dict[int, set[str]] = defaultdict(set)
    flagged: set[tuple[int, str]] = set()

    def breach(i: int, clause: str, note: str) -> None:
        if (i, clause) not in flagged:
            flagged.add((i, clause))
            r = rows[i]
            report.breaches.append(Breach("clause", note, clause, r.offer, r.workload, r.period))

    for (i, _), d in zip(asks, decided, strict=True):
        if d.verdict == Verdict.DENY:
            for c in d.clauses:
                breach(i, c.record.id, d.note)
        elif d.verdict == Verdict.CONDITIONAL:
            for c in d.clauses:
                if c.record.spec.constrains:
                    settled[i].add(c.record.id)
                else:
                    breach(i, c.record.id, d.note)
    return settled


def _fit_and_capacity(
    ctx: _Context, rows: list[PlanRow], report: CheckReport
) -> dict[tuple[str, str], float]:
    """Step 2: each row's fit (family, region, compliance) and availability, each offer's
    capacity each month, each gang workload on one offer. Returns the load per (offer,
    month)."""
    load: dict[tuple[str, str], float] = defaultdict(float)
    gang_offers: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        w, o = ctx.workload(r), ctx.offers[r.offer]
        load[(o.id, r.period)] += r.hours

        def breach(kind: str, detail: str, r: PlanRow = r) -> None:
            report.breaches.append(Breach(kind, detail, None, r.offer, r.workload, r.period))

        if o.family not in w.families:
            breach("fit", f"family {o.family} is not one of {list(w.families)}")
        if w.regions and o.region not in w.regions:
            breach("fit", f"region {o.region} is not allowed")
        missing = set(w.compliance) - set(o.compliance)
        if missing:
            breach("fit", f"offer lacks compliance {sorted(missing)}")
        if _capacity(o, Period.parse(r.period)) <= 0 and r.hours > TOLERANCE:
            breach("availability", "the offer has no capacity that month")
        if w.gang:
            gang_offers[r.workload].add(o.id)
    for (oid, period), used in sorted(load.items()):
        cap = _capacity(ctx.offers[oid], Period.parse(period))
        if used > cap * (1 + TOLERANCE) + TOLERANCE:
            detail = f"{used:,.0f} accelerator-hours used, capacity {cap:,.0f}"
            report.breaches.append(Breach("capacity", detail, None, oid, None, period))
    for wid, used_offers in sorted(gang_offers.items()):
        if len(used_offers) > 1:
            detail = f"a gang workload is split over {sorted(used_offers)}"
            report.breaches.append(Breach("gang", detail, None, None, wid))
    return load


def _demand_met(ctx: _Context, rows: list[PlanRow], report: CheckReport) -> None:
    """Step 3: every copy of every workload gets its demand, in every month the plan
    spans."""
    got: dict[tuple[str, str], float] = defaultdict(float)
    for r in rows:
        got[(r.workload, r.period)] += r.hours
    if rows:
        months = sorted({r.period for r in rows}, key=lambda x: Period.parse(x).start)
        first, last = Period.parse(months[0]), Period.parse(months[-1])
        span = [
            p.label
            for p in (
                Period.parse(f"{y:04d}-{m:02d}")
                for y in range(first.start.year, last.start.year + 1)
                for m in range(1, 13)
            )
            if first.start <= p.start <= last.start
        ]
        for w in ctx.scenario.data.workloads:
            for name in (copy.name for copy in w.copies()):
                for period in span:
                    got.setdefault((name, period), 0.0)
    for (wid, period), hours in sorted(got.items()):
        need = _demand(ctx.workloads[_base_name(wid)], period)
        if abs(hours - need) > max(TOLERANCE, need * 1e-6):
            detail = f"{hours:,.0f} accelerator-hours placed, demand {need:,.0f}"
            report.breaches.append(Breach("demand", detail, None, None, wid, period))


def _settled_by_the_plan(
    ctx: _Context,
    rows: list[PlanRow],
    settled: dict[int, set[str]],
    load: dict[tuple[str, str], float],
    report: CheckReport,
) -> None:
    """Step 4: the clauses the plan settles itself (a ROFR), asked of their kinds over a
    view of the whole plan (:meth:`charter.clauses.base.ClauseSpec.plan_breach`)."""
    view = _View(ctx, load)
    seen: dict[tuple[str, str, str, str], str | None] = {}
    for i, clause_ids in sorted(settled.items()):
        r = rows[i]
        o = ctx.offers[r.offer]
        for cid in sorted(clause_ids):
            # once per (workload, month, family, clause): a workload often takes several
            # offers in one month
            memo = (_base_name(r.workload), r.period, o.family, cid)
            if memo not in seen:
                spec = ctx.scenario.agreement_timeline.by_id[cid].spec
                seen[memo] = spec.plan_breach(view, ctx.workloads[memo[0]], o, r.period)
            detail = seen[memo]
            if detail is not None:
                report.breaches.append(Breach("clause", detail, cid, r.offer, r.workload, r.period))


class _View:
    """The plan as a clause kind's check sees it (:class:`charter.clauses.base.PlanView`)."""

    def __init__(self, ctx: _Context, load: dict[tuple[str, str], float]) -> None:
        self._ctx = ctx
        self.providers_of: Mapping[str, tuple[str, ...]] = ctx.scenario.providers_of
        self._load = load
        self._usable: dict[tuple[Any, ...], bool] = {}

    def offers(self) -> tuple[OfferSpec, ...]:
        return tuple(self._ctx.scenario.data.offers)

    def capacity(self, offer: OfferSpec, period: str) -> float:
        return _capacity(offer, Period.parse(period))

    def load(self, offer: OfferSpec, period: str) -> float:
        return self._load.get((offer.id, period), 0.0)

    def could_run(self, workload: WorkloadSpec, offer: OfferSpec, period: str) -> bool:
        """Fit, and no clause denies it on any checkpoint of the month (the first day and
        every day a clause starts or ends in it), as the planner decides feasibility. Cached by
        everything the answer depends on, so that workloads alike share it."""
        w, ctx = workload, self._ctx
        key = (
            w.owner or ctx.party,
            w.kind,
            w.segment,
            w.new_capacity,
            w.api,
            w.product,
            w.codeveloped_with,
            w.first_party,
            tuple(sorted(w.attributes.items())),
            tuple(sorted(w.families)),
            tuple(sorted(w.regions)),
            tuple(sorted(w.compliance)),
            offer.id,
            period,
        )
        if key not in self._usable:
            fits = (
                offer.family in w.families
                and (not w.regions or offer.region in w.regions)
                and set(w.compliance) <= set(offer.compliance)
            )
            # scalar decisions (a few µs each), stopping at the first checkpoint denied
            self._usable[key] = fits and all(
                ctx.scenario.decide(ctx.request(w, offer, day), events=ctx.events).verdict
                != Verdict.DENY
                for day in ctx.days_of(period)
            )
        return self._usable[key]
