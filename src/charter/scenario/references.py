"""The cross-references of a scenario's files, each checked with a located error: parties,
providers, events and clause ids named in clauses, selectors' values against the scenario's
vocabulary, amendments in date order, what each one replaces, removes and clarifies, and the
briefing's questions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from charter.decide import REQUEST_FIELDS
from charter.model import (
    AgreementSpec,
    AmendmentSpec,
    BriefingQuestion,
    EventSpec,
    PartySpec,
    ProviderSpec,
    ScenarioMeta,
    name_key,
)
from charter.scenario.yamlio import Located, PathKey
from charter.selectors import parse_where
from charter.vocab import AttrType, Vocabulary

__all__ = ["References"]

PARTY_KEYS = frozenset(
    {"principal", "holder", "grantor", "approver", "payer", "payee", "granted_by"}
)
PROVIDER_KEYS = frozenset({"providers"})
CLAUSE_KEYS = frozenset({"overrides", "replaces"})
SELECTOR_KEYS = frozenset({"where", "exclude", "beyond"})


class References:
    """Checks every cross-reference, raising a located error for the first bad one."""

    def __init__(
        self,
        docs: dict[str, Located],
        meta: ScenarioMeta,
        parties: tuple[PartySpec, ...],
        providers: tuple[ProviderSpec, ...],
        events: tuple[EventSpec, ...],
        vocab: Vocabulary,
    ) -> None:
        self.docs = docs
        self.vocab = vocab
        self.actions = vocab.actions
        self.meta = meta
        self.parties = {p.id for p in parties}
        self.providers = {p.id for p in providers}
        self.events = {e.id for e in events}
        self.segments = set(meta.segments)
        self._check_unique("parties.yaml", [p.id for p in parties])
        self._check_unique("providers.yaml", [p.id for p in providers])
        self._check_unique("events.yaml", [e.id for e in events])
        if "providers.yaml" in docs:
            doc = docs["providers.yaml"]
            for i, p in enumerate(providers):
                self._party(doc, (i, "owner"), p.owner)
            self._check_focus_names(doc, providers)
        if "events.yaml" in docs:
            doc = docs["events.yaml"]
            for i, e in enumerate(events):
                for k, name in enumerate(e.implies):
                    self._event(doc, (i, "implies", k), name)

    def _check_unique(self, name: str, ids: list[str]) -> None:
        seen: dict[str, int] = {}
        for i, ident in enumerate(ids):
            if ident in seen:
                doc = self.docs[name]
                raise doc.error((i, "id"), f"duplicate id {ident!r} (also entry {seen[ident]})")
            seen[ident] = i

    @staticmethod
    def _check_focus_names(doc: Located, providers: tuple[ProviderSpec, ...]) -> None:
        """A FOCUS name maps to one provider: no provider declares one another provider
        declares, or that is another provider's id or name."""
        owner: dict[str, str] = {}
        for p in providers:
            for name in (p.id, p.name):
                owner.setdefault(name_key(name), p.id)
        for i, p in enumerate(providers):
            for k, name in enumerate(p.focus_names):
                other = owner.setdefault(name_key(name), p.id)
                if other != p.id:
                    raise doc.error(
                        (i, "focus_names", k),
                        f"provider {p.id!r} declares the FOCUS name {name!r}, which is also "
                        f"provider {other!r}'s: a ProviderName is declared by one provider only",
                    )

    @staticmethod
    def _unknown(what: str, value: Any, valid: set[str]) -> str:
        plural = "parties" if what == "party" else f"{what}s"
        return f"unknown {what} {value!r}; valid {plural} are: {', '.join(sorted(valid))}"

    def _party(self, doc: Located, path: PathKey, value: Any) -> None:
        if value not in self.parties:
            raise doc.error(path, self._unknown("party", value, self.parties))

    def _provider(self, doc: Located, path: PathKey, value: Any) -> None:
        if value not in self.providers:
            raise doc.error(path, self._unknown("provider", value, self.providers))

    def _event(self, doc: Located, path: PathKey, value: Any) -> None:
        if value not in self.events:
            raise doc.error(
                path,
                self._unknown("event", value, self.events)
                if self.events
                else f"unknown event {value!r}: events.yaml declares none",
            )

    # -- walking raw clause data keeps the exact path of each reference
    def _walk(self, doc: Located, path: PathKey, raw: Any, known: set[str]) -> None:
        if isinstance(raw, dict):
            for key, value in raw.items():
                p = (*path, key)
                if key in PARTY_KEYS and isinstance(value, str):
                    self._party(doc, p, value)
                elif key in PROVIDER_KEYS and isinstance(value, list):
                    for i, v in enumerate(value):
                        self._provider(doc, (*p, i), v)
                elif key in CLAUSE_KEYS and isinstance(value, list | str):
                    items = value if isinstance(value, list) else [value]
                    for i, v in enumerate(items):
                        if v not in known:
                            raise doc.error(
                                (*p, i) if isinstance(value, list) else p,
                                f"unknown clause id {v!r} (no clause of the scenario has it)",
                            )
                elif key == "event" and isinstance(value, str):
                    self._event(doc, p, value)
                elif key == "actions" and isinstance(value, list):
                    for i, v in enumerate(value):
                        if v not in self.actions:
                            raise doc.error(
                                (*p, i),
                                f"unknown action {v!r}; valid actions are: "
                                f"{', '.join(self.actions)}",
                            )
                elif key in SELECTOR_KEYS:
                    self._selector(doc, p, value)
                else:
                    self._walk(doc, p, value, known)
        elif isinstance(raw, list):
            for i, v in enumerate(raw):
                self._walk(doc, (*path, i), v, known)

    def _selector(self, doc: Located, path: PathKey, raw: Any) -> None:
        where = parse_where(raw, self.vocab)
        for k, sel in enumerate(where):
            base = (*path, k) if isinstance(raw, list) else path
            for term in sel.terms:
                t = self.vocab.attributes[term.attr].type
                if term.op == "exists":
                    continue
                for v in term.values:
                    p = (*base, term.attr)
                    if t == AttrType.PARTY:
                        self._party(doc, p, v)
                    elif t == AttrType.PROVIDER:
                        self._provider(doc, p, v)
                    elif t == AttrType.SEGMENT and v not in self.segments:
                        raise doc.error(
                            p,
                            self._unknown("segment", v, self.segments)
                            + " (declare segments in scenario.yaml)",
                        )

    def check(
        self, docs: list[Located], agreements: list[AgreementSpec]
    ) -> dict[str, tuple[str, int | None]]:
        known: dict[str, tuple[str, int | None]] = {}
        for doc, ag in zip(docs, agreements, strict=True):
            for i, am in enumerate(ag.amendments):
                for j, cl in enumerate(am.clauses):
                    p = ("amendments", i, "clauses", j)
                    if cl.id in known:
                        f, line = known[cl.id]
                        raise doc.error(
                            (*p, "id"), f"duplicate clause id {cl.id!r} (first at {f}:{line})"
                        )
                    known[cl.id] = (doc.file, doc.line_of(p))
        ids = set(known)
        for doc, ag in zip(docs, agreements, strict=True):
            for k, party in enumerate(ag.parties):
                self._party(doc, ("parties", k), party)
            self._check_amendments(doc, ag, ids)
        return known

    def _check_amendments(self, doc: Located, ag: AgreementSpec, ids: set[str]) -> None:
        """Each amendment in date order, its clauses, removals, clarifications and open
        items against the clauses in force before it."""
        live: dict[str, dt.date] = {}  # clause id → amendment date, while in force
        seen_dates: dict[dt.date, int] = {}
        prev: dt.date | None = None
        for i, am in enumerate(ag.amendments):
            p = ("amendments", i)
            if am.date in seen_dates:
                raise doc.error(
                    (*p, "date"),
                    f"two amendments on {am.date} (amendments[{seen_dates[am.date]}] and "
                    f"amendments[{i}]); merge them into one",
                )
            if prev is not None and am.date < prev:
                raise doc.error(
                    (*p, "date"), f"amendments must be in date order; {am.date} < {prev}"
                )
            seen_dates[am.date] = i
            prev = am.date
            nxt = ag.amendments[i + 1].date if i + 1 < len(ag.amendments) else None
            self._check_clauses(doc, i, am, nxt, live, ids)
            self._check_removes(doc, i, am, live, ids)
            self._check_clarifications(doc, i, am, nxt, live)
            for k, item in enumerate(am.open_items):
                for m, cid in enumerate(item.clauses):
                    if cid not in ids:
                        raise doc.error(
                            (*p, "open_items", k, "clauses", m), f"unknown clause id {cid!r}"
                        )
            for rm in am.removes:
                live.pop(rm.clause, None)
            for cl in am.clauses:
                for old in cl.replaces:
                    live.pop(old, None)
                live[cl.id] = am.date

    def _check_clauses(
        self,
        doc: Located,
        i: int,
        am: AmendmentSpec,
        nxt: dt.date | None,
        live: dict[str, dt.date],
        ids: set[str],
    ) -> None:
        """An amendment's clauses: their references, their start within the amendment, and
        what they replace in force before it."""
        raw = doc.data["amendments"][i].get("clauses", [])
        for j, cl in enumerate(am.clauses):
            cp = ("amendments", i, "clauses", j)
            self._walk(doc, cp, raw[j], ids)
            if cl.start is not None and (
                cl.start < am.date or (nxt is not None and cl.start >= nxt)
            ):
                raise doc.error(
                    (*cp, "from"),
                    f"{cl.start} is outside its amendment ({am.date} to {nxt or 'open-ended'})",
                )
            for k, old in enumerate(cl.replaces):
                if old not in live:
                    raise doc.error(
                        (*cp, "replaces", k) if len(cl.replaces) > 1 else (*cp, "replaces"),
                        f"clause {old!r} is not in force before {am.date}, so it cannot be "
                        f"replaced",
                    )

    def _check_removes(
        self, doc: Located, i: int, am: AmendmentSpec, live: dict[str, dt.date], ids: set[str]
    ) -> None:
        """An amendment's removals: of clauses in force, stated by one of its own clauses."""
        own = {c.id for c in am.clauses}
        for k, rm in enumerate(am.removes):
            rp = ("amendments", i, "removes", k)
            if rm.clause not in live:
                why = "does not exist" if rm.clause not in ids else "is not in force then"
                raise doc.error(
                    (*rp, "clause"),
                    f"cannot remove clause {rm.clause!r}: it {why} before {am.date}",
                )
            if rm.by is not None and rm.by not in own:
                raise doc.error(
                    (*rp, "by"),
                    f"{rm.by!r} is not a clause of this amendment; `by` names the clause "
                    f"that states the removal",
                )

    def _check_clarifications(
        self,
        doc: Located,
        i: int,
        am: AmendmentSpec,
        nxt: dt.date | None,
        live: dict[str, dt.date],
    ) -> None:
        """An amendment's clarifications: dated within it, narrowing clauses in force."""
        own = {c.id for c in am.clauses}
        raw = doc.data["amendments"][i]
        for k, cla in enumerate(am.clarifications):
            cp = ("amendments", i, "clarifications", k)
            if cla.date < am.date or (nxt is not None and cla.date >= nxt):
                raise doc.error((*cp, "date"), f"{cla.date} is outside its amendment")
            for m, nar in enumerate(cla.narrows):
                if nar.clause not in live and nar.clause not in own:
                    raise doc.error(
                        (*cp, "narrows", m, "clause"),
                        f"clause {nar.clause!r} is not in force at {cla.date}",
                    )
                self._selector(
                    doc,
                    (*cp, "narrows", m, "where"),
                    raw["clarifications"][k]["narrows"][m]["where"],
                )

    def check_briefing(self, briefing: tuple[BriefingQuestion, ...]) -> None:
        if not briefing:
            return
        doc = self.docs["briefing.yaml"]
        for i, q in enumerate(briefing):
            self._party(doc, (i, "principal"), q.principal)
            if q.action not in self.actions:
                raise doc.error(
                    (i, "action"),
                    f"unknown action {q.action!r}; valid: {', '.join(self.actions)}",
                )
            for name in q.events:
                self._event(doc, (i, "events", name), name)
            options = self._option_fields()
            for name in q.options:
                if name not in options:
                    raise doc.error(
                        (i, "options", name),
                        f"unknown option {name!r}; valid options are: {', '.join(options)}",
                    )

    def _option_fields(self) -> tuple[str, ...]:
        """What a briefing question's ``options`` may set: the request's fields and the
        declared attributes, beyond ``at``, ``principal`` and ``action``."""
        fixed = (f for f in REQUEST_FIELDS if f not in ("at", "principal", "action"))
        extra = (a for a in self.vocab.attributes if a not in REQUEST_FIELDS)
        return (*fixed, *(a for a in extra if a not in ("action", "provider_owner")))
