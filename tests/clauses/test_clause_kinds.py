"""One block of unit tests per clause kind, on tiny scenarios built for the purpose."""

from __future__ import annotations

import datetime as dt

import pytest

import charter
from charter.clauses import KIND_NAMES
from charter.clauses.base import SpendCommitment
from charter.clauses.commitment import CommitmentSpec
from charter.dates import FOREVER, day_number
from tests.conftest import Builder, amendment, clause

RUN = {"principal": "lab", "action": "run"}


def verdict(s: charter.Scenario, **kw: object) -> tuple[str, tuple[str, ...]]:
    d = s.decide(**kw)
    return d.verdict.value, d.clause_ids


def test_every_kind_is_covered_here() -> None:
    tested = {
        "exclusivity",
        "rofr",
        "first_ship",
        "commitment",
        "carve_out",
        "permission",
        "approval",
        "ip_rights",
        "revenue_share",
        "limit",
        "equity",
        "term",
        "trigger",
    }
    assert set(KIND_NAMES) == tested


# ---------------------------------------------------------------- exclusivity
def test_exclusivity_denies_other_providers_and_is_satisfied_on_its_own(build: Builder) -> None:
    s = build(
        amendment(
            "2024-01-01",
            clause(
                "X",
                "exclusivity",
                principal="lab",
                providers=["cloudy"],
                where={"kind": ["training"]},
            ),
        )
    )
    assert verdict(s, at="2024-06-01", provider="elsewhere", kind="training", **RUN) == (
        "deny",
        ("X",),
    )
    assert verdict(s, at="2024-06-01", provider="cloudy", kind="training", **RUN) == (
        "allow",
        ("X",),
    )
    d = s.decide(at="2024-06-01", provider="cloudy", kind="training", **RUN)
    assert d.clauses[0].effect == "satisfied"
    # outside its where, before it starts, and for another principal: no effect
    assert verdict(s, at="2024-06-01", provider="elsewhere", kind="batch", **RUN) == ("allow", ())
    assert verdict(s, at="2023-06-01", provider="elsewhere", kind="training", **RUN) == (
        "allow",
        (),
    )
    assert verdict(
        s,
        at="2024-06-01",
        provider="elsewhere",
        kind="training",
        principal="cloud",
        action="run",
    ) == ("allow", ())


def test_exclusivity_until_a_date_is_inclusive(build: Builder) -> None:
    s = build(
        amendment(
            "2024-01-01",
            clause("X", "exclusivity", principal="lab", providers=["cloudy"], until="2024-12-31"),
        )
    )
    assert verdict(s, at="2024-12-31", provider="elsewhere", **RUN)[0] == "deny"
    d = s.decide(at="2025-01-01", provider="elsewhere", **RUN)
    assert d.verdict.value == "allow"
    assert [(c.record.id, c.effect) for c in d.clauses] == [("X", "ended")]


# ---------------------------------------------------------------- rofr
def test_rofr_obliges_offer_to_holder_first(build: Builder) -> None:
    s = build(
        amendment(
            "2024-01-01",
            clause(
                "R",
                "rofr",
                principal="lab",
                holder="cloud",
                where={"new_capacity": True},
                response_days=14,
            ),
        )
    )
    d = s.decide(at="2024-02-01", provider="elsewhere", new_capacity=True, **RUN)
    assert d.verdict.value == "conditional"
    (ob,) = d.obligations
    assert (ob.kind, ob.party, ob.clause) == ("rofr", "cloud", "R")
    assert "14 days" in ob.detail
    # the holder's own providers satisfy it; existing capacity is outside it
    assert verdict(s, at="2024-02-01", provider="cloudy", new_capacity=True, **RUN) == (
        "allow",
        ("R",),
    )
    assert verdict(s, at="2024-02-01", provider="elsewhere", **RUN) == ("allow", ())


# ---------------------------------------------------------------- first_ship
def test_first_ship_applies_to_launches_only(build: Builder) -> None:
    s = build(amendment("2024-01-01", clause("F", "first_ship", principal="lab", holder="cloud")))
    d = s.decide(at="2024-02-01", provider="elsewhere", launch=True, **RUN)
    assert d.verdict.value == "conditional"
    assert d.obligations[0].kind == "first-ship"
    assert verdict(s, at="2024-02-01", provider="cloudy", launch=True, **RUN) == ("allow", ("F",))
    assert verdict(s, at="2024-02-01", provider="elsewhere", **RUN) == ("allow", ())


# ---------------------------------------------------------------- carve_out
def test_carve_out_lifts_only_what_it_names_for_what_it_matches(build: Builder) -> None:
    s = build(
        amendment(
            "2024-01-01",
            clause("X", "exclusivity", principal="lab", providers=["cloudy"]),
            clause(
                "Y", "exclusivity", principal="lab", providers=["cloudy"], where={"kind": ["api"]}
            ),
            clause(
                "C",
                "carve_out",
                principal="lab",
                where={"segment": ["government"]},
                overrides=["X"],
            ),
        )
    )
    d = s.decide(at="2024-02-01", provider="elsewhere", segment="government", kind="batch", **RUN)
    assert (d.verdict.value, d.clause_ids) == ("allow", ("C",))
    assert d.clauses[0].effect == "lift" and d.clauses[0].lifts == ("X",)
    # Y is not named: still denies
    assert verdict(
        s, at="2024-02-01", provider="elsewhere", segment="government", kind="api", **RUN
    ) == ("deny", ("Y",))
    # not matching the carve-out: X denies
    assert verdict(s, at="2024-02-01", provider="elsewhere", kind="batch", **RUN) == (
        "deny",
        ("X",),
    )
    # a carve-out that lifts nothing is not cited
    assert verdict(
        s, at="2024-02-01", provider="cloudy", segment="government", kind="batch", **RUN
    ) == ("allow", ("X",))


# ---------------------------------------------------------------- permission
def test_permission_grants_lifts_and_can_carry_criteria(build: Builder) -> None:
    s = build(
        amendment(
            "2024-01-01",
            clause("R", "rofr", principal="lab", holder="cloud"),
            clause(
                "P",
                "permission",
                principal="lab",
                actions=["run"],
                where={"provider": ["elsewhere"], "kind": ["research"]},
                overrides=["R"],
            ),
            clause(
                "Q", "permission", principal="lab", actions=["publish"], criteria="it passes review"
            ),
            clause("G", "permission", principal="cloud", actions=["pursue-agi"]),
        )
    )
    d = s.decide(at="2024-02-01", provider="elsewhere", kind="research", **RUN)
    assert (d.verdict.value, d.clause_ids) == ("allow", ("P",))
    assert verdict(s, at="2024-02-01", provider="elsewhere", kind="batch", **RUN)[0] == (
        "conditional"
    )
    d = s.decide(at="2024-02-01", principal="lab", action="publish", artifact_kind="model-weights")
    assert d.verdict.value == "conditional"
    assert d.obligations[0].kind == "criteria" and "passes review" in d.obligations[0].detail
    assert verdict(s, at="2024-02-01", principal="cloud", action="pursue-agi") == ("allow", ("G",))
    # before the version that permits it: no clause restricts it
    assert verdict(s, at="2023-02-01", principal="cloud", action="pursue-agi") == ("allow", ())


# ---------------------------------------------------------------- approval
def test_approval_needs_consent_until_given(build: Builder) -> None:
    s = build(
        amendment(
            "2024-01-01",
            clause("A", "approval", principal="lab", actions=["restructure"], approver="cloud"),
        ),
        amendment(
            "2025-01-01",
            clause(
                "B",
                "approval",
                principal="lab",
                actions=["restructure"],
                approver="cloud",
                granted=True,
                replaces=["A"],
            ),
        ),
    )
    d = s.decide(at="2024-06-01", principal="lab", action="restructure")
    assert d.verdict.value == "conditional"
    assert (d.obligations[0].kind, d.obligations[0].party) == ("consent", "cloud")
    assert verdict(s, at="2025-06-01", principal="lab", action="restructure") == ("allow", ("B",))


# ---------------------------------------------------------------- ip_rights
def test_ip_rights_grant_exclude_created_before_and_exclusion(build: Builder) -> None:
    s = build(
        amendment(
            "2024-01-01",
            clause(
                "I",
                "ip_rights",
                principal="cloud",
                grantor="lab",
                where={"artifact_kind": ["model-weights", "product", "consumer-hardware-design"]},
                exclude={"artifact_kind": ["product"]},
                created_before={"event": "milestone"},
                until="2030-12-31",
            ),
        ),
        amendment(
            "2026-01-01",
            clause(
                "E",
                "ip_rights",
                principal="cloud",
                grantor="lab",
                exclusion=True,
                where={"artifact_kind": ["consumer-hardware-design"]},
            ),
        ),
    )
    acc = {"principal": "cloud", "action": "access"}
    assert verdict(s, at="2025-01-01", artifact_kind="model-weights", **acc) == ("allow", ("I",))
    assert verdict(s, at="2025-01-01", artifact_kind="product", **acc) == ("deny", ("I",))
    assert verdict(s, at="2025-01-01", artifact_kind="research-method", **acc) == ("deny", ())
    assert verdict(s, at="2025-01-01", artifact_kind="consumer-hardware-design", **acc)[0] == (
        "allow"
    )
    assert verdict(s, at="2026-02-01", artifact_kind="consumer-hardware-design", **acc) == (
        "deny",
        ("E",),
    )
    # created after the milestone: not covered; created before: covered
    ev = {"milestone": "2025-06-01"}
    assert (
        s.decide(at="2025-09-01", artifact_kind="model-weights", events=ev, **acc).verdict.value
        == "deny"
    )
    assert verdict(
        s, at="2025-09-01", artifact_kind="model-weights", created="2025-05-01", **acc
    ) == ("allow", ("I",))
    # the grantee is the principal: someone else gets nothing
    assert verdict(
        s, at="2025-01-01", artifact_kind="model-weights", principal="other", action="access"
    ) == ("deny", ())
    # a stated owner other than the grantor is outside the grant
    assert verdict(
        s, at="2025-01-01", artifact_kind="model-weights", artifact_owner="other", **acc
    ) == ("deny", ())
    # after until: access ends
    assert verdict(s, at="2031-01-01", artifact_kind="model-weights", **acc)[0] == "deny"


# ---------------------------------------------------------------- limit
def test_limit_forbids_beyond_the_bound_until_an_event(build: Builder) -> None:
    s = build(
        amendment(
            "2024-01-01",
            clause(
                "L",
                "limit",
                principal="cloud",
                actions=["train"],
                where={"above_compute_threshold": True},
                bound="1e27 FLOP",
                until={"event": "milestone"},
            ),
        ),
    )
    tr = {"principal": "cloud", "action": "train"}
    assert verdict(s, at="2025-01-01", above_compute_threshold=True, **tr) == ("deny", ("L",))
    assert verdict(s, at="2025-01-01", **tr) == ("allow", ())
    d = s.decide(
        at="2025-01-01", above_compute_threshold=True, events={"milestone": "2024-12-01"}, **tr
    )
    assert (d.verdict.value, d.clause_ids, d.clauses[0].effect) == ("allow", ("L",), "ended")


# ---------------------------------------------------------------- informational kinds
@pytest.mark.parametrize(
    "spec",
    [
        clause("M", "commitment", payer="lab", payee="cloud", providers=["cloudy"], amount=1e6),
        clause("S", "revenue_share", flows=[{"payer": "lab", "payee": "cloud", "rate": 0.1}]),
        clause("Q", "equity", holder="cloud", stake=0.3),
        clause("T", "term", until="2030-12-31"),
        clause("G", "trigger", event="milestone", decided_by="a panel"),
    ],
    ids=lambda c: c["kind"],
)
def test_informational_kinds_decide_nothing_but_show_on_the_timeline(
    build: Builder, spec: dict[str, object]
) -> None:
    s = build(amendment("2024-01-01", spec))
    assert verdict(s, at="2025-01-01", provider="elsewhere", **RUN) == ("allow", ())
    tl = s.timeline(at="2025-01-01")
    (entry,) = tl["entries"]
    assert entry["added"][0]["id"] == spec["id"]
    assert [c["id"] for c in tl["in_force"]] == [spec["id"]]


# ---------------------------------------------------------------- commitment: one window rule
def _commitment(**kw: object) -> CommitmentSpec:
    fields: dict[str, object] = {
        "kind": "commitment",
        "id": "M",
        "title": "t",
        "confidence": "primary",
        "sources": ["s"],
        "payer": "lab",
        "payee": "cloud",
        "amount": 366.0,
    }
    fields.update(kw)
    return CommitmentSpec.model_validate(fields)


def test_a_commitment_window_is_the_earlier_of_its_end_and_the_clauses() -> None:
    start = dt.date(2024, 2, 29)  # a leap day: no "start + 5 years" arithmetic
    spec = _commitment(window_end="2025-02-27")
    assert isinstance(spec, SpendCommitment)
    first = day_number(start)
    assert spec.window(start, FOREVER) == (first, day_number(dt.date(2025, 2, 28)))
    # the clause ends earlier than its window: the clause's end wins
    assert spec.window(start, first + 100) == (first, first + 100)
    # neither bounds it: no window to prorate or pace against
    assert _commitment().window(start, FOREVER) is None
    assert _commitment().window(start, first + 10) == (first, first + 10)


def test_a_commitment_prorates_by_day_and_paces_linearly() -> None:
    start = dt.date(2024, 2, 29)
    spec = _commitment(window_end="2025-02-27")  # 365 days
    window = spec.window(start, FOREVER)
    assert window is not None
    assert spec.prorated(window, window[0], window[0] + 73) == pytest.approx(366 * 73 / 365)
    assert spec.prorated(window, window[1], window[1] + 10) == 0
    b = spec.burn_down(window, spent=100.0, today=dt.date(2024, 5, 1))  # 62 days in
    assert b.pace_needed_by_now == pytest.approx(366 * 62 / 365)
    assert b.run_rate_per_day == pytest.approx(100 / 62)
    assert b.projected_at_window_end == pytest.approx(100 / 62 * 365)
    assert b.remaining == 266 and b.ahead_of_pace == pytest.approx(100 - 366 * 62 / 365)
    assert spec.spend_providers({"cloud": ("c1", "c2")}) == ("c1", "c2")
    assert _commitment(providers=["c1"]).spend_providers({"cloud": ("c1", "c2")}) == ("c1",)
