"""Offers and workloads from CSV and Parquet, and their located errors."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

import charter
from charter.planner import plan
from tests.planner.test_planner import offer, tiny, workload


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


def _errors(s: charter.Scenario, file: str, content: str) -> str:
    stem = file.split(".")[0]
    for ext in ("yaml", "csv", "parquet"):
        (s.folder / f"{stem}.{ext}").unlink(missing_ok=True)
    (s.folder / file).write_text(content)
    with pytest.raises(charter.ScenarioError) as info:
        charter.load_scenario(s.folder)
    return str(info.value)


def test_csv_lines_count_the_header_blank_lines_and_quoted_newlines(tmp_path: Path) -> None:
    s = _base(tmp_path)
    head = "id,provider,region,family,price,capacity,note\n"
    message = _errors(
        s,
        "offers.csv",
        head + 'c1,cloudy,r1,h100,2,100,\n\ne1,elsewhere,r1,tpu,1,50,"two\nlines"\n'
        "c2,mars,r1,h100,2,100,\n",
    )
    assert message.startswith("offers.csv:6: provider: unknown provider 'mars'")
    message = _errors(s, "offers.csv", head + "c1,cloudy,r1,h100,2,100,\nc1,cloudy,r1,h100,2,1,\n")
    assert message == "offers.csv:3: id: duplicate offer id 'c1'"
    message = _errors(s, "offers.csv", "id,provider,id\n")
    assert message == "offers.csv:1: id: column 'id' is given twice"
    message = _errors(s, "offers.csv", "id,provider,region,family\nc1,cloudy,r1,h100\n")
    assert message == "offers.csv:1: required columns 'price' and 'capacity' are missing"
    message = _errors(s, "offers.csv", head + "c1,cloudy,r1,h100,,100,\n")
    assert message == "offers.csv:2: price: required field is missing"


def test_yaml_post_checks_name_the_line(tmp_path: Path) -> None:
    s = _base(tmp_path)
    message = _errors(
        s,
        "workloads.yaml",
        "- {id: w, kind: training, families: [h100], demand: 1, start: 2025-01, end: 2025-02}\n"
        "- id: v\n  kind: trainng\n  families: [h100]\n  start: 2025-01\n  end: 2025-02\n",
    )
    assert message == (
        "workloads.yaml:3: [1].kind: unknown workload kind 'trainng' (did you mean "
        "'training'?); valid workload kinds are: api, batch, inference, product-serving, "
        "research, training"
    )


def test_parquet_errors_name_row_and_column(tmp_path: Path) -> None:
    s = _base(tmp_path)
    rows = yaml.safe_load((s.folder / "offers.yaml").read_text())
    (s.folder / "offers.yaml").unlink()
    pq.write_table(
        pa.Table.from_pylist([{**r, "avail_from": None} for r in rows]), s.folder / "offers.parquet"
    )
    with pytest.raises(charter.ScenarioError) as info:
        charter.load_scenario(s.folder)
    assert str(info.value) == (
        "offers.parquet: avail_from: unknown column 'avail_from'; did you mean 'available_from'?"
    )
    rows[1]["provider"] = "elswhere"
    pq.write_table(pa.Table.from_pylist(rows), s.folder / "offers.parquet")
    with pytest.raises(charter.ScenarioError) as info:
        charter.load_scenario(s.folder)
    assert str(info.value).startswith(
        "offers.parquet: [1].provider: unknown provider 'elswhere' (did you mean 'elsewhere'?)"
    )


def test_fit_uses_the_planners_rule(tmp_path: Path) -> None:
    """A workload fits when one offer has one of its families, in one of its regions (if it
    lists any), with all its compliance tags; a family no offer has is fine beside one that
    some offer has; the region is judged among the offers of its families."""
    s = tiny(
        tmp_path,
        [],
        [
            offer("c1", "cloudy", 2, 100, region="us"),
            offer("e1", "elsewhere", 1, 50, family="tpu", region="eu", compliance=["gdpr"]),
        ],
        [
            workload("a", 10, families=["h100", "b300"]),
            workload("b", 10, families=["tpu"], regions=["eu", "us"], compliance=["gdpr"]),
        ],
    )
    assert [w.id for w in s.data.workloads] == ["a", "b"]
    message = _errors(
        s,
        "workloads.yaml",
        yaml.safe_dump([workload("c", 10, families=["h100"], regions=["eu"])]),
    )
    assert message.endswith(
        "[0].regions: workload 'c' fits no offer: no offer of family h100 is in region 'eu'; "
        "offers of family h100 are in: us"
    )
    message = _errors(
        s,
        "workloads.yaml",
        yaml.safe_dump([workload("d", 10, families=["h100"], compliance=["gdpr"])]),
    )
    assert message.endswith(
        "[0].compliance: workload 'd' fits no offer: no offer of family h100 carries compliance "
        "tag 'gdpr'; 'gdpr' is only on offers of other families or regions; offers of family "
        "h100 carry no compliance tags"
    )


def test_workloads_without_offers_are_an_error(tmp_path: Path) -> None:
    s = _base(tmp_path)
    (s.folder / "offers.yaml").unlink()
    with pytest.raises(charter.ScenarioError) as info:
        charter.load_scenario(s.folder)
    assert str(info.value) == (
        "workloads.yaml:4: [0].families: workload 'w' fits no offer: the scenario has no "
        "offers (offers.yaml, .csv or .parquet)"
    )


def test_workloads_outside_the_horizon_are_noted(tmp_path: Path) -> None:
    s = tiny(
        tmp_path,
        [],
        [offer("c1", "cloudy", 2, 100)],
        [
            workload("in", 10),
            workload("before", 10, start="2024-06", end="2024-12"),
            workload("after", 10, start="2025-03", end="2025-04"),
            workload("straddles", 10, start="2024-12", end="2025-01"),
        ],
    )
    result = plan(s, gap=0)
    assert result.status == "optimal"
    assert {p.workload for p in result.placements} == {"in", "straddles"}
    assert result.notes == [
        "not planned: 2 workloads lie entirely outside the horizon 2025-01 to 2025-02: "
        "before (2024-06 to 2024-12), after (2025-03 to 2025-04)"
    ]
    assert plan(s, start="2024-06", end="2025-04", gap=0).notes == []


def test_workload_copies_are_named_and_parsed_one_way() -> None:
    from charter.model import WorkloadCopy, WorkloadSpec

    one = WorkloadSpec(
        id="serve", kind="api", families=("h100",), demand=1, start="2025-01", end="2025-01"
    )
    many = one.model_copy(update={"id": "train", "count": 3})
    assert [c.name for c in one.copies()] == ["serve"]
    assert [c.name for c in many.copies()] == ["train#1", "train#2", "train#3"]
    for c in (*one.copies(), *many.copies()):
        assert WorkloadCopy.parse(c.name) == c
    assert WorkloadCopy.parse("train#x").workload == "train"
