"""A clause kind that constrains plans, added here and nowhere else: the planner plans under
it and the checker checks it through the clause-kind seam alone (``constrains``,
``plan_part``, ``plan_breach``), without a line of planner or checker code knowing it.

``monthly_cap``: the principal may run at most ``hours`` accelerator-hours a month on the
listed providers. Deciding, running there is conditional ("stay within the cap"); a plan
meets the condition by its shape, so the kind constrains plans: one row per month over the
hours placed on those providers, no columns of its own, no repair (the greedy's start is
checked against its rows and dropped when it breaks them).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import pytest

import charter
from charter.check import check_plan
from charter.clauses.base import (
    Batch,
    ClauseSpec,
    Effect,
    Effects,
    Mask,
    Obligation,
    PlanView,
    ScalarContext,
)
from charter.clauses.planning import Columns, ModelView, ProblemView, Repair, RowBlock
from charter.decide import Request
from charter.model import OfferSpec, WorkloadSpec
from charter.planner import plan
from charter.plans import PlanRow
from tests.conftest import clause
from tests.planner.test_planner import offer, rows_of, tiny, workload

Ints = np.ndarray


class MonthlyCapPart:
    """The cap's rows: for each month, the hours on the capped providers ≤ the cap."""

    def __init__(self, spec: MonthlyCapSpec, triples: Ints) -> None:
        self.clause = spec.id
        self.report_key = "monthly_caps"
        self.hours = spec.hours
        self.triples = triples

    def columns(self) -> Columns:
        return Columns.none()

    def size(self) -> int:
        return len(self.triples)

    def stats(self) -> dict[str, int]:
        return {"capped_triples": len(self.triples)}

    def _terms(self, view: ModelView) -> tuple[Ints, Ints, np.ndarray]:
        has, col, is_gang = view.columns_of(self.triples)
        j, col, is_gang = self.triples[has], col[has], is_gang[has]
        month = view.tt[j]
        hours = np.where(is_gang, view.demand[view.tw[j], month], 1.0)
        return month, col, hours

    def rows(self, view: ModelView, own: slice, form: str) -> list[RowBlock]:
        month, col, hours = self._terms(view)
        months, row = np.unique(month, return_inverse=True)
        n = len(months)
        return [
            RowBlock("monthly-cap", row, col, hours, np.full(n, -np.inf), np.full(n, self.hours))
        ]

    def repair(self, fix: Repair, own: slice) -> bool | None:
        return None

    def report(self, view: ModelView, values: np.ndarray) -> list[dict[str, Any]]:
        month, col, hours = self._terms(view)
        used = np.zeros(len(view.period_labels))
        np.add.at(used, month, hours * values[col])
        return [
            {"clause": self.clause, "period": label, "hours": float(used[t]), "cap": self.hours}
            for t, label in enumerate(view.period_labels)
            if used[t] > 1e-6
        ]


class MonthlyCapSpec(ClauseSpec):
    kind: Literal["monthly_cap"]
    default_actions: ClassVar[tuple[str, ...]] = ("run",)
    constrains: ClassVar[bool] = True
    plan_report: ClassVar[str | None] = "monthly_caps"
    providers: tuple[str, ...]
    hours: float

    def effects(self, batch: Batch, applies: Mask) -> Effects:
        out = np.zeros(batch.n, dtype=np.int8)
        out[applies & batch.provider_in(self.providers)] = Effect.OBLIGATION
        return out

    def effect_one(self, attrs: Mapping[str, Any], ctx: ScalarContext) -> int:
        return Effect.OBLIGATION if attrs["provider"] in self.providers else Effect.NONE

    def reads(self) -> dict[str, tuple[Any, ...]]:
        return {"provider": tuple(self.providers)}

    def obligation(
        self, request: Mapping[str, Any], lang: str = "en", called: Mapping[str, str] = {}
    ) -> Obligation:
        where = ", ".join(called.get(p, p) for p in self.providers)
        detail = f"stay within {self.hours:,.0f} hours a month on {where}"
        return Obligation("monthly_cap", self.principal, detail, self.id)

    def plan_part(self, record: int, view: ProblemView) -> MonthlyCapPart | None:
        triples = view.conditional_on(record)
        if not len(triples):
            return None
        return MonthlyCapPart(self, triples)

    def plan_breach(
        self, view: PlanView, workload: WorkloadSpec, offer: OfferSpec, period: str
    ) -> str | None:
        used = sum(view.load(o, period) for o in view.offers() if o.provider in self.providers)
        if used > self.hours * (1 + 1e-6) + 1e-6:
            return f"{used:,.0f} hours on {', '.join(self.providers)}, over the cap"
        return None


def with_cap(s: charter.Scenario, hours: float) -> charter.Scenario:
    """The scenario with a monthly cap on the cheap provider in its first amendment (built
    as an object: the kind is not one the scenario files know)."""
    cap = MonthlyCapSpec(
        id="CAP",
        kind="monthly_cap",
        title="monthly cap on elsewhere",
        principal="lab",
        providers=("elsewhere",),
        hours=hours,
        confidence="primary",
        sources=("test",),
    )
    ag = s.data.agreements[0]
    first = ag.amendments[0].model_copy(update={"clauses": (*ag.amendments[0].clauses, cap)})
    ag = ag.model_copy(update={"amendments": (first, *ag.amendments[1:])})
    return charter.Scenario(dataclasses.replace(s.data, agreements=(ag, *s.data.agreements[1:])))


@pytest.fixture
def capped(tmp_path: Path) -> tuple[charter.Scenario, charter.Scenario]:
    s = tiny(
        tmp_path,
        [clause("T", "term")],
        [offer("c1", "cloudy", 5, 1000), offer("e1", "elsewhere", 1, 1000)],
        [workload("w", 300)],
    )
    return s, with_cap(s, 120)


def test_deciding_running_under_the_cap_is_conditional_on_it(
    capped: tuple[charter.Scenario, charter.Scenario],
) -> None:
    _, s = capped
    d = s.decide(Request(dt.date(2025, 1, 15), "lab", "run", provider="elsewhere"))
    assert d.verdict.value == "conditional"
    assert [o.clause for o in d.obligations] == ["CAP"]
    free = s.decide(Request(dt.date(2025, 1, 15), "lab", "run", provider="cloudy"))
    assert free.verdict.value == "allow"


def test_the_planner_plans_under_the_cap(capped: tuple[charter.Scenario, charter.Scenario]) -> None:
    s, s_cap = capped
    free = plan(s, gap=0)
    assert free.cost == pytest.approx(2 * 300 * 1)  # everything on the cheap provider
    p = plan(s_cap, gap=0)
    assert p.status == "optimal"
    by = {(x.offer, x.period): x.hours for x in p.placements}
    for month in ("2025-01", "2025-02"):
        assert by[("e1", month)] == pytest.approx(120)
        assert by[("c1", month)] == pytest.approx(180)
    assert p.cost == pytest.approx(2 * (120 * 1 + 180 * 5))
    assert p.cost is not None and p.bound is not None and p.bound <= p.cost * (1 + 1e-9)
    # its report and figure reach the plan document
    doc = p.to_json()
    assert [(r["period"], r["hours"]) for r in doc["monthly_caps"]] == [
        ("2025-01", pytest.approx(120)),
        ("2025-02", pytest.approx(120)),
    ]
    assert doc["rofr_requests"] == []
    assert p.stats["capped_triples"] == 2


def test_the_checker_checks_the_cap(capped: tuple[charter.Scenario, charter.Scenario]) -> None:
    _, s = capped
    p = plan(s, gap=0)
    assert check_plan(s, rows_of(p)).ok
    over = [PlanRow("w", "e1", m, 300) for m in ("2025-01", "2025-02")]
    report = check_plan(s, over)
    assert not report.ok
    assert {b.clause for b in report.breaches} == {"CAP"}
    assert all("over the cap" in b.detail for b in report.breaches)
