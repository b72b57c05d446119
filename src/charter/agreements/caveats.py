"""What an answer must say with the clauses it rests on.

An answer that uses a clause's terms (it forbids, obliges, grants, lifts or is satisfied) is
only as firm as the record behind them: a clause graded ``reported`` or ``weak``, a figure the
scenario assumed (a response window, a cap's start), a reading the scenario notes, an open
item on the clause at that date. Each becomes one short caveat line in the answer's text and
in its JSON, and any of them makes the answer ``uncertain`` (:func:`rests_on_doubt`). A
clause cited because it *ended* contributes only its removal's doubts: the other terms of the
clause that removed it are not what the answer uses.
"""

from __future__ import annotations

from charter.agreements.records import ClauseRecord, Segment
from charter.clauses.base import Confidence
from charter.i18n import t

__all__ = ["caveats_of", "rests_on_doubt"]

#: grades that do not make a figure firm
SOFT = (Confidence.REPORTED, Confidence.WEAK)


def rests_on_doubt(rec: ClauseRecord) -> bool:
    """True when the clause's terms come from a soft source or rest on an assumption."""
    return rec.spec.confidence in SOFT or bool(rec.spec.assumptions)


def caveats_of(rec: ClauseRecord, seg: Segment | None, lang: str = "en") -> tuple[str, ...]:
    """The caveat lines of an answer that uses ``rec``'s terms as they stand in ``seg``."""
    spec = rec.spec
    out: list[str] = []
    if spec.confidence in SOFT:
        grade = t(lang, f"grade.{spec.confidence.value}")
        out.append(t(lang, "caveat.grade", clause=spec.id, grade=grade))
    translated = spec.translations.get(lang)
    assumed = (translated.assumptions if translated is not None else None) or spec.assumptions
    out.extend(t(lang, "caveat.assumed", clause=spec.id, what=a) for a in assumed)
    note = spec.text("note", lang)
    if note:
        out.append(t(lang, "caveat.note", clause=spec.id, note=note))
    if seg is not None:
        for text, tr in seg.doubts:
            there = tr.get(lang)
            said = there.note if there is not None and there.note else text
            out.append(t(lang, "caveat.open", clause=spec.id, note=said))
    return tuple(line.rstrip(". ") for line in out)
