"""The request space of a comparison, cut into the classes the clauses can tell apart.

A class is a principal, an action, a stretch of dates and, for every attribute the clauses
read then, one *cell* of that attribute: one value a clause names, "any other value" (one
representative stands for all values no clause names) or "absent". Evaluating one request
per class in both versions finds every decision that flips, for this reason:

1. A decision on a request is computed (:class:`~charter.decide.Rules`) from the candidate
   clauses of its principal and action only: for each, whether the date falls in one of its
   segments, whether its ``where`` and that segment's narrowings match, and its effect
   (``effect_one``). The explanation's citations of ended clauses (``_ended``) use the same
   selectors and effects of candidates that started earlier, and the removals' dates.
2. The date enters only through comparisons with day numbers: segment starts and stops,
   ends under the assumed events and removal dates. Between two consecutive such days every
   date decides alike; :func:`classes` takes each stretch's first day.
3. A selector is a disjunction of conjunctions of terms ``attr in V``, ``attr not in V`` and
   ``attr exists``: its truth depends on a value only through which value of ``V`` it
   equals, if any, or whether it is absent. An effect reads the attributes its kind's
   :meth:`~charter.clauses.base.ClauseSpec.reads` names, compared with the values listed
   there (for an empty list, e.g. the provider, every valid value is its own cell), and the
   creation date through ``created_cuts``, cut like the date in 2.
4. So two requests of one class agree on every input the decision reads, in both versions,
   and get the same verdict, obligations and deciding clauses. Attributes no candidate reads
   keep their default: they cannot change a decision. Every request of the space lies in
   exactly one class, hence a flip in any request is the flip of its class, and the
   enumeration is complete. ``tests/test_diff.py`` checks this against the full product of
   attribute values on a small scenario.

The classes are the product of the cells of the attributes read *at that date* by
candidates that have started, for each (principal, action): far fewer than the product of
all values of all attributes, since most clauses speak to few attributes and are in force
for part of the time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from charter.dates import FOREVER, day_number, from_day_number
from charter.decide import REQUEST_FIELDS, Request, Rules
from charter.scenario import Scenario
from charter.vocab import AttrType

__all__ = ["OTHER", "Cell", "RequestClass", "classes"]

#: Request fields every class fixes itself rather than as cells.
_OWN = frozenset({"principal", "action", "at", "created"})

#: The value a class's request carries for "any value no clause names" of a text attribute.
OTHER = "(any other)"


@dataclass(frozen=True)
class Cell:
    """One cell of an attribute: a named value, any other value, or absent."""

    attr: str
    value: Any  # the representative value
    other: bool = False  # stands for every value no clause names


@dataclass(frozen=True)
class RequestClass:
    """Requests that decide alike in both versions, with the one that stands for them."""

    principal: str
    action: str
    start: int  # the first day of its stretch of dates
    stop: int  # the first day after it (FOREVER: open-ended)
    #: the requests it stands for: rows of cells per attribute (any other attribute: any)
    rows: tuple[dict[str, tuple[Cell, ...]], ...]
    created: int | None  # the creation day it stands for, if creation dates matter
    request: Request
    #: every cell of every attribute read in its stretch (shared by the stretch's classes)
    universe: Mapping[str, tuple[Cell, ...]]


def _domain(s: Scenario, attr: str) -> tuple[Any, ...] | None:
    """Every valid value of ``attr`` (None for open text)."""
    a = s.vocabulary.attributes[attr]
    if a.type == AttrType.BOOL:
        return (False, True)
    if a.type == AttrType.PARTY:
        return tuple(s.parties)
    if a.type == AttrType.PROVIDER:
        return tuple(s.providers)
    if a.type == AttrType.SEGMENT:
        return tuple(s.data.meta.segments)
    if a.type == AttrType.ENUM:
        return tuple(a.values)
    return None


class _Reads:
    """What the candidates of one (principal, action) read at one date, in both versions:
    per attribute the values named (None in the set: every value matters)."""

    def __init__(self) -> None:
        self.named: dict[str, set[Any] | None] = {}
        self.cuts: set[int] = set()

    def add(self, attr: str, values: Sequence[Any], *, every: bool = False) -> None:
        """``attr`` is read, compared with ``values`` (or with every value)."""
        if attr == "provider_owner":  # derived from the provider: every provider matters
            self.named["provider"] = None
        if attr in self.named and self.named[attr] is None:
            return
        if every:
            self.named[attr] = None
            return
        self.named.setdefault(attr, set()).update(values)  # type: ignore[union-attr]


def _cells(s: Scenario, attr: str, named: set[Any] | None, required: bool) -> list[Cell]:
    a = s.vocabulary.attributes[attr]
    domain = _domain(s, attr)
    if a.type == AttrType.BOOL:
        out = [Cell(attr, False), Cell(attr, True)]
        return out if a.default is not None or attr in REQUEST_FIELDS else [Cell(attr, None), *out]
    if named is None:
        values = list(domain) if domain is not None else []
        out = [Cell(attr, v) for v in values]
        if domain is None:
            out.append(Cell(attr, OTHER, other=True))
    else:
        values = [v for v in (domain or ()) if v in named] if domain else sorted(named, key=str)
        out = [Cell(attr, v) for v in values]
        rest = [v for v in domain if v not in named] if domain is not None else [OTHER]
        if rest:
            out.append(Cell(attr, rest[0], other=True))
    if not required:
        out.append(Cell(attr, None))
    return out


def _boundaries(rules: Rules, principal: str, action: str) -> set[int]:
    """Days where a decision on (principal, action) can change under ``rules``."""
    days: set[int] = set()
    timeline = rules.timeline
    for rule in rules.candidates(principal, action):
        days.add(day_number(rule.rec.start))
        for start, stop, _, _ in rule.segments:
            days.update((start, stop))
        days.add(rule.end)
        by = timeline.by_id.get(rule.rec.removed_by or "")
        if by is not None and by.removed_on is not None:
            days.add(day_number(by.removed_on))
    days.discard(FOREVER)
    return days


def _reads_at(rules: Rules, principal: str, action: str, day: int, reads: _Reads) -> None:
    """Add what the candidates that have started by ``day`` read."""
    for rule in rules.candidates(principal, action):
        if day_number(rule.rec.start) > day:
            continue
        spec = rule.spec
        wheres = [spec.where, *(n for seg in rule.rec.segments for n in seg.narrow)]
        for where in wheres:
            for sel in where:
                for term in sel.terms:  # "exists" tells only absent from present
                    reads.add(term.attr, term.values if term.op != "exists" else ())
        for attr, values in spec.reads().items():
            reads.add(attr, values, every=not values)
        reads.cuts.update(spec.created_cuts(rules.events))


def classes(
    s: Scenario,
    sides: Sequence[Rules],
    start: dt.date,
    *,
    principals: Sequence[str] | None = None,
    actions: Sequence[str] | None = None,
) -> Iterator[RequestClass]:
    """Every class of requests from ``start`` on that the clauses of any of ``sides`` can
    tell apart (see the module docstring for why they are complete)."""
    first = day_number(start)
    vocab = s.vocabulary
    declared = dict(s.declared_attributes)
    for principal in principals or tuple(s.parties):
        for action in actions or tuple(vocab.actions):
            if not any(r.candidates(principal, action) for r in sides):
                continue
            required = set(vocab.actions[action].requires)
            days = {first}
            for r in sides:
                days |= {d for d in _boundaries(r, principal, action) if d > first}
            ordered = sorted(days)
            for k, day in enumerate(ordered):
                stop = ordered[k + 1] if k + 1 < len(ordered) else FOREVER
                reads = _Reads()
                for r in sides:
                    _reads_at(r, principal, action, day, reads)
                yield from _product(
                    s, sides, principal, action, day, stop, reads, required, declared
                )


#: A compiled selector as :func:`charter.selectors.match` reads it (alternatives of terms).
_Alts = tuple[tuple[tuple[str, str, Any], ...], ...]
_TRUE: _Alts = ((),)
#: cells per attribute: one row of a class's description
Row = dict[str, tuple[Cell, ...]]


def _holds(op: str, vals: Any, v: Any) -> bool:
    if op == "in":
        return v is not None and v in vals
    if op == "not":
        return v is None or v not in vals
    return bool((v is not None) == vals)


def _fix(alts: _Alts, attr: str, value: Any, owner: Any) -> _Alts:
    """``alts`` with ``attr`` fixed to ``value`` (and ``provider_owner`` to ``owner`` when
    ``attr`` is the provider): the alternatives still possible, their terms left."""
    out: set[tuple[tuple[str, str, Any], ...]] = set()
    for terms in alts:
        keep = []
        for term in terms:
            a, op, vals = term
            if a == attr:
                if not _holds(op, vals, value):
                    break
            elif a == "provider_owner" and attr == "provider":
                if not _holds(op, vals, owner):
                    break
            else:
                keep.append(term)
        else:
            if not keep:
                return _TRUE
            out.add(tuple(keep))
    return tuple(sorted(out, key=repr))


def _conditions(sides: Sequence[Rules], principal: str, action: str, day: int) -> list[_Alts]:
    """The selectors of every candidate that has started by ``day``, in both versions: its
    ``where``, its segments' narrowings and its last narrowing, with the principal and the
    action already fixed."""
    out: list[_Alts] = []
    for r in sides:
        for rule in r.candidates(principal, action):
            if day_number(rule.rec.start) > day:
                continue
            out.append(rule.where)
            out.extend(n for _, _, narrows, _ in rule.segments for n in narrows)
            out.extend(rule.last_narrows)
    fixed = []
    for alts in out:
        alts = _fix(alts, "principal", principal, None)
        fixed.append(_fix(alts, "action", action, None))
    return fixed


def _read_values(
    sides: Sequence[Rules], principal: str, action: str, day: int
) -> dict[str, list[frozenset[Any] | None]]:
    """Per attribute, what each effect that reads it compares it with (None: every value)."""
    out: dict[str, list[frozenset[Any] | None]] = {}
    for r in sides:
        for rule in r.candidates(principal, action):
            if day_number(rule.rec.start) > day:
                continue
            for attr, values in rule.spec.reads().items():
                seen = frozenset(values) if values else None
                if seen not in out.setdefault(attr, []):
                    out[attr].append(seen)
    return out


def _product(
    s: Scenario,
    sides: Sequence[Rules],
    principal: str,
    action: str,
    day: int,
    stop: int,
    reads: _Reads,
    required: set[str],
    declared: Mapping[str, Any],
) -> Iterator[RequestClass]:
    """The classes of one stretch: the cells of each attribute read, fixed one attribute at
    a time; two partial requests whose remaining selectors and read values are the same
    decide alike whatever the other attributes are, so they are merged into one (a class
    then describes several rows of cells)."""
    attrs = sorted(a for a in reads.named if a not in _OWN)
    columns = [_cells(s, a, reads.named[a], a in required) for a in attrs]
    for a in sorted(required - set(attrs) - _OWN):  # required, read by none: any valid value
        attrs.append(a)
        columns.append(_cells(s, a, set(), True)[:1])
    owner_of = s.owner_of
    read_values = _read_values(sides, principal, action, day)
    # node: (remaining selectors, read values so far) -> its rows
    nodes: dict[tuple[Any, ...], list[Row]] = {
        (tuple(_conditions(sides, principal, action, day)), ()): [{}]
    }
    # many partial requests share a condition: fix each (condition, value) once
    memo: dict[tuple[_Alts, str, Any], _Alts] = {}

    def fix(c: _Alts, attr: str, v: Any, owner: Any) -> _Alts:
        if not c or c == _TRUE:
            return c
        key = (c, attr, v)
        hit = memo.get(key)
        if hit is None:
            hit = memo[key] = _fix(c, attr, v, owner)
        return hit

    for attr, cells in zip(attrs, columns, strict=True):
        grown: dict[tuple[Any, ...], list[Row]] = {}
        compared = read_values.get(attr, [])
        for (conds, seen), rows in nodes.items():
            for cell in cells:
                v = cell.value
                owner = owner_of.get(v) if attr == "provider" and v is not None else None
                after = tuple(fix(c, attr, v, owner) for c in conds)
                told = tuple(v if vals is None or v in vals else _ELSE for vals in compared)
                key = (after, (*seen, told) if compared else seen)
                grown.setdefault(key, []).extend({**row, attr: (cell,)} for row in rows)
        nodes = {key: _compact(rows, attr) for key, rows in grown.items()}
    created_days: list[int | None] = [None]
    cuts = sorted(c for c in reads.cuts if c <= day)
    if cuts:  # one creation day per stretch between cuts, the latest being the date itself
        created_days = [c - 1 for c in cuts if c - 1 >= 0] + [None]
    at = from_day_number(day)
    assert at is not None
    universe = {a: tuple(c) for a, c in zip(attrs, columns, strict=True)}
    for rows in nodes.values():
        base: dict[str, Any] = {}
        extra: dict[str, Any] = dict(declared)
        for attr, first in rows[0].items():
            if attr in REQUEST_FIELDS:
                base[attr] = first[0].value
            else:
                extra[attr] = first[0].value
        for created in created_days:
            made = from_day_number(created) if created is not None else None
            req = Request(
                at=at, principal=principal, action=action, created=made, attrs=extra, **base
            )
            yield RequestClass(principal, action, day, stop, tuple(rows), created, req, universe)


#: what an effect that compares an attribute with listed values sees of any other value
_ELSE = object()


def _compact(rows: list[Row], attr: str) -> list[Row]:
    """Rows that differ only in ``attr`` joined into one with the union of its cells."""
    joined: dict[tuple[Any, ...], Row] = {}
    for row in rows:
        rest = tuple((a, c) for a, c in row.items() if a != attr)
        have = joined.get(rest)
        if have is None:
            joined[rest] = dict(row)
        else:
            have[attr] = (*have[attr], *(c for c in row[attr] if c not in have[attr]))
    return list(joined.values())
