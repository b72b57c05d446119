"""Spend records: one at a time, or a FinOps FOCUS CSV file, all rows or none.

Each record is a ``spend.recorded`` event seen by the payer (the recording party) and the
provider's owner only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from charter.clauses.base import SpendCommitment
from charter.ledger.idempotency import once
from charter.ledger.store import Forbidden, InvalidRequest, Reply, Store
from charter.scenario import Scenario
from charter.service.policy import Caller, may_write_with
from charter.service.schemas import SpendCreate

__all__ = ["FOCUS_COLUMNS", "import_spend", "parse_focus", "record_spend"]

#: the FOCUS columns a file must have (EffectiveCost and BillingCurrency are optional)
FOCUS_COLUMNS = ("BilledCost", "ProviderName", "ChargePeriodStart", "ChargePeriodEnd")


def _append(s: Session, store: Store, *, caller: Caller, row: SpendCreate, now: dt.datetime) -> int:
    e = store.ledger.append(
        s,
        kind="spend.recorded",
        actor=caller.party,
        audience=[caller.party, store.scenario.owner_of[row.provider]],
        payload=row.model_dump(mode="json"),
        at=now,
    )
    return e.seq


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
    if (bad := _currency_refusal(store, caller, spend)) is not None:
        raise InvalidRequest(bad[1], ["body", bad[0]])

    def do(s: Session) -> Reply:
        return Reply(201, {"seq": _append(s, store, caller=caller, row=spend, now=now)})

    request = spend.model_dump(mode="json")
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


def _currency_refusal(store: Store, caller: Caller, row: SpendCreate) -> tuple[str, str] | None:
    """The field and reason when ``row`` would count, in another currency and without a rate,
    towards one of the caller's commitments (None: it is fine)."""
    for rec in store.scenario.clauses:
        spec = rec.spec
        if not isinstance(spec, SpendCommitment) or spec.amount is None:
            continue
        if spec.payer != caller.party:
            continue
        if row.provider not in spec.spend_providers(store.scenario.providers_of):
            continue
        if spec.currency != row.currency and row.rate_to_commitment is None:
            return (
                "currency",
                f"{row.currency} is not the currency of commitment {rec.id} ({spec.currency}); "
                f"give rate_to_commitment (1 {row.currency} in {spec.currency}) to count it",
            )
        if spec.currency == row.currency and row.rate_to_commitment is not None:
            return (
                "rate_to_commitment",
                f"the spend is in {row.currency}, commitment {rec.id}'s currency: no rate applies",
            )
    return None


def import_spend(
    store: Store, *, caller: Caller, csv_text: str, key: str | None, now: dt.datetime
) -> Reply:
    """Record every row of a FOCUS file paid by ``caller``, or none; 201 with the count and
    the events' ``seqs``.

    Raises:
        InvalidRequest: the file is unreadable or lacks a column, a row is bad (one item per
            bad line), it has no rows, or the key is bad.
    """
    check_writer(store, caller)
    rows = parse_focus(csv_text, store.scenario)
    errors: list[dict[str, Any]] = []
    for line, row in enumerate(rows, start=2):
        if (refused := _not_with(store, caller, row.provider)) is not None:
            raise Forbidden(f"line {line}: {refused}")
        if (bad := _currency_refusal(store, caller, row)) is not None:
            errors.append({"loc": ["body", f"line {line}"], "msg": bad[1], "type": "value_error"})
    if errors:
        raise InvalidRequest.of(errors)

    def do(s: Session) -> Reply:
        seqs = [_append(s, store, caller=caller, row=r, now=now) for r in rows]
        return Reply(201, {"imported": len(rows), "seqs": seqs})

    return once(store.db, party=caller.party, key=key, request={"csv": csv_text}, now=now, do=do)


def _focus_row(r: dict[str, Any], names: dict[str, str]) -> SpendCreate:
    if any(r.get(c) is None for c in FOCUS_COLUMNS):
        raise ValueError("the row has fewer cells than the header")
    provider = names.get((r.get("ProviderName") or "").strip().lower())
    if provider is None:
        raise ValueError(f"unknown ProviderName {r.get('ProviderName')!r}")
    eff = (r.get("EffectiveCost") or "").strip()
    row = SpendCreate(
        provider=provider,
        billed_cost=_amount(r["BilledCost"]),
        effective_cost=_amount(eff) if eff else None,
        currency=(r.get("BillingCurrency") or "USD").strip() or "USD",
        period_start=dt.date.fromisoformat(r["ChargePeriodStart"].strip()[:10]),
        period_end=dt.date.fromisoformat(r["ChargePeriodEnd"].strip()[:10]),
    )
    if row.period_end < row.period_start:
        raise ValueError("ChargePeriodEnd is before ChargePeriodStart")
    return row


def _amount(text: str) -> Decimal:
    """A FOCUS cost cell as an exact decimal (``1_000``, ``1e3``, ``NaN`` refused)."""
    t = text.strip()
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", t):
        raise ValueError(f"not a decimal amount: {text!r}")
    return Decimal(t)


def parse_focus(text: str, scenario: Scenario) -> list[SpendCreate]:
    """FinOps FOCUS rows → spend records (ProviderName: a provider's id or name, any case).

    Raises:
        InvalidRequest: any bad row rejects the whole file, with one item per bad line.
    """
    try:
        records = list(csv.DictReader(io.StringIO(text, newline="")))
        fieldnames = list(records[0].keys()) if records else next(csv.reader(io.StringIO(text)), [])
    except csv.Error as exc:
        raise InvalidRequest(f"not a readable CSV file: {exc}", ["body"]) from None
    missing = [c for c in FOCUS_COLUMNS if c not in fieldnames]
    if missing:
        raise InvalidRequest(f"missing FOCUS columns: {', '.join(missing)}", ["body", "header"])
    names = {p.id.lower(): p.id for p in scenario.providers.values()}
    names.update({p.name.lower(): p.id for p in scenario.providers.values()})
    rows: list[SpendCreate] = []
    errors: list[dict[str, Any]] = []
    for line, r in enumerate(records, start=2):
        try:
            rows.append(_focus_row(r, names))
        except (ValueError, TypeError, ValidationError) as exc:
            msg = str(exc).splitlines()[0]
            errors.append({"loc": ["body", f"line {line}"], "msg": msg, "type": "value_error"})
    if errors:
        raise InvalidRequest.of(errors)
    if not rows:
        raise InvalidRequest("the file has no rows", ["body"])
    return rows
