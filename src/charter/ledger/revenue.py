"""Revenue records and the revenue-share statement (``owes`` with earlier records as history)."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from charter.errors import CharterError
from charter.ledger.idempotency import once
from charter.ledger.spend import check_writer
from charter.ledger.store import Forbidden, InvalidRequest, Reply, Store
from charter.money import decimal_of, total
from charter.periods import Period
from charter.service.policy import Caller, may_see_statement, may_write_with
from charter.service.schemas import RevenueCreate

__all__ = ["record_revenue", "statement"]


def record_revenue(
    store: Store, *, caller: Caller, revenue: RevenueCreate, key: str | None, now: dt.datetime
) -> Reply:
    """``caller`` (the payer) records its revenue for a period; 201 with the event's ``seq``.

    Raises:
        InvalidRequest: an unknown payee, a period that does not parse, a bad key.
    """
    check_writer(store, caller)
    if revenue.payee not in store.scenario.parties:
        raise InvalidRequest(f"unknown party {revenue.payee!r}", ["body", "payee"])
    agreements = (ag.parties for ag in store.scenario.data.agreements)
    if not may_write_with(caller, revenue.payee, agreements):
        raise Forbidden(
            f"{caller.party} shares no agreement with {revenue.payee}: revenue is recorded "
            "only for a counterparty of one of your agreements"
        )
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
            for e in store.ledger.events(s, kinds=["revenue.recorded"], seen_by=payer)
            if e.actor == payer and e.payload["payee"] == payee
        ]
    # records written before periods were canonicalized on the way in (" 2026-08 ",
    # "2025-q4") count under their canonical label; one that does not parse counts nowhere
    periods = [(_period(p["period"]), decimal_of(p["amount"])) for p in recorded]
    exact = total(x for pd, x in periods if pd is not None and pd.label == asked.label)
    earlier: dict[str, Decimal] = {}
    for pd, x in periods:
        if pd is not None and pd.end < asked.start:
            earlier[pd.label] = total([earlier.get(pd.label, Decimal(0)), x])
    amount = float(exact)
    history = [(label, float(x)) for label, x in earlier.items()]
    if not math.isfinite(amount) or not all(math.isfinite(x) for _, x in history):
        # records written before amounts were bounded can add up past what a float holds
        raise InvalidRequest(
            f"the revenue recorded by {payer} for {payee} adds up past what can be counted",
            ["query", "period"],
        )
    owed = store.scenario.owes(
        payer=payer, payee=payee, period=asked, revenue=amount, history=history, lang=lang
    )
    return owed.to_json()


def _period(text: str) -> Period | None:
    try:
        return Period.parse(text)
    except CharterError:
        return None
