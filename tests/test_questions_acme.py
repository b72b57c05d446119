"""Questions over the synthetic ``acme-cloud`` scenario: the same engine, another company."""

from __future__ import annotations

from typing import Any

import pytest

import charter

ACME = {"principal": "acme", "action": "run"}

QUESTIONS: list[tuple[str, dict[str, Any], dict[str, str] | None, str, set[str]]] = [
    (
        "training on lambda under exclusivity",
        {"at": "2025-01-01", "provider": "lambda", "kind": "training"},
        None,
        "deny",
        {"C1.X1"},
    ),
    (
        "training on coreweave satisfies it",
        {"at": "2025-01-01", "provider": "coreweave", "kind": "training"},
        None,
        "allow",
        {"C1.X1"},
    ),
    (
        "public-sector training on aws is carved out",
        {"at": "2025-01-01", "provider": "aws", "kind": "training", "segment": "public-sector"},
        None,
        "allow",
        {"C1.X2"},
    ),
    (
        "public-sector training on lambda is not",
        {"at": "2025-01-01", "provider": "lambda", "kind": "training", "segment": "public-sector"},
        None,
        "deny",
        {"C1.X1"},
    ),
    (
        "tpu training on gcp needs the criteria",
        {"at": "2025-01-01", "provider": "gcp", "kind": "training"},
        None,
        "conditional",
        {"C1.X3"},
    ),
    (
        "exclusivity ends after february 2026",
        {"at": "2026-03-01", "provider": "lambda", "kind": "training"},
        None,
        "allow",
        {"C1.X1"},
    ),
    (
        "a gpu shortfall ends it early",
        {"at": "2025-05-01", "provider": "lambda", "kind": "training"},
        {"gpu_shortfall": "2025-04-01"},
        "allow",
        {"C1.X1"},
    ),
    (
        "new serving capacity goes to aws first",
        {"at": "2025-03-01", "provider": "gcp", "kind": "product-serving", "new_capacity": True},
        None,
        "conditional",
        {"A1.C2"},
    ),
    (
        "new serving capacity on aws satisfies the rofr",
        {"at": "2025-03-01", "provider": "aws", "kind": "inference", "new_capacity": True},
        None,
        "allow",
        {"A1.C2"},
    ),
    (
        "after the renewal the rofr is gone",
        {"at": "2025-08-01", "provider": "gcp", "kind": "product-serving", "new_capacity": True},
        None,
        "allow",
        {"A2.C1"},
    ),
    (
        "batch anywhere",
        {"at": "2025-03-01", "provider": "lambda", "kind": "batch"},
        None,
        "allow",
        set(),
    ),
]


@pytest.mark.parametrize(
    ("request_kw", "events", "verdict", "clauses"),
    [q[1:] for q in QUESTIONS],
    ids=[q[0] for q in QUESTIONS],
)
def test_acme_question(
    acme: charter.Scenario,
    request_kw: dict[str, Any],
    events: dict[str, str] | None,
    verdict: str,
    clauses: set[str],
) -> None:
    d = acme.decide(**ACME, **request_kw, events=events)
    assert d.verdict.value == verdict
    assert set(d.clause_ids) == clauses


def test_acme_ip_grant_ends(acme: charter.Scenario) -> None:
    q = {"principal": "amazon", "action": "access", "artifact_kind": "product"}
    assert acme.decide(at="2025-06-01", **q).verdict.value == "allow"
    assert acme.decide(at="2026-06-01", **q).verdict.value == "deny"
