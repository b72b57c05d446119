"""The ledger as a party sees it: its events, paged, and the chain's verification."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from charter.ledger.chain import GENESIS
from charter.ledger.rows import EventRow, ViewRow
from charter.ledger.signing import Verifier
from charter.ledger.store import Store
from charter.service.policy import Caller, can_see_event, redact

__all__ = [
    "LedgerChecks",
    "check_start",
    "checkpoint",
    "list_events",
    "proof",
    "verify_chain",
]


def list_events(
    store: Store, *, caller: Caller, after: int = 0, limit: int = 100, kind: str | None = None
) -> dict[str, Any]:
    """Up to ``limit`` events after ``after`` (of ``kind``) that ``caller`` may see, their
    private fields redacted, read through the audience index; ``next_after`` is the last of
    them (``after`` when there is none): never the sequence number of an event the caller
    may not see."""
    out = []
    last = after
    with store.db.reader() as s:
        kinds = [kind] if kind else None
        for e in store.ledger.events(
            s, kinds=kinds, after=after, limit=limit, seen_by=caller.party
        ):
            if can_see_event(caller, e.audience):
                last = e.seq
                j = e.to_json()
                j["payload"] = redact(caller, e.actor, e.payload)
                out.append(j)
    return {"events": out, "next_after": last}


def verify_chain(
    store: Store,
    checkpoints: Sequence[dict[str, Any]] = (),
    caller: Caller | None = None,
    *,
    signatures: str = "all",
    verifier: Verifier | None = None,
) -> dict[str, Any]:
    """Recompute every link, root, signature and index and check the log extends
    ``checkpoints`` (and the server's own last one): intact, or the first failure (see
    :meth:`Ledger.verify`); then the tokens and idempotency records against their
    signatures and the ledger's events.

    For a ``caller``, ``events`` and ``head`` are those of the events it may see (their
    count, the last one's hash) and ``broken_at`` names a broken event only if it may see
    it: the chain's global length and head say how much others recorded."""
    from charter.ledger.idempotency import idempotency_problems
    from charter.ledger.tokens import token_problems

    if verifier is None and signatures != "none":
        verifier = store.db.signer.verifier
    with store.db.snapshot() as s:
        result: dict[str, Any] = store.ledger.verify(
            s, checkpoints, signatures=signatures, verifier=verifier
        ).to_json()
        for problems in (token_problems, idempotency_problems):
            if result["ok"] and (why := problems(s, verifier)) is not None:
                result = {**result, "ok": False, "reason": why}
        if caller is None:
            return result
        return _scoped(s, result, caller, None)


def _scoped(s: Session, result: dict[str, Any], caller: Caller, upto: int | None) -> dict[str, Any]:
    """``result`` with ``events`` and ``head`` those of the events (up to ``upto``) the
    caller may see, and ``broken_at`` named only if it is one of them: the chain's global
    length and head say how much others recorded."""
    mine = ViewRow.party == caller.party
    if upto is not None:
        mine = mine & (ViewRow.seq <= upto)
    seen, last = s.execute(select(func.count(), func.max(ViewRow.seq)).where(mine)).one()
    head = GENESIS
    if last is not None:
        head = s.execute(select(EventRow.hash).where(EventRow.seq == last)).scalar() or head
    broken = result.get("broken_at")
    hidden = (
        broken is not None
        and not s.execute(
            select(func.count())
            .select_from(ViewRow)
            .where(ViewRow.party == caller.party, ViewRow.seq == broken)
        ).scalar()
    )
    exists = (
        broken is not None
        and s.execute(
            select(func.count()).select_from(EventRow).where(EventRow.seq == broken)
        ).scalar()
    )
    result = {**result, "events": seen, "head": head}
    # a break at an event the caller may not see is not named; a break past the log's end
    # (a truncation) names no one's event and is reported as it is
    if hidden and exists:
        result.update(broken_at=None, reason="the chain is broken at an event you may not see")
    return result


def checkpoint(store: Store) -> dict[str, Any]:
    """The signed checkpoint at the log's current size (its last event's, or a fresh one
    for the empty log)."""
    with store.db.reader() as s:
        row = s.execute(select(EventRow).order_by(EventRow.seq.desc()).limit(1)).scalar()
    signer = store.db.signer
    if row is None or row.root is None:
        with store.db.reader() as s, store.ledger.current_tree(s) as (tree, size):
            return signer.sign(size, tree.root(size).hex())
    from charter.ledger.idempotency import receipt

    cp: dict[str, Any] = receipt(store.db, row)["checkpoint"]
    return cp


def proof(store: Store, *, old: int | None = None, seq: int | None = None) -> dict[str, Any]:
    """The current checkpoint, with the consistency proof from size ``old`` and the
    inclusion proof of event ``seq`` in it (hex hashes)."""
    from charter.ledger.store import InvalidRequest

    cp = checkpoint(store)
    out: dict[str, Any] = {"checkpoint": cp}
    with store.db.reader() as s, store.ledger.current_tree(s) as (tree, committed):
        size = min(int(cp["size"]), committed)
        if old is not None:
            if old > size:
                msg = f"the log has {size} events, fewer than {old}"
                raise InvalidRequest(msg, ["query", "old"])
            out["consistency"] = [h.hex() for h in tree.consistency(old, size)]
        if seq is not None:
            if not 1 <= seq <= size:
                raise InvalidRequest(f"no event {seq} in a log of {size}", ["query", "seq"])
            out["inclusion"] = [h.hex() for h in tree.inclusion(seq - 1, size)]
    return out


def check_start(store: Store) -> None:
    """Refuse (:class:`~charter.ledger.signing.Tampered`) a database whose log does not
    extend the server's own last checkpoint, or holds events after it the server did not
    sign."""
    from charter.ledger.signing import Tampered

    signer = store.db.signer
    last = signer.last()
    if last is None:
        return
    size = int(last["size"])
    with store.db.reader() as s:
        tree = store.ledger.tree(s)  # from the database alone, not this process's cache
        where = f"the database {store.db.shown_url}"
        if tree.size < size:
            raise Tampered(
                f"{where} is behind this server's last checkpoint: it has {tree.size} events, "
                f"the server signed {size} (checkpoint {signer.checkpoint_file}); it was "
                "truncated or restored from an older copy. Refusing to start: restore the "
                "database, or move the checkpoint file away to accept the loss"
            )
        if tree.root(size).hex() != last["root"]:
            raise Tampered(
                f"{where} does not extend this server's last checkpoint at size {size}: "
                "events it covers were edited, deleted, inserted or rewritten. Refusing to "
                "start; run `charter ledger verify`"
            )
        for row in s.execute(select(EventRow).where(EventRow.seq > size)).scalars():
            if row.root != tree.root(row.seq).hex() or not signer.event_ok(
                row.seq, row.root, row.signature
            ):
                raise Tampered(
                    f"{where} holds event {row.seq}, which this server did not sign (a forged "
                    "append). Refusing to start; run `charter ledger verify`"
                )


class LedgerChecks:
    """The service's verification of the whole log, shared by every caller.

    A full verification reads every event (about 1 s at 20,000 on a small machine), so the
    service runs one at a time and reuses its result for up to ``ttl`` seconds while the
    event it verified last is still in place (the same sequence number and hash): whoever
    asks meanwhile gets the result at once, with ``verified_at``, and a log cut below that
    event is verified again at once. An event appended or forged after it, or an edit
    further back, is found by the next full verification, within ``ttl`` (0: every call
    verifies in full). Parties' own proof is their kept checkpoints and receipts (see
    :func:`proof`), which no cache stands between.
    """

    def __init__(self, ttl: float) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._result: dict[str, Any] | None = None
        self._head: tuple[int, str] | None = None
        self._at = 0.0
        self._stamp = ""

    def result(self, store: Store, caller: Caller) -> dict[str, Any]:
        """The verification as ``caller`` may see it (see :func:`verify_chain`)."""
        with self._lock:
            if not self._fresh(store):
                whole = verify_chain(store, signatures="head")
                # an intact log is kept for reuse, up to the last event it covered
                self._result = whole if whole["ok"] else None
                self._head = (int(whole["events"]), str(whole["head"])) if whole["events"] else None
                self._at = time.monotonic()
                self._stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            else:
                whole = self._result or {}
            head = self._head
        # intact: the events up to the last one verified; broken: all the caller's events
        upto = None if not whole.get("ok") else (head[0] if head is not None else 0)
        with store.db.reader() as s:
            scoped = _scoped(s, whole, caller, upto)
        return {**scoped, "verified_at": self._stamp}

    def _fresh(self, store: Store) -> bool:
        if self._result is None or time.monotonic() - self._at >= self.ttl:
            return False
        if self._head is None:
            return True
        seq, hash_ = self._head
        with store.db.reader() as s:
            now = s.execute(select(EventRow.hash).where(EventRow.seq == seq)).scalar()
        return now == hash_
