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

import contextlib
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
from charter.ledger.projections import Rebuilt, compare, index_event, subject_of
from charter.ledger.rows import EventRow, ViewRow
from charter.ledger.signing import Tampered, check_checkpoint

if TYPE_CHECKING:
    from charter.ledger.db import Database
    from charter.ledger.signing import Verifier

#: where a session lists the events it appended (for the write's receipt)
APPENDED = "charter_appended"
#: where a session names the idempotency record its appends belong to (see ``idem``)
IDEM = "charter_idem"

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


def _content(
    seq: int,
    at: dt.datetime,
    kind: str,
    actor: str,
    audience: str,
    payload: str,
    idem: str | None = None,
) -> str:
    content: dict[str, Any] = {
        "seq": seq,
        "at": _utc_naive(at).isoformat(timespec="microseconds"),
        "kind": kind,
        "actor": actor,
        "audience": json.loads(audience),
        "payload": json.loads(payload),
    }
    if idem is not None:  # events from before idempotency was chained have none
        content["idem"] = idem
    return canonical(content)


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
        self._cache = _TreeCache()

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
        at = _utc_naive(at)
        aud = canonical(sorted(set(audience)))
        body = canonical(payload)
        idem = session.info.get(IDEM)
        root = signature = None
        if self.db is None:  # an unsigned ledger: the head from the database
            head = session.execute(
                select(EventRow.seq, EventRow.hash).order_by(EventRow.seq.desc()).limit(1)
            ).first()
            seq, prev = ((head[0] + 1), head[1]) if head else (1, GENESIS)
            content_hash = _sha(_content(seq, at, kind, actor, aud, body, idem))
            entry = _sha(prev + content_hash)
        else:
            with self._cache.lock:
                seq, prev = self._cache.next_in(session, self.db.signer.seen)
                content_hash = _sha(_content(seq, at, kind, actor, aud, body, idem))
                entry = _sha(prev + content_hash)
                root = self._cache.add(entry)
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
            subject=subject_of(kind, payload),
            idem=idem,
        )
        session.add(row)
        index_event(
            session,
            seq=seq,
            kind=kind,
            actor=actor,
            audience=audience,
            audience_json=aud,
            payload=payload,
        )
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
        seen_by: str | None = None,
        subject: str | None = None,
    ) -> Iterator[LedgerEvent]:
        """Events after ``after`` in order, of ``kinds``; only those party ``seen_by`` is in
        the audience of, or those about ``subject``, read by index (see
        :mod:`charter.ledger.projections`)."""
        q = select(EventRow).where(EventRow.seq > after)
        if seen_by is not None:
            q = q.join(ViewRow, ViewRow.seq == EventRow.seq).where(
                ViewRow.party == seen_by, ViewRow.seq > after
            )
            if kinds:
                q = q.where(ViewRow.kind.in_(list(kinds)))
            q = q.order_by(ViewRow.seq)
        else:
            q = q.order_by(EventRow.seq)
        if subject is not None:
            q = q.where(EventRow.subject == subject)
        if kinds:
            q = q.where(EventRow.kind.in_(list(kinds)))
        if limit is not None:
            q = q.limit(limit)
        for row in session.execute(q).scalars():
            yield _event(row)

    def tree(self, session: Session) -> Tree:
        """The Merkle tree of the log as the database holds it now, built from every event."""
        q = select(EventRow.hash).order_by(EventRow.seq)
        return Tree(leaf_hash(h) for h in session.execute(q).scalars())

    @contextlib.contextmanager
    def current_tree(self, session: Session) -> Iterator[tuple[Tree, int]]:
        """This process's cached tree brought up to the committed log as ``session`` sees it
        (reading only the events it has not seen) and the number of its leaves that are
        committed (the proofs use no more), held while the block reads it; a log that lost
        or changed an event the cache holds is refused (:class:`Tampered`)."""
        with self._cache.lock:
            seen = self.db.signer.seen if self.db is not None else 0
            self._cache.settle(session, writer=False, seen=seen)
            yield self._cache.tree, self._cache.committed

    def verify(
        self,
        session: Session,
        checkpoints: Sequence[dict[str, Any]] = (),
        *,
        signatures: str = "all",
        verifier: Verifier | None = None,
    ) -> VerifyResult:
        """Recompute every link, content hash and Merkle root, check the server's signatures,
        that the log extends each of ``checkpoints`` (signed ``{size, root}``; the server's
        own last one is always among them) and that the read indexes agree with the events
        (:mod:`charter.ledger.projections`); report the first failure.

        Args:
            signatures: ``"all"``: every event's signature; ``"head"``: the last event's only,
                which is enough to prove every event is the server's (its signed root commits
                to each event's hash, so no event before it can change, go or come without
                the key), but not that an older event's own signature bytes are intact;
                ``"none"``: no signature (links, roots and checkpoints still are checked).
            verifier: the public key to check with (default: the server's own key).
        """
        if verifier is None and self.db is not None and signatures != "none":
            if not self.db.has_signing_key():
                raise Tampered(f"no signing key at {self.db.key_path} to check signatures with")
            verifier = self.db.signer.verifier
        kept = list(checkpoints)
        has_key = self.db is not None and self.db.has_signing_key()
        if self.db is not None and has_key and (own := self.db.signer.last()) is not None:
            kept.append(own)
        for cp in kept:
            why = check_checkpoint(cp, verifier.public if verifier is not None else None)
            if why is not None:
                return VerifyResult(False, 0, GENESIS, int(cp.get("size") or 0), why)
        by_size: dict[int, list[dict[str, Any]]] = {}
        for cp in kept:
            by_size.setdefault(int(cp["size"]), []).append(cp)
        walk = _Walk(by_size, verifier if signatures == "all" else None)
        if (bad := walk.start()) is not None:
            return bad
        for row in session.execute(select(*_VERIFIED).order_by(EventRow.seq)):
            if (bad := walk.step(row)) is not None:
                return bad
        if (bad := walk.finish(verifier if signatures == "head" else None)) is not None:
            return bad
        if (why := compare(session, walk.rebuilt)) is not None:
            return VerifyResult(False, walk.n, walk.prev, None, why)
        return VerifyResult(True, walk.n, walk.prev, root=walk.tree.root().hex())


class _TreeCache:
    """This process's Merkle tree of the log: the committed events' leaves, then those of
    the one write transaction that may be open (the ledger's lock admits one at a time).

    An open transaction's leaves count as committed once a later reader or writer finds
    their events in the database; a writer that finds them missing drops them (that
    transaction rolled back). So appends read nothing but what others committed since, and
    a proof never covers an event that is not committed.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.tree = Tree()
        self.committed = 0  # leaves known committed
        self.committed_hash = GENESIS  # the hash of the event at ``committed``
        self.pending: list[str] = []  # the open transaction's event hashes, in order
        self.txn: object | None = None  # that transaction

    def next_in(self, session: Session, seen: int) -> tuple[int, str]:
        """The sequence number and predecessor hash of the next event ``session`` appends
        (holding the ledger's lock); the first one of a transaction settles the cache."""
        txn = session.get_transaction()
        if txn is None or txn is not self.txn:
            self.settle(session, writer=True, seen=seen)
            self.txn = txn
        prev = self.pending[-1] if self.pending else self.committed_hash
        return self.tree.size + 1, prev

    def add(self, entry: str) -> str:
        """Append the open transaction's next event; the root at its size (hex)."""
        self.tree.append(leaf_hash(entry))
        self.pending.append(entry)
        return self.tree.root().hex()

    def settle(self, session: Session, *, writer: bool, seen: int) -> None:
        """Fold in what ``session`` sees committed: an earlier transaction's leaves (or, for
        a ``writer``, whose session sees only committed events, drop them if they are not
        there), then the events committed since, by this process or any other.

        Raises:
            Tampered: an event the cache holds is gone or changed, or the log is shorter
                than what this server acknowledged (``seen``).
        """
        if self.pending:
            stored = session.execute(
                select(EventRow.hash)
                .where(EventRow.seq > self.committed, EventRow.seq <= self.tree.size)
                .order_by(EventRow.seq)
            ).scalars()
            if list(stored) == self.pending:
                self.committed, self.committed_hash = self.tree.size, self.pending[-1]
            elif writer:  # that transaction rolled back: its events never were
                self.tree.truncate(self.committed)
            else:  # still open in another session: the committed part is what counts
                return
            self.pending, self.txn = [], None
        if self.committed:
            at = session.execute(
                select(EventRow.hash).where(EventRow.seq == self.committed)
            ).scalar_one_or_none()
            if at != self.committed_hash:
                raise Tampered(
                    f"the ledger lost or changed event {self.committed}, which this server "
                    "wrote: the database was truncated or rewritten; run `charter ledger verify`"
                )
        for h in session.execute(
            select(EventRow.hash).where(EventRow.seq > self.committed).order_by(EventRow.seq)
        ).scalars():
            self.tree.append(leaf_hash(h))
            self.committed_hash = h
        self.committed = self.tree.size
        if self.committed < seen:
            raise Tampered(
                f"the ledger has {self.committed} events, but this server acknowledged "
                f"{seen}: the database was truncated; run `charter ledger verify`"
            )


#: the columns verification reads, in order
_VERIFIED = (
    EventRow.seq,
    EventRow.at,
    EventRow.kind,
    EventRow.actor,
    EventRow.audience,
    EventRow.payload,
    EventRow.prev_hash,
    EventRow.content_hash,
    EventRow.hash,
    EventRow.root,
    EventRow.signature,
    EventRow.subject,
    EventRow.idem,
)


class _Walk:
    """One pass over the log in order: each row's link, content, hash, root, subject and
    (with a ``verifier``) signature, the kept checkpoints at their sizes, and the indexes
    rebuilt as it goes."""

    def __init__(self, by_size: dict[int, list[dict[str, Any]]], verifier: Verifier | None):
        self.by_size = by_size
        self.verifier = verifier
        self.prev = GENESIS
        self.n = 0
        self.tree = Tree()
        self.rebuilt = Rebuilt()
        self.last: Any = None

    def _bad(self, seq: int | None, why: str) -> VerifyResult:
        return VerifyResult(False, self.n, self.prev, seq, why)

    def start(self) -> VerifyResult | None:
        for cp in self.by_size.get(0, []):
            if cp["root"] != self.tree.root().hex():
                return self._bad(0, "not the empty log's root")
        return None

    def step(self, row: Any) -> VerifyResult | None:
        self.n += 1
        seq = row.seq
        if seq != self.n:
            return self._bad(
                seq, f"expected event {self.n}, found {seq}: an event is missing or out of order"
            )
        if row.prev_hash != self.prev:
            return self._bad(
                seq,
                "the link to the previous event does not match: events were deleted, "
                "inserted or reordered",
            )
        content = _sha(
            _content(seq, row.at, row.kind, row.actor, row.audience, row.payload, row.idem)
        )
        if content != row.content_hash:
            return self._bad(seq, "the event's content was changed")
        if _sha(self.prev + content) != row.hash:
            return self._bad(seq, "the event's hash does not match")
        payload = json.loads(row.payload)
        if row.subject != subject_of(row.kind, payload):
            return self._bad(seq, "the event's subject is not its payload's: it was edited")
        self.rebuilt.add(
            seq=seq, kind=row.kind, actor=row.actor, audience_json=row.audience, payload=payload
        )
        self.tree.append(leaf_hash(row.hash))
        root = self.tree.root().hex()
        for cp in self.by_size.get(seq, []):
            if cp["root"] != root:
                return self._bad(
                    seq,
                    f"the log does not extend the signed checkpoint at size {seq}: events up "
                    "to it were edited, deleted, inserted or rewritten",
                )
        if row.root is not None and row.root != root:
            return self._bad(seq, _UNSIGNED)
        if self.verifier is not None and not self.verifier.event_ok(seq, root, row.signature):
            return self._bad(seq, _UNSIGNED)
        self.prev = row.hash
        self.last = row
        return None

    def finish(self, head_verifier: Verifier | None) -> VerifyResult | None:
        """The head's signature (``head_verifier``), and whether a kept checkpoint covers more
        than the log holds (a truncation)."""
        last = self.last
        if (
            head_verifier is not None
            and last is not None
            and (
                last.root is None or not head_verifier.event_ok(last.seq, last.root, last.signature)
            )
        ):
            return self._bad(last.seq, _UNSIGNED)
        top = max(self.by_size, default=0)
        if top > self.n:
            what = "all of them" if self.n == 0 else f"the last {top - self.n}"
            return self._bad(
                self.n + 1,
                f"the log has {self.n} events but a signed checkpoint covers {top}: it was "
                f"truncated ({what} removed)",
            )
        return None


_UNSIGNED = (
    "the event carries no valid server signature of the log at its size: it was forged, "
    "edited and rehashed, or rewritten without the key"
)
