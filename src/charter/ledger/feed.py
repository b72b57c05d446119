"""The ledger as a party sees it: its events, paged, and the chain's verification."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select

from charter.ledger.chain import GENESIS
from charter.ledger.rows import EventRow, ViewRow
from charter.ledger.signing import Verifier
from charter.ledger.store import Store
from charter.service.policy import Caller, can_see_event, redact

__all__ = ["check_start", "checkpoint", "list_events", "proof", "verify_chain"]


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
    with store.db.reader() as s:
        result: dict[str, Any] = store.ledger.verify(
            s, checkpoints, signatures=signatures, verifier=verifier
        ).to_json()
        for problems in (token_problems, idempotency_problems):
            if result["ok"] and (why := problems(s, verifier)) is not None:
                result = {**result, "ok": False, "reason": why}
        if caller is None:
            return result
        seen, last = s.execute(
            select(func.count(), func.max(ViewRow.seq)).where(ViewRow.party == caller.party)
        ).one()
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
    result.update(events=seen, head=head)
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
        with store.db.reader() as s, store.ledger.current_tree(s) as tree:
            return signer.sign(tree.size, tree.root().hex())
    from charter.ledger.idempotency import receipt

    cp: dict[str, Any] = receipt(store.db, row)["checkpoint"]
    return cp


def proof(store: Store, *, old: int | None = None, seq: int | None = None) -> dict[str, Any]:
    """The current checkpoint, with the consistency proof from size ``old`` and the
    inclusion proof of event ``seq`` in it (hex hashes)."""
    from charter.ledger.store import InvalidRequest

    cp = checkpoint(store)
    out: dict[str, Any] = {"checkpoint": cp}
    with store.db.reader() as s, store.ledger.current_tree(s) as tree:
        size = min(int(cp["size"]), tree.size)
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
