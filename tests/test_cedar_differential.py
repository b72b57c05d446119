"""Differential test: charter and Cedar (cedarpy) agree on placement decisions.

The placement rules of the 2025-01-21 and 2025-10-28 versions are written as Cedar policies in
benchmarks/cedar_placement.py; both engines answer the same generated requests.
"""

from __future__ import annotations

import cedarpy
import pytest

import charter
from benchmarks.cedar_placement import (
    POLICIES,
    cedar_requests,
    entities,
    random_requests,
    verdict_from_cedar,
)

N = 3000


@pytest.fixture(scope="module")
def scenario() -> charter.Scenario:
    return charter.load_scenario("microsoft-openai")


def test_policies_parse() -> None:
    cedarpy.PolicySet.from_str(POLICIES)


def test_charter_and_cedar_agree_on_every_request(scenario: charter.Scenario) -> None:
    reqs = random_requests(scenario, N)
    ours = scenario.decide_many(reqs)
    policies = cedarpy.PolicySet.from_str(POLICIES)
    ents = cedarpy.Entities.from_json_str(__import__("json").dumps(entities(scenario)))
    flat = [c for r in reqs for c in cedar_requests(r)]
    answers = cedarpy.is_authorized_batch(flat, policies, ents)
    seen = set()
    disagreements = []
    for i, r in enumerate(reqs):
        run_ok = answers[2 * i].allowed
        buy_ok = answers[2 * i + 1].allowed
        theirs = verdict_from_cedar(run_ok, buy_ok)
        mine = ours.verdict(i).value
        seen.add(mine)
        if mine != theirs:
            disagreements.append(f"{r.to_json()}: charter {mine}, cedar {theirs}")
    assert not disagreements, "\n".join(disagreements[:20])
    assert seen == {"allow", "deny", "conditional"}  # the sample exercises every verdict


def test_single_decisions_agree_too(scenario: charter.Scenario) -> None:
    policies = cedarpy.PolicySet.from_str(POLICIES)
    ents = cedarpy.Entities.from_json_str(__import__("json").dumps(entities(scenario)))
    for r in random_requests(scenario, 300, seed=11):
        run, buy = cedar_requests(r)
        theirs = verdict_from_cedar(
            cedarpy.is_authorized(run, policies, ents).allowed,
            cedarpy.is_authorized(buy, policies, ents).allowed,
        )
        assert scenario.decide(r).verdict.value == theirs, r.to_json()
