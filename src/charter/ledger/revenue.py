"""Revenue records and the revenue-share statement (``owes`` with earlier records as history)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from charter.errors import CharterError
from charter.ledger.idempotency import once
from charter.ledger.store import Forbidden, InvalidRequest, Reply, Store
from charter.periods import Period
from charter.service.policy import Caller, may_see_statement
from charter.service.schemas import RevenueCreate

__all__ = ["record_revenue", "statement"]


def record_revenue(
    store: Store, *, caller: Caller, revenue: RevenueCreate, key: str | None, now: dt.datetime
) -> Reply:
    """``caller`` (the payer) records its revenue for a period; 201 with the event's ``seq``.

    Raises:
        InvalidRequest: an unknown payee, a period that does not parse, a bad key.
    """
    if revenue.payee not in store.scenario.parties:
        raise InvalidRequest(f"unknown party {revenue.payee!r}", ["body", "payee"])
    try:
        Period.parse(revenue.period)
    except CharterError as exc:
        raise InvalidRequest(str(exc), ["body", "period"]) from None
    payload = revenue.model_dump(mode="json")

    def do(s: Session) -> Reply:
        e = store.ledger.append(
            s,
            kind="revenue.recorded",
            actor=caller.party,
            audience=[caller.party, revenue.payee],
            payload=payload,
            at=now,
        )
        return Reply(201, {"seq": e.seq})

    return once(store.db, party=caller.party, key=key, request=payload, now=now, do=do)


def statement(
    store: Store, *, caller: Caller, period: str, payer: str, payee: str, lang: str = "en"
) -> dict[str, Any]:
    """What ``payer`` owes ``payee`` for ``period`` (e.g. 2026-07, 2026-Q3, 2026) on the
    revenue recorded for it, with earlier records as the history that caps count against.

    Raises:
        Forbidden: the caller is neither the payer nor the payee.
        CharterError: the period does not parse, or ``owes`` refuses the question.
    """
    if not may_see_statement(caller, payer=payer, payee=payee):
        raise Forbidden("only the payer and the payee see their statement")
    asked = Period.parse(period)
    with store.db.reader() as s:
        recorded = [
            e.payload
            for e in store.ledger.events(s, kinds=["revenue.recorded"])
            if e.actor == payer and e.payload["payee"] == payee
        ]
    amount = _total(float(p["amount"]) for p in recorded if p["period"] == asked.label)
    history = [
        (p["period"], float(p["amount"]))
        for p in recorded
        if Period.parse(p["period"]).end < asked.start
    ]
    if not math.isfinite(amount) or not all(math.isfinite(x) for _, x in history):
        # records each within float range can add up past it; the answer would be null
        # (bounded, exact money on the way in is the service issue's work)
        raise InvalidRequest(
            f"the revenue recorded by {payer} for {payee} adds up past what can be counted",
            ["query", "period"],
        )
    owed = store.scenario.owes(
        payer=payer, payee=payee, period=asked, revenue=amount, history=history, lang=lang
    )
    return owed.to_json()


def _total(amounts: Iterable[float]) -> float:
    """The exact sum of ``amounts`` (``math.fsum``), infinite when it leaves float range."""
    try:
        return math.fsum(amounts)
    except OverflowError:
        return math.inf
