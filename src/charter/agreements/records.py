"""The values on the amendment timeline: a clause placed on it (:class:`ClauseRecord`), the
stretches of its life with one selector and one certainty (:class:`Segment`), and one dated
change (:class:`TimelineEntry`: an amendment or a clarification). Built by
:class:`~charter.agreements.timeline.Timeline`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from charter.clauses import ClauseSpec
from charter.clauses.base import Translations
from charter.dates import FOREVER, day_number, until_day
from charter.i18n import date, t
from charter.selectors import Where

__all__ = ["ClauseRecord", "EventSet", "Segment", "TimelineEntry", "Words", "in_lang"]

#: Assumed events, as a hashable, sorted tuple of (name, date).
EventSet = tuple[tuple[str, dt.date], ...]
#: A text in each language, as a hashable tuple of (language, text), English first.
Words = tuple[tuple[str, str], ...]


def in_lang(words: Words, lang: str) -> str:
    """The text of ``words`` in ``lang``, else the first (English)."""
    for k, text in words:
        if k == lang:
            return text
    return words[0][1] if words else ""


@dataclass(frozen=True)
class Segment:
    """A stretch of a clause's life with one selector and one certainty."""

    start: int
    stop: int  # FOREVER: until the clause ends
    narrow: tuple[Where, ...] = ()
    uncertain: bool = False
    clarified: tuple[tuple[dt.date, Words], ...] = ()  # (date, narrowing in words)
    doubts: tuple[tuple[str, Translations], ...] = ()  # open items: (note, translations)
    #: contested narrowings in force: (note, translations); an answer that rests on the
    #: narrowing is uncertain, one the clause decides as it stands is not
    contested: tuple[tuple[str, Translations], ...] = ()

    def contests_in(self, lang: str = "en") -> tuple[str, ...]:
        """Why the narrowings of this stretch are contested, in ``lang``."""
        out = []
        for note, tr in self.contested:
            there = tr.get(lang)
            said = there.note if there is not None and there.note else note
            if said:
                out.append(said)
        return tuple(out)

    def notes_in(self, lang: str = "en") -> tuple[str, ...]:
        """Clarifications and open items bearing on this stretch, in ``lang``."""
        out = [
            t(lang, "narrowed.note", date=date(lang, d), where=in_lang(w, lang))
            for d, w in self.clarified
        ]
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
    #: the clauses an exception excepts from: it ends when the last of them ends (a
    #: permission to do what an exclusivity forbade ends with the exclusivity), unless its
    #: spec says it outlives them
    follows: tuple[ClauseRecord, ...] = ()

    def removal_note_in(self, lang: str = "en") -> str | None:
        tr = self.removal_translations.get(lang)
        return tr.note if tr is not None and tr.note else self.removal_note

    @property
    def id(self) -> str:
        return self.spec.id

    def end_day(self, events: Mapping[str, dt.date]) -> int:
        """First day no longer in force, as a day number (FOREVER if never)."""
        removed = FOREVER if self.removed_on is None else day_number(self.removed_on)
        own = min(removed, until_day(self.spec.end, events))
        if self.follows:
            own = min(own, max(r.end_day(events) for r in self.follows))
        return own

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
    narrowed: tuple[tuple[str, Words], ...] = ()  # (clause id, narrowing in words)
    open_items: tuple[tuple[tuple[str, ...], str], ...] = ()
    confidence: str | None = None
    translations: Translations = field(default_factory=dict)
    open_item_translations: tuple[Translations, ...] = ()

    def text(self, field_name: str, lang: str) -> str | None:
        tr = self.translations.get(lang)
        value = getattr(tr, field_name, None) if tr is not None else None
        own: str | None = getattr(self, field_name)
        return value if isinstance(value, str) and value else own
