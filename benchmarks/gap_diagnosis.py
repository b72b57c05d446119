"""Whose gap is it, the plan's or the bound's? Per instance, side by side:

    python -m benchmarks.gap_diagnosis [--sizes S] [--family all | a,b] [--seed 1]
                                       [--folder DIR]... [--time-limit 60] [--exact-limit 300]
                                       [--no-exact] [--json PATH]

1. ``LP full``: the LP relaxation of the whole model (``_setup(..., aggregate=True)``), a
   valid lower bound on every plan;
2. ``LP restriction``: the LP of the restriction the decomposition plans on (a few candidate
   offers per gang job, ``gang_candidates=RESTRICTED_CANDIDATES``); not a bound on the full
   problem: above ``LP full`` it says the restriction itself leaves cheaper plans out;
3. ``LP divisible``: the relaxation with gang jobs divisible (``divisible_gangs=True``), the
   decomposition's own bound before its Lagrangian refinements;
4. ``charter``: ``plan()`` (strategy auto) with the size's gap and time limit: its cost, its
   reported bound and what proved it;
5. ``best known``: the exact strategy (HiGHS branch and bound on the whole tightened model)
   with a long limit (``--exact-limit``, default 300 s; ``--no-exact`` skips it; skipped
   above S unless asked with ``--exact-sizes``): its plan and its MILP dual bound.

The LPs are solved with highspy directly (one thread, dual simplex after presolve) from the
model's arrays. The verdict splits charter's gap (cost - its bound, a share of its cost) in
three: the part a cheaper known plan closes from above (the plan's), the part a higher known
valid bound closes from below (the bound's: charter's plan is nearer the optimum than its
bound says) and what is left between the best plan and the best bound (open). The gap is
**the plan's** or **the bound's** by the larger part (naming the other too when it is over a
quarter of the gap), **closed** when charter's gap is within the target, **open** when
neither part is over the target. Known plans and bounds: the exact strategy's and, with
``--known``, those of the big-M stacks in goal table runs (plans only if they passed the
checker); valid bounds also include both LP relaxations of the full problem. Timings are
one-shot and depend on whatever else the machine runs.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.table import Table

from benchmarks.plan_bench import (
    GAPS,
    SIZES,
    TIME_LIMITS,
    Worker,
    _attempt,
    _generate,
    family_members,
)

__all__ = ["highs_run", "main", "verdict"]

EXACT_SIZES = ("XS", "S")


def highs_run(
    model: Any,
    *,
    relax: bool,
    time_limit: float,
    gap: float = 1e-4,
    threads: int = 1,
    log: Path | None = None,
) -> dict[str, Any]:
    """One HiGHS run on a charter ``Model`` (its arrays, as the planner hands them over):
    status, objective, dual bound, seconds and, with ``log``, the MIP progress read back
    from HiGHS's log as (seconds, incumbent, bound)."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", log is not None)
    if log is not None:
        h.setOptionValue("log_to_console", False)
        h.setOptionValue("log_file", str(log))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(gap))
    m = model.matrix.tocsr()
    n = int(model.n_cols)
    h.addVars(n, np.asarray(model.lower, dtype=float), np.asarray(model.upper, dtype=float))
    if n:
        h.changeColsCost(n, np.arange(n, dtype=np.int32), np.asarray(model.cost, dtype=float))
    if m.shape[0]:
        h.addRows(
            m.shape[0],
            np.asarray(model.row_lower, dtype=float),
            np.asarray(model.row_upper, dtype=float),
            m.nnz,
            m.indptr.astype(np.int32),
            m.indices.astype(np.int32),
            m.data.astype(float),
        )
    ints = np.flatnonzero(model.integer)
    mip = bool(len(ints)) and not relax
    if mip:
        h.changeColsIntegrality(
            len(ints),
            ints.astype(np.int32),
            np.array([highspy.HighsVarType.kInteger] * len(ints)),
        )
    t0 = time.perf_counter()
    h.run()
    seconds = time.perf_counter() - t0
    status = h.modelStatusToString(h.getModelStatus())
    info = h.getInfo()
    has_primal = int(info.primal_solution_status) == 2  # kSolutionStatusFeasible
    objective = float(info.objective_function_value) if has_primal else None
    bound = float(info.mip_dual_bound) if mip else objective
    if bound is not None and not np.isfinite(bound):
        bound = None
    out: dict[str, Any] = {
        "status": status,
        "objective": objective,
        "bound": bound,
        "seconds": seconds,
    }
    if mip and has_primal:
        out["values"] = np.asarray(h.getSolution().col_value)
    if log is not None:
        h.setOptionValue("log_file", "")
        out["trace"] = highs_trace(log.read_text() if log.exists() else "")
    return out


_HIGHS_ROW = re.compile(
    r"^\s*[A-Za-z]?\s+\d+\s+\d+\s+\d+\s+[\d.]+%\s+(\S+)\s+(\S+)\s+.*\s([\d.]+)s\s*$"
)


def highs_trace(text: str) -> list[tuple[float, float | None, float | None]]:
    """(seconds, incumbent, bound) of each row of HiGHS's branch-and-bound table."""
    out: list[tuple[float, float | None, float | None]] = []

    def number(s: str) -> float | None:
        try:
            v = float(s)
        except ValueError:
            return None
        return v if np.isfinite(v) else None

    for line in text.splitlines():
        found = _HIGHS_ROW.match(line)
        if found:
            bound, incumbent, t = found.groups()
            out.append((float(t), number(incumbent), number(bound)))
    return out


def _lp(model: Any, time_limit: float) -> dict[str, Any]:
    r = highs_run(model, relax=True, time_limit=time_limit)
    return {"value": r["objective"], "seconds": r["seconds"], "status": r["status"]}


def diagnose_worker(
    folder: str, gap: float, time_limit: float, exact_limit: float | None
) -> dict[str, Any]:
    """Every figure of one instance (run in a worker process of its own)."""
    import charter
    from charter.planner import RESTRICTED_CANDIDATES, _setup, plan

    s = charter.load_scenario(folder)
    out: dict[str, Any] = {}
    lp_limit = max(60.0, time_limit)
    for name, options in (
        ("lp_full", {}),
        ("lp_restriction", {"gang_candidates": RESTRICTED_CANDIDATES}),
        ("lp_divisible", {"divisible_gangs": True}),
    ):
        t0 = time.perf_counter()
        _, model = _setup(s, None, None, None, True, **options)
        built = time.perf_counter() - t0
        out[name] = {**_lp(model, lp_limit), "build": built, "columns": int(model.n_cols)}
    t0 = time.perf_counter()
    p = plan(s, gap=gap, time_limit=time_limit, explain=False)
    out["charter"] = {
        "status": str(p.status),
        "cost": p.cost,
        "bound": p.bound,
        "gap": p.gap,
        "bound_method": p.bound_method,
        "strategy": p.stats.get("strategy"),
        "wall": time.perf_counter() - t0,
    }
    if exact_limit:
        t0 = time.perf_counter()
        e = plan(s, gap=1e-4, time_limit=exact_limit, explain=False, strategy="exact")
        out["exact"] = {
            "status": str(e.status),
            "cost": e.cost,
            "bound": e.bound,
            "gap": e.gap,
            "wall": time.perf_counter() - t0,
        }
    return out


def verdict(r: dict[str, Any], target: float) -> dict[str, Any]:
    """Whose the gap is (see the module's docstring), with the figures it rests on."""
    ours = r.get("charter", {})
    cost, bound = ours.get("cost"), ours.get("bound")
    if cost is None:
        return {"owner": "no plan", "why": f"charter's status {ours.get('status')}"}
    known = {"exact": r.get("exact", {}), **r.get("known", {})}
    plans = {"charter": cost} | {
        k: v["cost"] for k, v in known.items() if v.get("cost") is not None and v.get("check", True)
    }
    bounds = {"charter": bound, "LP full": r["lp_full"]["value"]}
    bounds |= {"LP divisible": r["lp_divisible"]["value"]}
    bounds |= {k: v.get("bound") for k, v in known.items()}
    bounds = {k: b for k, b in bounds.items() if b is not None}
    plan_by = min(plans, key=lambda k: plans[k])
    bound_by = max(bounds, key=lambda k: bounds[k]) if bounds else None
    best_plan = plans[plan_by]
    best_bound = bounds[bound_by] if bound_by is not None else None
    out: dict[str, Any] = {
        "best_plan": best_plan,
        "best_plan_by": plan_by,
        "best_bound": best_bound,
        "best_bound_by": bound_by,
    }
    if best_bound is not None:
        out["optimum_within"] = (best_plan - best_bound) / max(best_plan, 1e-9)
    ours_bound = bound if bound is not None else 0.0
    g = cost - ours_bound
    if cost > 0 and g / cost <= target + 1e-12:
        out.update(owner="closed", why=f"charter's gap {100 * g / cost:.3f}% is within target")
        return out
    # charter's gap in three parts, each a share of its cost: a cheaper plan known (the
    # plan's), a higher bound known (the bound's), and what lies between the best of both
    plan_part = (cost - best_plan) / cost
    bound_part = ((best_bound or 0.0) - ours_bound) / cost if best_bound else 0.0
    out["plan_part"], out["bound_part"] = plan_part, max(0.0, bound_part)
    out["open_part"] = max(0.0, (best_plan - (best_bound or 0.0)) / cost) if best_bound else None
    parts = (
        f"plan {100 * plan_part:.2f}% ({plan_by}), bound {100 * max(0.0, bound_part):.2f}% "
        f"({bound_by}), open {100 * (out['open_part'] or 0.0):.2f}%"
    )
    if max(plan_part, bound_part) <= target:
        owner = "open"
    elif plan_part >= bound_part:
        owner = "the plan's" + (
            " and the bound's" if bound_part > max(target, 0.25 * g / cost) else ""
        )
    else:
        owner = "the bound's" + (
            " and the plan's" if plan_part > max(target, 0.25 * g / cost) else ""
        )
    why = parts
    out.update(owner=owner, why=why)
    return out


def _money(x: float | None) -> str:
    return "—" if x is None else f"${x:,.0f}"


def _below(x: float | None, ref: float | None) -> str:
    if x is None:
        return "—"
    if not ref:
        return _money(x)
    return f"{_money(x)} ({100 * (ref - x) / ref:+.2f}%)"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--sizes", default="S")
    parser.add_argument("--family", default="all")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--folder", action="append", default=[])
    parser.add_argument("--time-limit", type=float, default=None)
    parser.add_argument("--gap", type=float, default=None)
    parser.add_argument("--exact-limit", type=float, default=300.0)
    parser.add_argument("--exact-sizes", default=",".join(EXACT_SIZES))
    parser.add_argument("--no-exact", action="store_true")
    parser.add_argument("--json", type=Path, default=Path("gap-diagnosis.json"))
    parser.add_argument(
        "--known",
        type=Path,
        nargs="+",
        default=[],
        help="goal table --json files: their plans (those that pass the checker) and bounds "
        "of the same instances count as known in the verdicts",
    )
    parser.add_argument(
        "--render",
        type=Path,
        default=None,
        help="no runs: the verdicts and table of an earlier run's --json (with --known)",
    )
    args = parser.parse_args()
    if args.render:
        results = json.loads(args.render.read_text())
        _report(Console(), results, args.known, args.json, title=args.render.name)
        return

    members = family_members(parser, args.family)
    sizes = [x for x in args.sizes.split(",") if x]
    cases: list[tuple[str, str, str, str | None]] = [
        (f"{size}/{m}", size, m, None) for size in sizes for m in members
    ]
    if args.folder:
        cases = [(Path(f).name, "S", "", f) for f in args.folder]
    exact_sizes = set(args.exact_sizes.split(","))
    console = Console()
    console.width = max(console.width, 200)
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, size, member, given in cases:
            gap = args.gap if args.gap is not None else GAPS[size]
            limit = args.time_limit if args.time_limit is not None else TIME_LIMITS[size]
            exact = None if args.no_exact or size not in exact_sizes else args.exact_limit
            console.print(f"{time.strftime('%H:%M:%S')} {name} ...", highlight=False)
            with Worker() as worker:
                folder = given or worker.call(
                    _generate,
                    str(Path(tmp) / name.replace("/", "-")),
                    *SIZES[size],
                    args.seed,
                    member,
                )
                guard = 3 * max(60.0, limit) + limit + (exact or 0.0) + 300.0
                r = _attempt(worker, diagnose_worker, folder, gap, limit, exact, timeout=guard)
            r = {"instance": name, "size": size, "member": member, "seed": args.seed, **r}
            r["target"] = gap
            results.append(r)
            args.json.write_text(json.dumps(results, indent=2, default=str))
    _report(console, results, args.known, args.json, title=f"seed {args.seed}")


def _known(paths: list[Path]) -> dict[tuple[str, str, int], dict[str, Any]]:
    """(size, member, seed) → stack → its cost (None unless it passed the checker), bound."""
    out: dict[tuple[str, str, int], dict[str, Any]] = {}
    for path in paths:
        for row in json.loads(path.read_text()):
            key = (row["size"], row["member"], int(row["seed"]))
            for stack, label in (("highs", "big-M HiGHS"), ("cbc", "big-M CBC")):
                r = row.get(stack)
                if not r or "error" in r:
                    continue
                cost = r.get("cost") if r.get("check") is True else None
                out.setdefault(key, {})[label] = {"cost": cost, "bound": r.get("bound")}
    return out


def _report(
    console: Console, results: list[dict[str, Any]], known: list[Path], path: Path, title: str
) -> None:
    """Each instance's verdict (with the known plans and bounds), the table, the JSON."""
    others = _known(known)
    for r in results:
        if "error" in r:
            continue
        found = others.get((r["size"], r["member"], int(r["seed"])))
        if found:
            r["known"] = found
        r["verdict"] = verdict(r, r.get("target", GAPS.get(r["size"], 1e-3)))
    path.write_text(json.dumps(results, indent=2, default=str))
    table = Table(title=f"Gap diagnosis ({title}): LPs and bounds, % below the best plan")
    for col in (
        "instance",
        "LP full",
        "LP restriction",
        "LP divisible",
        "charter cost",
        "charter bound",
        "gap",
        "best known (exact)",
        "exact bound",
        "best other plan / bound",
        "verdict",
    ):
        table.add_column(col, no_wrap=True)
    for r in results:
        if "error" in r:
            table.add_row(r["instance"], r["error"], *[""] * 9)
            continue
        v, ours, ex = r["verdict"], r["charter"], r.get("exact", {})
        ref = v.get("best_plan")
        table.add_row(
            r["instance"],
            _below(r["lp_full"]["value"], ref),
            _below(r["lp_restriction"]["value"], ref),
            _below(r["lp_divisible"]["value"], ref),
            f"{_money(ours['cost'])} ({ours['strategy']}, {ours['wall']:.0f} s)",
            _below(ours["bound"], ref),
            "—" if ours["gap"] is None else f"{100 * ours['gap']:.3f}%",
            "not run"
            if not ex
            else f"{_money(ex.get('cost'))} ({ex['status']}, {ex['wall']:.0f} s)",
            _below(ex.get("bound"), ref) if ex else "—",
            _others(r.get("known", {}), ref),
            f"{v['owner']}: {v['why']}",
        )
    wide = console.measure(table, options=console.options.update_width(10_000)).maximum
    console.width = max(console.width, wide)  # never truncate a cell
    console.print(table)
    for r in results:
        if "verdict" in r and "optimum_within" in r["verdict"]:
            v = r["verdict"]
            console.print(
                f"{r['instance']}: the optimum lies within {100 * v['optimum_within']:.3f}% "
                f"of the best plan; bound: {r['charter']['bound_method']}",
                highlight=False,
                markup=False,
            )
    console.print(f"wrote {path}", highlight=False)


def _others(known: dict[str, Any], ref: float | None) -> str:
    """The cheapest checked plan and the highest bound of the other stacks."""
    costs = [v["cost"] for v in known.values() if v.get("cost") is not None]
    bounds = [v["bound"] for v in known.values() if v.get("bound") is not None]
    if not costs and not bounds:
        return "—"
    return f"{_money(min(costs, default=None))} / {_below(max(bounds, default=None), ref)}"


if __name__ == "__main__":
    main()
