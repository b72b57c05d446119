"""Authorization, in one place.

Every route has an entry in :data:`ROUTES` (a test fails for a route without one): who may
call it at all (anonymous, any authenticated role, operators only); routes declare their
operation id with :func:`charter.service.deps.operation`, which enforces the entry. What a
caller may see of a resource, and whether it may act on it, is decided here too
(:func:`may_ask_for`, :func:`can_see_event`, :func:`redact`, :func:`request_view`,
:func:`may_answer`, :func:`may_see_statement`, :func:`sees_commitment`), so that neither
handlers nor workflows improvise access rules. Imports neither FastAPI nor SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "ROLES",
    "ROUTES",
    "Caller",
    "allowed",
    "can_see_event",
    "decision_view",
    "may_answer",
    "may_ask_for",
    "may_see_statement",
    "may_write_with",
    "redact",
    "request_view",
    "sees_commitment",
]

#: the roles a token can have: viewers read, operators also write
ROLES = ("viewer", "operator")


@dataclass(frozen=True)
class Caller:
    party: str
    role: str  # viewer | operator


#: operation id → who may call it: "anonymous", "viewer" (any role) or "operator".
ROUTES: dict[str, str] = {
    "health": "anonymous",
    "decide": "viewer",
    "decide_batch": "viewer",
    "rofr_file": "operator",
    "rofr_list": "viewer",
    "rofr_get": "viewer",
    "rofr_match": "operator",
    "rofr_decline": "operator",
    "spend_record": "operator",
    "spend_import": "operator",
    "commitments": "viewer",
    "revenue_record": "operator",
    "revenue_statement": "viewer",
    "ledger_list": "viewer",
    "ledger_verify": "viewer",
    "ledger_checkpoint": "viewer",
    "ledger_proof": "viewer",
}


def allowed(op: str, caller: Caller | None) -> bool:
    """Whether ``caller`` (None: anonymous) may call operation ``op`` at all."""
    need = ROUTES[op]
    if need == "anonymous":
        return True
    if caller is None:
        return False
    return need == "viewer" or caller.role == "operator"


def may_ask_for(caller: Caller, principal: str, agreements: Iterable[Iterable[str]]) -> bool:
    """A caller asks decisions for itself or for a party it shares an agreement with
    (``agreements``: each agreement's parties)."""
    if principal == caller.party:
        return True
    return any(caller.party in ps and principal in ps for ps in map(tuple, agreements))


def may_write_with(caller: Caller, counterparty: str, agreements: Iterable[Iterable[str]]) -> bool:
    """A caller writes spend or revenue only with a counterparty of an agreement it is party
    to (``agreements``: each agreement's parties): never with itself, never with a stranger."""
    if counterparty == caller.party:
        return False
    return any(caller.party in ps and counterparty in ps for ps in map(tuple, agreements))


def decision_view(
    caller: Caller,
    decision: dict[str, Any],
    clause_agreement: dict[str, str],
    parties: dict[str, Any],
) -> dict[str, Any]:
    """What ``caller`` sees of a decision (JSON) it asked for: the clauses, and obligations
    citing clauses, of agreements it is party to only (``clause_agreement``: clause id →
    agreement id; ``parties``: agreement id → its parties). When anything is left out, the
    note (which may cite it) is replaced by one saying so; the verdict stays, so a decision
    on another's behalf reveals whether agreements the caller is not party to bear on it."""

    def visible(clause: str | None) -> bool:
        agreement = clause_agreement.get(clause or "")
        return agreement is None or caller.party in parties.get(agreement, ())

    clauses = [c for c in decision.get("clauses", []) if visible(c.get("id"))]
    obligations = [o for o in decision.get("obligations", []) if visible(o.get("clause"))]
    if len(clauses) == len(decision.get("clauses", [])) and len(obligations) == len(
        decision.get("obligations", [])
    ):
        return decision
    note = (
        f"{decision['verdict']}: the decision rests on clauses of agreements {caller.party} "
        "is not party to, which are not shown"
    )
    return {**decision, "clauses": clauses, "obligations": obligations, "note": note}


def can_see_event(caller: Caller, audience: tuple[str, ...]) -> bool:
    """A party sees an event only if it is in the event's audience."""
    return caller.party in audience


def redact(caller: Caller, actor: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Fields under ``private`` are visible to the acting party only (e.g. the third party
    behind a ROFR request is hidden from the holder)."""
    if caller.party == actor or "private" not in payload:
        return payload
    return {k: v for k, v in payload.items() if k != "private"}


def request_view(caller: Caller, request: dict[str, Any]) -> dict[str, Any] | None:
    """What ``caller`` sees of a ROFR request: the principal all of it, the holder all but
    the third party's identity, anyone else nothing (None)."""
    if caller.party == request["principal"]:
        return request
    if caller.party == request.get("holder"):
        return redact(caller, request["principal"], request)
    return None


def may_answer(caller: Caller, request: dict[str, Any]) -> bool:
    """Only the holder of the right may match or decline a request."""
    return bool(request.get("holder") == caller.party)


def may_see_statement(caller: Caller, *, payer: str, payee: str) -> bool:
    """Only the payer and the payee see their revenue statement."""
    return caller.party in (payer, payee)


def sees_commitment(caller: Caller, *, payer: str, payee: str) -> bool:
    """A commitment's burn-down is seen by its payer and its payee."""
    return caller.party in (payer, payee)
