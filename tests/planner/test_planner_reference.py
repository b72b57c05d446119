"""The planner's model against references written independently of ``build_model``.

1. A naive builder that follows the model in :mod:`charter.planner.model`'s docstring with
   plain Python loops (variable by variable, row by row) must give the same matrix, row
   bounds, costs, bounds and integrality, in the same row and column order.
2. The same model written with PuLP and solved by CBC must reach the same optimum as
   charter's HiGHS solve.
"""

from __future__ import annotations

import math
import random
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pulp
import pytest
import yaml

import charter
from charter.planner import plan
from charter.planner.problem import Problem, build_problem, months
from charter.planner.solver import build_model, solve
from tests.conftest import amendment, clause, write_scenario
from tests.support.planning import rofr_groups

INF = math.inf
PROVIDERS = {"cloudy": "cloud", "elsewhere": "other", "third": "gov"}
Spec = dict[str, Any]


# ---------------------------------------------------------------------------- instances


def offer(oid: str, provider: str, family: str, price: float, capacity: float, **kw: Any) -> Spec:
    return {
        "id": oid,
        "provider": provider,
        "region": "r1",
        "family": family,
        "price": price,
        "capacity": capacity,
        **kw,
    }


def work(
    wid: str, kind: str, families: list[str], demand: float, start: str, end: str, **kw: Any
) -> Spec:
    return {
        "id": wid,
        "kind": kind,
        "families": families,
        "demand": demand,
        "start": start,
        "end": end,
        **kw,
    }


EXCLUSIVITY = clause(
    "X1",
    "exclusivity",
    principal="lab",
    holder="cloud",
    providers=["cloudy"],
    where={"kind": ["training"]},
)
CARVE_OUT = clause(
    "K1", "carve_out", principal="lab", where={"segment": ["government"]}, overrides=["X1"]
)
ROFR = clause("R1", "rofr", principal="lab", holder="cloud", where={"new_capacity": True})


def commitment(cid: str, payer: str, payee: str, amount: float, window_end: str, **kw: Any) -> Spec:
    return clause(
        cid,
        "commitment",
        payer=payer,
        payee=payee,
        amount=amount,
        window_end=window_end,
        **kw,
    )


INSTANCES: dict[str, Spec] = {
    # gang workloads (one with a per-month demand, one with two copies), availability and
    # per-month capacities, an aggregated fractional workload (count 2); no clauses
    "gang": {
        "clauses": [],
        "offers": [
            offer("c-h100", "cloudy", "h100", 4, 200, capacity_by_period={"2025-02": 0}),
            offer("e-h100", "elsewhere", "h100", 3, 120),
            offer("t-tpu", "third", "tpu", 2, 300, available_from="2025-02-01"),
        ],
        "workloads": [
            work(
                "g1",
                "training",
                ["h100"],
                100,
                "2025-01",
                "2025-03",
                gang=True,
                demand_by_period={"2025-03": 60},
            ),
            work("g2", "training", ["h100", "tpu"], 50, "2025-02", "2025-03", gang=True, count=2),
            work("f1", "inference", ["h100", "tpu"], 80, "2025-01", "2025-03", count=2),
            work("f2", "research", ["h100"], 30, "2025-03", "2025-03"),
        ],
    },
    # spend commitments of the plan party (one inside the horizon, one prorated over a
    # longer window on named providers; one of another payer, which the plan ignores), an
    # exclusivity for training with a carve-out for government work, gang training
    "commitment": {
        "date": "2025-01-01",
        "clauses": [
            commitment("M1", "lab", "cloud", 2000, "2025-02-28"),
            commitment("M2", "lab", "other", 730, "2026-12-31", providers=["elsewhere"]),
            commitment("M3", "cloud", "lab", 1e6, "2025-12-31"),
            EXCLUSIVITY,
            CARVE_OUT,
        ],
        "offers": [
            offer("c1", "cloudy", "h100", 6, 150),
            offer("c2", "cloudy", "tpu", 5, 100),
            offer("e1", "elsewhere", "h100", 2, 300),
            offer("t1", "third", "tpu", 1, 300),
        ],
        "workloads": [
            work("train", "training", ["h100", "tpu"], 60, "2025-02", "2025-03", gang=True),
            work("serve", "inference", ["h100", "tpu"], 120, "2025-01", "2025-03"),
            work("gov", "training", ["h100"], 40, "2025-01", "2025-02", segment="government"),
        ],
    },
    # a ROFR over new capacity: fractional and gang subject work, holder offers of two
    # families (one in another region), old capacity exempt
    "rofr": {
        "clauses": [ROFR],
        "offers": [
            offer("c1", "cloudy", "h100", 6, 100),
            offer("c2", "cloudy", "h100", 7, 50, region="r2"),
            offer("c3", "cloudy", "tpu", 5, 80),
            offer("e1", "elsewhere", "h100", 2, 300),
            offer("t1", "third", "tpu", 1, 300),
        ],
        "workloads": [
            work("serve", "inference", ["h100"], 200, "2025-01", "2025-02"),
            work("old", "inference", ["h100"], 50, "2025-01", "2025-03", new_capacity=False),
            work("west", "inference", ["h100"], 30, "2025-02", "2025-03", regions=["r1"]),
            work("train", "training", ["tpu"], 60, "2025-02", "2025-03", gang=True),
            work("burst", "training", ["h100"], 40, "2025-01", "2025-01", gang=True),
        ],
    },
    # everything at once, with identical fractional workloads
    "all": {
        "date": "2025-01-01",
        "clauses": [
            commitment("M1", "lab", "cloud", 1500, "2025-03-31"),
            EXCLUSIVITY,
            CARVE_OUT,
            ROFR,
        ],
        "offers": [
            offer("c1", "cloudy", "h100", 6, 120),
            offer("c2", "cloudy", "tpu", 4, 60),
            offer("e1", "elsewhere", "h100", 2, 200),
            offer("e2", "elsewhere", "tpu", 3, 100),
            offer("t1", "third", "h100", 1, 100),
        ],
        "workloads": [
            work("a", "inference", ["h100", "tpu"], 40, "2025-01", "2025-03"),
            work("b", "inference", ["h100", "tpu"], 20, "2025-02", "2025-03"),
            work("c", "inference", ["h100", "tpu"], 30, "2025-01", "2025-01", count=2),
            work("t", "training", ["h100", "tpu"], 50, "2025-01", "2025-02", gang=True),
            work("g", "training", ["h100"], 30, "2025-02", "2025-03", segment="government"),
        ],
    },
    # a commitment that cannot be met (a shortfall is paid) and a ROFR that forces the
    # holder's capacity to be filled before the cheap third party is used
    "binding": {
        "date": "2025-01-01",
        "clauses": [commitment("M1", "lab", "gov", 5000, "2025-02-28"), ROFR],
        "offers": [
            offer("c1", "cloudy", "h100", 8, 60),
            offer("e1", "elsewhere", "h100", 1, 500),
            offer("t1", "third", "tpu", 2, 500),
        ],
        "workloads": [
            work("big", "inference", ["h100"], 150, "2025-01", "2025-02"),
            work("gang", "training", ["h100", "tpu"], 40, "2025-01", "2025-02", gang=True),
            work("old", "batch", ["h100"], 25, "2025-02", "2025-02", new_capacity=False),
        ],
    },
}


def make_scenario(folder: Path, spec: Spec) -> charter.Scenario:
    write_scenario(
        folder,
        [amendment(spec.get("date", "2024-01-01"), *spec["clauses"])],
        providers=PROVIDERS,
    )
    meta = yaml.safe_load((folder / "scenario.yaml").read_text())
    meta["plan"] = {"party": "lab", "from": "2025-01", "to": "2025-03"}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(meta))
    (folder / "offers.yaml").write_text(yaml.safe_dump(spec["offers"]))
    (folder / "workloads.yaml").write_text(yaml.safe_dump(spec["workloads"]))
    return charter.load_scenario(folder)


def problem_of(scenario: charter.Scenario, aggregate: bool = True) -> Problem:
    meta = scenario.data.meta.plan
    assert meta is not None
    return build_problem(
        scenario.rules(None),
        scenario.data.offers,
        scenario.data.workloads,
        months(meta.start, meta.end),
        party=meta.party,
        commitment_share=meta.commitment_share,
        aggregate=aggregate,
    )


# ---------------------------------------------------------------------------- naive builder


@dataclass
class Reference:
    cost: list[float]
    lower: list[float]
    upper: list[float]
    integer: list[bool]
    rows: list[dict[int, float]]
    row_lower: list[float]
    row_upper: list[float]
    groups: list[tuple[str, int]]  # (name, number of rows), in order

    def dense(self) -> np.ndarray:
        out = np.zeros((len(self.rows), len(self.cost)))
        for r, coefs in enumerate(self.rows):
            for c, v in coefs.items():
                out[r, c] = v
        return out


def reference_model(pb: Problem) -> Reference:
    """The docstring's model, one variable and one row at a time."""
    n_t = len(pb.periods)
    is_gang = [g.gang for g in pb.groups]
    provider = [o.provider for o in pb.offers]

    # columns: x (fractional triples, in triple order), y (gang candidates), s, z
    x_col: dict[int, int] = {}
    y_col: dict[int, int] = {}
    s_col: dict[int, int] = {}
    z_col: dict[int, int] = {}
    cost: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    integer: list[bool] = []

    def column(c: float, lo: float, hi: float, is_int: bool) -> int:
        cost.append(c)
        lower.append(lo)
        upper.append(hi)
        integer.append(is_int)
        return len(cost) - 1

    for j in range(len(pb.tw)):
        if not is_gang[int(pb.tw[j])]:
            x_col[j] = column(float(pb.price[int(pb.to[j])]), 0.0, INF, False)
    for k in range(len(pb.gang_w)):
        w, o = int(pb.gang_w[k]), int(pb.gang_o[k])
        total = 0.0
        for t in range(n_t):
            total += float(pb.demand[w, t]) * float(pb.price[o])
        y_col[k] = column(total, 0.0, 1.0, True)
    for i in range(len(pb.commitments)):
        s_col[i] = column(1.0, 0.0, INF, False)
    for g in range(len(rofr_groups(pb))):
        z_col[g] = column(0.0, 0.0, 1.0, True)

    ref = Reference(cost, lower, upper, integer, [], [], [], [])

    def start(name: str) -> None:
        ref.groups.append((name, 0))

    def row(coefs: dict[int, float], lo: float, hi: float) -> None:
        ref.rows.append(coefs)
        ref.row_lower.append(lo)
        ref.row_upper.append(hi)
        name, n = ref.groups[-1]
        ref.groups[-1] = (name, n + 1)

    def add(coefs: dict[int, float], col: int, v: float) -> None:
        coefs[col] = coefs.get(col, 0.0) + v

    # Σ_{j∈J(w,t)} x_j = d_w,t   for each fractional group w and month t with demand
    start("demand")
    for w in range(len(pb.groups)):
        if is_gang[w]:
            continue
        for t in range(n_t):
            d = float(pb.demand[w, t])
            if d > 0:
                coefs: dict[int, float] = {}
                for j, c in x_col.items():
                    if int(pb.tw[j]) == w and int(pb.tt[j]) == t:
                        add(coefs, c, 1.0)
                row(coefs, d, d)

    # Σ_{k∈K(w)} y_k = 1   for each gang group w
    start("gang")
    for w in range(len(pb.groups)):
        if is_gang[w]:
            coefs = {}
            for k, c in y_col.items():
                if int(pb.gang_w[k]) == w:
                    add(coefs, c, 1.0)
            row(coefs, 1.0, 1.0)

    # Σ_{j∈J(o,t)} x_j + Σ_{k∈K(o)} d_w(k),t y_k ≤ C_o,t   for each offer and month with capacity
    start("capacity")
    for o in range(len(pb.offers)):
        for t in range(n_t):
            cap = float(pb.cap[o, t])
            if cap <= 0:
                continue
            coefs = {}
            for j, c in x_col.items():
                if int(pb.to[j]) == o and int(pb.tt[j]) == t:
                    add(coefs, c, 1.0)
            for k, c in y_col.items():
                d = float(pb.demand[int(pb.gang_w[k]), t])
                if int(pb.gang_o[k]) == o and d > 0:
                    add(coefs, c, d)
            row(coefs, -INF, cap)

    # Σ p·(x or d·y) on c's providers in c's window + s_c ≥ A_c
    if pb.commitments:
        start("commitment")
    for i, cm in enumerate(pb.commitments):
        coefs = {}
        for j, c in x_col.items():
            o, t = int(pb.to[j]), int(pb.tt[j])
            if provider[o] in cm.providers and cm.periods[t]:
                add(coefs, c, float(pb.price[o]))
        for k, c in y_col.items():
            w, o = int(pb.gang_w[k]), int(pb.gang_o[k])
            if provider[o] in cm.providers:
                spend = 0.0
                for t in range(n_t):
                    if cm.periods[t]:
                        spend += float(pb.demand[w, t])
                add(coefs, c, spend * float(pb.price[o]))
        add(coefs, s_col[i], 1.0)
        row(coefs, float(cm.amount), INF)

    if rofr_groups(pb):
        # x_j ≤ min(d, C) z_g (third-party triple j subject to g); y_k ≤ z_g (gang candidate)
        start("rofr-link")
        for g, grp in enumerate(rofr_groups(pb)):
            t = grp.period
            for j in grp.subject:
                j = int(j)
                w, o = int(pb.tw[j]), int(pb.to[j])
                if j in x_col:
                    bound = min(float(pb.demand[w, t]), float(pb.cap[o, t]))
                    row({x_col[j]: 1.0, z_col[g]: -bound}, -INF, 0.0)
                else:
                    for k, c in y_col.items():
                        if int(pb.gang_w[k]) == w and int(pb.gang_o[k]) == o:
                            row({c: 1.0, z_col[g]: -1.0}, -INF, 0.0)
        # load_h,t − C_h,t z_g ≥ 0   for each reachable holder offer h of g
        start("rofr-saturate")
        for g, grp in enumerate(rofr_groups(pb)):
            t = grp.period
            for h in grp.holder_offers:
                h = int(h)
                coefs = {}
                for j, c in x_col.items():
                    if int(pb.to[j]) == h and int(pb.tt[j]) == t:
                        add(coefs, c, 1.0)
                add(coefs, z_col[g], -float(pb.cap[h, t]))
                for k, c in y_col.items():
                    d = float(pb.demand[int(pb.gang_w[k]), t])
                    if int(pb.gang_o[k]) == h and d > 0:
                        add(coefs, c, d)
                row(coefs, 0.0, INF)
    return ref


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory: pytest.TempPathFactory) -> dict[str, charter.Scenario]:
    root = tmp_path_factory.mktemp("planner-reference")
    return {name: make_scenario(root / name, spec) for name, spec in INSTANCES.items()}


EXPECTED_GROUPS = {
    # row groups each instance must exercise (non-empty)
    "gang": {"demand", "gang", "capacity"},
    "commitment": {"demand", "gang", "capacity", "commitment"},
    "rofr": {"demand", "gang", "capacity", "rofr-link", "rofr-saturate"},
    "all": {"demand", "gang", "capacity", "commitment", "rofr-link", "rofr-saturate"},
}


@pytest.mark.parametrize("aggregate", [True, False], ids=["aggregated", "unaggregated"])
@pytest.mark.parametrize("name", list(EXPECTED_GROUPS))
def test_build_model_matches_naive_reference(
    scenarios: dict[str, charter.Scenario], name: str, aggregate: bool
) -> None:
    pb = problem_of(scenarios[name], aggregate)
    model = build_model(pb)
    ref = reference_model(pb)

    got_groups = [(g, n) for g, _, n in model.row_groups]
    assert got_groups == ref.groups
    nonempty = {g for g, n in ref.groups if n}
    assert EXPECTED_GROUPS[name] <= nonempty, nonempty
    assert model.n_x + model.n_y + model.n_s + model.n_z == len(ref.cost)
    np.testing.assert_allclose(model.cost, ref.cost, rtol=1e-12, atol=0)
    np.testing.assert_array_equal(model.lower, ref.lower)
    np.testing.assert_array_equal(model.upper, ref.upper)
    np.testing.assert_array_equal(model.integer, ref.integer)
    np.testing.assert_array_equal(model.row_lower, ref.row_lower)
    np.testing.assert_allclose(model.row_upper, ref.row_upper, rtol=1e-12, atol=0)
    assert model.matrix.shape == (len(ref.rows), len(ref.cost))
    np.testing.assert_allclose(model.matrix.toarray(), ref.dense(), rtol=1e-12, atol=0)


def test_gang_links_and_commitment_spend_are_exercised(
    scenarios: dict[str, charter.Scenario],
) -> None:
    """The instances reach the less common entries: ROFR links of gang candidates, gang
    spend toward a commitment, and a commitment prorated over a window longer than the
    horizon."""
    pb = problem_of(scenarios["rofr"])
    subject = {int(j) for g in rofr_groups(pb) for j in g.subject}
    gang_groups = {g.index for g in pb.groups if g.gang}
    assert any(int(pb.tw[j]) in gang_groups for j in subject)

    pb = problem_of(scenarios["commitment"])
    amounts = {c.clause: c.amount for c in pb.commitments}
    assert set(amounts) == {"M1", "M2"}  # M3 is paid by another party
    assert amounts["M1"] == pytest.approx(2000)  # window inside the horizon
    assert amounts["M2"] == pytest.approx(730 * 90 / 730)  # 90 of 730 days
    m1 = next(c for c in pb.commitments if c.clause == "M1")
    assert m1.periods.tolist() == [True, True, False]
    model = build_model(pb)
    dense = model.matrix.toarray()
    first = dict((g, r) for g, r, _ in model.row_groups)["commitment"]
    y = slice(model.n_x, model.n_x + model.n_y)
    assert (dense[first, y] > 0).any()


# ---------------------------------------------------------------------------- PuLP oracle


def pulp_optimum(pb: Problem) -> tuple[str, float | None]:
    """The docstring's model in PuLP from the problem arrays, solved by CBC."""
    n_t = len(pb.periods)
    is_gang = [g.gang for g in pb.groups]
    provider = [o.provider for o in pb.offers]
    price = [float(p) for p in pb.price]
    demand = pb.demand.tolist()
    cap = pb.cap.tolist()
    prob = pulp.LpProblem("charter_oracle", pulp.LpMinimize)
    frac = [j for j in range(len(pb.tw)) if not is_gang[int(pb.tw[j])]]
    x = {j: prob.add_variable(f"x_{j}", lowBound=0) for j in frac}
    y = {k: prob.add_variable(f"y_{k}", 0, 1, cat="Integer") for k in range(len(pb.gang_w))}
    s = {i: prob.add_variable(f"s_{i}", lowBound=0) for i in range(len(pb.commitments))}
    z = {g: prob.add_variable(f"z_{g}", 0, 1, cat="Integer") for g in range(len(rofr_groups(pb)))}
    tw = [int(v) for v in pb.tw]
    to = [int(v) for v in pb.to]
    tt = [int(v) for v in pb.tt]
    gw = [int(v) for v in pb.gang_w]
    go = [int(v) for v in pb.gang_o]

    prob += (
        pulp.lpSum(price[to[j]] * x[j] for j in frac)
        + pulp.lpSum(sum(demand[gw[k]]) * price[go[k]] * y[k] for k in y)
        + pulp.lpSum(s.values())
    )
    for w, gang in enumerate(is_gang):
        if gang:
            ks = [k for k in y if gw[k] == w]
            if not ks:
                return "infeasible", None
            prob += pulp.lpSum(y[k] for k in ks) == 1
            continue
        for t in range(n_t):
            if demand[w][t] > 0:
                js = [j for j in frac if tw[j] == w and tt[j] == t]
                if not js:
                    return "infeasible", None
                prob += pulp.lpSum(x[j] for j in js) == demand[w][t]

    def load(o: int, t: int) -> Any:
        return pulp.lpSum(x[j] for j in frac if to[j] == o and tt[j] == t) + pulp.lpSum(
            demand[gw[k]][t] * y[k] for k in y if go[k] == o and demand[gw[k]][t] > 0
        )

    for o in range(len(pb.offers)):
        for t in range(n_t):
            if cap[o][t] > 0:
                prob += load(o, t) <= cap[o][t]
    for i, cm in enumerate(pb.commitments):
        on = [provider[o] in cm.providers for o in range(len(pb.offers))]
        window = [bool(v) for v in cm.periods]
        prob += (
            pulp.lpSum(price[to[j]] * x[j] for j in frac if on[to[j]] and window[tt[j]])
            + pulp.lpSum(
                price[go[k]] * sum(demand[gw[k]][t] for t in range(n_t) if window[t]) * y[k]
                for k in y
                if on[go[k]]
            )
            + s[i]
            >= cm.amount
        )
    for g, grp in enumerate(rofr_groups(pb)):
        t = grp.period
        for j in (int(v) for v in grp.subject):
            if j in x:
                prob += x[j] <= min(demand[tw[j]][t], cap[to[j]][t]) * z[g]
            else:
                for k in y:
                    if gw[k] == tw[j] and go[k] == to[j]:
                        prob += y[k] <= z[g]
        for h in (int(v) for v in grp.holder_offers):
            prob += load(h, t) >= cap[h][t] * z[g]

    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="PULP_CBC_CMD is deprecated", category=DeprecationWarning
        )
        cbc = pulp.PULP_CBC_CMD(msg=False, gapRel=0)
    status = pulp.LpStatus[prob.solve(cbc)]
    if status == "Infeasible":
        return "infeasible", None
    assert status == "Optimal", status
    return "optimal", float(pulp.value(prob.objective) or 0.0)


def _random_spec(seed: int) -> Spec:
    """A small random instance of the same shape as the hand-built ones."""
    rnd = random.Random(seed)
    offers = [
        offer(
            f"o{i}",
            rnd.choice(list(PROVIDERS)),
            rnd.choice(["h100", "tpu"]),
            rnd.randint(1, 10),
            rnd.choice([40, 80, 150, 300]),
        )
        for i in range(rnd.randint(2, 5))
    ]
    families = sorted({o["family"] for o in offers})
    workloads = []
    for i in range(rnd.randint(1, 5)):
        a = rnd.randint(1, 3)
        b = rnd.randint(a, 3)
        workloads.append(
            work(
                f"w{i}",
                rnd.choice(["training", "inference"]),
                rnd.sample(families, rnd.randint(1, len(families))),
                rnd.choice([10, 20, 40, 80]),
                f"2025-0{a}",
                f"2025-0{b}",
                gang=rnd.random() < 0.4,
                segment=rnd.choice(["commercial", "government"]),
                new_capacity=rnd.random() < 0.7,
            )
        )
    pool = [EXCLUSIVITY, CARVE_OUT, ROFR, commitment("M1", "lab", "cloud", 800, "2025-03-31")]
    clauses = [c for c in pool if rnd.random() < 0.6]
    if CARVE_OUT in clauses and EXCLUSIVITY not in clauses:
        clauses.remove(CARVE_OUT)
    return {"date": "2025-01-01", "clauses": clauses, "offers": offers, "workloads": workloads}


ORACLE_CASES = [*INSTANCES, *(f"random-{seed}" for seed in range(10))]


def oracle_spec(name: str) -> Spec:
    return INSTANCES[name] if name in INSTANCES else _random_spec(int(name.split("-")[1]))


@pytest.mark.parametrize("name", ORACLE_CASES)
def test_cbc_reaches_the_same_optimum(tmp_path: Path, name: str) -> None:
    s = make_scenario(tmp_path / "s", oracle_spec(name))
    pb = problem_of(s)
    highs = solve(build_model(pb), gap=0.0)
    status, objective = pulp_optimum(pb)
    assert highs.status == status
    if name in INSTANCES:
        assert status == "optimal", "the hand-built instances are feasible"
    if status != "optimal":
        return
    assert highs.objective is not None and objective is not None
    assert highs.objective == pytest.approx(objective, rel=1e-6, abs=1e-6)
    planned = plan(s, gap=0.0, explain=False)
    assert planned.status == "optimal"
    assert planned.cost == pytest.approx(objective, rel=1e-6, abs=1e-6)


def test_binding_instance_pays_a_shortfall_and_saturates_the_holder(tmp_path: Path) -> None:
    """The 'binding' instance's clauses matter: the commitment is short and the ROFR fills
    the holder's offer before the third party is used."""
    s = make_scenario(tmp_path / "s", INSTANCES["binding"])
    p = plan(s, gap=0.0, explain=False)
    assert p.status == "optimal"
    assert p.commitments[0]["shortfall"] > 0
    assert p.rofr_requests
    loads: dict[tuple[str, str], float] = {}
    for x in p.placements:
        loads[(x.offer, x.period)] = loads.get((x.offer, x.period), 0.0) + x.hours
    for period in ("2025-01", "2025-02"):
        if loads.get(("e1", period), 0.0) > 0:
            assert loads[("c1", period)] == pytest.approx(60)
    free = plan(s.without(["R1"]), gap=0.0, explain=False)
    assert free.cost is not None and p.cost is not None
    assert free.cost < p.cost - 1e-6
