"""Money owed under revenue-share clauses (:mod:`charter.revenue.owed`)."""

from charter.revenue.owed import Owed, SharePart, compute_owed, read_history

__all__ = ["Owed", "SharePart", "compute_owed", "read_history"]
