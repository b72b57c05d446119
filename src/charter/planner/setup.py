"""From a scenario to the problem arrays and the model: the horizon, the decision engine's
feasibility (:mod:`.problem`) and the row form that suits the model's size."""

from __future__ import annotations

from charter.errors import RequestError
from charter.planner.model import Model, build_model
from charter.planner.problem import Problem, build_problem, months
from charter.scenario import Scenario

__all__ = ["TRIPLE_ROWS_MAX", "gang_size", "horizon", "row_form", "setup"]

# The per-triple rows (the ROFR's linking rows) tighten small models; past this many triples
# reached they cost more LP time than they return and only the per-workload rows are kept.
TRIPLE_ROWS_MAX = 20_000


def horizon(scenario: Scenario, start: str | None, end: str | None) -> tuple[str, str, str]:
    """(party, first month, last month): the arguments, else the scenario's ``plan:`` block.

    Raises:
        RequestError: a month is missing and the scenario has no ``plan:`` block.
    """
    defaults = scenario.data.meta.plan
    if defaults is None and (start is None or end is None):
        raise RequestError(
            "this scenario has no plan: block in scenario.yaml; give --from and --to"
        )
    party = defaults.party if defaults else ""
    return (
        party,
        start or (defaults.start if defaults else ""),
        end or (defaults.end if defaults else ""),
    )


def setup(
    scenario: Scenario,
    start: str | None,
    end: str | None,
    events: dict[str, str] | None,
    aggregate: bool,
    form: str | None = None,
    divisible_gangs: bool = False,
    gang_candidates: int | None = None,
) -> tuple[Problem, Model]:
    """The problem arrays and the model of the scenario over the horizon.

    Raises:
        RequestError: no horizon, no workloads or no offers.
    """
    party, first, last = horizon(scenario, start, end)
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
    return pb, build_model(pb, row_form=form or row_form(pb))


def row_form(pb: Problem) -> str:
    """The row form for this problem's constraining parts: per triple and per workload
    while the triples they reach are few, per workload only past that."""
    reached = sum(part.size() for part in pb.parts)
    return "both" if reached <= TRIPLE_ROWS_MAX else "workload"


def gang_size(scenario: Scenario, start: str | None, end: str | None) -> int:
    """(gang job, offer, month) combinations: what sizes the decomposition's choice."""
    _, first, last = horizon(scenario, start, end)
    n_t = len(months(first, last))
    jobs = sum(w.count for w in scenario.data.workloads if w.gang)
    return jobs * len(scenario.data.offers) * n_t
