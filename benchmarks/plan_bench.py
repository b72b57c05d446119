"""Planner speed, gap and memory on synthetic scenarios, against the straightforward formulation.

    python -m benchmarks.plan_bench [--sizes XS,S] [--time-limit SECONDS] [--gap G] [--seed 1]
                                    [--family baseline,tight-loose,... | all] [--folder DIR]...
                                    [--no-cbc] [--no-bigm]
    make bench         # decision benchmark, then plan_bench --sizes S,M
    make bench-plan    # plan_bench --sizes XS,S
    make bench-full    # decision benchmark, plan_bench --sizes XS,S,M,L,XL, service benchmark;
                       # may run for an hour or more: nohup make bench-full > bench-full.log 2>&1 &

Scenarios come from :mod:`tests.support.portfolios` (seeded), in five sizes (workloads × offers ×
months) and, with ``--family``, as other members of its generator family (capacity tight in
some accelerator families and loose in others, few huge or many small gang jobs, workloads held
to one geography, long or short windows, gang jobs whose demand varies month to month, most
work under the ROFR with little holder capacity, commitments that bind in some quarters only,
spot offers whose capacity swings, priced shortfall: ``FAMILY`` there); ``--folder DIR`` runs
a scenario folder of your own through the same comparison instead. Whose gap it is (the plan's
or the bound's) is :mod:`benchmarks.gap_diagnosis`'s; every member and seed against the
issue's goals in one table is :mod:`benchmarks.goal_table`'s (``make bench-family``). Each
size has its own gap and time limit (``--gap`` and ``--time-limit`` override them for every
size):

    XS     30 ×    10 ×  6   gap 0.1%   10 s        L   20,000 ×   500 × 24   gap 3%   540 s
    S     200 ×    50 × 12   gap 0.1%   60 s        XL 100,000 × 1,000 × 36   gap 3%   540 s
    M   2,000 ×   200 × 12   gap 1%     50 s

Goals (from the issue), each reported as a line starting ``met:`` or ``MISSED:`` for every
goal size that was run (every goal also needs a plan that passes the checker):

- M: within 1% of a proven bound in under 60 s (wall time of ``plan()``: build + solve);
- L: within 3% of a proven bound in under 600 s, peak memory (the worker's whole-process
  ``ru_maxrss``) under 8 GB;
- XL: a plan that passes the checker, with a reported bound, in under 600 s.

For each size, in one table:

1. charter's planner, ``plan(scenario, gap=..., time_limit=..., explain=False)`` (strategy
   ``auto``): the strategy it chose, build / solve / wall seconds, cost, bound, proven gap,
   what proved the bound (in full in the notes), peak RSS of the worker process and its growth
   over the loaded scenario, and whether its plan passes the independent checker
   (``check_plan``, timed separately: notes);
2. the straightforward formulation of the same problem arrays (``--no-bigm`` skips it): one
   big-M row per ROFR group (Σ third-party subject hours ≤ M z, Σ holder load ≥ Σ holder
   capacity · z) instead of charter's ROFR rows, no warm start; solved by HiGHS and by CBC
   through PuLP (``--no-cbc`` skips CBC) with the same gap and time limit. As a safety net a
   straightforward run is abandoned (its worker and the worker's children killed) after
   twice the time limit, at least the time limit + 120 s: the solvers stop themselves at the
   time limit, the rest is loading and building;
3. the greedy alone (charter's warm start on the exact path) on charter's model, at every
   size, given up (worker killed) after the size's time limit (the guard counts the greedy
   only: the worker builds the problem arrays and the model first), and the checker's
   verdict on its plan.

At XS, S and M the LP relaxation bounds of both formulations (HiGHS, relax=True) show how much
charter's ROFR rows tighten the model; at L and XL they are skipped (too expensive).

Every step runs in a fresh spawned process, so its peak memory is its own. On Linux a spawned
process's ``ru_maxrss`` starts from its parent's peak, so scenarios are generated in workers
too and the notes give this process's own peak, a floor on every worker's figure. Runs are
one-shot, on whatever else the machine is doing: compare within a run. The exit status is
non-zero if charter's plan fails the checker (or there is no plan) at any size.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import resource
import signal
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
import scipy.sparse as sp
from rich.console import Console
from rich.table import Table

SIZES: dict[str, tuple[int, int, int]] = {
    "XS": (30, 10, 6),
    "S": (200, 50, 12),
    "M": (2000, 200, 12),
    "L": (20000, 500, 24),
    "XL": (100000, 1000, 36),
}
GAPS: dict[str, float] = {"XS": 1e-3, "S": 1e-3, "M": 0.01, "L": 0.03, "XL": 0.03}
TIME_LIMITS: dict[str, float] = {"XS": 10.0, "S": 60.0, "M": 50.0, "L": 540.0, "XL": 480.0}
LP_SIZES = ("XS", "S", "M")  # LP relaxations are too expensive at L and XL


@dataclass(frozen=True)
class Goal:
    """What charter's plan must do at one size (a plan that passes the checker, always)."""

    text: str
    seconds: float  # plan() wall time under this
    gap: float | None = None  # proven gap at most this (None: any reported bound)
    peak_mb: float | None = None  # the worker's whole-process ru_maxrss under this


GOALS: dict[str, Goal] = {
    "M": Goal("within 1% of a proven bound in under 60 s", seconds=60.0, gap=0.01),
    "L": Goal(
        "within 3% of a proven bound in under 600 s, peak memory under 8 GB",
        seconds=600.0,
        gap=0.03,
        peak_mb=8 * 1024.0,
    ),
    "XL": Goal(
        "a plan that passes the checker, with a reported bound, in under 600 s", seconds=600.0
    ),
}


def _bigm_guard(time_limit: float) -> float:
    """Seconds after which a straightforward run is abandoned (a safety net, see above)."""
    return time_limit + max(time_limit, 120.0)


# ------------------------------------------------------------------ helpers (run in workers)
def _rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _generate(folder: str, n_w: int, n_o: int, n_t: int, seed: int, member: str) -> str:
    from tests.support.portfolios import generate

    return str(generate(Path(folder), n_w, n_o, n_t, seed, structure=member))


def _dims(folder: str) -> tuple[int, int, int]:
    """Workloads, offers and months of a scenario folder (its plan horizon)."""
    import charter

    s = charter.load_scenario(folder)
    plan = s.data.meta.plan
    n_t = 0
    if plan is not None:
        (y0, m0), (y1, m1) = (map(int, str(x).split("-")[:2]) for x in (plan.start, plan.end))
        n_t = (y1 - y0) * 12 + m1 - m0 + 1
    return len(s.data.workloads), len(s.data.offers), n_t


def _load(folder: str) -> tuple[Any, float]:
    """The scenario and the peak RSS (MB) once it is loaded: the base of the ΔRSS figures."""
    import charter

    s = charter.load_scenario(folder)
    return s, _rss_mb()


# Past this many (gang job, offer, month) combinations the full model does not fit in this
# machine's memory (XL: the problem arrays alone passed 13 GB); the straightforward
# formulation is skipped and the greedy runs on the decomposition's restriction.
FULL_MODEL_MAX = 60_000_000


def _too_big(s: Any) -> bool:
    """Would the full model of this scenario not fit in memory?"""
    from charter.planner import _gang_size

    return bool(_gang_size(s, None, None) > FULL_MODEL_MAX)


def worker_too_big(folder: str) -> bool:
    import charter

    return _too_big(charter.load_scenario(folder))


def _problem(s: Any) -> tuple[Any, float]:
    """The problem arrays, as plan() builds them, and the seconds they took (rules + masks)."""
    from charter.planner import RESTRICTED_CANDIDATES
    from charter.planner.problem import build_problem, months

    meta = s.data.meta.plan
    assert meta is not None
    t0 = time.perf_counter()
    rules = s.rules(None)
    pb = build_problem(
        rules,
        s.data.offers,
        s.data.workloads,
        months(meta.start, meta.end),
        party=meta.party,
        commitment_share=meta.commitment_share,
        # past plan()'s decomposition threshold the full problem does not fit in memory:
        # the greedy runs on the same restriction the decomposition plans on
        gang_candidates=RESTRICTED_CANDIDATES if _too_big(s) else None,
    )
    return pb, time.perf_counter() - t0


def _check(s: Any, pb: Any, model: Any, values: Any) -> tuple[bool, int, float]:
    """The checker's verdict on a column vector of ``model``: ok, breaches, seconds."""
    from charter.check import check_plan
    from charter.planner.result import extract
    from charter.planner.solver import Solution

    t0 = time.perf_counter()
    placements, _ = extract(pb, model, Solution("feasible", None, None, values, 0.0, 0, None))
    rows = _plan_rows(placements)
    report = check_plan(s, rows)
    return report.ok, len(report.breaches), time.perf_counter() - t0


def _plan_rows(placements: Any) -> list[Any]:
    from charter.plans import PlanRow

    return [PlanRow(p.workload, p.offer, p.period, p.hours) for p in placements]


def _matches(keys: Any, queries: Any) -> tuple[Any, Any]:
    """Every (query index, key index) pair with equal values, grouped by query."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    lo = np.searchsorted(ordered, queries, "left")
    counts = np.searchsorted(ordered, queries, "right") - lo
    q = np.repeat(np.arange(len(queries)), counts)
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return q, order[np.repeat(lo, counts) + offsets]


def bigm_model(pb: Any) -> Any:
    """The straightforward formulation: charter's model (solver.build_model, copied) with one
    big-M row and one aggregated saturation row per ROFR group instead of charter's ROFR rows
    (per subject triple and/or per workload, and per holder offer).

        Σ_{j∈subject(g)} x_j + Σ_{k∈subject(g)} d_k,t y_k − M_g z_g ≤ 0,
            M_g = Σ demand of g's subject workloads in month t (the smallest valid M)
        Σ_{h∈holder(g)} load_h,t − (Σ_h C_h,t) z_g ≥ 0

    With every load_h,t ≤ C_h,t the aggregated row forces each holder offer full, so both
    formulations have the same integer solutions; only the LP relaxation differs.
    """
    from charter.planner.solver import INF, Model
    from tests.support.planning import rofr_groups

    groups_g = rofr_groups(pb)
    frac = np.flatnonzero(pb.fractional)
    n_x, n_y = len(frac), len(pb.gang_w)
    n_s, n_z = len(pb.commitments), len(groups_g)
    x0, y0, s0, z0 = 0, n_x, n_x + n_y, n_x + n_y + n_s
    n_cols = z0 + n_z
    n_t = len(pb.periods)
    xw, xo, xt = pb.tw[frac], pb.to[frac], pb.tt[frac]

    cost = np.zeros(n_cols)
    cost[x0:y0] = pb.price[xo]
    gang_hours = pb.demand[pb.gang_w]
    cost[y0:s0] = (gang_hours * pb.price[pb.gang_o][:, None]).sum(axis=1)
    cost[s0:z0] = 1.0
    lower = np.zeros(n_cols)
    upper = np.full(n_cols, INF)
    upper[y0:s0] = 1.0
    upper[z0:] = 1.0
    integer = np.zeros(n_cols, dtype=bool)
    integer[y0:s0] = True
    integer[z0:] = True

    rows: list[np.ndarray] = []
    cols: list[np.ndarray] = []
    vals: list[np.ndarray] = []
    lo: list[np.ndarray] = []
    hi: list[np.ndarray] = []
    groups: list[tuple[str, int, int]] = []
    n_rows = 0

    def add(name: str, r: Any, c: Any, v: Any, rl: Any, ru: Any) -> None:
        nonlocal n_rows
        rows.append(np.asarray(r, dtype=np.int64) + n_rows)
        cols.append(np.asarray(c, dtype=np.int64))
        vals.append(np.asarray(v, dtype=float))
        lo.append(np.asarray(rl, dtype=float))
        hi.append(np.asarray(ru, dtype=float))
        groups.append((name, n_rows, len(rl)))
        n_rows += len(rl)

    # demand, gang, capacity, commitment rows: as solver.build_model
    frac_groups = np.array([not g.gang for g in pb.groups], dtype=bool)
    dem_w, dem_t = np.nonzero((pb.demand > 0) & frac_groups[:, None])
    dem_index = np.full((len(pb.groups), n_t), -1, dtype=np.int64)
    dem_index[dem_w, dem_t] = np.arange(len(dem_w))
    d = pb.demand[dem_w, dem_t]
    add("demand", dem_index[xw, xt], np.arange(n_x) + x0, np.ones(n_x), d, d)

    gang_groups = np.array([g.index for g in pb.groups if g.gang], dtype=np.int64)
    gang_index = np.full(len(pb.groups), -1, dtype=np.int64)
    gang_index[gang_groups] = np.arange(len(gang_groups))
    ones = np.ones(len(gang_groups))
    add("gang", gang_index[pb.gang_w], np.arange(n_y) + y0, np.ones(n_y), ones, ones)

    cap_o, cap_t = np.nonzero(pb.cap > 0)
    cap_index = np.full(pb.cap.shape, -1, dtype=np.int64)
    cap_index[cap_o, cap_t] = np.arange(len(cap_o))
    gk, gt = np.nonzero(gang_hours > 0)
    add(
        "capacity",
        np.concatenate([cap_index[xo, xt], cap_index[pb.gang_o[gk], gt]]),
        np.concatenate([np.arange(n_x) + x0, gk + y0]),
        np.concatenate([np.ones(n_x), gang_hours[gk, gt]]),
        np.full(len(cap_o), -INF),
        pb.cap[cap_o, cap_t],
    )

    provider = np.array([o.provider for o in pb.offers])
    c_r: list[Any] = []
    c_c: list[Any] = []
    c_v: list[Any] = []
    for i, c in enumerate(pb.commitments):
        on = np.isin(provider, c.providers)
        sel = np.flatnonzero(on[xo] & c.periods[xt])
        c_r.append(np.full(len(sel), i))
        c_c.append(sel + x0)
        c_v.append(pb.price[xo[sel]])
        gsel = np.flatnonzero(on[pb.gang_o])
        if len(gsel):
            spend = (gang_hours[gsel] * c.periods[None, :]).sum(axis=1) * pb.price[pb.gang_o[gsel]]
            c_r.append(np.full(len(gsel), i))
            c_c.append(gsel + y0)
            c_v.append(spend)
        c_r.append(np.array([i]))
        c_c.append(np.array([s0 + i]))
        c_v.append(np.array([1.0]))
    if pb.commitments:
        add(
            "commitment",
            np.concatenate(c_r),
            np.concatenate(c_c),
            np.concatenate(c_v),
            np.array([c.amount for c in pb.commitments]),
            np.full(len(pb.commitments), INF),
        )

    # ROFR: one big-M row and one aggregated saturation row per group (vectorized: at L and
    # XL a loop over groups and holder offers would scan every column many times)
    if groups_g:
        n_g, n_o = len(groups_g), len(pb.offers)
        g_t = np.array([g.period for g in groups_g], dtype=np.int64)
        triple_col = np.full(len(pb.tw), -1, dtype=np.int64)
        triple_col[frac] = np.arange(n_x) + x0
        # big-M rows: every subject triple's column, x for fractional, y for gang triples
        sizes = np.array([len(g.subject) for g in groups_g], dtype=np.int64)
        j = np.concatenate([np.asarray(g.subject, dtype=np.int64) for g in groups_g])
        j_g = np.repeat(np.arange(n_g), sizes)
        col = triple_col[j]
        on_x = col >= 0
        gang_key = pb.gang_w.astype(np.int64) * n_o + pb.gang_o
        gang_order = np.argsort(gang_key, kind="stable")
        want = pb.tw[j[~on_x]].astype(np.int64) * n_o + pb.to[j[~on_x]]
        pos = np.searchsorted(gang_key[gang_order], want)
        hit = pos < len(gang_key)
        hit[hit] = gang_key[gang_order][pos[hit]] == want[hit]
        k = gang_order[pos[hit]]
        k_g = j_g[~on_x][hit]
        # M_g: the demand of g's subject workloads in g's month
        pair = np.unique(j_g * len(pb.groups) + pb.tw[j])
        pair_g, pair_w = pair // len(pb.groups), pair % len(pb.groups)
        big_m = np.bincount(pair_g, weights=pb.demand[pair_w, g_t[pair_g]], minlength=n_g)
        add(
            "rofr-bigm",
            np.concatenate([j_g[on_x], k_g, np.arange(n_g)]),
            np.concatenate([col[on_x], y0 + k, z0 + np.arange(n_g)]),
            np.concatenate([np.ones(int(on_x.sum())), gang_hours[k, g_t[k_g]], -big_m]),
            np.full(n_g, -INF),
            np.zeros(n_g),
        )
        # saturation rows: the load of every (group, holder offer) pair's offer in g's month
        n_h = np.array([len(g.holder_offers) for g in groups_g], dtype=np.int64)
        h_g = np.repeat(np.arange(n_g), n_h)
        h_o = np.concatenate([np.asarray(g.holder_offers, dtype=np.int64) for g in groups_g])
        h_key = h_o * n_t + g_t[h_g]
        x_rows, x_at = _matches(xo.astype(np.int64) * n_t + xt, h_key)
        y_rows, y_at = _matches(pb.gang_o[gk].astype(np.int64) * n_t + gt, h_key)
        total = np.bincount(h_g, weights=pb.cap[h_o, g_t[h_g]], minlength=n_g)
        add(
            "rofr-saturate",
            np.concatenate([h_g[x_rows], h_g[y_rows], np.arange(n_g)]),
            np.concatenate([x_at + x0, y0 + gk[y_at], z0 + np.arange(n_g)]),
            np.concatenate([np.ones(len(x_at)), gang_hours[gk[y_at], gt[y_at]], -total]),
            np.zeros(n_g),
            np.full(n_g, INF),
        )

    matrix = sp.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
        shape=(n_rows, n_cols),
    )
    matrix.sum_duplicates()
    return Model(
        cost=cost,
        lower=lower,
        upper=upper,
        integer=integer,
        matrix=matrix,
        row_lower=np.concatenate(lo),
        row_upper=np.concatenate(hi),
        n_x=n_x,
        n_y=n_y,
        n_s=n_s,
        n_z=n_z,
        frac=frac,
        row_groups=groups,
        part_columns=[],
    )


def _same_base_rows(a: Any, b: Any) -> bool:
    """Whether the non-ROFR rows of two models agree (the copy of build_model is current)."""

    def base(m: Any) -> tuple[Any, Any, Any]:
        keep = np.concatenate(
            [
                np.arange(first, first + count)
                for name, first, count in m.row_groups
                if not name.startswith("rofr")
            ]
        )
        return m.matrix[keep], m.row_lower[keep], m.row_upper[keep]

    if a.n_cols != b.n_cols or not np.array_equal(a.cost, b.cost):
        return False
    (ma, la, ua), (mb, lb, ub) = base(a), base(b)
    return (
        ma.shape == mb.shape
        and abs(ma - mb).max() < 1e-9
        and np.array_equal(la, lb)
        and np.array_equal(ua, ub)
    )


def run_charter(folder: str, gap: float, time_limit: float) -> dict[str, Any]:
    """charter's planner end to end, its memory, and the checker's verdict on its plan."""
    from charter.check import check_plan
    from charter.planner import plan

    s, base = _load(folder)
    t0 = time.perf_counter()
    p = plan(s, gap=gap, time_limit=time_limit, explain=False)
    wall = time.perf_counter() - t0
    peak = _rss_mb()  # before the checker runs: the planner's own peak
    rows = _plan_rows(p.placements)
    t0 = time.perf_counter()
    report = check_plan(s, rows) if rows else None
    check_seconds = time.perf_counter() - t0
    return {
        "status": p.status,
        "build": p.stats["build_seconds"],
        "solve": p.stats["solve_seconds"],
        "wall": wall,
        "cost": p.cost,
        "bound": p.bound,
        "gap": p.gap,
        "bound_method": p.bound_method,
        "peak": peak,
        "delta": peak - base,
        "check": None if report is None else report.ok,
        "breaches": 0 if report is None else len(report.breaches),
        "check_seconds": check_seconds if report is not None else None,
        "stats": p.stats,
    }


def run_bigm_highs(folder: str, gap: float, time_limit: float) -> dict[str, Any]:
    """The big-M model of the same problem arrays, solved by HiGHS (no warm start)."""
    from charter.planner.solver import solve

    s, base = _load(folder)
    t0 = time.perf_counter()
    pb, _ = _problem(s)
    model = bigm_model(pb)
    build = time.perf_counter() - t0
    sol = solve(model, time_limit=time_limit, gap=gap)
    wall = time.perf_counter() - t0
    peak = _rss_mb()
    ok, breaches, check_seconds = (
        _check(s, pb, model, sol.values) if sol.values is not None else (None, 0, None)
    )
    return {
        "status": sol.status,
        "build": build,
        "solve": sol.seconds,
        "wall": wall,
        "cost": sol.objective,
        "bound": sol.bound,
        "gap": sol.gap,
        "peak": peak,
        "delta": peak - base,
        "check": ok,
        "breaches": breaches,
        "check_seconds": check_seconds,
    }


def _cbc_log(path: Path) -> dict[str, float]:
    """Objective and best bound from CBC's summary ('Objective value:', 'Lower bound:')."""
    text = path.read_text() if path.exists() else ""
    out: dict[str, float] = {}
    for key, pattern in (
        ("objective", r"Objective value:\s+([-\d.eE+]+)"),
        ("bound", r"Lower bound:\s+([-\d.eE+]+)"),
    ):
        found = re.findall(pattern, text)
        if found:
            out[key] = float(found[-1])
    return out


def run_bigm_cbc(folder: str, gap: float, time_limit: float) -> dict[str, Any]:
    """The big-M model through PuLP to CBC; PuLP's model build counts as build time."""
    import pulp

    s, base = _load(folder)
    t0 = time.perf_counter()
    pb, _ = _problem(s)
    model = bigm_model(pb)
    prob = pulp.LpProblem("bigm", pulp.LpMinimize)
    xs = [
        pulp.LpVariable(
            f"c{i}",
            lowBound=float(model.lower[i]),
            upBound=None if np.isinf(model.upper[i]) else float(model.upper[i]),
            cat=pulp.LpBinary if model.integer[i] else pulp.LpContinuous,
        )
        for i in range(model.n_cols)
    ]
    prob += pulp.LpAffineExpression([(xs[i], float(c)) for i, c in enumerate(model.cost) if c != 0])
    m = model.matrix
    for r in range(m.shape[0]):
        a, b = m.indptr[r], m.indptr[r + 1]
        expr = pulp.LpAffineExpression(
            [(xs[int(c)], float(v)) for c, v in zip(m.indices[a:b], m.data[a:b], strict=True)]
        )
        lo, hi = model.row_lower[r], model.row_upper[r]
        if lo == hi:
            prob += expr == float(lo), f"r{r}"
        else:
            if np.isfinite(lo):
                prob += expr >= float(lo), f"r{r}l"
            if np.isfinite(hi):
                prob += expr <= float(hi), f"r{r}u"
    build = time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "cbc.log"
        solver = pulp.PULP_CBC_CMD(
            msg=False, timeLimit=time_limit, gapRel=gap, logPath=str(log), threads=1
        )
        t1 = time.perf_counter()
        prob.solve(solver)
        solve_seconds = time.perf_counter() - t1
        parsed = _cbc_log(log)
        trace = cbc_trace(log.read_text() if log.exists() else "")
    wall = time.perf_counter() - t0
    peak = _rss_mb()  # PuLP's side only: CBC runs as its own process
    values = np.array([v.varValue or 0.0 for v in xs])
    has_solution = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    cost = float(pulp.value(prob.objective)) if has_solution else None
    status = pulp.LpStatus[prob.status].lower()
    if has_solution and prob.sol_status == pulp.LpSolutionIntegerFeasible:
        status = "feasible"
    bound = parsed.get("bound")
    if bound is None and status == "optimal":
        bound = parsed.get("objective", cost)
    gap_found = None
    if cost is not None and bound is not None:
        gap_found = max(0.0, (cost - bound) / max(abs(cost), 1e-9))
    ok, breaches, check_seconds = _check(s, pb, model, values) if has_solution else (None, 0, None)
    return {
        "status": status,
        "build": build,
        "solve": solve_seconds,
        "wall": wall,
        "cost": cost,
        "bound": bound,
        "gap": gap_found,
        "peak": peak,
        "delta": peak - base,
        "check": ok,
        "breaches": breaches,
        "check_seconds": check_seconds,
        "trace": trace,
    }


_CBC_FOUND = re.compile(r"(?:Integer )?solution of ([-\d.eE+]+) found.*\(([\d.]+) seconds\)")
_CBC_NODES = re.compile(
    r"([-\d.eE+]+) best solution, best possible ([-\d.eE+]+) \(([\d.]+) seconds\)"
)
_CBC_ROOT = re.compile(r"Continuous objective value is ([-\d.eE+]+) - ([\d.]+) seconds")


def cbc_trace(text: str) -> list[tuple[float, float | None, float | None]]:
    """(seconds, incumbent, bound) as CBC's log reports them: each solution found, each
    node report and the root LP (its own clock, from CBC's start)."""
    out: list[tuple[float, float | None, float | None]] = []

    def value(x: str) -> float | None:
        v = float(x)
        return v if np.isfinite(v) and abs(v) < 1e49 else None

    for line in text.splitlines():
        if found := _CBC_FOUND.search(line):
            out.append((float(found[2]), value(found[1]), None))
        elif found := _CBC_NODES.search(line):
            out.append((float(found[3]), value(found[1]), value(found[2])))
        elif found := _CBC_ROOT.search(line):
            out.append((float(found[2]), None, value(found[1])))
    return out


# The analysis runs as several calls into one worker process, which keeps the scenario, the
# problem arrays and charter's model between them: only the greedy call has a time guard.
_STATE: dict[str, Any] = {}


def analysis_setup(folder: str) -> dict[str, Any]:
    """Problem arrays and charter's model, as plan() builds them, and where the time goes."""
    from charter.planner import _row_form
    from charter.planner import feasibility as feasibility_module
    from charter.planner.solver import build_model

    evaluate = feasibility_module.evaluate
    spent = {"masks": 0.0}

    def timed_evaluate(*args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return evaluate(*args, **kw)
        finally:
            spent["masks"] += time.perf_counter() - t0

    s, _ = _load(folder)
    feasibility_module.evaluate = timed_evaluate
    try:
        pb, problem_seconds = _problem(s)
    finally:
        feasibility_module.evaluate = evaluate
    rofr_rows = _row_form(pb)
    t0 = time.perf_counter()
    model = build_model(pb, row_form=rofr_rows)
    model_seconds = time.perf_counter() - t0
    _STATE.clear()
    _STATE.update(scenario=s, pb=pb, model=model)
    return {
        "problem_seconds": problem_seconds,
        "mask_seconds": spent["masks"],
        "model_seconds": model_seconds,
        "rofr_rows": rofr_rows,
    }


def analysis_formulations(lp: bool, bigm: bool) -> dict[str, Any]:
    """The big-M model's size and base rows and, with ``lp``, both LP relaxation bounds."""
    from charter.planner.solver import solve

    pb, model = _STATE["pb"], _STATE["model"]
    out: dict[str, Any] = {}
    other = bigm_model(pb) if bigm else None
    if other is not None:
        out["same_base_rows"] = _same_base_rows(model, other)
        out["bigm_rows"] = int(other.matrix.shape[0])
        out["bigm_nnz"] = int(other.matrix.nnz)
    if lp:
        relaxed = solve(model, relax=True)
        out["lp"], out["lp_seconds"] = relaxed.objective, relaxed.seconds
        if other is not None:
            relaxed = solve(other, relax=True)
            out["lp_bigm"], out["lp_bigm_seconds"] = relaxed.objective, relaxed.seconds
    return out


def analysis_greedy() -> dict[str, Any]:
    """charter's greedy alone on charter's model (the caller's time guard stops it)."""
    from charter.planner.greedy import greedy

    pb, model = _STATE["pb"], _STATE["model"]
    t0 = time.perf_counter()
    start = greedy(pb, model)
    seconds = time.perf_counter() - t0
    _STATE["greedy"] = start
    return {
        "seconds": seconds,
        "cost": None if start is None else float(model.cost @ start),
    }


def analysis_check_greedy() -> dict[str, Any]:
    """The checker's verdict on the greedy's plan."""
    ok, breaches, seconds = _check(
        _STATE["scenario"], _STATE["pb"], _STATE["model"], _STATE["greedy"]
    )
    return {"check": ok, "breaches": breaches, "check_seconds": seconds}


# ------------------------------------------------------------------ isolation
def _descendants(pid: int) -> list[int]:
    """Process ids below ``pid`` (Linux /proc; empty elsewhere), deepest first."""
    out: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            children = Path(f"/proc/{pid}/task/{tid}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            out += [*_descendants(child), child]
    return out


class GaveUp(Exception):
    """A call ran past its time guard; its worker was killed."""


class Worker:
    """One freshly spawned process (its own peak memory and caches) that calls can share.

    A call given a ``timeout`` that runs past it raises :class:`GaveUp`, after the worker and
    everything it started (a CBC process, say) have been killed.
    """

    def __init__(self) -> None:
        self._pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"))

    def call(self, fn: Callable[..., Any], *args: Any, timeout: float | None = None) -> Any:
        future = self._pool.submit(fn, *args)
        try:
            return future.result(timeout=timeout)
        except TimeoutError:
            if future.done():  # the call itself raised TimeoutError
                raise
            self.kill()
            raise GaveUp(timeout) from None

    def kill(self) -> None:
        processes = dict(getattr(self._pool, "_processes", None) or {})
        pids = [p for pid in processes for p in [*_descendants(pid), pid]]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Worker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is not None:
            self.kill()  # interrupted mid-call: do not wait for the call to end
        else:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _attempt(
    worker: Worker, fn: Callable[..., dict[str, Any]], *args: Any, timeout: float | None = None
) -> dict[str, Any]:
    """``worker.call(fn, *args)``, or {"error": why} if it failed, died or was given up."""
    try:
        result: dict[str, Any] = worker.call(fn, *args, timeout=timeout)
    except GaveUp:
        return {"error": f"gave up after {timeout:g} s", "gave_up": True}
    except BrokenProcessPool:
        return {"error": "worker process died (out of memory?)"}
    except Exception as e:  # the benchmark reports a failed run and goes on
        return {"error": f"{type(e).__name__}: {e}"}
    return result


def _isolated(
    fn: Callable[..., dict[str, Any]], *args: Any, timeout: float | None = None
) -> dict[str, Any]:
    """``fn(*args)`` in a freshly spawned process of its own (see :func:`_attempt`)."""
    with Worker() as worker:
        return _attempt(worker, fn, *args, timeout=timeout)


# ------------------------------------------------------------------ report
def _finite(x: float | None) -> bool:
    return x is not None and bool(np.isfinite(x))


def _money(x: float | None) -> str:
    return f"${x:,.0f}" if x is not None and _finite(x) else "—"


def _pct(x: float | None) -> str:
    return f"{100 * x:.3f}%" if x is not None and _finite(x) else "—"


def _secs(x: float | None) -> str:
    return "—" if x is None else f"{x:.2f}"


def _lp_cell(lp: float | None, best: float | None) -> str:
    if lp is None:
        return "—"
    if not best:
        return _money(lp)
    return f"{_money(lp)} ({100 * (best - lp) / best:.2f}% below)"


def _check_cell(r: dict[str, Any]) -> str:
    if r.get("check") is None:
        return "—"
    return "ok" if r["check"] else f"{r['breaches']} breaches"


def _mem_cell(r: dict[str, Any]) -> str:
    if "peak" not in r:
        return "—"
    return f"{r['peak']:,.0f} (Δ {r['delta']:,.0f})"


def _short_bound(method: str | None) -> str:
    """A few words of a bound method (the full string goes in the notes)."""
    if not method:
        return "—"
    words = method.split(" (")[0].split()
    return " ".join(words[:2])


def _run_cells(r: dict[str, Any]) -> list[str]:
    """status, build s, solve s, wall s, cost, bound, proven gap of a solver run."""
    if "error" in r:
        return [r["error"] if r.get("gave_up") else "error (notes)"] + ["—"] * 6
    return [
        r["status"],
        _secs(r["build"]),
        _secs(r["solve"]),
        _secs(r["wall"]),
        _money(r["cost"]),
        _money(r["bound"]),
        _pct(r["gap"]),
    ]


def _goal_line(name: str, goal: Goal, ours: dict[str, Any]) -> str:
    """``met: ...`` or ``MISSED: ...`` with the figures the goal is judged on."""
    head = f"{name} {goal.text}"
    if "error" in ours:
        return f"MISSED: {head}: charter's run failed ({ours['error']})"
    missed: list[str] = []
    facts = [f"plan() wall {ours['wall']:.1f} s"]
    if ours["wall"] >= goal.seconds:
        missed.append(f"wall not under {goal.seconds:g} s")
    if ours["check"] is not True:
        missed.append("no plan" if ours["check"] is None else "plan fails the checker")
    if not _finite(ours["bound"]):
        missed.append("no bound reported")
    if goal.gap is not None:
        facts.append(f"proven gap {_pct(ours['gap'])}")
        if not _finite(ours["gap"]) or ours["gap"] > goal.gap + 1e-12:
            missed.append(f"gap not within {100 * goal.gap:g}%")
    else:
        facts.append(f"bound {_money(ours['bound'])}")
    if goal.peak_mb is not None:
        facts.append(f"peak RSS {ours['peak']:,.0f} MB")
        if ours["peak"] >= goal.peak_mb:
            missed.append(f"peak RSS not under {goal.peak_mb:,.0f} MB")
    facts.append("checker ok" if ours["check"] else "checker not ok")
    line = f"{'MISSED' if missed else 'met'}: {head}: {', '.join(facts)}"
    return line + (f" ({'; '.join(missed)})" if missed else "")


@contextlib.contextmanager
def _step(console: Console, text: str) -> Iterator[None]:
    """A Rich status while a step runs (a plain time-stamped line when not on a terminal)."""
    if console.is_terminal:
        with console.status(text):
            yield
    else:
        console.print(f"{time.strftime('%H:%M:%S')} {text}", highlight=False, markup=False)
        yield


def analyse(
    console: Console, name: str, folder: str, time_limit: float, lp: bool, bigm: bool
) -> dict[str, dict[str, Any]]:
    """Build time breakdown, big-M model, LP relaxations (XS-M), greedy under its guard."""
    out: dict[str, dict[str, Any]] = {"setup": {}, "forms": {}, "greedy": {}, "greedy_check": {}}
    with Worker() as worker:
        with _step(console, f"{name}: problem arrays and charter's model ..."):
            out["setup"] = _attempt(worker, analysis_setup, folder)
        if "error" in out["setup"]:
            return out
        if lp or bigm:
            what = "big-M model and LP relaxations" if lp and bigm else "LP relaxation"
            if not lp:
                what = "big-M model"
            with _step(console, f"{name}: {what} ..."):
                out["forms"] = _attempt(worker, analysis_formulations, lp, bigm)
        if "error" in out["forms"] and not out["forms"].get("gave_up"):
            # a dead worker cannot run the greedy; start again without the formulations
            return out
        with _step(console, f"{name}: greedy (given up after {time_limit:g} s) ..."):
            out["greedy"] = _attempt(worker, analysis_greedy, timeout=time_limit)
        if out["greedy"].get("cost") is not None:
            with _step(console, f"{name}: checking the greedy's plan ..."):
                out["greedy_check"] = _attempt(worker, analysis_check_greedy)
    return out


def family_members(parser: argparse.ArgumentParser, spec: str) -> list[str]:
    """The generator family's members a comma-separated ``--family`` names (``all``: every
    one); an unknown name ends the program with the list of members."""
    from tests.support.portfolios import FAMILY

    members = list(FAMILY) if spec == "all" else [m.strip() for m in spec.split(",") if m.strip()]
    for m in members:
        if m not in FAMILY:
            parser.error(f"unknown family member {m!r}; members are {', '.join(FAMILY)}, all")
    return members


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", default="XS,S", help=f"comma-separated, of {', '.join(SIZES)}")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        help="seconds per solve, for every size (default per size: "
        + ", ".join(f"{k} {v:g}" for k, v in TIME_LIMITS.items())
        + ")",
    )
    parser.add_argument(
        "--gap",
        type=float,
        default=None,
        help="relative gap, for every size (default per size: "
        + ", ".join(f"{k} {v:g}" for k, v in GAPS.items())
        + ")",
    )
    parser.add_argument("--seed", type=int, default=1, help="scenario generator seed")
    parser.add_argument(
        "--family",
        default="baseline",
        help="comma-separated members of the generator family (tests/support/portfolios.py "
        "FAMILY), or all",
    )
    parser.add_argument(
        "--folder",
        action="append",
        default=[],
        help="a scenario folder of your own, planned instead of generated ones (repeatable); "
        "its gap and time limit are --gap and --time-limit (default 0.1%% and 60 s)",
    )
    parser.add_argument("--no-cbc", action="store_true", help="skip CBC (slow on big models)")
    parser.add_argument(
        "--no-bigm", action="store_true", help="skip the straightforward formulation (HiGHS, CBC)"
    )
    args = parser.parse_args()

    sizes = [x.strip() for x in args.sizes.split(",") if x.strip()]
    for name in sizes:
        if name not in SIZES:
            parser.error(f"unknown size {name!r}; sizes are {', '.join(SIZES)}")
    members = family_members(parser, args.family)
    # (label, size whose gap and limits apply, member, folder of the user's own)
    cases: list[tuple[str, str, str, str | None]] = [
        (size if m == "baseline" else f"{size}/{m}", size, m, None)
        for size in sizes
        for m in members
    ]
    if args.folder:
        cases = [(Path(f).name, "S", "", f) for f in args.folder]
    console = Console()
    console.width = max(console.width, 200)  # the table is wide; never wrap its cells

    table = Table(title=f"charter plan vs the straightforward formulation (seed {args.seed})")
    for col, just in (
        ("size", "left"),
        ("method", "left"),
        ("status", "left"),
        ("build s", "right"),
        ("solve s", "right"),
        ("wall s", "right"),
        ("cost", "right"),
        ("bound", "right"),
        ("proven gap", "right"),
        ("bound by", "left"),
        ("LP bound (below best)", "right"),
        ("peak RSS MB (Δ)", "right"),
        ("check", "left"),
    ):
        table.add_column(col, justify=just, no_wrap=True)  # type: ignore[arg-type]
    notes: list[str] = []
    goals: list[str] = []
    failed: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, (name, size, member, given) in enumerate(cases):
            n_w, n_o, n_t = SIZES[size] if given is None else _dims(given)
            gap = GAPS[size] if args.gap is None else args.gap
            limit = TIME_LIMITS[size] if args.time_limit is None else args.time_limit
            if given is None:
                with (
                    _step(console, f"{name}: generating {n_w:,} × {n_o:,} × {n_t} ..."),
                    Worker() as worker,
                ):
                    path = str(Path(tmp) / name.replace("/", "-"))
                    folder = worker.call(_generate, path, n_w, n_o, n_t, args.seed, member)
            else:
                folder = given
                gap = 1e-3 if args.gap is None else args.gap
                limit = 60.0 if args.time_limit is None else args.time_limit
            with _step(console, f"{name}: charter plan (gap {gap:g}, {limit:g} s) ..."):
                ours = _isolated(run_charter, folder, gap, limit)
            # the straightforward formulation needs the full model (see FULL_MODEL_MAX)
            bigm = not args.no_bigm and not worker_too_big(folder)
            if not args.no_bigm and not bigm:
                notes.append(
                    f"{name}: straightforward formulation skipped: the full model does not fit "
                    "in memory at this size; the greedy ran on the decomposition's restriction."
                )
            lp = size in LP_SIZES and (given is None or n_w <= 5000)
            an = analyse(console, name, folder, limit, lp=lp, bigm=bigm)
            setup, forms, greedy_run = an["setup"], an["forms"], an["greedy"]
            hi: dict[str, Any] | None = None
            cbc: dict[str, Any] | None = None
            if bigm:
                with _step(console, f"{name}: big-M with HiGHS ..."):
                    hi = _isolated(run_bigm_highs, folder, gap, limit, timeout=_bigm_guard(limit))
                if not args.no_cbc:
                    with _step(console, f"{name}: big-M with CBC ..."):
                        cbc = _isolated(
                            run_bigm_cbc, folder, gap, limit, timeout=_bigm_guard(limit)
                        )
            costs = [r.get("cost") for r in (ours, hi, cbc) if r is not None]
            best = min((c for c in costs if c is not None), default=None)
            lp_skipped = not lp
            if i:
                table.add_section()
            ok = "error" not in ours
            st = ours.get("stats", {})
            table.add_row(
                f"{name} {n_w:,}×{n_o:,}×{n_t}",
                f"charter plan(), {st.get('strategy', '?')}",
                *_run_cells(ours),
                _short_bound(ours.get("bound_method")),
                "— (skipped)" if lp_skipped else _lp_cell(forms.get("lp"), best),
                _mem_cell(ours),
                _check_cell(ours),
            )
            label = f"gap {100 * gap:g}%, {limit:g} s"
            if hi is not None:
                table.add_row(
                    label,
                    "big-M ROFR, HiGHS",
                    *_run_cells(hi),
                    "MILP dual" if "error" not in hi and _finite(hi["bound"]) else "—",
                    "— (skipped)" if lp_skipped else _lp_cell(forms.get("lp_bigm"), best),
                    _mem_cell(hi),
                    _check_cell(hi),
                )
                label = ""
            if cbc is not None:
                table.add_row(
                    label,
                    "big-M ROFR, CBC (PuLP)",
                    *_run_cells(cbc),
                    "CBC lower bound" if "error" not in cbc and _finite(cbc["bound"]) else "—",
                    "— (skipped)" if lp_skipped else "same as above",
                    _mem_cell(cbc) + (" PuLP" if "peak" in cbc else ""),
                    _check_cell(cbc),
                )
                label = ""
            g_cost = greedy_run.get("cost")
            if "error" in greedy_run:
                g_status = greedy_run["error"] if greedy_run.get("gave_up") else "error (notes)"
            elif not greedy_run:
                g_status = "not run (notes)"
            else:
                g_status = "no solution" if g_cost is None else "ROFR-respecting plan"
            g_cell = _money(g_cost)
            if g_cost is not None and best:
                g_cell += f" (+{100 * (g_cost - best) / best:.2f}%)"
            g_build = (
                setup["problem_seconds"] + setup["model_seconds"] if "error" not in setup else None
            )
            g_secs = greedy_run.get("seconds")
            table.add_row(
                label,
                "greedy alone",
                g_status,
                _secs(g_build),
                _secs(g_secs),
                _secs(None if g_build is None or g_secs is None else g_build + g_secs),
                g_cell,
                "",
                "",
                "",
                "",
                "",
                _check_cell(an["greedy_check"]),
            )

            # notes
            if ok:
                if ours["check"] is not True:
                    failed.append(name)
                text = (
                    f"{name}: {st['workloads']:,} workloads → {st['groups']:,} groups, "
                    f"{st['offers']:,} offers, {st['periods']} months, "
                    f"{st['feasible_triples']:,} feasible triples; charter model "
                    f"{st['columns']:,} cols ({st['binaries']:,} binary), {st['rows']:,} rows, "
                    f"{st['nonzeros']:,} nonzeros, {st['rofr_groups']} ROFR groups"
                )
                if "rofr_rows" in setup:
                    text += f" (ROFR rows: {setup['rofr_rows']})"
                text += (
                    f". plan() wall {ours['wall']:.2f} s: build {ours['build']:.3f} s, "
                    f"solve {ours['solve']:.2f} s (strategy {st['strategy']}, "
                    f"{st['nodes']} nodes, warm start used: {st['warm_start']})"
                )
                if "error" not in setup:
                    text += (
                        f"; in the analysis run rules + problem took "
                        f"{setup['problem_seconds']:.3f} s (decision-engine masks "
                        f"{setup['mask_seconds']:.3f} s), the model {setup['model_seconds']:.3f} s"
                    )
                check = (
                    "no plan to check"
                    if ours["check_seconds"] is None
                    else f"check_plan took {ours['check_seconds']:.2f} s"
                )
                text += (
                    f". {check}. Bound: {ours['bound_method']}. Peak RSS {ours['peak']:,.0f} MB "
                    f"(ru_maxrss of the whole worker), {ours['delta']:,.0f} MB over the loaded "
                    "scenario."
                )
                notes.append(text)
                sc = st.get("scale")
                if sc:
                    # the scale and decompose strategies report different details: print
                    # whatever they give (a missing key must never lose the run's table)
                    details = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sc.items())
                    notes.append(f"{name}: {st.get('strategy')} path: {details}.")
            else:
                failed.append(name)
                notes.append(f"{name}: charter's run failed: {ours['error']}")
            for what, r in (("big-M HiGHS", hi), ("big-M CBC", cbc)):
                if r is None:
                    continue
                if "error" in r:
                    why = r["error"]
                    if r.get("gave_up"):
                        why += f" (the safety net: {limit:g} s time limit + loading and building)"
                    notes.append(f"{name}: {what}: {why}.")
                elif r["check_seconds"] is not None:
                    notes.append(
                        f"{name}: {what}: check_plan took {r['check_seconds']:.2f} s"
                        + (
                            "; its memory is PuLP's side only (CBC runs as its own process)."
                            if r is cbc
                            else "."
                        )
                    )
            if "error" in setup:
                notes.append(f"{name}: analysis run failed: {setup['error']}")
            if "error" in forms:
                notes.append(f"{name}: big-M model / LP relaxations failed: {forms['error']}")
            parts: list[str] = []
            if "bigm_rows" in forms:
                parts.append(
                    f"big-M model {forms['bigm_rows']:,} rows, {forms['bigm_nnz']:,} nonzeros"
                )
            if lp_skipped:
                parts.append("LP relaxations skipped at L and XL (too expensive)")
            elif "lp_seconds" in forms:
                lp_text = f"LP relaxation {forms['lp_seconds']:.2f} s (charter)"
                if "lp_bigm_seconds" in forms:
                    lp_text += f" / {forms['lp_bigm_seconds']:.2f} s (big-M)"
                parts.append(lp_text)
            if "error" in greedy_run:
                parts.append(
                    f"greedy {greedy_run['error']}"
                    + (" (worker killed)" if greedy_run.get("gave_up") else "")
                )
            elif g_secs is not None:
                gc = an["greedy_check"]
                parts.append(
                    f"greedy {g_secs:.3f} s on charter's model"
                    + (f", check_plan {gc['check_seconds']:.2f} s" if "check_seconds" in gc else "")
                )
            if parts:
                notes.append(f"{name}: {'; '.join(parts)}.")
            if forms.get("same_base_rows") is False:
                notes.append(
                    f"{name}: WARNING the benchmark's copy of build_model no longer matches "
                    "charter's non-ROFR rows; update bigm_model()."
                )
            if name in GOALS:  # the goals are set on the baseline member
                goals.append(_goal_line(name, GOALS[name], ours))
    wide = console.measure(table, options=console.options.update_width(10_000)).maximum
    console.width = max(console.width, wide)  # never truncate a cell
    console.print(table)
    for note in notes:
        console.print(note, highlight=False, markup=False)
    console.print(
        f"This process peaked at {_rss_mb():,.0f} MB; on Linux a spawned worker's ru_maxrss "
        "starts from its parent's peak, so that is a floor on every peak RSS above.",
        highlight=False,
        markup=False,
    )
    for line in goals:
        console.print(line, highlight=False, markup=False)
    if failed:
        raise SystemExit(f"charter's plan did not pass check_plan: {', '.join(failed)}")


if __name__ == "__main__":
    main()
