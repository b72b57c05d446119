"""The planning problem as arrays: periods, offers, aggregated workloads, the feasible
(workload, offer, period) triples with their clause status, gang candidates, commitments and
the parts that clauses constraining plans add (:mod:`charter.clauses.planning`).

Feasibility comes from the decision engine's batch API: every candidate triple that passes
the static filters (family, region, compliance, availability, window) becomes a request
"may the owner run this workload on this offer's provider on this date", evaluated on the
first day of its month and on every day inside the month where a clause starts or ends; a
triple is feasible only if it is allowed (or conditional only on clauses that constrain plans)
on all of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from charter.clauses.planning import PlanPart
from charter.decide import Rules
from charter.errors import RequestError
from charter.model import OfferSpec, WorkloadSpec
from charter.periods import Period
from charter.planner.feasibility import ClassFeasibility, class_feasibility
from charter.planner.notes import outside_horizon
from charter.planner.obligations import Commitment, commitments

__all__ = ["Commitment", "Group", "Problem", "build_problem", "months"]

Ints = npt.NDArray[np.int64]
F = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]


def months(start: str, end: str) -> list[Period]:
    """Every month from ``start`` to ``end`` (inclusive)."""
    first, last = Period.parse(start), Period.parse(end)
    if first.days > 31 or last.days > 31:
        raise RequestError("plan horizons are given in months, e.g. --from 2025-01 --to 2026-12")
    if last < first:
        raise RequestError(f"--to {end} is before --from {start}")
    out = []
    y, m = first.start.year, first.start.month
    while (y, m) <= (last.start.year, last.start.month):
        out.append(Period.parse(f"{y:04d}-{m:02d}"))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@dataclass
class Group:
    """Identical fractional workloads merged, or one gang workload (copy).

    Workloads that price unmet demand merge whatever their penalties (the penalty is the
    one field of ``spec`` that may differ between members): each distinct penalty is a
    *level* of the group, with its own unmet-demand column per month, so the model leaves
    the cheapest level's demand unserved first, exactly as it would with the members apart.
    """

    index: int
    spec: WorkloadSpec
    members: tuple[str, ...]
    shares: F  # members × periods: each member's share of the group's demand that month
    owner: str
    gang: bool
    # each member's unmet-demand penalty per accelerator-hour (NaN: its demand must be met)
    penalties: F = field(default_factory=lambda: np.zeros(0))
    # members × periods: each member's own demand (the group's demand is its column sums)
    member_demand: F = field(default_factory=lambda: np.zeros((0, 0)))

    @property
    def priced(self) -> bool:
        return bool(len(self.penalties)) and not np.isnan(self.penalties).any()

    @cached_property
    def levels(self) -> list[tuple[float, B]]:
        """The distinct penalties of the members, cheapest first, each with its members
        (read once the group is complete: the model's columns and the plan's split both
        index into it)."""
        if not self.priced:
            return []
        return [(float(q), self.penalties == q) for q in np.unique(self.penalties)]


@dataclass
class Problem:
    """Everything the model builder needs, as arrays."""

    periods: list[Period]
    offers: tuple[OfferSpec, ...]
    groups: list[Group]
    cap: F  # offers × periods
    price: F  # offers
    demand: F  # groups × periods (0 outside the window)
    # all feasible triples j (fractional and gang alike), as three parallel index arrays:
    # the triple's workload group (tw), offer (to) and period (tt); short names because the
    # model's formulas index them everywhere (pb.demand[pb.tw[j], pb.tt[j]])
    tw: Ints  # triple → group index
    to: Ints  # triple → offer index
    tt: Ints  # triple → period index
    t_settled: B  # triple → conditional on a clause the plan settles (the ROFR): placed last
    gang_w: Ints  # gang candidate k → group index
    gang_o: Ints  # gang candidate k → offer index
    commitments: list[Commitment]
    parts: list[PlanPart]  # the terms of the clauses that constrain plans, in record order
    denied: dict[tuple[int, int, int], str] = field(default_factory=dict)  # triple → clause
    notes: list[str] = field(default_factory=list)

    def candidates_by_gang(self) -> dict[int, Ints]:
        """Each gang group's candidate indices (into gang_w / gang_o), by group index."""
        if not len(self.gang_w):
            return {}
        order = np.argsort(self.gang_w, kind="stable")
        gw = self.gang_w[order]
        starts = np.flatnonzero(np.r_[True, gw[1:] != gw[:-1]])
        ends = [*starts[1:].tolist(), len(gw)]
        return {int(gw[a]): order[a:b] for a, b in zip(starts.tolist(), ends, strict=True)}

    @property
    def fractional(self) -> B:
        gang = np.array([g.gang for g in self.groups], dtype=bool)
        return ~gang[self.tw] if len(self.tw) else np.zeros(0, dtype=bool)


def _demand_row(w: WorkloadSpec, periods: list[Period]) -> F:
    start, end = Period.parse(w.start), Period.parse(w.end)
    row = np.zeros(len(periods))
    for t, p in enumerate(periods):
        if start.start <= p.start <= end.start:
            row[t] = float(w.demand_by_period.get(p.label, w.demand))
    return row


def _signature(w: WorkloadSpec, owner: str) -> tuple[Any, ...]:
    return (
        owner,
        w.kind,
        w.segment,
        w.product,
        w.codeveloped_with,
        w.api,
        w.first_party,
        tuple(sorted(w.families)),
        tuple(sorted(w.regions)),
        tuple(sorted(w.compliance)),
        w.new_capacity,
        tuple(sorted(w.attributes.items())),
        w.unmet_penalty is not None,  # the penalty itself differs by level (see Group)
    )


def _groups(
    workloads: tuple[WorkloadSpec, ...],
    party: str,
    periods: list[Period],
    aggregate: bool,
    divisible: bool = False,
) -> tuple[list[Group], F]:
    groups: list[Group] = []
    rows: list[F] = []
    merged: dict[tuple[Any, ...], int] = {}
    member_rows: dict[int, list[F]] = {}
    penalty_of: dict[str, float] = {}  # member → its penalty (NaN: none)
    for w in workloads:
        owner = w.owner or party
        row = _demand_row(w, periods)
        if not row.any():
            continue  # nothing to place inside the horizon
        for copy in w.copies():
            penalty_of[copy.name] = np.nan if w.unmet_penalty is None else float(w.unmet_penalty)
        if w.gang and not divisible:
            for copy in w.copies():
                name = copy.name
                groups.append(
                    Group(len(groups), w, (name,), np.ones((1, len(periods))), owner, True)
                )
                rows.append(row)
            continue
        for copy in w.copies():
            name = copy.name
            key = _signature(w, owner)
            if aggregate and key in merged:
                g = groups[merged[key]]
                g.members = (*g.members, name)
                member_rows[g.index].append(row)
                rows[g.index] = rows[g.index] + row
            else:
                merged[key] = len(groups)
                groups.append(
                    Group(len(groups), w, (name,), np.ones((1, len(periods))), owner, False)
                )
                member_rows[len(groups) - 1] = [row]
                rows.append(row)
    for g, row in zip(groups, rows, strict=True):
        member = np.vstack(member_rows[g.index]) if not g.gang else row[None, :]
        g.member_demand = member
        g.penalties = np.array([penalty_of[m] for m in g.members])
        if not g.gang:
            total = member.sum(axis=0)
            g.shares = np.divide(member, total, out=np.zeros_like(member), where=total > 0)
    demand = np.vstack(rows) if rows else np.zeros((0, len(periods)))
    return groups, demand


def _capacity(offers: tuple[OfferSpec, ...], periods: list[Period]) -> F:
    cap = np.zeros((len(offers), len(periods)))
    for o, offer in enumerate(offers):
        for t, p in enumerate(periods):
            if offer.available_from and p.end < offer.available_from:
                continue
            if offer.available_until and p.start > offer.available_until:
                continue
            cap[o, t] = offer.capacity_by_period.get(p.label, offer.capacity)
    return cap


def build_problem(
    rules: Rules,
    offers: tuple[OfferSpec, ...],
    workloads: tuple[WorkloadSpec, ...],
    periods: list[Period],
    *,
    party: str,
    commitment_share: float = 1.0,
    aggregate: bool = True,
    divisible_gangs: bool = False,
    gang_candidates: int | None = None,
) -> Problem:
    """Arrays of the planning problem under the clauses ``rules`` compiled.

    Args:
        divisible_gangs: treat gang jobs as divisible work (merged with their signature's
            fractional group): a relaxation, whose optimum bounds the real one from below.
        gang_candidates: keep only 4 × this many of each gang job's candidate offers (see
            :func:`_restrict`): a restriction,
            whose plans are plans of the real problem. What a constraining clause reaches
            (a ROFR's holder offers) is unaffected: it is a property of the workload's
            signature, not of the candidates kept.
    """
    groups, demand = _groups(workloads, party, periods, aggregate, divisible_gangs)
    cap = _capacity(offers, periods)
    price = np.array([o.price for o in offers], dtype=float)
    class_of, reps = _classes(groups)
    feasible = class_feasibility(rules, reps, offers, periods, class_of, demand, cap)
    tw, to, tt, gang_w, gang_o, denied = _triples(
        rules, groups, class_of, feasible, demand, cap, price, gang_candidates
    )
    t_settled = feasible.conditional[class_of[tw], to, tt] if len(tw) else np.zeros(0, dtype=bool)

    problem = Problem(
        periods=periods,
        offers=offers,
        groups=groups,
        cap=cap,
        price=price,
        demand=demand,
        tw=tw,
        to=to,
        tt=tt,
        t_settled=t_settled,
        gang_w=gang_w,
        gang_o=gang_o,
        commitments=commitments(rules, party, periods, commitment_share),
        parts=[],
        denied=denied,
        notes=outside_horizon(workloads, periods),
    )
    view = ProblemArrays(problem, rules, feasible, class_of)
    for k in sorted(feasible.settled):
        part = rules.records[k].spec.plan_part(k, view)
        if part is not None:
            problem.parts.append(part)
    return problem


def _classes(groups: list[Group]) -> tuple[Ints, list[Group]]:
    """Each group's signature class and one representative group per class.

    Feasibility depends only on a workload's signature (its attributes), not on its window
    or size: the static filters and the decision engine run once per signature class over
    offers × periods, and every group reads its class's answers."""
    class_of = np.zeros(len(groups), dtype=np.int64)
    reps: list[Group] = []
    seen: dict[tuple[Any, ...], int] = {}
    for g in groups:
        key = _signature(g.spec, g.owner)
        if key not in seen:
            seen[key] = len(reps)
            reps.append(g)
        class_of[g.index] = seen[key]
    return class_of, reps


def _triples(
    rules: Rules,
    groups: list[Group],
    class_of: Ints,
    feasible: ClassFeasibility,
    demand: F,
    cap: F,
    price: F,
    gang_candidates: int | None,
) -> tuple[Ints, Ints, Ints, Ints, Ints, dict[tuple[int, int, int], str]]:
    """The feasible triples (group, offer, period index arrays), the gang candidates (group,
    offer) and the denied triples with the clause that denies each."""
    n_o = len(price)
    parts_w: list[Ints] = []
    parts_o: list[Ints] = []
    parts_t: list[Ints] = []
    denied: dict[tuple[int, int, int], str] = {}
    gang_w: list[Ints] = []
    gang_o: list[Ints] = []
    any_denied = bool((feasible.forbid >= 0).any())
    for g in groups:
        c = int(class_of[g.index])
        active = demand[g.index] > 0
        if any_denied:
            forbid = feasible.forbid[c]
            for o, t in zip(*np.nonzero((forbid >= 0) & active[None, :]), strict=True):
                denied[(g.index, int(o), int(t))] = rules.records[int(forbid[o, t])].id
        usable = feasible.ok[c] & active[None, :]
        if g.gang:
            cand = _gang_candidates(g, feasible, c, active, demand, cap, price, gang_candidates)
            gang_w.append(np.full(len(cand), g.index, dtype=np.int64))
            gang_o.append(cand)
            # a gang job's triples: its candidates only (no other offer can take it)
            only = np.zeros(n_o, dtype=bool)
            only[cand] = True
            usable &= only[:, None]
        o_idx, t_idx = np.nonzero(usable)
        parts_w.append(np.full(len(o_idx), g.index, dtype=np.int64))
        parts_o.append(o_idx)
        parts_t.append(t_idx)

    def cat(parts: list[Ints]) -> Ints:
        return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, dtype=np.int64)

    return cat(parts_w), cat(parts_o), cat(parts_t), cat(gang_w), cat(gang_o), denied


def _gang_candidates(
    g: Group,
    feasible: ClassFeasibility,
    c: int,
    active: B,
    demand: F,
    cap: F,
    price: F,
    gang_candidates: int | None,
) -> Ints:
    """A gang job's candidate offers: feasible in every month of its window, with room every
    month (restricted to 4 × ``gang_candidates`` of them when given)."""
    ok = feasible.ok[c]
    fits = ok[:, active].all(axis=1) & (cap[:, active] >= demand[g.index, active]).all(axis=1)
    cand = np.flatnonzero(fits)
    if gang_candidates is not None and len(cand) > 4 * gang_candidates:
        under = feasible.conditional[c][cand][:, active].any(axis=1)
        cand = _restrict(cand, under, price, g.index, gang_candidates)
    return cand


def _restrict(cand: Ints, under: B, price: F, seed: int, k: int) -> Ints:
    """Of a gang job's candidate offers, the ``k`` cheapest not conditional on a clause the plan
    must settle (a ROFR) and ``k`` more
    drawn at random among them (seeded by the job: the same every run), and likewise among
    those under one. The random ones spread jobs over offers that the cheapest, shared by
    every job, would soon fill."""
    rng = np.random.default_rng(seed)
    keep: list[Ints] = []
    for side in (~under, under):
        pool = cand[side]
        if len(pool) <= 2 * k:
            keep.append(pool)
            continue
        order = np.argsort(price[pool], kind="stable")
        cheapest, rest = pool[order[:k]], pool[order[k:]]
        keep += [cheapest, rng.choice(rest, size=k, replace=False)]
    return np.sort(np.concatenate(keep))


class ProblemArrays:
    """The :class:`~charter.clauses.planning.ProblemView` that constraining clauses build
    their parts over: the problem's triples and the class feasibility behind them."""

    def __init__(
        self, pb: Problem, rules: Rules, feasible: ClassFeasibility, class_of: Ints
    ) -> None:
        self.offers = pb.offers
        self.providers_of = rules.providers_of
        self.n_periods = len(pb.periods)
        self.tw, self.to, self.tt = pb.tw, pb.to, pb.tt
        self.signature = class_of
        self._feasible = feasible

    def conditional_on(self, record: int) -> Ints:
        mask = self._feasible.settled.get(record)
        if mask is None or not len(self.tw):
            return np.zeros(0, dtype=np.int64)
        return np.flatnonzero(mask[self.signature[self.tw], self.to, self.tt]).astype(np.int64)

    def usable(self, signature: int, month: int) -> B:
        return self._feasible.ok[signature, :, month]
