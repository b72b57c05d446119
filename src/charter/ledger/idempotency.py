"""Writes that happen once: one transaction per (party, ``Idempotency-Key``).

A write's work and its idempotency record commit together, so a retry with the same key and
the same request returns the first answer and records nothing twice; the same key with a
different request is refused. The transaction holds the ledger's write lock from its start
(:meth:`Database.writing`), before the key is looked up and before the write reads any state:
a concurrent retry waits, then finds the first answer and replays it, and a workflow's
decision (e.g. whether a ROFR request is still open) is made on the state it appends to.
A write's answer carries its signed receipt, and each record is signed by the server: a
replay of a record the server did not sign, or of an event no longer in the ledger, is
refused. Each event a keyed write appends carries :func:`idem_of` its party and key in its
hashed content, so a deleted record is found (by verification, and by the retry, which is
refused rather than written twice).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from charter.ledger.chain import APPENDED, IDEM, canonical
from charter.ledger.db import Database
from charter.ledger.rows import EventRow, IdempotencyRow
from charter.ledger.signing import Tampered, Verifier
from charter.ledger.store import InvalidRequest, Reply

__all__ = ["KEY_LOC", "check_key", "idem_of", "idempotency_problems", "once"]

KEY_LOC = ["header", "Idempotency-Key"]


def check_key(key: str | None) -> str:
    """``key`` if it is 1-200 characters long, else :class:`InvalidRequest`."""
    if not key or len(key) > 200:
        raise InvalidRequest("an Idempotency-Key header (1–200 characters) is required", KEY_LOC)
    return key


def idem_of(party: str, key: str) -> str:
    """What an event records of the write it belongs to: SHA-256 of party and key."""
    return hashlib.sha256(f"{party}\n{key}".encode()).hexdigest()


def once(
    db: Database,
    *,
    party: str,
    key: str | None,
    request: Any,
    now: dt.datetime,
    do: Callable[[Session], Reply],
) -> Reply:
    """Run ``do`` once per (``party``, ``key``) in one transaction with its record.

    Args:
        request: the request's JSON form; its canonical hash tells a retry from a reuse.
        do: the write, given the transaction's session; what it raises rolls everything back.

    Returns:
        ``do``'s reply, or on a retry the first reply as stored.

    Raises:
        InvalidRequest: no usable key, or the key was used for a different request.
    """
    key = check_key(key)
    digest = hashlib.sha256(canonical(request).encode()).hexdigest()
    appended: list[EventRow] = []
    try:
        with db.writing() as s:
            hit = _stored(s, party, key)
            if hit is not None:
                return _replay(s, db, hit, digest)
            idem = idem_of(party, key)
            _refuse_if_forgotten(s, idem, key)
            s.info[IDEM] = idem
            reply = do(s)
            appended = s.info.pop(APPENDED, [])
            if appended:
                reply = Reply(reply.status, {**reply.body, "receipt": receipt(db, appended[-1])})
            row = IdempotencyRow(
                party=party,
                key=key,
                request_hash=digest,
                status=reply.status,
                response=json.dumps(reply.body),
                created=now,
            )
            row.signature = db.signer.sign_row("idempotency", _fields(row))
            s.add(row)
    except IntegrityError:
        # the key was recorded beside us (a writer that did not take the lock): its answer
        with db.reader() as s:
            hit = _stored(s, party, key)
            if hit is None:
                raise
            return _replay(s, db, hit, digest)
    if appended:
        db.signer.remember(reply.body["receipt"]["checkpoint"])
    return reply


def _stored(s: Session, party: str, key: str) -> IdempotencyRow | None:
    return s.execute(
        select(IdempotencyRow).where(IdempotencyRow.party == party, IdempotencyRow.key == key)
    ).scalar_one_or_none()


def _replay(s: Session, db: Database, hit: IdempotencyRow, digest: str) -> Reply:
    """The stored first answer, if the retry is the same request and the server signed it."""
    if hit.request_hash != digest:
        raise InvalidRequest("this Idempotency-Key was used for a different request", KEY_LOC)
    _check_hit(s, db, hit)
    return Reply(hit.status, json.loads(hit.response))


def receipt(db: Database, row: EventRow) -> dict[str, Any]:
    """A write's receipt: its event and the signed checkpoint at that event's size."""
    cp = db.signer.sign(row.seq, row.root or "") if row.signature is None else None
    return {
        "seq": row.seq,
        "hash": row.hash,
        "checkpoint": cp
        or {
            "size": row.seq,
            "root": row.root,
            "key_id": db.signer.key_id,
            "key": db.signer.public,
            "signature": row.signature,
        },
    }


def _fields(row: IdempotencyRow) -> dict[str, Any]:
    return {
        "party": row.party,
        "key": row.key,
        "request_hash": row.request_hash,
        "status": row.status,
        "response": row.response,
    }


def _check_hit(s: Session, db: Database, hit: IdempotencyRow) -> None:
    """Refuse a stored answer the server did not sign, or whose event is gone."""
    if not db.signer.row_ok("idempotency", _fields(hit), hit.signature):
        raise Tampered(
            f"the stored answer to Idempotency-Key {hit.key!r} is not signed by this server: "
            "the idempotency table was edited"
        )
    seq = (json.loads(hit.response).get("receipt") or {}).get("seq")
    if seq is not None:
        ev = s.execute(select(EventRow.hash).where(EventRow.seq == seq)).scalar_one_or_none()
        want = json.loads(hit.response)["receipt"]["hash"]
        if ev != want:
            raise Tampered(
                f"event {seq}, recorded by Idempotency-Key {hit.key!r}, is no longer in the "
                "ledger: the database was truncated or rewritten"
            )


def _refuse_if_forgotten(s: Session, idem: str, key: str) -> None:
    """Refuse a key whose record is gone although its events are in the ledger."""
    seq = s.execute(select(EventRow.seq).where(EventRow.idem == idem).limit(1)).scalar()
    if seq is not None:
        raise Tampered(
            f"the answer to Idempotency-Key {key!r} (event {seq}) is missing from the "
            "idempotency table: it was deleted; refusing to record the write twice"
        )


def idempotency_problems(s: Session, verifier: Verifier | None) -> str | None:
    """Why the idempotency table does not match the signatures and the events it answered
    for (None: it does): an edited or forged record, or a deleted one whose events remain."""
    rows = s.execute(select(IdempotencyRow).order_by(IdempotencyRow.id)).scalars().all()
    known = set()
    for r in rows:
        if verifier is not None and not verifier.row_ok("idempotency", _fields(r), r.signature):
            return (
                f"the idempotency record {r.id} is not as the server signed it: the "
                "idempotency table was edited"
            )
        known.add(idem_of(r.party, r.key))
    for seq, idem in s.execute(
        select(EventRow.seq, EventRow.idem).where(EventRow.idem.is_not(None))
    ):
        if idem not in known:
            return (
                f"event {seq} was written with an Idempotency-Key whose record is gone: the "
                "idempotency table was edited (a retry would be refused)"
            )
    return None
