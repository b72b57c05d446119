"""Why no plan exists, in the scenario's terms.

HiGHS's own IIS covers LPs only, and the model has binaries, so the explanation works on
groups of constraints the user recognises: a clause (relaxed by taking it out of the
scenario), an offer's capacity (relaxed by lifting it), a workload's demand (relaxed by
dropping the workload). A deletion filter keeps a group only if relaxing it alone (with the
groups already found unnecessary relaxed too) makes a plan possible; what remains is an
irreducible set: take away any one of them and a plan exists. Groups unrelated to the
workloads that cannot be placed are tried first, in bulk, to save solves.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from charter.model import OfferSpec, WorkloadCopy, WorkloadSpec
from charter.planner.model import build_model
from charter.planner.outcome import SolveStatus
from charter.planner.problem import Problem, build_problem
from charter.planner.progress import ProgressEvent, ProgressListener, Stage
from charter.planner.solver import solve
from charter.scenario import Scenario

__all__ = ["explain_infeasible"]

Group = tuple[str, str]  # (kind, id): ("clause", id), ("capacity", offer), ("demand", workload)


def explain_infeasible(
    scenario: Scenario,
    pb: Problem,
    *,
    start: str | None,
    end: str | None,
    events: dict[str, str] | None,
    report: ProgressListener,
    time_limit: float = 20.0,
) -> dict[str, Any]:
    """The conflicting clauses, capacities and demands, with a message.

    A little over sixty lines: the deletion filter and its cached feasibility test share
    the scenario's pieces, so the test is a closure rather than a function of eight."""
    party = scenario.data.meta.plan.party if scenario.data.meta.plan else ""
    share = scenario.data.meta.plan.commitment_share if scenario.data.meta.plan else 1.0
    periods = pb.periods
    offers = scenario.data.offers
    workloads = scenario.data.workloads
    clause_ids = sorted(set(pb.denied.values()) | {p.clause for p in pb.parts})
    groups: list[Group] = (
        [("clause", c) for c in clause_ids]
        + [("capacity", o.id) for o in offers]
        + [("demand", w.id) for w in workloads]
    )
    cache: dict[frozenset[Group], bool] = {}

    def feasible(relaxed: frozenset[Group]) -> bool:
        if relaxed in cache:
            return cache[relaxed]
        drop_clauses = [g[1] for g in relaxed if g[0] == "clause"]
        lift = {g[1] for g in relaxed if g[0] == "capacity"}
        drop_w = {g[1] for g in relaxed if g[0] == "demand"}
        sc = scenario.without(drop_clauses)
        offs = tuple(
            o.model_copy(update={"capacity": 1e15, "capacity_by_period": {}}) if o.id in lift else o
            for o in offers
        )
        wls: tuple[WorkloadSpec, ...] = tuple(w for w in workloads if w.id not in drop_w)
        if not wls:
            cache[relaxed] = True
            return True
        p2 = build_problem(
            sc.rules(events), offs, wls, periods, party=party, commitment_share=share
        )
        sol = solve(build_model(p2), time_limit=time_limit, gap=1e-2)
        ok = sol.status != SolveStatus.INFEASIBLE
        cache[relaxed] = ok
        return ok

    if feasible(frozenset()):
        return {"message": "the solver found no plan in time, but no conflict was proven"}
    # workloads that cannot be placed even with every other workload gone are the focus
    stuck = _stuck_workloads(pb)
    related = _related(groups, stuck, pb, offers, workloads)
    relaxed: set[Group] = set()
    unrelated = [g for g in groups if g not in related]
    if unrelated and not feasible(frozenset(unrelated)):
        relaxed |= set(unrelated)
    kept: list[Group] = []
    for g in [g for g in groups if g not in relaxed]:
        report(ProgressEvent(Stage.EXPLAIN, f"testing {g[0]} {g[1]}"))
        trial = frozenset(relaxed | {g})
        if feasible(trial):
            kept.append(g)  # needed: relaxing it alone removes the conflict
        else:
            relaxed.add(g)
    return _describe(kept, pb, offers, workloads)


def _stuck_workloads(pb: Problem) -> set[str]:
    placed = np.zeros(len(pb.groups), dtype=bool)
    placed[pb.tw] = True
    out: set[str] = set()
    for g in pb.groups:
        if not placed[g.index] or (g.gang and g.index not in set(pb.gang_w.tolist())):
            out.update(WorkloadCopy.parse(m).workload for m in g.members)
    return out


def _related(
    groups: list[Group],
    stuck: set[str],
    pb: Problem,
    offers: tuple[OfferSpec, ...],
    workloads: tuple[WorkloadSpec, ...],
) -> set[Group]:
    if not stuck:
        return set(groups)
    fams = {f for w in workloads if w.id in stuck for f in w.families}
    rel: set[Group] = {("demand", w) for w in stuck}
    rel |= {("capacity", o.id) for o in offers if o.family in fams}
    rel |= {("demand", w.id) for w in workloads if set(w.families) & fams}
    stuck_groups = {
        g.index for g in pb.groups if {WorkloadCopy.parse(m).workload for m in g.members} & stuck
    }
    rel |= {("clause", c) for (w, _, _), c in pb.denied.items() if w in stuck_groups}
    rel |= {("clause", p.clause) for p in pb.parts}
    return rel


def _describe(
    kept: list[Group],
    pb: Problem,
    offers: tuple[OfferSpec, ...],
    workloads: tuple[WorkloadSpec, ...],
) -> dict[str, Any]:
    by_id_o = {o.id: o for o in offers}
    by_id_w = {w.id: w for w in workloads}
    clauses = [g[1] for g in kept if g[0] == "clause"]
    caps = [g[1] for g in kept if g[0] == "capacity"]
    demands = [g[1] for g in kept if g[0] == "demand"]
    parts = []
    for c in clauses:
        parts.append(f"clause {c} rules out placements the plan would need")
    for o in caps:
        offer = by_id_o[o]
        label = " (assumed)" if offer.assumed_capacity else ""
        parts.append(f"offer {o} has {offer.capacity:,.0f} accelerator-hours a month{label}")
    for w in demands:
        wl = by_id_w[w]
        parts.append(
            f"workload {w} needs {wl.demand:,.0f} accelerator-hours a month from {wl.start} "
            f"to {wl.end}" + (" on one offer (gang)" if wl.gang else "")
        )
    message = (
        "No plan exists: these conflict, and relaxing any one of them makes a plan possible: "
        + "; ".join(parts)
        + "."
    )
    return {"clauses": clauses, "offers": caps, "workloads": demands, "message": message}
