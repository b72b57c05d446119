"""Plans from relaxations. The decomposition's: the relaxation's hours carried onto the
restriction (the guide), rounded onto whole gang placements several ways, then improved by a
neighbourhood search. The exact strategy's starts when the greedy finds none: the clauses'
binaries first (:func:`clauses_first`), else a sub-MIP on the LP relaxation
(:func:`relaxation_start`)."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import numpy.typing as npt

from charter.planner.cancel import finishing
from charter.planner.greedy import fill, greedy, place_gangs
from charter.planner.model import Model
from charter.planner.outcome import Solution, SolveStatus
from charter.planner.problem import Problem, _signature
from charter.planner.progress import ProgressEvent, ProgressListener, Stage

__all__ = [
    "GUIDE_HOURS",
    "LNS_ALTERNATIVES",
    "clauses_first",
    "guide",
    "improve",
    "relaxation_start",
    "round_relaxation",
]

F = npt.NDArray[np.float64]
# Columns the relaxation gives at least this many accelerator-hours join the HiGHS calls of
# the rounding (an interior point leaves every column slightly positive).
GUIDE_HOURS = 1.0
# Alternative candidates per gang job in the neighbourhood search after the rounding.
LNS_ALTERNATIVES = 3
# Share of clauses_first's time its relaxation (gang jobs divisible) may take; the rest is
# for the whole model with the clauses' binaries fixed.
CLAUSES_RELAXED_SHARE = 0.7
# Its gap, as a share of the plan's: its bound is the plan's bound, and one proved only to
# the plan's gap leaves the plan short of it (measured at S, seeds 2 and 3: to 0.1% the bound
# stood 0.07-0.1% below the relaxation's optimum, to 0.01% within 0.01%, 1.5-16 s later).
CLAUSES_RELAXED_GAP = 0.1
# Shares of the rounding's time left that HiGHS may take to re-optimise the guided greedy's
# plan around its gang placements, and may go on without a cheaper plan (measured at M,
# seed 1: region-locked $411.5 M to $404.6 M within 5 s, then $0.02 M more in the next
# 25 s; many-small-gangs still finding cheaper plans after 25 s, where the relaxation's
# favourite offers then gave the best plan).
GUIDED_SHARE = 1 / 3
STALL_SHARE = 0.15
# Seconds the step with the clauses' binaries fixed still gets after Ctrl-C.
FINISH_SECONDS = 5.0
# (relaxed group of every restricted group or -1, hours per relaxed group × offer × month)
Allotment = tuple[npt.NDArray[np.int64], F]


def guide(
    relaxed: Problem, relaxed_model: Model, values: F, pb: Problem, model: Model
) -> tuple[F, Allotment]:
    """The relaxation's hours per (workload signature, offer, month) carried onto the columns
    of the restriction ``pb``/``model``: a column vector (x hours, y = the hours a gang job's
    signature has on the candidate's offer) and the allotment :func:`place_gangs` takes."""
    n_o, n_t = len(pb.offers), len(pb.periods)
    index = {_signature(g.spec, g.owner): g.index for g in relaxed.groups}
    hours = np.zeros((len(relaxed.groups), n_o, n_t))
    j = relaxed_model.frac
    hours[relaxed.tw[j], relaxed.to[j], relaxed.tt[j]] = values[relaxed_model.x]
    relaxed_group = np.array([index.get(_signature(g.spec, g.owner), -1) for g in pb.groups])
    out = np.zeros(model.n_cols)
    j = model.frac
    has = relaxed_group[pb.tw[j]] >= 0
    out[model.x][has] = hours[relaxed_group[pb.tw[j]][has], pb.to[j][has], pb.tt[j][has]]
    k_has = relaxed_group[pb.gang_w] >= 0
    y = hours[relaxed_group[pb.gang_w][k_has], pb.gang_o[k_has], :].sum(axis=1)
    out[model.y][k_has] = y
    return out, (relaxed_group, hours)


def round_relaxation(
    pb: Problem,
    model: Model,
    guide: F | None,
    allotment: Allotment | None,
    *,
    deadline: float,
    report: ProgressListener,
) -> tuple[F | None, float]:
    """The cheapest plan of several roundings of the relaxation (and the seconds the slowest
    HiGHS call that ran to its gap or deadline took): the greedy guided by it and the plain
    greedy, and the cheaper one's gang placements with the rest left to HiGHS from its plan
    (``fill``, below, for ``GUIDED_SHARE`` of the time left, less when it stalls for
    ``STALL_SHARE`` of it); gang jobs placed by the relaxation's hours (``place_gangs`` with
    an allotment) or by the guide, with the fractional hours and ROFR binaries then left to
    HiGHS (``fill``, over the columns the guide uses and each row's cheapest, then over
    every column); plain placements only when nothing else found a plan."""
    best: F | None = None
    slowest = 0.0
    cols = rounding_columns(model, guide)

    def keep(values: F | None, how: str) -> None:
        nonlocal best
        if values is None:
            return
        cost = float(model.cost @ values)
        report(ProgressEvent(Stage.ROUNDING, f"{how}: a plan at {cost:,.0f}", incumbent=cost))
        if best is None or cost < model.cost @ best:
            best = values

    guided = None if guide is None else greedy(pb, model, guide)
    keep(guided, "greedy guided by the relaxation")
    plain = greedy(pb, model)
    keep(plain, "greedy")
    ways: list[tuple[str, F | None, Allotment | None, F | None]] = []
    pairs = ((guided, "guided greedy"), (plain, "greedy"))
    greedier = [(v, how) for v, how in pairs if v is not None]
    if greedier:
        # the greedy fills each month's fractional work cheapest offer first, no better: the
        # cheaper greedy's gang placements with the rest re-optimised by HiGHS, from its plan
        # (where capacity is loose the plain greedy's, measured at M, tight-loose: $363.8 M
        # against the guided one's $367.5 M)
        cheaper, how = min(greedier, key=lambda pair: float(model.cost @ pair[0]))
        ways.append((f"gang jobs where the {how} put them", None, None, cheaper))
    if guide is not None:
        ways.append(("gang jobs by the relaxation's favourite offers", guide, None, None))
    if allotment is not None:
        ways.append(("gang jobs by the relaxation's hours", None, allotment, None))
    for how, g, a, plan in [*ways, ("cheapest-first gang jobs", None, None, None)]:
        if time.perf_counter() > deadline:
            break
        if a is None and g is None and plan is None and best is not None:
            break
        if plan is not None:
            placed: npt.NDArray[np.int64] | None = np.flatnonzero(plan[model.y] > 0.5)
        else:
            placed = place_gangs(pb, model, g, allotment=a)
        if placed is None:
            continue
        for columns in (cols, None):
            if deadline - time.perf_counter() < slowest:
                break  # not enough time for another call as slow as the slowest so far
            began = time.perf_counter()
            until, stall = deadline, None
            if plan is not None:  # the other ways get their turn
                until = began + GUIDED_SHARE * (deadline - began)
                stall = STALL_SHARE * (deadline - began)
            values = fill(
                pb, model, placed, deadline=until, columns=columns, start=plan, stall=stall
            )
            if stall is None:  # a stalled call says nothing of how long one takes
                slowest = max(slowest, time.perf_counter() - began)
            if values is not None:
                keep(values, how + ", the rest by HiGHS")
                break
    return best, slowest


def rounding_columns(model: Model, guide: F | None) -> npt.NDArray[np.int64]:
    """The fractional columns the rounding's HiGHS calls get: each row's 3 cheapest and those
    the relaxation gives at least ``GUIDE_HOURS``."""
    from charter.planner.columns import start_columns

    cols = start_columns(model, 3)
    if guide is None:
        return cols
    return np.union1d(cols, np.flatnonzero(guide[model.x] >= GUIDE_HOURS))


def improve(
    pb: Problem,
    model: Model,
    values: F,
    guide: F,
    bound: float | None,
    gap: float,
    *,
    deadline: float,
    report: ProgressListener,
) -> F:
    """Large-neighbourhood search from the rounded plan: every gang job may move to one of
    its ``LNS_ALTERNATIVES`` candidates the relaxation favours most; HiGHS re-optimises
    placements, fractional hours and ROFR binaries together from the incumbent."""
    y0 = model.y.start
    cost = float(model.cost @ values)
    if bound is not None and bound > 0 and cost <= bound / (1 - gap):
        return values
    placed = np.flatnonzero(values[model.y] > 0.5)
    alternatives = []
    for ks in pb.candidates_by_gang().values():
        order = np.lexsort((model.cost[y0 + ks], -guide[y0 + ks]))
        alternatives.append(ks[order[:LNS_ALTERNATIVES]])
    free = np.concatenate(alternatives) if alternatives else np.zeros(0, dtype=np.int64)
    cols = rounding_columns(model, guide)
    message = f"neighbourhood search: {len(free):,} alternative placements"
    report(ProgressEvent(Stage.SEARCH, message, bound=bound, incumbent=cost))
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
        found = float(model.cost @ better)
        message = f"neighbourhood search: a plan at {found:,.0f}"
        report(ProgressEvent(Stage.SEARCH, message, bound=bound, incumbent=found))
        return better
    return values


def relaxation_start(
    pb: Problem, model: Model, *, deadline: float, gap: float, report: ProgressListener
) -> tuple[F | None, float | None]:
    """A plan from the LP relaxation of the whole model, for when the greedy finds none: the
    relaxation solved, then HiGHS on the model with each gang job held to the candidates the
    relaxation uses and its ``LNS_ALTERNATIVES`` cheapest (a sub-MIP with far fewer
    binaries; every fractional column kept), and the relaxation's optimum (a bound on every
    plan; None when it was not solved to optimality). No plan when time runs out first or the
    sub-MIP has none."""
    from charter.planner.solver import solve

    left = deadline - time.perf_counter()
    if left <= 1.0 or not model.n_y:
        return None, None
    report(ProgressEvent(Stage.START, "no greedy start: the LP relaxation, then a sub-MIP on it"))
    lp = solve(model, relax=True, time_limit=left / 2, deadline=deadline)
    if lp.values is None:
        return None, None
    bound = lp.objective if lp.status == SolveStatus.OPTIMAL else None
    y0 = model.y.start
    free = []
    for ks in pb.candidates_by_gang().values():
        used = ks[lp.values[y0 + ks] > 1e-6]
        cheap = ks[np.argsort(model.cost[y0 + ks], kind="stable")[:LNS_ALTERNATIVES]]
        free.append(np.union1d(used, cheap))
    candidates = np.concatenate(free) if free else np.zeros(0, dtype=np.int64)
    values = fill(
        pb, model, np.zeros(0, dtype=np.int64), deadline=deadline, free=candidates, gap=gap
    )
    if values is not None:
        cost = float(model.cost @ values)
        message = f"sub-MIP on the relaxation's gang candidates: a plan at {cost:,.0f}"
        report(ProgressEvent(Stage.START, message, incumbent=cost, bound=bound))
    return values, bound


def clauses_first(
    model: Model,
    *,
    deadline: float,
    gap: float,
    report: ProgressListener,
    pb: Problem | None = None,
) -> tuple[F | None, float | None]:
    """For a model with gang binaries and binaries of clauses that constrain plans (the
    ROFR's: a group of work takes third-party capacity only with its holder's offers full):
    a bound and a plan from the clauses' binaries first.

    1. The model with every gang job divisible and the clauses' binaries kept, by HiGHS for
       ``CLAUSES_RELAXED_SHARE`` of the time: a relaxation of the whole model, so its MILP
       dual bound is a bound on every plan (None when HiGHS proved none above -inf).
    2. The whole model with the clauses' binaries fixed where that relaxation's best answer
       puts them, for the rest of the time: a restriction, so any answer is a plan (None when
       the gang jobs do not fit around those binaries or time runs out). Given the problem
       arrays ``pb``, first that answer rounded (:func:`_rounded`: each gang job on the
       candidate it gives the most, the rest an LP), which is the answer when it is within
       the gap of step 1's bound and HiGHS's start when not (measured at S, seed 2,
       priced-shortfall: within 0.1% in 0.8 s where HiGHS's root cuts took 8 s).

    Why: on the generator family the LP relaxation's gap is the clauses' (a fixed charge: a
    group that takes any third-party hour fills its holder's offers), not the gang jobs'.
    At S (200 × 50 × 12), seed 1, the LP relaxation is 1.78% below the best known plan,
    and the model with the gang jobs divisible but the ROFR binaries kept is solved to
    0.1% in about 20 s, where HiGHS on the whole model still has 1.4% after 60 s."""
    from charter.planner.solver import solve

    zs = np.arange(model.z.start, model.z.stop)
    zs = zs[model.integer[zs]]
    left = deadline - time.perf_counter()
    if left <= 2.0 or not len(zs) or not model.n_y:
        return None, None
    report(ProgressEvent(Stage.START, "the clauses' binaries first, gang jobs divisible"))
    integer = model.integer.copy()
    integer[model.y] = False
    divisible = dataclasses.replace(model, integer=integer)
    first = solve(
        divisible,
        time_limit=left,
        gap=gap * CLAUSES_RELAXED_GAP,
        deadline=time.perf_counter() + CLAUSES_RELAXED_SHARE * left,
    )
    bound = first.bound
    if bound is None or not np.isfinite(bound):
        bound = None
    if first.values is None:
        return None, bound
    report(ProgressEvent(Stage.START, "the whole model, the clauses' binaries fixed", bound=bound))
    chosen = np.round(first.values[zs])
    # a plan within the gap of this bound needs no proof from the restriction's own bound
    enough = None if bound is None else bound / (1 - gap)
    # the relaxation's answer is no plan: after Ctrl-C this step still gets a few seconds
    with finishing(FINISH_SECONDS):
        rounded = None if pb is None else _rounded(pb, model, first.values, zs, chosen, deadline)
        if rounded is not None:
            cost = float(model.cost @ rounded)
            message = f"gang jobs on the relaxation's favourite offers: a plan at {cost:,.0f}"
            report(ProgressEvent(Stage.START, message, incumbent=cost, bound=bound))
            if enough is not None and cost <= enough:
                return rounded, bound
        second = _with_fixed(model, zs, chosen, deadline, gap, enough, rounded)
        if second.values is None and second.status is SolveStatus.INFEASIBLE:
            # the gang jobs do not fit around every binary: keep the groups the relaxation
            # let take third-party capacity (their holder offers full), free the others
            ones = zs[chosen > 0.5]
            if len(ones) and deadline - time.perf_counter() > 2.0:
                report(ProgressEvent(Stage.START, "no fit: only the clauses' binaries at 1 fixed"))
                second = _with_fixed(model, ones, chosen[chosen > 0.5], deadline, gap, enough)
    if second.values is None or (
        rounded is not None and model.cost @ rounded <= model.cost @ second.values
    ):
        return rounded, bound
    cost = float(model.cost @ second.values)
    message = f"the clauses' binaries fixed: a plan at {cost:,.0f}"
    report(ProgressEvent(Stage.START, message, incumbent=cost, bound=bound))
    return second.values, bound


def _rounded(
    pb: Problem, model: Model, relaxed: F, zs: npt.NDArray[np.int64], chosen: F, deadline: float
) -> F | None:
    """A plan from step 1's answer in the time of an LP: each gang job on the candidate its
    answer gives the most (:func:`place_gangs`), the clauses' binaries where it put them and
    the fractional hours by HiGHS around both. None when the jobs do not fit that way."""
    placed = place_gangs(pb, model, relaxed)
    if placed is None:
        return None
    lower, upper = model.lower.copy(), model.upper.copy()
    lower[zs] = chosen
    upper[zs] = chosen
    fixed = dataclasses.replace(model, lower=lower, upper=upper)
    return fill(pb, fixed, placed, deadline=deadline)


def _with_fixed(
    model: Model,
    columns: npt.NDArray[np.int64],
    values: F,
    deadline: float,
    gap: float,
    enough: float | None,
    start: F | None = None,
) -> Solution:
    """HiGHS on the whole model with ``columns`` fixed at ``values`` (a restriction: any
    answer is a plan), until ``deadline`` (``solve`` holds it to the current scope's too) or
    a plan that costs no more than ``enough``."""
    from charter.planner.solver import solve

    lower, upper = model.lower.copy(), model.upper.copy()
    lower[columns] = values
    upper[columns] = values
    fixed = dataclasses.replace(model, lower=lower, upper=upper)
    return solve(
        fixed,
        time_limit=deadline - time.perf_counter(),
        gap=gap,
        deadline=deadline,
        stop_at=enough,
        start=start,
    )
