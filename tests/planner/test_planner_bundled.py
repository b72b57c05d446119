"""Golden cases for the bundled scenario's plan (written from the fact sheet's rules)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import numpy as np
import pytest

import charter
from charter.check import check_plan
from charter.planner import plan
from charter.planner.problem import build_problem, months
from charter.plans import PlanRow


@pytest.fixture(scope="module")
def bundled() -> tuple[charter.Scenario, Any]:
    s = charter.load_scenario()
    return s, plan(s, gap=1e-3, time_limit=120)


def test_the_bundled_plan_is_proven_and_passes_check(bundled: Any) -> None:
    s, p = bundled
    assert p.status in ("optimal", "feasible")
    assert p.gap is not None and p.gap <= 1e-3 + 1e-9
    assert p.bound <= p.cost * (1 + 1e-9)
    rows = [PlanRow(x.workload, x.offer, x.period, x.hours) for x in p.placements]
    report = check_plan(s, rows)
    assert report.ok, [b.to_json() for b in report.breaches][:5]


def test_third_party_capacity_in_2025_only_once_azure_is_full(bundled: Any) -> None:
    s, p = bundled
    requests_2025_03 = [r for r in p.rofr_requests if r["period"] == "2025-03"]
    assert requests_2025_03, "the plan should need third-party capacity in 2025-03"
    assert {r["clause"] for r in p.rofr_requests} == {"V3.C6"}
    assert all(r["period"] <= "2025-10" for r in p.rofr_requests)  # the ROFR ended 2025-10-28
    load: dict[tuple[str, str], float] = defaultdict(float)
    for x in p.placements:
        load[(x.offer, x.period)] += x.hours
    offers = {o.id: o for o in s.data.offers}
    for r in requests_2025_03:
        # every Azure offer of the family that training or serving could use is full
        for o in offers.values():
            if o.provider == "azure" and o.family == r["family"] and not o.compliance:
                cap = o.capacity_by_period.get("2025-03", o.capacity)
                if o.available_from and str(o.available_from) > "2025-03-31":
                    continue
                assert load[(o.id, "2025-03")] == pytest.approx(cap), o.id


def test_national_security_api_may_leave_azure_from_2025_10_28() -> None:
    s = charter.load_scenario()
    natsec = [w for w in s.data.workloads if w.segment == "us-national-security"]
    assert natsec
    pb = build_problem(
        s.rules(), s.data.offers, tuple(natsec), months("2025-07", "2025-12"), party="openai"
    )
    periods = [p.label for p in pb.periods]
    non_azure = np.array([o.provider != "azure" for o in pb.offers])
    outside = {periods[t] for t, o in zip(pb.tt, pb.to, strict=True) if non_azure[o]}
    assert "2025-09" not in outside  # V3.C3: the API is exclusive to Azure, no carve-out
    assert {"2025-11", "2025-12"} <= outside  # V4.C11 carves national security out
    assert "2025-10" not in outside  # October straddles 2025-10-28: not allowed all month


def test_no_commercial_stateless_api_outside_azure_before_2026_04_27(bundled: Any) -> None:
    s, p = bundled
    workloads = {w.id: w for w in s.data.workloads}
    for x in p.placements:
        w = workloads[x.workload.split("#")[0]]
        commercial_stateless = w.kind == "api" and w.segment == "commercial"
        commercial_stateless &= w.api != "stateful"
        if commercial_stateless and x.period <= "2026-04":  # April straddles 2026-04-27
            assert x.provider == "azure", (x.workload, x.period, x.offer)


def test_stargate_carries_training_from_2026(bundled: Any) -> None:
    _, p = bundled
    assert any(x.provider == "stargate" for x in p.placements)
    assert all(x.period >= "2026-01" for x in p.placements if x.provider == "stargate")
