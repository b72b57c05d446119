"""Persistence and the workflows on it: the database, the append-only hash-chained ledger,
tokens, idempotent writes, the ROFR process, spend, commitments, revenue.

Only package that imports SQLAlchemy; :mod:`.rows` is the only module mapping rows to domain
objects. The workflow modules (:mod:`.rofr`, :mod:`.spend`, :mod:`.commitments`,
:mod:`.revenue`, :mod:`.feed`, :mod:`.tokens`) take a :class:`~charter.ledger.store.Store`
and keyword arguments, and are imported by name (not from here), so that importing the
package stays cheap.
"""

from charter.ledger.chain import Ledger, LedgerEvent, VerifyResult
from charter.ledger.db import Database, default_url

__all__ = ["Database", "Ledger", "LedgerEvent", "VerifyResult", "default_url"]
