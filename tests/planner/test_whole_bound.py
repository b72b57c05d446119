"""The decomposition's bound from the LP relaxation of the whole model, with the time its plan
leaves (strategies.Decompose._whole_bound)."""

from __future__ import annotations

import time
from typing import Any

import pytest

import charter
from charter.planner.bounds import interior_bound
from charter.planner.outcome import Solution, SolveStatus
from charter.planner.setup import setup
from charter.planner.solver import solve
from charter.planner.strategies import DECOMPOSE, SolveContext
from tests.support.portfolios import generate


@pytest.fixture(scope="module")
def spot(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A spot member: the divisible relaxation lets a gang job's hours follow the swinging
    spot capacity month by month, which no whole placement can (3.4% apart here)."""
    folder = generate(tmp_path_factory.mktemp("whole") / "s", 300, 40, 12, 1, structure="spot")
    scenario = charter.load_scenario(folder)
    relaxed = setup(scenario, None, None, None, True, divisible_gangs=True)
    divisible, _, _, _ = interior_bound(*relaxed, deadline=time.perf_counter() + 60.0)
    _, model = setup(scenario, None, None, None, True)
    lp = solve(model, relax=True, time_limit=60.0)
    assert divisible is not None and lp.objective is not None
    return scenario, divisible, lp.objective


def _context(scenario: Any, gap: float) -> SolveContext:
    return SolveContext(scenario, None, None, None, time_limit=60.0, gap=gap)


def test_the_whole_models_lp_raises_the_divisible_bound(spot: Any) -> None:
    scenario, divisible, lp = spot
    cost = lp * 1.2  # any plan's cost stands above the LP relaxation's optimum
    sol = Solution(SolveStatus.FEASIBLE, cost, divisible, None, 0.0, 0, 1 - divisible / cost)
    assert DECOMPOSE._whole_bound(_context(scenario, 0.001), sol)
    assert sol.bound is not None and divisible * 1.02 < sol.bound <= lp * (1 + 1e-7)
    assert sol.gap == pytest.approx((cost - sol.bound) / cost)
    assert sol.status is SolveStatus.FEASIBLE  # still outside the gap


def test_within_the_gap_after_it_the_plan_is_optimal(spot: Any) -> None:
    scenario, divisible, lp = spot
    cost = lp * 1.0005
    sol = Solution(SolveStatus.FEASIBLE, cost, divisible, None, 0.0, 0, 1 - divisible / cost)
    assert DECOMPOSE._whole_bound(_context(scenario, 0.001), sol)
    assert sol.status is SolveStatus.OPTIMAL and sol.gap is not None and sol.gap <= 0.001


def test_no_lp_when_the_plan_is_within_the_gap_or_time_is_short(spot: Any) -> None:
    scenario, divisible, lp = spot
    within = Solution(SolveStatus.OPTIMAL, lp, divisible, None, 0.0, 0, 0.0005)
    assert not DECOMPOSE._whole_bound(_context(scenario, 0.001), within)
    assert within.bound == divisible
    short = _context(scenario, 0.001)
    short.time_limit = 2.0  # less than WHOLE_LP_SECONDS left
    late = Solution(SolveStatus.FEASIBLE, lp * 1.2, divisible, None, 0.0, 0, 0.2)
    assert not DECOMPOSE._whole_bound(short, late)
    assert late.bound == divisible
