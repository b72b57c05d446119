"""The public Python API: its ``__all__`` is explicit and guarded."""

from __future__ import annotations

import charter

EXPECTED = {
    "CharterError",
    "Citation",
    "ClauseRecord",
    "Confidence",
    "Decision",
    "DecisionBatch",
    "Effect",
    "Obligation",
    "Request",
    "RequestError",
    "Scenario",
    "ScenarioError",
    "Verdict",
    "__version__",
    "bundled_scenarios",
    "init_scenario",
    "load_scenario",
}


def test_all_is_exactly_the_public_api() -> None:
    assert set(charter.__all__) == EXPECTED
    for name in charter.__all__:
        assert hasattr(charter, name), name


def test_no_public_name_outside_all() -> None:
    public = {n for n in vars(charter) if not n.startswith("_")}
    modules = {n for n in public if type(getattr(charter, n)).__name__ == "module"}
    assert public - modules == EXPECTED - {"__version__"}


def test_load_default_and_bundled() -> None:
    s = charter.load_scenario()
    assert s.name == "microsoft-openai"
    assert set(charter.bundled_scenarios()) >= {"microsoft-openai", "acme-cloud"}


def test_api_mirrors_cli_decide_and_timeline(mo: charter.Scenario) -> None:
    d = mo.decide(
        at="2025-12-01",
        principal="openai",
        action="run",
        provider="aws",
        kind="training",
        new_capacity=True,
    )
    assert d.verdict is charter.Verdict.ALLOW
    assert d.clause_ids == ("V4.C10",)
    batch = mo.decide_many([d.request, d.request])
    assert [x.verdict for x in batch] == [charter.Verdict.ALLOW] * 2
    tl = mo.timeline(at="2026-01-01")
    assert [e["date"] for e in tl["entries"]][:2] == ["2019-07-22", "2023-01-23"]
    assert "V4.C10" in {c["id"] for c in tl["in_force"]}


def test_decision_json_schema(mo: charter.Scenario) -> None:
    d = mo.decide(
        at="2025-03-01",
        principal="openai",
        action="run",
        provider="gcp",
        kind="training",
        new_capacity=True,
    )
    j = d.to_json()
    assert j["verdict"] == "conditional"
    assert j["obligations"] == [
        {
            "kind": "rofr",
            "party": "microsoft",
            "detail": j["obligations"][0]["detail"],
            "clause": "V3.C6",
        }
    ]
    (c,) = j["clauses"]
    assert {"id", "effect", "amendment", "kind", "confidence", "sources", "uncertain"} <= set(c)
    assert c["effect"] == "obligation" and c["amendment"] == "2025-01-21"
    assert isinstance(j["uncertain"], bool) and isinstance(j["note"], str)
