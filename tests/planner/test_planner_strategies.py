"""The planner's seams: strategies by name, statuses from one table, column slices, progress
events, one HiGHS constructor, and Ctrl-C, which stops a solve and keeps the best plan."""

from __future__ import annotations

import itertools
import json
import re
import signal
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pytest

import charter
import charter.planner.solver as solver
from charter.check import check_plan
from charter.planner import STRATEGIES, ProgressEvent, SolveStatus, Stage, plan
from charter.planner.cancel import cancel_scope
from charter.planner.setup import setup
from tests.planner.test_planner_scale import rows_of
from tests.support.planning import rofr_groups
from tests.support.portfolios import generate

SRC = Path(__file__).resolve().parents[2] / "src" / "charter"
MAKES = r"(?<!`)highspy\.Highs\(\)"  # a construction in code (not ``highspy.Highs()`` in a doc)


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A generated portfolio HiGHS does not solve at its root (a few seconds at gap 0)."""
    return charter.load_scenario(generate(tmp_path_factory.mktemp("p") / "s", 60, 14, 6, 3))


class _CtrlCAtFirstPlan(highspy.Highs):  # type: ignore[misc]
    """Presses Ctrl-C (a real SIGINT to this process) when HiGHS finds its first plan."""

    def run(self) -> Any:
        pressed: list[bool] = []

        def on_plan(e: Any) -> None:
            if not pressed:
                pressed.append(True)
                signal.raise_signal(signal.SIGINT)

        self.cbMipImprovingSolution.subscribe(on_plan)
        return super().run()


@pytest.mark.parametrize("strategy", ["exact", "scale"])
def test_ctrl_c_during_a_solve_returns_the_best_plan_so_far(
    portfolio: Any, strategy: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(solver.highspy, "Highs", _CtrlCAtFirstPlan)
    before = signal.getsignal(signal.SIGINT)
    p = plan(portfolio, gap=0.0, explain=False, strategy=strategy, time_limit=60)
    assert p.status == "feasible", p.status
    assert "stopped by Ctrl-C: the best plan found so far" in p.notes
    assert p.cost is not None and p.bound is not None and p.bound <= p.cost
    assert check_plan(portfolio, rows_of(p)).ok
    assert signal.getsignal(signal.SIGINT) is before  # the handler is the caller's again


def test_a_second_ctrl_c_raises() -> None:
    with pytest.raises(KeyboardInterrupt), cancel_scope() as cancel:
        signal.raise_signal(signal.SIGINT)
        assert cancel.is_set()
        signal.raise_signal(signal.SIGINT)


def test_strategies_are_named_and_say_what_they_bound() -> None:
    assert tuple(STRATEGIES) == ("auto", "exact", "scale", "decompose")
    for name, s in STRATEGIES.items():
        assert s.name == name and s.bound
    assert "branch and bound" in STRATEGIES["exact"].bound


def test_an_unknown_strategy_lists_the_valid_ones(portfolio: Any) -> None:
    with pytest.raises(charter.CharterError) as e:
        plan(portfolio, strategy="fastest")
    assert str(e.value) == "unknown strategy 'fastest'; use one of auto, exact, scale, decompose"


def test_statuses_map_from_one_table_and_read_as_before() -> None:
    assert [str(s) for s in SolveStatus] == [
        "optimal",
        "feasible",
        "infeasible",
        "time-limit-no-solution",
        "interrupted",
        "relaxed",
        "error",
    ]
    assert json.dumps({"status": SolveStatus.TIME_LIMIT_NO_SOLUTION}) == (
        '{"status": "time-limit-no-solution"}'
    )
    table = solver.HIGHS_STATUS
    assert table[highspy.HighsModelStatus.kOptimal] is SolveStatus.OPTIMAL
    assert table[highspy.HighsModelStatus.kInfeasible] is SolveStatus.INFEASIBLE
    assert table[highspy.HighsModelStatus.kTimeLimit] is SolveStatus.TIME_LIMIT_NO_SOLUTION
    error = solver.Solution(SolveStatus.ERROR, None, None, None, 0.0, 0, None, detail="Unknown")
    assert error.label == "error: Unknown"


def test_column_slices_partition_the_model(portfolio: Any) -> None:
    pb, model = setup(portfolio, None, None, None, True)
    blocks = [model.x, model.y, model.s, model.z]
    assert [b.stop - b.start for b in blocks] == [model.n_x, model.n_y, model.n_s, model.n_z]
    assert blocks[0].start == 0 and blocks[-1].stop == model.n_cols
    assert all(a.stop == b.start for a, b in itertools.pairwise(blocks))
    binary = np.zeros(model.n_cols, dtype=bool)
    binary[model.y] = binary[model.z] = True
    assert (model.integer == binary).all()
    assert model.n_y == len(pb.gang_w) and model.n_z == len(rofr_groups(pb))


def test_progress_is_one_event_stream_and_messages_still_arrive(portfolio: Any) -> None:
    events: list[ProgressEvent] = []
    messages: list[str] = []
    plan(
        portfolio,
        explain=False,
        strategy="scale",
        on_progress=events.append,
        progress=messages.append,
    )
    assert messages == [e.message for e in events]
    stages = {e.stage for e in events}
    assert {Stage.BUILD, Stage.SOLVE, Stage.START, Stage.COLUMN_GENERATION} <= stages
    assert any(e.bound is not None for e in events if e.stage == Stage.COLUMN_GENERATION)


def test_only_the_solver_module_imports_highspy_and_makes_instances() -> None:
    importers, makers = [], []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text()
        if re.search(r"^\s*(import highspy|from highspy)", text, re.M):
            importers.append(path.relative_to(SRC).as_posix())
        if re.search(MAKES, text):
            makers.append(path.relative_to(SRC).as_posix())
    assert importers == ["planner/solver.py"]
    assert makers == ["planner/solver.py"]
    assert len(re.findall(MAKES, (SRC / "planner/solver.py").read_text())) == 1  # new_highs


def test_the_planner_package_exports_what_it_lists() -> None:
    import charter.planner as planner

    assert sorted(planner.__all__) == [
        "Placement",
        "Plan",
        "ProgressEvent",
        "ProgressListener",
        "STRATEGIES",
        "SolveStatus",
        "Stage",
        "plan",
    ]
    for name in planner.__all__:
        assert getattr(planner, name) is not None


def test_auto_says_why_it_picked_its_strategy(portfolio: Any) -> None:
    picked = plan(portfolio, gap=0.05, time_limit=20, strategy="auto", explain=False)
    assert picked.stats["strategy"] == "exact"
    assert "gang combinations" in picked.stats["strategy_reason"]
    assert "HiGHS on the whole model" in picked.stats["strategy_reason"]
    named = plan(portfolio, gap=0.05, time_limit=20, strategy="exact", explain=False)
    assert "strategy_reason" not in named.stats  # asked for by name: nothing to explain
