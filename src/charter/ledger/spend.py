"""Spend records: one at a time, or a FinOps FOCUS CSV file, all rows or none.

Each record is a ``spend.recorded`` event seen by the payer (the recording party) and the
provider's owner only.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from charter.clauses.base import SpendCommitment
from charter.ledger import focus
from charter.ledger.idempotency import once
from charter.ledger.store import Forbidden, InvalidRequest, Reply, Store
from charter.service.policy import Caller, may_write_with
from charter.service.schemas import SpendCreate

__all__ = ["import_spend", "record_spend"]


def _append(s: Session, store: Store, *, caller: Caller, row: SpendCreate, now: dt.datetime) -> int:
    e = store.ledger.append(
        s,
        kind="spend.recorded",
        actor=caller.party,
        audience=[caller.party, store.scenario.owner_of[row.provider]],
        payload=_payload(row),
        at=now,
    )
    return e.seq


def _payload(row: SpendCreate) -> dict[str, Any]:
    """The record as the ledger keeps it (no ``contract_applied`` key when it has none)."""
    return row.model_dump(
        mode="json", exclude={"contract_applied"} if row.contract_applied is None else None
    )


def record_spend(
    store: Store, *, caller: Caller, spend: SpendCreate, key: str | None, now: dt.datetime
) -> Reply:
    """Record one spend row paid by ``caller``; 201 with the event's ``seq``.

    Raises:
        InvalidRequest: an unknown provider, a period that ends before it starts, a bad key.
    """
    check_writer(store, caller)
    if spend.provider not in store.scenario.providers:
        valid = ", ".join(store.scenario.providers)
        raise InvalidRequest(
            f"unknown provider {spend.provider!r}; valid: {valid}", ["body", "provider"]
        )
    if (refused := _not_with(store, caller, spend.provider)) is not None:
        raise Forbidden(refused)
    if spend.period_end < spend.period_start:
        raise InvalidRequest("period_end is before period_start", ["body", "period_end"])
    if (bad := _currency_refusal(_commitments_of(store, caller.party), spend)) is not None:
        raise InvalidRequest(bad[1], ["body", bad[0]])

    def do(s: Session) -> Reply:
        return Reply(201, {"seq": _append(s, store, caller=caller, row=spend, now=now)})

    request = _payload(spend)
    return once(store.db, party=caller.party, key=key, request=request, now=now, do=do)


def check_writer(store: Store, caller: Caller) -> None:
    """Only a party of the scenario writes to its ledger (a token made for another scenario
    on the same database does not).

    Raises:
        Forbidden: the caller is no party of the scenario.
    """
    if caller.party not in store.scenario.parties:
        raise Forbidden(f"{caller.party!r} is not a party of this scenario; it writes nothing here")


def _not_with(store: Store, caller: Caller, provider: str) -> str | None:
    """Why ``caller`` may not record spend with ``provider`` (None: it may)."""
    owner = store.scenario.owner_of[provider]
    agreements = (ag.parties for ag in store.scenario.data.agreements)
    if may_write_with(caller, owner, agreements):
        return None
    return (
        f"{caller.party} shares no agreement with {owner} (the owner of {provider}): "
        "spend is recorded only with a counterparty of one of your agreements"
    )


def _commitments_of(store: Store, party: str) -> list[tuple[str, SpendCommitment, set[str]]]:
    """Each commitment with an amount that ``party`` pays: its id, its spec and the
    providers whose spend counts towards it."""
    out: list[tuple[str, SpendCommitment, set[str]]] = []
    for rec in store.scenario.clauses:
        spec = rec.spec
        if isinstance(spec, SpendCommitment) and spec.amount is not None and spec.payer == party:
            out.append((rec.id, spec, set(spec.spend_providers(store.scenario.providers_of))))
    return out


def _currency_refusal(
    commitments: list[tuple[str, SpendCommitment, set[str]]],
    row: SpendCreate,
    *,
    imported: bool = False,
) -> tuple[str, str] | None:
    """The field and reason when ``row`` would count, in another currency and without a rate,
    towards one of the ``commitments`` (the caller's, from :func:`_commitments_of`), or has a
    rate it needs not (None: it is fine). An ``imported`` row's rate is the import's
    ``rate`` option."""
    for rec_id, spec, providers in commitments:
        if row.provider not in providers:
            continue
        one = f"1 {row.currency} in {spec.currency}"
        if spec.currency != row.currency and row.rate_to_commitment is None:
            how = (
                f"give the import the rate {row.currency}=RATE ({one})"
                if imported
                else f"give rate_to_commitment ({one})"
            )
            return (
                "currency",
                f"{row.currency} is not the currency of commitment {rec_id} ({spec.currency}); "
                f"{how} to count it",
            )
        if spec.currency == row.currency and row.rate_to_commitment is not None:
            drop = f" (drop the rate for {row.currency})" if imported else ""
            return (
                "rate_to_commitment",
                f"the spend is in {row.currency}, commitment {rec_id}'s currency: "
                f"no rate applies{drop}",
            )
    return None


def import_spend(
    store: Store,
    *,
    caller: Caller,
    csv_text: str,
    key: str | None,
    now: dt.datetime,
    rates: dict[str, Decimal] | None = None,
) -> Reply:
    """Record every row of a FOCUS file (:mod:`charter.ledger.focus`) paid by ``caller``, or
    none; 201 with the count and the events' ``seqs``. ``rates`` (1 unit of a currency in a
    commitment's) let rows in other currencies count towards the caller's commitments.

    Raises:
        InvalidRequest: the file is unreadable or lacks a column, rows are bad (the first
            ones named by line and column, all counted), it has no rows, or the key is bad.
        Forbidden: a row's provider belongs to no counterparty of the caller.
    """
    check_writer(store, caller)
    rates = rates or {}
    bad = focus.BadRows()
    rows = focus.read(csv_text, store.scenario, rates, bad)
    commitments = _commitments_of(store, caller.party)
    refusals = {p: _not_with(store, caller, p) for p in {row.provider for _, row in rows}}
    for line, row in rows:
        if (refused := refusals[row.provider]) is not None:
            raise Forbidden(f"line {line}: {refused}")
        if (why := _currency_refusal(commitments, row, imported=True)) is not None:
            bad.add(line, "BillingCurrency", why[1])
    bad.check()
    if not rows:
        raise InvalidRequest("the file has no rows", ["body"])

    def do(s: Session) -> Reply:
        seqs = [_append(s, store, caller=caller, row=r, now=now) for _, r in rows]
        return Reply(201, {"imported": len(rows), "seqs": seqs})

    request: dict[str, Any] = {"csv": csv_text}
    if rates:
        request["rates"] = {code: str(rate) for code, rate in sorted(rates.items())}
    return once(store.db, party=caller.party, key=key, request=request, now=now, do=do)
