"""Commitment burn-down: committed spend against the spend recorded, with the pace."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from charter.agreements import ClauseRecord
from charter.clauses.base import SpendCommitment
from charter.dates import from_day_number
from charter.ledger.rows import SpendSumRow
from charter.ledger.store import InvalidRequest, Store
from charter.money import MAX_TOTAL, convert, decimal_of, exact, total
from charter.service.policy import Caller, can_see_event, sees_commitment

__all__ = ["burn_down"]


def burn_down(store: Store, *, caller: Caller, now: dt.datetime) -> dict[str, Any]:
    """Every commitment with an amount whose payer or payee is ``caller``: committed, spent,
    remaining, pace against the pace needed by ``now``, run rate and projected shortfall,
    from the ``spend.recorded`` events the caller may see. The window and the arithmetic are
    the commitment's own (:class:`charter.clauses.base.SpendCommitment`), as the planner's."""
    with store.db.reader() as s:
        # the spend sums (charter.ledger.projections): a few rows, however many records
        spend = [
            r
            for r in s.execute(select(SpendSumRow)).scalars()
            if can_see_event(caller, tuple(json.loads(r.audience)))
        ]
    events = store.scenario.resolve_events(None)
    out = []
    for rec in store.scenario.clauses:
        spec = rec.spec
        if not isinstance(spec, SpendCommitment) or spec.amount is None:
            continue
        if sees_commitment(caller, payer=spec.payer, payee=spec.payee):
            window = spec.window(rec.start, rec.end_day(events))
            out.append(_one(store, rec, spec, window, spend, now.date()))
    return {"as_of": now.date().isoformat(), "commitments": out}


def _one(
    store: Store,
    rec: ClauseRecord,
    spec: SpendCommitment,
    window: tuple[int, int] | None,
    spend: list[SpendSumRow],
    today: dt.date,
) -> dict[str, Any]:
    provs = set(spec.spend_providers(store.scenario.providers_of))
    first = rec.start.isoformat()
    last = None if window is None else from_day_number(window[1] - 1)
    counted: list[Decimal] = []
    uncounted: set[str] = set()
    for r in spend:
        if not (
            r.payer == spec.payer
            and r.provider in provs
            and first <= r.period_start
            and (last is None or r.period_start <= last.isoformat())
        ):
            continue
        cost = decimal_of(r.amount)
        if r.currency == spec.currency:
            counted.append(cost)
        elif r.rate:  # a product is exact, so the sum's conversion is the records'
            counted.append(convert(cost, decimal_of(r.rate)))
        else:  # recorded before other currencies were refused: reported, never counted
            uncounted.add(r.currency)
    exact_spent = total(counted)
    if not exact_spent.is_finite() or exact_spent > MAX_TOTAL:
        # only records written before amounts were bounded can add up this far
        raise InvalidRequest(
            f"the spend recorded by {spec.payer} towards {rec.id} adds up past what can be "
            "counted (records written before amounts were bounded)",
            ["query"],
        )
    committed = decimal_of(spec.amount or 0.0)
    exact_remaining = max(committed - exact_spent, Decimal(0))
    spent = float(exact_spent)
    out: dict[str, Any] = {
        "clause": rec.id,
        "payer": spec.payer,
        "payee": spec.payee,
        "providers": sorted(provs),
        "committed": spec.amount,
        "currency": spec.currency,
        "window_start": first,
        "window_end": None if last is None else last.isoformat(),
        "spent": spent,
        "remaining": float(exact_remaining),
        "exact": {
            "committed": exact(committed),
            "spent": exact(exact_spent),
            "remaining": exact(exact_remaining),
        },
        "uncounted_currencies": sorted(uncounted),
        "pace_needed_by_now": None,
        "ahead_of_pace": None,
        "run_rate_per_day": None,
        "projected_at_window_end": None,
        "projected_shortfall": None,
        "assumptions": list(spec.assumptions),
    }
    if window is not None:  # no window (open-ended, no window_end): no pace to report
        b = spec.burn_down(window, spent, today)
        out.update(
            pace_needed_by_now=b.pace_needed_by_now,
            ahead_of_pace=b.ahead_of_pace,
            run_rate_per_day=b.run_rate_per_day,
            projected_at_window_end=b.projected_at_window_end,
            projected_shortfall=b.projected_shortfall,
        )
    return out
