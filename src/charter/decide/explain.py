"""Explanations: the clauses that decided a request, its obligations and a plain note.

Built per request only when asked for (a :class:`Decision` builds its explanation the first
time one of its parts is read), from the :class:`~charter.decide.request.Outcome` of either
the scalar or the vectorized path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from charter.agreements import ClauseRecord
from charter.agreements.caveats import caveats_of, rests_on_doubt
from charter.agreements.records import in_lang
from charter.clauses import Effect, Obligation
from charter.clauses.base import ScalarContext
from charter.dates import FOREVER, FirstOf, day_number, from_day_number, until_events
from charter.decide.request import _CONDITIONAL, _DENY, Outcome, Request, Verdict
from charter.i18n import date, t, word
from charter.selectors import compile_scalar, match

if TYPE_CHECKING:
    from charter.decide.rules import Rules

__all__ = ["Citation", "Decision", "Explanation", "explanation"]


@dataclass(frozen=True)
class Citation:
    """A clause that decided a request, with the effect it had."""

    record: ClauseRecord
    effect: str  # forbid | obligation | grant | lift | satisfied | ended
    uncertain: bool
    lifts: tuple[str, ...] = ()
    ends: str | None = None
    ended_on: dt.date | None = None
    notes: tuple[str, ...] = ()
    narrowed: bool = False  # ended for this request by a clarification, not by an amendment
    lang: str = "en"
    #: the assumed event that ended the clause (``agi_verified``), when one did
    event: str | None = None
    #: the last day in force of a clause that ran out on a calendar date
    through: dt.date | None = None

    def to_json(self) -> dict[str, Any]:
        spec = self.record.spec
        out: dict[str, Any] = {
            "id": spec.id,
            "effect": self.effect,
            "kind": spec.kind,  # type: ignore[attr-defined]
            "title": spec.title_in(self.lang),
            "agreement": self.record.agreement,
            "amendment": self.record.amendment.isoformat(),
            "confidence": spec.confidence.value,
            "uncertain": self.uncertain,
            "sources": list(spec.sources),
        }
        if self.lifts:
            out["lifts"] = list(self.lifts)
        if self.ends:
            out["ends"] = self.ends
            out["ended_on"] = self.ended_on.isoformat() if self.ended_on else None
            if self.event:
                out["ended_by_event"] = self.event
        if self.notes:
            out["notes"] = list(self.notes)
        return out


@dataclass(frozen=True)
class Explanation:
    """Why a verdict is what it is: deciding clauses, obligations, a note."""

    obligations: tuple[Obligation, ...]
    clauses: tuple[Citation, ...]
    uncertain: bool
    note: str
    caveats: tuple[str, ...] = ()


class Decision:
    """A verdict with its obligations, the clauses that decided it and a plain note.

    The verdict is computed at once; the explanation (``clauses``, ``obligations``, ``note``,
    ``uncertain``) the first time one of them is read, so that a caller who needs only the
    verdict pays only for it.
    """

    __slots__ = ("_explained", "_outcome", "_rules", "events", "lang", "request", "verdict")

    def __init__(
        self,
        request: Request,
        verdict: Verdict,
        events: Mapping[str, dt.date],
        lang: str,
        rules: Rules,
        outcome: Outcome,
    ) -> None:
        self.request = request
        self.verdict = verdict
        self.events = events
        self.lang = lang
        self._rules = rules
        self._outcome = outcome
        self._explained: Explanation | None = None

    def __repr__(self) -> str:
        return f"Decision({self.verdict.value}, {self.request.action} at {self.request.at})"

    @property
    def explanation(self) -> Explanation:
        if self._explained is None:
            self._explained = self._rules.explanation(self.request, self._outcome, self.lang)
        return self._explained

    @property
    def obligations(self) -> tuple[Obligation, ...]:
        return self.explanation.obligations

    @property
    def clauses(self) -> tuple[Citation, ...]:
        return self.explanation.clauses

    @property
    def uncertain(self) -> bool:
        return self.explanation.uncertain

    @property
    def note(self) -> str:
        return self.explanation.note

    @property
    def caveats(self) -> tuple[str, ...]:
        return self.explanation.caveats

    def to_json(self) -> dict[str, Any]:
        """The documented, stable JSON form (README: "decide --json")."""
        return {
            "verdict": self.verdict.value,
            "lang": self.lang,
            "obligations": [o.to_json() for o in self.obligations],
            "clauses": [c.to_json() for c in self.clauses],
            "uncertain": self.uncertain,
            "note": self.note,
            "caveats": list(self.caveats),
            "request": self.request.to_json(),
            "events": {k: v.isoformat() for k, v in sorted(self.events.items())},
        }

    @property
    def clause_ids(self) -> tuple[str, ...]:
        return tuple(c.record.id for c in self.clauses)


def _cite(
    rules: Rules,
    k: int,
    req: Request,
    o: Outcome,
    effect: str,
    lang: str,
    text: bool = True,
    **extra: Any,
) -> Citation:
    rec = rules.records[k]
    notes: tuple[str, ...] = ()
    if text:
        seg = rules.timeline.segment_at(rec, req.at)
        notes = tuple(n for n in (rec.spec.text("note", lang), *seg.notes_in(lang)) if n)
    return Citation(
        rec,
        effect,
        uncertain=k in o.doubt or rec.spec.uncertain,
        notes=notes,
        lang=lang,
        **extra,
    )


def explanation(
    rules: Rules, req: Request, o: Outcome, lang: str = "en", *, text: bool = True
) -> Explanation:
    """Deciding clauses, obligations and a note for an outcome (without ``text``: the
    clauses and obligations only, no notes, note or caveats, for callers that compare
    decisions by their clauses)."""
    cites: list[Citation] = []
    obligations: list[Obligation] = []
    order = sorted(o.effects)
    if o.code == _DENY:
        for k in order:
            if o.effects[k] == Effect.FORBID and k not in o.lifted:
                cites.append(_cite(rules, k, req, o, "forbid", lang, text))
        if not cites:  # the action's default deny: did a grant that would allow it end?
            cites.extend(_ended(rules, req, o, set(), lang, grants=True))
    elif o.code == _CONDITIONAL:
        attrs = {**rules.attrs(req), "at": req.at, "created": req.created}
        for k in order:
            if o.effects[k] == Effect.OBLIGATION and k not in o.lifted:
                c = _cite(rules, k, req, o, "obligation", lang, text)
                cites.append(c)
                ob = c.record.spec.obligation(attrs, lang, rules.timeline.called)
                if ob is not None:
                    obligations.append(ob)
    else:
        for k in o.lift_used:
            lifts = tuple(
                rules.records[t].id
                for t in rules.overrides[k]
                if o.effects.get(t, 0) >= Effect.OBLIGATION
            )
            cites.append(_cite(rules, k, req, o, "lift", lang, text, lifts=lifts))
        cited = set(o.lift_used)
        for k in order:
            if o.effects[k] == Effect.GRANT and k not in cited:
                cites.append(_cite(rules, k, req, o, "grant", lang, text))
        for k in order:
            if o.effects[k] == Effect.SATISFIED:
                cites.append(_cite(rules, k, req, o, "satisfied", lang, text))
        if not any(c.effect in ("lift", "grant") for c in cites):
            cites.extend(_ended(rules, req, o, {c.record.index for c in cites}, lang))
    if not text:
        return Explanation(
            obligations=tuple(obligations),
            clauses=tuple(cites),
            uncertain=any(c.uncertain for c in cites),
            note="",
        )
    caveats, soft = _caveats(rules, req, cites, lang)
    note = _note(rules, req, o.code, cites, obligations, lang)
    if caveats:
        note = f"{note} {t(lang, 'caveats', items='; '.join(caveats))}"
    return Explanation(
        obligations=tuple(obligations),
        clauses=tuple(cites),
        uncertain=soft or any(c.uncertain for c in cites),
        note=note,
        caveats=caveats,
    )


#: effects by which an answer uses a clause's terms (an ``ended`` clause lends only its end)
_USES_TERMS = ("forbid", "obligation", "grant", "lift", "satisfied")


def _caveats(
    rules: Rules, req: Request, cites: list[Citation], lang: str
) -> tuple[tuple[str, ...], bool]:
    """The answer's caveat lines (:mod:`charter.agreements.caveats`), and whether any clause
    whose terms it uses rests on a soft source or an assumption."""
    lines: list[str] = []
    soft = False
    for c in cites:
        if c.effect in _USES_TERMS:
            seg = rules.timeline.segment_at(c.record, req.at)
            lines.extend(caveats_of(c.record, seg, lang))
            soft = soft or rests_on_doubt(c.record)
        elif c.uncertain:  # an uncertain end: what the record says about it
            lines.extend(
                t(lang, "caveat.note", clause=c.record.id, note=n).rstrip(". ") for n in c.notes
            )
    return tuple(dict.fromkeys(lines)), soft


def _ended(
    rules: Rules,
    req: Request,
    o: Outcome,
    cited: set[int],
    lang: str,
    *,
    grants: bool = False,
) -> list[Citation]:
    """The most recent restrictions (or, with ``grants``, grants) that would apply to
    ``req`` had they not ended: why a default verdict holds.

    A clause ends when an amendment removes it, its ``until`` passes, or a clarification
    narrows it so that it no longer reaches the request. A replaced clause does not count
    while its replacement is in force: the replacement speaks for it. A removal is cited
    with its own certainty, not with that of the removing clause's other terms (one id may
    state two things: the ROFR's end and an open commitment).
    """

    def counts(effect: int) -> bool:
        return effect == Effect.GRANT if grants else effect >= Effect.OBLIGATION

    attrs = rules.attrs(req)
    today = day_number(req.at)
    ctx = ScalarContext(day_number(req.created or req.at), rules.events, rules.providers_of)
    found: list[tuple[int, ClauseRecord, ClauseRecord, tuple[str, ...], bool, bool]] = []
    for rule in rules.candidates(req.principal, req.action):
        rec = rule.rec
        if not match(rule.where, attrs):
            continue
        end = rule.end
        if end <= today:
            if rec.removed_by and end == _day(rec.removed_on):
                successor = rules.timeline.by_id.get(rec.removed_by)
                if (
                    successor is not None
                    and rec.id in successor.spec.replaces
                    and successor.in_force(req.at, rules.events)
                ):
                    continue
            if not all(match(n, attrs) for n in rule.last_narrows):
                continue
            if counts(rule.spec.effect_one(attrs, ctx)) and rec.index not in o.lifted:
                by = rules.timeline.by_id.get(rec.removed_by) if rec.removed_by else None
                # the removing clause is the reason until a later one removes it in turn
                # (one that merely ran out by its own terms stays the reason)
                removed = by is not None and end == _day(rec.removed_on)
                superseded = (
                    by is not None and by.removed_on is not None and by.removed_on <= req.at
                )
                ender = by if by is not None and removed and not superseded else rec
                removal = rec.removal_note_in(lang)
                note = (removal,) if removed and removal else ()
                doubt = removed and rec.removal_uncertain
                found.append((end, ender, rec, note, doubt, False))
            continue
        seg = rules.timeline.segment_at(rec, req.at)
        if not seg.narrow or rec.start > req.at:
            continue
        if all(match(compile_scalar(w), attrs) for w in seg.narrow):
            continue
        if counts(rule.spec.effect_one(attrs, ctx)):
            # the answer's sentence tells the narrowing; the notes keep the open items and
            # why a contested narrowing is contested (which lends the answer its doubt)
            notes = (*seg.notes_in(lang)[len(seg.clarified) :], *seg.contests_in(lang))
            found.append((seg.start, rec, rec, notes, bool(seg.contested), True))
    if not found:
        return []
    latest = max(f[0] for f in found)
    out: list[Citation] = []
    for end, ender, expired, notes, doubt, narrowed in found:
        if end != latest or ender.index in cited:
            continue
        cited.add(ender.index)
        event = through = None
        if ender is expired:  # past its own end, open items on its terms no longer bear
            last_day = from_day_number(end - 1) or req.at
            uncertain = expired.spec.uncertain or doubt
            if not narrowed:
                assumed = _assumed_end(rules, expired, from_day_number(end))
                event = assumed[0] if assumed is not None else None
                through = last_day if _dated_end(expired.spec.end) == end else None
        else:  # removed by another clause: as certain as that removal
            uncertain = doubt
        out.append(
            Citation(
                ender,
                "ended",
                uncertain=uncertain,
                ends=expired.id,
                ended_on=from_day_number(end),
                notes=notes,
                narrowed=narrowed,
                lang=lang,
                event=event,
                through=through,
            )
        )
    return out


def _dated_end(end: Any) -> int:
    """The first day out of force that the calendar dates of an ``until`` give alone."""
    if isinstance(end, dt.date):
        return day_number(end) + 1
    if isinstance(end, FirstOf):
        return min((_dated_end(o) for o in end.options), default=FOREVER)
    return FOREVER


def _note(
    rules: Rules,
    req: Request,
    code: int,
    cites: list[Citation],
    obligations: list[Obligation],
    lang: str,
) -> str:
    def name(c: Citation | ClauseRecord) -> str:
        rec = c.record if isinstance(c, Citation) else c
        return f"{rec.id} ({word(lang, 'kind', rec.spec.kind)})"  # type: ignore[attr-defined]

    actions = rules.vocabulary.actions
    if code == _DENY:
        if not cites:
            return t(
                lang,
                "deny.default",
                principal=rules.timeline.name_of(req.principal),
                action=req.action,
                describe=actions[req.action].describe_in(lang),
            )
        if all(c.effect == "ended" for c in cites):  # a default deny: the grant ended
            ended = "; ".join(_ended_part(rules, req, c, name, lang) for c in cites)
            principal = rules.timeline.name_of(req.principal)
            return t(lang, "deny.ended", items=ended, principal=principal)
        items = "; ".join(f"{name(c)}: {c.record.spec.describe(lang).rstrip('.')}" for c in cites)
        return t(lang, "deny.by", items=items)
    if code == _CONDITIONAL:
        return t(lang, "conditional", items="; ".join(o.detail for o in obligations))
    parts = []
    for c in cites:
        if c.effect == "lift":
            parts.append(t(lang, "part.lift", clause=name(c), lifted=", ".join(c.lifts)))
        elif c.effect == "grant":
            parts.append(t(lang, "part.grant", clause=name(c)))
        elif c.effect == "satisfied":
            parts.append(t(lang, "part.satisfied", clause=name(c)))
        elif c.effect == "ended":
            parts.append(_ended_part(rules, req, c, name, lang))
    if not parts:
        return t(
            lang, "allow.none", action=req.action, describe=actions[req.action].describe_in(lang)
        )
    return t(lang, "allow.parts", items="; ".join(parts))


def _ended_part(
    rules: Rules, req: Request, c: Citation, name: Callable[[ClauseRecord], str], lang: str
) -> str:
    """How an ended citation's clause stopped reaching the request: narrowed by a
    clarification (on its date, to what), ended by its own ``until`` (with the assumed event
    that ended it, if one did) or by a later clause."""
    gone = rules.timeline.by_id[c.ends] if c.ends else c.record
    on = date(lang, c.ended_on)
    if c.narrowed:
        day, words = rules.timeline.segment_at(gone, req.at).clarified[-1]
        where = in_lang(words, lang)
        return t(lang, "part.narrowed", clause=name(gone), date=date(lang, day), where=where)
    if c.record is not gone:
        return t(lang, "part.ended_by", clause=name(gone), date=on, by=c.record.id)
    if c.through is not None:  # ran out on a calendar date: its last day in force
        return t(lang, "part.ran_through", clause=name(gone), date=date(lang, c.through))
    assumed = _assumed_end(rules, gone, c.ended_on)
    if assumed is None:
        return t(lang, "part.ended", clause=name(gone), date=on)
    event, when = assumed
    return t(
        lang,
        "part.ended_event",
        clause=name(gone),
        date=on,
        event=rules.timeline.event_name(event, lang),
        event_date=date(lang, when),
    )


def _assumed_end(
    rules: Rules, rec: ClauseRecord, ended_on: dt.date | None
) -> tuple[str, dt.date] | None:
    """The assumed event (name, date) a clause's ``until`` ended it with on ``ended_on``, if
    one did (an event the scenario records the date of is not assumed)."""
    if ended_on is None:
        return None
    known = rules.timeline.known_events
    for event in sorted(until_events(rec.spec.end)):
        when = rules.events.get(event)
        if when is not None and when == ended_on and known.get(event) != when:
            return event, when
    return None


def _day(d: dt.date | None) -> int:
    return FOREVER if d is None else day_number(d)
