"""A plan's cost is the cost of the placements it hands out, whatever the solver says.

- Every strategy, on the bundled scenario, the synthetic scenario, small benchmark-shaped
  portfolios and the oracle instances (one of them with a commitment shortfall): the plan's
  cost equals the independent checker's cost of the same placements plus the shortfall the
  plan reports, and its bound is below its cost.
- A solver that hands back its warm start instead of its answer (highspy 1.16.0) is caught
  and re-solved cold; one whose answers never add up makes ``plan`` raise a
  :class:`SolverError`, and ``charter plan`` print ``error:`` and exit 2, never a figure.
- No byte of HiGHS output reaches stdout, even from a constructor that prints.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import highspy
import numpy as np
import pytest

import charter
import charter.planner.solver as solver
from charter.check import check_plan
from charter.errors import SolverError
from charter.planner import Plan, plan
from charter.plans import PlanRow
from tests.cli.test_cli import charter as run_charter
from tests.conftest import amendment, clause, write_scenario
from tests.planner.test_planner import PARTIES, PROVIDERS, offer, tiny, workload
from tests.planner.test_planner_reference import make_scenario, oracle_spec
from tests.support.portfolios import generate


def rows_of(p: Plan) -> list[PlanRow]:
    return [PlanRow(x.workload, x.offer, x.period, x.hours) for x in p.placements]


def assert_cost_is_the_placements(s: charter.Scenario, p: Plan, tag: str) -> None:
    assert p.status in ("optimal", "feasible"), (tag, p.status)
    assert p.cost is not None
    report = check_plan(s, rows_of(p))
    assert report.ok, (tag, [b.detail for b in report.breaches][:3])
    shortfall = math.fsum(c["shortfall"] for c in p.commitments)
    assert p.cost == pytest.approx(report.cost + shortfall, rel=1e-9, abs=1e-6), tag
    assert p.cost == pytest.approx(math.fsum(x.cost for x in p.placements) + shortfall), tag
    if p.bound is not None:
        assert p.bound <= p.cost, tag
        assert p.gap == pytest.approx((p.cost - p.bound) / p.cost, abs=1e-12), tag


STRATEGIES = ["exact", "scale", "decompose"]


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("name", ["microsoft-openai", "acme-cloud"])
def test_bundled_plans_cost_what_their_placements_cost(name: str, strategy: str) -> None:
    s = charter.load_scenario(name)
    p = plan(s, strategy=strategy, time_limit=60)
    assert_cost_is_the_placements(s, p, f"{name}/{strategy}")


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize(("n_w", "n_o", "n_t", "seed"), [(30, 10, 6, 1), (60, 14, 3, 3)])
def test_synthetic_plans_cost_what_their_placements_cost(
    tmp_path: Path, n_w: int, n_o: int, n_t: int, seed: int, strategy: str
) -> None:
    s = charter.load_scenario(generate(tmp_path / "s", n_w, n_o, n_t, seed))
    p = plan(s, strategy=strategy, time_limit=60, explain=False)
    assert_cost_is_the_placements(s, p, f"{seed}/{strategy}")


@pytest.mark.parametrize("strategy", STRATEGIES)
@pytest.mark.parametrize("name", ["commitment", "rofr", "binding", "random-3"])
def test_oracle_plans_cost_what_their_placements_cost(
    tmp_path: Path, name: str, strategy: str
) -> None:
    s = make_scenario(tmp_path / "s", oracle_spec(name))
    p = plan(s, strategy=strategy, gap=0.0, explain=False)
    if p.status == "infeasible":
        return
    assert_cost_is_the_placements(s, p, f"{name}/{strategy}")


def test_a_shortfall_is_part_of_the_cost(tmp_path: Path) -> None:
    """The binding instance cannot meet its commitment: the shortfall is paid too."""
    s = make_scenario(tmp_path / "s", oracle_spec("binding"))
    p = plan(s, gap=0.0, explain=False)
    shortfall = sum(c["shortfall"] for c in p.commitments)
    assert shortfall > 0
    assert_cost_is_the_placements(s, p, "binding")


# ---------------------------------------------------------------- a solver that lies


class _StartEcho(highspy.Highs):  # type: ignore[misc]
    """highspy 1.16.0's fault, on demand: the solution read back is the warm start."""

    def setSolution(self, *args: Any) -> Any:
        if len(args) == 1:
            self._start = list(args[0].col_value)
        return super().setSolution(*args)

    def getSolution(self) -> Any:
        sol = super().getSolution()
        start = getattr(self, "_start", None)
        if start is not None and len(start) == len(sol.col_value):
            sol.col_value = start
        return sol


class _Liar(highspy.Highs):  # type: ignore[misc]
    """Every solution read back is off by one hour on its first column."""

    def getSolution(self) -> Any:
        sol = super().getSolution()
        values = list(sol.col_value)
        if values:
            values[0] += 1.0
            sol.col_value = values
        return sol


def _use(monkeypatch: pytest.MonkeyPatch, cls: type) -> None:
    # the planner still builds its instances with new_highs (quiet from construction)
    monkeypatch.setattr(solver.highspy, "Highs", cls)


def test_a_warm_start_read_back_as_the_answer_is_caught_and_solved_cold(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    s = charter.load_scenario()
    honest = plan(s, gap=0.0)
    _use(monkeypatch, _StartEcho)
    p = plan(s, gap=0.0)
    assert p.stats["warm_start"]
    assert any("warm-started answer was rejected" in n for n in p.notes), p.notes
    assert p.cost == pytest.approx(honest.cost)
    assert_cost_is_the_placements(s, p, "echo")


def test_a_solver_whose_answers_never_add_up_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    _use(monkeypatch, _Liar)
    with pytest.raises(SolverError, match=r"solution costs|breaks"):
        plan(charter.load_scenario(), gap=0.0)


def test_inconsistency_names_what_disagrees() -> None:
    s = charter.load_scenario()
    p = plan(s, gap=0.0)
    assert p.cost is not None
    from charter.planner import _setup

    _, model = _setup(s, None, None, None, True)
    x = solver.solve(model, gap=0.0)
    assert x.values is not None and x.objective is not None
    assert solver.inconsistency(model, x.values, x.objective) is None
    assert "objective" in (solver.inconsistency(model, x.values, x.objective + 1e3) or "")
    broken = x.values.copy()
    broken[0] += 1e4
    assert "rows" in (solver.inconsistency(model, broken, None) or "")
    assert "bounds" in (solver.inconsistency(model, -np.abs(x.values) - 1, None) or "")


def test_the_cli_prints_an_error_not_a_figure(tmp_path: Path) -> None:
    """The liar again, in a real process: ``error:``, exit 2, no cost on stdout."""
    script = tmp_path / "liar.py"
    script.write_text(
        "import sys, highspy\n"
        "import charter.planner.solver as solver\n"
        "class Liar(highspy.Highs):\n"
        "    def getSolution(self):\n"
        "        sol = super().getSolution()\n"
        "        v = list(sol.col_value)\n"
        "        if v:\n"
        "            v[0] += 1.0\n"
        "            sol.col_value = v\n"
        "        return sol\n"
        "solver.highspy.Highs = Liar\n"
        "from charter.cli import main\n"
        "sys.argv = ['charter', 'plan', '--gap', '0', '--json']\n"
        "main()\n"
    )
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("error:"), r.stderr
    assert "Traceback" not in r.stderr
    assert r.stdout == ""


# ---------------------------------------------------------------- quiet from construction


def test_no_solver_output_reaches_stdout(tmp_path: Path) -> None:
    """A HiGHS whose constructor prints (as 1.16.0 does) writes nothing to stdout."""
    script = tmp_path / "banner.py"
    script.write_text(
        "import ctypes, os, highspy\n"
        "import charter.planner.solver as solver\n"
        "class Loud(highspy.Highs):\n"
        "    def __init__(self):\n"
        "        os.write(1, b'Running HiGHS (os.write)\\n')\n"
        "        ctypes.CDLL(None).printf(b'Running HiGHS (printf)\\n')\n"
        "        super().__init__()\n"
        "solver.highspy.Highs = Loud\n"
        "h = solver.new_highs()\n"
        "print('after')\n"
    )
    r = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "after\n"


@pytest.mark.parametrize("strategy", STRATEGIES)
def test_plan_json_is_json_and_its_cost_is_what_check_adds_up(
    tmp_path: Path, strategy: str
) -> None:
    out = tmp_path / "plan.csv"
    r = run_charter("plan", "--json", "--strategy", strategy, "--out", str(out))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    c = run_charter("check", str(out), "--json")
    assert c.returncode == 0, c.stderr
    checked = json.loads(c.stdout)
    shortfall = sum(x["shortfall"] for x in doc["commitments"])
    assert doc["cost"] == pytest.approx(checked["cost"] + shortfall, rel=1e-12)


# ---------------------------------------------------------------- what a new user reads

EXCL_API = clause(
    "X", "exclusivity", principal="lab", providers=["cloudy"], where={"kind": ["api"]}
)
CARVE = clause(
    "K", "carve_out", principal="lab", where={"segment": ["government"]}, overrides=["X"]
)


def test_a_clause_without_which_no_plan_exists_is_needed(tmp_path: Path) -> None:
    s = tiny(
        tmp_path,
        [EXCL_API, CARVE],
        [offer("c1", "cloudy", 5, 100), offer("g1", "elsewhere", 1, 100, region="gov")],
        [
            workload("w", 50, kind="api"),
            workload("g", 20, kind="api", segment="government", regions=["gov"]),
        ],
    )
    p = plan(s, gap=0.0, clause_costs=True)
    rows = {r["clause"]: r for r in p.clause_costs}
    assert rows["K"]["status_without"] == "infeasible"
    assert rows["K"]["cost"] is None
    assert rows["K"]["note"] == "needed: without it no plan exists"
    # the exclusivity keeps w (50 a month, 2 months) on cloudy at 5 instead of elsewhere at 1
    assert rows["X"]["cost"] == pytest.approx(2 * 50 * (5 - 1))
    assert rows["X"]["cost_low"] == rows["X"]["cost_high"] == rows["X"]["cost"]
    r = run_charter("plan", str(tmp_path / "s"), "--clause-costs")
    assert r.returncode == 0, r.stderr
    assert "needed: without it no plan exists" in r.stdout


def test_without_a_replacing_clause_the_replaced_one_stays_ended(tmp_path: Path) -> None:
    folder = write_scenario(
        tmp_path / "s",
        [
            amendment(
                "2024-01-01", clause("A", "exclusivity", principal="lab", providers=["cloudy"])
            ),
            amendment(
                "2024-06-01",
                clause(
                    "B",
                    "exclusivity",
                    principal="lab",
                    providers=["cloudy"],
                    where={"kind": ["api"]},
                    replaces=["A"],
                ),
            ),
        ],
        parties=PARTIES,
        providers=PROVIDERS,
    )
    s = charter.load_scenario(folder)
    assert {r.id for r in s.in_force("2025-01-15")} == {"B"}
    assert {r.id for r in s.without(["B"]).in_force("2025-01-15")} == set()
    assert {r.id for r in s.without(["B"]).in_force("2024-03-01")} == {"A"}


def test_too_short_a_time_limit_says_no_bound_yet() -> None:
    r = run_charter("plan", "--time-limit", "0.001")
    assert r.returncode == 0, r.stderr
    assert "no bound yet" in r.stdout
    assert "$-inf" not in r.stdout and "inf%" not in r.stdout
    doc = json.loads(run_charter("plan", "--time-limit", "0.001", "--json").stdout)
    assert doc["bound"] is None and doc["gap"] is None
    assert doc["cost"] is not None


def test_tables_never_cut_an_id() -> None:
    """At 80 columns the ROFR table's workload ids wrap rather than end in an ellipsis."""
    r = subprocess.run(
        [sys.executable, "-m", "charter", "plan"],
        capture_output=True,
        text=True,
        timeout=300,
        env={"COLUMNS": "80", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )
    assert r.returncode == 0, r.stderr
    assert "Capacity to offer to the ROFR holder first" in r.stdout
    assert "…" not in r.stdout
