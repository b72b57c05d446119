"""Authorization, in one place.

Every route has an entry in :data:`ROUTES` (a test fails for a route without one): who may
call it at all (anonymous, any authenticated role, operators only). What a caller may see of a
resource, and whether it may act on it, is decided here too (:func:`can_see_event`,
:func:`redact`, :func:`may_respond`) so that handlers never improvise access rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["ROUTES", "Caller", "can_see_event", "redact"]


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
}


def allowed(op: str, caller: Caller | None) -> bool:
    need = ROUTES[op]
    if need == "anonymous":
        return True
    if caller is None:
        return False
    return need == "viewer" or caller.role == "operator"


def can_see_event(caller: Caller, audience: tuple[str, ...]) -> bool:
    """A party sees an event only if it is in the event's audience."""
    return caller.party in audience


def redact(caller: Caller, actor: str, payload: dict[str, Any]) -> dict[str, Any]:
    """Fields under ``private`` are visible to the acting party only (e.g. the third party
    behind a ROFR request is hidden from the holder)."""
    if caller.party == actor or "private" not in payload:
        return payload
    return {k: v for k, v in payload.items() if k != "private"}
