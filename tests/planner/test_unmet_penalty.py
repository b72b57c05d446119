"""Unmet demand priced per workload (``unmet_penalty``): the planner leaves demand unserved
where serving it costs more than its penalty or nothing can serve it, a gang workload whole
or not at all, and the plan's cost counts the penalties, recomputed from the placements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from charter.planner import plan
from tests.planner.test_planner import EXCL, ROFR, offer, tiny, workload


def _placed(p: Any, wid: str) -> float:
    return sum(x.hours for x in p.placements if x.workload == wid)


def _unmet(p: Any, wid: str) -> float:
    return sum(u["hours"] for u in p.unmet if u["workload"] == wid)


def test_demand_beyond_capacity_is_left_unmet_at_its_penalty(tmp_path: Path) -> None:
    s = tiny(tmp_path, [], [offer("a", "cloudy", 2, 60)], [workload("w", 100, unmet_penalty=9)])
    p = plan(s, gap=0)
    assert p.status == "optimal"
    assert _placed(p, "w") == pytest.approx(120)  # 60 a month, two months
    assert _unmet(p, "w") == pytest.approx(80)
    assert p.cost == pytest.approx(120 * 2 + 80 * 9)
    assert p.stats["unmet_hours"] == pytest.approx(80)
    assert p.stats["unmet_penalty"] == pytest.approx(720)
    assert p.to_json()["unmet"][0] == {
        "workload": "w",
        "period": "2025-01",
        "hours": pytest.approx(40),
        "penalty": pytest.approx(360),
    }


def test_an_offer_dearer_than_the_penalty_is_not_used(tmp_path: Path) -> None:
    s = tiny(
        tmp_path,
        [],
        [offer("cheap", "cloudy", 2, 30), offer("dear", "elsewhere", 20, 1000)],
        [workload("w", 100, unmet_penalty=10)],
    )
    p = plan(s, gap=0)
    assert {x.offer for x in p.placements} == {"cheap"}
    assert p.cost == pytest.approx(2 * (30 * 2 + 70 * 10))


def test_without_a_penalty_the_same_portfolio_has_no_plan(tmp_path: Path) -> None:
    s = tiny(tmp_path, [], [offer("a", "cloudy", 2, 60)], [workload("w", 100)])
    assert plan(s, gap=0, explain=False).status == "infeasible"


def test_a_denied_workload_with_a_penalty_is_unserved_not_infeasible(tmp_path: Path) -> None:
    # the exclusivity keeps api work on cloudy, which has no capacity in the window
    s = tiny(
        tmp_path,
        [EXCL],
        [offer("c1", "cloudy", 5, 0), offer("e1", "elsewhere", 1, 1000)],
        [workload("api", 100, kind="api", unmet_penalty=7), workload("train", 10)],
    )
    p = plan(s, gap=0)
    assert p.status == "optimal"
    assert _placed(p, "api") == 0
    assert _unmet(p, "api") == pytest.approx(200)
    assert p.cost == pytest.approx(2 * 10 * 1 + 200 * 7)


def test_a_gang_is_served_whole_or_not_at_all(tmp_path: Path) -> None:
    offers = [offer("a", "cloudy", 2, 40), offer("b", "elsewhere", 3, 40)]
    # 50 a month fits on neither offer: unserved, its whole window at the penalty
    s = tiny(tmp_path, [], offers, [workload("g", 50, gang=True, unmet_penalty=4)])
    p = plan(s, gap=0)
    assert p.placements == []
    assert _unmet(p, "g") == pytest.approx(100)
    assert p.cost == pytest.approx(100 * 4)
    # 30 a month fits: served whole on the cheaper offer (2 < 4)
    s = tiny(tmp_path, [], offers, [workload("g", 30, gang=True, unmet_penalty=4)], name="t")
    p = plan(s, gap=0)
    assert {x.offer for x in p.placements} == {"a"}
    assert p.unmet == []
    assert p.cost == pytest.approx(60 * 2)


def test_a_gang_dearer_to_serve_than_to_leave_is_left(tmp_path: Path) -> None:
    s = tiny(
        tmp_path,
        [],
        [offer("a", "cloudy", 6, 100)],
        [workload("g", 30, gang=True, unmet_penalty=5)],
    )
    p = plan(s, gap=0)
    assert p.placements == []
    assert p.cost == pytest.approx(60 * 5)


def test_the_rofr_still_binds_served_demand(tmp_path: Path) -> None:
    s = tiny(
        tmp_path,
        [ROFR],
        [offer("c1", "cloudy", 5, 100), offer("e1", "elsewhere", 1, 150)],
        [workload("w", 300, unmet_penalty=3)],
    )
    p = plan(s, gap=0)
    by = {(x.offer, x.period): x.hours for x in p.placements}
    # the third party's 150 is used only once the holder's 100 is full; 50 a month unmet
    assert by[("c1", "2025-01")] == pytest.approx(100)
    assert by[("e1", "2025-01")] == pytest.approx(150)
    assert _unmet(p, "w") == pytest.approx(100)
    assert p.cost == pytest.approx(2 * (100 * 5 + 150 * 1) + 100 * 3)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    demand=st.integers(1, 200),
    capacity=st.integers(0, 200),
    price=st.integers(1, 20),
    penalty=st.integers(0, 25),
    gang=st.booleans(),
    strategy=st.sampled_from(["exact", "scale", "decompose"]),
)
def test_cost_is_the_cheaper_of_serving_and_leaving(
    tmp_path: Path,
    demand: int,
    capacity: int,
    price: int,
    penalty: int,
    gang: bool,
    strategy: str,
) -> None:
    """One offer, one workload: the optimum is known in closed form."""
    s = tiny(
        tmp_path,
        [],
        [offer("a", "cloudy", price, capacity)],
        [workload("w", demand, gang=gang, unmet_penalty=penalty)],
        name=f"s{demand}-{capacity}-{price}-{penalty}-{gang}-{strategy}",
    )
    p = plan(s, gap=0, strategy=strategy)
    if gang:
        serve = 2 * demand * price if capacity >= demand else float("inf")
        expected = min(serve, 2 * demand * penalty)
    else:
        served = min(demand, capacity) if price < penalty else 0
        expected = 2 * (served * price + (demand - served) * penalty)
    assert p.cost == pytest.approx(expected, abs=1e-6)
    assert _placed(p, "w") + _unmet(p, "w") == pytest.approx(2 * demand)


def test_plan_command_and_report_show_the_unmet_demand(tmp_path: Path) -> None:
    """``charter plan`` prints the unmet demand and its penalty; ``--json`` carries it; the
    report built from that document states it and counts it in the cost."""
    import json

    from charter.report import build_report, plan_document
    from tests.cli.test_cli import charter

    s = tiny(tmp_path, [], [offer("a", "cloudy", 2, 60)], [workload("w", 100, unmet_penalty=9)])
    folder = str(tmp_path / "s")
    r = charter("plan", folder)
    assert r.returncode == 0, r.stderr
    assert "Demand left unmet" in r.stdout
    assert "unmet demand: 80 accelerator-hours on 1 workloads, penalty $720" in r.stdout
    r = charter("plan", folder, "--json")
    doc = json.loads(r.stdout)
    assert doc["cost"] == pytest.approx(960)
    assert sum(u["hours"] for u in doc["unmet"]) == pytest.approx(80)
    path = tmp_path / "plan.json"
    path.write_text(r.stdout)
    loaded = plan_document(s, path)
    assert loaded["cost"] == pytest.approx(960)  # placements 240 + penalties 720
    html = build_report(s, plan_doc=loaded)
    assert "Demand left unmet: 80 accelerator-hours across 1 jobs" in html
    assert "Ungedeckter Bedarf" in build_report(s, plan_doc=loaded, lang="de")


@pytest.mark.parametrize("strategy", ["exact", "decompose"])
def test_a_priced_shortfall_portfolio_passes_the_checker_with_the_same_penalty(
    tmp_path: Path, strategy: str
) -> None:
    """The planner's unmet demand and penalty are what the independent checker derives
    from the written placements; the plan's cost is placements + shortfalls + penalties."""
    import math

    import yaml

    import charter
    from charter.check import check_plan
    from charter.plans import PlanRow
    from tests.support.portfolios import generate

    folder = generate(tmp_path / "p", 40, 12, 6, 2, structure="priced-shortfall")
    offers = yaml.safe_load((folder / "offers.yaml").read_text())
    for o in offers:  # capacity short of demand: some priced demand goes unmet
        o["capacity"] = o["capacity"] * 0.6
        o.pop("capacity_by_period", None)
    (folder / "offers.yaml").write_text(yaml.safe_dump(offers))
    workloads = yaml.safe_load((folder / "workloads.yaml").read_text())
    priced = [w["unmet_penalty"] for w in workloads if w.get("unmet_penalty") is not None]
    for w in workloads:  # the rest priced too (at the dearest penalty), or there is no plan
        w.setdefault("unmet_penalty", max(priced))
    (folder / "workloads.yaml").write_text(yaml.safe_dump(workloads))
    s = charter.load_scenario(folder)
    assert any(w.unmet_penalty is not None for w in s.data.workloads)
    p = plan(s, gap=1e-3, time_limit=30, strategy=strategy, explain=False)
    assert p.cost is not None and p.unmet
    rows = [PlanRow(x.workload, x.offer, x.period, x.hours) for x in p.placements]
    report = check_plan(s, rows)
    assert report.ok, report.breaches[:3]
    assert report.penalty == pytest.approx(math.fsum(u["penalty"] for u in p.unmet), abs=1e-6)
    shortfalls = math.fsum(c["shortfall"] for c in p.commitments)
    assert p.cost == pytest.approx(report.cost + shortfalls + report.penalty, rel=1e-9)


def test_workloads_sharing_a_penalty_each_keep_their_unmet_demand(tmp_path: Path) -> None:
    """Identical workloads at the same penalty plan as one group; the group's unmet hours
    are split back onto both, and the penalties recomputed from the placements agree."""
    ws = [workload("w1", 50, unmet_penalty=9), workload("w2", 50, unmet_penalty=9)]
    p = plan(tiny(tmp_path, [], [offer("a", "cloudy", 2, 60)], ws), gap=0)
    assert p.status == "optimal" and p.stats["groups"] == 1
    assert _unmet(p, "w1") == pytest.approx(40) and _unmet(p, "w2") == pytest.approx(40)
    assert p.cost == pytest.approx(2 * (60 * 2 + 40 * 9))


def test_the_cheapest_penalty_goes_unmet_first_inside_one_group(tmp_path: Path) -> None:
    """Workloads that differ only in their penalty merge into one group with a level per
    penalty: the 60 hours of capacity serve the dearer one whole."""
    ws = [workload("dear", 50, unmet_penalty=9), workload("cheap", 50, unmet_penalty=5)]
    p = plan(tiny(tmp_path, [], [offer("a", "cloudy", 2, 60)], ws), gap=0)
    assert p.status == "optimal" and p.stats["groups"] == 1
    assert _placed(p, "dear") == pytest.approx(100) and _unmet(p, "dear") == 0
    assert _unmet(p, "cheap") == pytest.approx(80)
    assert p.cost == pytest.approx(2 * (60 * 2 + 40 * 5))


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    demands=st.lists(st.integers(1, 80), min_size=2, max_size=5),
    penalties=st.lists(st.sampled_from([None, 1, 3, 3, 6, 12]), min_size=5, max_size=5),
    capacities=st.tuples(st.integers(0, 150), st.integers(0, 150)),
    strategy=st.sampled_from(["exact", "decompose"]),
)
@example(demands=[1, 1], penalties=[1, 1, None, None, None], capacities=(0, 0), strategy="exact")
def test_merging_by_level_plans_what_the_workloads_apart_plan(
    tmp_path: Path,
    demands: list[int],
    penalties: list[int | None],
    capacities: tuple[int, int],
    strategy: str,
) -> None:
    """The merged model (a level per penalty) has the optimum of the unmerged one, and the
    independent checker derives the same penalty from its placements."""
    import math

    from charter.check import check_plan
    from charter.plans import PlanRow

    pairs = zip(demands, penalties, strict=False)  # as many workloads as demands
    ws = [workload(f"w{i}", d, unmet_penalty=q) for i, (d, q) in enumerate(pairs)]
    offers = [offer("a", "cloudy", 2, capacities[0]), offer("b", "elsewhere", 4, capacities[1])]
    name = "m" + "-".join(map(str, [*demands, *penalties, *capacities, strategy]))
    s = tiny(tmp_path, [], offers, ws, name=name)
    merged = plan(s, gap=0, strategy=strategy, explain=False)
    apart = plan(s, gap=0, strategy="exact", aggregate=False, explain=False)
    assert (merged.cost is None) == (apart.cost is None), (merged.status, apart.status)
    if apart.cost is None:
        return
    assert merged.cost == pytest.approx(apart.cost, rel=1e-7, abs=1e-6)
    rows = [PlanRow(x.workload, x.offer, x.period, x.hours) for x in merged.placements]
    block = s.data.meta.plan
    assert block is not None
    # over the plan's horizon, the checker prices all the demand the plan leaves unmet (an
    # empty plan included: it leaves all of it)
    report = check_plan(s, rows, start=block.start, end=block.end)
    assert report.ok, report.breaches[:3]
    owed = math.fsum(u["penalty"] for u in merged.unmet)
    assert report.penalty == pytest.approx(owed, abs=1e-6)
    if not rows:  # and so does it by default, from the scenario's plan: block
        assert check_plan(s, rows).penalty == pytest.approx(owed, abs=1e-6)
