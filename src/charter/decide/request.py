"""A question and its verdict: :class:`Request`, :class:`Verdict` (with its int8 code) and
:class:`Outcome`, what the clauses did to one request before it is explained."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

__all__ = ["REQUEST_FIELDS", "Outcome", "Request", "Verdict"]


class Verdict(StrEnum):
    """The answer to a question; :attr:`code` is its int8 form in batch arrays."""

    ALLOW = "allow"
    DENY = "deny"
    CONDITIONAL = "conditional"

    @property
    def code(self) -> int:
        """0 allow, 1 conditional, 2 deny: stricter is larger."""
        return _CODES[self]

    @classmethod
    def of(cls, code: int) -> Verdict:
        """The verdict of a code."""
        return _VERDICTS[code]


_VERDICTS = (Verdict.ALLOW, Verdict.CONDITIONAL, Verdict.DENY)  # index = code
_CODES = {v: i for i, v in enumerate(_VERDICTS)}
# the codes as plain ints, for the loops that combine effects
_ALLOW, _CONDITIONAL, _DENY = (v.code for v in _VERDICTS)


@dataclass(frozen=True, slots=True)
class Request:
    """One question: may ``principal`` do ``action`` at ``at`` (with these attributes)?

    The fields are the base vocabulary's attributes (:data:`charter.vocab.BASE`); ``attrs``
    holds those a scenario declares on top (``req.attrs[name]``; no ``__getattr__`` reads
    them as attributes: it would slow every field read). ``created`` is the artifact's
    creation date (defaults to ``at``). :meth:`Scenario.request` fills in declared defaults.
    """

    at: dt.date
    principal: str
    action: str
    provider: str | None = None
    kind: str | None = None
    segment: str | None = None
    new_capacity: bool = False
    api: str | None = None
    product: str | None = None
    codeveloped_with: str | None = None
    first_party: bool = False
    launch: bool = False
    artifact_kind: str | None = None
    artifact_owner: str | None = None
    created: dt.date | None = None
    purpose: str | None = None
    with_party: str | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in REQUEST_FIELDS:
            v = getattr(self, name)
            if v is None or v is False:
                continue
            out[name] = v.isoformat() if isinstance(v, dt.date) else v
        out.update((k, v) for k, v in self.attrs.items() if v is not None and v is not False)
        return out


#: The fixed fields of a :class:`Request` (without ``attrs``).
REQUEST_FIELDS = tuple(f.name for f in fields(Request) if f.name != "attrs")


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the clauses did to one request, before it is explained.

    Attributes:
        code: 0 allow, 1 conditional, 2 deny.
        effects: clause (record index) → its :class:`Effect`, for clauses with one.
        lifted: clauses whose forbids and obligations an exception lifted.
        lift_used: exceptions that lifted a forbid or obligation, in clause order.
        doubt: clauses whose segment in force is marked uncertain.
    """

    code: int
    effects: dict[int, int]
    lifted: frozenset[int]
    lift_used: tuple[int, ...]
    doubt: frozenset[int]
