"""A plan: placements per (workload, offer, month) with cost, and what they add up to."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from charter.planner.problem import Problem
from charter.planner.solver import Model, Solution

__all__ = ["Placement", "Plan", "extract"]


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
    rofr_requests: list[dict[str, Any]] = field(default_factory=list)
    by_provider_year: list[dict[str, Any]] = field(default_factory=list)
    infeasibility: dict[str, Any] | None = None
    clause_costs: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

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
            "rofr_requests": self.rofr_requests,
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
    for col in np.flatnonzero(v[: model.n_x] > 1e-6):
        j = frac[col]
        g = pb.groups[int(pb.tw[j])]
        o = pb.offers[int(pb.to[j])]
        t = int(pb.tt[j])
        period = pb.periods[t].label
        for name, share in zip(g.members, g.shares[:, t], strict=True):
            hours = float(v[col]) * float(share)
            if hours > 1e-6:
                out.append(
                    Placement(name, o.id, o.provider, o.family, period, hours, hours * o.price)
                )
    y0 = model.n_x
    for k in np.flatnonzero(v[y0 : y0 + model.n_y] > 0.5):
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
    s0 = model.n_x + model.n_y
    shortfalls = {c.clause: float(v[s0 + i]) for i, c in enumerate(pb.commitments)}
    return out, {"shortfalls": shortfalls}
