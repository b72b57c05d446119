"""Planning: where every workload runs, month by month, at least cost, breaching no clause.

:func:`plan` builds the problem arrays (:mod:`.problem`, feasibility from the decision
engine), the model (:mod:`.solver`, whose docstring states it), warm-starts it from a
ROFR-respecting greedy (:mod:`.greedy`), solves it with HiGHS and reports the plan with its
proven gap. When no plan exists, :mod:`.explain` says which clauses, capacities and demands
conflict. The independent checker (:mod:`charter.check`) never imports this package.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import numpy as np

from charter.errors import RequestError, SolverError
from charter.planner.greedy import greedy
from charter.planner.problem import Problem, build_problem, months
from charter.planner.result import Placement, Plan, audit, extract
from charter.planner.solver import Model, Solution, build_model, solve, subject_columns
from charter.scenario import Scenario

__all__ = ["Placement", "Plan", "plan"]

Progress = Callable[[str], None]


def _noop(message: str) -> None:
    pass


def _horizon(scenario: Scenario, start: str | None, end: str | None) -> tuple[str, str, str]:
    defaults = scenario.data.meta.plan
    if defaults is None and (start is None or end is None):
        raise RequestError(
            "this scenario has no plan: block in scenario.yaml; give --from and --to"
        )
    party = defaults.party if defaults else ""
    return (
        party,
        start or (defaults.from_ if defaults else ""),
        end or (defaults.to if defaults else ""),
    )


def _setup(
    scenario: Scenario,
    start: str | None,
    end: str | None,
    events: dict[str, str] | None,
    aggregate: bool,
    rofr_rows: str | None = None,
    divisible_gangs: bool = False,
    gang_candidates: int | None = None,
) -> tuple[Problem, Model]:
    party, first, last = _horizon(scenario, start, end)
    if not scenario.data.workloads:
        raise RequestError("the scenario has no workloads to plan (workloads.yaml)")
    if not scenario.data.offers:
        raise RequestError("the scenario has no offers to plan on (offers.yaml)")
    periods = months(first, last)
    rules = scenario.rules(events)
    share = scenario.data.meta.plan.commitment_share if scenario.data.meta.plan else 1.0
    pb = build_problem(
        rules,
        scenario.data.offers,
        scenario.data.workloads,
        periods,
        party=party or (scenario.data.workloads[0].owner or ""),
        commitment_share=share,
        aggregate=aggregate,
        divisible_gangs=divisible_gangs,
        gang_candidates=gang_candidates,
    )
    return pb, build_model(pb, rofr_rows=rofr_rows or _rofr_rows(pb))


# The per-triple ROFR rows tighten small models; past this many subject triples they cost
# more LP time than they return and only the per-workload rows are kept.
TRIPLE_ROWS_MAX = 20_000
# Models with more columns than this go down the scale path (column generation + restricted
# MILP) under strategy "auto" (when the decomposition does not apply: few gang jobs).
EXACT_MAX_COLUMNS = 400_000
# Past this many (gang job, offer, month) combinations "auto" decomposes (bound from the
# aggregated relaxation, plan from a restriction rounded from it). Measured at capacity
# about 1.3x demand: at 2,000 workloads x 200 offers x 12 months (660 k combinations) the
# decomposition reached 0.49% in 38 s where HiGHS on the whole model stopped at 1.08% after
# 51 s; at 200 x 50 x 12 (17 k) HiGHS's own bound is the tighter one (0.6% against 1.9%).
DECOMPOSE_ABOVE = 200_000
# Gang candidates kept per job in the restriction: of the offers not under a ROFR, this many
# of the cheapest and this many at random; likewise of those under one.
RESTRICTED_CANDIDATES = 8
# Shares of the time limit by the end of which the decomposition's relaxation bound and its
# rounded plan must be done.
RELAXATION_SHARE = 0.6
ROUNDING_SHARE = 0.9
# Columns the relaxation gives at least this many accelerator-hours join the HiGHS calls of
# the rounding (an interior point leaves every column slightly positive).
GUIDE_HOURS = 1.0
# Alternative candidates per gang job in the neighbourhood search after the rounding.
LNS_ALTERNATIVES = 3
STRATEGIES = ("auto", "exact", "scale", "decompose")
DECOMPOSED_BOUND = (
    "Lagrangian bound of the LP relaxation of the aggregated problem, gang jobs divisible "
    "({method})"
)


def _gang_size(scenario: Scenario, start: str | None, end: str | None) -> int:
    _, first, last = _horizon(scenario, start, end)
    n_t = len(months(first, last))
    jobs = sum(w.count for w in scenario.data.workloads if w.gang)
    return jobs * len(scenario.data.offers) * n_t


def _decomposed(
    scenario: Scenario,
    start: str | None,
    end: str | None,
    events: dict[str, str] | None,
    time_limit: float,
    gap: float,
    progress: Progress,
) -> tuple[Problem, Model, Solution, dict[str, Any]]:
    """Bound from the aggregated relaxation (gang jobs divisible), plan from the restriction
    to a few candidate offers per gang job, rounded from the relaxation's LP."""
    from charter.planner.problem import _signature
    from charter.planner.scale import ScaleInfo, interior_bound, solve_scale

    t0 = time.perf_counter()
    progress("relaxation: gang jobs as divisible work")
    pb_a, m_a = _setup(scenario, start, end, events, True, divisible_gangs=True)
    relax_deadline = t0 + RELAXATION_SHARE * time_limit
    progress(f"relaxation LP: {m_a.n_cols:,} columns, interior point method")
    bound, relaxed_values, ipm_seconds, converged = interior_bound(
        pb_a, m_a, deadline=relax_deadline
    )
    relaxation_method = "interior point method" + ("" if converged else ", stopped early")
    iterations = 0
    if bound is None:
        progress("interior point method out of time: column generation instead")
        left = max(1.0, relax_deadline - time.perf_counter())
        relaxed, info_a = solve_scale(
            pb_a, m_a, time_limit=left, gap=gap, progress=progress, mip=False
        )
        bound, relaxed_values = relaxed.bound, relaxed.values
        relaxation_method = "column generation"
        iterations, converged = info_a.iterations, info_a.converged
    if bound is not None:
        bound = max(bound, 0.0)  # every cost is non-negative
        progress(f"relaxation bound: {bound:,.0f}")
    relaxation_seconds = time.perf_counter() - t0
    progress(f"restriction: up to {4 * RESTRICTED_CANDIDATES} offers per gang job")
    pb, model = _setup(scenario, start, end, events, True, gang_candidates=RESTRICTED_CANDIDATES)
    guide = None
    allotment = None
    if relaxed_values is not None:
        # the relaxation's hours per (signature, offer, month) guide the rounding
        n_o, n_t = len(pb.offers), len(pb.periods)
        index = {_signature(g.spec, g.owner): g.index for g in pb_a.groups}
        hours = np.zeros((len(pb_a.groups), n_o, n_t))
        j = m_a.frac
        hours[pb_a.tw[j], pb_a.to[j], pb_a.tt[j]] = relaxed_values[: m_a.n_x]
        ga = np.array([index.get(_signature(g.spec, g.owner), -1) for g in pb.groups])
        guide = np.zeros(model.n_cols)
        j = model.frac
        has = ga[pb.tw[j]] >= 0
        guide[: model.n_x][has] = hours[ga[pb.tw[j]][has], pb.to[j][has], pb.tt[j][has]]
        k_has = ga[pb.gang_w] >= 0
        y = hours[ga[pb.gang_w][k_has], pb.gang_o[k_has], :].sum(axis=1)
        guide[model.n_x : model.n_x + model.n_y][k_has] = y
        allotment = (ga, hours)
    if not converged and relaxed_values is None:
        progress("the relaxation did not finish: rounding without its guidance")
    progress("rounding the relaxation onto whole gang placements")
    start_values, slowest = _round(
        pb, model, guide, allotment, deadline=t0 + ROUNDING_SHARE * time_limit, progress=progress
    )
    left = time_limit - (time.perf_counter() - t0)
    # HiGHS's presolve does not heed the deadline: search only with time for two fills left
    if start_values is not None and guide is not None and left > 2 * slowest:
        start_values = _improve(
            pb, model, start_values, guide, bound, gap, deadline=t0 + time_limit, progress=progress
        )
    left = max(1.0, time_limit - (time.perf_counter() - t0))
    if model.n_cols <= EXACT_MAX_COLUMNS or start_values is None:
        sol, info = solve_scale(
            pb,
            model,
            time_limit=left,
            gap=gap,
            start=start_values,
            progress=progress,
            valid_bound=bound,
        )
    else:
        # column generation on a restriction this large does not pay back in time (measured
        # at L and XL sizes): the rounded plan stands against the relaxation's bound
        info = ScaleInfo()
        cost = float(model.cost @ start_values)
        gap_value = None if bound is None else max(0.0, (cost - bound) / max(cost, 1e-9))
        status = "optimal" if gap_value is not None and gap_value <= gap else "feasible"
        sol = Solution(status, cost, bound, start_values, 0.0, 0, gap_value)
    details = {
        "relaxation_columns": m_a.n_cols,
        "relaxation_method": relaxation_method,
        "relaxation_iterations": iterations,
        "relaxation_converged": converged,
        "relaxation_seconds": round(relaxation_seconds, 3),
        "interior_point_seconds": round(ipm_seconds, 3),
        "restricted_gang_candidates": int(model.n_y),
        "iterations": info.iterations,
        "columns_generated": info.columns_generated,
        "columns_in_mip": info.columns_in_mip,
        "warm": start_values is not None,
    }
    return pb, model, sol, details


def _round(
    pb: Problem,
    model: Model,
    guide: Any,
    allotment: Any,
    *,
    deadline: float,
    progress: Progress,
) -> tuple[Any, float]:
    """The cheapest plan of several roundings of the relaxation (and the seconds the slowest
    HiGHS call took): the greedy guided by it;
    gang jobs placed by the relaxation's hours (``place_gangs`` with an allotment) or by the
    guide, with the fractional hours and ROFR binaries then left to HiGHS (``fill``, over the
    columns the guide uses and each row's cheapest, then over every column); the plain
    greedy and plain placements only when nothing else found a plan."""
    from charter.planner.greedy import fill, place_gangs

    best: Any = None
    slowest = 0.0
    cols = _rounding_columns(model, guide)

    def keep(values: Any, how: str) -> None:
        nonlocal best
        if values is None:
            return
        progress(f"{how}: a plan at {model.cost @ values:,.0f}")
        if best is None or model.cost @ values < model.cost @ best:
            best = values

    if guide is not None:
        keep(greedy(pb, model, guide), "greedy guided by the relaxation")
    ways: list[tuple[str, Any, Any]] = []
    if guide is not None:
        ways.append(("gang jobs by the relaxation's favourite offers", guide, None))
    if allotment is not None:
        ways.append(("gang jobs by the relaxation's hours", None, allotment))
    for how, g, a in [*ways, ("cheapest-first gang jobs", None, None)]:
        if time.perf_counter() > deadline:
            break
        if a is None and g is None and best is not None:
            break
        placed = place_gangs(pb, model, g, allotment=a)
        if placed is None:
            continue
        for columns in (cols, None):
            if deadline - time.perf_counter() < slowest:
                break  # not enough time for another call as slow as the slowest so far
            began = time.perf_counter()
            values = fill(pb, model, placed, deadline=deadline, columns=columns)
            slowest = max(slowest, time.perf_counter() - began)
            if values is not None:
                keep(values, how + ", the rest by HiGHS")
                break
    if best is None:
        keep(greedy(pb, model), "greedy")
    return best, slowest


def _rounding_columns(model: Model, guide: Any) -> Any:
    """The fractional columns the rounding's HiGHS calls get: each row's 3 cheapest and those
    the relaxation gives at least ``GUIDE_HOURS``."""
    from charter.planner.scale import start_columns

    cols = start_columns(model, 3)
    if guide is None:
        return cols
    return np.union1d(cols, np.flatnonzero(guide[: model.n_x] >= GUIDE_HOURS))


def _improve(
    pb: Problem,
    model: Model,
    values: Any,
    guide: Any,
    bound: float | None,
    gap: float,
    *,
    deadline: float,
    progress: Progress,
) -> Any:
    """Large-neighbourhood search from the rounded plan: every gang job may move to one of
    its ``LNS_ALTERNATIVES`` candidates the relaxation favours most; HiGHS re-optimises
    placements, fractional hours and ROFR binaries together from the incumbent."""
    from charter.planner.greedy import fill

    y0 = model.n_x
    cost = float(model.cost @ values)
    if bound is not None and bound > 0 and cost <= bound / (1 - gap):
        return values
    placed = np.flatnonzero(values[y0 : y0 + model.n_y] > 0.5)
    alternatives = []
    for ks in pb.candidates_by_gang().values():
        order = np.lexsort((model.cost[y0 + ks], -guide[y0 + ks]))
        alternatives.append(ks[order[:LNS_ALTERNATIVES]])
    free = np.concatenate(alternatives) if alternatives else np.zeros(0, dtype=np.int64)
    cols = _rounding_columns(model, guide)
    progress(f"neighbourhood search: {len(free):,} alternative placements")
    better = fill(
        pb,
        model,
        placed,
        deadline=deadline - 0.05 * (deadline - time.perf_counter()),
        columns=cols,
        free=free,
        start=values,
        gap=gap / 4,
    )
    if better is not None and model.cost @ better < cost - 1e-6:
        progress(f"neighbourhood search: a plan at {model.cost @ better:,.0f}")
        return better
    return values


def _rofr_rows(pb: Problem) -> str:
    subject = sum(len(g.subject) for g in pb.rofr)
    return "both" if subject <= TRIPLE_ROWS_MAX else "workload"


def _solve(
    pb: Problem,
    model: Model,
    time_limit: float,
    gap: float,
    partial: tuple[Any, Any] | None = None,
) -> tuple[Solution, bool]:
    deadline = time.perf_counter() + time_limit
    start = greedy(pb, model)
    sol = solve(
        model, time_limit=time_limit, gap=gap, start=start, partial=partial, deadline=deadline
    )
    return sol, start is not None


def plan(
    scenario: Scenario,
    *,
    start: str | None = None,
    end: str | None = None,
    events: dict[str, str] | None = None,
    time_limit: float = 60.0,
    gap: float = 1e-3,
    aggregate: bool = True,
    clause_costs: bool = False,
    explain: bool = True,
    strategy: str = "auto",
    progress: Progress = _noop,
) -> Plan:
    """Plan the scenario's workloads on its offers.

    Args:
        start, end: first and last month (default: the scenario's ``plan:`` block).
        events: assumed event dates.
        time_limit: seconds for the main solve.
        gap: relative optimality gap at which to stop.
        clause_costs: also report what each clause in force costs.
        explain: when no plan exists, find the clauses, capacities and demands that conflict.
        strategy: ``exact`` (HiGHS on the whole model; its dual bound), ``scale`` (column
            generation for a Lagrangian bound of the LP relaxation, then a MILP over the
            generated columns: :mod:`.scale`), ``decompose`` (bound from the relaxation where
            gang jobs are divisible, plan from the restriction to a few candidate offers per
            gang job, rounded from the relaxation and improved by a neighbourhood search) or
            ``auto`` (decompose past ``DECOMPOSE_ABOVE`` gang combinations; otherwise exact
            up to ``EXACT_MAX_COLUMNS`` columns and scale beyond).
    """
    if strategy not in STRATEGIES:
        raise RequestError(f"unknown strategy {strategy!r}; use one of {', '.join(STRATEGIES)}")
    t0 = time.perf_counter()
    chosen = strategy
    if chosen == "auto" and _gang_size(scenario, start, end) > DECOMPOSE_ABOVE:
        chosen = "decompose"
    scale_info: dict[str, Any] | None = None
    if chosen == "decompose":
        pb, model, sol, scale_info = _decomposed(
            scenario, start, end, events, time_limit, gap, progress
        )
        built = 0.0
        sol.seconds = time.perf_counter() - t0  # both builds and solves
        warm = bool(scale_info["warm"])
        bound_method = DECOMPOSED_BOUND.format(method=scale_info["relaxation_method"])
    else:
        progress("building the problem (feasibility from the decision engine)")
        pb, model = _setup(scenario, start, end, events, aggregate)
        built = time.perf_counter() - t0
        progress(
            f"solving: {model.n_cols:,} columns ({model.n_y + model.n_z:,} binary), "
            f"{model.matrix.shape[0]:,} rows"
        )
    if chosen == "auto":
        chosen = "exact" if model.n_cols <= EXACT_MAX_COLUMNS else "scale"
    if chosen == "decompose":
        pass
    elif chosen == "exact":
        sol, warm = _solve(pb, model, time_limit, gap)
        bound_method = "MILP dual bound (HiGHS branch and bound on the tightened model)"
    else:
        from charter.planner.scale import BOUND_METHOD, solve_scale

        progress("greedy start (ROFR-respecting)")
        start_values = greedy(pb, model)
        sol, info = solve_scale(
            pb, model, time_limit=time_limit, gap=gap, start=start_values, progress=progress
        )
        warm = start_values is not None
        bound_method = BOUND_METHOD
        scale_info = {
            "iterations": info.iterations,
            "converged": info.converged,
            "lp_value": info.lp_value,
            "columns_generated": info.columns_generated,
            "columns_in_mip": info.columns_in_mip,
            "lp_seconds": round(info.lp_seconds, 3),
            "mip_seconds": round(info.mip_seconds, 3),
        }
    stats: dict[str, Any] = {
        "strategy": chosen,
        "periods": len(pb.periods),
        "workloads": len(scenario.data.workloads),
        "groups": len(pb.groups),
        "offers": len(pb.offers),
        "feasible_triples": len(pb.tw),
        "columns": model.n_cols,
        "binaries": int(model.integer.sum()),
        "rows": int(model.matrix.shape[0]),
        "nonzeros": int(model.matrix.nnz),
        "rofr_groups": len(pb.rofr),
        "build_seconds": round(built, 3),
        "solve_seconds": round(sol.seconds, 3),
        "nodes": sol.nodes,
        "warm_start": warm,
        "solver": "HiGHS",
        "status": sol.status,
    }
    if scale_info is not None:
        stats["scale"] = scale_info
    if sol.rejected is not None:
        raise SolverError(
            f"HiGHS's answer failed charter's check of it ({sol.rejected}); no plan is "
            "reported rather than a wrong one. Try another --strategy, or report it with "
            "the scenario"
        )
    if sol.values is None:
        result = Plan(
            status="infeasible" if sol.status == "infeasible" else sol.status,
            placements=[],
            cost=None,
            bound=sol.bound,
            gap=None,
            bound_method=bound_method,
            stats=stats,
            notes=list(pb.notes),
        )
        if sol.status == "infeasible" and explain:
            from charter.planner.explain import explain_infeasible

            progress("no plan exists: finding the clauses, capacities and demands that conflict")
            result.infeasibility = explain_infeasible(
                scenario, pb, start=start, end=end, events=events, progress=progress
            )
        return result
    placements, extra = extract(pb, model, sol)
    cost, owed = audit(pb, model, sol, placements, extra["shortfalls"])
    bound = sol.bound if sol.bound is not None and np.isfinite(sol.bound) else None
    notes = list(pb.notes)
    if sol.recovered:
        notes.append(sol.recovered)
    result = Plan(
        status=sol.status,
        placements=placements,
        cost=cost,
        bound=bound,
        gap=None if bound is None else max(0.0, (cost - bound) / max(abs(cost), 1e-9)),
        bound_method=bound_method,
        stats=stats,
        notes=notes,
    )
    _summarize(result, pb, owed, model, sol)
    if clause_costs:
        result.clause_costs = _clause_costs(
            scenario, pb, model, sol, start, end, events, time_limit, gap, progress
        )
    return result


def _summarize(
    result: Plan, pb: Problem, shortfalls: dict[str, float], model: Model, sol: Solution
) -> None:
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
    # ROFR requests: third-party capacity the plan takes that must first be offered
    used: dict[tuple[str, str, str, str, str], float] = defaultdict(float)
    v = sol.values
    if v is not None and pb.rofr:
        g_of, j, t_of, col, is_gang = subject_columns(pb, model.frac, model.n_x, 0, model.n_x)
        amount = np.where(is_gang, np.where(v[col] > 0.5, pb.demand[pb.tw[j], t_of], 0.0), v[col])
        for i in np.flatnonzero(amount > 1e-6).tolist():
            g = pb.rofr[int(g_of[i])]
            key = (
                g.clause,
                pb.periods[g.period].label,
                g.family,
                pb.offers[int(pb.to[j[i]])].id,
                pb.groups[int(pb.tw[j[i]])].members[0],
            )
            used[key] += float(amount[i])
        result.rofr_requests = [
            {
                "clause": clause,
                "period": period,
                "family": family,
                "offer": offer,
                "workload": workload,
                "hours": h,
                "holder": next(g.holder for g in pb.rofr if g.clause == clause),
            }
            for (clause, period, family, offer, workload), h in sorted(used.items())
        ]


def _clause_costs(
    scenario: Scenario,
    pb: Problem,
    model: Model,
    sol: Solution,
    start: str | None,
    end: str | None,
    events: dict[str, str] | None,
    time_limit: float,
    gap: float,
    progress: Progress,
) -> list[dict[str, Any]]:
    """cost(with clause) − cost(without clause), for every deciding clause in force.

    Both sides are solved to optimality (gap 0), so that a figure is the difference of two
    optima and not of two plans that each stopped somewhere within the gap (which would make
    it depend on the solver's path, and so on its version). Where a side is not proven optimal
    in the time limit, ``cost_low``/``cost_high`` bound the true difference.
    """
    del gap  # clause costs are differences of optima: see the docstring
    base_sol = sol
    if sol.gap is None or sol.gap > 1e-9:
        progress("clause cost: solving the plan to optimality")
        start_values = sol.values
        base_sol = solve(
            model,
            time_limit=time_limit,
            gap=0.0,
            start=start_values,
            deadline=time.perf_counter() + time_limit,
        )
        if base_sol.values is None:
            base_sol = sol
    base = base_sol.objective or 0.0
    base_bound = base_sol.bound if base_sol.bound is not None else base
    first, last = pb.periods[0].start, pb.periods[-1].end
    out = []
    keys = {}
    values = base_sol.values
    if values is not None:
        for col in np.flatnonzero(values[: model.n_x] > 1e-6):
            j = model.frac[col]
            keys[(int(pb.tw[j]), int(pb.to[j]), int(pb.tt[j]))] = float(values[col])
    chosen = (
        {
            (int(pb.gang_w[k]), int(pb.gang_o[k]))
            for k in np.flatnonzero(values[model.n_x : model.n_x + model.n_y] > 0.5)
        }
        if values is not None
        else set()
    )
    for rec in scenario.clauses:
        spec = rec.spec
        if not spec.decides and spec.kind != "commitment":  # type: ignore[attr-defined]
            continue
        end_day = rec.end_day(scenario.resolve_events(events))
        from charter.dates import day_number

        if day_number(rec.start) > day_number(last) or end_day <= day_number(first):
            continue
        acts = spec.applies_to_actions()
        if "run" not in acts and "*" not in acts and spec.kind != "commitment":  # type: ignore[attr-defined]
            continue
        progress(f"clause cost: re-solving without {rec.id}")
        other = scenario.without([rec.id])
        try:
            pb2, model2 = _setup(other, start, end, events, True)
        except RequestError:
            continue
        idx: list[int] = []
        vals: list[float] = []
        for c2 in range(model2.n_x):
            j = model2.frac[c2]
            key = (int(pb2.tw[j]), int(pb2.to[j]), int(pb2.tt[j]))
            if key in keys:
                idx.append(c2)
                vals.append(keys[key])
        for k in range(model2.n_y):
            if (int(pb2.gang_w[k]), int(pb2.gang_o[k])) in chosen:
                idx.append(model2.n_x + k)
                vals.append(1.0)
        partial = (np.array(idx, dtype=np.int64), np.array(vals)) if idx else None
        sol2, _ = _solve(pb2, model2, time_limit, 0.0, partial)
        cost = None if sol2.objective is None else base - sol2.objective
        low = high = cost
        if sol2.objective is not None:
            bound2 = sol2.bound if sol2.bound is not None else sol2.objective
            low, high = base_bound - sol2.objective, base - bound2
        note = None
        if sol2.status == "infeasible":
            note = "needed: without it no plan exists"
        elif sol2.objective is None:
            note = f"no plan without it within the time limit ({sol2.status})"
        elif cost is not None and cost < -1e-6:
            note = "negative: the exception saves money"
        if low is not None and high is not None and high - low > 0.01:
            extra = f"between {_dollars(low)} and {_dollars(high)} (not proven optimal in time)"
            note = extra if note is None else f"{note}; {extra}"
        out.append(
            {
                "clause": rec.id,
                "kind": spec.kind,  # type: ignore[attr-defined]
                "title": spec.title,
                "cost": cost,
                "cost_low": low,
                "cost_high": high,
                "with": base,
                "without": sol2.objective,
                "status_without": sol2.status,
                "exception": bool(spec.lifts),
                "note": note,
            }
        )
    return out


def _dollars(x: float) -> str:
    return f"${x:,.0f}" if x >= 0 else f"-${-x:,.0f}"
