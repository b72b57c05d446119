"""The spend commitments a plan carries besides its placements, prorated to the horizon.

(The terms of clauses that constrain plans, such as the ROFR, are their kinds' own
:class:`~charter.clauses.planning.PlanPart`.)"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from charter.clauses.base import SpendCommitment
from charter.dates import day_number
from charter.decide import Rules
from charter.periods import Period

__all__ = ["Commitment", "commitments"]

Ints = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


@dataclass
class Commitment:
    clause: str
    providers: tuple[str, ...]
    amount: float  # for the plan horizon (prorated, times the portfolio's share)
    periods: B  # which periods count


def commitments(rules: Rules, party: str, periods: list[Period], share: float) -> list[Commitment]:
    """The party's spend commitments with an amount, prorated by day to the horizon by the
    commitment's own window rule (:class:`charter.clauses.base.SpendCommitment`)."""
    out = []
    h0, h1 = day_number(periods[0].start), day_number(periods[-1].end) + 1
    for rule in rules.rules:
        spec = rule.spec
        if not isinstance(spec, SpendCommitment) or spec.amount is None or spec.payer != party:
            continue
        window = spec.window(rule.rec.start, rule.end)
        if window is None:
            continue  # no window: nothing to prorate against
        start, end = window
        if min(end, h1) <= max(start, h0):
            continue
        amount = spec.prorated(window, h0, h1) * share
        counts = np.array(
            [start <= day_number(p.start) and day_number(p.end) < end for p in periods]
        )
        providers = spec.spend_providers(rules.providers_of)
        out.append(Commitment(spec.id, tuple(providers), amount, counts))
    return out
