"""A loaded scenario: its parties, providers, events, timeline and decision engine.

This is the object the public API hands out (:func:`charter.load_scenario`).
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

from charter.agreements import ClauseRecord, Timeline, resolve_events
from charter.dates import parse_date
from charter.decide import REQUEST_FIELDS, Decision, DecisionBatch, Request, Rules
from charter.errors import RequestError
from charter.i18n import LANGS
from charter.model import Removal, name_key
from charter.periods import Period
from charter.revenue import Owed, compute_owed
from charter.scenario.loader import ScenarioData
from charter.selectors import Encoder
from charter.vocab import AttrType, Vocabulary

__all__ = ["Scenario", "check_lang"]

EventsArg = Mapping[str, dt.date | str] | None
Checks = tuple[tuple[str, frozenset[str]], ...]


if TYPE_CHECKING:
    from charter.diff import VersionDiff


def check_lang(lang: str) -> str:
    """A supported explanation language, or a :class:`RequestError` naming them."""
    if lang not in LANGS:
        raise RequestError(f"unknown language {lang!r}; supported: {', '.join(LANGS)}")
    return lang


class Scenario:
    """Agreements, parties and providers of one scenario, ready to answer questions."""

    def __init__(self, data: ScenarioData) -> None:
        self.data = data
        self.name = data.meta.name
        self.title = data.meta.title
        self.folder = data.folder
        self.vocabulary: Vocabulary = data.vocabulary
        self.parties = {p.id: p for p in data.parties}
        self.providers = {p.id: p for p in data.providers}
        self.events = {e.id: e for e in data.events}
        self.owner_of = {p.id: p.owner for p in data.providers}
        #: a provider's id, name and FOCUS names (:func:`charter.model.name_key`) → its id
        self.provider_named = {name_key(p.id): p.id for p in data.providers}
        self.provider_named.update({name_key(p.name): p.id for p in data.providers})
        self.provider_named.update(
            {name_key(n): p.id for p in data.providers for n in p.focus_names}
        )
        providers_of: dict[str, list[str]] = {}
        for p in data.providers:
            providers_of.setdefault(p.owner, []).append(p.id)
        self.providers_of = {k: tuple(v) for k, v in providers_of.items()}
        names = {
            e.id: (("en", e.name), *((k, tr.title) for k, tr in e.translations.items() if tr.title))
            for e in data.events
        }
        known = {e.id: e.date for e in data.events if e.date is not None}
        # what a sentence calls a party or a provider (a provider's name without a closing
        # parenthesis: "Example Cloud", not "Example Cloud (all regions)")
        called = {p.id: p.name for p in data.parties}
        called.update({p.id: re.sub(r"\s*\(.*\)\s*$", "", p.name) or p.id for p in data.providers})
        self.agreement_timeline = Timeline(
            data.agreements, data.vocabulary, names, known, called=called
        )
        self._rules: dict[tuple[tuple[str, dt.date], ...], Rules] = {}
        self._rules_default: Rules | None = None

    def __repr__(self) -> str:
        return f"Scenario({self.name!r}, {len(self.agreement_timeline.records)} clauses)"

    def without(self, clause_ids: Iterable[str]) -> Scenario:
        """The same scenario with some clauses taken out (for what-ifs and clause costs).

        A clause taken out that replaced an earlier one still ends it: the earlier clause is
        removed on the same date rather than revived, so "without B" (B replaced A) means
        without the restriction B states, not back to A.
        """
        drop = set(clause_ids)
        if not drop:
            return self

        def trimmed(am: Any) -> Any:
            ended = [
                Removal(clause=old, by=None)
                for c in am.clauses
                if c.id in drop
                for old in c.replaces
                if old not in drop
            ]
            return am.model_copy(
                update={
                    "clauses": tuple(c for c in am.clauses if c.id not in drop),
                    "removes": (*am.removes, *ended),
                }
            )

        ags = tuple(
            ag.model_copy(update={"amendments": tuple(trimmed(am) for am in ag.amendments)})
            for ag in self.data.agreements
        )
        return Scenario(replace(self.data, agreements=ags))

    @cached_property
    def encoder(self) -> Encoder:
        vocab = self.vocabulary
        values: list[str] = [*self.parties, *self.providers, *self.data.meta.segments]
        values += vocab.actions
        for a in vocab.attributes.values():
            values += a.values
            if isinstance(a.default, str):
                values.append(a.default)
        for rec in self.agreement_timeline.records:
            for sel in rec.spec.where:
                for t in sel.terms:
                    values += [v for v in t.values if isinstance(v, str)]
        return Encoder(values)

    @property
    def clauses(self) -> tuple[ClauseRecord, ...]:
        return tuple(self.agreement_timeline.records)

    # ------------------------------------------------------------------ events
    def resolve_events(self, events: EventsArg = None) -> dict[str, dt.date]:
        """Assumed events (``{"agi_verified": "2029-06-01"}``) with their implications."""
        parsed = {k: parse_date(v, what=f"date for event {k}") for k, v in (events or {}).items()}
        return resolve_events(self.events, parsed)

    # ------------------------------------------------------------------ timeline
    def timeline(
        self, at: dt.date | str | None = None, events: EventsArg = None, lang: str = "en"
    ) -> dict[str, Any]:
        """The amendment timeline, and with ``at`` the clauses in force, as JSON-ready data."""
        day = parse_date(at) if at is not None else None
        return self.agreement_timeline.to_json(day, self.resolve_events(events), check_lang(lang))

    def in_force(self, at: dt.date | str, events: EventsArg = None) -> tuple[ClauseRecord, ...]:
        """Clauses in force at a date under assumed events."""
        ev = self.resolve_events(events)
        return self.agreement_timeline.in_force(parse_date(at), tuple(sorted(ev.items())))

    # ------------------------------------------------------------------ decisions
    @cached_property
    def request_fields(self) -> tuple[str, ...]:
        """The names a request may give: the fixed fields, then the declared attributes."""
        return (*REQUEST_FIELDS, *(name for name, _ in self.declared_attributes))

    @cached_property
    def declared_attributes(self) -> tuple[tuple[str, Any], ...]:
        """The attributes the scenario declares beyond the request's fields, with defaults."""
        return tuple(
            (a.name, a.default)
            for a in self.vocabulary.attributes.values()
            if a.name not in REQUEST_FIELDS and a.name != "provider_owner"
        )

    def request(self, **values: Any) -> Request:
        """Build and validate a :class:`Request` from keyword values (dates may be strings);
        attributes the scenario declares go to ``attrs``, with their defaults when omitted.

        Raises:
            RequestError: unknown field, party, provider, action, kind or a bad date.
        """
        given = values.pop("attrs", None) or {}
        attrs = {
            name: given.get(name, values.pop(name, default))
            for name, default in self.declared_attributes
        }
        unknown = (set(values) - set(REQUEST_FIELDS)) | (set(given) - set(attrs))
        if unknown:
            name = sorted(unknown)[0]
            close = difflib.get_close_matches(name, self.request_fields, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise RequestError(
                f"unknown request field {name!r}{hint}; valid fields are: "
                f"{', '.join(self.request_fields)}"
            )
        for key in ("at", "created"):
            if values.get(key) is not None:
                values[key] = parse_date(values[key], what=key)
        for key in ("at", "principal", "action"):
            if values.get(key) is None:
                raise RequestError(f"a request needs {key!r}")
        for name in self._declared_bools:
            if attrs[name] is not None and not isinstance(attrs[name], bool):
                raise RequestError(f"{name} takes true or false, got {attrs[name]!r}")
        req = Request(**values, attrs=attrs)
        self.validate(req)
        return req

    @cached_property
    def _declared_bools(self) -> tuple[str, ...]:
        bools = (a for a in self.vocabulary.attributes.values() if a.type == AttrType.BOOL)
        return tuple(a.name for a in bools if a.name not in REQUEST_FIELDS)

    @cached_property
    def _valid_values(self) -> tuple[Checks, Checks]:
        """Per attribute whose values are names, its name and valid names: the request's
        fields, and the declared attributes (read from ``Request.attrs``)."""
        out: list[tuple[str, bool, frozenset[str]]] = []
        for name, attr in self.vocabulary.attributes.items():
            declared = name not in REQUEST_FIELDS
            if name == "provider_owner" or attr.type == AttrType.TEXT:
                continue
            if attr.type == AttrType.BOOL:
                continue  # a declared one's type is checked by Scenario.request
            if attr.type == AttrType.PARTY:
                valid = frozenset(self.parties)
            elif attr.type == AttrType.PROVIDER:
                valid = frozenset(self.providers)
            elif attr.type == AttrType.SEGMENT:
                valid = frozenset(self.data.meta.segments)
            else:
                valid = frozenset(attr.values)
            out.append((name, declared, valid))
        return (
            tuple((n, v) for n, d, v in out if not d),
            tuple((n, v) for n, d, v in out if d),
        )

    @cached_property
    def _requires(self) -> dict[str, tuple[str, ...]]:
        """Each action's required attributes, by action name."""
        return {name: a.requires for name, a in self.vocabulary.actions.items()}

    def validate(self, req: Request) -> None:
        """Check a request's names against the scenario.

        Raises:
            RequestError: naming the field and the valid values.
        """
        requires = self._requires.get(req.action)
        if requires is None:
            actions = self.vocabulary.actions
            raise RequestError(
                f"unknown action {req.action!r}; valid actions are: {', '.join(actions)}"
            )
        if req.principal not in self.parties:
            self._check("principal", req.principal, self.parties)
        fixed, declared = self._valid_values
        for name, valid in fixed:
            value = getattr(req, name)
            if value is not None and value not in valid:
                self._unknown_value(name, value)
        given = req.attrs
        if given and declared:
            for name, valid in declared:
                value = given.get(name)
                if value is not None and value not in valid:
                    self._unknown_value(name, value)
        for need in requires:
            if getattr(req, need, None) is None and given.get(need) is None:
                label = need.replace("_", " ")
                article = "an" if label[0] in "aeiou" else "a"
                raise RequestError(f"action {req.action!r} needs {article} {label}")

    def _unknown_value(self, name: str, value: Any) -> None:
        attr = self.vocabulary.attributes[name]
        shown: Iterable[str] = attr.values or (
            self.parties
            if attr.type == AttrType.PARTY
            else self.providers
            if attr.type == AttrType.PROVIDER
            else self.data.meta.segments
        )
        self._check(name, value, shown)

    @staticmethod
    def _check(field: str, value: str, valid: Iterable[str]) -> None:
        valid = list(valid)
        if value not in valid:
            label = field.replace("_", " ")
            raise RequestError(f"unknown {label} {value!r}; valid values are: {', '.join(valid)}")

    def decide_many(
        self,
        requests: Sequence[Request | Mapping[str, Any]],
        events: EventsArg = None,
        lang: str = "en",
    ) -> DecisionBatch:
        """Decide many requests at once (vectorized).

        Args:
            requests: :class:`Request` objects or mappings of their fields.
            events: assumed event dates, shared by the whole batch.
            lang: language of explanations (``en`` or ``de``).
        """
        reqs = [r if isinstance(r, Request) else self.request(**dict(r)) for r in requests]
        for r in reqs:
            self.validate(r)
        return self.rules(events).evaluate(reqs, check_lang(lang))

    def rules(self, events: EventsArg = None) -> Rules:
        """The timeline compiled under ``events`` (cached per event set)."""
        if not events and self._rules_default is not None:
            return self._rules_default
        resolved = self.resolve_events(events)
        key = tuple(sorted(resolved.items()))
        hit = self._rules.get(key)
        if hit is None:
            hit = Rules(
                self.agreement_timeline,
                resolved,
                self.encoder,
                self.owner_of,
                self.providers_of,
                self.vocabulary,
            )
            self._rules[key] = hit
        if not events:
            self._rules_default = hit
        return hit

    def revenue_directions(self) -> list[tuple[str, str]]:
        """The (payer, payee) of every revenue-share flow, once each, in timeline order."""
        seen: dict[tuple[str, str], None] = {}
        for rec in self.agreement_timeline.records:
            for flow in rec.spec.revenue_flows():
                seen.setdefault((flow.payer, flow.payee), None)
        return list(seen)

    def diff(self, *, before: str, after: str | None = None, **options: Any) -> VersionDiff:
        """Compare two versions of the agreements (:func:`charter.diff.diff`: the clause
        changes, every decision that flips, the money), ``after`` defaulting to the latest;
        ``draft=PATH`` compares ``before`` with a draft amendment instead."""
        from charter.diff import diff

        return diff(self, before=before, after=after, **options)

    def owes(
        self,
        *,
        payer: str,
        payee: str,
        period: str | Period,
        revenue: float,
        history: Sequence[tuple[str | Period, float]] = (),
        events: EventsArg = None,
        lang: str = "en",
    ) -> Owed:
        """What ``payer`` owes ``payee`` under revenue-share clauses for one period.

        Args:
            period: ``2026-07``, ``2026-Q3`` or ``2026``.
            revenue: the revenue of the period (the stream the rates apply to).
            history: earlier (period, revenue) pairs; they use up caps.
        """
        self._check("payer", payer, self.parties)
        self._check("payee", payee, self.parties)
        p = period if isinstance(period, Period) else Period.parse(period)
        hist = [(h if isinstance(h, Period) else Period.parse(h), float(v)) for h, v in history]
        return compute_owed(
            self.agreement_timeline,
            payer=payer,
            payee=payee,
            period=p,
            revenue=float(revenue),
            history=hist,
            events=self.resolve_events(events),
            lang=check_lang(lang),
        )

    def decide(
        self,
        request: Request | None = None,
        /,
        *,
        events: EventsArg = None,
        lang: str = "en",
        **values: Any,
    ) -> Decision:
        """Decide one request (a :class:`Request`, or its fields as keywords)."""
        if request is None:
            req = self.request(**values)
        else:
            self.validate(request)
            req = request
        return self.rules(events).decide(req, check_lang(lang))
