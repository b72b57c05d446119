"""``/v1/decisions``: the same answers as ``charter decide``, for the caller or a party it
shares an agreement with; the caller sees the clauses of its own agreements only
(:func:`charter.service.policy.decision_view`). No database."""

from typing import Any

from fastapi import APIRouter

from charter.ledger.store import Forbidden
from charter.scenario import Scenario
from charter.service.deps import CallerDep, ServiceDep, operation
from charter.service.policy import Caller, decision_view, may_ask_for
from charter.service.schemas import (
    DecisionBatchCreate,
    DecisionBatchPublic,
    DecisionCreate,
    DecisionPublic,
)

router = APIRouter(tags=["decisions"])


def decide_one(scenario: Scenario, caller: Caller, body: DecisionCreate) -> dict[str, Any]:
    """One decision's JSON; :class:`Forbidden` for a principal the caller may not ask for."""
    agreements = (ag.parties for ag in scenario.data.agreements)
    if not may_ask_for(caller, body.principal, agreements):
        raise Forbidden(f"{caller.party} shares no agreement with {body.principal}")
    # declared attributes arrive as extra fields; Scenario.request checks their names and
    # values against the vocabulary (a RequestError is a 422)
    values = body.model_dump(exclude={"events", "lang"})
    decision = scenario.decide(events=body.events or None, lang=body.lang, **values).to_json()
    clause_agreement = {r.id: r.agreement for r in scenario.clauses}
    parties = {ag.id: ag.parties for ag in scenario.data.agreements}
    return decision_view(caller, decision, clause_agreement, parties)


@router.post("/v1/decisions", **operation("decide", DecisionPublic))
def decide(body: DecisionCreate, service: ServiceDep, caller: CallerDep) -> dict[str, Any]:
    return decide_one(service.store.scenario, caller, body)


@router.post("/v1/decisions/batch", **operation("decide_batch", DecisionBatchPublic))
def decide_batch(
    body: DecisionBatchCreate, service: ServiceDep, caller: CallerDep
) -> dict[str, Any]:
    scenario = service.store.scenario
    return {"decisions": [decide_one(scenario, caller, r) for r in body.requests]}
