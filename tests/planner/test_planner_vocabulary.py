"""The planner on a workload with a declared attribute (``attributes:`` in workloads.yaml):
the feasibility columns come from the scenario's vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest

import charter
from charter.check import check_plan
from charter.planner import plan
from charter.plans import PlanRow

RESIDENCY = Path(__file__).parent.parent / "fixtures" / "residency"


def test_plan_avoids_the_provider_a_clause_forbids_for_the_attribute() -> None:
    s = charter.load_scenario(RESIDENCY)
    assert s.data.workloads[0].attributes == {"data_residency": "eu"}
    p = plan(s)
    by = {(x.workload, x.provider) for x in p.placements}
    assert by == {("eu-train", "elsewhere"), ("us-train", "cloudy")}
    rows = [PlanRow(x.workload, x.offer, x.period, x.hours) for x in p.placements]
    assert check_plan(s, rows).ok
    moved = [PlanRow(r.workload, "cheap", r.period, r.hours) for r in rows]
    report = check_plan(s, moved)
    assert not report.ok
    assert "R.1" in str(report.to_json())


def test_workload_attributes_are_checked_against_the_vocabulary(tmp_path: Path) -> None:
    import shutil

    folder = tmp_path / "r"
    shutil.copytree(RESIDENCY, folder)
    text = (folder / "workloads.yaml").read_text()
    (folder / "workloads.yaml").write_text(text.replace("data_residency: eu", "data_residence: eu"))
    with pytest.raises(charter.ScenarioError) as info:
        charter.load_scenario(folder)
    assert str(info.value).startswith(
        "workloads.yaml:8: [0].attributes.data_residence: attribute 'data_residence' is not "
        "declared (vocabulary.yaml) (did you mean 'data_residency'?)"
    )
    (folder / "workloads.yaml").write_text(
        text.replace("data_residency: eu", "data_residency: mars")
    )
    with pytest.raises(charter.ScenarioError, match="unknown data residency 'mars'"):
        charter.load_scenario(folder)
    (folder / "workloads.yaml").write_text(text.replace("data_residency: eu", "kind: api"))
    with pytest.raises(charter.ScenarioError, match="set by the workload's own field"):
        charter.load_scenario(folder)
