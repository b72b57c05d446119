"""Bearer tokens: created once (only the hash is stored), revoked by id."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from sqlalchemy import select

from charter.errors import RequestError
from charter.ledger.db import Database
from charter.ledger.rows import TokenRow
from charter.service.app import hash_token

__all__ = ["create_token", "list_tokens", "revoke_token"]

ROLES = ("viewer", "operator")


def create_token(db: Database, party: str, role: str, parties: set[str]) -> tuple[int, str]:
    """A new token for ``party``; returns (id, token). The token is shown once."""
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
        ident = row.id
    return ident, token


def revoke_token(db: Database, ident: int) -> None:
    with db.guard(), db.session() as s, s.begin():
        row = s.execute(select(TokenRow).where(TokenRow.id == ident)).scalar_one_or_none()
        if row is None:
            raise RequestError(f"no token with id {ident}")
        row.revoked = dt.datetime.now(dt.UTC)


def list_tokens(db: Database) -> list[dict[str, Any]]:
    """Every token's id, party, role, creation and revocation time; never the token or its
    hash."""

    def stamp(at: dt.datetime | None) -> str | None:
        if at is None:
            return None
        if at.tzinfo is None:  # SQLite hands back naive datetimes (stored as UTC)
            at = at.replace(tzinfo=dt.UTC)
        return at.isoformat(timespec="seconds")

    with db.guard(), db.reader() as s:
        rows = s.execute(select(TokenRow).order_by(TokenRow.id)).scalars().all()
        return [
            {
                "id": r.id,
                "party": r.party,
                "role": r.role,
                "created": stamp(r.created),
                "revoked": stamp(r.revoked),
            }
            for r in rows
        ]
