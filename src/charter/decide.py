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
for. Single decisions go through the same batch path, so they cannot disagree with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from charter.agreements import ClauseRecord, Timeline
from charter.clauses import Batch, Effect, Obligation
from charter.dates import FOREVER, day_number, from_day_number
from charter.i18n import t
from charter.selectors import Encoder
from charter.vocab import ACTIONS, ATTRIBUTES, Default

__all__ = ["Citation", "Decision", "DecisionBatch", "Request", "Verdict", "evaluate"]


class Verdict(StrEnum):
    """The answer to a question."""

    ALLOW = "allow"
    DENY = "deny"
    CONDITIONAL = "conditional"


_VERDICTS = (Verdict.ALLOW, Verdict.CONDITIONAL, Verdict.DENY)  # index = code
ALLOW, CONDITIONAL, DENY = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Request:
    """One question: may ``principal`` do ``action`` at ``at`` (with these attributes)?

    Attribute names match the selector vocabulary (:data:`charter.vocab.ATTRIBUTES`).
    ``created`` is the artifact's creation date (defaults to ``at``).
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
    uses_licensed_ip: bool = False
    above_compute_threshold: bool | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            v = getattr(self, f.name)
            if v is None or v is False:
                continue
            out[f.name] = v.isoformat() if isinstance(v, dt.date) else v
        return out


REQUEST_FIELDS = tuple(f.name for f in fields(Request))


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
class Decision:
    """A verdict with its obligations, the clauses that decided it and a plain note."""

    request: Request
    verdict: Verdict
    obligations: tuple[Obligation, ...]
    clauses: tuple[Citation, ...]
    uncertain: bool
    note: str
    events: Mapping[str, dt.date]
    lang: str = "en"

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
    timeline: Timeline
    records: tuple[ClauseRecord, ...]
    overrides: tuple[tuple[int, ...], ...]
    events: Mapping[str, dt.date]
    context: _Context
    lang: str = "en"

    def __len__(self) -> int:
        return len(self.requests)

    def __iter__(self) -> Iterator[Decision]:
        for i in range(len(self)):
            yield self._explain(i, self.lang)

    def __getitem__(self, i: int) -> Decision:  # type: ignore[override]
        if isinstance(i, slice):
            raise TypeError("DecisionBatch does not support slicing; index one request")
        return self._explain(range(len(self))[i], self.lang)

    def explain(self, i: int, lang: str | None = None) -> Decision:
        """The decision for request ``i`` with its explanation in ``lang`` (en, de)."""
        return self._explain(range(len(self))[i], lang or self.lang)

    def verdict(self, i: int) -> Verdict:
        return _VERDICTS[int(self.verdicts[i])]

    # ------------------------------------------------------------------ explanation
    def _cite(self, k: int, i: int, effect: str, lang: str, **extra: Any) -> Citation:
        rec = self.records[k]
        seg = self.timeline.segment_at(rec, self.requests[i].at)
        return Citation(
            rec,
            effect,
            uncertain=bool(self.doubt[k, i]) or rec.spec.uncertain,
            notes=tuple(n for n in (rec.spec.text("note", lang), *seg.notes_in(lang)) if n),
            lang=lang,
            **extra,
        )

    def _explain(self, i: int, lang: str) -> Decision:
        req = self.requests[i]
        code = int(self.verdicts[i])
        eff = self.effects[:, i]
        lifted = self.lifted[:, i]
        cites: list[Citation] = []
        obligations: list[Obligation] = []
        attrs = asdict(req)
        if code == DENY:
            for k in np.flatnonzero((eff == Effect.FORBID) & ~lifted):
                cites.append(self._cite(int(k), i, "forbid", lang))
        elif code == CONDITIONAL:
            for k in np.flatnonzero((eff == Effect.OBLIGATION) & ~lifted):
                c = self._cite(int(k), i, "obligation", lang)
                cites.append(c)
                ob = c.record.spec.obligation(attrs, lang)
                if ob is not None:
                    obligations.append(ob)
        else:
            for k in np.flatnonzero(self.lift_used[:, i]):
                lifts = tuple(
                    self.records[t].id
                    for t in self.overrides[int(k)]
                    if eff[t] >= Effect.OBLIGATION
                )
                cites.append(self._cite(int(k), i, "lift", lang, lifts=lifts))
            cited = {c.record.index for c in cites}
            for k in np.flatnonzero(eff == Effect.GRANT):
                if int(k) not in cited:
                    cites.append(self._cite(int(k), i, "grant", lang))
            for k in np.flatnonzero(eff == Effect.SATISFIED):
                cites.append(self._cite(int(k), i, "satisfied", lang))
            if not any(c.effect in ("lift", "grant") for c in cites):
                cites.extend(self._ended(i, {c.record.index for c in cites}, lang))
        uncertain = any(c.uncertain for c in cites)
        note = self._note(req, code, cites, obligations, lang)
        return Decision(
            request=req,
            verdict=_VERDICTS[code],
            obligations=tuple(obligations),
            clauses=tuple(cites),
            uncertain=uncertain,
            note=note,
            events=self.events,
            lang=lang,
        )

    def _ended(self, i: int, cited: set[int], lang: str) -> list[Citation]:
        """The most recent restriction that would apply to request ``i`` had it not ended.

        A restriction ends when an amendment removes it, its ``until`` passes, or a
        clarification narrows it so that it no longer reaches the request. A replaced clause
        does not count while its replacement is in force: the replacement speaks for it.
        """
        req = self.requests[i]
        ctx = self.context
        one = _batch([req], self.events, ctx)
        today = day_number(req.at)
        ends = self.timeline.end_days(tuple(sorted(self.events.items())))
        found: list[tuple[int, ClauseRecord, ClauseRecord, tuple[str, ...], bool, bool]] = []
        for rec in self.records:
            base = _base_mask(rec, one, ctx.encoder)
            if not base[0]:
                continue
            end = ends[rec.index]
            if end <= today and rec.removed_by and end == _day(rec.removed_on):
                successor = self.timeline.by_id.get(rec.removed_by)
                if (
                    successor is not None
                    and rec.id in successor.spec.replaces
                    and successor.in_force(req.at, self.events)
                ):
                    continue
            if end <= today:
                gone = base.copy()
                for w in rec.segments[-1].narrow:
                    gone &= one.match(w)
                if _restrictive(rec.spec.effects(one, gone)[0]) and not self.lifted[rec.index, i]:
                    by = self.timeline.by_id.get(rec.removed_by) if rec.removed_by else None
                    ender = by if by is not None and end == _day(rec.removed_on) else rec
                    removal = rec.removal_note_in(lang)
                    note = (removal,) if ender is by and removal else ()
                    doubt = ender is by and rec.removal_uncertain
                    found.append((end, ender, rec, note, doubt, False))
                continue
            seg = self.timeline.segment_at(rec, req.at)
            if not seg.narrow or not (rec.start <= req.at):
                continue
            wide = base.copy()
            narrow = base.copy()
            for w in seg.narrow:
                narrow &= one.match(w)
            if narrow[0]:
                continue
            if _restrictive(rec.spec.effects(one, wide)[0]):
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

        if code == DENY:
            if not cites:
                return t(
                    lang,
                    "deny.default",
                    principal=req.principal,
                    action=req.action,
                    describe=ACTIONS[req.action].describe,
                )
            items = "; ".join(
                f"{name(c)}: {c.record.spec.describe(lang).rstrip('.')}" for c in cites
            )
            return t(lang, "deny.by", items=items)
        if code == CONDITIONAL:
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
            return t(lang, "allow.none", action=req.action, describe=ACTIONS[req.action].describe)
        return t(lang, "allow.parts", items="; ".join(parts))


@dataclass(frozen=True)
class _Context:
    encoder: Encoder
    owner_of: Mapping[str, str]
    providers_of: Mapping[str, tuple[str, ...]]


def _day(d: dt.date | None) -> int:
    return FOREVER if d is None else day_number(d)


def _restrictive(effect: Any) -> bool:
    return int(effect) >= Effect.OBLIGATION


def _batch(requests: Sequence[Request], events: Mapping[str, dt.date], ctx: _Context) -> Batch:
    n = len(requests)
    cols = _columns(requests, ctx.encoder, ctx.owner_of)
    at = np.fromiter((day_number(r.at) for r in requests), dtype=np.int64, count=n)
    created = np.fromiter(
        (day_number(r.created or r.at) for r in requests), dtype=np.int64, count=n
    )
    return Batch(n, cols, at, created, events, ctx.encoder, ctx.providers_of)


def _base_mask(rec: ClauseRecord, batch: Batch, encoder: Encoder) -> Bools:
    """Requests a clause speaks to, ignoring time: principal, actions and ``where``."""
    spec = rec.spec
    base = np.ones(batch.n, dtype=bool)
    if spec.principal is not None:
        base &= batch.cols["principal"] == encoder.code(spec.principal)
    actions = spec.applies_to_actions()
    if "*" not in actions:
        base &= np.isin(batch.cols["action"], [encoder.code(a) for a in actions])
    if base.any():
        base &= batch.match(spec.where)
    return base


def _columns(
    requests: Sequence[Request], encoder: Encoder, owner_of: Mapping[str, str]
) -> dict[str, npt.NDArray[np.int32]]:
    cols: dict[str, npt.NDArray[np.int32]] = {}
    for name in ATTRIBUTES:
        if name == "provider_owner":
            vals: list[Any] = [owner_of.get(r.provider) if r.provider else None for r in requests]
        else:
            vals = [getattr(r, name) for r in requests]
        cols[name] = encoder.column(vals)
    cols["principal"] = encoder.column([r.principal for r in requests])
    return cols


def evaluate(
    timeline: Timeline,
    requests: Sequence[Request],
    events: Mapping[str, dt.date],
    encoder: Encoder,
    owner_of: Mapping[str, str],
    providers_of: Mapping[str, tuple[str, ...]],
    lang: str = "en",
) -> DecisionBatch:
    """Decide a batch of (already validated) requests under resolved ``events``.

    Returns:
        A :class:`DecisionBatch`; its ``verdicts`` array is computed eagerly, explanations
        lazily.
    """
    n = len(requests)
    ctx = _Context(encoder, owner_of, providers_of)
    batch = _batch(requests, events, ctx)
    cols, at = batch.cols, batch.at
    records = tuple(timeline.records)
    c = len(records)
    event_key = tuple(sorted(events.items()))
    ends = timeline.end_days(event_key)

    effects = np.zeros((c, n), dtype=np.int8)
    applies = np.zeros((c, n), dtype=bool)
    doubt = np.zeros((c, n), dtype=bool)
    for k, rec in enumerate(records):
        spec = rec.spec
        base = _base_mask(rec, batch, encoder)
        if not base.any():
            continue
        end = ends[k]
        for seg in rec.segments:
            stop = min(seg.stop, end)
            if seg.start >= stop:
                continue
            active = base & (at >= seg.start) & (at < stop)
            for w in seg.narrow:
                active &= batch.match(w)
            if not active.any():
                continue
            applies[k] |= active
            effects[k] = np.maximum(effects[k], spec.effects(batch, active))
            if seg.uncertain:
                doubt[k] |= active

    by_id = {r.id: r.index for r in records}
    overrides = tuple(
        tuple(by_id[o] for o in getattr(r.spec, "overrides", ()) if o in by_id)
        if r.spec.lifts
        else ()
        for r in records
    )
    lifted = np.zeros((c, n), dtype=bool)
    lift_used = np.zeros((c, n), dtype=bool)
    for k, targets in enumerate(overrides):
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
    default_deny = np.isin(
        cols["action"],
        [encoder.code(a.name) for a in ACTIONS.values() if a.default == Default.DENY],
    )
    verdicts = np.full(n, ALLOW, dtype=np.int8)
    verdicts[default_deny & ~grant] = DENY
    verdicts[cond] = CONDITIONAL
    verdicts[deny] = DENY

    return DecisionBatch(
        requests=requests,
        verdicts=verdicts,
        effects=effects,
        lifted=lifted,
        lift_used=lift_used,
        doubt=doubt,
        timeline=timeline,
        records=records,
        overrides=overrides,
        events=dict(events),
        context=ctx,
        lang=lang,
    )
