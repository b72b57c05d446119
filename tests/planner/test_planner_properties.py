"""Property-based tests of the planner on tiny generated scenarios.

Every instance is a scenario folder (2–3 providers owned by 2–3 parties, 2–5 offers of
families h100/tpu, 1–5 workloads over 1–3 months, some gang) with clauses drawn from: an
exclusivity of the lab on one provider (optionally only for training), a ROFR held by a cloud
party over new capacity, and a carve-out for government work overriding the exclusivity.
Each is solved to optimality (``gap=0``).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

import charter
from charter.check import check_plan
from charter.planner import Plan, plan
from charter.plans import PlanRow
from tests.conftest import amendment, clause, write_scenario

MONTHS = ("2025-01", "2025-02", "2025-03")
PROVIDERS = ("cloudy", "elsewhere", "third")
FAMILIES = ("h100", "tpu")
REL = 1e-6
CAPACITY = {False: [40, 80, 150, 300], True: [30, 60, 100]}

SETTINGS = settings(
    derandomize=True,
    deadline=None,
    max_examples=25,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

Spec = dict[str, Any]


# ---------------------------------------------------------------------------- scenarios


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("planner-props")


_counter = itertools.count()


def make_scenario(
    root: Path, spec: Spec, horizon: tuple[str, str] = ("2025-01", "2025-03")
) -> charter.Scenario:
    """Write ``spec`` (providers, offers, workloads, clauses) as a scenario folder; load it."""
    folder = write_scenario(
        root / f"s{next(_counter)}",
        [amendment("2024-01-01", *spec["clauses"])],
        providers=spec["providers"],
    )
    meta = yaml.safe_load((folder / "scenario.yaml").read_text())
    meta["plan"] = {"party": "lab", "from": horizon[0], "to": horizon[1]}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(meta))
    (folder / "offers.yaml").write_text(yaml.safe_dump(spec["offers"]))
    (folder / "workloads.yaml").write_text(yaml.safe_dump(spec["workloads"]))
    return charter.load_scenario(folder)


def solve(scenario: charter.Scenario, **kw: Any) -> Plan:
    return plan(scenario, gap=0.0, explain=False, **kw)


def rows_of(p: Plan) -> list[PlanRow]:
    return [PlanRow(x.workload, x.offer, x.period, x.hours) for x in p.placements]


def leq(a: float, b: float) -> bool:
    """a ≤ b up to the relative tolerance."""
    return a <= b + REL * max(abs(a), abs(b), 1.0)


@st.composite
def workload(draw: st.DrawFn, i: int, families: list[str], gang: bool | None = None) -> Spec:
    a = draw(st.integers(0, 2))
    b = draw(st.integers(a, 2))
    fams = draw(
        st.lists(st.sampled_from(families), min_size=1, max_size=len(families), unique=True)
    )
    return {
        "id": f"w{i}",
        "kind": draw(st.sampled_from(["training", "inference"])),
        "segment": draw(st.sampled_from(["commercial", "government"])),
        "families": fams,
        "demand": draw(st.sampled_from([10, 20, 40, 80])),
        "start": MONTHS[a],
        "end": MONTHS[b],
        "gang": draw(st.booleans()) if gang is None else gang,
        "new_capacity": draw(st.sampled_from([True, True, False])),
    }


@st.composite
def instances(
    draw: st.DrawFn,
    *,
    with_clauses: bool = True,
    exclusivity: bool | None = None,
    rofr: bool | None = None,
    ample: bool = False,
    tight: bool = False,
    duplicates: bool = False,
) -> Spec:
    n_prov = draw(st.integers(2, 3))
    owners = ["cloud", "other", draw(st.sampled_from(["cloud", "other", "gov"]))]
    providers = {PROVIDERS[i]: owners[i] for i in range(n_prov)}
    offers: list[Spec] = [
        {
            "id": f"o{i}",
            "provider": draw(st.sampled_from(list(providers))),
            "region": "r1",
            "family": draw(st.sampled_from(FAMILIES)),
            "price": draw(st.integers(1, 10)),
            "capacity": draw(st.sampled_from(CAPACITY[tight])) if not ample else 100_000,
        }
        for i in range(draw(st.integers(2, 5)))
    ]
    if tight:  # the holder sells the first offer, a cheaper third party the second
        offers[0].update(provider="cloudy", price=draw(st.integers(6, 10)))
        offers[1].update(provider="elsewhere", price=draw(st.integers(1, 5)), capacity=300)
        offers[1]["family"] = offers[0]["family"]
    families = sorted({o["family"] for o in offers})
    n_w = draw(st.integers(1, 5))
    workloads = [draw(workload(i, families)) for i in range(n_w)]
    if tight:  # enough new work of the holder's family to fill the holder's offer
        big = draw(workload(n_w, [offers[0]["family"]], gang=False))
        workloads.append({**big, "id": "big", "demand": 100, "new_capacity": True})
    if duplicates:
        # identical fractional workloads (the aggregation merges them): copies under other
        # ids, possibly with other windows and demands, and a count > 1
        template = draw(workload(n_w, families, gang=False))
        workloads.append(template)
        for c in range(draw(st.integers(1, 3))):
            a = draw(st.integers(0, 2))
            b = draw(st.integers(a, 2))
            workloads.append(
                {
                    **template,
                    "id": f"{template['id']}-copy{c}",
                    "demand": draw(st.sampled_from([10, 20, 40])),
                    "start": MONTHS[a],
                    "end": MONTHS[b],
                }
            )
        workloads.append({**template, "id": "many", "count": draw(st.integers(2, 3))})
    clauses: list[Spec] = []
    if with_clauses:
        if draw(st.booleans()) if exclusivity is None else exclusivity:
            prov = draw(st.sampled_from(list(providers)))
            excl = clause(
                "X1", "exclusivity", principal="lab", holder=providers[prov], providers=[prov]
            )
            if draw(st.booleans()):
                excl["where"] = {"kind": ["training"]}
            clauses.append(excl)
            if draw(st.booleans()):
                clauses.append(
                    clause(
                        "K1",
                        "carve_out",
                        principal="lab",
                        where={"segment": ["government"]},
                        overrides=["X1"],
                    )
                )
        if draw(st.sampled_from([True, True, False])) if rofr is None else rofr:
            holder = (
                "cloud"
                if tight
                else draw(st.sampled_from(["cloud", "cloud", *sorted(set(providers.values()))]))
            )
            clauses.append(
                clause("R1", "rofr", principal="lab", holder=holder, where={"new_capacity": True})
            )
    return {"providers": providers, "offers": offers, "workloads": workloads, "clauses": clauses}


# ---------------------------------------------------------------------------- properties


@SETTINGS
@given(spec=instances())
def test_every_plan_passes_the_checker(root: Path, spec: Spec) -> None:
    s = make_scenario(root, spec)
    p = solve(s)
    assert p.status in ("optimal", "infeasible")
    assume(p.status == "optimal")
    report = check_plan(s, rows_of(p))
    assert report.ok, [b.to_json() for b in report.breaches]
    event(f"rofr groups: {p.stats['rofr_groups'] > 0}")
    event(f"third-party capacity under the rofr: {bool(p.rofr_requests)}")


@SETTINGS
@given(spec=instances(rofr=True, tight=True))
def test_every_plan_passes_the_checker_when_the_rofr_binds(root: Path, spec: Spec) -> None:
    s = make_scenario(root, spec)
    p = solve(s)
    assert p.status in ("optimal", "infeasible")
    assume(p.status == "optimal")
    report = check_plan(s, rows_of(p))
    assert report.ok, [b.to_json() for b in report.breaches]
    event(f"rofr groups: {p.stats['rofr_groups'] > 0}")
    event(f"third-party capacity under the rofr: {bool(p.rofr_requests)}")


@SETTINGS
@given(spec=instances(rofr=True, tight=True))
def test_removing_the_rofr_never_raises_the_cost(root: Path, spec: Spec) -> None:
    s = make_scenario(root, spec)
    with_rofr = solve(s)
    assume(with_rofr.status == "optimal")
    without = solve(s.without(["R1"]))
    assert without.status == "optimal"
    assert with_rofr.cost is not None and without.cost is not None
    assert leq(without.cost, with_rofr.cost), (without.cost, with_rofr.cost)
    event(f"rofr groups: {with_rofr.stats['rofr_groups'] > 0}")
    event(f"rofr costs something: {not leq(with_rofr.cost, without.cost)}")


@SETTINGS
@given(spec=instances(exclusivity=True, rofr=False))
def test_removing_the_exclusivity_never_raises_the_cost(root: Path, spec: Spec) -> None:
    """Without a ROFR in force (see test_exclusivity_can_shield_from_the_rofr for why)."""
    s = make_scenario(root, spec)
    with_excl = solve(s)
    assume(with_excl.status == "optimal")
    without = solve(s.without(["X1"]))
    assert without.status == "optimal"
    assert with_excl.cost is not None and without.cost is not None
    assert leq(without.cost, with_excl.cost), (without.cost, with_excl.cost)
    event(f"exclusivity costs something: {not leq(with_excl.cost, without.cost)}")


@SETTINGS
@given(spec=instances())
def test_bound_never_exceeds_cost(root: Path, spec: Spec) -> None:
    s = make_scenario(root, spec)
    p = solve(s)
    assume(p.status == "optimal")
    assert p.cost is not None and p.bound is not None
    assert p.bound <= p.cost + REL * abs(p.cost) + 1e-9, (p.bound, p.cost)


@SETTINGS
@given(spec=instances(with_clauses=False, ample=True))
def test_without_clauses_every_workload_sits_on_its_cheapest_offer(root: Path, spec: Spec) -> None:
    s = make_scenario(root, spec)
    p = solve(s)
    assert p.status == "optimal"
    prices = {o["id"]: o["price"] for o in spec["offers"]}
    workloads = {w["id"]: w for w in spec["workloads"]}
    assert p.placements
    for x in p.placements:
        w = workloads[x.workload.split("#")[0]]
        cheapest = min(o["price"] for o in spec["offers"] if o["family"] in w["families"])
        assert prices[x.offer] == cheapest, (x, cheapest)


@SETTINGS
@given(spec=instances(duplicates=True))
def test_aggregation_keeps_the_optimum(root: Path, spec: Spec) -> None:
    s = make_scenario(root, spec)
    merged = solve(s, aggregate=True)
    single = solve(s, aggregate=False)
    assert merged.status == single.status
    assume(merged.status == "optimal")
    assert merged.stats["groups"] < single.stats["groups"]
    assert merged.cost is not None and single.cost is not None
    assert abs(merged.cost - single.cost) <= REL * max(abs(single.cost), 1.0)
    for p in (merged, single):
        report = check_plan(s, rows_of(p))
        assert report.ok, [b.to_json() for b in report.breaches]


# ---------------------------------------------------------------------------- examples


def _offer(oid: str, provider: str, price: float, capacity: float, **kw: Any) -> Spec:
    return {
        "id": oid,
        "provider": provider,
        "region": "r1",
        "family": "h100",
        "price": price,
        "capacity": capacity,
        **kw,
    }


def _work(wid: str, demand: float, kind: str = "inference", **kw: Any) -> Spec:
    return {
        "id": wid,
        "kind": kind,
        "families": ["h100"],
        "demand": demand,
        "start": "2025-01",
        "end": "2025-01",
        **kw,
    }


PROVS = {"cloudy": "cloud", "elsewhere": "other"}


def test_exclusivity_can_shield_from_the_rofr(root: Path) -> None:
    """Why the exclusivity property excludes the ROFR: an exclusivity that forbids the
    holder's capacity makes it unreachable, so third-party use needs no saturation; removing
    the exclusivity makes the holder reachable and the ROFR binds. The cost rises, and the
    checker agrees that the old plan breaches the ROFR without the exclusivity."""
    spec = {
        "providers": PROVS,
        "offers": [_offer("h", "cloudy", 5, 100), _offer("t", "elsewhere", 1, 100)],
        "workloads": [_work("w", 50, kind="training")],
        "clauses": [
            clause(
                "X1",
                "exclusivity",
                principal="lab",
                providers=["elsewhere"],
                where={"kind": ["training"]},
            ),
            clause("R1", "rofr", principal="lab", holder="cloud"),
        ],
    }
    s = make_scenario(root, spec, ("2025-01", "2025-01"))
    with_excl, without = solve(s), solve(s.without(["X1"]))
    assert (with_excl.cost, without.cost) == (50.0, 250.0)
    assert check_plan(s, rows_of(with_excl)).ok
    assert not check_plan(s.without(["X1"]), rows_of(with_excl)).ok


def test_rofr_saturates_only_capacity_the_overflowing_work_can_reach(root: Path) -> None:
    """Regression: third-party use by ``b`` needs only the holder offers ``b`` can reach to
    be full, not those only ``a`` reaches (once one ROFR binary per (clause, family, month)
    made this instance infeasible although the checker accepts a plan)."""
    spec = {
        "providers": PROVS,
        "offers": [
            _offer("h1", "cloudy", 5, 100, region="r1"),
            _offer("h2", "cloudy", 5, 100, region="r2"),
            _offer("t1", "elsewhere", 9, 100, region="r1"),
            _offer("t2", "elsewhere", 9, 100, region="r2"),
        ],
        "workloads": [
            _work("a", 40, regions=["r1"], note="fits on h1, leaves it part empty"),
            _work("b", 150, regions=["r2"], note="fills h2 and overflows to t2"),
        ],
        "clauses": [clause("R1", "rofr", principal="lab", holder="cloud")],
    }
    s = make_scenario(root, spec, ("2025-01", "2025-01"))
    valid = [
        PlanRow("a", "h1", "2025-01", 40),
        PlanRow("b", "h2", "2025-01", 100),
        PlanRow("b", "t2", "2025-01", 50),
    ]
    assert check_plan(s, valid).ok  # a plan exists, at cost 40·5 + 100·5 + 50·9 = 1150
    p = solve(s)
    assert p.status == "optimal"
    assert p.cost is not None and leq(p.cost, 1150.0)


def test_gang_workload_outside_the_horizon_is_ignored(root: Path) -> None:
    """Regression: a gang workload without demand in the horizon is ignored like a
    fractional one (once its empty 'Σ y = 1' row made every plan infeasible)."""
    spec: Spec = {
        "providers": PROVS,
        "offers": [_offer("o1", "cloudy", 5, 100)],
        "workloads": [
            _work("now", 50),
            _work("later", 50, kind="training", start="2025-06", end="2025-07", gang=True),
        ],
        "clauses": [],
    }
    s = make_scenario(root, spec, ("2025-01", "2025-03"))
    fractional = make_scenario(
        root, {**spec, "workloads": [{**w, "gang": False} for w in spec["workloads"]]}
    )
    assert solve(fractional).cost == 50 * 5 * 1  # 'now' runs in January only
    p = solve(s)
    assert p.status == "optimal"
    assert p.cost == 250.0
