"""The columnar checker (issue 17, part 4).

- differential: on generated portfolios, charter's own plan with breaches of every kind put
  in at random (seeded), the checker's breaches equal, in the same order, those of the
  row-by-row checker it replaced (tests/support/reference_check.py, frozen), and so do the
  cost and the row count;
- plan files read as columns (:func:`charter.plans.read_plan_table`) are the rows
  :func:`charter.plans.read_plan` reads, with the same errors;
- unmet demand: a workload with ``unmet_penalty`` may be placed short, the shortfall priced;
  more than its demand is a breach; a gang workload with a penalty is served whole or not at
  all;
- ``charter check`` end to end with a penalty workload.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import random
import shutil
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml

import charter
from charter.check import GANG_GAPS, check_plan
from charter.errors import RequestError
from charter.plans import PlanRow, PlanTable, read_plan, read_plan_table, write_plan
from tests.support import reference_check
from tests.support.portfolios import generate

FIXTURES = Path(__file__).parent / "fixtures"


# ------------------------------------------------------------------ differential
def _planned(s: charter.Scenario) -> list[PlanRow]:
    from charter.planner import plan

    p = plan(s, time_limit=30)
    assert p.status in ("optimal", "feasible"), p.status
    return [
        PlanRow(x.workload, x.offer, x.period, x.hours, i + 2) for i, x in enumerate(p.placements)
    ]


def _tweaked(s: charter.Scenario, rng: random.Random) -> charter.Scenario:
    """The scenario with some offers available late or ending early, and some workloads in
    two copies or with a demand of their own in a month (a plan made without them breaks)."""
    months = sorted({w.start for w in s.data.workloads} | {w.end for w in s.data.workloads})
    offers = []
    for o in s.data.offers:
        roll = rng.random()
        if roll < 0.15:
            o = o.model_copy(update={"available_from": dt.date(2025, 3, 1)})
        elif roll < 0.3:
            o = o.model_copy(update={"available_until": dt.date(2025, 4, 30)})
        offers.append(o)
    workloads = []
    for w in s.data.workloads:
        roll = rng.random()
        if roll < 0.1:
            w = w.model_copy(update={"count": 2})
        elif roll < 0.2:
            w = w.model_copy(update={"demand_by_period": {rng.choice(months): w.demand * 0.5}})
        workloads.append(w)
    data = dataclasses.replace(s.data, offers=tuple(offers), workloads=tuple(workloads))
    return charter.Scenario(data)


def _broken(s: charter.Scenario, rows: list[PlanRow], rng: random.Random) -> list[PlanRow]:
    """The rows with a few breaches put in: a row moved to another offer (a family, region,
    compliance misfit, a clause that denies it, third-party capacity taken while the ROFR
    holder's is free) or month (an offer not available), hours up (capacity, demand over) or
    down (demand short), a row dropped, a row doubled onto another offer (a gang split), a
    row for a copy number that does not exist."""
    rows = list(rows)
    offers = [o.id for o in s.data.offers]
    months = sorted({r.period for r in rows})
    for _ in range(rng.randint(1, 6)):
        if not rows:
            break
        i = rng.randrange(len(rows))
        r = rows[i]
        move = rng.choice(
            ["offer", "offer", "period", "up", "down", "drop", "double", "huge", "copy"]
        )
        if move == "offer":
            rows[i] = dataclasses.replace(r, offer=rng.choice(offers))
        elif move == "period":
            rows[i] = dataclasses.replace(r, period=rng.choice(months))
        elif move == "up":
            rows[i] = dataclasses.replace(r, hours=r.hours * rng.uniform(1.01, 3))
        elif move == "down":
            rows[i] = dataclasses.replace(r, hours=r.hours * rng.uniform(0, 0.99))
        elif move == "drop":
            del rows[i]
        elif move == "double":
            half = dataclasses.replace(r, hours=r.hours / 2)
            rows[i] = half
            rows.append(dataclasses.replace(half, offer=rng.choice(offers)))
        elif move == "huge":
            rows[i] = dataclasses.replace(r, hours=r.hours + 1e7)
        else:
            rows.append(dataclasses.replace(r, workload=r.workload.split("#")[0] + "#2"))
    return rows


def _tuples(breaches: Sequence[Any]) -> list[tuple[Any, ...]]:
    return [dataclasses.astuple(b) for b in breaches]


def _same(s: charter.Scenario, rows: list[PlanRow]) -> list[str]:
    ref = reference_check.check_plan(s, rows)
    new = check_plan(s, rows)
    assert _tuples(new.breaches) == _tuples(ref.breaches)
    assert new.cost == ref.cost and new.rows == ref.rows
    assert new.unmet == [] and new.penalty == 0.0
    # the columns give the same report as the rows
    assert _tuples(check_plan(s, PlanTable.from_rows(rows)).breaches) == _tuples(ref.breaches)
    return [b.kind for b in ref.breaches]


@pytest.mark.parametrize(
    ("seed", "structure"),
    [(1, "baseline"), (2, "many-small-gangs"), (5, "region-locked"), (4, "short-windows")],
)
def test_the_verdicts_are_the_row_by_row_checkers(
    tmp_path: Path, seed: int, structure: str
) -> None:
    s = charter.load_scenario(generate(tmp_path / "s", 40, 12, 6, seed, structure=structure))
    rows = _planned(s)
    assert _same(s, rows) == []  # charter's own plan passes both
    rng = random.Random(seed)
    kinds: Counter[str] = Counter()
    tweaked = _tweaked(s, rng)
    for trial in range(40):
        scenario = tweaked if trial % 4 == 3 else s
        kinds.update(_same(scenario, _broken(s, rows, rng)))
    # every kind of breach came up
    assert {"fit", "capacity", "demand", "clause"} <= set(kinds), kinds
    assert kinds["gang"] + kinds["availability"] > 0, kinds


def test_every_kind_of_breach_on_the_fixture(tmp_path: Path) -> None:
    """The small fixture (an exclusivity clause, then a ROFR; fedramp offers), with rows that
    breach each check by hand, and random plans over every (workload, offer, month); train
    made a gang job."""
    s = _with_penalty({}, train=True)
    by_hand = [
        PlanRow("train", "e1", "2025-01", 60.0, 2),  # ROFR: cloud's c1 is free
        PlanRow("train", "c1", "2025-02", 30.0, 3),
        PlanRow("train", "e1", "2025-02", 30.0, 4),  # gang split
        PlanRow("gov", "c1", "2025-01", 20.0, 5),  # region and compliance
        PlanRow("gov", "c3", "2025-02", 500.0, 6),  # compliance, capacity, demand over
        PlanRow("train", "e1", "2024-12", 1.0, 7),  # exclusivity denies it
    ]
    assert set(_same(s, by_hand)) >= {"clause", "gang", "fit", "capacity", "demand"}
    rng = random.Random(7)
    offers = [o.id for o in s.data.offers]
    for _ in range(60):
        rows = [
            PlanRow(
                rng.choice(["train", "gov", "train#3"]),
                rng.choice(offers),
                rng.choice(["2024-12", "2025-01", "2025-02", "2025-03"]),
                rng.choice([0.0, 10.0, 20.0, 60.0, 120.0]),
                n + 2,
            )
            for n in range(rng.randint(1, 8))  # an empty plan: the horizon tests below
        ]
        _same(s, rows)


# ------------------------------------------------------------------ plan files as columns
@pytest.mark.parametrize("suffix", [".csv", ".json", ".parquet"])
def test_a_plan_file_read_as_columns_is_its_rows(tmp_path: Path, suffix: str) -> None:
    f = tmp_path / f"plan{suffix}"
    rows = [
        {"workload": "train", "offer": "c1", "provider": "cloudy", "family": "h100"}
        | {"period": p, "hours": h, "cost": 0.0}
        for p, h in (("2025-01", 60.0), ("2025-02", 12.5), ("2025-01", 0.0))
    ]
    write_plan(f, rows)
    assert read_plan_table(f).rows() == read_plan(f)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "workload,offer,period,hours\nw,c1,2025-01,5\nw,c1,2025-01,\n",
            "plan.csv:3: hours: missing",
        ),
        ("workload,offer,period\nw,c1,2025-01\n", "plan.csv:2: hours: missing"),
        (
            "workload,offer,period,hours\nw,c1,2025-01,x\n",
            "plan.csv:2: hours: expected a number, got 'x'",
        ),
        (
            "workload,offer,period,hours\nw,c1,2025-01,-1\n",
            "plan.csv:2: hours: must be ≥ 0, got '-1'",
        ),
        ("workload,offer,period,hours\nw,c1,2025-01,nan\n", "plan.csv:2: hours: must be ≥ 0"),
        ("workload,offer,period,hours\n,c1,2025-01,1\n", "plan.csv:2: workload: missing"),
        ("workload,offer,period,hours\nw,c1,2025-01,1\nw,c1\n", "plan.csv:3: period: missing"),
        (
            "Workload , OFFER,period,hours\nw,c1,2025-01, 1_0\nw,,2025-01,1\n",
            "plan.csv:3: offer: missing",
        ),
    ],
)
def test_bad_plan_files_fail_as_before(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "plan.csv"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(RequestError) as old:
        read_plan(f)
    with pytest.raises(RequestError) as new:
        read_plan_table(f)
    assert str(new.value) == str(old.value)
    assert message in str(new.value)


def test_unknown_names_are_named_by_line(tmp_path: Path) -> None:
    s = charter.load_scenario(FIXTURES / "base")
    cases = [
        (
            [PlanRow("train", "c1", "2025-01", 1.0, 2), PlanRow("who", "c1", "2025-01", 1.0, 3)],
            "line 3: unknown workload 'who'",
        ),
        ([PlanRow("train", "nope", "2025-01", 1.0, 2)], "line 2: unknown offer 'nope'"),
        ([PlanRow("train", "c1", "2025-Q1", 1.0, 4)], "line 4: period '2025-Q1' is not a month"),
    ]
    for rows, message in cases:
        with pytest.raises(RequestError) as old:
            reference_check.check_plan(s, rows)
        with pytest.raises(RequestError) as new:
            check_plan(s, rows)
        assert str(new.value) == str(old.value) == message


# ------------------------------------------------------------------ unmet demand
def _with_penalty(penalties: dict[str, float], **gang: bool) -> charter.Scenario:
    s = charter.load_scenario(FIXTURES / "base")
    workloads = tuple(
        w.model_copy(update={"unmet_penalty": penalties.get(w.id), "gang": gang.get(w.id, w.gang)})
        for w in s.data.workloads
    )
    return charter.Scenario(dataclasses.replace(s.data, workloads=workloads))


def _valid() -> list[PlanRow]:
    return [
        PlanRow("train", "c1", "2025-01", 60.0, 2),
        PlanRow("train", "c1", "2025-02", 60.0, 3),
        PlanRow("gov", "c2", "2025-01", 20.0, 4),
        PlanRow("gov", "c2", "2025-02", 20.0, 5),
    ]


def test_a_valid_plan_has_no_unmet_demand() -> None:
    report = check_plan(_with_penalty({"gov": 7.0}), _valid())
    assert report.ok and report.unmet == [] and report.penalty == 0.0


def test_short_of_a_penalty_workloads_demand_is_unmet_and_priced() -> None:
    rows = _valid()
    rows[2] = dataclasses.replace(rows[2], hours=12.25)  # 7.75 short in 2025-01
    del rows[3]  # all 20 short in 2025-02
    report = check_plan(_with_penalty({"gov": 7.0}), rows)
    assert report.ok, report.breaches
    assert [(u.workload, u.period, u.hours) for u in report.unmet] == [
        ("gov", "2025-01", 7.75),
        ("gov", "2025-02", 20.0),
    ]
    assert report.penalty == math.fsum([7.75 * 7.0, 20.0 * 7.0])
    doc = report.to_json()
    assert doc["penalty"] == report.penalty and doc["unmet"][0]["hours"] == 7.75
    assert report.cost == 60 * 2 * 2 + 12.25 * 3  # the placements only


def test_over_a_penalty_workloads_demand_is_a_breach() -> None:
    rows = _valid()
    rows[2] = dataclasses.replace(rows[2], hours=25.0)
    report = check_plan(_with_penalty({"gov": 7.0}), rows)
    assert [(b.kind, b.workload, b.period) for b in report.breaches] == [
        ("demand", "gov", "2025-01")
    ]
    assert report.unmet == []


def test_without_a_penalty_short_is_a_breach_as_before() -> None:
    rows = _valid()[:3]
    s = _with_penalty({})
    report = check_plan(s, rows)
    assert _tuples(report.breaches) == _tuples(reference_check.check_plan(s, rows).breaches)
    assert [b.kind for b in report.breaches] == ["demand"] and report.unmet == []


def test_a_gang_workload_with_a_penalty_is_served_whole_or_not_at_all() -> None:
    s = _with_penalty({"train": 3.0}, train=True)
    # not at all: both months unmet, no breach
    none = [r for r in _valid() if r.workload != "train"]
    report = check_plan(s, none)
    assert report.ok
    assert [(u.period, u.hours, u.penalty) for u in report.unmet] == [
        ("2025-01", 60.0, 180.0),
        ("2025-02", 60.0, 180.0),
    ]
    assert report.penalty == 360.0
    # one month only: the other is a breach, nothing unmet
    some = [r for r in _valid() if r.period == "2025-01" or r.workload != "train"]
    report = check_plan(s, some)
    assert [(b.kind, b.period) for b in report.breaches] == [("demand", "2025-02")]
    assert report.breaches[0].detail.startswith(GANG_GAPS)
    assert report.unmet == []
    # a partial month is a breach
    part = [dataclasses.replace(r, hours=30.0) if r.line == 2 else r for r in _valid()]
    report = check_plan(s, part)
    assert [(b.kind, b.period) for b in report.breaches] == [("demand", "2025-01")]
    assert "served in part of a month" in report.breaches[0].detail
    # whole: no breach, nothing unmet
    assert check_plan(s, _valid()).ok


# ------------------------------------------------------------------ the horizon
def test_an_empty_plan_leaves_the_demand_of_its_horizon_unmet() -> None:
    s = _with_penalty({"train": 3.0, "gov": 7.0}, train=True)
    report = check_plan(s, [], start="2025-01", end="2025-02")
    assert report.ok and report.rows == 0 and report.cost == 0.0
    assert [(u.workload, u.period, u.hours) for u in report.unmet] == [
        ("gov", "2025-01", 20.0),
        ("gov", "2025-02", 20.0),
        ("train", "2025-01", 60.0),
        ("train", "2025-02", 60.0),
    ]
    assert report.penalty == 2 * 20 * 7.0 + 2 * 60 * 3.0
    # without penalties, every month of every workload is a breach
    plain = check_plan(_with_penalty({}), [], start="2025-01", end="2025-02")
    assert [(b.kind, b.workload, b.period) for b in plain.breaches] == [
        ("demand", "gov", "2025-01"),
        ("demand", "gov", "2025-02"),
        ("demand", "train", "2025-01"),
        ("demand", "train", "2025-02"),
    ]


def test_an_empty_plan_is_checked_over_the_scenarios_plan_block() -> None:
    from charter.model import PlanDefaults

    s = _with_penalty({"gov": 7.0})
    block = PlanDefaults.model_validate({"party": "lab", "from": "2025-02", "to": "2025-02"})
    s = charter.Scenario(
        dataclasses.replace(s.data, meta=s.data.meta.model_copy(update={"plan": block}))
    )
    report = check_plan(s, [])
    assert [(b.workload, b.period) for b in report.breaches] == [("train", "2025-02")]
    assert [(u.workload, u.period) for u in report.unmet] == [("gov", "2025-02")]


def test_an_empty_plan_without_a_horizon_is_refused() -> None:
    with pytest.raises(RequestError, match=r"the plan is empty.*give --from and --to"):
        check_plan(_with_penalty({}), [])


def test_a_horizon_past_the_plans_months_asks_for_their_demand() -> None:
    rows = [r for r in _valid() if r.period == "2025-01"]
    s = _with_penalty({})
    assert check_plan(s, rows).ok  # by default the months the plan spans
    wider = check_plan(s, rows, end="2025-02")
    assert [(b.workload, b.period) for b in wider.breaches] == [
        ("gov", "2025-02"),
        ("train", "2025-02"),
    ]


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2025-13", None, "--from '2025-13' is not a month"),
        ("2025", None, "--from '2025' is not a month"),
        ("2025-03", "2025-01", "--to 2025-01 is before --from 2025-03"),
        ("2025-03", None, "the plan's last month 2025-02 is before --from 2025-03"),
        (None, "2024-12", "--to 2024-12 is before the plan's first month 2025-01"),
    ],
)
def test_a_bad_horizon_is_named(start: str | None, end: str | None, message: str) -> None:
    with pytest.raises(RequestError, match=message):
        check_plan(_with_penalty({}), _valid(), start=start, end=end)


# ------------------------------------------------------------------ the command
def test_charter_check_reports_unmet_demand(tmp_path: Path) -> None:
    folder = tmp_path / "scenario"
    shutil.copytree(FIXTURES / "base", folder)
    workloads = yaml.safe_load((folder / "workloads.yaml").read_text())
    for w in workloads:
        if w["id"] == "gov":
            w["unmet_penalty"] = 12.5
    (folder / "workloads.yaml").write_text(yaml.safe_dump(workloads, sort_keys=False))
    plan = tmp_path / "plan.csv"
    plan.write_text(
        "workload,offer,period,hours\n"
        "train,c1,2025-01,60\ntrain,c1,2025-02,60\ngov,c2,2025-01,18\n",
        encoding="utf-8",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "charter", "check", str(plan), str(folder), *args],
            capture_output=True,
            text=True,
            check=False,
        )

    r = run()
    assert r.returncode == 0, r.stdout + r.stderr
    line = " ".join(r.stdout.split())
    assert "ok: 3 placements, cost $294" in line
    assert "unmet demand 22 accelerator-hours at a penalty of $275, no breach" in line
    doc = json.loads(run("--json").stdout)
    assert doc["ok"] and doc["penalty"] == 22 * 12.5
    assert [(u["workload"], u["period"], u["hours"]) for u in doc["unmet"]] == [
        ("gov", "2025-01", 2.0),
        ("gov", "2025-02", 20.0),
    ]
    plan.write_text(plan.read_text() + "gov,c2,2025-02,30\n", encoding="utf-8")
    over = run("--json")
    assert over.returncode == 1
    assert [b["kind"] for b in json.loads(over.stdout)["breaches"]] == ["demand"]


def test_charter_check_of_an_empty_plan_names_the_horizon_it_needs(tmp_path: Path) -> None:
    plan = tmp_path / "plan.csv"
    plan.write_text("workload,offer,period,hours\n", encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "charter", "check", str(plan), str(FIXTURES / "base"), *args],
            capture_output=True,
            text=True,
            check=False,
        )

    refused = run()
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "give --from and --to" in refused.stderr and "Traceback" not in refused.stderr
    checked = run("--from", "2025-01", "--to", "2025-02", "--json")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    doc = json.loads(checked.stdout)
    assert [(b["workload"], b["period"]) for b in doc["breaches"]] == [
        ("gov", "2025-01"),
        ("gov", "2025-02"),
        ("train", "2025-01"),
        ("train", "2025-02"),
    ]


def test_a_plan_that_places_nothing_is_written_and_checks_with_its_penalty(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "scenario"
    shutil.copytree(FIXTURES / "base", folder)
    workloads = yaml.safe_load((folder / "workloads.yaml").read_text())
    for w in workloads:
        w["unmet_penalty"] = 0.5  # cheaper than every offer: nothing is worth placing
    (folder / "workloads.yaml").write_text(yaml.safe_dump(workloads, sort_keys=False))
    plan = tmp_path / "plan.csv"
    horizon = ["--from", "2025-01", "--to", "2025-02"]

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "charter", *args],
            capture_output=True,
            text=True,
            check=False,
        )

    planned = run("plan", str(folder), *horizon, "--out", str(plan), "--time-limit", "20")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "wrote 0 placements" in planned.stdout
    assert read_plan(plan) == []
    checked = run("check", str(plan), str(folder), *horizon, "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    doc = json.loads(checked.stdout)
    assert doc["ok"] and doc["penalty"] == 2 * (60 + 20) * 0.5
