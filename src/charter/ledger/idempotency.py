"""Writes that happen once: one transaction per (party, ``Idempotency-Key``).

A write's work and its idempotency record commit together, so a retry with the same key and
the same request returns the first answer and records nothing twice; the same key with a
different request is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
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
    with db.write_lock, db.session() as s, s.begin():
        hit = s.execute(
            select(IdempotencyRow).where(IdempotencyRow.party == party, IdempotencyRow.key == key)
        ).scalar_one_or_none()
        if hit is not None:
            if hit.request_hash != digest:
                raise InvalidRequest(
                    "this Idempotency-Key was used for a different request", KEY_LOC
                )
            return Reply(hit.status, json.loads(hit.response))
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
    return reply
