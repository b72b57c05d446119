"""Invariants of the decision engine, checked with hypothesis on both bundled scenarios.

- single and batch decisions agree, whatever else is in the batch;
- an unlifted forbid always denies (checked against a scalar reference, not the engine's
  own matrices);
- a carve-out never makes a verdict stricter (removing every carve-out never loosens one);
- an amendment that changes nothing changes no verdict and no explanation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import charter
from charter.model import AmendmentSpec
from tests.conftest import BUNDLED

SCENARIOS = {name: charter.load_scenario(name) for name in BUNDLED}
RANK = {"allow": 0, "conditional": 1, "deny": 2}

dates = st.dates(min_value=dt.date(2018, 1, 1), max_value=dt.date(2034, 12, 31))


def requests(s: charter.Scenario) -> st.SearchStrategy[charter.Request]:
    parties = sorted(s.parties)
    providers = sorted(s.providers)
    vocab = s.vocabulary  # the scenario's actions and values, and its own bool attributes
    declared_bools = [n for n, _ in s.declared_attributes if vocab.attributes[n].type == "bool"]

    @st.composite
    def build(draw: st.DrawFn) -> charter.Request:
        action = draw(st.sampled_from(sorted(vocab.actions)))
        kw: dict[str, Any] = {
            "at": draw(dates),
            "principal": draw(st.sampled_from(parties)),
            "action": action,
            "provider": draw(st.sampled_from(providers))
            if action == "run"
            else draw(st.none() | st.sampled_from(providers)),
            "kind": draw(st.none() | st.sampled_from(vocab.values("kind"))),
            "segment": draw(st.none() | st.sampled_from(s.data.meta.segments)),
            "new_capacity": draw(st.booleans()),
            "api": draw(st.none() | st.sampled_from(vocab.values("api"))),
            "codeveloped_with": draw(st.none() | st.sampled_from(parties)),
            "first_party": draw(st.booleans()),
            "launch": draw(st.booleans()),
            "artifact_kind": draw(st.sampled_from(vocab.values("artifact_kind")))
            if action in ("access", "publish")
            else None,
            "created": draw(st.none() | dates),
            "purpose": draw(st.none() | st.sampled_from(vocab.values("purpose"))),
            **{name: draw(st.booleans()) for name in declared_bools},
        }
        return s.request(**kw)

    return build()


def event_sets(s: charter.Scenario) -> st.SearchStrategy[dict[str, dt.date]]:
    return st.dictionaries(st.sampled_from(sorted(s.events)), dates, max_size=1)


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def signature(d: charter.Decision) -> tuple[Any, ...]:
    return (
        d.verdict,
        d.clause_ids,
        tuple(c.effect for c in d.clauses),
        d.uncertain,
        d.obligations,
        d.note,
    )


@pytest.mark.parametrize("name", BUNDLED)
@SETTINGS
@given(data=st.data())
def test_single_and_batch_agree(name: str, data: st.DataObject) -> None:
    s = SCENARIOS[name]
    reqs = data.draw(st.lists(requests(s), min_size=1, max_size=12))
    events = data.draw(event_sets(s))
    batch = s.decide_many(reqs, events)
    assert len(batch) == len(reqs)
    for i, r in enumerate(reqs):
        single = s.decide(r, events=events)
        assert signature(batch[i]) == signature(single)
        assert batch.verdict(i) == single.verdict


def _reference_forbids(s: charter.Scenario, r: charter.Request, events: dict[str, Any]) -> set[str]:
    """Exclusivity and limit clauses that forbid ``r`` and that no exception lifts, computed
    with scalar selector matching (independent of the vectorized engine)."""
    attrs = {**r.to_json(), "provider_owner": s.owner_of.get(r.provider or "")}
    for key in ("new_capacity", "first_party", "launch"):
        attrs[key] = getattr(r, key)
    attrs.update(r.attrs)  # the scenario's declared attributes
    live = s.in_force(r.at, events)

    def applies(rec: charter.ClauseRecord) -> bool:
        spec = rec.spec
        acts = spec.applies_to_actions()
        if spec.principal not in (None, r.principal) or ("*" not in acts and r.action not in acts):
            return False
        seg = s.agreement_timeline.segment_at(rec, r.at)
        wheres = [spec.where, *seg.narrow]
        return all(any(sel.matches(attrs) for sel in w) for w in wheres)

    lifted = {
        o
        for rec in live
        if rec.spec.lifts and applies(rec)
        for o in rec.spec.overrides  # type: ignore[attr-defined]
    }
    out = set()
    for rec in live:
        kind = rec.spec.kind  # type: ignore[attr-defined]
        if rec.id in lifted or not applies(rec):
            continue
        if kind == "exclusivity" and r.provider not in rec.spec.providers:  # type: ignore[attr-defined]
            out.add(rec.id)
        if kind == "limit":
            out.add(rec.id)
    return out


@pytest.mark.parametrize("name", BUNDLED)
@SETTINGS
@given(data=st.data())
def test_an_unlifted_forbid_always_denies(name: str, data: st.DataObject) -> None:
    s = SCENARIOS[name]
    r = data.draw(requests(s))
    events = data.draw(event_sets(s))
    forbids = _reference_forbids(s, r, events)
    d = s.decide(r, events=events)
    if forbids:
        assert d.verdict is charter.Verdict.DENY
        assert forbids <= set(d.clause_ids)


def _without_carve_outs(s: charter.Scenario) -> charter.Scenario:
    ags = tuple(
        ag.model_copy(
            update={
                "amendments": tuple(
                    am.model_copy(
                        update={"clauses": tuple(c for c in am.clauses if c.kind != "carve_out")}
                    )
                    for am in ag.amendments
                )
            }
        )
        for ag in s.data.agreements
    )
    return charter.Scenario(replace(s.data, agreements=ags))


@pytest.mark.parametrize("name", BUNDLED)
@SETTINGS
@given(data=st.data())
def test_a_carve_out_never_makes_a_verdict_stricter(name: str, data: st.DataObject) -> None:
    s = SCENARIOS[name]
    bare = _without_carve_outs(s)
    assert len(bare.clauses) < len(s.clauses)
    reqs = data.draw(st.lists(requests(s), min_size=1, max_size=8))
    events = data.draw(event_sets(s))
    with_c = s.decide_many(reqs, events)
    without = bare.decide_many(reqs, events)
    for i in range(len(reqs)):
        assert RANK[with_c.verdict(i).value] <= RANK[without.verdict(i).value]


def _with_empty_amendment(s: charter.Scenario, day: dt.date) -> charter.Scenario:
    ag = s.data.agreements[0]
    if any(am.date == day for am in ag.amendments):
        day = day + dt.timedelta(days=1)
    empty = AmendmentSpec(date=day, title="nothing changes", sources=("test",))
    ams = tuple(sorted((*ag.amendments, empty), key=lambda a: a.date))
    ags = (ag.model_copy(update={"amendments": ams}), *s.data.agreements[1:])
    return charter.Scenario(replace(s.data, agreements=ags))


@pytest.mark.parametrize("name", BUNDLED)
@SETTINGS
@given(data=st.data())
def test_an_amendment_that_changes_nothing_changes_no_verdict(
    name: str, data: st.DataObject
) -> None:
    s = SCENARIOS[name]
    other = _with_empty_amendment(s, data.draw(dates))
    reqs = data.draw(st.lists(requests(s), min_size=1, max_size=8))
    events = data.draw(event_sets(s))
    a = s.decide_many(reqs, events)
    b = other.decide_many(reqs, events)
    for i in range(len(reqs)):
        assert signature(a[i]) == signature(b[i])


def test_reference_forbid_check_can_fail() -> None:
    # the scalar reference finds the exclusivity a known request breaches
    s = SCENARIOS["microsoft-openai"]
    r = s.request(at="2023-06-01", principal="openai", action="run", provider="aws")
    assert _reference_forbids(s, r, {}) == {"V2.C2"}
