"""Bearer tokens: created once (only the SHA-256 is stored), looked up, listed, revoked."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from sqlalchemy import select

from charter.errors import RequestError
from charter.ledger.db import Database
from charter.ledger.rows import TokenRow
from charter.service.policy import ROLES, Caller

__all__ = [
    "create_token",
    "find_caller",
    "hash_token",
    "list_tokens",
    "revoke_token",
    "token_ok",
]


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
    with db.guard(), db.session() as s, s.begin():
        row = TokenRow(
            party=party, role=role, token_hash=hash_token(token), created=dt.datetime.now(dt.UTC)
        )
        s.add(row)
        s.flush()
        row.signature = db.signer.sign_row("tokens", _fields(row))
        ident = row.id
    return ident, token


def revoke_token(db: Database, *, ident: int) -> None:
    """Revoke token ``ident`` (RequestError if there is none)."""
    with db.guard(), db.session() as s, s.begin():
        row = s.execute(select(TokenRow).where(TokenRow.id == ident)).scalar_one_or_none()
        if row is None:
            raise RequestError(f"no token with id {ident}")
        row.revoked = dt.datetime.now(dt.UTC)
        row.signature = db.signer.sign_row("tokens", _fields(row))


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
    None for an unknown or revoked one.

    Database failures propagate unchanged (the service answers them with 503).
    """
    with db.reader() as s:
        row = s.execute(
            select(TokenRow).where(TokenRow.token_hash == token_hash)
        ).scalar_one_or_none()
    if row is None or row.revoked is not None or not token_ok(db, row):
        return None  # unknown, revoked, or a row the server did not sign
    return Caller(row.party, row.role)


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
