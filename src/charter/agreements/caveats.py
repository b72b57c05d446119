"""What an answer must say with the clauses it rests on.

An answer that uses a clause's terms (it forbids, obliges, grants, lifts or is satisfied) is
only as firm as the record behind them: a clause graded ``reported`` or ``weak``, a figure the
scenario assumed (a response window, a cap's start), a reading the scenario notes, an open
item on the clause at that date. Each becomes one short caveat line in the answer's text and
in its JSON, and any of them makes the answer ``uncertain`` (:func:`rests_on_doubt`). A
figure can be graded apart from the clause's terms (``figure_grades``): the share's end is
announced, its rate only reported; only an answer that uses the figure (an amount owed)
carries that grade. A
clause cited because it *ended* contributes only its removal's doubts: the other terms of the
clause that removed it are not what the answer uses.
"""

from __future__ import annotations

from charter.agreements.records import ClauseRecord, Segment
from charter.clauses.base import Confidence
from charter.i18n import t, word

__all__ = ["caveats_of", "rests_on_doubt"]

#: grades that do not make a figure firm
SOFT = (Confidence.REPORTED, Confidence.WEAK)


def _soft_figures(rec: ClauseRecord) -> list[tuple[str, Confidence]]:
    return [(f, g) for f, g in rec.spec.figure_grades.items() if g in SOFT]


def rests_on_doubt(rec: ClauseRecord, *, figures: bool = False) -> bool:
    """True when the clause's terms come from a soft source or rest on an assumption (and,
    with ``figures``, for an answer that uses its figures: when one of them is soft)."""
    spec = rec.spec
    soft = spec.confidence in SOFT or bool(spec.assumptions)
    return soft or (figures and bool(_soft_figures(rec)))


def caveats_of(
    rec: ClauseRecord, seg: Segment | None, lang: str = "en", *, figures: bool = False
) -> tuple[str, ...]:
    """The caveat lines of an answer that uses ``rec``'s terms as they stand in ``seg``
    (and, with ``figures``, its figures: an amount owed uses the rate and the cap)."""
    spec = rec.spec
    out: list[str] = []
    if spec.confidence in SOFT:
        grade = t(lang, f"grade.{spec.confidence.value}")
        out.append(t(lang, "caveat.grade", clause=spec.id, grade=grade))
    if figures:  # one line per grade: "the rate and the cap rest on reported sources only"
        by_grade: dict[Confidence, list[str]] = {}
        for figure, soft in _soft_figures(rec):
            by_grade.setdefault(soft, []).append(word(lang, "figure", figure))
        for soft, names in by_grade.items():
            grade = t(lang, f"grade.{soft.value}")
            key = "caveat.figure" if len(names) == 1 else "caveat.figures"
            what = t(lang, "where.and").join(names)
            out.append(t(lang, key, clause=spec.id, figure=what, grade=grade))
    translated = spec.translations.get(lang)
    assumed = (translated.assumptions if translated is not None else None) or spec.assumptions
    out.extend(t(lang, "caveat.assumed", clause=spec.id, what=a) for a in assumed)
    note = spec.text("note", lang)
    if note:
        out.append(t(lang, "caveat.note", clause=spec.id, note=note))
    elif spec.uncertain:  # marked uncertain with nothing said why: say so all the same
        out.append(t(lang, "caveat.unclear", clause=spec.id))
    if seg is not None:
        for text, tr in seg.doubts:
            there = tr.get(lang)
            said = there.note if there is not None and there.note else text
            out.append(t(lang, "caveat.open", clause=spec.id, note=said))
    return tuple(line.rstrip(". ") for line in out)
