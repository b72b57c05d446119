"""Commitment burn-down: committed spend against the spend recorded, with the pace."""

from __future__ import annotations

import datetime as dt
from typing import Any

from charter.agreements import ClauseRecord
from charter.clauses.commitment import CommitmentSpec
from charter.ledger.store import Store
from charter.service.policy import Caller, can_see_event, sees_commitment

__all__ = ["burn_down"]


def burn_down(store: Store, *, caller: Caller, now: dt.datetime) -> dict[str, Any]:
    """Every commitment with an amount whose payer or payee is ``caller``: committed, spent,
    remaining, pace against the pace needed by ``now``, run rate and projected shortfall,
    from the ``spend.recorded`` events the caller may see."""
    with store.db.reader() as s:
        spend = [
            (e.actor, e.payload)
            for e in store.ledger.events(s, kinds=["spend.recorded"])
            if can_see_event(caller, e.audience)
        ]
    out = []
    for rec in store.scenario.clauses:
        spec = rec.spec
        if not isinstance(spec, CommitmentSpec) or spec.amount is None:
            continue
        if sees_commitment(caller, payer=spec.payer, payee=spec.payee):
            out.append(_one(store, rec, spec, spec.amount, spend, now.date()))
    return {"as_of": now.date().isoformat(), "commitments": out}


def _one(
    store: Store,
    rec: ClauseRecord,
    spec: CommitmentSpec,
    amount: float,
    spend: list[tuple[str, dict[str, Any]]],
    today: dt.date,
) -> dict[str, Any]:
    start = rec.start
    end = spec.window_end or dt.date(start.year + 5, start.month, start.day)
    provs = set(spec.providers or store.scenario.providers_of.get(spec.payee, ()))
    spent = (
        sum(
            float(p["effective_cost"] if p.get("effective_cost") is not None else p["billed_cost"])
            for actor, p in spend
            if actor == spec.payer
            and p["provider"] in provs
            and start.isoformat() <= p["period_start"] <= end.isoformat()
        )
        + 0.0
    )  # a float also when nothing was spent
    total_days = max((end - start).days, 1)
    elapsed = min(max((today - start).days, 0), total_days)
    needed_pace = amount * elapsed / total_days
    run_rate = spent / elapsed if elapsed else 0.0
    projected = run_rate * total_days
    return {
        "clause": rec.id,
        "payer": spec.payer,
        "payee": spec.payee,
        "providers": sorted(provs),
        "committed": amount,
        "window_start": start.isoformat(),
        "window_end": end.isoformat(),
        "spent": spent,
        "remaining": max(amount - spent, 0.0),
        "pace_needed_by_now": needed_pace,
        "ahead_of_pace": spent - needed_pace,
        "run_rate_per_day": run_rate,
        "projected_at_window_end": projected,
        "projected_shortfall": max(amount - projected, 0.0),
        "assumptions": list(spec.assumptions),
    }
