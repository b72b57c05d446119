"""The :class:`Timeline`: every clause of a scenario's agreements placed on one timeline,
built from their amendments (what each adds, replaces, removes, clarifies or leaves open),
and its queries: the clauses in force at a date under (resolved) events, cached per event
set, and how a clause ends."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from charter.agreements.documents import entry_json, record_json
from charter.agreements.records import (
    ClauseRecord,
    EventSet,
    Segment,
    TimelineEntry,
    Words,
    in_lang,
)
from charter.clauses import ClauseSpec
from charter.clauses.base import Translations
from charter.dates import (
    FOREVER,
    EventRef,
    Until,
    day_number,
    from_day_number,
    until_day,
)
from charter.i18n import LANGS, date, join, t
from charter.model import AgreementSpec, AmendmentSpec
from charter.selectors import Where, phrase_where
from charter.vocab import BASE, Vocabulary

__all__ = ["Timeline"]

#: How an amendment ends a clause: (date, by, uncertain, note, translations).
_End = tuple[dt.date, str | None, bool, str | None, Translations]


@dataclass
class _Changes:
    """What one agreement's amendments say about its clauses: the clauses they make (with
    their amendment's date), and by clause id how one ends, the narrowings a clarification
    gives it (date, selector, in words) and the open items on it (date, note, translations)."""

    made: list[tuple[ClauseSpec, dt.date]] = field(default_factory=list)
    ended: dict[str, _End] = field(default_factory=dict)
    narrowings: dict[str, list[tuple[dt.date, Where, Words]]] = field(default_factory=dict)
    #: by clause id, the contested narrowings: (date, note, translations)
    contests: dict[str, list[tuple[dt.date, str, Translations]]] = field(default_factory=dict)
    doubts: dict[str, list[tuple[dt.date, str, Translations]]] = field(default_factory=dict)

    @classmethod
    def of(cls, ag: AgreementSpec, vocab: Vocabulary) -> _Changes:
        changes = cls()
        for am in ag.amendments:
            for cl in am.clauses:
                changes.made.append((cl, am.date))
                for old in cl.replaces:
                    changes.ended[old] = (am.date, cl.id, False, None, {})
            for rm in am.removes:
                changes.ended[rm.clause] = (am.date, rm.by, rm.uncertain, rm.note, rm.translations)
            for cla in am.clarifications:
                for nar in cla.narrows:
                    changes.narrowings.setdefault(nar.clause, []).append(
                        (cla.date, nar.where, _words(nar.where, vocab))
                    )
                    if cla.uncertain:
                        changes.contests.setdefault(nar.clause, []).append(
                            (cla.date, cla.note or "", cla.translations)
                        )
            for item in am.open_items:
                for cid in item.clauses:
                    changes.doubts.setdefault(cid, []).append(
                        (am.date, item.note, item.translations)
                    )
        return changes


def _words(where: Where, vocab: Vocabulary) -> Words:
    """A ``where`` in the words of each language."""
    return tuple((lang, phrase_where(where, vocab, lang)) for lang in LANGS)


def _entries(agreement: str, am: AmendmentSpec, vocab: Vocabulary) -> list[TimelineEntry]:
    """The dated entries of one amendment: its own, then one per clarification in it (the
    clauses it adds are filled in once they are placed)."""
    replaced = tuple((old, cl.id) for cl in am.clauses for old in cl.replaces)
    entries = [
        TimelineEntry(
            date=am.date,
            agreement=agreement,
            kind="amendment",
            title=am.title,
            summary=am.summary,
            sources=am.sources,
            replaced=replaced,
            removed=tuple((r.clause, r.by, r.note) for r in am.removes),
            open_items=tuple((i.clauses, i.note) for i in am.open_items),
            translations=am.translations,
            open_item_translations=tuple(i.translations for i in am.open_items),
        )
    ]
    for cla in am.clarifications:
        entries.append(
            TimelineEntry(
                date=cla.date,
                agreement=agreement,
                kind="clarification",
                title=cla.title,
                summary=cla.summary,
                sources=cla.sources,
                narrowed=tuple((n.clause, _words(n.where, vocab)) for n in cla.narrows),
                confidence=cla.confidence.value,
                translations=cla.translations,
            )
        )
    return entries


def _segments(spec: ClauseSpec, start: dt.date, changes: _Changes) -> tuple[Segment, ...]:
    """The stretches of a clause's life from ``start``: cut at every clarification narrowing
    it and every open item on it, each stretch with what applies from its start."""
    narrowings = changes.narrowings.get(spec.id, [])
    doubts = changes.doubts.get(spec.id, [])
    contests = changes.contests.get(spec.id, [])
    cuts = sorted(
        {day_number(start)}
        | {day_number(d) for d, _, _ in narrowings}
        | {day_number(d) for d, _, _ in doubts}
    )
    segs: list[Segment] = []
    for k, cut in enumerate(cuts):
        stop = cuts[k + 1] if k + 1 < len(cuts) else FOREVER
        narrow = tuple(w for d, w, _ in narrowings if day_number(d) <= cut)
        clarified = tuple((d, text) for d, _, text in narrowings if day_number(d) <= cut)
        doubt = tuple((n, tr) for d, n, tr in doubts if day_number(d) <= cut)
        contest = tuple((n, tr) for d, n, tr in contests if day_number(d) <= cut)
        segs.append(
            Segment(
                start=cut,
                stop=stop,
                narrow=narrow,
                uncertain=spec.uncertain or bool(doubt),
                clarified=clarified,
                doubts=doubt,
                contested=contest,
            )
        )
    return tuple(segs)


class Timeline:
    """All clauses of a scenario's agreements on one timeline."""

    def __init__(
        self,
        agreements: tuple[AgreementSpec, ...],
        vocabulary: Vocabulary = BASE,
        event_names: Mapping[str, Words] | None = None,
        known_events: Mapping[str, dt.date] | None = None,
        *,
        called: Mapping[str, str] | None = None,
    ) -> None:
        """``vocabulary`` words the narrowings; ``event_names`` (event id → its name in each
        language) the ends on events; ``known_events`` are the dates the scenario records
        (any other event date is assumed)."""
        self.vocabulary = vocabulary
        self.event_names: dict[str, Words] = dict(event_names or {})
        self.known_events: dict[str, dt.date] = dict(known_events or {})
        #: what a sentence calls a party or provider, by id (:meth:`name_of`)
        self.called: dict[str, str] = dict(called or {})
        self.records: list[ClauseRecord] = []
        self.entries: list[TimelineEntry] = []
        for ag in agreements:
            self._place(ag)
        self.entries.sort(key=lambda e: (e.date, e.agreement, e.kind))
        self.by_id: dict[str, ClauseRecord] = {r.id: r for r in self.records}

    # ------------------------------------------------------------------ building
    def _place(self, ag: AgreementSpec) -> None:
        """Place one agreement: its entries, then a record per clause it makes, then each
        amendment's entry names the clauses it added."""
        changes = _Changes.of(ag, self.vocabulary)
        for am in ag.amendments:
            self.entries.extend(_entries(ag.id, am, self.vocabulary))
        # a clause that starts later, on the day of one of the agreement's clarifications
        # (a statement that brought it), is listed there rather than under its amendment
        stated = {cla.date for am in ag.amendments for cla in am.clarifications}
        added: dict[tuple[str, dt.date], list[ClauseRecord]] = {}
        for spec, am_date in changes.made:
            rec = self._record(ag.id, spec, am_date, changes)
            self.records.append(rec)
            if rec.start != am_date and rec.start in stated:
                added.setdefault(("clarification", rec.start), []).append(rec)
            else:
                added.setdefault(("amendment", am_date), []).append(rec)
        self.entries = [
            e
            if e.agreement != ag.id
            else TimelineEntry(**{**e.__dict__, "added": tuple(added.get((e.kind, e.date), ()))})
            for e in self.entries
        ]

    def _record(
        self, agreement: str, spec: ClauseSpec, am_date: dt.date, changes: _Changes
    ) -> ClauseRecord:
        """The next record: clause ``spec``, made by the amendment of ``am_date``."""
        start = spec.start or am_date
        end = changes.ended.get(spec.id)
        return ClauseRecord(
            index=len(self.records),
            spec=spec,
            agreement=agreement,
            amendment=am_date,
            start=start,
            removed_on=end[0] if end else None,
            removed_by=end[1] if end else None,
            removal_uncertain=end[2] if end else False,
            removal_note=end[3] if end else None,
            removal_translations=end[4] if end else {},
            segments=_segments(spec, start, changes),
            follows=self._excepted(spec),
        )

    def _excepted(self, spec: ClauseSpec) -> tuple[ClauseRecord, ...]:
        """The placed clauses an exception excepts from, whose end it shares (none for a
        clause that lifts nothing or that ``outlives_overrides``)."""
        if not spec.lifts or getattr(spec, "outlives_overrides", False):
            return ()
        placed = {r.id: r for r in self.records}
        return tuple(placed[o] for o in getattr(spec, "overrides", ()) if o in placed)

    # ------------------------------------------------------------------ queries
    def in_force(self, at: dt.date, events: EventSet = ()) -> tuple[ClauseRecord, ...]:
        """Clauses in force on ``at`` under the (resolved) ``events``, in timeline order."""
        return _in_force(self, at, events)

    def end_days(self, events: EventSet) -> tuple[int, ...]:
        """Per record, the first day it is no longer in force (cached per event set)."""
        return _end_days(self, events)

    def segment_at(self, rec: ClauseRecord, at: dt.date) -> Segment:
        d = day_number(at)
        for s in rec.segments:
            if s.start <= d < s.stop:
                return s
        return rec.segments[-1]

    def name_of(self, party: str) -> str:
        """A party's or provider's name for a sentence (its id if the timeline has none)."""
        return self.called.get(party, party)

    def event_name(self, event: str, lang: str = "en") -> str:
        """An event's name in ``lang`` (its id if the timeline was given no names)."""
        words = self.event_names.get(event)
        return in_lang(words, lang) if words else event

    def describe_until(self, u: Until, lang: str = "en") -> str:
        """An ``until`` in words: a date, an event's name, or the first of several."""
        if isinstance(u, dt.date):
            return date(lang, u)
        if isinstance(u, EventRef):
            return t(lang, "until.event", event=self.event_name(u.event, lang))
        options = join(lang, (self.describe_until(o, lang) for o in u.options), "where.or")
        return t(lang, "until.first_of", options=options)

    def describe_end(
        self, rec: ClauseRecord, events: Mapping[str, dt.date], lang: str = "en"
    ) -> str:
        """Human text for how and when a clause ends, in ``lang``."""
        parts = []
        if rec.removed_on is not None:
            on = date(lang, rec.removed_on)
            parts.append(
                t(lang, "end.removed_by", date=on, by=rec.removed_by)
                if rec.removed_by
                else t(lang, "end.removed", date=on)
            )
        if rec.spec.end is not None:
            until = self.describe_until(rec.spec.end, lang)
            day = until_day(rec.spec.end, events)
            if day >= FOREVER:
                parts.append(t(lang, "end.until", until=until))
            else:
                last = date(lang, from_day_number(day))
                parts.append(t(lang, "end.until_day", until=until, day=last))
        if rec.follows:  # an exception: it ends with what it excepts from
            ids = ", ".join(r.id for r in rec.follows)
            parts.append(t(lang, "end.with", clauses=ids))
        return "; ".join(parts) or t(lang, "end.open")

    def to_json(
        self, at: dt.date | None, events: Mapping[str, dt.date], lang: str = "en"
    ) -> dict[str, Any]:
        """The timeline (and, with ``at``, the clauses in force) as JSON-ready data."""
        key = tuple(sorted(events.items()))
        out: dict[str, Any] = {
            "lang": lang,
            "events": {k: v.isoformat() for k, v in sorted(events.items())},
            "event_names": {k: self.event_name(k, lang) for k in sorted(events)},
            "entries": [entry_json(e, lang) for e in self.entries],
        }
        if at is not None:
            out["at"] = at.isoformat()
            out["in_force"] = [
                record_json(r, self, events, at, lang) for r in self.in_force(at, key)
            ]
        return out


@lru_cache(maxsize=4096)
def _in_force(tl: Timeline, at: dt.date, events: EventSet) -> tuple[ClauseRecord, ...]:
    ev = dict(events)
    return tuple(r for r in tl.records if r.in_force(at, ev))


@lru_cache(maxsize=256)
def _end_days(tl: Timeline, events: EventSet) -> tuple[int, ...]:
    ev = dict(events)
    return tuple(r.end_day(ev) for r in tl.records)
