"""``plan`` (the least-cost placement that breaches no clause) and ``check`` (the independent
verification of any plan), and how their results are printed.

Exit codes of their own: ``plan`` exits 3 when no plan exists (infeasible) and 4 when the
solver ended without a plan and without proving there is none (the time limit ran out first,
``time-limit-no-solution``, or HiGHS stopped with an error status); ``check`` exits 1 on a
breach.
"""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.panel import Panel
from rich.text import Text

from charter.cli.common import (
    EventOpt,
    JsonOpt,
    ScenarioArg,
    Table,
    err,
    load,
    money,
    out,
    parse_events,
    print_json,
)
from charter.errors import RequestError

if TYPE_CHECKING:
    from charter.check import CheckReport
    from charter.planner import Plan, ProgressEvent

__all__ = ["EXIT_BREACH", "EXIT_INFEASIBLE", "EXIT_NO_PLAN", "check", "plan"]

#: ``plan``: no plan exists (the result names the conflicting clauses, capacities, demands)
EXIT_INFEASIBLE = 3
#: ``plan``: the solver stopped with neither a plan nor a proof that none exists
EXIT_NO_PLAN = 4
#: ``check``: the plan breaches a clause or overruns a capacity
EXIT_BREACH = 1

#: ROFR requests printed as a table; the rest are counted (all are in --json)
ROFR_SHOWN = 40


# ---------------------------------------------------------------------------- plan
TimeLimitOpt = Annotated[
    float,
    typer.Option(
        "--time-limit",
        help="Seconds for the whole command, from reading the scenario to writing --out: "
        "building the problem, every solve, --clause-costs and the explanation of an "
        "infeasible plan are all inside it. The best plan found by then is reported; if "
        "there is none yet, the status says so and the exit code is 4. Ctrl-C stops early "
        "with the best plan found so far; a second Ctrl-C aborts.",
    ),
]
GapOpt = Annotated[float, typer.Option("--gap", help="Relative gap to stop at.")]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Write placements: plan.csv, .json or .parquet.")
]
ClauseCostsOpt = Annotated[
    bool, typer.Option("--clause-costs", help="Also price every clause in force.")
]
ProgressOpt = Annotated[
    bool,
    typer.Option(
        "--progress",
        help="Print each stage of the plan to stderr, with the seconds since the command started.",
    ),
]
StrategyOpt = Annotated[
    str,
    typer.Option(
        "--strategy",
        help="exact (HiGHS on the whole model), scale (column generation + restricted "
        "MILP), decompose (bound from a relaxation, plan from a restriction), or auto "
        "(by size).",
    ),
]


def _headline(result: Plan) -> None:
    st = result.stats
    if result.bound is not None and result.gap is not None:
        bound = f"bound {money(result.bound)} ({result.bound_method}); gap {result.gap * 100:.3f}%"
    elif result.status == "interrupted":
        bound = "no bound yet (stopped by Ctrl-C before any bound was proven)"
    else:
        bound = (
            "no bound yet (the time limit ended before any bound was proven; "
            "give it more --time-limit)"
        )
    out.print(Text(f"plan: {result.status}; cost {money(result.cost)}; " + bound, style="bold"))
    out.print(
        f"{st.get('workloads')} workloads in {st.get('groups')} groups, {st.get('offers')} "
        f"offers, {st.get('periods')} months; {st.get('columns')} columns "
        f"({st.get('binaries')} binary), {st.get('rows')} rows; build {st.get('build_seconds')} s, "
        f"solve {st.get('solve_seconds')} s, {st.get('nodes')} nodes, warm start "
        f"{'yes' if st.get('warm_start') else 'no'}; strategy {st.get('strategy')}"
        + (f" (auto: {st['strategy_reason']})" if st.get("strategy_reason") else "")
    )


def _spend_tables(result: Plan) -> None:
    """Spend by provider and year, and the commitments against it."""
    if result.by_provider_year:
        table = Table(
            "provider",
            "year",
            "spend",
            "accelerator-hours",
            "share of hours",
            title="Spend by provider and year",
        )
        for r in result.by_provider_year:
            table.add_row(
                r["provider"],
                r["year"],
                money(r["spend"]),
                f"{r['hours']:,.0f}",
                f"{r['share_of_hours'] * 100:.1f}%",
            )
        out.print(table)
    if result.commitments:
        table = Table(
            "clause",
            "providers",
            "committed",
            "spent",
            "shortfall",
            title="Commitments (prorated to the plan horizon)",
        )
        for c in result.commitments:
            table.add_row(
                c["clause"],
                ", ".join(c["providers"]),
                money(c["committed"]),
                money(c["spent"]),
                money(c["shortfall"]),
            )
        out.print(table)


def _rofr_table(result: Plan) -> None:
    if not result.rofr_requests:
        return
    table = Table(
        "clause",
        "month",
        "family",
        "third-party offer",
        "workload",
        "hours",
        title="Capacity to offer to the ROFR holder first",
    )
    for r in result.rofr_requests[:ROFR_SHOWN]:
        table.add_row(
            r["clause"],
            r["period"],
            str(r["family"]),
            r["offer"],
            r["workload"],
            f"{r['hours']:,.0f}",
        )
    out.print(table)
    if len(result.rofr_requests) > ROFR_SHOWN:
        out.print(f"... and {len(result.rofr_requests) - ROFR_SHOWN} more (see --json)")


def _unmet_table(result: Plan) -> None:
    """Demand left unserved at its workload's penalty, summed per workload."""
    if not result.unmet:
        return
    by: dict[str, list[Any]] = {}
    for u in result.unmet:
        row = by.setdefault(u["workload"], [0.0, 0.0, []])
        row[0] += u["hours"]
        row[1] += u["penalty"]
        row[2].append(u["period"])
    table = Table(
        "workload",
        "months",
        "accelerator-hours unmet",
        "penalty",
        title="Demand left unmet (at each workload's unmet_penalty)",
    )
    for name, (hours, penalty, months) in sorted(by.items())[:ROFR_SHOWN]:
        span = months[0] if len(months) == 1 else f"{months[0]} … {months[-1]} ({len(months)})"
        table.add_row(name, span, f"{hours:,.0f}", money(penalty))
    out.print(table)
    if len(by) > ROFR_SHOWN:
        out.print(f"... and {len(by) - ROFR_SHOWN} more workloads (see --json)")
    total_h = math.fsum(u["hours"] for u in result.unmet)
    total_p = math.fsum(u["penalty"] for u in result.unmet)
    out.print(
        f"unmet demand: {total_h:,.0f} accelerator-hours on {len(by)} workloads, "
        f"penalty {money(total_p)} (included in the cost)"
    )


def render_plan(result: Plan) -> None:
    """A plan's headline (status, cost, bound, gap, size), its tables, why none exists, notes."""
    _headline(result)
    _spend_tables(result)
    _unmet_table(result)
    _rofr_table(result)
    if result.clause_costs:
        table = Table(
            "clause", "kind", "cost (with − without)", "note", title="What each clause costs"
        )
        for c in result.clause_costs:
            table.add_row(c["clause"], c["kind"], money(c["cost"]), c["note"] or "")
        out.print(table)
    if result.infeasibility:
        out.print(Panel(Text(result.infeasibility["message"]), title="No plan", width=100))
    for note in result.notes:
        out.print(Text(f"note: {note}"))


def plan(
    scenario: ScenarioArg = None,
    start: Annotated[str | None, typer.Option("--from", help="First month, e.g. 2025-01.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last month, e.g. 2026-12.")] = None,
    event: EventOpt = None,
    time_limit: TimeLimitOpt = 60.0,
    gap: GapOpt = 1e-3,
    out_file: OutOpt = None,
    clause_costs: ClauseCostsOpt = False,
    strategy: StrategyOpt = "auto",
    progress: ProgressOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Plan every workload at least cost without breaching a clause; exit 3 if none exists.

    --time-limit is the whole command's budget (loading the scenario included); Ctrl-C
    keeps the best plan found so far (and writes --out), a second one aborts (exit 130).
    """
    began = time.perf_counter()
    from charter.planner import plan as run_plan
    from charter.plans import plan_format, write_plan

    if time_limit <= 0:
        raise RequestError("--time-limit must be positive")
    if not 0 <= gap < 1:
        raise RequestError("--gap must be between 0 and 1")
    if out_file is not None:
        plan_format(out_file)  # before the solve, not after it
    s = load(scenario)
    # what loading took comes off the budget; plan() always gets a moment to build and
    # keep at least its greedy plan
    left = max(time_limit - (time.perf_counter() - began), 0.1)
    with err.status("planning ...") as status:

        def on_event(event: ProgressEvent) -> None:
            if progress:
                seconds = time.perf_counter() - began
                err.print(Text(f"[{seconds:7.2f} s] {event.stage}: {event.message}"))
            else:
                status.update(event.message)

        result = run_plan(
            s,
            start=start,
            end=end,
            events=parse_events(event),
            time_limit=left,
            gap=gap,
            clause_costs=clause_costs,
            strategy=strategy,
            on_progress=on_event,
        )
    # a plan that places nothing (all demand left unmet at its penalty) is still a plan
    planned = result.status in ("optimal", "feasible")
    if out_file is not None and (result.placements or planned):
        write_plan(out_file, [p.__dict__ for p in result.placements])
        if progress:
            seconds = time.perf_counter() - began
            err.print(Text(f"[{seconds:7.2f} s] wrote {out_file}"))
    if as_json:
        print_json(result.to_json())
    else:
        render_plan(result)
        if out_file is not None and (result.placements or planned):
            out.print(f"wrote {len(result.placements)} placements to {out_file}")
    if result.status == "infeasible":
        raise typer.Exit(EXIT_INFEASIBLE)
    if result.status not in ("optimal", "feasible"):
        raise typer.Exit(EXIT_NO_PLAN)


# ---------------------------------------------------------------------------- check
def render_check(report: CheckReport) -> None:
    """``ok`` with the plan's size and cost, or every breach in a table."""
    if report.ok:
        unmet = (
            f", unmet demand {report.unmet_hours:,.0f} accelerator-hours at a penalty of "
            f"{money(report.penalty)}"
            if report.unmet
            else ""
        )
        out.print(
            f"[green]ok[/green]: {report.rows} placements, cost {money(report.cost)}{unmet}, "
            "no breach"
        )
        return
    table = Table(
        "kind",
        "clause",
        "offer",
        "workload",
        "month",
        "detail",
        title=f"{len(report.breaches)} breaches",
    )
    for b in report.breaches:
        table.add_row(
            b.kind, b.clause or "", b.offer or "", b.workload or "", b.period or "", b.detail
        )
    out.print(table)


def check(
    plan_file: Annotated[Path, typer.Argument(help="A plan: .csv, .json or .parquet.")],
    scenario: ScenarioArg = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="First month demand must be met in (default: the plan's first month; for an "
            "empty plan the scenario's plan: block).",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help="Last month demand must be met in (default: as --from)."),
    ] = None,
    event: EventOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Verify a plan (charter's, or actual placements): every breach with its clause or offer.

    Exit 0 when the plan breaches nothing, 1 when it does, 2 on bad input.
    """
    from charter.check import check_plan
    from charter.plans import read_plan_table

    rows = read_plan_table(plan_file)
    report = check_plan(load(scenario), rows, parse_events(event), start=start, end=end)
    if as_json:
        print_json(report.to_json())
    else:
        render_check(report)
    if not report.ok:
        raise typer.Exit(EXIT_BREACH)
