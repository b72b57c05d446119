"""The note of an ``owes`` answer, in the caller's language: the amount and each clause's share
of it, which shares leave it unknown, or that no share is in force."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING

from charter.dates import day_number, until_day, until_events
from charter.i18n import date, money, percent, t
from charter.periods import Period

if TYPE_CHECKING:
    from charter.agreements import Timeline
    from charter.revenue.owed import SharePart

__all__ = ["assumed_note", "nothing_note", "owed_note"]


def assumed_note(
    parts: list[SharePart],
    timeline: Timeline,
    events: Mapping[str, dt.date],
    period: Period,
    lang: str,
) -> str:
    """Sentences naming the assumed events that end a share by the end of ``period`` (an event
    whose date the scenario records is not assumed); empty if none does."""
    out: list[str] = []
    for p in parts:
        end = p.record.spec.end
        for event in sorted(until_events(end)):
            when = events.get(event)
            if when is None or timeline.known_events.get(event) == when or when > period.end:
                continue
            if until_day(end, events) != day_number(when):
                continue
            name = timeline.event_name(event, lang)
            out.append(
                t(lang, "owes.assumed", clause=p.record.id, event=name, date=date(lang, when))
            )
    return "".join(" " + s for s in dict.fromkeys(out))


def nothing_note(
    ended: list[SharePart], *, payer: str, payee: str, period: Period, lang: str
) -> str:
    """The note when no share is in force in the period: the one that ended last, if any."""
    if not ended:
        return t(lang, "owes.none", payer=payer, payee=payee, period=period)
    e = ended[0]
    ended_item = t(lang, "part.ended", clause=f"{e.ends}", date=date(lang, e.ended_on))
    return t(lang, "owes.ended", payer=payer, payee=payee, period=period, items=ended_item)


def _item(p: SharePart, period: Period, currency: str, lang: str) -> str:
    """One share in words: its rate on the revenue counted, its cap, or its missing rate."""
    name = f"{p.record.id} ({p.flow.stream})" if p.flow.stream != "revenue" else p.record.id
    if p.effect == "no-rate":
        return t(lang, "owes.part.norate", clause=name, days=p.days, period_days=period.days)
    if p.effect == "capped":
        return t(
            lang,
            "owes.part.capped",
            clause=name,
            amount=money(lang, p.amount or 0.0, currency),
            cap=money(lang, p.flow.cap or 0.0, currency),
        )
    return t(
        lang,
        "owes.part",
        clause=name,
        rate=percent(lang, p.flow.rate or 0),
        counted=money(lang, p.revenue_counted, currency),
        days=p.days,
        period_days=period.days,
    )


def owed_note(
    parts: list[SharePart],
    unknown: list[SharePart],
    known: float,
    *,
    payer: str,
    payee: str,
    period: Period,
    currency: str,
    lang: str,
) -> str:
    """The note of a period with shares in force: the amount and each share, or which shares
    leave it unknown (and the part that is known)."""
    items = "; ".join(_item(p, period, currency, lang) for p in parts)
    if not unknown:
        return t(
            lang,
            "owes.amount",
            payer=payer,
            payee=payee,
            amount=money(lang, known, currency),
            period=period,
            items=items,
        )
    known_part = (
        t(lang, "owes.known_part", amount=money(lang, known, currency))
        if len(unknown) < len(parts)
        else ""
    )
    note = t(
        lang,
        "owes.unknown",
        clauses=", ".join(p.record.id for p in unknown),
        payer=payer,
        payee=payee,
        period=period,
        known=known_part,
    )
    return note + " " + items + "."
