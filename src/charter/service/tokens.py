"""Bearer tokens: created once (only the hash is stored), revoked by id."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select

from charter.errors import RequestError
from charter.ledger.db import Database
from charter.ledger.rows import TokenRow
from charter.service.app import hash_token

__all__ = ["create_token", "revoke_token"]

ROLES = ("viewer", "operator")


def create_token(db: Database, party: str, role: str, parties: set[str]) -> tuple[int, str]:
    """A new token for ``party``; returns (id, token). The token is shown once."""
    if party not in parties:
        raise RequestError(f"unknown party {party!r}; valid: {', '.join(sorted(parties))}")
    if role not in ROLES:
        raise RequestError(f"unknown role {role!r}; valid: {', '.join(ROLES)}")
    token = "chr_" + secrets.token_urlsafe(32)
    with db.session() as s, s.begin():
        row = TokenRow(
            party=party, role=role, token_hash=hash_token(token), created=dt.datetime.now(dt.UTC)
        )
        s.add(row)
        s.flush()
        ident = row.id
    return ident, token


def revoke_token(db: Database, ident: int) -> None:
    with db.session() as s, s.begin():
        row = s.execute(select(TokenRow).where(TokenRow.id == ident)).scalar_one_or_none()
        if row is None:
            raise RequestError(f"no token with id {ident}")
        row.revoked = dt.datetime.now(dt.UTC)
