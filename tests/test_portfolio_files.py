"""Offers and workloads from CSV and Parquet, and their located errors."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

import charter
from charter.planner import plan
from tests.test_planner import offer, tiny, workload


def _base(tmp_path: Path) -> charter.Scenario:
    return tiny(
        tmp_path,
        [],
        [offer("c1", "cloudy", 2, 100), offer("e1", "elsewhere", 1, 50, family="tpu")],
        [workload("w", 80, families=["h100", "tpu"])],
    )


def test_csv_portfolio_plans_like_yaml(tmp_path: Path) -> None:
    s = _base(tmp_path)
    yaml_cost = plan(s, gap=0).cost
    (s.folder / "offers.yaml").unlink()
    (s.folder / "workloads.yaml").unlink()
    (s.folder / "offers.csv").write_text(
        "id,provider,region,family,price,capacity,capacity_by_period\n"
        "c1,cloudy,r1,h100,2,100,\n"
        "e1,elsewhere,r1,tpu,1,50,2025-02=50\n"
    )
    (s.folder / "workloads.csv").write_text(
        "id,kind,families,demand,start,end,gang\nw,training,h100;tpu,80,2025-01,2025-02,false\n"
    )
    s2 = charter.load_scenario(s.folder)
    assert [o.id for o in s2.data.offers] == ["c1", "e1"]
    assert s2.data.workloads[0].families == ("h100", "tpu")
    assert plan(s2, gap=0).cost == pytest.approx(yaml_cost)


def test_parquet_portfolio(tmp_path: Path) -> None:
    s = _base(tmp_path)
    offers = yaml.safe_load((s.folder / "offers.yaml").read_text())
    (s.folder / "offers.yaml").unlink()
    pq.write_table(pa.Table.from_pylist(offers), s.folder / "offers.parquet")
    s2 = charter.load_scenario(s.folder)
    assert {o.id for o in s2.data.offers} == {"c1", "e1"}
    assert plan(s2, gap=0).status == "optimal"


@pytest.mark.parametrize(
    ("file", "content", "message"),
    [
        (
            "offers.csv",
            "id,provider,region,family,price,capacity\nc1,mars,r1,h100,2,100\n",
            "unknown provider 'mars'",
        ),
        (
            "offers.csv",
            "id,provider,region,family,price,capacity\nc1,cloudy,r1,h100,cheap,100\n",
            "offers.csv:2: price: input should be a valid number",
        ),
        (
            "workloads.csv",
            "id,kind,families,demand,start,end\nw,gaming,h100,1,2025-01,2025-02\n",
            "unknown workload kind 'gaming'",
        ),
        (
            "workloads.csv",
            "id,kind,families,demand,start,end\nw,training,h100,1,2025-03,2025-02\n",
            "end 2025-02 is before start 2025-03",
        ),
        (
            "workloads.yaml",
            "- {id: w, kind: training, families: [h100], start: 2025-01}\n",
            "workloads.yaml:1: [0].end: required field is missing",
        ),
    ],
)
def test_portfolio_errors_are_located(
    tmp_path: Path, file: str, content: str, message: str
) -> None:
    s = _base(tmp_path)
    stem = file.split(".")[0]
    for ext in ("yaml", "csv"):
        (s.folder / f"{stem}.{ext}").unlink(missing_ok=True)
    (s.folder / file).write_text(content)
    with pytest.raises(charter.ScenarioError) as info:
        charter.load_scenario(s.folder)
    assert message in str(info.value)


def test_two_files_for_one_portfolio_is_an_error(tmp_path: Path) -> None:
    s = _base(tmp_path)
    (s.folder / "offers.csv").write_text("id,provider,region,family,price,capacity\n")
    with pytest.raises(charter.ScenarioError, match="give offers in one file only"):
        charter.load_scenario(s.folder)
