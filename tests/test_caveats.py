"""Caveats reach the answer: every clause graded ``reported`` or ``weak``, or resting on an
assumption, that an answer uses puts its caveat lines in the answer's text and JSON and
makes it uncertain; a clause cited only because it ended does not lend its other terms'
doubts (charter.agreements.caveats)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

import charter
from charter.agreements.caveats import caveats_of, rests_on_doubt
from charter.clauses.base import Confidence

USES_TERMS = ("forbid", "obligation", "grant", "lift", "satisfied")


@pytest.fixture(scope="module")
def scenario() -> charter.Scenario:
    return charter.load_scenario()


def _dates(s: charter.Scenario) -> list[dt.date]:
    """Each amendment's first day and the middle of every year from 2019 to 2033."""
    days = {e.date for e in s.agreement_timeline.entries}
    days |= {dt.date(y, 6, 15) for y in range(2019, 2034)}
    return sorted(days)


def _grid(s: charter.Scenario) -> list[dict[str, Any]]:
    vocab = s.vocabulary.attributes
    out: list[dict[str, Any]] = []
    for at in _dates(s):
        for provider in s.providers:
            for kind in vocab["kind"].values:
                for new in (False, True):
                    out.append(
                        {
                            "principal": "openai",
                            "action": "run",
                            "at": at,
                            "provider": provider,
                            "kind": kind,
                            "new_capacity": new,
                        }
                    )
        for artifact in vocab["artifact_kind"].values:
            out.append(
                {"principal": "microsoft", "action": "access", "at": at, "artifact_kind": artifact}
            )
    return out


@pytest.mark.parametrize("lang", ["en", "de"])
def test_every_decision_names_the_caveats_of_the_clauses_it_uses(
    scenario: charter.Scenario, lang: str
) -> None:
    batch = scenario.decide_many(_grid(scenario), lang=lang)
    used_soft: set[str] = set()
    for i in range(len(batch)):
        d = batch.explain(i)
        for c in d.clauses:
            if c.effect not in USES_TERMS:
                continue
            seg = scenario.agreement_timeline.segment_at(c.record, d.request.at)
            for line in caveats_of(c.record, seg, lang):
                assert line in d.caveats and line in d.note, (d.request, line, d.note)
            if rests_on_doubt(c.record):
                used_soft.add(c.record.id)
                assert d.uncertain, (d.request, c.record.id)
    # not vacuous: the response window of the ROFR (an assumption) is among them
    assert "V3.C6" in used_soft


def test_each_soft_clause_has_its_lines(scenario: charter.Scenario) -> None:
    """Each clause graded reported or weak says so, and each assumption is a line."""
    soft = [r for r in scenario.agreement_timeline.records if rests_on_doubt(r)]
    assert soft
    for rec in soft:
        lines = caveats_of(rec, None)
        if rec.spec.confidence in (Confidence.REPORTED, Confidence.WEAK):
            assert any(rec.spec.confidence.value in line for line in lines), rec.id
        for a in rec.spec.assumptions:
            assert any(a.rstrip(". ") in line for line in lines), (rec.id, a)


def test_owes_names_the_caveats_of_the_shares_it_counts(scenario: charter.Scenario) -> None:
    """Each revenue share with a soft figure or an assumption, asked for a month in force."""
    asked = 0
    for rec in scenario.agreement_timeline.records:
        flows = rec.spec.revenue_flows()
        if not flows or not rests_on_doubt(rec, figures=True):
            continue
        month = rec.start.replace(day=1) + dt.timedelta(days=40)
        owed = scenario.owes(
            payer=flows[0].payer,
            payee=flows[0].payee,
            period=f"{month.year}-{month.month:02d}",
            revenue=1_000_000,
        )
        if rec.id not in owed.clause_ids:
            continue  # replaced before that month: not the share counted
        asked += 1
        seg = scenario.agreement_timeline.segment_at(rec, month)
        for line in caveats_of(rec, seg, figures=True):
            assert line in owed.caveats and line in owed.note, (rec.id, owed.note)
        assert owed.uncertain, rec.id
    assert asked


def test_a_figure_graded_apart_touches_only_answers_that_use_it(
    scenario: charter.Scenario,
) -> None:
    """V4.C15's share until AGI is announced (primary), its 20% rate only reported: an amount
    owed under it says so and is uncertain; the timeline keeps the clause primary."""
    owed = scenario.owes(payer="openai", payee="microsoft", period="2026-Q1", revenue=1e9)
    assert owed.clause_ids == ("V4.C15",)
    assert owed.uncertain
    assert "V4.C15: the rate rests on reported sources only" in owed.caveats
    rec = scenario.agreement_timeline.by_id["V4.C15"]
    assert rec.spec.confidence == Confidence.PRIMARY and not rests_on_doubt(rec)
    assert caveats_of(rec, None) == ()
    capped = scenario.owes(payer="openai", payee="microsoft", period="2027", revenue=1e9)
    assert "V5.C5: the rate and the cap rest on reported sources only" in capped.caveats
    de = scenario.owes(payer="openai", payee="microsoft", period="2027", revenue=1e9, lang="de")
    assert "V5.C5: der Satz und die Obergrenze stützen sich nur auf berichtete Quellen" in de.note


def test_an_ended_rofr_is_not_uncertain_for_the_commitment_beside_it(
    scenario: charter.Scenario,
) -> None:
    """V4.C10 both ends the ROFR and commits $250B over an assumed timeframe: an answer
    that cites it only for the ROFR's end carries neither that doubt nor its caveat."""
    d = scenario.decide(
        principal="openai",
        action="run",
        at="2025-12-01",
        provider="aws",
        kind="training",
        new_capacity=True,
    )
    assert d.verdict.value == "allow" and d.clause_ids == ("V4.C10",)
    assert [c.effect for c in d.clauses] == ["ended"]
    assert not d.uncertain and not d.caveats
