"""The planner benchmark's generator family (tests/support/portfolios.py FAMILY): the baseline
is the benchmark's own portfolios byte for byte, every member plans and passes the checker,
and each member differs from the baseline the way it says."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
import yaml

import charter
from charter.check import check_plan
from charter.planner import plan
from charter.plans import PlanRow
from tests.support.portfolios import FAMILY, generate


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for f in sorted(folder.iterdir()):
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def test_the_baseline_is_the_benchmarks_own_portfolio(tmp_path: Path) -> None:
    # the digests of the files generate() wrote before the family existed
    small = generate(tmp_path / "a", 40, 12, 6, 2, validate=False)
    assert _digest(small) == "5f09baced00d126a02eeb7cd192cca68277a3867e3b007ad9cf1a0e89d4c212f"
    s_size = generate(tmp_path / "b", 200, 50, 12, 1, validate=False, structure="baseline")
    assert _digest(s_size) == "575e8dd895b1dcad49dad86f279592755bbd4d1a081573a0d37488900d99645f"


@pytest.mark.parametrize("member", list(FAMILY))
def test_every_member_plans_and_passes_the_checker(tmp_path: Path, member: str) -> None:
    """A plan that passes the checker, or a proof that none exists with the clauses,
    capacities and demands that conflict: each workload fits its home offer, but a ROFR
    that fills the holder's capacity first can still crowd out a gang job (region-locked,
    seed 3, does: the explanation names P.R1 and P.X1)."""
    s = charter.load_scenario(generate(tmp_path / member, 40, 12, 6, 3, structure=member))
    assert member == "baseline" or s.name.endswith(member)
    p = plan(s, time_limit=20, explain=True)
    if p.status == "infeasible":
        assert p.infeasibility is not None and p.infeasibility["clauses"], member
        return
    assert p.status in ("optimal", "feasible"), p.status
    rows = [PlanRow(x.workload, x.offer, x.period, x.hours) for x in p.placements]
    assert check_plan(s, rows).ok


def _workloads(folder: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = yaml.safe_load((folder / "workloads.yaml").read_text())
    return rows


def test_each_member_differs_as_it_says(tmp_path: Path) -> None:
    def gen(member: str) -> Path:
        return generate(tmp_path / member, 300, 40, 12, 5, structure=member, validate=False)

    base = _workloads(gen("baseline"))
    gangs = [w for w in base if w.get("gang")]
    few = [w for w in _workloads(gen("few-huge-gangs")) if w.get("gang")]
    many = [w for w in _workloads(gen("many-small-gangs")) if w.get("gang")]
    assert len(few) < len(gangs) < len(many)
    median = sorted(float(w["demand"]) for w in gangs)[len(gangs) // 2]  # type: ignore[arg-type]
    assert min(float(w["demand"]) for w in few) > median  # type: ignore[arg-type]
    held = sum(1 for w in _workloads(gen("region-locked")) if w.get("regions"))
    assert held > 2 * sum(1 for w in base if w.get("regions"))
    for w in _workloads(gen("short-windows")):
        y0, m0 = map(int, str(w["start"]).split("-"))
        y1, m1 = map(int, str(w["end"]).split("-"))
        assert (y1 - y0) * 12 + m1 - m0 + 1 == 3
    # tight-loose: h200 and b200 near their busiest month's demand, the rest far above it
    folder = gen("tight-loose")
    s = charter.load_scenario(folder)
    offers = {o.id: o for o in s.data.offers}
    cap: dict[str, float] = {}
    for o in offers.values():
        cap[o.family] = cap.get(o.family, 0.0) + o.capacity
    assert set(cap) >= {"h200", "b200", "h100"}
    loose = generate(tmp_path / "loose", 300, 40, 12, 5, validate=False)
    base_cap: dict[str, float] = {}
    for o in charter.load_scenario(loose).data.offers:
        base_cap[o.family] = base_cap.get(o.family, 0.0) + o.capacity
    assert cap["h100"] > 1.5 * base_cap["h100"]  # 3x the peak instead of 1.3x
    assert cap["b200"] < base_cap["b200"]


def _scenario(tmp_path: Path, member: str, seed: int = 5) -> charter.Scenario:
    folder = generate(tmp_path / f"{member}-{seed}", 300, 40, 12, seed, structure=member)
    return charter.load_scenario(folder)


@pytest.mark.parametrize("member", list(FAMILY))
def test_every_member_is_deterministic(tmp_path: Path, member: str) -> None:
    one = generate(tmp_path / "one", 120, 24, 12, 7, structure=member)
    two = generate(tmp_path / "two", 120, 24, 12, 7, structure=member, validate=False)
    assert _digest(one) == _digest(two)
    other = generate(tmp_path / "other", 120, 24, 12, 8, structure=member, validate=False)
    assert _digest(one) != _digest(other)


def test_the_new_members_leave_the_baselines_draws_alone(tmp_path: Path) -> None:
    # each new feature draws from a stream of its own: the rest of the portfolio is the
    # baseline's (same workloads, same home offers) wherever the feature does not reach
    base = {w.id: w for w in _scenario(tmp_path, "baseline").data.workloads}
    for member in ("gang-varying", "priced-shortfall", "spot", "commitments-partial"):
        other = {w.id: w for w in _scenario(tmp_path, member).data.workloads}
        assert set(other) == set(base), member
        for wid, w in other.items():
            assert (w.families, w.start, w.end, w.demand) == (
                base[wid].families,
                base[wid].start,
                base[wid].end,
                base[wid].demand,
            ), (member, wid)


def test_gang_varying_gang_jobs_vary_month_to_month(tmp_path: Path) -> None:
    gangs = [w for w in _scenario(tmp_path, "gang-varying").data.workloads if w.gang]
    varying = [w for w in gangs if w.demand_by_period]
    assert len(varying) >= 0.6 * len(gangs)
    swings = sorted(
        max(w.demand_by_period.values()) / min(w.demand_by_period.values())
        for w in varying
        if len(w.demand_by_period) > 2
    )
    assert (
        swings and swings[len(swings) // 2] > 1.5
    )  # the median job's busiest month over its quietest
    assert not any(w.demand_by_period for w in _scenario(tmp_path, "baseline").data.workloads)


def _rofr_subject(s: charter.Scenario, kinds: set[str]) -> tuple[float, float]:
    """The share of non-API workloads under the ROFR, and nimbus's capacity over the
    busiest month's demand under it."""
    from tests.support.portfolios import HOLDER_PROVIDER, _label

    non_api = [w for w in s.data.workloads if w.kind != "api"]
    subject = [w for w in non_api if w.kind in kinds and w.new_capacity]
    peak = max(
        sum(
            w.demand_by_period.get(_label(t), w.demand)
            for w in subject
            if w.start <= _label(t) <= w.end
        )
        for t in range(12)
    )
    holder = sum(o.capacity for o in s.data.offers if o.provider == HOLDER_PROVIDER)
    return len(subject) / len(non_api), holder / peak


def test_rofr_heavy_puts_most_work_under_the_rofr_with_little_holder_capacity(
    tmp_path: Path,
) -> None:
    share, reach = _rofr_subject(
        _scenario(tmp_path, "rofr-heavy"),
        {"training", "product-serving", "inference", "batch", "research"},
    )
    base_share, base_reach = _rofr_subject(
        _scenario(tmp_path, "baseline"), {"training", "product-serving"}
    )
    assert 0.6 < share < 0.8 and base_share < 0.4
    assert reach < 1.0 < base_reach or reach < 0.5 * base_reach


def test_commitments_partial_bind_in_some_quarters_and_not_others(tmp_path: Path) -> None:
    import datetime as dt

    from tests.support.portfolios import _Offer, forced_holder_spend

    folder = generate(tmp_path / "c", 300, 40, 12, 5, structure="commitments-partial")
    s = charter.load_scenario(folder)
    agreement = yaml.safe_load((folder / "agreements.yaml").read_text())
    clauses = [
        c for a in agreement["amendments"] for c in a["clauses"] if c["kind"] == "commitment"
    ]
    assert len(clauses) == 4  # one a quarter
    offers = [
        _Offer(o.id, o.provider, o.region, o.family, str(o.pricing), o.price, o.compliance)
        for o in s.data.offers
    ]
    rows = _workloads(folder)
    value = sum(o.capacity * o.price for o in s.data.offers if o.provider == "nimbus")
    cleared = binding = 0
    for q, c in enumerate(clauses):
        end = (
            c["window_end"]
            if isinstance(c["window_end"], dt.date)
            else dt.date.fromisoformat(c["window_end"])
        )
        assert end.month == 3 * (q + 1)
        forced = forced_holder_spend(offers, rows, range(3 * q, 3 * q + 3))
        if c["amount"] < forced:
            cleared += 1
        elif c["amount"] > 0.9 * 3 * value > 1.5 * forced:  # above what plans spend there
            binding += 1
    assert cleared == 2 and binding == 2


def test_spot_offers_are_cheap_and_swing_month_to_month(tmp_path: Path) -> None:
    s = _scenario(tmp_path, "spot")
    spot = [o for o in s.data.offers if o.capacity_by_period]
    assert len(spot) == 12  # 30% of 40 offers, on top of them
    months = [v for o in spot for v in o.capacity_by_period.values()]
    assert 0.1 < sum(1 for v in months if v == 0) / len(months) < 0.5
    busy = [v for v in months if v > 0]
    assert max(busy) > 4 * min(busy)
    cheapest = {}
    for o in s.data.offers:
        if not o.capacity_by_period:
            cheapest[o.family] = min(cheapest.get(o.family, 1e9), o.price)
    assert all(o.price < cheapest[o.family] for o in spot)


def test_priced_shortfall_prices_a_share_of_workloads_well_above_offers(tmp_path: Path) -> None:
    s = _scenario(tmp_path, "priced-shortfall")
    prices = sorted(o.price for o in s.data.offers)
    median = prices[len(prices) // 2]
    priced = [w for w in s.data.workloads if w.unmet_penalty is not None]
    assert 0.2 < len(priced) / len(s.data.workloads) < 0.4
    assert any(w.gang for w in priced)
    assert all(3 * median - 0.01 <= (w.unmet_penalty or 0) <= 10 * median + 0.01 for w in priced)
    assert not any(w.unmet_penalty for w in _scenario(tmp_path, "baseline").data.workloads)


@pytest.mark.parametrize("member", ["gang-varying", "spot", "priced-shortfall"])
def test_csv_carries_the_same_portfolio(tmp_path: Path, member: str) -> None:
    # the format of the largest sizes: per-month maps as MONTH=HOURS pairs
    one = charter.load_scenario(generate(tmp_path / "y", 80, 16, 12, 4, structure=member))
    two = charter.load_scenario(
        generate(tmp_path / "c", 80, 16, 12, 4, structure=member, fmt="csv")
    )
    assert one.data.workloads == two.data.workloads
    assert one.data.offers == two.data.offers


def test_the_benchmarks_read_progress_from_events_and_solver_logs() -> None:
    from benchmarks.gap_diagnosis import highs_trace
    from benchmarks.goal_table import time_to
    from benchmarks.plan_bench import cbc_trace

    highs = highs_trace(
        "Src  Proc. InQueue |  Leaves   Expl. | BestBound       BestSol              Gap |\n"
        "         0       0         0   0.00%   687120          inf                  inf"
        "        0      0      0         0     0.1s\n"
        " R       0       0         0   0.00%   2185428         2190072            0.21%"
        "        0      0      0       181     0.4s\n"
        "         1       0         1 100.00%   2190072         2190072            0.00%"
        "        0      0      0       200     0.9s\n"
    )
    assert highs == [
        (0.1, None, 687120.0),
        (0.4, 2190072.0, 2185428.0),
        (0.9, 2190072.0, 2190072.0),
    ]
    cbc = cbc_trace(
        "Continuous objective value is 1000 - 0.05 seconds\n"
        "Cbc0012I Integer solution of 1100 found by DiveCoefficient after 9 iterations and 0 "
        "nodes (0.30 seconds)\n"
        "Cbc0010I After 100 nodes, 4 on tree, 1005 best solution, best possible 1004.5 "
        "(2.50 seconds)\n"
    )
    assert cbc == [(0.05, None, 1000.0), (0.3, 1100.0, None), (2.5, 1005.0, 1004.5)]
    assert time_to(highs, 0.01) == 0.4 and time_to(highs, 1e-3) == 0.9
    assert time_to(cbc, 0.2) == 0.3 and time_to(cbc, 1e-3) == 2.5 and time_to(cbc, 1e-6) is None


def test_the_diagnosis_says_whose_gap_it_is() -> None:
    from benchmarks.gap_diagnosis import verdict

    lp = {"lp_full": {"value": 90.0}, "lp_divisible": {"value": 89.0}}
    ours = {"cost": 110.0, "bound": 90.0}
    # a cheaper plan is known: the plan's
    plan_owned = verdict({**lp, "charter": ours, "exact": {"cost": 100.0, "bound": 91.0}}, 1e-3)
    assert plan_owned["owner"] == "the plan's" and plan_owned["best_plan"] == 100.0
    # a higher bound is known, the plan near it: the bound's
    bound_owned = verdict({**lp, "charter": ours, "exact": {"cost": 110.0, "bound": 109.0}}, 1e-3)
    assert bound_owned["owner"] == "the bound's"
    # neither: open; within target: closed
    assert verdict({**lp, "charter": ours}, 1e-3)["owner"] == "open"
    closed = verdict({**lp, "charter": {"cost": 90.05, "bound": 90.0}}, 1e-3)
    assert closed["owner"] == "closed"


def test_the_goal_table_refuses_events_the_plan_does_not_bear_out() -> None:
    from benchmarks.goal_table import disagreement

    trace = [(1.0, None, 90.0), (2.0, 110.0, None), (3.0, 100.0, 95.0)]
    assert disagreement(trace, 100.0, 95.0) is None
    # an LP value reported as a plan: cheaper than the answer
    assert "a plan at 97" in str(disagreement([*trace, (2.5, 97.0, None)], 100.0, 95.0))
    # a restriction's own bound reported as the plan's: above the answer's bound
    assert "a bound of 99" in str(disagreement([*trace, (2.5, None, 99.0)], 100.0, 95.0))
    assert disagreement([(1.0, 100.0, None)], None, None) is not None


def test_the_goal_lines_say_why_an_instance_misses() -> None:
    from benchmarks.goal_table import GOALS

    _, judge = GOALS["M"]

    def row(name: str, **charter: Any) -> dict[str, Any]:
        return {"instance": name, "charter": {"check": True, "peak": 100.0, **charter}}

    rows = [
        row("met", to_1=30.0, gap=0.004),
        row("late", to_1=75.5, gap=0.004),
        row("short", to_1=None, gap=0.12247),
        row("unbounded", to_1=None, gap=None),
        row("breaching", to_1=None, gap=0.5, check=False),
        {"instance": "crashed", "charter": {"error": "boom"}},
    ]
    assert judge(rows) == [
        "late (75.5 s)",
        "short (12.247% at the end)",
        "unbounded (no bound)",
        "breaching (no plan that passes the checker)",
        "crashed (no answer)",
    ]
