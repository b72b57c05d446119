"""The ledger as a party sees it: its events, paged, and the chain's verification."""

from __future__ import annotations

from typing import Any

from charter.ledger.chain import GENESIS
from charter.ledger.store import Store
from charter.service.policy import Caller, can_see_event, redact

__all__ = ["list_events", "verify_chain"]


def list_events(
    store: Store, *, caller: Caller, after: int = 0, limit: int = 100, kind: str | None = None
) -> dict[str, Any]:
    """Up to ``limit`` events after ``after`` (of ``kind``) that ``caller`` may see, their
    private fields redacted; ``next_after`` is the last of them (``after`` when there is
    none): never the sequence number of an event the caller may not see."""
    out = []
    last = after
    with store.db.reader() as s:
        for e in store.ledger.events(s, kinds=[kind] if kind else None, after=after):
            if can_see_event(caller, e.audience):
                last = e.seq
                j = e.to_json()
                j["payload"] = redact(caller, e.actor, e.payload)
                out.append(j)
                if len(out) >= limit:
                    break
    return {"events": out, "next_after": last}


def verify_chain(store: Store, caller: Caller | None = None) -> dict[str, Any]:
    """Recompute every link: intact, or the first broken one (see :meth:`Ledger.verify`).

    For a ``caller``, ``events`` and ``head`` are those of the events it may see (their
    count, the last one's hash) and ``broken_at`` names a broken event only if it may see
    it: the chain's global length and head say how much others recorded."""
    with store.db.reader() as s:
        result = store.ledger.verify(s).to_json()
        if caller is None:
            return result
        seen, head, visible = 0, GENESIS, set()
        for e in store.ledger.events(s):
            if can_see_event(caller, e.audience):
                seen, head = seen + 1, e.hash
                visible.add(e.seq)
    result.update(events=seen, head=head)
    if result.get("broken_at") is not None and result["broken_at"] not in visible:
        result.update(broken_at=None, reason="the chain is broken at an event you may not see")
    return result
