"""Planner speed and proven gap on synthetic scenarios, against the straightforward formulation.

    python -m benchmarks.plan_bench [--sizes XS,S] [--time-limit 60] [--seed 1]

Scenarios come from :mod:`benchmarks.plan_gen` (seeded). For each size, in one table:

1. charter's planner, ``plan(scenario, gap=1e-3)`` (tightened ROFR rows, greedy warm start),
   and whether its plan passes the independent checker (``check_plan``);
2. the straightforward formulation of the same problem arrays: one big-M row per ROFR group
   (Σ third-party subject hours ≤ M z, Σ holder load ≥ Σ holder capacity · z) instead of the
   per-triple linking rows, no warm start; solved by HiGHS and by CBC (through PuLP) with the
   same gap and time limit;
3. the greedy alone (charter's warm start).

The LP relaxation bound of both formulations (HiGHS, relax=True) shows how much the
per-triple rows tighten the model. Every solve runs in a fresh process (spawned) so that its
peak memory (ru_maxrss growth over the loaded scenario) is its own; runs are one-shot, on
whatever else the machine is doing: compare within a run.

Goal (from the issue): S (200 workloads × 50 offers × 12 months) optimal within 0.1% in
under 2 s, build + solve, on this 2-core machine.
"""

from __future__ import annotations

import argparse
import re
import resource
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from rich.console import Console
from rich.table import Table

SIZES: dict[str, tuple[int, int, int]] = {
    "XS": (30, 10, 6),
    "S": (200, 50, 12),
    "M": (1000, 200, 24),
}
GAP = 1e-3
GOAL_SIZE, GOAL_SECONDS = "S", 2.0


# ------------------------------------------------------------------ helpers (run in workers)
def _rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _setup(folder: str) -> tuple[Any, Any, float]:
    """The scenario, its problem arrays and the seconds they took (rules + masks)."""
    import charter
    from charter.planner.problem import build_problem, months

    s = charter.load_scenario(folder)
    meta = s.data.meta.plan
    assert meta is not None
    t0 = time.perf_counter()
    rules = s.rules(None)
    pb = build_problem(
        rules,
        s.data.offers,
        s.data.workloads,
        months(meta.from_, meta.to),
        party=meta.party,
        commitment_share=meta.commitment_share,
    )
    return s, pb, time.perf_counter() - t0


def _check(s: Any, pb: Any, model: Any, sol: Any) -> tuple[bool, int]:
    from charter.check import check_plan
    from charter.planner.result import extract
    from charter.plans import PlanRow

    placements, _ = extract(pb, model, sol)
    rows = [PlanRow(p.workload, p.offer, p.period, p.hours) for p in placements]
    report = check_plan(s, rows)
    return report.ok, len(report.breaches)


def bigm_model(pb: Any) -> Any:
    """The straightforward formulation: charter's model (solver.build_model, copied) with one
    big-M row and one aggregated saturation row per ROFR group instead of per-triple rows.

        Σ_{j∈subject(g)} x_j + Σ_{k∈subject(g)} d_k,t y_k − M_g z_g ≤ 0,
            M_g = Σ demand of g's subject workloads in month t (the smallest valid M)
        Σ_{h∈holder(g)} load_h,t − (Σ_h C_h,t) z_g ≥ 0

    With every load_h,t ≤ C_h,t the aggregated row forces each holder offer full, so both
    formulations have the same integer solutions; only the LP relaxation differs.
    """
    from charter.planner.solver import INF, Model

    frac = np.flatnonzero(pb.fractional)
    n_x, n_y = len(frac), len(pb.gang_w)
    n_s, n_z = len(pb.commitments), len(pb.rofr)
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

    # ROFR: one big-M row and one aggregated saturation row per group
    if pb.rofr:
        triple_col = np.full(len(pb.tw), -1, dtype=np.int64)
        triple_col[frac] = np.arange(n_x) + x0
        gang_key = {
            (int(w), int(o)): k for k, (w, o) in enumerate(zip(pb.gang_w, pb.gang_o, strict=True))
        }
        m_r: list[int] = []
        m_c: list[int] = []
        m_v: list[float] = []
        s_r: list[int] = []
        s_c: list[int] = []
        s_v: list[float] = []
        for g_i, g in enumerate(pb.rofr):
            t = g.period
            z = z0 + g_i
            for j in g.subject:
                col = triple_col[j]
                if col >= 0:
                    m_r.append(g_i)
                    m_c.append(int(col))
                    m_v.append(1.0)
                else:
                    k = gang_key.get((int(pb.tw[j]), int(pb.to[j])))
                    if k is not None:
                        m_r.append(g_i)
                        m_c.append(y0 + k)
                        m_v.append(float(gang_hours[k, t]))
            big_m = float(pb.demand[np.unique(pb.tw[g.subject]), t].sum())
            m_r.append(g_i)
            m_c.append(z)
            m_v.append(-big_m)
            total = 0.0
            for h in g.holder_offers:
                on_h = np.flatnonzero((xo == h) & (xt == t))
                s_r += [g_i] * len(on_h)
                s_c += (on_h + x0).tolist()
                s_v += [1.0] * len(on_h)
                for kk in np.flatnonzero((pb.gang_o == h) & (gang_hours[:, t] > 0)):
                    s_r.append(g_i)
                    s_c.append(y0 + int(kk))
                    s_v.append(float(gang_hours[kk, t]))
                total += float(pb.cap[h, t])
            s_r.append(g_i)
            s_c.append(z)
            s_v.append(-total)
        n_g = len(pb.rofr)
        add("rofr-bigm", m_r, m_c, m_v, np.full(n_g, -INF), np.zeros(n_g))
        add("rofr-saturate", s_r, s_c, s_v, np.zeros(n_g), np.full(n_g, INF))

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


def run_charter(folder: str, time_limit: float) -> dict[str, Any]:
    """charter's planner end to end, and the checker's verdict on its plan."""
    import charter
    from charter.check import check_plan
    from charter.planner import plan
    from charter.plans import PlanRow

    s = charter.load_scenario(folder)
    base = _rss_mb()
    t0 = time.perf_counter()
    p = plan(s, gap=GAP, time_limit=time_limit, explain=False)
    wall = time.perf_counter() - t0
    mem = _rss_mb() - base
    rows = [PlanRow(x.workload, x.offer, x.period, x.hours) for x in p.placements]
    report = check_plan(s, rows) if rows else None
    return {
        "status": p.status,
        "build": p.stats["build_seconds"],
        "solve": p.stats["solve_seconds"],
        "wall": wall,
        "cost": p.cost,
        "bound": p.bound,
        "gap": p.gap,
        "mem": mem,
        "check": None if report is None else report.ok,
        "breaches": 0 if report is None else len(report.breaches),
        "stats": p.stats,
    }


def run_bigm_highs(folder: str, time_limit: float) -> dict[str, Any]:
    from charter.planner.solver import solve

    s, pb, problem_seconds = _setup(folder)
    base = _rss_mb()
    t0 = time.perf_counter()
    model = bigm_model(pb)
    build = problem_seconds + time.perf_counter() - t0
    sol = solve(model, time_limit=time_limit, gap=GAP)
    mem = _rss_mb() - base
    ok, breaches = _check(s, pb, model, sol) if sol.values is not None else (None, 0)
    return {
        "status": sol.status,
        "build": build,
        "solve": sol.seconds,
        "cost": sol.objective,
        "bound": sol.bound,
        "gap": sol.gap,
        "mem": mem,
        "check": ok,
        "breaches": breaches,
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


def run_bigm_cbc(folder: str, time_limit: float) -> dict[str, Any]:
    """The big-M model through PuLP to CBC; PuLP's model build counts as build time."""
    import pulp

    from charter.planner.solver import Solution

    s, pb, problem_seconds = _setup(folder)
    base = _rss_mb()
    t0 = time.perf_counter()
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
    build = problem_seconds + time.perf_counter() - t0
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "cbc.log"
        solver = pulp.PULP_CBC_CMD(
            msg=False, timeLimit=time_limit, gapRel=GAP, logPath=str(log), threads=1
        )
        t1 = time.perf_counter()
        prob.solve(solver)
        solve_seconds = time.perf_counter() - t1
        parsed = _cbc_log(log)
    mem = _rss_mb() - base  # PuLP's side only: CBC runs as its own process
    values = np.array([v.varValue or 0.0 for v in xs])
    has_solution = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    cost = float(pulp.value(prob.objective)) if has_solution else None
    status = pulp.LpStatus[prob.status].lower()
    if has_solution and prob.sol_status == pulp.LpSolutionIntegerFeasible:
        status = "feasible"
    bound = parsed.get("bound")
    if bound is None and status == "optimal":
        bound = parsed.get("objective", cost)
    gap = None
    if cost is not None and bound is not None:
        gap = max(0.0, (cost - bound) / max(abs(cost), 1e-9))
    ok, breaches = (None, 0)
    if has_solution:
        sol = Solution(status, cost, bound, values, solve_seconds, 0, gap)
        ok, breaches = _check(s, pb, model, sol)
    return {
        "status": status,
        "build": build,
        "solve": solve_seconds,
        "cost": cost,
        "bound": bound,
        "gap": gap,
        "mem": mem,
        "check": ok,
        "breaches": breaches,
    }


def run_analysis(folder: str) -> dict[str, Any]:
    """LP bounds of both formulations, the greedy, and where charter's build time goes."""
    from charter.planner import problem as problem_module
    from charter.planner.greedy import greedy
    from charter.planner.solver import build_model, solve

    evaluate = problem_module._evaluate
    spent = {"masks": 0.0}

    def timed_evaluate(*args: Any, **kw: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return evaluate(*args, **kw)
        finally:
            spent["masks"] += time.perf_counter() - t0

    problem_module._evaluate = timed_evaluate  # type: ignore[assignment]
    try:
        _, pb, problem_seconds = _setup(folder)
    finally:
        problem_module._evaluate = evaluate  # type: ignore[assignment]
    t0 = time.perf_counter()
    model = build_model(pb)
    model_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    start = greedy(pb, model)
    greedy_seconds = time.perf_counter() - t0
    greedy_cost = float(model.cost @ start) if start is not None else None
    bigm = bigm_model(pb)
    lp = solve(model, relax=True)
    lp_bigm = solve(bigm, relax=True)
    return {
        "problem_seconds": problem_seconds,
        "mask_seconds": spent["masks"],
        "model_seconds": model_seconds,
        "greedy_seconds": greedy_seconds,
        "greedy_cost": greedy_cost,
        "lp": lp.objective,
        "lp_seconds": lp.seconds,
        "lp_bigm": lp_bigm.objective,
        "lp_bigm_seconds": lp_bigm.seconds,
        "same_base_rows": _same_base_rows(model, bigm),
        "bigm_rows": int(bigm.matrix.shape[0]),
        "bigm_nnz": int(bigm.matrix.nnz),
        "groups": len(pb.groups),
        "triples": len(pb.tw),
    }


def _isolated(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
    """Run ``fn(*args)`` in a freshly spawned process (its own peak memory and caches)."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(fn, *args).result()


# ------------------------------------------------------------------ report
def _money(x: float | None) -> str:
    return "—" if x is None else f"${x:,.0f}"


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{100 * x:.3f}%"


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="XS,S", help=f"comma-separated, of {', '.join(SIZES)}")
    parser.add_argument("--time-limit", type=float, default=60.0, help="seconds per MILP solve")
    parser.add_argument("--seed", type=int, default=1, help="scenario generator seed")
    parser.add_argument("--no-cbc", action="store_true", help="skip CBC (slow on big models)")
    args = parser.parse_args()
    sizes = [x.strip() for x in args.sizes.split(",") if x.strip()]
    for name in sizes:
        if name not in SIZES:
            parser.error(f"unknown size {name!r}; sizes are {', '.join(SIZES)}")
    console = Console()
    console.width = max(console.width, 170)  # the table is wide; never wrap its cells
    from benchmarks.plan_gen import generate

    table = Table(
        title=f"charter plan vs the straightforward formulation (seed {args.seed}, "
        f"gap {GAP:g}, time limit {args.time_limit:g} s)"
    )
    for col, just in (
        ("size", "left"),
        ("method", "left"),
        ("status", "left"),
        ("build s", "right"),
        ("solve s", "right"),
        ("cost", "right"),
        ("bound", "right"),
        ("proven gap", "right"),
        ("LP bound (below best)", "right"),
        ("peak ΔRSS MB", "right"),
        ("check", "left"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    notes: list[str] = []
    failed: list[str] = []
    goal: tuple[bool, str] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for i, name in enumerate(sizes):
            n_w, n_o, n_t = SIZES[name]
            folder = str(generate(Path(tmp) / name, n_w, n_o, n_t, args.seed))
            with console.status(f"{name}: charter plan ..."):
                ours = _isolated(run_charter, folder, args.time_limit)
            with console.status(f"{name}: LP relaxations, greedy ..."):
                an = _isolated(run_analysis, folder)
            with console.status(f"{name}: big-M with HiGHS ..."):
                hi = _isolated(run_bigm_highs, folder, args.time_limit)
            cbc = None
            if not args.no_cbc:
                with console.status(f"{name}: big-M with CBC ..."):
                    cbc = _isolated(run_bigm_cbc, folder, args.time_limit)
            costs = [r["cost"] for r in (ours, hi, cbc) if r and r["cost"] is not None]
            best = min(costs) if costs else None
            if i:
                table.add_section()
            label = f"{name} {n_w}×{n_o}×{n_t}"
            table.add_row(
                label,
                "charter plan()",
                ours["status"],
                _secs(ours["build"]),
                _secs(ours["solve"]),
                _money(ours["cost"]),
                _money(ours["bound"]),
                _pct(ours["gap"]),
                _lp_cell(an["lp"], best),
                f"{ours['mem']:.0f}",
                _check_cell(ours),
            )
            table.add_row(
                "",
                "big-M ROFR, HiGHS",
                hi["status"],
                _secs(hi["build"]),
                _secs(hi["solve"]),
                _money(hi["cost"]),
                _money(hi["bound"]),
                _pct(hi["gap"]),
                _lp_cell(an["lp_bigm"], best),
                f"{hi['mem']:.0f}",
                _check_cell(hi),
            )
            if cbc is not None:
                table.add_row(
                    "",
                    "big-M ROFR, CBC (PuLP)",
                    cbc["status"],
                    _secs(cbc["build"]),
                    _secs(cbc["solve"]),
                    _money(cbc["cost"]),
                    _money(cbc["bound"]),
                    _pct(cbc["gap"]),
                    "same as above",
                    f"{cbc['mem']:.0f} (PuLP only)",
                    _check_cell(cbc),
                )
            g_cost = an["greedy_cost"]
            g_note = "no solution" if g_cost is None else _money(g_cost)
            if g_cost is not None and best:
                g_note += f" (+{100 * (g_cost - best) / best:.2f}%)"
            table.add_row(
                "",
                "greedy alone",
                "no solution" if g_cost is None else "feasible",
                _secs(an["problem_seconds"] + an["model_seconds"]),
                _secs(an["greedy_seconds"]),
                g_note,
                "",
                "",
                "",
                "",
                "",
            )
            if ours["check"] is not True:
                failed.append(name)
            st = ours["stats"]
            notes.append(
                f"{name}: {st['workloads']} workloads → {st['groups']} groups, "
                f"{st['offers']} offers, {st['feasible_triples']:,} feasible triples; charter "
                f"model {st['columns']:,} cols ({st['binaries']:,} binary), {st['rows']:,} rows, "
                f"{st['nonzeros']:,} nonzeros, {st['rofr_groups']} ROFR groups; big-M model "
                f"{an['bigm_rows']:,} rows, {an['bigm_nnz']:,} nonzeros. charter build "
                f"{ours['build']:.3f} s = rules + problem {an['problem_seconds']:.3f} s "
                f"(decision-engine masks {an['mask_seconds']:.3f} s) + model "
                f"{an['model_seconds']:.3f} s; greedy {an['greedy_seconds']:.3f} s "
                f"(warm start used: {st['warm_start']}); HiGHS {ours['solve']:.2f} s, "
                f"{st['nodes']} nodes; plan() wall {ours['wall']:.2f} s. LP relaxation "
                f"{an['lp_seconds']:.2f} s (charter) / {an['lp_bigm_seconds']:.2f} s (big-M)."
            )
            if not an["same_base_rows"]:
                notes.append(
                    f"{name}: WARNING the benchmark's copy of build_model no longer matches "
                    "charter's non-ROFR rows; update bigm_model()."
                )
            if name == GOAL_SIZE:
                total = ours["build"] + ours["solve"]
                within = ours["gap"] is not None and ours["gap"] <= GAP + 1e-12
                goal = (
                    within and total < GOAL_SECONDS and ours["status"] == "optimal",
                    f"{total:.2f} s build + solve, proven gap {_pct(ours['gap'])}",
                )
    console.print(table)
    for note in notes:
        console.print(note, highlight=False)
    if goal is not None:
        word = "met" if goal[0] else "MISSED"
        console.print(
            f"{word}: {GOAL_SIZE} within 0.1% in under {GOAL_SECONDS:g} s "
            f"(build + solve): {goal[1]}"
        )
    if failed:
        raise SystemExit(f"charter's plan did not pass check_plan: {', '.join(failed)}")


if __name__ == "__main__":
    main()
