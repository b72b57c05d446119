"""The indexes the workflows read instead of scanning the whole ledger.

Each append keeps three of them, in the append's transaction:

- **views**: one :class:`~charter.ledger.rows.ViewRow` per party of an event's audience, so a
  party's ledger page, its ROFR inbox and a payer's revenue are read by index;
- **subjects**: the event's ``subject`` column (``rofr:<id>``, ``token:<id>``), so one ROFR
  request's or one token's events are read by index;
- **spend sums**: running sums of ``spend.recorded`` amounts per payer, provider, audience,
  currency, rate and first day (:class:`~charter.ledger.rows.SpendSumRow`), so a burn-down
  reads a few rows whatever the number of records.

They are derived data: :class:`Rebuilt` recomputes them from the events during verification
and :func:`compare` reports any difference, so an edit to an index is caught like an edit to
an event.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from charter.ledger.rows import SpendSumRow, ViewRow
from charter.money import decimal_of, exact, total

__all__ = ["SPEND", "Rebuilt", "compare", "index_event", "spend_key", "subject_of"]

SPEND = "spend.recorded"
#: the audience index as a Core table (its rows are inserted without the ORM's bookkeeping)
_VIEWS = cast(Table, ViewRow.__table__)

#: (payer, provider, audience, currency, rate, period_start): one spend sum
SpendKey = tuple[str, str, str, str, str, str]


def subject_of(kind: str, payload: Mapping[str, Any]) -> str | None:
    """What an event is about: ``<kind's first word>:<payload id>`` when its payload has an
    id (``rofr:3f2c…`` for every event of one ROFR request), else None."""
    ident = payload.get("id")
    if isinstance(ident, bool) or not isinstance(ident, str | int) or "." not in kind:
        return None
    return f"{kind.split('.', 1)[0]}:{ident}"


def counted_cost(payload: Mapping[str, Any]) -> Decimal:
    """What a spend record counts: its effective cost when given, else its billed cost."""
    eff = payload.get("effective_cost")
    return decimal_of(eff if eff is not None else payload["billed_cost"])


def spend_key(actor: str, audience: str, payload: Mapping[str, Any]) -> SpendKey:
    """The spend sum a ``spend.recorded`` event adds to (``audience`` canonical JSON)."""
    rate = payload.get("rate_to_commitment")
    return (
        actor,
        str(payload["provider"]),
        audience,
        str(payload.get("currency") or "USD").strip().upper(),
        "" if rate is None else exact(decimal_of(rate)),
        str(payload["period_start"]),
    )


def index_event(
    session: Session,
    *,
    seq: int,
    kind: str,
    actor: str,
    audience: Sequence[str],
    audience_json: str,
    payload: Mapping[str, Any],
) -> None:
    """Add one appended event to the views and, for spend, to its sum (the caller holds the
    ledger's write lock, so the read-modify-write of a sum is not interleaved)."""
    parties = sorted(set(audience))
    if parties:  # one INSERT for all of them, without the ORM's unit of work
        rows = [{"party": p, "kind": kind, "seq": seq} for p in parties]
        session.execute(insert(_VIEWS), rows)
    if kind != SPEND:
        return
    key = spend_key(actor, audience_json, payload)
    row = session.get(SpendSumRow, key)
    if row is None:
        payer, provider, aud, currency, rate, start = key
        row = SpendSumRow(
            payer=payer,
            provider=provider,
            audience=aud,
            currency=currency,
            rate=rate,
            period_start=start,
            amount="0",
            events=0,
        )
        session.add(row)
    row.amount = exact(total([decimal_of(row.amount), counted_cost(payload)]))
    row.events += 1


@dataclass
class Rebuilt:
    """The indexes as the events say they should be, built one event at a time."""

    views: set[tuple[str, str, int]] = field(default_factory=set)
    sums: dict[SpendKey, tuple[Decimal, int]] = field(default_factory=dict)

    def add(
        self, *, seq: int, kind: str, actor: str, audience_json: str, payload: dict[str, Any]
    ) -> None:
        self.views.update((p, kind, seq) for p in json.loads(audience_json))
        if kind == SPEND:
            key = spend_key(actor, audience_json, payload)
            amount, n = self.sums.get(key, (Decimal(0), 0))
            self.sums[key] = (total([amount, counted_cost(payload)]), n + 1)


def compare(session: Session, rebuilt: Rebuilt) -> str | None:
    """Why the stored views and spend sums differ from ``rebuilt`` (None: they agree)."""
    stored = {
        (p, k, int(s))
        for p, k, s in session.execute(select(ViewRow.party, ViewRow.kind, ViewRow.seq))
    }
    if stored != rebuilt.views:
        extra, missing = stored - rebuilt.views, rebuilt.views - stored
        which = sorted(extra | missing, key=lambda v: v[2])[0]
        return (
            f"the ledger's audience index differs from the events ({len(extra)} rows added, "
            f"{len(missing)} missing; first at event {which[2]}): the ledger_views table was "
            "edited"
        )
    sums = {
        (r.payer, r.provider, r.audience, r.currency, r.rate, r.period_start): (
            decimal_of(r.amount),
            r.events,
        )
        for r in session.execute(select(SpendSumRow)).scalars()
    }
    if sums != rebuilt.sums:
        return (
            "the spend sums differ from the spend.recorded events: the spend_sums table was edited"
        )
    return None
