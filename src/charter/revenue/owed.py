"""Money owed under revenue-share clauses: ``charter owes``.

For a payer, a payee, a period and the period's revenue, every ``revenue_share`` clause with a
flow from payer to payee contributes ``rate × revenue × (days in force ÷ days in period)``: a
period straddling an amendment is prorated by day. A flow with a cap pays no more than what
earlier periods (``history``) left of it. A flow whose rate the record does not give makes the
amount unknown rather than invented.

This module owns those rules: each clause's share of a period and the total. The answer's note
is worded by :mod:`charter.revenue.notes`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from charter.agreements import ClauseRecord, Timeline
from charter.agreements.caveats import caveats_of, rests_on_doubt
from charter.clauses.revenue_share import Flow
from charter.dates import FOREVER, day_number, from_day_number
from charter.errors import RequestError
from charter.i18n import t
from charter.periods import Period
from charter.revenue.notes import assumed_note, nothing_note, owed_note

__all__ = ["Owed", "SharePart", "compute_owed"]


@dataclass(frozen=True)
class SharePart:
    """One clause's share of one period."""

    record: ClauseRecord
    flow: Flow
    effect: str  # owed | capped | no-rate | ended
    start: dt.date | None
    end: dt.date | None
    days: int
    revenue_counted: float
    amount: float | None
    cap_used_before: float
    uncertain: bool
    ends: str | None = None
    ended_on: dt.date | None = None

    def to_json(self, lang: str) -> dict[str, Any]:
        spec = self.record.spec
        out: dict[str, Any] = {
            "id": spec.id,
            "effect": self.effect,
            "kind": spec.kind,  # type: ignore[attr-defined]
            "title": spec.title_in(lang),
            "agreement": self.record.agreement,
            "amendment": self.record.amendment.isoformat(),
            "confidence": spec.confidence.value,
            "figure_grades": {k: g.value for k, g in spec.figure_grades.items()},
            "uncertain": self.uncertain,
            "sources": list(spec.sources),
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "days": self.days,
            "stream": self.flow.stream,
            "revenue_counted": self.revenue_counted,
            "rate": self.flow.rate,
            "amount": self.amount,
            "cap": self.flow.cap,
            "cap_used_before": self.cap_used_before,
        }
        if self.ends:
            out["ends"] = self.ends
            out["ended_on"] = self.ended_on.isoformat() if self.ended_on else None
        return out


@dataclass(frozen=True)
class Owed:
    """What a payer owes a payee for one period, clause by clause."""

    payer: str
    payee: str
    period: Period
    revenue: float
    currency: str
    amount: float | None
    rate: float | None
    cap: float | None
    cap_used: float | None
    cap_remaining: float | None
    parts: tuple[SharePart, ...]
    uncertain: bool
    note: str
    events: Mapping[str, dt.date]
    lang: str = "en"
    history_ignored: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()

    @property
    def clause_ids(self) -> tuple[str, ...]:
        return tuple(p.record.id for p in self.parts)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form (README: "owes --json")."""
        return {
            "payer": self.payer,
            "payee": self.payee,
            "period": self.period.label,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "days": self.period.days,
            "revenue": self.revenue,
            "currency": self.currency,
            "amount": self.amount,
            "rate": self.rate,
            "cap": self.cap,
            "cap_used": self.cap_used,
            "cap_remaining": self.cap_remaining,
            "clauses": [p.to_json(self.lang) for p in self.parts],
            "uncertain": self.uncertain,
            "note": self.note,
            "lang": self.lang,
            "events": {k: v.isoformat() for k, v in sorted(self.events.items())},
            "history_ignored": list(self.history_ignored),
            "caveats": list(self.caveats),
        }


def _flows(timeline: Timeline, payer: str, payee: str) -> list[tuple[ClauseRecord, int, Flow]]:
    out = []
    for rec in timeline.records:
        for k, flow in enumerate(rec.spec.revenue_flows()):
            if flow.payer == payer and flow.payee == payee:
                out.append((rec, k, flow))
    return out


def _parts(
    timeline: Timeline,
    flows: list[tuple[ClauseRecord, int, Flow]],
    period: Period,
    revenue: float,
    events: Mapping[str, dt.date],
    used: dict[tuple[int, int], float],
) -> list[SharePart]:
    """Shares of one period, updating ``used`` (cap consumption per clause flow)."""
    p0, p1 = day_number(period.start), day_number(period.end) + 1
    parts: list[SharePart] = []
    for rec, k, flow in flows:
        start = max(p0, day_number(rec.start))
        stop = min(p1, rec.end_day(events))
        if stop <= start:
            continue
        days = stop - start
        counted = revenue * days / period.days
        before = used.get((rec.index, k), 0.0)
        last_day = from_day_number(stop - 1)
        seg = timeline.segment_at(rec, last_day) if last_day else rec.segments[-1]
        uncertain = rec.spec.uncertain or seg.uncertain
        amount, effect = flow.owed(counted, before)
        if amount is not None:
            used[(rec.index, k)] = before + amount
        parts.append(
            SharePart(
                rec,
                flow,
                effect,
                from_day_number(start),
                last_day,
                days,
                counted,
                amount,
                before,
                uncertain,
            )
        )
    return parts


def _ended(
    timeline: Timeline,
    flows: list[tuple[ClauseRecord, int, Flow]],
    period: Period,
    events: Mapping[str, dt.date],
) -> list[SharePart]:
    """The most recently ended share before the period, when none is in force in it."""
    p0 = day_number(period.start)
    best: tuple[int, ClauseRecord, Flow] | None = None
    for rec, _, flow in flows:
        end = rec.end_day(events)
        if end <= p0 and end < FOREVER and (best is None or end > best[0]):
            best = (end, rec, flow)
    if best is None:
        return []
    end, rec, flow = best
    by = timeline.by_id.get(rec.removed_by) if rec.removed_by else None
    ender = by if by is not None and rec.removed_on and day_number(rec.removed_on) == end else rec
    return [
        SharePart(
            ender,
            flow,
            "ended",
            None,
            None,
            0,
            0.0,
            0.0,
            0.0,
            # a removal is as certain as the removal, not as the remover's other terms
            rec.removal_uncertain if ender is by else rec.spec.uncertain,
            ends=rec.id,
            ended_on=from_day_number(end),
        )
    ]


def compute_owed(
    timeline: Timeline,
    *,
    payer: str,
    payee: str,
    period: Period,
    revenue: float,
    history: Sequence[tuple[Period, float]] = (),
    events: Mapping[str, dt.date],
    lang: str = "en",
) -> Owed:
    """Amount owed for ``period`` (see the module docstring for the rules).

    Args:
        history: earlier periods and their revenue; they use up caps. Periods that do not end
            before ``period`` starts are ignored (and listed as such).
    """
    if revenue < 0:
        raise RequestError(f"revenue must not be negative, got {revenue}")
    flows = _flows(timeline, payer, payee)
    used, ignored = _history_used(timeline, flows, period, history, events)
    parts = _parts(timeline, flows, period, revenue, events, used)
    currency = parts[0].flow.currency if parts else "USD"
    # the sentence names the parties; the answer's fields keep their ids
    who = {"payer": timeline.name_of(payer), "payee": timeline.name_of(payee)}
    if parts:
        shown = parts
        amount, rate, note = _summary(parts, **who, period=period, currency=currency, lang=lang)
    else:  # none in force: the share that ended last, if any
        shown = _ended(timeline, flows, period, events)
        amount, rate = 0.0, None
        note = nothing_note(shown, **who, period=period, lang=lang)
    note += assumed_note(shown, timeline, events, period, lang)
    cap, cap_used, cap_remaining = _cap(parts)
    caveats, soft = _caveats(timeline, shown, lang)
    if caveats:
        note = f"{note} {t(lang, 'caveats', items='; '.join(caveats))}"
    return Owed(
        payer,
        payee,
        period,
        revenue,
        currency,
        amount,
        rate,
        cap,
        cap_used,
        cap_remaining,
        tuple(shown),
        soft or any(p.uncertain for p in shown),
        note,
        dict(events),
        lang,
        tuple(ignored),
        caveats,
    )


def _caveats(
    timeline: Timeline, shown: Sequence[SharePart], lang: str
) -> tuple[tuple[str, ...], bool]:
    """The caveat lines of the shares that count (their rates and caps are figures the
    answer uses), and whether any rests on a soft source or an assumption."""
    lines: list[str] = []
    soft = False
    for p in shown:
        if p.effect == "ended":
            continue
        seg = timeline.segment_at(p.record, p.end) if p.end else p.record.segments[-1]
        lines.extend(caveats_of(p.record, seg, lang, figures=True))
        soft = soft or rests_on_doubt(p.record, figures=True)
    return tuple(dict.fromkeys(lines)), soft


def _history_used(
    timeline: Timeline,
    flows: list[tuple[ClauseRecord, int, Flow]],
    period: Period,
    history: Sequence[tuple[Period, float]],
    events: Mapping[str, dt.date],
) -> tuple[dict[tuple[int, int], float], list[str]]:
    """What the earlier periods of ``history`` used of each clause flow's cap, in date order,
    and the labels of those ignored because they do not end before ``period`` starts."""
    used: dict[tuple[int, int], float] = {}
    ignored = []
    for hp, hrev in sorted(history, key=lambda h: h[0].start):
        if hp.end >= period.start:
            ignored.append(hp.label)
            continue
        _parts(timeline, flows, hp, hrev, events, used)
    return used, ignored


def _summary(
    parts: list[SharePart], *, payer: str, payee: str, period: Period, currency: str, lang: str
) -> tuple[float | None, float | None, str]:
    """The amount of the shares in force (None if one has no rate), their rate if they share
    one, and the note."""
    unknown = [p for p in parts if p.amount is None]
    known = sum(p.amount for p in parts if p.amount is not None)
    rates = {p.flow.rate for p in parts}
    note = owed_note(
        parts,
        unknown,
        known,
        payer=payer,
        payee=payee,
        period=period,
        currency=currency,
        lang=lang,
    )
    return None if unknown else known, next(iter(rates)) if len(rates) == 1 else None, note


def _cap(parts: list[SharePart]) -> tuple[float | None, float | None, float | None]:
    """The cap of the last capped share, what earlier periods used of it and what is left
    after this period (all None without a capped share)."""
    capped = [p for p in parts if p.flow.cap is not None]
    if not capped:
        return None, None, None
    last = capped[-1]
    cap = last.flow.cap
    remaining = None if cap is None else cap - last.cap_used_before - (last.amount or 0.0)
    return cap, last.cap_used_before, remaining
