"""``charter plan`` and ``charter check`` end to end, as real subprocesses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.cli.test_cli import charter
from tests.planner.test_planner import EXCL, offer, tiny, workload


def test_plan_and_check_the_synthetic_scenario(tmp_path: Path) -> None:
    for suffix in ("csv", "json", "parquet"):
        out = tmp_path / f"plan.{suffix}"
        r = charter("plan", "acme-cloud", "--out", str(out))
        assert r.returncode == 0, r.stderr
        assert "plan: optimal" in r.stdout and out.exists()
        c = charter("check", str(out), "acme-cloud", "--json")
        assert c.returncode == 0, c.stdout + c.stderr
        report = json.loads(c.stdout)
        assert report["ok"] is True and report["rows"] > 0


def test_plan_json_summary() -> None:
    r = charter("plan", "acme-cloud", "--json", "--gap", "0")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["status"] == "optimal"
    assert doc["bound"] <= doc["cost"] * (1 + 1e-9)
    assert {"provider", "year", "spend", "hours", "share_of_hours"} <= set(
        doc["by_provider_year"][0]
    )
    assert doc["commitments"] and doc["stats"]["solver"] == "HiGHS"


@pytest.mark.parametrize("strategy", ["exact", "scale", "decompose"])
def test_every_strategy_end_to_end(tmp_path: Path, strategy: str) -> None:
    """Each strategy plans the synthetic scenario, says which it used and what proved its
    bound, and its plan passes ``charter check``."""
    out = tmp_path / "plan.csv"
    r = charter("plan", "acme-cloud", "--json", "--strategy", strategy, "--out", str(out))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["stats"]["strategy"] == strategy
    assert doc["status"] in ("optimal", "feasible")
    assert doc["bound"] <= doc["cost"] * (1 + 1e-9)
    expected = {
        "exact": ("MILP dual bound",),
        "scale": ("Lagrangian",),
        # the divisible relaxation's, or the whole model's LP's where that is higher
        "decompose": ("aggregated", "of the whole model"),
    }
    assert any(words in doc["bound_method"] for words in expected[strategy])
    c = charter("check", str(out), "acme-cloud")
    assert c.returncode == 0, c.stdout + c.stderr


def test_check_reports_breaches_with_exit_1(tmp_path: Path) -> None:
    out = tmp_path / "plan.csv"
    assert charter("plan", "acme-cloud", "--out", str(out)).returncode == 0
    lines = out.read_text().splitlines()
    header, first = lines[0], lines[1].split(",")
    first[5] = str(float(first[5]) + 10_000_000)  # overrun the offer
    out.write_text("\n".join([header, ",".join(first), *lines[2:]]) + "\n")
    r = charter("check", str(out), "acme-cloud", "--json")
    assert r.returncode == 1
    kinds = {b["kind"] for b in json.loads(r.stdout)["breaches"]}
    assert "capacity" in kinds


def test_infeasible_plan_exits_3_with_an_explanation(tmp_path: Path) -> None:
    s = tiny(
        tmp_path,
        [EXCL],
        [offer("c1", "cloudy", 5, 50), offer("e1", "elsewhere", 1, 1000)],
        [workload("api", 100, kind="api")],
    )
    r = charter("plan", str(s.folder))
    assert r.returncode == 3, r.stdout + r.stderr
    assert "No plan exists" in r.stdout and "clause X" in " ".join(r.stdout.split())
    j = charter("plan", str(s.folder), "--json")
    assert j.returncode == 3
    assert json.loads(j.stdout)["infeasibility"]["clauses"] == ["X"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2025-13"], "invalid period '2025-13'"),
        (["--from", "2025-06", "--to", "2025-01"], "--to 2025-01 is before --from 2025-06"),
        (["--from", "2025-Q1"], "plan horizons are given in months"),
        (["--out", "plan.xlsx"], "--out plan.xlsx: use a .csv, .json or .parquet file name"),
        (["--time-limit", "0"], "--time-limit must be positive"),
        (["--gap", "2"], "--gap must be between 0 and 1"),
        (["--event", "agi=2029-01-01"], "unknown event 'agi'"),
        (["--strategy", "fastest"], "unknown strategy 'fastest'"),
    ],
)
def test_plan_bad_input_exits_2(args: list[str], message: str) -> None:
    r = charter("plan", "acme-cloud", *args)
    assert r.returncode == 2, r.stdout
    assert "Traceback" not in r.stderr
    assert message in " ".join(r.stderr.split())


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("workload,offer,period\nx,y,2025-01\n", "plan.csv:2: hours: missing"),
        ("workload,offer,period,hours\nx,y,2025-01,lots\n", "plan.csv:2: hours: expected a number"),
        ("workload,offer,period,hours\nnobody,y,2025-01,1\n", "unknown workload 'nobody'"),
    ],
)
def test_check_bad_input_exits_2(content: str, message: str, tmp_path: Path) -> None:
    f = tmp_path / "plan.csv"
    f.write_text(content)
    r = charter("check", str(f), "acme-cloud")
    assert r.returncode == 2
    assert message in " ".join(r.stderr.split())
    missing = charter("check", str(tmp_path / "none.csv"), "acme-cloud")
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_scenario_without_plan_block_needs_a_horizon(tmp_path: Path) -> None:
    s = tiny(tmp_path, [], [offer("c1", "cloudy", 1, 100)], [workload("w", 10)])
    meta = yaml.safe_load((s.folder / "scenario.yaml").read_text())
    del meta["plan"]
    (s.folder / "scenario.yaml").write_text(yaml.safe_dump(meta))
    (s.folder / "workloads.yaml").write_text(yaml.safe_dump([workload("w", 10, owner="lab")]))
    r = charter("plan", str(s.folder))
    assert r.returncode == 2 and "give --from and --to" in r.stderr
    ok = charter("plan", str(s.folder), "--from", "2025-01", "--to", "2025-02")
    assert ok.returncode == 0, ok.stderr
