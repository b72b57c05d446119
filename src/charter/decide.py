"""Decisions: may a principal take an action on a resource at a date, under assumed events?

The engine evaluates a whole batch at once: requests become integer-coded columns, each clause
of the timeline yields an effect per request (:class:`~charter.clauses.Effect`), and the
precedence of DESIGN.md combines them with array operations:

1. exceptions (``carve_out``, ``permission`` with ``overrides``) lift the forbids and
   obligations of the clauses they name, for the requests they match;
2. any forbid not lifted → ``deny``;
3. any obligation not lifted → ``conditional``;
4. any grant (or a lift that took effect) → ``allow``;
5. otherwise the action's default.

Explanations (deciding clauses, obligations, notes) are built per request only when asked
for. A single decision takes a scalar fast path over the clauses that can speak to its
(principal, action); both paths produce an :class:`Outcome` and share one explanation
routine, and a property test keeps their verdicts and citations identical.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from charter.agreements import ClauseRecord, Timeline
from charter.clauses import Batch, ClauseSpec, Effect, Obligation
from charter.clauses.base import ScalarContext
from charter.dates import FOREVER, day_number, from_day_number
from charter.i18n import t
from charter.selectors import Alts, Encoder, compile_scalar, match
from charter.vocab import BASE, Default, Vocabulary

__all__ = [
    "Citation",
    "Decision",
    "DecisionBatch",
    "Explanation",
    "Outcome",
    "Request",
    "Rules",
    "Verdict",
]


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
    holds those a scenario declares on top (read them as ``req.attrs[name]``, or as
    attributes: ``req.data_residency``). ``created`` is the artifact's creation date
    (defaults to ``at``). :meth:`Scenario.request` fills in declared defaults.
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

    def __getattr__(self, name: str) -> Any:
        # only called when no field has the name: a declared attribute
        try:
            return self.attrs[name]
        except KeyError:
            raise AttributeError(name) from None

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

    def to_json(self) -> dict[str, Any]:
        """The documented, stable JSON form (README: "decide --json")."""
        return {
            "verdict": self.verdict.value,
            "lang": self.lang,
            "obligations": [o.to_json() for o in self.obligations],
            "clauses": [c.to_json() for c in self.clauses],
            "uncertain": self.uncertain,
            "note": self.note,
            "request": self.request.to_json(),
            "events": {k: v.isoformat() for k, v in sorted(self.events.items())},
        }

    @property
    def clause_ids(self) -> tuple[str, ...]:
        return tuple(c.record.id for c in self.clauses)


Int8s = npt.NDArray[np.int8]
Bools = npt.NDArray[np.bool_]


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


@dataclass(frozen=True, slots=True)
class _CompiledClause:
    """One clause record as :class:`Rules` evaluates it: its selectors compiled, its
    narrowing segments and the end of its force as day numbers, the clauses it lifts."""

    k: int
    rec: ClauseRecord
    spec: ClauseSpec
    where: Alts
    segments: tuple[tuple[int, int, tuple[Alts, ...], bool], ...]  # start, stop, narrows, doubt
    end: int
    last_narrows: tuple[Alts, ...]
    overrides: tuple[int, ...]


_FIELDS = tuple(f for f in REQUEST_FIELDS if f not in ("at", "created"))


class Rules:
    """A scenario's timeline compiled under one set of assumed events.

    Evaluates single requests (scalar) and batches (vectorized), and explains outcomes.
    Only module-level state: none; a :class:`~charter.Scenario` caches one per event set.
    """

    def __init__(
        self,
        timeline: Timeline,
        events: Mapping[str, dt.date],
        encoder: Encoder,
        owner_of: Mapping[str, str],
        providers_of: Mapping[str, tuple[str, ...]],
        vocabulary: Vocabulary = BASE,
    ) -> None:
        self.timeline = timeline
        self.vocabulary = vocabulary
        # declared attributes beyond the Request's fields, with their defaults
        self.declared = tuple(
            (a.name, a.default)
            for a in vocabulary.attributes.values()
            if a.name not in REQUEST_FIELDS and a.name != "provider_owner"
        )
        self.events = dict(events)
        self.encoder = encoder
        self.owner_of = owner_of
        self.providers_of = providers_of
        self.records = tuple(timeline.records)
        ends = timeline.end_days(tuple(sorted(self.events.items())))
        self.ends = ends
        by_id = {r.id: r.index for r in self.records}
        self.overrides = tuple(
            tuple(by_id[o] for o in getattr(r.spec, "overrides", ()) if o in by_id)
            if r.spec.lifts
            else ()
            for r in self.records
        )
        self.rules: list[_CompiledClause] = []
        for r in self.records:
            segs = []
            for seg in r.segments:
                stop = min(seg.stop, ends[r.index])
                if seg.start < stop:
                    segs.append(
                        (
                            seg.start,
                            stop,
                            tuple(compile_scalar(w) for w in seg.narrow),
                            seg.uncertain,
                        )
                    )
            self.rules.append(
                _CompiledClause(
                    r.index,
                    r,
                    r.spec,
                    compile_scalar(r.spec.where),
                    tuple(segs),
                    ends[r.index],
                    tuple(compile_scalar(w) for w in r.segments[-1].narrow),
                    self.overrides[r.index],
                )
            )
        self._index: dict[tuple[str, str], tuple[_CompiledClause, ...]] = {}
        self._deny_default = frozenset(
            a.name for a in vocabulary.actions.values() if a.default == Default.DENY
        )

    # ------------------------------------------------------------------ scalar path
    def candidates(self, principal: str, action: str) -> tuple[_CompiledClause, ...]:
        """Clauses that can speak to this (principal, action), in timeline order."""
        key = (principal, action)
        hit = self._index.get(key)
        if hit is None:
            hit = tuple(
                r
                for r in self.rules
                if r.spec.decides
                and r.spec.principal in (None, principal)
                and (action in (acts := r.spec.applies_to_actions()) or "*" in acts)
            )
            self._index[key] = hit
        return hit

    def attrs(self, req: Request) -> dict[str, Any]:
        out = {f: getattr(req, f) for f in _FIELDS}
        out["provider_owner"] = self.owner_of.get(req.provider) if req.provider else None
        given = req.attrs
        for name, default in self.declared:
            out[name] = given.get(name, default)
        return out

    def outcome(self, req: Request) -> Outcome:
        """Evaluate one request without numpy (the fast path)."""
        attrs = self.attrs(req)
        day = day_number(req.at)
        ctx = ScalarContext(day_number(req.created or req.at), self.events, self.providers_of)
        effects: dict[int, int] = {}
        applies: list[_CompiledClause] = []
        doubt: set[int] = set()
        for rule in self.candidates(req.principal, req.action):
            for start, stop, narrows, uncertain in rule.segments:
                if start <= day < stop:
                    if match(rule.where, attrs) and all(match(n, attrs) for n in narrows):
                        applies.append(rule)
                        e = rule.spec.effect_one(attrs, ctx)
                        if e:
                            effects[rule.k] = e
                        if uncertain:
                            doubt.add(rule.k)
                    break
        lifted: set[int] = set()
        lift_used: list[int] = []
        for rule in applies:
            if rule.overrides:
                lifted.update(rule.overrides)
                if any(effects.get(t, 0) >= Effect.OBLIGATION for t in rule.overrides):
                    lift_used.append(rule.k)
        code = self._combine(req.action, effects, lifted, bool(lift_used))
        return Outcome(code, effects, frozenset(lifted), tuple(sorted(lift_used)), frozenset(doubt))

    def _combine(
        self, action: str, effects: Mapping[int, int], lifted: set[int], used: bool
    ) -> int:
        forbid = obligation = grant = False
        for k, e in effects.items():
            if e == Effect.FORBID and k not in lifted:
                forbid = True
            elif e == Effect.OBLIGATION and k not in lifted:
                obligation = True
            elif e == Effect.GRANT:
                grant = True
        if forbid:
            return _DENY
        if obligation:
            return _CONDITIONAL
        if grant or used:
            return _ALLOW
        return _DENY if action in self._deny_default else _ALLOW

    def decide(self, req: Request, lang: str = "en") -> Decision:
        """One decision through the scalar path, explained."""
        return self.explain(req, self.outcome(req), lang)

    # ------------------------------------------------------------------ vectorized path
    def batch(self, requests: Sequence[Request]) -> Batch:
        """Requests as integer-coded columns."""
        n = len(requests)
        enc = self.encoder
        cols: dict[str, npt.NDArray[np.int32]] = {}
        declared = dict(self.declared)
        for name in self.vocabulary.attributes:
            if name == "provider_owner":
                vals: list[Any] = [
                    self.owner_of.get(r.provider) if r.provider else None for r in requests
                ]
            elif name in declared:
                vals = [r.attrs.get(name, declared[name]) for r in requests]
            else:
                vals = [getattr(r, name) for r in requests]
            cols[name] = enc.column(vals)
        cols["principal"] = enc.column([r.principal for r in requests])
        at = np.fromiter((day_number(r.at) for r in requests), dtype=np.int64, count=n)
        created = np.fromiter(
            (day_number(r.created or r.at) for r in requests), dtype=np.int64, count=n
        )
        return Batch(n, cols, at, created, self.events, enc, self.providers_of)

    def evaluate(
        self, requests: Sequence[Request], lang: str = "en", batch: Batch | None = None
    ) -> DecisionBatch:
        """Decide a batch of (validated) requests with array operations."""
        batch = batch if batch is not None else self.batch(requests)
        n, cols, at, enc = batch.n, batch.cols, batch.at, self.encoder
        c = len(self.records)
        effects = np.zeros((c, n), dtype=np.int8)
        applies = np.zeros((c, n), dtype=bool)
        doubt = np.zeros((c, n), dtype=bool)
        for rule in self.rules:
            if not rule.segments or not rule.spec.decides:
                continue
            spec = rule.spec
            base = np.ones(n, dtype=bool)
            if spec.principal is not None:
                base &= cols["principal"] == enc.code(spec.principal)
            actions = spec.applies_to_actions()
            if "*" not in actions:
                base &= np.isin(cols["action"], [enc.code(a) for a in actions])
            if not base.any():
                continue
            base &= batch.match(spec.where)
            for seg in rule.rec.segments:
                stop = min(seg.stop, rule.end)
                if seg.start >= stop:
                    continue
                active = base & (at >= seg.start) & (at < stop)
                for w in seg.narrow:
                    active &= batch.match(w)
                if not active.any():
                    continue
                applies[rule.k] |= active
                effects[rule.k] = np.maximum(effects[rule.k], spec.effects(batch, active))
                if seg.uncertain:
                    doubt[rule.k] |= active
        lifted = np.zeros((c, n), dtype=bool)
        lift_used = np.zeros((c, n), dtype=bool)
        for k, targets in enumerate(self.overrides):
            if not targets or not applies[k].any():
                continue
            restrictive = np.zeros(n, dtype=bool)
            for target in targets:
                lifted[target] |= applies[k]
                restrictive |= effects[target] >= Effect.OBLIGATION
            lift_used[k] = applies[k] & restrictive
        deny = ((effects == Effect.FORBID) & ~lifted).any(axis=0)
        cond = ~deny & ((effects == Effect.OBLIGATION) & ~lifted).any(axis=0)
        grant = (effects == Effect.GRANT).any(axis=0) | lift_used.any(axis=0)
        default_deny = np.isin(cols["action"], [enc.code(a) for a in self._deny_default])
        verdicts = np.full(n, _ALLOW, dtype=np.int8)
        verdicts[default_deny & ~grant] = _DENY
        verdicts[cond] = _CONDITIONAL
        verdicts[deny] = _DENY
        return DecisionBatch(requests, verdicts, effects, lifted, lift_used, doubt, self, lang)

    # ------------------------------------------------------------------ explanation
    def _cite(
        self, k: int, req: Request, o: Outcome, effect: str, lang: str, **extra: Any
    ) -> Citation:
        rec = self.records[k]
        seg = self.timeline.segment_at(rec, req.at)
        return Citation(
            rec,
            effect,
            uncertain=k in o.doubt or rec.spec.uncertain,
            notes=tuple(n for n in (rec.spec.text("note", lang), *seg.notes_in(lang)) if n),
            lang=lang,
            **extra,
        )

    def explain(self, req: Request, o: Outcome, lang: str = "en") -> Decision:
        """Turn an outcome into a decision (explained lazily)."""
        return Decision(req, Verdict.of(o.code), self.events, lang, self, o)

    def explanation(self, req: Request, o: Outcome, lang: str = "en") -> Explanation:
        """Deciding clauses, obligations and a note for an outcome."""
        cites: list[Citation] = []
        obligations: list[Obligation] = []
        order = sorted(o.effects)
        if o.code == _DENY:
            for k in order:
                if o.effects[k] == Effect.FORBID and k not in o.lifted:
                    cites.append(self._cite(k, req, o, "forbid", lang))
        elif o.code == _CONDITIONAL:
            attrs = {**self.attrs(req), "at": req.at, "created": req.created}
            for k in order:
                if o.effects[k] == Effect.OBLIGATION and k not in o.lifted:
                    c = self._cite(k, req, o, "obligation", lang)
                    cites.append(c)
                    ob = c.record.spec.obligation(attrs, lang)
                    if ob is not None:
                        obligations.append(ob)
        else:
            for k in o.lift_used:
                lifts = tuple(
                    self.records[t].id
                    for t in self.overrides[k]
                    if o.effects.get(t, 0) >= Effect.OBLIGATION
                )
                cites.append(self._cite(k, req, o, "lift", lang, lifts=lifts))
            cited = set(o.lift_used)
            for k in order:
                if o.effects[k] == Effect.GRANT and k not in cited:
                    cites.append(self._cite(k, req, o, "grant", lang))
            for k in order:
                if o.effects[k] == Effect.SATISFIED:
                    cites.append(self._cite(k, req, o, "satisfied", lang))
            if not any(c.effect in ("lift", "grant") for c in cites):
                cites.extend(self._ended(req, o, {c.record.index for c in cites}, lang))
        return Explanation(
            obligations=tuple(obligations),
            clauses=tuple(cites),
            uncertain=any(c.uncertain for c in cites),
            note=self._note(req, o.code, cites, obligations, lang),
        )

    def _ended(self, req: Request, o: Outcome, cited: set[int], lang: str) -> list[Citation]:
        """The most recent restrictions that would apply to ``req`` had they not ended.

        A restriction ends when an amendment removes it, its ``until`` passes, or a
        clarification narrows it so that it no longer reaches the request. A replaced clause
        does not count while its replacement is in force: the replacement speaks for it.
        """
        attrs = self.attrs(req)
        today = day_number(req.at)
        ctx = ScalarContext(day_number(req.created or req.at), self.events, self.providers_of)
        found: list[tuple[int, ClauseRecord, ClauseRecord, tuple[str, ...], bool, bool]] = []
        for rule in self.candidates(req.principal, req.action):
            rec = rule.rec
            if not match(rule.where, attrs):
                continue
            end = rule.end
            if end <= today:
                if rec.removed_by and end == _day(rec.removed_on):
                    successor = self.timeline.by_id.get(rec.removed_by)
                    if (
                        successor is not None
                        and rec.id in successor.spec.replaces
                        and successor.in_force(req.at, self.events)
                    ):
                        continue
                if not all(match(n, attrs) for n in rule.last_narrows):
                    continue
                if rule.spec.effect_one(attrs, ctx) >= Effect.OBLIGATION and rec.index not in (
                    o.lifted
                ):
                    by = self.timeline.by_id.get(rec.removed_by) if rec.removed_by else None
                    ender = by if by is not None and end == _day(rec.removed_on) else rec
                    removal = rec.removal_note_in(lang)
                    note = (removal,) if ender is by and removal else ()
                    doubt = ender is by and rec.removal_uncertain
                    found.append((end, ender, rec, note, doubt, False))
                continue
            seg = self.timeline.segment_at(rec, req.at)
            if not seg.narrow or rec.start > req.at:
                continue
            if all(match(compile_scalar(w), attrs) for w in seg.narrow):
                continue
            if rule.spec.effect_one(attrs, ctx) >= Effect.OBLIGATION:
                found.append((seg.start, rec, rec, seg.notes_in(lang), False, True))
        if not found:
            return []
        latest = max(f[0] for f in found)
        out: list[Citation] = []
        for end, ender, expired, notes, doubt, narrowed in found:
            if end != latest or ender.index in cited:
                continue
            cited.add(ender.index)
            seg_at = self.timeline.segment_at(ender, req.at)
            out.append(
                Citation(
                    ender,
                    "ended",
                    uncertain=ender.spec.uncertain or seg_at.uncertain or doubt,
                    ends=expired.id,
                    ended_on=from_day_number(end),
                    notes=notes,
                    narrowed=narrowed,
                    lang=lang,
                )
            )
        return out

    def _note(
        self,
        req: Request,
        code: int,
        cites: list[Citation],
        obligations: list[Obligation],
        lang: str,
    ) -> str:
        def name(c: Citation | ClauseRecord) -> str:
            rec = c.record if isinstance(c, Citation) else c
            return f"{rec.id} ({rec.spec.kind})"  # type: ignore[attr-defined]

        actions = self.vocabulary.actions
        if code == _DENY:
            if not cites:
                return t(
                    lang,
                    "deny.default",
                    principal=req.principal,
                    action=req.action,
                    describe=actions[req.action].describe,
                )
            items = "; ".join(
                f"{name(c)}: {c.record.spec.describe(lang).rstrip('.')}" for c in cites
            )
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
                gone = self.timeline.by_id[c.ends] if c.ends else c.record
                if c.narrowed and c.notes:
                    parts.append(t(lang, "part.narrowed", clause=name(gone), why=c.notes[-1]))
                elif c.record is gone:
                    parts.append(t(lang, "part.ended", clause=name(gone), date=c.ended_on))
                else:
                    parts.append(
                        t(lang, "part.ended_by", clause=name(gone), date=c.ended_on, by=c.record.id)
                    )
        if not parts:
            return t(lang, "allow.none", action=req.action, describe=actions[req.action].describe)
        return t(lang, "allow.parts", items="; ".join(parts))


@dataclass
class DecisionBatch(Sequence[Decision]):
    """Verdicts for a batch of requests, with explanations built on demand.

    Attributes:
        verdicts: int8 codes per request (0 allow, 1 conditional, 2 deny).
    """

    requests: Sequence[Request]
    verdicts: Int8s
    effects: Int8s  # clauses × requests
    lifted: Bools  # clauses × requests
    lift_used: Bools  # clauses × requests
    doubt: Bools  # clauses × requests: the active segment is uncertain
    rules: Rules
    lang: str = "en"

    @property
    def events(self) -> Mapping[str, dt.date]:
        return self.rules.events

    def __len__(self) -> int:
        return len(self.requests)

    def __iter__(self) -> Iterator[Decision]:
        for i in range(len(self)):
            yield self.explain(i)

    def __getitem__(self, i: int) -> Decision:  # type: ignore[override]
        if isinstance(i, slice):
            raise TypeError("DecisionBatch does not support slicing; index one request")
        return self.explain(i)

    def outcome(self, i: int) -> Outcome:
        """What the clauses did to request ``i``."""
        eff = self.effects[:, i]
        nz = np.flatnonzero(eff)
        return Outcome(
            int(self.verdicts[i]),
            {int(k): int(eff[k]) for k in nz},
            frozenset(int(k) for k in np.flatnonzero(self.lifted[:, i])),
            tuple(int(k) for k in np.flatnonzero(self.lift_used[:, i])),
            frozenset(int(k) for k in np.flatnonzero(self.doubt[:, i])),
        )

    def explain(self, i: int, lang: str | None = None) -> Decision:
        """The decision for request ``i`` with its explanation in ``lang`` (en, de)."""
        i = range(len(self))[i]
        return self.rules.explain(self.requests[i], self.outcome(i), lang or self.lang)

    def verdict(self, i: int) -> Verdict:
        return Verdict.of(int(self.verdicts[i]))


def _day(d: dt.date | None) -> int:
    return FOREVER if d is None else day_number(d)
