"""Independent compliance check of a plan: charter's own, or a user's actual placements.

Never imports the planner (a test proves it): it re-derives everything from the scenario
with the public decision API. For every row it asks the decision engine whether the owner
may run the workload on the offer's provider on the first day of the month and on every day
of the month where a clause starts or ends; then it checks offer capacities, availability,
family, region and compliance fit, gang workloads sitting on one offer, demand met, and the
right of first refusal: third-party capacity taken by work a ROFR covers is a breach unless
every holder offer of that family that work could use is full that month.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping
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
    offers = {o.id: o for o in scenario.data.offers}
    workloads = {w.id: w for w in scenario.data.workloads}
    party = scenario.data.meta.plan.party if scenario.data.meta.plan else None
    report = CheckReport(rows=len(rows))
    for r in rows:
        if _base_name(r.workload) not in workloads:
            raise RequestError(f"line {r.line}: unknown workload {r.workload!r}")
        if r.offer not in offers:
            raise RequestError(f"line {r.line}: unknown offer {r.offer!r}")
        p = Period.parse(r.period)
        if p.days > 31:
            raise RequestError(f"line {r.line}: period {r.period!r} is not a month")
    resolved = scenario.resolve_events(events)
    boundaries = set()
    for rec in scenario.clauses:
        boundaries.add(day_number(rec.start))
        boundaries.add(rec.end_day(resolved))

    def days_of(period: str) -> list[int]:
        p = Period.parse(period)
        a, b = day_number(p.start), day_number(p.end)
        return [a, *sorted(d for d in boundaries if a < d <= b)]

    def request(w: WorkloadSpec, o: OfferSpec, day: int) -> Any:
        return scenario.request(
            at=from_day_number(day),
            principal=w.owner or party,
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

    # 1. clause verdicts per row (and the ROFR clauses each row is subject to)
    asks: list[tuple[int, Any]] = []
    for i, r in enumerate(rows):
        w, o = workloads[_base_name(r.workload)], offers[r.offer]
        for day in days_of(r.period):
            asks.append((i, request(w, o, day)))
    decided = scenario.decide_many([a[1] for a in asks], events) if asks else []
    # conditional on a clause the plan itself can settle (the ROFR): checked against the
    # whole plan in step 3
    settled: dict[int, set[str]] = defaultdict(set)
    flagged: set[tuple[int, str]] = set()
    for (i, _), d in zip(asks, decided, strict=True):
        r = rows[i]
        if d.verdict.value == "deny":
            for c in d.clauses:
                if (i, c.record.id) not in flagged:
                    flagged.add((i, c.record.id))
                    report.breaches.append(
                        Breach("clause", d.note, c.record.id, r.offer, r.workload, r.period)
                    )
        elif d.verdict.value == "conditional":
            for c in d.clauses:
                if c.record.spec.constrains:
                    settled[i].add(c.record.id)
                elif (i, c.record.id) not in flagged:
                    flagged.add((i, c.record.id))
                    report.breaches.append(
                        Breach("clause", d.note, c.record.id, r.offer, r.workload, r.period)
                    )

    # 2. fit, availability, capacity, gang, demand
    load: dict[tuple[str, str], float] = defaultdict(float)
    gang_offers: dict[str, set[str]] = defaultdict(set)
    got: dict[tuple[str, str], float] = defaultdict(float)
    for r in rows:
        w, o = workloads[_base_name(r.workload)], offers[r.offer]
        p = Period.parse(r.period)
        load[(o.id, r.period)] += r.hours
        got[(r.workload, r.period)] += r.hours
        if o.family not in w.families:
            report.breaches.append(
                Breach(
                    "fit",
                    f"family {o.family} is not one of {list(w.families)}",
                    None,
                    o.id,
                    r.workload,
                    r.period,
                )
            )
        if w.regions and o.region not in w.regions:
            report.breaches.append(
                Breach("fit", f"region {o.region} is not allowed", None, o.id, r.workload, r.period)
            )
        missing = set(w.compliance) - set(o.compliance)
        if missing:
            report.breaches.append(
                Breach(
                    "fit",
                    f"offer lacks compliance {sorted(missing)}",
                    None,
                    o.id,
                    r.workload,
                    r.period,
                )
            )
        if _capacity(o, p) <= 0 and r.hours > TOLERANCE:
            report.breaches.append(
                Breach(
                    "availability",
                    "the offer has no capacity that month",
                    None,
                    o.id,
                    r.workload,
                    r.period,
                )
            )
        if w.gang:
            gang_offers[r.workload].add(o.id)
    for (oid, period), used in sorted(load.items()):
        cap = _capacity(offers[oid], Period.parse(period))
        if used > cap * (1 + TOLERANCE) + TOLERANCE:
            report.breaches.append(
                Breach(
                    "capacity",
                    f"{used:,.0f} accelerator-hours used, capacity {cap:,.0f}",
                    None,
                    oid,
                    None,
                    period,
                )
            )
    for wid, used_offers in sorted(gang_offers.items()):
        if len(used_offers) > 1:
            report.breaches.append(
                Breach(
                    "gang", f"a gang workload is split over {sorted(used_offers)}", None, None, wid
                )
            )
    # demand: every copy of every workload, in every month the plan spans
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
        for w in scenario.data.workloads:
            for name in (copy.name for copy in w.copies()):
                for period in span:
                    got.setdefault((name, period), 0.0)
    for (wid, period), hours in sorted(got.items()):
        need = _demand(workloads[_base_name(wid)], period)
        if abs(hours - need) > max(TOLERANCE, need * 1e-6):
            report.breaches.append(
                Breach(
                    "demand",
                    f"{hours:,.0f} accelerator-hours placed, demand {need:,.0f}",
                    None,
                    None,
                    wid,
                    period,
                )
            )

    # 3. clauses the plan settles itself, asked of their kinds over a view of the plan
    view = _View(scenario, load, lambda w, o, day: request(w, o, day), days_of, party, events)
    seen: dict[tuple[str, str, str, str], str | None] = {}
    for i, clause_ids in sorted(settled.items()):
        r = rows[i]
        o = offers[r.offer]
        for cid in sorted(clause_ids):
            # once per (workload, month, family, clause): a workload often takes several
            # third-party offers in one month
            memo = (_base_name(r.workload), r.period, o.family, cid)
            if memo not in seen:
                spec = scenario.agreement_timeline.by_id[cid].spec
                seen[memo] = spec.plan_breach(view, workloads[memo[0]], o, r.period)
            detail = seen[memo]
            if detail is not None:
                report.breaches.append(Breach("clause", detail, cid, r.offer, r.workload, r.period))
    # correctly rounded, whatever the number of rows
    report.cost = math.fsum(r.hours * offers[r.offer].price for r in rows)
    return report


class _View:
    """The plan as a clause kind's check sees it (:class:`charter.clauses.base.PlanView`)."""

    def __init__(
        self,
        scenario: Scenario,
        load: dict[tuple[str, str], float],
        request: Callable[[WorkloadSpec, OfferSpec, int], Any],
        days_of: Callable[[str], list[int]],
        party: str | None,
        events: dict[str, str] | None,
    ) -> None:
        self.scenario = scenario
        self.providers_of: Mapping[str, tuple[str, ...]] = scenario.providers_of
        self._load = load
        self._request = request
        self._days_of = days_of
        self._party = party
        self._events = events
        self._usable: dict[tuple[Any, ...], bool] = {}

    def offers(self) -> tuple[OfferSpec, ...]:
        return tuple(self.scenario.data.offers)

    def capacity(self, offer: OfferSpec, period: str) -> float:
        return _capacity(offer, Period.parse(period))

    def load(self, offer: OfferSpec, period: str) -> float:
        return self._load[(offer.id, period)]

    def could_run(self, workload: WorkloadSpec, offer: OfferSpec, period: str) -> bool:
        """Fit, and no clause denies it on any checkpoint of the month (the first day and
        every day a clause starts or ends in it), as the planner decides feasibility. Cached by
        everything the answer depends on, so that workloads alike share it."""
        w = workload
        key = (
            w.owner or self._party,
            w.kind,
            w.segment,
            w.new_capacity,
            w.api,
            w.product,
            w.codeveloped_with,
            w.first_party,
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
                self.scenario.decide(self._request(w, offer, day), events=self._events).verdict
                != Verdict.DENY
                for day in self._days_of(period)
            )
        return self._usable[key]
