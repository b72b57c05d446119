"""The append-only, hash-chained ledger.

Each event stores the hash of its canonical content (sequence number, time, kind, actor,
audience, payload) and its predecessor's hash; its own hash is SHA-256 of the two. Changing,
deleting or reordering any row breaks a link that :meth:`Ledger.verify` reports. Appends take
a write lock (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL) so concurrent
writers never fork the chain; the caller's transaction commits the event together with
whatever else the write records (e.g. its idempotency key).

Over the chain sits an RFC 6962 Merkle tree (:mod:`charter.ledger.merkle`): each event also
stores the tree's root at its size, signed with the server's Ed25519 key
(:mod:`charter.ledger.signing`), so every event is its own signed checkpoint and a write's
receipt; a row written by anyone without the key fails :meth:`Ledger.verify`, and a kept
checkpoint proves truncation or rewriting of what it covers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from charter.ledger.db import lock_ledger
from charter.ledger.merkle import Tree, leaf_hash
from charter.ledger.rows import EventRow
from charter.ledger.signing import Tampered, check_checkpoint

if TYPE_CHECKING:
    from charter.ledger.db import Database

#: where a session lists the events it appended (for the write's receipt)
APPENDED = "charter_appended"

__all__ = ["GENESIS", "Ledger", "LedgerEvent", "VerifyResult", "canonical"]

GENESIS = "0" * 64


def canonical(value: Any) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _utc_naive(at: dt.datetime) -> dt.datetime:
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at


def _sha(text_: str) -> str:
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LedgerEvent:
    seq: int
    at: dt.datetime
    kind: str
    actor: str
    audience: tuple[str, ...]
    payload: dict[str, Any]
    prev_hash: str
    hash: str

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "at": self.at.isoformat() + "Z",
            "kind": self.kind,
            "actor": self.actor,
            "audience": list(self.audience),
            "payload": self.payload,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    events: int
    head: str
    broken_at: int | None = None
    reason: str | None = None
    root: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "head": self.head,
            "broken_at": self.broken_at,
            "reason": self.reason,
            "root": self.root,
        }


def _content(seq: int, at: dt.datetime, kind: str, actor: str, audience: str, payload: str) -> str:
    return canonical(
        {
            "seq": seq,
            "at": _utc_naive(at).isoformat(timespec="microseconds"),
            "kind": kind,
            "actor": actor,
            "audience": json.loads(audience),
            "payload": json.loads(payload),
        }
    )


def _event(row: EventRow) -> LedgerEvent:
    return LedgerEvent(
        row.seq,
        _utc_naive(row.at),
        row.kind,
        row.actor,
        tuple(json.loads(row.audience)),
        json.loads(row.payload),
        row.prev_hash,
        row.hash,
    )


class Ledger:
    """Appends to and reads the chain, within a caller's session."""

    def __init__(self, is_sqlite: bool, db: Database | None = None) -> None:
        self.is_sqlite = is_sqlite
        self.db = db
        self._tree = Tree()
        self._tree_lock = threading.Lock()

    def _synced_tree(self, session: Session) -> Tree:
        """The cached tree, brought up to the committed log (under the append lock); a log
        shorter than what this process saw, or with another hash there, is refused."""
        tree = self._tree
        if tree.size:
            at = session.execute(
                select(EventRow.hash).where(EventRow.seq == tree.size)
            ).scalar_one_or_none()
            if at is None or leaf_hash(at) != tree.levels[0][-1]:
                raise Tampered(
                    f"the ledger lost or changed event {tree.size}, which this server wrote: "
                    "the database was truncated or rewritten; run `charter ledger verify`"
                )
        for h in session.execute(
            select(EventRow.hash).where(EventRow.seq > tree.size).order_by(EventRow.seq)
        ).scalars():
            tree.append(leaf_hash(h))
        if self.db is not None and tree.size < self.db.signer.seen:
            raise Tampered(
                f"the ledger has {tree.size} events, but this server acknowledged "
                f"{self.db.signer.seen}: the database was truncated; run `charter ledger verify`"
            )
        return tree

    def lock(self, session: Session) -> None:
        """Serialize appenders: the ledger's write lock (:func:`~charter.ledger.db.lock_ledger`;
        a workflow's transaction from :meth:`Database.writing` holds it already)."""
        lock_ledger(session, is_sqlite=self.is_sqlite)

    def append(
        self,
        session: Session,
        *,
        kind: str,
        actor: str,
        audience: Sequence[str],
        payload: dict[str, Any],
        at: dt.datetime,
    ) -> LedgerEvent:
        """Add one event at the head of the chain (the caller commits)."""
        self.lock(session)
        head = session.execute(
            select(EventRow.seq, EventRow.hash).order_by(EventRow.seq.desc()).limit(1)
        ).first()
        seq = (head[0] + 1) if head else 1
        prev = head[1] if head else GENESIS
        at = _utc_naive(at)
        aud = canonical(sorted(set(audience)))
        body = canonical(payload)
        content_hash = _sha(_content(seq, at, kind, actor, aud, body))
        entry = _sha(prev + content_hash)
        root = signature = None
        if self.db is not None:
            with self._tree_lock:
                tree = self._synced_tree(session)
                if tree.size != seq - 1:
                    raise Tampered(f"the ledger has {tree.size} events in its tree, not {seq - 1}")
                tree.append(leaf_hash(entry))
                root = tree.root().hex()
                tree.truncate(seq - 1)  # the cache holds committed events only
            signature = self.db.signer.sign(seq, root)["signature"]
        row = EventRow(
            seq=seq,
            at=at,
            kind=kind,
            actor=actor,
            audience=aud,
            payload=body,
            prev_hash=prev,
            content_hash=content_hash,
            hash=entry,
            root=root,
            signature=signature,
        )
        session.add(row)
        session.flush()
        event = _event(row)
        session.info.setdefault(APPENDED, []).append(row)
        return event

    def events(
        self,
        session: Session,
        *,
        kinds: Sequence[str] | None = None,
        after: int = 0,
        limit: int | None = None,
    ) -> Iterator[LedgerEvent]:
        q = select(EventRow).where(EventRow.seq > after).order_by(EventRow.seq)
        if kinds:
            q = q.where(EventRow.kind.in_(list(kinds)))
        if limit is not None:
            q = q.limit(limit)
        for row in session.execute(q).scalars():
            yield _event(row)

    def tree(self, session: Session) -> Tree:
        """The Merkle tree of the log as the database holds it now."""
        q = select(EventRow.hash).order_by(EventRow.seq)
        return Tree(leaf_hash(h) for h in session.execute(q).scalars())

    def verify(
        self,
        session: Session,
        checkpoints: Sequence[dict[str, Any]] = (),
        *,
        signatures: bool = True,
    ) -> VerifyResult:
        """Recompute every link, every event's Merkle root and signature (``signatures``,
        when the key is at hand), and check the log extends each of ``checkpoints`` (signed
        ``{size, root}``; the server's own last one is always among them); report the first
        failure."""
        prev = GENESIS
        expected = 1
        n = 0
        tree = Tree()
        signer = self.db.signer if (self.db is not None and signatures) else None
        kept = list(checkpoints)
        if self.db is not None:
            own = self.db.signer.last()
            if own is not None:
                kept.append(own)
        for cp in kept:
            why = check_checkpoint(cp, signer.public if signer is not None else None)
            if why is not None:
                return VerifyResult(False, 0, GENESIS, int(cp.get("size") or 0), why)
        by_size: dict[int, list[dict[str, Any]]] = {}
        for cp in kept:
            by_size.setdefault(int(cp["size"]), []).append(cp)
        for cp in by_size.get(0, []):
            if cp["root"] != tree.root().hex():
                return VerifyResult(False, 0, GENESIS, 0, "not the empty log's root")
        for row in session.execute(select(EventRow).order_by(EventRow.seq)).scalars():
            n += 1
            if row.seq != expected:
                return VerifyResult(
                    False,
                    n,
                    prev,
                    row.seq,
                    f"expected event {expected}, found "
                    f"{row.seq}: an event is missing or out of order",
                )
            if row.prev_hash != prev:
                return VerifyResult(
                    False,
                    n,
                    prev,
                    row.seq,
                    "the link to the previous event "
                    "does not match: events were deleted, inserted or reordered",
                )
            content = _sha(
                _content(row.seq, row.at, row.kind, row.actor, row.audience, row.payload)
            )
            if content != row.content_hash:
                return VerifyResult(False, n, prev, row.seq, "the event's content was changed")
            if _sha(prev + content) != row.hash:
                return VerifyResult(False, n, prev, row.seq, "the event's hash does not match")
            tree.append(leaf_hash(row.hash))
            root = tree.root().hex()
            for cp in by_size.get(row.seq, []):
                if cp["root"] != root:
                    return VerifyResult(
                        False,
                        n,
                        prev,
                        row.seq,
                        f"the log does not extend the signed checkpoint at size {row.seq}: "
                        "events up to it were edited, deleted, inserted or rewritten",
                    )
            if signer is not None and (
                row.root != root or not signer.event_ok(row.seq, root, row.signature)
            ):
                return VerifyResult(
                    False,
                    n,
                    prev,
                    row.seq,
                    "the event carries no valid server signature of the log at its size: "
                    "it was forged, edited and rehashed, or rewritten without the key",
                )
            prev = row.hash
            expected += 1
        top = max(by_size, default=0)
        if top > n:
            what = "all of them" if n == 0 else f"the last {top - n}"
            return VerifyResult(
                False,
                n,
                prev,
                n + 1,
                f"the log has {n} events but a signed checkpoint covers {top}: it was "
                f"truncated ({what} removed)",
            )
        return VerifyResult(True, n, prev, root=tree.root().hex())
