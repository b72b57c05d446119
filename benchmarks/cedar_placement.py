"""The placement rules of two versions of the bundled scenario, as Cedar policies.

Versions encoded: 2025-01-21 (V3) and 2025-10-28 (V4, with the 2026-02-27 clarification),
for requests dated 2025-01-21 to 2026-04-26. A charter question "may openai run this workload
on this provider" becomes two Cedar requests:

- ``Action::"run"``: forbidden by the API exclusivity clauses;
- ``Action::"buy-without-offering-first"``: forbidden by the right of first refusal.

charter's ``deny`` ⇔ run forbidden; ``conditional`` ⇔ run permitted and buying without
offering first forbidden; ``allow`` ⇔ both permitted. Used by the differential test
(tests/test_cedar_differential.py) and the benchmark (benchmarks/decide_bench.py).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import charter
from charter.dates import day_number

FIRST = dt.date(2025, 1, 21)
LAST = dt.date(2026, 4, 26)
V3 = day_number(dt.date(2025, 1, 21))
V4 = day_number(dt.date(2025, 10, 28))
CLARIFIED = day_number(dt.date(2026, 2, 27))
V5 = day_number(dt.date(2026, 4, 27))

POLICIES = f"""
// Everything not forbidden is permitted (running one's own workload defaults to allow).
@id("default")
permit(principal, action, resource);

// V3.C3: the OpenAI API is exclusive to Azure (2025-01-21 .. 2025-10-27).
@id("V3.C3")
forbid(principal == Party::"openai", action == Action::"run", resource)
when {{ context.day >= {V3} && context.day < {V4} && context.kind == "api" &&
        resource != Provider::"azure" }};

// V4.C3: API exclusivity until AGI; from 2026-02-27 stateless APIs only (clarification);
// V4.C11 carves out US national-security customers.
@id("V4.C3")
forbid(principal == Party::"openai", action == Action::"run", resource)
when {{ context.day >= {V4} && context.day < {V5} && context.kind == "api" &&
        resource != Provider::"azure" }}
unless {{ context.segment == "us-national-security" ||
          (context.day >= {CLARIFIED} && context.api == "stateful") }};

// V4.C9: API products developed with third parties stay on Azure (same narrowing and carve-out).
@id("V4.C9")
forbid(principal == Party::"openai", action == Action::"run", resource)
when {{ context.day >= {V4} && context.day < {V5} && context.kind == "api" &&
        context.codeveloped && resource != Provider::"azure" }}
unless {{ context.segment == "us-national-security" ||
          (context.day >= {CLARIFIED} && context.api == "stateful") }};

// V3.C6: new third-party capacity is offered to Microsoft first (2025-01-21 .. 2025-10-27);
// V3.C7 lifts it for training and research on OpenAI's own (Stargate) capacity.
@id("V3.C6")
forbid(principal == Party::"openai", action == Action::"buy-without-offering-first", resource)
when {{ context.day >= {V3} && context.day < {V4} && context.new_capacity &&
        resource.owner != Party::"microsoft" }}
unless {{ resource == Provider::"stargate" &&
          (context.kind == "training" || context.kind == "research") }};
"""


def entities(scenario: charter.Scenario) -> list[dict[str, Any]]:
    """Providers with their owners, and the parties."""
    out: list[dict[str, Any]] = [
        {"uid": {"__entity": {"type": "Party", "id": p}}, "attrs": {}, "parents": []}
        for p in scenario.parties
    ]
    for p in scenario.providers.values():
        out.append(
            {
                "uid": {"__entity": {"type": "Provider", "id": p.id}},
                "attrs": {"owner": {"__entity": {"type": "Party", "id": p.owner}}},
                "parents": [],
            }
        )
    return out


def random_requests(scenario: charter.Scenario, n: int, seed: int = 7) -> list[charter.Request]:
    """Placement questions spread over the two versions."""
    rng = random.Random(seed)
    span = (LAST - FIRST).days
    providers = sorted(scenario.providers)
    kinds = ("training", "research", "batch", "api", "product-serving", "inference")
    out = []
    for _ in range(n):
        out.append(
            scenario.request(
                at=FIRST + dt.timedelta(days=rng.randrange(span + 1)),
                principal=rng.choice(("openai", "openai", "openai", "microsoft")),
                action="run",
                provider=rng.choice(providers),
                kind=rng.choice(kinds),
                segment=rng.choice(("commercial", "commercial", "us-national-security")),
                new_capacity=rng.random() < 0.5,
                api=rng.choice((None, "stateless", "stateful")),
                codeveloped_with=rng.choice((None, None, "amazon")),
            )
        )
    return out


def cedar_requests(r: charter.Request) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two Cedar requests (run, buy without offering first) for one charter question."""
    context = {
        "day": day_number(r.at),
        "kind": r.kind or "",
        "segment": r.segment or "",
        "api": r.api or "",
        "new_capacity": r.new_capacity,
        "codeveloped": r.codeveloped_with is not None,
    }
    base = {
        "principal": f'Party::"{r.principal}"',
        "resource": f'Provider::"{r.provider}"',
        "context": context,
    }
    return (
        {**base, "action": 'Action::"run"'},
        {**base, "action": 'Action::"buy-without-offering-first"'},
    )


def verdict_from_cedar(run_allowed: bool, buy_allowed: bool) -> str:
    """charter's verdict word for the pair of Cedar answers."""
    if not run_allowed:
        return "deny"
    return "allow" if buy_allowed else "conditional"
