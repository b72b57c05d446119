"""Persistence: the database, the append-only hash-chained ledger, tokens.

Only package that imports SQLAlchemy; :mod:`.rows` is the only module mapping rows to domain
objects.
"""

from charter.ledger.chain import Ledger, LedgerEvent, VerifyResult
from charter.ledger.db import Database, default_url

__all__ = ["Database", "Ledger", "LedgerEvent", "VerifyResult", "default_url"]
