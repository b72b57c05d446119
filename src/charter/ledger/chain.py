"""The append-only, hash-chained ledger.

Each event stores the hash of its canonical content (sequence number, time, kind, actor,
audience, payload) and its predecessor's hash; its own hash is SHA-256 of the two. Changing,
deleting or reordering any row breaks a link that :meth:`Ledger.verify` reports. Appends take
a write lock (``BEGIN IMMEDIATE`` on SQLite, an advisory lock on PostgreSQL) so concurrent
writers never fork the chain; the caller's transaction commits the event together with
whatever else the write records (e.g. its idempotency key).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from charter.ledger.db import lock_ledger
from charter.ledger.rows import EventRow

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

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "events": self.events,
            "head": self.head,
            "broken_at": self.broken_at,
            "reason": self.reason,
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

    def __init__(self, is_sqlite: bool) -> None:
        self.is_sqlite = is_sqlite

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
        row = EventRow(
            seq=seq,
            at=at,
            kind=kind,
            actor=actor,
            audience=aud,
            payload=body,
            prev_hash=prev,
            content_hash=content_hash,
            hash=_sha(prev + content_hash),
        )
        session.add(row)
        session.flush()
        return _event(row)

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

    def verify(self, session: Session) -> VerifyResult:
        """Recompute every link; report the first broken one."""
        prev = GENESIS
        expected = 1
        n = 0
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
            prev = row.hash
            expected += 1
        return VerifyResult(True, n, prev)
