"""Money owed under revenue-share clauses: ``charter owes``.

================================  =========================================================
``revenue/owed.py``               the rules: each clause's share of a period, caps, the total
``revenue/notes.py``              the answer's note, in the caller's language
``revenue/history.py``            earlier periods' revenue, read from CSV
================================  =========================================================
"""

from charter.revenue.history import read_history, revenue_amount
from charter.revenue.owed import Owed, SharePart, compute_owed

__all__ = ["Owed", "SharePart", "compute_owed", "read_history", "revenue_amount"]
