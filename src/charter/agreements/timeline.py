"""The amendment timeline: which clauses are in force at a date under assumed events.

Each clause becomes a :class:`ClauseRecord`: when it starts (its amendment, or a later
``from:``), when an amendment removes or replaces it, and the ``until`` it ends with. A
clarification inside a version splits a clause into :class:`Segment` s with a narrower
selector from the clarification's date; an open item marks later segments uncertain.

"In force at date D under events E" is a pure function of the timeline, cached per event set.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from charter.clauses import ClauseSpec
from charter.clauses.base import Translations
from charter.dates import FOREVER, day_number, describe_until, from_day_number, until_day
from charter.errors import RequestError
from charter.i18n import t
from charter.model import AgreementSpec, EventSpec
from charter.selectors import Where

__all__ = [
    "ClauseRecord",
    "EventSet",
    "Segment",
    "Timeline",
    "TimelineEntry",
    "resolve_events",
]

#: Assumed events, as a hashable, sorted tuple of (name, date).
EventSet = tuple[tuple[str, dt.date], ...]


@dataclass(frozen=True)
class Segment:
    """A stretch of a clause's life with one selector and one certainty."""

    start: int
    stop: int  # FOREVER: until the clause ends
    narrow: tuple[Where, ...] = ()
    uncertain: bool = False
    clarified: tuple[tuple[dt.date, str], ...] = ()  # (date, narrowing in words)
    doubts: tuple[tuple[str, Translations], ...] = ()  # open items: (note, translations)

    def notes_in(self, lang: str = "en") -> tuple[str, ...]:
        """Clarifications and open items bearing on this stretch, in ``lang``."""
        out = [t(lang, "narrowed.note", date=d, where=w) for d, w in self.clarified]
        for note, tr in self.doubts:
            de = tr.get(lang)
            out.append(de.note if de is not None and de.note else note)
        return tuple(out)

    @property
    def notes(self) -> tuple[str, ...]:
        return self.notes_in("en")


@dataclass(frozen=True)
class ClauseRecord:
    """A clause placed on its agreement's timeline."""

    index: int
    spec: ClauseSpec
    agreement: str
    amendment: dt.date
    start: dt.date
    removed_on: dt.date | None = None
    removed_by: str | None = None
    removal_uncertain: bool = False
    removal_note: str | None = None
    removal_translations: Translations = field(default_factory=dict)
    segments: tuple[Segment, ...] = ()

    def removal_note_in(self, lang: str = "en") -> str | None:
        tr = self.removal_translations.get(lang)
        return tr.note if tr is not None and tr.note else self.removal_note

    @property
    def id(self) -> str:
        return self.spec.id

    def end_day(self, events: Mapping[str, dt.date]) -> int:
        """First day no longer in force, as a day number (FOREVER if never)."""
        removed = FOREVER if self.removed_on is None else day_number(self.removed_on)
        return min(removed, until_day(self.spec.until, events))

    def in_force(self, at: dt.date, events: Mapping[str, dt.date]) -> bool:
        d = day_number(at)
        return day_number(self.start) <= d < self.end_day(events)


@dataclass(frozen=True)
class TimelineEntry:
    """One dated change: an amendment or a clarification."""

    date: dt.date
    agreement: str
    kind: str  # "amendment" | "clarification"
    title: str
    summary: str | None
    sources: tuple[str, ...]
    added: tuple[ClauseRecord, ...] = ()
    replaced: tuple[tuple[str, str], ...] = ()  # (old id, new id)
    removed: tuple[tuple[str, str | None, str | None], ...] = ()  # (old id, by, note)
    narrowed: tuple[tuple[str, str], ...] = ()  # (clause id, narrowing)
    open_items: tuple[tuple[tuple[str, ...], str], ...] = ()
    confidence: str | None = None
    translations: Translations = field(default_factory=dict)
    open_item_translations: tuple[Translations, ...] = ()

    def text(self, field_name: str, lang: str) -> str | None:
        tr = self.translations.get(lang)
        value = getattr(tr, field_name, None) if tr is not None else None
        own: str | None = getattr(self, field_name)
        return value if isinstance(value, str) and value else own


def resolve_events(
    declared: Mapping[str, EventSpec], assumed: Mapping[str, dt.date] | None
) -> dict[str, dt.date]:
    """Event dates in force: the scenario's known dates, the assumed ones, and what they imply.

    Raises:
        RequestError: an unknown event, or an implied event assumed later than its implier.
    """
    out: dict[str, dt.date] = {e.id: e.date for e in declared.values() if e.date is not None}
    for name, date in (assumed or {}).items():
        if name not in declared:
            valid = ", ".join(sorted(declared)) or "none declared"
            raise RequestError(f"unknown event {name!r}; valid events are: {valid}")
        out[name] = date
    changed = True
    while changed:
        changed = False
        for name, date in list(out.items()):
            for implied in declared[name].implies:
                have = out.get(implied)
                if have is None or have > date:
                    if have is not None and assumed and implied in assumed:
                        raise RequestError(
                            f"event {implied} ({have}) cannot come after {name} ({date}), "
                            f"which implies it"
                        )
                    out[implied] = date
                    changed = True
    return out


class Timeline:
    """All clauses of a scenario's agreements on one timeline."""

    def __init__(self, agreements: tuple[AgreementSpec, ...]) -> None:
        self.records: list[ClauseRecord] = []
        self.entries: list[TimelineEntry] = []
        for ag in agreements:
            self._place(ag)
        self.entries.sort(key=lambda e: (e.date, e.agreement, e.kind))
        self.by_id: dict[str, ClauseRecord] = {r.id: r for r in self.records}

    # ------------------------------------------------------------------ building
    def _place(self, ag: AgreementSpec) -> None:
        ended: dict[str, tuple[dt.date, str | None, bool, str | None, Translations]] = {}
        narrowings: dict[str, list[tuple[dt.date, Where, str]]] = {}
        doubts: dict[str, list[tuple[dt.date, str, Translations]]] = {}
        made: list[tuple[ClauseSpec, dt.date]] = []
        for am in ag.amendments:
            replaced: list[tuple[str, str]] = []
            for cl in am.clauses:
                made.append((cl, am.date))
                for old in cl.replaces:
                    ended[old] = (am.date, cl.id, False, None, {})
                    replaced.append((old, cl.id))
            for rm in am.removes:
                ended[rm.clause] = (am.date, rm.by, rm.uncertain, rm.note, rm.translations)
            for cla in am.clarifications:
                for nar in cla.narrows:
                    text = " or ".join(s.describe() for s in nar.where)
                    narrowings.setdefault(nar.clause, []).append((cla.date, nar.where, text))
            for item in am.open_items:
                for cid in item.clauses:
                    doubts.setdefault(cid, []).append((am.date, item.note, item.translations))
            self.entries.append(
                TimelineEntry(
                    date=am.date,
                    agreement=ag.id,
                    kind="amendment",
                    title=am.title,
                    summary=am.summary,
                    sources=am.sources,
                    replaced=tuple(replaced),
                    removed=tuple((r.clause, r.by, r.note) for r in am.removes),
                    open_items=tuple((i.clauses, i.note) for i in am.open_items),
                    translations=am.translations,
                    open_item_translations=tuple(i.translations for i in am.open_items),
                )
            )
            for cla in am.clarifications:
                self.entries.append(
                    TimelineEntry(
                        date=cla.date,
                        agreement=ag.id,
                        kind="clarification",
                        title=cla.title,
                        summary=cla.summary,
                        sources=cla.sources,
                        narrowed=tuple(
                            (n.clause, " or ".join(s.describe() for s in n.where))
                            for n in cla.narrows
                        ),
                        confidence=cla.confidence.value,
                        translations=cla.translations,
                    )
                )
        added: dict[dt.date, list[ClauseRecord]] = {}
        for spec, am_date in made:
            start = spec.from_ or am_date
            end = ended.get(spec.id)
            rec = ClauseRecord(
                index=len(self.records),
                spec=spec,
                agreement=ag.id,
                amendment=am_date,
                start=start,
                removed_on=end[0] if end else None,
                removed_by=end[1] if end else None,
                removal_uncertain=end[2] if end else False,
                removal_note=end[3] if end else None,
                removal_translations=end[4] if end else {},
                segments=self._segments(spec, start, narrowings, doubts),
            )
            self.records.append(rec)
            added.setdefault(am_date, []).append(rec)
        self.entries = [
            e
            if e.kind != "amendment" or e.agreement != ag.id
            else TimelineEntry(**{**e.__dict__, "added": tuple(added.get(e.date, ()))})
            for e in self.entries
        ]

    @staticmethod
    def _segments(
        spec: ClauseSpec,
        start: dt.date,
        narrowings: dict[str, list[tuple[dt.date, Where, str]]],
        doubts: dict[str, list[tuple[dt.date, str, Translations]]],
    ) -> tuple[Segment, ...]:
        cuts = sorted(
            {day_number(start)}
            | {day_number(d) for d, _, _ in narrowings.get(spec.id, [])}
            | {day_number(d) for d, _, _ in doubts.get(spec.id, [])}
        )
        segs: list[Segment] = []
        for k, cut in enumerate(cuts):
            stop = cuts[k + 1] if k + 1 < len(cuts) else FOREVER
            narrow = tuple(w for d, w, _ in narrowings.get(spec.id, []) if day_number(d) <= cut)
            clarified = tuple(
                (d, text) for d, _, text in narrowings.get(spec.id, []) if day_number(d) <= cut
            )
            doubt = tuple((n, tr) for d, n, tr in doubts.get(spec.id, []) if day_number(d) <= cut)
            segs.append(
                Segment(
                    start=cut,
                    stop=stop,
                    narrow=narrow,
                    uncertain=spec.uncertain or bool(doubt),
                    clarified=clarified,
                    doubts=doubt,
                )
            )
        return tuple(segs)

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

    def describe_end(self, rec: ClauseRecord, events: Mapping[str, dt.date]) -> str:
        """Human text for how and when a clause ends."""
        parts = []
        if rec.removed_on is not None:
            by = f" by {rec.removed_by}" if rec.removed_by else ""
            parts.append(f"removed {rec.removed_on}{by}")
        if rec.spec.until is not None:
            day = until_day(rec.spec.until, events)
            when = "" if day >= FOREVER else f", i.e. before {from_day_number(day)}"
            parts.append(f"until {describe_until(rec.spec.until)}{when}")
        return "; ".join(parts) or "open-ended"

    def to_json(
        self, at: dt.date | None, events: Mapping[str, dt.date], lang: str = "en"
    ) -> dict[str, Any]:
        """The timeline (and, with ``at``, the clauses in force) as JSON-ready data."""
        key = tuple(sorted(events.items()))
        out: dict[str, Any] = {
            "lang": lang,
            "events": {k: v.isoformat() for k, v in sorted(events.items())},
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


def record_json(
    rec: ClauseRecord,
    tl: Timeline,
    events: Mapping[str, dt.date],
    at: dt.date | None = None,
    lang: str = "en",
) -> dict[str, Any]:
    """A clause as JSON-ready data (stable keys, documented in the README)."""
    seg = tl.segment_at(rec, at) if at is not None else None
    end_day = rec.end_day(events)
    end = None if end_day >= FOREVER else from_day_number(end_day - 1)  # last day in force
    return {
        "id": rec.id,
        "kind": rec.spec.kind,  # type: ignore[attr-defined]
        "title": rec.spec.title_in(lang),
        "summary": rec.spec.describe(lang),
        "agreement": rec.agreement,
        "amendment": rec.amendment.isoformat(),
        "from": rec.start.isoformat(),
        "until": end.isoformat() if end is not None else None,
        "ends": tl.describe_end(rec, events),
        "confidence": rec.spec.confidence.value,
        "uncertain": seg.uncertain if seg is not None else rec.spec.uncertain,
        "notes": [
            n for n in ((rec.spec.text("note", lang),) + (seg.notes_in(lang) if seg else ())) if n
        ],
        "assumptions": list(rec.spec.assumptions),
        "figures": {k: _plain(v) for k, v in rec.spec.figures().items()},
        "sources": list(rec.spec.sources),
    }


def _plain(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    return v


def entry_json(e: TimelineEntry, lang: str = "en") -> dict[str, Any]:
    def item_note(k: int, note: str) -> str:
        tr = e.open_item_translations[k].get(lang) if k < len(e.open_item_translations) else None
        return tr.note if tr is not None and tr.note else note

    return {
        "date": e.date.isoformat(),
        "agreement": e.agreement,
        "type": e.kind,
        "title": e.text("title", lang),
        "summary": e.text("summary", lang),
        "sources": list(e.sources),
        "added": [
            {
                "id": r.id,
                "kind": r.spec.kind,  # type: ignore[attr-defined]
                "title": r.spec.title_in(lang),
                "from": r.start.isoformat(),
                "confidence": r.spec.confidence.value,
                "uncertain": r.spec.uncertain,
            }
            for r in e.added
        ],
        "replaced": [{"id": old, "by": new} for old, new in e.replaced],
        "removed": [{"id": old, "by": by, "note": note} for old, by, note in e.removed],
        "narrowed": [{"id": cid, "to": text} for cid, text in e.narrowed],
        "open_items": [
            {"clauses": list(c), "note": item_note(k, n)} for k, (c, n) in enumerate(e.open_items)
        ],
    }
