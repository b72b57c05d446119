"""Bearer tokens, under the names and signatures the CLI calls; the work is in
:mod:`charter.ledger.tokens`."""

from __future__ import annotations

from charter.ledger.db import Database
from charter.ledger.tokens import create_token as _create
from charter.ledger.tokens import hash_token
from charter.ledger.tokens import list_tokens as list_tokens
from charter.ledger.tokens import revoke_token as _revoke
from charter.service.policy import ROLES

__all__ = ["ROLES", "create_token", "hash_token", "list_tokens", "revoke_token"]


def create_token(db: Database, party: str, role: str, parties: set[str]) -> tuple[int, str]:
    """A new token for ``party``; returns (id, token). The token is shown once."""
    return _create(db, party=party, role=role, parties=parties)


def revoke_token(db: Database, ident: int) -> None:
    """Revoke token ``ident``."""
    _revoke(db, ident=ident)
