"""Non-placement actions and revenue-share amounts over the bundled ``microsoft-openai`` scenario.

Every expectation below was written from the fact sheet (shared/facts/agreements.md), the
decision rules of the README ("How a verdict is reached"), the ``owes`` rules of
``charter.revenue`` and the clause modelling in the scenario's agreements.yaml, before the
engine was run.

Part (a): decisions for ``build-capacity``, ``restructure``, ``publish``, ``pursue-agi``,
``train`` and ``run`` with ``launch=True`` (first-ship). Each row asserts the verdict, the exact
set of deciding clause ids and the obligations (kind, party, clause); ``ANY`` leaves a party
the rules do not state unasserted.

Part (b): ``owes`` rows asserting amount, rate, cap, cap_used, cap_remaining, clause ids and
part effects. Arithmetic is written out in each row: rate x revenue x overlap_days / period_days.
"""

from __future__ import annotations

from typing import Any

import pytest

import charter

ALLOW, DENY, COND = "allow", "deny", "conditional"
MS, OAI = "microsoft", "openai"


class _Any:
    """A wildcard for a field the rules do not pin down."""

    def __eq__(self, other: object) -> bool:
        return True

    def __repr__(self) -> str:
        return "ANY"


ANY: Any = _Any()

Obligation = tuple[str, Any, str]  # (kind, party, clause)


@pytest.fixture(scope="module")
def scenario() -> charter.Scenario:
    return charter.load_scenario("microsoft-openai")


# =============================================================================== decisions


def dec(
    qid: str,
    verdict: str,
    clauses: set[str],
    obligations: tuple[Obligation, ...] = (),
    *,
    events: dict[str, str] | None = None,
    xfail: str | None = None,
    **request: Any,
) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=f"engine: {xfail}")] if xfail else []
    return pytest.param(
        request, events, verdict, frozenset(clauses), obligations, id=qid, marks=marks
    )


def build(qid: str, verdict: str, clauses: set[str], *obl: Obligation, **kw: Any) -> Any:
    return dec(qid, verdict, clauses, obl, principal=OAI, action="build-capacity", **kw)


def restructure(qid: str, verdict: str, clauses: set[str], *obl: Obligation, **kw: Any) -> Any:
    return dec(qid, verdict, clauses, obl, principal=OAI, action="restructure", **kw)


def publish(qid: str, verdict: str, clauses: set[str], *obl: Obligation, **kw: Any) -> Any:
    return dec(qid, verdict, clauses, obl, principal=OAI, action="publish", **kw)


def agi(qid: str, verdict: str, clauses: set[str], *obl: Obligation, **kw: Any) -> Any:
    kw.setdefault("principal", MS)
    return dec(qid, verdict, clauses, obl, action="pursue-agi", **kw)


def train(qid: str, verdict: str, clauses: set[str], *obl: Obligation, **kw: Any) -> Any:
    kw.setdefault("principal", MS)
    kw.setdefault("uses_licensed_ip", True)
    return dec(qid, verdict, clauses, obl, action="train", **kw)


def launch(qid: str, verdict: str, clauses: set[str], *obl: Obligation, **kw: Any) -> Any:
    kw.setdefault("launch", True)
    return dec(qid, verdict, clauses, obl, principal=OAI, action="run", **kw)


ROFR: Obligation = ("rofr", MS, "V3.C6")
CONSENT: Obligation = ("consent", MS, "V2.C7")
CRITERIA: Obligation = ("criteria", ANY, "V4.C12")
LIMIT: Obligation = ("limit", ANY, "V4.C14")
FIRST_SHIP: Obligation = ("first-ship", MS, "V5.C1")

BUILD = [
    # No agreement before V1 (2019-07-22): building capacity is the action's default allow.
    build("2019-01-01 build training, before any agreement", ALLOW, set(), at="2019-01-01"),
    # V2.C2: Azure exclusive for all OpenAI workloads; read as ruling out own capacity too.
    build(
        "2023-06-01 build research, azure exclusivity",
        DENY,
        {"V2.C2"},
        at="2023-06-01",
        purpose="research",
    ),
    # V2.C2 still in force the day before V3 (2025-01-21).
    build(
        "2025-01-20 build training, last day of exclusivity",
        DENY,
        {"V2.C2"},
        at="2025-01-20",
        purpose="training",
    ),
    # Fact sheet §3: 2025-03-01 own capacity for research and training -> yes, V3.C7
    # (lifts the V3.C6 ROFR for training/research).
    build(
        "2025-03-01 build training, stargate approval",
        ALLOW,
        {"V3.C7"},
        at="2025-03-01",
        purpose="training",
    ),
    # V3.C7: the approval names research as well as training.
    build(
        "2025-03-01 build research, stargate approval",
        ALLOW,
        {"V3.C7"},
        at="2025-03-01",
        purpose="research",
    ),
    # V3.C7 covers "primarily research and training"; inference capacity is new capacity under
    # the V3.C6 ROFR: offer it to Microsoft first.
    build(
        "2025-03-01 build inference, rofr",
        COND,
        {"V3.C6"},
        ROFR,
        at="2025-03-01",
        purpose="inference",
    ),
    # No purpose given: V3.C7 does not match, V3.C6 ROFR applies.
    build("2025-03-01 build without purpose, rofr", COND, {"V3.C6"}, ROFR, at="2025-03-01"),
    # V4.C10 (2025-10-28): Microsoft no longer has a ROFR; the removal is stated by V4.C10.
    build(
        "2025-12-01 build inference, rofr removed",
        ALLOW,
        {"V4.C10"},
        at="2025-12-01",
        purpose="inference",
    ),
    # Last day of the ROFR (removed from 2025-10-28).
    build(
        "2025-10-27 build inference, last day of rofr",
        COND,
        {"V3.C6"},
        ROFR,
        at="2025-10-27",
        purpose="inference",
    ),
    # V3.C7 is a permission with no end date: still a grant after the ROFR is gone.
    build(
        "2026-06-01 build training, permission still granted",
        ALLOW,
        {"V3.C7"},
        at="2026-06-01",
        purpose="training",
    ),
]

RESTRUCTURE = [
    # Before V2 (2023-01-23) no consent right is documented: default allow.
    restructure("2022-06-01 restructure, no consent right yet", ALLOW, set(), at="2022-06-01"),
    # V2.C7: structural changes need Microsoft's consent (from 2023-01-23).
    restructure(
        "2023-01-23 restructure, consent needed from v2", COND, {"V2.C7"}, CONSENT, at="2023-01-23"
    ),
    # Seeds 001/002 (June 2025): Microsoft's approval needed for the PBC conversion.
    restructure(
        "2025-06-15 restructure, consent needed", COND, {"V2.C7"}, CONSENT, at="2025-06-15"
    ),
    # V2.C7 still in force the day before V4 (2025-10-28).
    restructure("2025-10-27 restructure, day before v4", COND, {"V2.C7"}, CONSENT, at="2025-10-27"),
    # V4.C1: Microsoft supports the PBC; consent given (replaces V2.C7).
    restructure("2025-10-28 restructure, consent given", ALLOW, {"V4.C1"}, at="2025-10-28"),
    # V4.C1 has no end date; V5 does not touch it.
    restructure("2026-06-01 restructure, consent still given", ALLOW, {"V4.C1"}, at="2026-06-01"),
]

PUBLISH = [
    # No open-weight clause before V4: default allow.
    publish(
        "2025-06-01 publish weights, before v4",
        ALLOW,
        set(),
        at="2025-06-01",
        artifact_kind="model-weights",
    ),
    # V4.C12: open-weight models that meet the requisite capability criteria.
    publish(
        "2025-11-01 publish weights, capability criteria",
        COND,
        {"V4.C12"},
        CRITERIA,
        at="2025-11-01",
        artifact_kind="model-weights",
    ),
    # V4.C12 survives V5 (open item, silent record): still conditional.
    publish(
        "2026-06-01 publish weights after v5, criteria",
        COND,
        {"V4.C12"},
        CRITERIA,
        at="2026-06-01",
        artifact_kind="model-weights",
    ),
    # V4.C12 covers model weights only; publishing a product is the default allow.
    publish(
        "2025-11-01 publish product, no clause",
        ALLOW,
        set(),
        at="2025-11-01",
        artifact_kind="product",
    ),
]

PURSUE_AGI = [
    # Fact sheet §3: 2026-01-01 Microsoft may pursue AGI with a third-party lab -> V4.C13.
    agi(
        "2026-01-01 microsoft agi with google",
        ALLOW,
        {"V4.C13"},
        at="2026-01-01",
        with_party="google",
    ),
    # V4.C13: alone as well.
    agi("2026-01-01 microsoft agi alone", ALLOW, {"V4.C13"}, at="2026-01-01"),
    # Corrected by fact sheet section 5: before V4 the reported bar V2.C8 forbids it.
    agi(
        "2025-06-01 microsoft agi before v4", DENY, {"V2.C8"}, at="2025-06-01", with_party="google"
    ),
    # V4.C13 binds/empowers Microsoft only; OpenAI pursuing AGI is the default allow.
    agi("2026-01-01 openai agi, not the principal", ALLOW, set(), at="2026-01-01", principal=OAI),
]

TRAIN = [
    # V4.C14: with OpenAI IP, beyond the compute threshold before AGI is declared -> forbidden.
    train(
        "2026-01-01 ms train licensed ip above threshold",
        DENY,
        {"V4.C14"},
        at="2026-01-01",
        above_compute_threshold=True,
    ),
    # Within the threshold: the limit is satisfied.
    train(
        "2026-01-01 ms train licensed ip within threshold",
        ALLOW,
        {"V4.C14"},
        at="2026-01-01",
        above_compute_threshold=False,
    ),
    # Threshold unknown: conditional on staying within the limit.
    train(
        "2026-01-01 ms train licensed ip threshold unknown",
        COND,
        {"V4.C14"},
        LIMIT,
        at="2026-01-01",
    ),
    # V4.C14 applies only when OpenAI IP is used.
    train(
        "2026-01-01 ms train own ip above threshold",
        ALLOW,
        set(),
        at="2026-01-01",
        uses_licensed_ip=False,
        above_compute_threshold=True,
    ),
    # No limit before V4 (2025-10-28).
    train(
        "2025-06-01 ms train licensed ip above threshold, before v4",
        ALLOW,
        set(),
        at="2025-06-01",
        above_compute_threshold=True,
    ),
    # V4.C14 runs "until AGI is declared": an assumed declaration ends it (cited as ended).
    train(
        "2026-01-01 above threshold after agi declared",
        ALLOW,
        {"V4.C14"},
        at="2026-01-01",
        above_compute_threshold=True,
        events={"agi_declared": "2025-12-01"},
    ),
    # agi_verified implies agi_declared on the same date.
    train(
        "2026-01-01 above threshold after agi verified",
        ALLOW,
        {"V4.C14"},
        at="2026-01-01",
        above_compute_threshold=True,
        events={"agi_verified": "2025-12-01"},
    ),
    # An event ends the clause on its date.
    train(
        "2026-01-01 above threshold on the declaration day",
        ALLOW,
        {"V4.C14"},
        at="2026-01-01",
        above_compute_threshold=True,
        events={"agi_declared": "2026-01-01"},
    ),
    # A later declaration leaves the limit in force.
    train(
        "2026-01-01 above threshold, agi verified later",
        DENY,
        {"V4.C14"},
        at="2026-01-01",
        above_compute_threshold=True,
        events={"agi_verified": "2027-01-01"},
    ),
    # The limit binds Microsoft only.
    train(
        "2026-01-01 openai train above threshold",
        ALLOW,
        set(),
        at="2026-01-01",
        principal=OAI,
        above_compute_threshold=True,
    ),
    # V5 open item: V4.C14 "survives" (record silent) -> still forbids in 2026-06.
    train(
        "2026-06-01 ms above threshold after v5",
        DENY,
        {"V4.C14"},
        at="2026-06-01",
        above_compute_threshold=True,
    ),
]

LAUNCH = [
    # V5.C1: products ship first on Azure; launching on AWS is conditional (first-ship).
    launch(
        "2026-06-01 launch training on aws, first ship",
        COND,
        {"V5.C1"},
        FIRST_SHIP,
        at="2026-06-01",
        provider="aws",
        kind="training",
    ),
    # V5.C2 permission (all products on any cloud) lifts nothing: V5.C1 still binds.
    launch(
        "2026-06-01 launch product on aws, first ship",
        COND,
        {"V5.C1"},
        FIRST_SHIP,
        at="2026-06-01",
        provider="aws",
        kind="product-serving",
    ),
    # V5.C1 from its amendment day, 2026-04-27.
    launch(
        "2026-04-27 launch product on gcp, first day",
        COND,
        {"V5.C1"},
        FIRST_SHIP,
        at="2026-04-27",
        provider="gcp",
        kind="product-serving",
    ),
    # V4.C11 carve-out overrides only V4.C3/V4.C9, not V5.C1.
    launch(
        "2026-06-01 launch natsec api on aws, first ship",
        COND,
        {"V5.C1"},
        FIRST_SHIP,
        at="2026-06-01",
        provider="aws",
        kind="api",
        segment="us-national-security",
    ),
    # V3.C7 (stargate training) overrides only V3.C6, not V5.C1.
    launch(
        "2026-06-01 launch training on stargate, first ship",
        COND,
        {"V5.C1"},
        FIRST_SHIP,
        at="2026-06-01",
        provider="stargate",
        kind="training",
    ),
    # On Azure the first-ship clause is satisfied; training is not covered by V5.C2.
    launch(
        "2026-06-01 launch training on azure",
        ALLOW,
        {"V5.C1"},
        at="2026-06-01",
        provider="azure",
        kind="training",
    ),
    # On Azure: V5.C1 satisfied and V5.C2 grants product serving.
    launch(
        "2026-06-01 launch product on azure",
        ALLOW,
        {"V5.C1", "V5.C2"},
        at="2026-06-01",
        provider="azure",
        kind="product-serving",
    ),
    # Before V5 there is no first-ship clause; compute exclusivity V2.C2 ended 2025-01-21
    # (its remover V3.C6, a ROFR on new capacity only, is gone too, so V2.C2 itself is cited)
    # and V4.C9 covers API products only.
    launch(
        "2026-04-26 launch product on aws, before v5",
        ALLOW,
        {"V2.C2"},
        at="2026-04-26",
        provider="aws",
        kind="product-serving",
    ),
    # V5.C1 through 2032-12-31: expired, cited as the ended restriction.
    launch(
        "2033-01-01 launch training on aws, first ship expired",
        ALLOW,
        {"V5.C1"},
        at="2033-01-01",
        provider="aws",
        kind="training",
    ),
    # Not a launch: V5.C1 does not apply; the last restriction ended is V2.C2 (its remover
    # V3.C6 ended in 2025, so V2.C2 itself is cited).
    launch(
        "2026-06-01 non-launch training on aws",
        ALLOW,
        {"V2.C2"},
        at="2026-06-01",
        provider="aws",
        kind="training",
        launch=False,
    ),
]

DECISIONS = BUILD + RESTRUCTURE + PUBLISH + PURSUE_AGI + TRAIN + LAUNCH


def _obligations_match(got: list[Obligation], want: tuple[Obligation, ...]) -> bool:
    if len(got) != len(want):
        return False
    remaining = list(got)
    for w in want:
        for g in remaining:
            if g[0] == w[0] and g[2] == w[2] and w[1] == g[1]:
                remaining.remove(g)
                break
        else:
            return False
    return True


@pytest.mark.parametrize(("request_", "events", "verdict", "clauses", "obligations"), DECISIONS)
def test_decision(
    scenario: charter.Scenario,
    request_: dict[str, Any],
    events: dict[str, str] | None,
    verdict: str,
    clauses: frozenset[str],
    obligations: tuple[Obligation, ...],
) -> None:
    d = scenario.decide(events=events, **request_)
    assert (d.verdict.value, set(d.clause_ids)) == (verdict, set(clauses))
    got = [(o.kind, o.party, o.clause) for o in d.obligations]
    assert _obligations_match(got, obligations), (got, obligations)


def test_decision_table_size() -> None:
    assert len(DECISIONS) >= 18
    assert len({p.id for p in DECISIONS}) == len(DECISIONS)


# =============================================================================== owes

B = 1e9
CAP = 38e9
SKIP: Any = object()  # a field left unasserted


def owe(
    qid: str,
    period: str,
    revenue: float,
    *,
    amount: float | None,
    clauses: tuple[str, ...],
    effects: tuple[str, ...],
    rate: float | None = SKIP,
    cap: float | None = None,
    cap_used: float | None = None,
    cap_remaining: float | None = None,
    payer: str = OAI,
    payee: str = MS,
    history: tuple[tuple[str, float], ...] = (),
    events: dict[str, str] | None = None,
    xfail: str | None = None,
) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=f"engine: {xfail}")] if xfail else []
    ask = {
        "payer": payer,
        "payee": payee,
        "period": period,
        "revenue": revenue,
        "history": list(history),
        "events": events,
    }
    want = {
        "amount": amount,
        "rate": rate,
        "cap": cap,
        "cap_used": cap_used,
        "cap_remaining": cap_remaining,
        "clauses": clauses,
        "effects": effects,
    }
    return pytest.param(ask, want, id=qid, marks=marks)


# Days used below: 2023-Q1 90, 2025-Q1 90, 2025-Q4 92, 2026-Q1 90, 2026-Q2 91, 2026-04 30,
# 2025-12 31, 2026 365. V2 starts 2023-01-23, V3 2025-01-21, V4 2025-10-28, V5 2026-04-27.
OWES = [
    # Before V2 (2023-01-23) no revenue share exists: nothing owed, no parts.
    owe(
        "oai->ms 2022-Q4, before any share",
        "2022-Q4",
        1 * B,
        amount=0.0,
        clauses=(),
        effects=(),
        rate=None,
    ),
    # V2.C6 (20% reported) from 2023-01-23: 68 of 90 days of 2023-Q1.
    owe(
        "oai->ms 2023-Q1, v2 starts mid-quarter",
        "2023-Q1",
        1 * B,
        amount=0.20 * 1 * B * 68 / 90,
        clauses=("V2.C6",),
        effects=("owed",),
        rate=0.20,
    ),
    # V2.C6, full quarter.
    owe(
        "oai->ms 2024-Q2, v2 share",
        "2024-Q2",
        2 * B,
        amount=0.20 * 2 * B,
        clauses=("V2.C6",),
        effects=("owed",),
        rate=0.20,
    ),
    # V3.C4 replaces V2.C6 on 2025-01-21: 20 + 70 days, same 20% rate.
    owe(
        "oai->ms 2025-Q1, v2 to v3",
        "2025-Q1",
        3 * B,
        amount=0.20 * 3 * B,
        clauses=("V2.C6", "V3.C4"),
        effects=("owed", "owed"),
        rate=0.20,
    ),
    # V4.C15 replaces V3.C4 on 2025-10-28: 27 + 65 days.
    owe(
        "oai->ms 2025-Q4, v3 to v4",
        "2025-Q4",
        4 * B,
        amount=0.20 * 4 * B,
        clauses=("V3.C4", "V4.C15"),
        effects=("owed", "owed"),
        rate=0.20,
    ),
    # V4.C15 until AGI verified: no event -> full quarter.
    owe(
        "oai->ms 2026-Q1, no agi",
        "2026-Q1",
        5 * B,
        amount=0.20 * 5 * B,
        clauses=("V4.C15",),
        effects=("owed",),
        rate=0.20,
    ),
    # AGI verified 2026-02-01 ends V4.C15 on that date: 31 of 90 days.
    owe(
        "oai->ms 2026-Q1, agi verified 2026-02-01",
        "2026-Q1",
        5 * B,
        amount=0.20 * 5 * B * 31 / 90,
        clauses=("V4.C15",),
        effects=("owed",),
        rate=0.20,
        events={"agi_verified": "2026-02-01"},
    ),
    # AGI verified 2025-12-16: 15 of 31 days of December.
    owe(
        "oai->ms 2025-12, agi verified mid-month",
        "2025-12",
        3 * B,
        amount=0.20 * 3 * B * 15 / 31,
        clauses=("V4.C15",),
        effects=("owed",),
        rate=0.20,
        events={"agi_verified": "2025-12-16"},
    ),
    # After verification and before V5 no share runs: 0, one "ended" part for V4.C15.
    owe(
        "oai->ms 2026-03, after agi verified",
        "2026-03",
        5 * B,
        amount=0.0,
        clauses=("V4.C15",),
        effects=("ended",),
        events={"agi_verified": "2026-02-01"},
        cap=SKIP,
        cap_used=SKIP,
        cap_remaining=SKIP,
    ),
    # April 2026 amendment: V4.C15 Apr 1-26 (26 d) + V5.C5 Apr 27-Jun 30 (65 d) of 91.
    # Q1 history was paid under V4.C15, not V5.C5: it uses none of the V5.C5 cap.
    owe(
        "oai->ms 2026-Q2 straddles v5, q1 history",
        "2026-Q2",
        10 * B,
        amount=0.20 * 10 * B,
        clauses=("V4.C15", "V5.C5"),
        effects=("owed", "owed"),
        rate=0.20,
        cap=CAP,
        cap_used=0.0,
        cap_remaining=CAP - 0.20 * 10 * B * 65 / 91,
        history=(("2026-Q1", 8 * B),),
    ),
    # V5.C5 is "independent of technology progress": AGI verified 2026-02-01 ends V4.C15,
    # and only the V5.C5 days of Q2 (65 of 91) are owed.
    owe(
        "oai->ms 2026-Q2, agi verified before v5",
        "2026-Q2",
        10 * B,
        amount=0.20 * 10 * B * 65 / 91,
        clauses=("V5.C5",),
        effects=("owed",),
        rate=0.20,
        cap=CAP,
        cap_used=0.0,
        cap_remaining=CAP - 0.20 * 10 * B * 65 / 91,
        events={"agi_verified": "2026-02-01"},
    ),
    # Monthly, April 2026: 26 days V4.C15 + 4 days V5.C5 of 30.
    owe(
        "oai->ms 2026-04 monthly straddle",
        "2026-04",
        3 * B,
        amount=0.20 * 3 * B,
        clauses=("V4.C15", "V5.C5"),
        effects=("owed", "owed"),
        rate=0.20,
        cap=CAP,
        cap_used=0.0,
        cap_remaining=CAP - 0.20 * 3 * B * 4 / 30,
    ),
    # Yearly 2026: V4.C15 116 days + V5.C5 249 days of 365.
    owe(
        "oai->ms 2026 yearly straddle",
        "2026",
        36.5 * B,
        amount=0.20 * 36.5 * B,
        clauses=("V4.C15", "V5.C5"),
        effects=("owed", "owed"),
        rate=0.20,
        cap=CAP,
        cap_used=0.0,
        cap_remaining=CAP - 0.20 * 36.5 * B * 249 / 365,
    ),
    # Only V5.C5's share of the straddling Q2 counts against the cap.
    owe(
        "oai->ms 2026-Q3, history of the straddling quarter",
        "2026-Q3",
        10 * B,
        amount=0.20 * 10 * B,
        clauses=("V5.C5",),
        effects=("owed",),
        rate=0.20,
        cap=CAP,
        cap_used=0.20 * 10 * B * 65 / 91,
        cap_remaining=CAP - 0.20 * 10 * B * 65 / 91 - 0.20 * 10 * B,
        history=(("2026-Q2", 10 * B),),
    ),
    # Yearly under V5.C5 with AGI verified: still owed (decoupled from AGI).
    owe(
        "oai->ms 2027 yearly, agi verified",
        "2027",
        50 * B,
        amount=0.20 * 50 * B,
        clauses=("V5.C5",),
        effects=("owed",),
        rate=0.20,
        cap=CAP,
        cap_used=0.0,
        cap_remaining=CAP - 10 * B,
        events={"agi_verified": "2026-02-01"},
    ),
    # At the cap: history paid 12 + 12 + 12 = 36B; only 2B of the 10B is owed.
    owe(
        "oai->ms 2028-Q1 reaches the cap",
        "2028-Q1",
        50 * B,
        amount=2 * B,
        clauses=("V5.C5",),
        effects=("capped",),
        rate=0.20,
        cap=CAP,
        cap_used=36 * B,
        cap_remaining=0.0,
        history=(("2026-Q3", 60 * B), ("2026-Q4", 60 * B), ("2027", 60 * B)),
    ),
    # Cap exhausted by history (20B + 18B): nothing more owed.
    owe(
        "oai->ms 2029 cap exhausted",
        "2029",
        100 * B,
        amount=0.0,
        clauses=("V5.C5",),
        effects=("capped",),
        rate=0.20,
        cap=CAP,
        cap_used=CAP,
        cap_remaining=0.0,
        history=(("2027", 100 * B), ("2028", 100 * B)),
    ),
    # History not ending before the asked period is ignored.
    owe(
        "oai->ms 2027, overlapping and later history ignored",
        "2027",
        10 * B,
        amount=0.20 * 10 * B,
        clauses=("V5.C5",),
        effects=("owed",),
        rate=0.20,
        cap=CAP,
        cap_used=0.0,
        cap_remaining=CAP - 2 * B,
        history=(("2027-Q1", 100 * B), ("2028", 500 * B)),
    ),
    # V5.C5 through 2030: last quarter still owed.
    owe(
        "oai->ms 2030-Q4, last quarter",
        "2030-Q4",
        10 * B,
        amount=0.20 * 10 * B,
        clauses=("V5.C5",),
        effects=("owed",),
        rate=0.20,
        cap=CAP,
        cap_used=0.0,
        cap_remaining=CAP - 2 * B,
    ),
    # After 2030 nothing is owed; the share that ended (V5.C5) is cited as "ended".
    owe(
        "oai->ms 2031, after 2030",
        "2031",
        10 * B,
        amount=0.0,
        clauses=("V5.C5",),
        effects=("ended",),
        cap=SKIP,
        cap_used=SKIP,
        cap_remaining=SKIP,
    ),
    # Microsoft -> OpenAI before V5: the rate is not in the record -> amount unknown.
    owe(
        "ms->oai 2024-Q2, unknown rate",
        "2024-Q2",
        1 * B,
        amount=None,
        clauses=("V2.C6",),
        effects=("no-rate",),
        rate=None,
        payer=MS,
        payee=OAI,
    ),
    # V4.C15's reverse flow also has a null rate.
    owe(
        "ms->oai 2026-Q1, unknown rate under v4",
        "2026-Q1",
        1 * B,
        amount=None,
        clauses=("V4.C15",),
        effects=("no-rate",),
        rate=None,
        payer=MS,
        payee=OAI,
    ),
    # Straddle: unknown rate for Apr 1-26 makes the total unknown; rates differ -> None.
    owe(
        "ms->oai 2026-Q2, unknown then zero",
        "2026-Q2",
        1 * B,
        amount=None,
        clauses=("V4.C15", "V5.C4"),
        effects=("no-rate", "owed"),
        rate=None,
        payer=MS,
        payee=OAI,
    ),
    # V5.C4: Microsoft's payments to OpenAI stop -> rate 0, amount 0.
    owe(
        "ms->oai 2026-Q3, payments stopped",
        "2026-Q3",
        1 * B,
        amount=0.0,
        clauses=("V5.C4",),
        effects=("owed",),
        rate=0.0,
        payer=MS,
        payee=OAI,
    ),
    # V5.C4 has no end date: still 0 in 2031.
    owe(
        "ms->oai 2031, payments stopped",
        "2031",
        1 * B,
        amount=0.0,
        clauses=("V5.C4",),
        effects=("owed",),
        rate=0.0,
        payer=MS,
        payee=OAI,
    ),
    # Before V2 no reverse flow either.
    owe(
        "ms->oai 2022, before any share",
        "2022",
        1 * B,
        amount=0.0,
        clauses=(),
        effects=(),
        rate=None,
        payer=MS,
        payee=OAI,
    ),
    # AGI verified 2026-02-01 ends V4.C15 (both flows); March has no share -> 0, ended.
    owe(
        "ms->oai 2026-03, after agi verified",
        "2026-03",
        1 * B,
        amount=0.0,
        clauses=("V4.C15",),
        effects=("ended",),
        payer=MS,
        payee=OAI,
        events={"agi_verified": "2026-02-01"},
        cap=SKIP,
        cap_used=SKIP,
        cap_remaining=SKIP,
    ),
]


def _check(got: float | None, want: float | None) -> bool:
    if want is SKIP:
        return True
    if want is None or got is None:
        return got is want
    return bool(got == pytest.approx(want, rel=1e-9))


@pytest.mark.parametrize(("ask", "want"), OWES)
def test_owes(scenario: charter.Scenario, ask: dict[str, Any], want: dict[str, Any]) -> None:
    o = scenario.owes(**ask)
    got = {
        "amount": o.amount,
        "rate": o.rate,
        "cap": o.cap,
        "cap_used": o.cap_used,
        "cap_remaining": o.cap_remaining,
    }
    bad = {k: (v, want[k]) for k, v in got.items() if not _check(v, want[k])}
    assert not bad, bad
    assert tuple(o.clause_ids) == want["clauses"]
    assert tuple(p.effect for p in o.parts) == want["effects"]


def test_owes_table_size() -> None:
    assert len(OWES) >= 17
    assert len({p.id for p in OWES}) == len(OWES)
