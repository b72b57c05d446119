"""The time limit is the whole plan's: one deadline from plan()'s start, each stage handed at
most what is left of it, every HiGHS call of the plan held to it. Checked on a fake clock
(deterministic): how long a plan takes is the business of benchmarks/time_limit_bench.py."""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pytest

import charter
import charter.planner.cancel as cancel_mod
import charter.planner.solver as solver
import charter.planner.strategies as strategies
from charter.check import check_plan
from charter.planner import plan
from charter.planner.cancel import cancel_scope, seconds_left
from charter.planner.greedy import greedy
from charter.planner.outcome import Solution, SolveStatus
from charter.planner.setup import setup
from charter.planner.strategies import SolveContext, reserve
from tests.planner.test_planner_scale import rows_of
from tests.support.portfolios import generate


class Clock:
    """A perf_counter that moves only when told to (or by ``step`` at every read)."""

    def __init__(self, now: float = 1000.0, step: float = 0.0) -> None:
        self.now = now
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return charter.load_scenario(generate(tmp_path_factory.mktemp("t") / "s", 40, 12, 6, 1))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(strategies.time, "perf_counter", c)  # the time module's: everyone's
    return c


def test_the_context_hands_out_what_is_left_of_one_deadline(portfolio: Any, clock: Clock) -> None:
    context = SolveContext(portfolio, None, None, None, 60.0, 1e-3)
    assert context.began == clock.now and context.finish == clock.now + 60
    assert context.left() == 60.0
    _, model = setup(portfolio, None, None, None, True)
    context.sized(model)
    kept = reserve(model, 60.0)
    assert 0 < kept <= strategies.RESERVE_SHARE * 60
    assert context.deadline == context.finish - kept
    clock.now += 40  # the build and the first stages took 40 s
    assert context.left() == pytest.approx(20.0 - kept)
    # a stage given a share of the budget never ends past the deadline
    assert context.by(0.6) < context.deadline
    assert context.by(1.5) == context.deadline
    clock.now += 100
    assert context.left() == 0.0  # never negative


def test_the_reserve_grows_with_the_model_and_is_capped_by_the_limit(portfolio: Any) -> None:
    _, model = setup(portfolio, None, None, None, True)
    assert reserve(model, 60.0) == strategies.RESERVE_MIN  # a small model: the floor
    assert reserve(model, 1.0) == strategies.RESERVE_SHARE * 1.0  # never most of the limit


def test_every_solve_in_a_scope_is_held_to_its_deadline(
    portfolio: Any, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    pb, model = setup(portfolio, None, None, None, True)
    start = greedy(pb, model)
    assert start is not None
    runs: list[Any] = []

    def once(model: Any, run: Any, **_: Any) -> Solution:
        runs.append(run)
        return Solution(SolveStatus.TIME_LIMIT_NO_SOLUTION, None, None, None, 0.0, 0, None)

    monkeypatch.setattr(solver, "_solve_once", once)
    with cancel_scope() as scope:
        assert seconds_left() == math.inf
        scope.deadline = clock.now + 7.0
        sol = solver.solve(model, time_limit=60.0, start=start, deadline=clock.now + 30)
        assert len(runs) == 1
        assert runs[0].time_limit == pytest.approx(7.0)
        assert runs[0].deadline == pytest.approx(scope.deadline)
        # HiGHS stopped without a plan: the start is the plan
        assert sol.status == SolveStatus.FEASIBLE and sol.values is start
        clock.now += 8  # past the deadline: no HiGHS call at all, the start stands
        sol = solver.solve(model, time_limit=60.0, start=start)
        assert len(runs) == 1
        assert sol.status == SolveStatus.FEASIBLE
        assert np.array_equal(sol.values, start)
        sol = solver.solve(model, time_limit=60.0)  # and without a start: no plan
        assert sol.status == SolveStatus.TIME_LIMIT_NO_SOLUTION and sol.values is None


@pytest.mark.parametrize("strategy", ["exact", "scale", "decompose"])
def test_each_stage_gets_at_most_what_is_left(
    portfolio: Any, strategy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every HiGHS call of a plan, whatever the strategy, starts with a time limit and a
    deadline inside what is left of the plan's budget, on a clock where every reading costs
    10 ms (so the build and the stages use up the budget as they go)."""
    clock = Clock(step=0.01)
    monkeypatch.setattr(strategies.time, "perf_counter", clock)
    real = solver._solve_once
    seen: list[tuple[float, float, float, float]] = []

    def once(model: Any, run: Any, **kw: Any) -> Solution:
        finish = cancel_mod.current()
        assert finish is not None
        seen.append((clock.now, run.time_limit, run.deadline, finish.deadline))
        return real(model, run, **kw)

    monkeypatch.setattr(solver, "_solve_once", once)
    began = clock.now
    p = plan(portfolio, time_limit=20.0, strategy=strategy, explain=False)
    assert seen
    for now, limit, deadline, held in seen:
        assert held <= began + 20.0 + 1.0  # (the clock moved a little before plan() read it)
        assert deadline <= held + 1e-9
        assert now + limit <= held + 0.1  # read a step or two before the call started
    if p.placements:
        assert check_plan(portfolio, rows_of(p)).ok


@pytest.mark.parametrize("strategy", ["exact", "decompose"])
def test_a_plan_whose_time_is_up_keeps_its_greedy_plan_or_says_why_not(
    portfolio: Any, strategy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clock on which the build alone takes longer than the limit: no HiGHS call gets any
    time; the plan is the greedy start (audited like any other) or none, with a note."""
    clock = Clock(step=1.0)
    monkeypatch.setattr(strategies.time, "perf_counter", clock)
    p = plan(portfolio, time_limit=5.0, strategy=strategy, explain=False)
    if p.placements:
        assert p.status == "feasible"
        assert check_plan(portfolio, rows_of(p)).ok
    else:
        assert p.status == "time-limit-no-solution"
        assert any("the time limit ran out before any plan was found" in n for n in p.notes)


def test_cli_help_says_the_time_limit_is_the_whole_commands(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from charter.cli import app

    result = CliRunner().invoke(app, ["plan", "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Seconds for the whole command" in text
    assert "Ctrl-C" in text


class _Stuck(highspy.Highs):  # type: ignore[misc]
    """A HiGHS whose run checks neither its time limit nor any callback until released."""

    release = threading.Event()

    def run(self) -> Any:
        self.release.wait(60)
        return super().run()


def test_a_highs_run_that_ignores_its_deadline_is_left_behind(
    portfolio: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No timing assertion: the run cannot finish before the test releases it, so the solve
    returns only by leaving it behind; the start is then the plan."""
    pb, model = setup(portfolio, None, None, None, True)
    start = greedy(pb, model)
    monkeypatch.setattr(solver.highspy, "Highs", _Stuck)
    try:
        with cancel_scope() as scope:
            scope.deadline = time.perf_counter() + 0.2
            sol = solver.solve(model, time_limit=60.0, start=start)
            assert not _Stuck.release.is_set()  # HiGHS is still "running"
            assert sol.status == SolveStatus.FEASIBLE and sol.values is not None
            assert np.array_equal(sol.values, start)
            sol = solver.solve(model, time_limit=60.0, deadline=time.perf_counter() + 0.2)
            assert sol.status == SolveStatus.TIME_LIMIT_NO_SOLUTION and sol.values is None
    finally:
        _Stuck.release.set()
