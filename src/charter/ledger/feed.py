"""The ledger as a party sees it: its events, paged, and the chain's verification."""

from __future__ import annotations

from typing import Any

from charter.ledger.store import Store
from charter.service.policy import Caller, can_see_event, redact

__all__ = ["list_events", "verify_chain"]


def list_events(
    store: Store, *, caller: Caller, after: int = 0, limit: int = 100, kind: str | None = None
) -> dict[str, Any]:
    """Up to ``limit`` events after ``after`` (of ``kind``) that ``caller`` may see, their
    private fields redacted; ``next_after`` is the last event looked at."""
    out = []
    last = after
    with store.db.reader() as s:
        for e in store.ledger.events(s, kinds=[kind] if kind else None, after=after):
            last = e.seq
            if can_see_event(caller, e.audience):
                j = e.to_json()
                j["payload"] = redact(caller, e.actor, e.payload)
                out.append(j)
                if len(out) >= limit:
                    break
    return {"events": out, "next_after": last}


def verify_chain(store: Store) -> dict[str, Any]:
    """Recompute every link: intact, or the first broken one (see :meth:`Ledger.verify`)."""
    with store.db.reader() as s:
        return store.ledger.verify(s).to_json()
