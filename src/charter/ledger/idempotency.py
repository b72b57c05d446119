"""Writes that happen once: one transaction per (party, ``Idempotency-Key``).

A write's work and its idempotency record commit together, so a retry with the same key and
the same request returns the first answer and records nothing twice; the same key with a
different request is refused. The transaction holds the ledger's write lock from its start
(:meth:`Database.writing`), before the key is looked up and before the write reads any state:
a concurrent retry waits, then finds the first answer and replays it, and a workflow's
decision (e.g. whether a ROFR request is still open) is made on the state it appends to.
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

from charter.ledger.chain import canonical
from charter.ledger.db import Database
from charter.ledger.rows import IdempotencyRow
from charter.ledger.store import InvalidRequest, Reply

__all__ = ["KEY_LOC", "check_key", "once"]

KEY_LOC = ["header", "Idempotency-Key"]


def check_key(key: str | None) -> str:
    """``key`` if it is 1-200 characters long, else :class:`InvalidRequest`."""
    if not key or len(key) > 200:
        raise InvalidRequest("an Idempotency-Key header (1–200 characters) is required", KEY_LOC)
    return key


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
    try:
        with db.writing() as s:
            hit = _stored(s, party, key)
            if hit is not None:
                return _replay(hit, digest)
            reply = do(s)
            s.add(
                IdempotencyRow(
                    party=party,
                    key=key,
                    request_hash=digest,
                    status=reply.status,
                    response=json.dumps(reply.body),
                    created=now,
                )
            )
    except IntegrityError:
        # the key was recorded beside us (a writer that did not take the lock): its answer
        with db.reader() as s:
            hit = _stored(s, party, key)
        if hit is None:
            raise
        return _replay(hit, digest)
    return reply


def _stored(s: Session, party: str, key: str) -> IdempotencyRow | None:
    return s.execute(
        select(IdempotencyRow).where(IdempotencyRow.party == party, IdempotencyRow.key == key)
    ).scalar_one_or_none()


def _replay(hit: IdempotencyRow, digest: str) -> Reply:
    """The stored first answer, if the retry is the same request."""
    if hit.request_hash != digest:
        raise InvalidRequest("this Idempotency-Key was used for a different request", KEY_LOC)
    return Reply(hit.status, json.loads(hit.response))
