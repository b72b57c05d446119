"""Decisions that flip between two versions, found over every request class and told as
sentences.

Each class of :mod:`charter.diff.space` is decided in both versions with the vectorized
engine; a class *flips* when its verdict differs (a verdict flip), else when the
obligations of a conditional verdict differ (an obligation flip), else when the deciding
clauses differ (a reason flip). Flips of the same kind and the same before and after are
grouped, and the group's classes are merged into as few statements as the cells allow
without claiming more than was found: an attribute is left out only when every one of its
cells flips alike, values of one attribute are joined ("provider east or west") only when the
rest of the statement is the same, and consecutive stretches of dates are joined.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from charter.dates import FOREVER, from_day_number
from charter.decide import DecisionBatch, Rules
from charter.diff.space import Cell, RequestClass
from charter.i18n import date, t, word

__all__ = ["Flip", "Side", "find_flips"]

#: flip kinds, in the order they are reported
KINDS = ("verdict", "obligations", "reason")


@dataclass(frozen=True)
class Side:
    """How one version decides a class: verdict, obligations (kind and party) and the
    deciding clauses."""

    verdict: str
    obligations: tuple[tuple[str, str | None], ...]
    clauses: tuple[str, ...]
    #: the deciding clauses cited because they ended (or a clarification narrowed them)
    ended: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "obligations": [{"kind": k, "party": p} for k, p in self.obligations],
            "clauses": list(self.clauses),
            "ended": list(self.ended),
        }


def _side(batch: DecisionBatch, i: int) -> Side:
    """How ``batch`` decides request ``i``: verdict, obligations, deciding clauses (the
    explanation's clauses, without its text)."""
    e = batch.rules.explanation(batch.requests[i], batch.outcome(i), text=False)
    obligations = tuple(sorted({(o.kind, o.party) for o in e.obligations}, key=repr))
    ended = tuple(c.ends or c.record.id for c in e.clauses if c.effect == "ended")
    ids = tuple(c.record.id for c in e.clauses)
    return Side(batch.verdict(i).value, obligations, ids, ended)


@dataclass
class Flip:
    """One statement: requests that flip alike, from one side to the other."""

    kind: str  # verdict | obligations | reason
    principal: str
    action: str
    since: dt.date
    until: dt.date | None  # last day (None: open-ended)
    #: per attribute the cells it covers (an attribute left out: any value)
    where: dict[str, tuple[Cell, ...]]
    before: Side
    after: Side
    classes: int = 1
    #: one request of the statement, to ask ``charter decide`` about
    example: dict[str, Any] = field(default_factory=dict)
    #: every cell of the attributes in ``where`` (to say "other than" when shorter)
    universe: Mapping[str, tuple[Cell, ...]] = field(default_factory=dict)

    def requests(self, lang: str = "en") -> str:
        """Which requests: "run by lab, kind api, provider east or west, from 2026-04-27"."""
        parts = [t(lang, "diff.who", action=self.action, principal=self.principal)]
        for attr, cells in sorted(self.where.items()):
            parts.append(_cells_text(attr, cells, self.universe.get(attr, ()), lang))
        when = t(lang, "diff.from", date=date(lang, self.since))
        if self.until is not None:
            when = t(lang, "diff.between", start=date(lang, self.since), end=date(lang, self.until))
        return f"{', '.join(parts)}, {when}"

    def change(self, lang: str = "en") -> str:
        """How the answer changes: "deny (B.C3) → allow (C.C2)"."""
        return f"{_side_text(self.before, lang)} → {_side_text(self.after, lang)}"

    def sentence(self, lang: str = "en") -> str:
        """The statement: which requests, then how their answer changes."""
        return f"{self.requests(lang)}: {self.change(lang)}"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "principal": self.principal,
            "action": self.action,
            "from": self.since.isoformat(),
            "until": self.until.isoformat() if self.until else None,
            "where": {
                a: [
                    {"value": c.value, "other": c.other} if c.other else {"value": c.value}
                    for c in cells
                ]
                for a, cells in sorted(self.where.items())
            },
            "before": self.before.to_json(),
            "after": self.after.to_json(),
            "classes": self.classes,
            "example": self.example,
        }


def _cell_text(c: Cell, lang: str) -> str:
    if c.other:
        return t(lang, "diff.other")
    if c.value is None:
        return t(lang, "diff.absent")
    return str(c.value).lower() if isinstance(c.value, bool) else str(c.value)


def _cells_text(attr: str, cells: Sequence[Cell], universe: Sequence[Cell], lang: str) -> str:
    if all(isinstance(c.value, bool) for c in cells) and len(cells) == 1:
        return attr if cells[0].value else t(lang, "diff.not", attr=attr)
    rest = [c for c in universe if c not in cells]
    if rest and len(rest) < len(cells) and not any(c.other for c in rest):
        # shorter said the other way round: "kind other than api"
        values = t(lang, "where.and").join(_cell_text(c, lang) for c in rest)
        return t(lang, "diff.except", attr=attr, values=values)
    return f"{attr} {t(lang, 'diff.or').join(_cell_text(c, lang) for c in cells)}"


def _side_text(side: Side, lang: str) -> str:
    out = word(lang, "verdict", side.verdict)
    if side.obligations:
        out += " [" + ", ".join(f"{k}: {p}" for k, p in side.obligations) + "]"
    if side.ended:  # "B.C1: A.C2 ended", the clause that ended it and the one it ended
        ended = t(lang, "diff.ended", clauses=", ".join(side.ended))
        if set(side.clauses) == set(side.ended):  # ended by its own terms: "(A.C2 ended)"
            return out + f" ({ended})"
        return out + f" ({', '.join(side.clauses)}: {ended})"
    return out + (f" ({', '.join(side.clauses)})" if side.clauses else "")


def _kind(before: Side, after: Side) -> str | None:
    if before.verdict != after.verdict:
        return "verdict"
    if before.obligations != after.obligations:
        return "obligations"
    if before.clauses != after.clauses:
        return "reason"
    return None


def find_flips(
    space: Sequence[RequestClass], before: Rules, after: Rules
) -> tuple[list[Flip], int]:
    """The flips among ``space`` from ``before`` to ``after``, merged into statements, and
    the number of classes that flipped."""
    if not space:
        return [], 0
    requests = [c.request for c in space]
    a, b = before.evaluate(requests), after.evaluate(requests)
    raw: dict[tuple[str, Side, Side, str, str], list[RequestClass]] = {}
    flipped = 0
    for i, cls in enumerate(space):
        # every class's deciding clauses (the explanation without its text)
        sa, sb = _side(a, i), _side(b, i)
        kind = _kind(sa, sb)
        if kind is None:
            continue
        flipped += 1
        raw.setdefault((kind, sa, sb, cls.principal, cls.action), []).append(cls)
    flips: list[Flip] = []
    for (kind, sa, sb, principal, action), members in raw.items():
        flips.extend(_merge(kind, sa, sb, principal, action, members))
    flips.sort(key=lambda f: (KINDS.index(f.kind), f.principal, f.action, f.since))
    return flips, flipped


# ------------------------------------------------------------------------------ merging
#: start, stop, cells per attribute, the classes it covers (by index in the group)
_Row = tuple[int, int, dict[str, tuple[Cell, ...]], frozenset[int]]


def _merge(
    kind: str, sa: Side, sb: Side, principal: str, action: str, members: list[RequestClass]
) -> list[Flip]:
    """The group's classes as few statements as the cells allow (see the module docstring)."""
    rows: list[_Row] = [
        (m.start, m.stop, dict(row), frozenset((k,)))
        for k, m in enumerate(members)
        for row in m.rows
    ]
    attrs = sorted({a for _, _, cells, _ in rows for a in cells})
    universe = {m.start: m.universe for m in members}
    while True:  # join values, leave out what covers every cell, until nothing changes
        before = len(rows)
        for attr in attrs:
            rows = _join_values(rows, attr)
        rows = [(a, b, _drop_full(cells, universe[a]), k) for a, b, cells, k in rows]
        if len(rows) == before:
            break
    rows = _join_dates(rows)
    out = []
    for start, stop, cells, which in rows:
        since = from_day_number(start)
        assert since is not None
        until = None if stop >= FOREVER else from_day_number(stop - 1)
        sample = members[min(which)]
        out.append(
            Flip(
                kind,
                principal,
                action,
                since,
                until,
                cells,
                sa,
                sb,
                classes=len(which),
                example=sample.request.to_json(),
                universe={a: universe[start].get(a, ()) for a in cells},
            )
        )
    return out


def _drop_full(
    cells: dict[str, tuple[Cell, ...]], universe: Mapping[str, tuple[Cell, ...]]
) -> dict[str, tuple[Cell, ...]]:
    """The row without the attributes all of whose cells it covers (any value flips)."""
    return {a: c for a, c in cells.items() if set(c) != set(universe.get(a, ()))}


def _join_values(rows: list[_Row], attr: str) -> list[_Row]:
    """Rows that differ only in ``attr`` become one row with the union of its cells."""
    groups: dict[tuple[Any, ...], list[_Row]] = {}
    for row in rows:
        start, stop, cells, _ = row
        rest = frozenset((a, c) for a, c in cells.items() if a != attr)
        groups.setdefault((start, stop, rest, attr in cells), []).append(row)
    out: list[_Row] = []
    for (_, _, _, has), group in groups.items():
        if len(group) == 1 or not has:
            out.extend(group if has else group[:1] if len(group) == 1 else [_union(group)])
            continue
        out.append(_union(group, attr))
    return out


def _union(group: list[_Row], attr: str | None = None) -> _Row:
    start, stop, first, _ = group[0]
    merged = dict(first)
    if attr is not None:
        cells: list[Cell] = []
        for _, _, row, _ in group:
            cells.extend(c for c in row[attr] if c not in cells)
        merged[attr] = tuple(cells)
    which = frozenset().union(*(k for _, _, _, k in group))
    return (start, stop, merged, which)


def _join_dates(rows: list[_Row]) -> list[_Row]:
    """Rows alike but for consecutive stretches of dates become one."""
    groups: dict[frozenset[Any], list[_Row]] = {}
    for row in rows:
        groups.setdefault(frozenset(row[2].items()), []).append(row)
    out: list[_Row] = []
    for group in groups.values():
        group.sort(key=lambda r: r[0])
        cur = group[0]
        for row in group[1:]:
            if row[0] == cur[1]:
                cur = (cur[0], row[1], cur[2], cur[3] | row[3])
            else:
                out.append(cur)
                cur = row
        out.append(cur)
    return out
