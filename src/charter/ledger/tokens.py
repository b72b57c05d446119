"""Bearer tokens: created once (only the SHA-256 is stored), looked up, listed, revoked.

A token's row is signed by the server, and its creation and revocation are ledger events
(``token.created``, ``token.revoked``, in no party's view: the operator's bookkeeping,
covered by the chain, its signed checkpoints and verification; appended under the ledger's
write lock with the row's change). A token acts only while its row is as signed,
its creation event names the same party, role and hash, and no revocation event exists: so
a row restored from before its revocation, or one inserted or edited by whoever can write
the database, acts as no one, and verification reports a deleted or edited row.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from charter.errors import RequestError
from charter.ledger.chain import APPENDED, Ledger
from charter.ledger.db import Database
from charter.ledger.idempotency import receipt
from charter.ledger.rows import EventRow, TokenRow
from charter.ledger.signing import Verifier
from charter.service.policy import ROLES, Caller

__all__ = [
    "create_token",
    "find_caller",
    "hash_token",
    "list_tokens",
    "record_token",
    "revoke_token",
    "token_ok",
    "token_problems",
]

#: who the ledger names as the actor of token events (whoever runs the CLI on the database)
ADMIN = "admin"
CREATED, REVOKED = "token.created", "token.revoked"


def hash_token(token: str) -> str:
    """The stored form of a token: its SHA-256, hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(db: Database, *, party: str, role: str, parties: set[str]) -> tuple[int, str]:
    """A new token for ``party``; returns (id, token). The token is shown once.

    Raises:
        RequestError: an unknown party or role.
        DatabaseError: the database failed.
    """
    if party not in parties:
        raise RequestError(f"unknown party {party!r}; valid: {', '.join(sorted(parties))}")
    if role not in ROLES:
        raise RequestError(f"unknown role {role!r}; valid: {', '.join(ROLES)}")
    token = "chr_" + secrets.token_urlsafe(32)
    ledger = Ledger(db.is_sqlite, db)
    with db.guard(), db.writing() as s:
        now = dt.datetime.now(dt.UTC)
        row = TokenRow(party=party, role=role, token_hash=hash_token(token), created=now)
        s.add(row)
        s.flush()
        row.signature = db.signer.sign_row("tokens", _fields(row))
        record_token(s, ledger, row, at=now)
        ident = row.id
    _remember(db, s)
    return ident, token


def revoke_token(db: Database, *, ident: int) -> None:
    """Revoke token ``ident`` (RequestError if there is none, or it is revoked already)."""
    ledger = Ledger(db.is_sqlite, db)
    with db.guard(), db.writing() as s:
        row = s.execute(select(TokenRow).where(TokenRow.id == ident)).scalar_one_or_none()
        if row is None:
            raise RequestError(f"no token with id {ident}")
        if row.revoked is not None:
            raise RequestError(f"token {ident} is revoked already")
        row.revoked = dt.datetime.now(dt.UTC)
        row.signature = db.signer.sign_row("tokens", _fields(row))
        ledger.append(
            s,
            kind=REVOKED,
            actor=ADMIN,
            audience=[],
            payload={"id": row.id},
            at=row.revoked,
        )
    _remember(db, s)


def record_token(s: Session, ledger: Ledger, row: TokenRow, *, at: dt.datetime) -> None:
    """Append ``row``'s creation (and, if it is revoked, its revocation) to the ledger."""
    payload = {"id": row.id, "party": row.party, "role": row.role, "token_hash": row.token_hash}
    ledger.append(s, kind=CREATED, actor=ADMIN, audience=[], payload=payload, at=at)
    if row.revoked is not None:
        ledger.append(s, kind=REVOKED, actor=ADMIN, audience=[], payload={"id": row.id}, at=at)


def _remember(db: Database, s: Session) -> None:
    """Keep the checkpoint of what the committed transaction appended as the server's."""
    appended = s.info.pop(APPENDED, [])
    if appended:
        db.signer.remember(receipt(db, appended[-1])["checkpoint"])


def _fields(row: TokenRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "party": row.party,
        "role": row.role,
        "token_hash": row.token_hash,
        "created": _stamp(_utc(row.created)),
        "revoked": _stamp(_utc(row.revoked)),
    }


def _utc(at: dt.datetime | None) -> dt.datetime | None:
    if at is not None and at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at


def token_ok(db: Database, row: TokenRow) -> bool:
    """True when the row is as this server signed it."""
    return db.signer.row_ok("tokens", _fields(row), row.signature)


def find_caller(db: Database, *, token_hash: str) -> Caller | None:
    """The caller a valid (not revoked) token acts as, by the token's :func:`hash_token`;
    None for an unknown or revoked one, or one whose row or events are not as recorded.

    Database failures propagate unchanged (the service answers them with 503).
    """
    with db.reader() as s:
        row = s.execute(
            select(TokenRow).where(TokenRow.token_hash == token_hash)
        ).scalar_one_or_none()
        if row is None or row.revoked is not None or not token_ok(db, row):
            return None  # unknown, revoked, or a row the server did not sign
        if _lifecycle_problem(s, row) is not None:
            return None  # revoked in the ledger, or no creation event for this row
    return Caller(row.party, row.role)


def _lifecycle_problem(s: Session, row: TokenRow) -> str | None:
    """Why ``row`` does not match its ledger events (None: it does)."""
    events = s.execute(
        select(EventRow.kind, EventRow.payload).where(EventRow.subject == f"token:{row.id}")
    ).all()
    created = [json.loads(p) for k, p in events if k == CREATED]
    revoked = any(k == REVOKED for k, _ in events)
    want = {"id": row.id, "party": row.party, "role": row.role, "token_hash": row.token_hash}
    if created != [want]:
        return f"token {row.id} is not the one the ledger recorded as created"
    if revoked != (row.revoked is not None):
        return f"token {row.id}'s revocation is not the one the ledger recorded"
    return None


def token_problems(s: Session, verifier: Verifier | None) -> str | None:
    """Why the tokens table does not match the signatures and the ledger's token events
    (None: it does): an edited, inserted or restored row, or a deleted one."""
    rows = s.execute(select(TokenRow).order_by(TokenRow.id)).scalars().all()
    for t in rows:
        if verifier is not None and not verifier.row_ok("tokens", _fields(t), t.signature):
            return f"token {t.id} is not as the server signed it: the tokens table was edited"
        if (why := _lifecycle_problem(s, t)) is not None:
            return f"{why}: the tokens table was edited or restored from an older copy"
    ids = {t.id for t in rows}
    for payload in s.execute(select(EventRow.payload).where(EventRow.kind == CREATED)).scalars():
        ident = json.loads(payload)["id"]
        if ident not in ids:
            return f"token {ident} was created in the ledger but its row is gone: it was deleted"
    return None


def _stamp(at: dt.datetime | None) -> str | None:
    if at is None:
        return None
    if at.tzinfo is None:  # SQLite hands back naive datetimes (stored as UTC)
        at = at.replace(tzinfo=dt.UTC)
    return at.isoformat(timespec="seconds")


def list_tokens(db: Database) -> list[dict[str, Any]]:
    """Every token's id, party, role, creation and revocation time; never the token or its
    hash."""
    with db.guard(), db.reader() as s:
        rows = s.execute(select(TokenRow).order_by(TokenRow.id)).scalars().all()
        return [
            {
                "id": r.id,
                "party": r.party,
                "role": r.role,
                "created": _stamp(r.created),
                "revoked": _stamp(r.revoked),
            }
            for r in rows
        ]
