"""The amendment timeline: what is in force when, under which events."""

from __future__ import annotations

import charter
from tests.conftest import Builder, amendment, clause


def ids_at(s: charter.Scenario, at: str, **events: str) -> set[str]:
    return {r.id for r in s.in_force(at, events or None)}


def test_bundled_versions_in_order(mo: charter.Scenario) -> None:
    tl = mo.timeline()
    dates = [(e["date"], e["type"]) for e in tl["entries"]]
    assert dates == [
        ("2019-07-22", "amendment"),
        ("2023-01-23", "amendment"),
        ("2025-01-21", "amendment"),
        ("2025-10-28", "amendment"),
        ("2026-02-27", "clarification"),
        ("2026-04-27", "amendment"),
    ]
    v4 = tl["entries"][3]
    assert {"id": "V3.C6", "by": "V4.C10", "note": None} in v4["removed"]
    assert {"id": "V3.C3", "by": "V4.C3"} in v4["replaced"]
    clar = tl["entries"][4]
    assert {c["id"] for c in clar["narrowed"]} == {"V4.C3", "V4.C9"}
    assert all(e["sources"] for e in tl["entries"])


def test_every_fact_sheet_clause_is_present(mo: charter.Scenario) -> None:
    ids = {r.id for r in mo.clauses}
    expected = (
        {f"V1.C{i}" for i in range(1, 7)}
        | {f"V2.C{i}" for i in range(1, 9)}
        | {"V2.C4b", "V2.X1"}
        | {f"V3.C{i}" for i in range(1, 9)}
        | {f"V4.C{i}" for i in range(1, 17)}
        | {"V4.C9b", "V4.S1", "V4.S2"}
        | {f"V5.C{i}" for i in range(1, 8)}
    )
    assert ids == expected
    for r in mo.clauses:
        assert r.spec.sources and r.spec.confidence


def test_in_force_across_versions(mo: charter.Scenario) -> None:
    assert "V2.C2" in ids_at(mo, "2024-12-31")
    assert "V2.C2" not in ids_at(mo, "2025-01-21")
    assert "V3.C6" in ids_at(mo, "2025-10-27")
    assert "V3.C6" not in ids_at(mo, "2025-10-28")
    assert "V2.X1" not in ids_at(mo, "2024-06-10")
    assert "V2.X1" in ids_at(mo, "2024-06-11")  # from: inside its version
    assert "V4.C3" in ids_at(mo, "2026-04-26")
    assert "V4.C3" not in ids_at(mo, "2026-04-27")
    assert "V5.C5" in ids_at(mo, "2030-12-31")
    assert "V5.C5" not in ids_at(mo, "2031-01-01")


def test_events_end_clauses_and_imply_each_other(mo: charter.Scenario) -> None:
    assert "V4.C6" in ids_at(mo, "2029-07-01")
    assert "V4.C6" not in ids_at(mo, "2029-07-01", agi_verified="2029-06-01")
    assert "V4.C14" not in ids_at(mo, "2029-07-01", agi_verified="2029-06-01")  # implies declared
    assert "V4.C14" in ids_at(mo, "2029-07-01")
    ev = mo.resolve_events({"agi_verified": "2029-06-01"})
    assert str(ev["agi_declared"]) == "2029-06-01"


def test_in_force_is_cached_and_pure(mo: charter.Scenario) -> None:
    a = mo.in_force("2026-01-01")
    b = mo.in_force("2026-01-01")
    assert a is b
    c = mo.in_force("2026-01-01", {"agi_verified": "2025-12-01"})
    assert c is not a and {r.id for r in a} - {r.id for r in c} >= {"V4.C6", "V4.C15"}


def test_timeline_json_at_lists_clause_details(mo: charter.Scenario) -> None:
    tl = mo.timeline(at="2025-06-01")
    rofr = next(c for c in tl["in_force"] if c["id"] == "V3.C6")
    assert rofr["kind"] == "rofr" and rofr["from"] == "2025-01-21"
    assert rofr["until"] == "2025-10-27"
    assert rofr["ends"] == "removed 2025-10-28 by V4.C10"
    assert rofr["assumptions"] and rofr["sources"]


def test_replacement_removal_and_first_of(build: Builder) -> None:
    s = build(
        amendment(
            "2024-01-01",
            clause("A", "term"),
            clause("B", "term", until={"first_of": [{"event": "milestone"}, "2027-06-30"]}),
        ),
        amendment("2025-01-01", clause("C", "term", replaces=["A"])),
        amendment("2026-01-01", removes=[{"clause": "C"}]),
    )
    assert ids_at(s, "2024-06-01") == {"A", "B"}
    assert ids_at(s, "2025-06-01") == {"B", "C"}
    assert ids_at(s, "2026-06-01") == {"B"}
    assert ids_at(s, "2027-07-01") == set()
    assert ids_at(s, "2026-06-01", milestone="2026-03-01") == set()


def test_open_items_make_later_decisions_uncertain(mo: charter.Scenario) -> None:
    q = {"principal": "microsoft", "action": "access", "artifact_kind": "research-method"}
    assert not mo.decide(at="2026-01-01", **q).uncertain
    assert mo.decide(at="2026-06-01", **q).uncertain
