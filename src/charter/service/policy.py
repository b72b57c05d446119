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
    "may_answer",
    "may_ask_for",
    "may_see_statement",
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
