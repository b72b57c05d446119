"""The timeline compiled under one set of assumed events (:class:`Rules`): the scalar fast
path for one request, the vectorized path for a batch (:class:`DecisionBatch`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from charter.agreements import ClauseRecord, Timeline
from charter.clauses import Batch, ClauseSpec, Effect
from charter.clauses.base import ScalarContext
from charter.dates import day_number
from charter.decide.explain import Decision, Explanation, explanation
from charter.decide.request import (
    _ALLOW,
    _CONDITIONAL,
    _DENY,
    _VERDICTS,
    REQUEST_FIELDS,
    Outcome,
    Request,
    Verdict,
)
from charter.selectors import Alts, Encoder, compile_scalar, match
from charter.vocab import BASE, Default, Vocabulary

__all__ = ["DecisionBatch", "Rules"]

Int8s = npt.NDArray[np.int8]
Bools = npt.NDArray[np.bool_]


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
        self._defaults = dict(self.declared)
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
        self.rules = [self._compile(r) for r in self.records]
        self._index: dict[tuple[str, str], tuple[_CompiledClause, ...]] = {}
        self._deny_default = frozenset(
            a.name for a in vocabulary.actions.values() if a.default == Default.DENY
        )

    def _compile(self, r: ClauseRecord) -> _CompiledClause:
        """A clause record with its selector compiled and its segments cut at its end under
        the events assumed."""
        end = self.ends[r.index]
        segs = tuple(
            (
                seg.start,
                min(seg.stop, end),
                tuple(compile_scalar(w) for w in seg.narrow),
                seg.uncertain,
            )
            for seg in r.segments
            if seg.start < min(seg.stop, end)
        )
        return _CompiledClause(
            r.index,
            r,
            r.spec,
            compile_scalar(r.spec.where),
            segs,
            end,
            tuple(compile_scalar(w) for w in r.segments[-1].narrow),
            self.overrides[r.index],
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
        out.update(self._defaults)
        if req.attrs:
            out.update(req.attrs)
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
    def explain(self, req: Request, o: Outcome, lang: str = "en") -> Decision:
        """Turn an outcome into a decision (explained lazily)."""
        return Decision(req, _VERDICTS[o.code], self.events, lang, self, o)

    def explanation(
        self, req: Request, o: Outcome, lang: str = "en", *, text: bool = True
    ) -> Explanation:
        """Deciding clauses, obligations and a note for an outcome (:mod:`.explain`;
        without ``text``, the clauses and obligations only)."""
        return explanation(self, req, o, lang, text=text)


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
