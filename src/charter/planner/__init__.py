"""Planning: where every workload runs, month by month, at least cost, breaching no clause.

:func:`plan` builds the problem arrays (:mod:`.problem`, feasibility from the decision
engine) and the model (:mod:`.model`, whose docstring states it), hands them to a strategy
(:mod:`.strategies`: exact, scale, decompose or auto), which solves them with HiGHS
(:mod:`.solver`) from a ROFR-respecting greedy start (:mod:`.greedy`), and reports the plan
with its proven gap (:mod:`.result`). When no plan exists, :mod:`.explain` says which clauses,
capacities and demands conflict; :mod:`.clause_costs` prices each clause in force. Progress is
an event stream (:mod:`.progress`); Ctrl-C stops the solve and keeps the best plan found so
far (:mod:`.cancel`). The independent checker (:mod:`charter.check`) never imports this
package.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from charter.errors import SolverError
from charter.planner.cancel import cancel_scope, cancelled, current, seconds_left
from charter.planner.outcome import SolveStatus
from charter.planner.progress import ProgressEvent, ProgressListener, Stage, listener
from charter.planner.result import Placement, Plan, audit, extract, part_stats, summarize
from charter.planner.setup import gang_size as _gang_size  # noqa: F401  (benchmarks)
from charter.planner.setup import row_form as _row_form  # noqa: F401  (benchmarks)
from charter.planner.setup import setup as _setup  # noqa: F401  (benchmarks, tests)
from charter.planner.strategies import (
    RESTRICTED_CANDIDATES,  # noqa: F401  (benchmarks)
    STRATEGIES,
    Outcome,
    SolveContext,
)
from charter.planner.strategies import strategy as _strategy
from charter.scenario import Scenario

__all__ = [
    "STRATEGIES",
    "Placement",
    "Plan",
    "ProgressEvent",
    "ProgressListener",
    "SolveStatus",
    "Stage",
    "plan",
]


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
    progress: Callable[[str], None] | None = None,
    on_progress: ProgressListener | None = None,
) -> Plan:
    """Plan the scenario's workloads on its offers.

    Args:
        start, end: first and last month (default: the scenario's ``plan:`` block).
        events: assumed event dates.
        time_limit: seconds for the whole plan, from this call's start: building the problem,
            every solve, the clause costs or the explanation when asked, extracting and
            auditing the plan, and a reserve for writing it (loading the scenario is the
            caller's). The plan is returned by then, give or take a second (a HiGHS run in a
            stage that checks no time limit is left behind a second past the deadline, with
            the best plan it reported); when the limit leaves no plan, the status is
            ``time-limit-no-solution`` with a note saying so. Ctrl-C likewise.
        gap: relative optimality gap at which to stop.
        clause_costs: also report what each clause in force costs.
        explain: when no plan exists, find the clauses, capacities and demands that conflict.
        strategy: a name in :data:`STRATEGIES` (see :mod:`.strategies`): ``exact``,
            ``scale``, ``decompose`` or ``auto`` (picks one of them by size).
        progress: receives each progress message (the older form of ``on_progress``).
        on_progress: receives each :class:`ProgressEvent` (stage, message, bound, incumbent).

    Returns:
        the plan; its status is ``optimal`` or ``feasible`` (also after Ctrl-C, which stops
        the solve and keeps the best plan found so far), ``infeasible`` (with the
        explanation) or a status saying why there is no plan.

    Raises:
        RequestError: an unknown strategy (the message lists the valid ones), no horizon,
            no workloads or no offers.
        SolverError: HiGHS's answer failed charter's check of it.
    """
    picked = _strategy(strategy)
    report = listener(on_progress, progress)
    with cancel_scope():
        context = SolveContext(
            scenario, start, end, events, time_limit, gap, aggregate=aggregate, report=report
        )
        context.hold(context.deadline)  # until a strategy knows its model's size
        outcome = picked.solve(context)
        # what follows the solve may use the reserve, less what writing the plan needs
        context.hold(context.finish - context.kept / 2)
        result = _result(outcome, explain=explain, context=context)
        if clause_costs and outcome.solution.values is not None and not cancelled():
            from charter.planner.clause_costs import clause_costs as price_clauses

            left = seconds_left()
            if left <= 0:
                result.notes.append("clause costs not priced: the time limit was reached")
            else:
                pb, model, sol = outcome.problem, outcome.model, outcome.solution
                result.clause_costs = price_clauses(
                    scenario, pb, model, sol, start, end, events, left, report
                )
    return result


def _stats(context: SolveContext, outcome: Outcome) -> dict[str, Any]:
    pb, model, sol = outcome.problem, outcome.model, outcome.solution
    stats: dict[str, Any] = {
        "strategy": outcome.strategy,
        **({"strategy_reason": outcome.reason} if outcome.reason else {}),
        "periods": len(pb.periods),
        "workloads": len(context.scenario.data.workloads),
        "groups": len(pb.groups),
        "offers": len(pb.offers),
        "feasible_triples": len(pb.tw),
        "columns": model.n_cols,
        "binaries": int(model.integer.sum()),
        "rows": int(model.matrix.shape[0]),
        "nonzeros": int(model.matrix.nnz),
        **part_stats(pb.parts),
        "build_seconds": round(outcome.build_seconds, 3),
        "solve_seconds": round(sol.seconds, 3),
        "nodes": sol.nodes,
        "warm_start": outcome.warm,
        "solver": "HiGHS",
        "status": sol.label,
    }
    if outcome.details is not None:
        stats["scale"] = outcome.details
    return stats


def _result(outcome: Outcome, *, explain: bool, context: SolveContext) -> Plan:
    """The plan of a strategy's outcome: its placements audited against the solver's values,
    its summary; or, without a plan, the status and (if asked) why none exists.

    Raises:
        SolverError: HiGHS's answer failed charter's check of it.
    """
    pb, model, sol = outcome.problem, outcome.model, outcome.solution
    stats = _stats(context, outcome)
    if sol.rejected is not None:
        raise SolverError(
            f"HiGHS's answer failed charter's check of it ({sol.rejected}); no plan is "
            "reported rather than a wrong one. Try another --strategy, or report it with "
            "the scenario"
        )
    notes = list(pb.notes)
    if sol.interrupted and sol.values is not None:
        notes.append("stopped by Ctrl-C: the best plan found so far")
    elif sol.interrupted or sol.status == SolveStatus.INTERRUPTED:
        notes.append("stopped by Ctrl-C before any plan was found")
    if sol.status == SolveStatus.TIME_LIMIT_NO_SOLUTION:
        notes.append(
            "the time limit ran out before any plan was found "
            f"({context.time_limit:.1f} s for planning); give more --time-limit"
        )
    if sol.values is None:
        result = Plan(
            status=sol.label,
            placements=[],
            cost=None,
            bound=sol.bound,
            gap=None,
            bound_method=outcome.bound_method,
            stats=stats,
            notes=notes,
        )
        if sol.status == SolveStatus.INFEASIBLE and explain and not cancelled():
            from charter.planner.explain import explain_infeasible

            message = "no plan exists: finding the clauses, capacities and demands that conflict"
            context.say(Stage.EXPLAIN, message)
            found = explain_infeasible(
                context.scenario,
                pb,
                start=context.start,
                end=context.end,
                events=context.events,
                report=context.report,
            )
            # a test cut short by the deadline (or Ctrl-C) says nothing: no explanation then
            scope = current()
            if scope is not None and (scope.expired() or scope.is_set()):
                result.notes.append(
                    "no plan exists; the time limit ran out before the conflicting clauses, "
                    "capacities and demands were found: give more --time-limit"
                )
            else:
                result.infeasibility = found
        return result
    placements, extra = extract(pb, model, sol)
    cost, bound, owed, unmet = audit(pb, model, sol, placements, extra)
    if sol.recovered:
        notes.append(sol.recovered)
    if unmet:
        stats["unmet_hours"] = math.fsum(u["hours"] for u in unmet)
        stats["unmet_penalty"] = math.fsum(u["penalty"] for u in unmet)
    result = Plan(
        status=sol.label,
        placements=placements,
        unmet=unmet,
        cost=cost,
        bound=bound,
        gap=None if bound is None else max(0.0, (cost - bound) / max(abs(cost), 1e-9)),
        bound_method=outcome.bound_method,
        stats=stats,
        notes=notes,
    )
    summarize(result, pb, owed, model, sol)
    return result
