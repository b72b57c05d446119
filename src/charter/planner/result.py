"""A plan: placements per (workload, offer, month) with cost, and what they add up to."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from charter.clauses import KINDS
from charter.clauses.planning import PlanPart
from charter.errors import SolverError
from charter.planner.model import Model, ModelArrays
from charter.planner.outcome import Solution
from charter.planner.problem import Problem
from charter.planner.verify import COST_TOLERANCE, inconsistency

__all__ = ["Placement", "Plan", "audit", "extract", "part_stats", "summarize", "unmet_demand"]

#: The plan document's keys for what constraining kinds report (present, empty, when no
#: clause of the kind is in force).
REPORT_KEYS = tuple(k.plan_report for k in KINDS if k.constrains and k.plan_report)
STAT_KEYS = tuple(name for k in KINDS if k.constrains for name in k.plan_stats)

# a bound above the plan's cost by more than this (relative) is an error, by less it is the
# solvers' tolerances (primal and dual feasibility 1e-7) and the bound is taken as the cost
BOUND_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Placement:
    workload: str
    offer: str
    provider: str
    family: str
    period: str
    hours: float
    cost: float


@dataclass
class Plan:
    """The planner's answer. ``status`` is optimal, feasible or infeasible (with a reason)."""

    status: str
    placements: list[Placement]
    cost: float | None
    bound: float | None
    gap: float | None
    bound_method: str
    stats: dict[str, Any]
    commitments: list[dict[str, Any]] = field(default_factory=list)
    # demand left unserved at its workload's penalty: workload copy, month, hours, penalty
    unmet: list[dict[str, Any]] = field(default_factory=list)
    # what the clauses that constrain plans report, by document key (``rofr_requests``)
    reports: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    by_provider_year: list[dict[str, Any]] = field(default_factory=list)
    infeasibility: dict[str, Any] | None = None
    clause_costs: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def rofr_requests(self) -> list[dict[str, Any]]:
        """Third-party capacity the plan takes that must first be offered to a ROFR holder
        (the ``rofr_requests`` report)."""
        return self.reports.get("rofr_requests", [])

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "cost": self.cost,
            "bound": self.bound,
            "gap": self.gap,
            "bound_method": self.bound_method,
            "stats": self.stats,
            "by_provider_year": self.by_provider_year,
            "commitments": self.commitments,
            "unmet": self.unmet,
            **{key: self.reports.get(key, []) for key in REPORT_KEYS},
            **{key: rows for key, rows in self.reports.items() if key not in REPORT_KEYS},
            "clause_costs": self.clause_costs,
            "infeasibility": self.infeasibility,
            "notes": self.notes,
            "placements": [p.__dict__ for p in self.placements],
        }


def extract(pb: Problem, model: Model, sol: Solution) -> tuple[list[Placement], dict[str, Any]]:
    """Placements from a solution, split back onto the members of aggregated groups."""
    if sol.values is None:
        return [], {}
    v = sol.values
    out: list[Placement] = []
    frac = model.frac
    shares = served_shares(pb, model, v)
    for col in np.flatnonzero(v[model.x] > 1e-6):
        j = frac[col]
        g = pb.groups[int(pb.tw[j])]
        o = pb.offers[int(pb.to[j])]
        t = int(pb.tt[j])
        period = pb.periods[t].label
        for name, share in zip(g.members, shares.get(g.index, g.shares)[:, t], strict=True):
            hours = float(v[col]) * float(share)
            if hours > 1e-6:
                out.append(
                    Placement(name, o.id, o.provider, o.family, period, hours, hours * o.price)
                )
    for k in np.flatnonzero(v[model.y] > 0.5):
        g = pb.groups[int(pb.gang_w[k])]
        o = pb.offers[int(pb.gang_o[k])]
        for tt in np.flatnonzero(pb.demand[g.index] > 0):
            hours = float(pb.demand[g.index, tt])
            out.append(
                Placement(
                    g.members[0],
                    o.id,
                    o.provider,
                    o.family,
                    pb.periods[int(tt)].label,
                    hours,
                    hours * o.price,
                )
            )
    out.sort(key=lambda p: (p.period, p.workload, p.offer))
    shortfall = v[model.s]
    shortfalls = {c.clause: float(shortfall[i]) for i, c in enumerate(pb.commitments)}
    unmet_cost = float(model.cost[model.u] @ v[model.u]) if model.n_u else 0.0
    return out, {"shortfalls": shortfalls, "unmet_cost": unmet_cost}


def served_shares(
    pb: Problem, model: Model, v: npt.NDArray[np.float64]
) -> dict[int, npt.NDArray[np.float64]]:
    """Each member's share of the hours its group is served, month by month, for the
    fractional groups the solution leaves demand unmet in (elsewhere a member's share of the
    demand, :attr:`~charter.planner.problem.Group.shares`): a level's members keep its
    unmet hours in proportion to their demand, so each member's unserved hours are priced
    at its own penalty."""
    unserved: dict[int, npt.NDArray[np.float64]] = {}
    part = np.flatnonzero((model.unmet_t >= 0) & (v[model.u] > 1e-9))
    for i in part.tolist():
        g = pb.groups[int(model.unmet_w[i])]
        if g.index not in unserved:
            unserved[g.index] = np.zeros_like(g.member_demand)
        t = int(model.unmet_t[i])
        members = g.levels[int(model.unmet_level[i])][1]
        level = g.member_demand[members, t]
        unserved[g.index][members, t] = level * min(1.0, float(v[model.u][i]) / level.sum())
    out: dict[int, npt.NDArray[np.float64]] = {}
    for w, left in unserved.items():
        served = np.maximum(pb.groups[w].member_demand - left, 0.0)
        total = served.sum(axis=0)
        out[w] = np.divide(served, total, out=np.zeros_like(served), where=total > 0)
    return out


def unmet_demand(pb: Problem, placements: list[Placement]) -> list[dict[str, Any]]:
    """The demand the placements leave unserved, per workload copy and month, for every
    workload that prices it (demand − hours placed; a negative figure is the placements'
    error, not unmet demand, and raises).

    Raises:
        SolverError: a copy placed more than its demand in a month.
    """
    placed: dict[tuple[str, str], float] = defaultdict(float)
    for p in placements:
        placed[(p.workload, p.period)] += p.hours
    out: list[dict[str, Any]] = []
    for g in pb.groups:
        if not g.priced:
            continue
        for m, name in enumerate(g.members):
            need, penalty = g.member_demand[m], float(g.penalties[m])
            for t in np.flatnonzero(need > 0).tolist():
                label = pb.periods[t].label
                left = float(need[t]) - placed.get((name, label), 0.0)
                if left < -max(1e-6, 1e-9 * float(need[t])):
                    raise SolverError(
                        f"the solver's plan places more than the demand of {name} in {label}"
                    )
                if left > max(1e-6, 1e-9 * float(need[t])):
                    row = {"workload": name, "period": label, "hours": left}
                    out.append({**row, "penalty": left * penalty})
    out.sort(key=lambda u: (u["period"], u["workload"]))
    return out


def audit(
    pb: Problem,
    model: Model,
    sol: Solution,
    placements: list[Placement],
    extra: dict[str, Any],
) -> tuple[float, float | None, dict[str, float], list[dict[str, Any]]]:
    """The plan's cost from its placements, checked against what the solver reported.

    The placements are the plan handed out; their cost (hours × price, summed) plus what each
    commitment still lacks after them (committed − spent on its providers in its window, at
    least 0) plus the penalty of the demand they leave unmet (demand − placed, for workloads
    that price it) is the plan's cost. The solver's objective must equal the placements' cost
    plus the solver's own shortfall and unmet-demand columns, its values must keep every row
    of the model, and its bound must not exceed the cost; any disagreement raises
    :class:`SolverError` rather than let a figure through.

    Returns:
        the cost, the solver's bound (None if it has none yet; taken down to the cost within
        tolerance), each commitment's shortfall and the unmet demand, these recomputed from
        the placements.
    """
    shortfalls: dict[str, float] = extra["shortfalls"]
    if sol.values is None or sol.objective is None:
        raise SolverError(f"the solver returned no plan to check (status {sol.label})")
    problem = inconsistency(model, sol.values, sol.objective)
    if problem is not None:
        raise SolverError(f"the solver's plan failed charter's check: {problem}")
    placed = math.fsum(p.cost for p in placements)  # correctly rounded: no drift with size
    month = {q.label: i for i, q in enumerate(pb.periods)}
    owed: dict[str, float] = {}
    for c in pb.commitments:
        spent = math.fsum(
            p.cost for p in placements if p.provider in c.providers and c.periods[month[p.period]]
        )
        owed[c.clause] = max(0.0, float(c.amount) - spent)
    unmet = unmet_demand(pb, placements)
    penalty = math.fsum(u["penalty"] for u in unmet)
    solver_unmet = float(extra.get("unmet_cost", 0.0))
    solver_view = placed + sum(shortfalls.values()) + solver_unmet
    scale = max(1.0, abs(sol.objective), abs(solver_view))
    if abs(solver_view - sol.objective) > COST_TOLERANCE * scale + 0.01:
        raise SolverError(
            f"the solver reported a plan costing {sol.objective:,.2f}, but its placements cost "
            f"{placed:,.2f}, its commitment shortfalls {sum(shortfalls.values()):,.2f} and "
            f"its unmet demand {solver_unmet:,.2f}"
        )
    if abs(solver_unmet - penalty) > COST_TOLERANCE * scale + 0.01:
        raise SolverError(
            f"the solver prices the unmet demand at {solver_unmet:,.2f}, but its placements "
            f"leave demand unmet that costs {penalty:,.2f} in penalties"
        )
    for clause, need in owed.items():
        if shortfalls.get(clause, 0.0) < need - COST_TOLERANCE * scale:
            raise SolverError(
                f"the solver counts a shortfall of {shortfalls.get(clause, 0.0):,.2f} on "
                f"{clause}, but the placements leave {need:,.2f} of it unspent"
            )
    cost = math.fsum([placed, *owed.values(), penalty])
    # a bound from duals or a dual bound may sit above the optimum by the solver's tolerances
    bound = sol.bound if sol.bound is not None and np.isfinite(sol.bound) else None
    if bound is not None:
        if bound > cost + BOUND_TOLERANCE * scale + 0.01:
            raise SolverError(
                f"the solver's bound {bound:,.2f} is above the plan's cost {cost:,.2f}: "
                "a bound must be below every plan"
            )
        bound = min(bound, cost)
    return cost, bound, owed, unmet


def summarize(
    result: Plan, pb: Problem, shortfalls: dict[str, float], model: Model, sol: Solution
) -> None:
    """Fill in the plan's spend and hours per provider and year, its commitments (spent,
    shortfall) and what each clause constraining plans reports of it (the ROFR: the requests
    it makes of the holder)."""
    spend: dict[tuple[str, str], float] = defaultdict(float)
    hours: dict[tuple[str, str], float] = defaultdict(float)
    year_hours: dict[str, float] = defaultdict(float)
    for p in result.placements:
        year = p.period[:4]
        spend[(p.provider, year)] += p.cost
        hours[(p.provider, year)] += p.hours
        year_hours[year] += p.hours
    result.by_provider_year = [
        {
            "provider": prov,
            "year": year,
            "spend": spend[(prov, year)],
            "hours": hours[(prov, year)],
            "share_of_hours": hours[(prov, year)] / year_hours[year] if year_hours[year] else 0,
        }
        for prov, year in sorted(spend)
    ]
    month = {q.label: i for i, q in enumerate(pb.periods)}
    for c in pb.commitments:
        spent = sum(
            p.cost
            for p in result.placements
            if p.provider in c.providers and c.periods[month[p.period]]
        )
        result.commitments.append(
            {
                "clause": c.clause,
                "providers": list(c.providers),
                "committed": c.amount,
                "spent": spent,
                "shortfall": shortfalls.get(c.clause, max(0.0, c.amount - spent)),
            }
        )
    if sol.values is not None and pb.parts:
        view = ModelArrays(pb, model.frac, model.y.start)
        for part in sorted(pb.parts, key=lambda p: p.clause):
            rows = part.report(view, sol.values)
            result.reports.setdefault(part.report_key, []).extend(rows)


def part_stats(parts: list[PlanPart]) -> dict[str, int]:
    """The figures constraining parts add to a plan's statistics, summed by name."""
    out = dict.fromkeys(STAT_KEYS, 0)
    for part in parts:
        for name, value in part.stats().items():
            out[name] = out.get(name, 0) + value
    return out
