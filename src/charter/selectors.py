"""Selectors: attribute matches saying which requests a clause applies to.

A selector is a mapping from attribute names (a scenario's :class:`~charter.vocab.Vocabulary`)
to a condition, all of which must hold::

    {kind: [api], segment: {not: [us-national-security]}, new_capacity: true}

Conditions: a value or a list of values (the attribute is one of them), ``{not: [...]}``
(it is none of them; an absent attribute counts as none), ``{exists: true|false}``.
A ``where:`` may also be a list of selectors, any of which may match.

Selectors are deliberately not a programming language: they compile to boolean masks over
integer-coded request columns (:meth:`Encoder.compile`), which is what makes decisions
vectorized, and for one request to :data:`Alts` (:func:`compile_scalar`, :func:`match`).
Parsing checks names against a vocabulary: the scenario's, passed as pydantic validation
context (``context={"vocabulary": ...}``) when clause files are validated, else the base.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt

from charter.i18n import join, t
from charter.vocab import BASE, Attribute, AttrType, Vocabulary

__all__ = [
    "ABSENT",
    "UNKNOWN",
    "Encoder",
    "Selector",
    "Term",
    "Where",
    "compile_scalar",
    "context_vocabulary",
    "match",
    "parse_selector",
    "parse_where",
    "phrase_where",
]

#: Code of an absent attribute value.
ABSENT = -1
#: Code of a string value the scenario never mentions.
UNKNOWN = -2

Mask = npt.NDArray[np.bool_]
Codes = npt.NDArray[np.int32]


@dataclass(frozen=True)
class Term:
    """One condition on one attribute: ``op`` is ``in``, ``not`` or ``exists``."""

    attr: str
    op: str
    values: tuple[Any, ...]

    def describe(self) -> str:
        vals = ", ".join(str(v).lower() if isinstance(v, bool) else str(v) for v in self.values)
        if self.op == "in":
            return f"{self.attr} in [{vals}]" if len(self.values) > 1 else f"{self.attr}={vals}"
        if self.op == "not":
            return f"{self.attr} not in [{vals}]"
        return f"{self.attr} {'present' if self.values[0] else 'absent'}"


@dataclass(frozen=True)
class Selector:
    """A conjunction of :class:`Term` s. The empty selector matches everything."""

    terms: tuple[Term, ...] = ()

    def describe(self) -> str:
        return " and ".join(t.describe() for t in self.terms) or "everything"

    def matches(self, attrs: Mapping[str, Any]) -> bool:
        """Whether one request's attributes match (through :func:`match`, the one scalar
        matcher; the vectorized masks must agree with it)."""
        return match(self._alts, attrs)

    @cached_property
    def _alts(self) -> Alts:
        return compile_scalar((self,))


def _value_text(v: Any) -> str:
    return str(v).lower() if isinstance(v, bool) else str(v)


def _phrase_values(attr: Attribute, values: tuple[Any, ...], lang: str) -> str:
    """Values of one attribute in words, alternatives joined by "or": each value's phrase
    from the vocabulary, else the attribute's label and the value."""
    words = []
    for v in values:
        text = _value_text(v)
        words.append(
            attr.phrase(lang, text)
            or t(lang, "term.value", attribute=attr.label_in(lang), value=text)
        )
    return join(lang, words, "where.or")


def _phrase_term(term: Term, vocab: Vocabulary, lang: str) -> str:
    attr = vocab.attributes.get(term.attr)
    if attr is None:  # a selector parsed against another vocabulary: the raw form
        return term.describe()
    if term.op == "exists":
        key = "present" if term.values[0] else "absent"
        return attr.phrase(lang, key) or t(lang, f"term.{key}", attribute=attr.label_in(lang))
    if term.op == "in":
        return _phrase_values(attr, term.values, lang)
    # not: the values left, when the attribute lists them all in words, else "anything but"
    if attr.type == AttrType.BOOL:
        rest: tuple[Any, ...] = tuple(v for v in (True, False) if v not in term.values)
    else:
        rest = tuple(v for v in attr.values if v not in term.values)
    if 0 < len(rest) <= len(term.values) and all(attr.phrase(lang, _value_text(v)) for v in rest):
        return _phrase_values(attr, rest, lang)
    return t(lang, "term.not", what=_phrase_values(attr, term.values, lang))


def phrase_where(where: Where, vocab: Vocabulary, lang: str = "en") -> str:
    """A ``where`` in words of the vocabulary's phrases, e.g. ``{api: {not: [stateful]}}``
    as "stateless API calls" where the vocabulary gives ``api`` phrases (else the attribute's
    label and the value)."""
    alts = [
        join(lang, (_phrase_term(term, vocab, lang) for term in sel.terms), "where.and")
        or t(lang, "where.everything")
        for sel in where
    ]
    return join(lang, alts, "where.or") or t(lang, "where.everything")


#: Alternatives: a request matches a ``Where`` when it matches any of its selectors.
Where = tuple[Selector, ...]

#: A compiled ``where`` for scalar matching: alternatives of (attribute, op, values) terms,
#: the values a frozenset (``in``, ``not``) or a bool (``exists``).
Alts = tuple[tuple[tuple[str, str, Any], ...], ...]


def compile_scalar(where: Where) -> Alts:
    """``where`` as :data:`Alts`, the form :func:`match` reads."""
    return tuple(
        tuple(
            (t.attr, t.op, bool(t.values[0]) if t.op == "exists" else frozenset(t.values))
            for t in sel.terms
        )
        for sel in where
    )


def match(alts: Alts, attrs: Mapping[str, Any]) -> bool:
    """Whether one request's attributes match any alternative. An absent attribute (None)
    is in no ``in`` and in every ``not``."""
    get = attrs.get
    for terms in alts:
        for attr, op, vals in terms:
            v = get(attr)
            if op == "in":
                if v is None or v not in vals:
                    break
            elif op == "not":
                if v is not None and v in vals:
                    break
            elif (v is not None) != vals:
                break
        else:
            return True
    return False


def _term(attr: str, raw: Any, vocab: Vocabulary) -> Term:
    if attr not in vocab.attributes:
        valid = ", ".join(sorted(vocab.attributes))
        raise ValueError(f"unknown attribute {attr!r}; valid attributes are: {valid}")
    spec = vocab.attributes[attr]
    if isinstance(raw, Mapping):
        if set(raw) == {"not"}:
            return Term(attr, "not", _values(spec.type, attr, raw["not"], vocab))
        if set(raw) == {"exists"} and isinstance(raw["exists"], bool):
            return Term(attr, "exists", (raw["exists"],))
        raise ValueError(
            f"condition on {attr!r} must be a value, a list, {{not: [...]}} or "
            f"{{exists: true|false}}, got {dict(raw)!r}"
        )
    return Term(attr, "in", _values(spec.type, attr, raw, vocab))


def _values(type_: AttrType, attr: str, raw: Any, vocab: Vocabulary) -> tuple[Any, ...]:
    items = list(raw) if isinstance(raw, list) else [raw]
    if not items:
        raise ValueError(f"condition on {attr!r} lists no values")
    out: list[Any] = []
    for v in items:
        if type_ == AttrType.BOOL:
            if not isinstance(v, bool):
                raise ValueError(f"{attr!r} takes true or false, got {v!r}")
        elif not isinstance(v, str):
            raise ValueError(f"{attr!r} takes names, got {v!r}")
        else:
            spec = vocab.attributes[attr]
            if spec.values and v not in spec.values:
                raise ValueError(
                    f"unknown {attr} {v!r}; valid values are: {', '.join(spec.values)}"
                )
        out.append(v)
    return tuple(out)


def parse_selector(raw: Any, vocab: Vocabulary = BASE) -> Selector:
    """Parse one selector mapping, its names checked against ``vocab``.

    Raises:
        ValueError: unknown attribute, malformed condition or value (the message says which).
    """
    if raw is None:
        return Selector()
    if isinstance(raw, Selector):
        return raw
    if not isinstance(raw, Mapping):
        raise ValueError(f"a selector is a mapping of attribute to condition, got {raw!r}")
    return Selector(tuple(_term(str(k), v, vocab) for k, v in raw.items()))


def parse_where(raw: Any, vocab: Vocabulary = BASE) -> Where:
    """Parse a ``where:``: one selector, or a list of alternative selectors."""
    if raw is None:
        return (Selector(),)
    if isinstance(raw, tuple) and all(isinstance(s, Selector) for s in raw):
        return raw
    if isinstance(raw, list):
        if not raw:
            raise ValueError("an empty list of selectors matches nothing; omit it instead")
        return tuple(parse_selector(r, vocab) for r in raw)
    return (parse_selector(raw, vocab),)


def context_vocabulary(context: Any) -> Vocabulary:
    """The vocabulary in a pydantic validation context (``{"vocabulary": ...}``), else the
    base."""
    vocab = context.get("vocabulary") if isinstance(context, Mapping) else None
    return vocab if isinstance(vocab, Vocabulary) else BASE


class Encoder:
    """Integer codes for the string values of a scenario, shared by requests and selectors.

    Absent values are :data:`ABSENT`; values the scenario never mentions are :data:`UNKNOWN`
    (they match no ``in`` and every ``not``).
    """

    def __init__(self, values: Iterable[str]) -> None:
        self._codes: dict[str, int] = {}
        self._compiled: dict[Where, CompiledWhere] = {}
        for v in values:
            self._codes.setdefault(v, len(self._codes))

    def code(self, value: Any) -> int:
        if value is None:
            return ABSENT
        if isinstance(value, bool):
            return int(value)
        return self._codes.get(value, UNKNOWN)

    def column(self, values: Sequence[Any]) -> Codes:
        return np.fromiter((self.code(v) for v in values), dtype=np.int32, count=len(values))

    def compile(self, where: Where) -> CompiledWhere:
        """Encode a :data:`Where` once; later calls return the cached compilation."""
        hit = self._compiled.get(where)
        if hit is None:
            hit = self._compile(where)
            self._compiled[where] = hit
        return hit

    def _compile(self, where: Where) -> CompiledWhere:
        return CompiledWhere(
            tuple(
                tuple(
                    (t.attr, t.op, np.array([self.code(v) for v in t.values], dtype=np.int32))
                    for t in s.terms
                )
                for s in where
            )
        )


def _isin(col: Codes, codes: Codes) -> Mask:
    if codes.size == 1:
        out: Mask = col == codes[0]
        return out
    return np.isin(col, codes)


@dataclass(frozen=True)
class CompiledWhere:
    """A :data:`Where` with its values encoded, ready to produce masks."""

    alternatives: tuple[tuple[tuple[str, str, Codes], ...], ...]

    def mask(self, cols: Mapping[str, Codes], n: int) -> Mask:
        out: Mask = np.zeros(n, dtype=bool)
        for terms in self.alternatives:
            m: Mask = np.ones(n, dtype=bool)
            for attr, op, codes in terms:
                col = cols[attr]
                if op == "in":
                    m &= _isin(col, codes)
                elif op == "not":
                    m &= ~_isin(col, codes)
                else:
                    present = col != ABSENT
                    m &= present if codes[0] else ~present
            out |= m
        return out
