"""The planner benchmark's generator family (tests/support/portfolios.py FAMILY): the baseline
is the benchmark's own portfolios byte for byte, every member plans and passes the checker,
and each member differs from the baseline the way it says."""

from __future__ import annotations

import hashlib
from pathlib import Path

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
