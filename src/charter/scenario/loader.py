"""Loading a scenario folder: YAML files → validated specs, every error located.

The entry point for reading a scenario folder (YAML here, the offers and workloads tables in
:mod:`.portfolio`, both through :mod:`.yamlio`). Errors are :class:`~charter.errors.ScenarioError` s
naming file, line and field, e.g.
``agreements.yaml:14: amendments[2].clauses[0].until: expected a date like 2030-12-31 ...``.
"""

from __future__ import annotations

import datetime as dt
import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from charter.clauses import KIND_NAMES
from charter.decide import REQUEST_FIELDS
from charter.errors import ScenarioError
from charter.model import (
    AgreementSpec,
    BriefingQuestion,
    EventSpec,
    OfferSpec,
    PartySpec,
    ProviderSpec,
    ScenarioMeta,
    WorkloadSpec,
)
from charter.scenario.portfolio import read_offers, read_workloads
from charter.scenario.yamlio import Located, PathKey, read_yaml
from charter.selectors import parse_where
from charter.vocab import BASE, AttrType, Vocabulary, VocabularyError, VocabularySpec, extend

__all__ = ["ScenarioData", "load_folder"]

T = TypeVar("T")

#: Keys whose values name parties, wherever they appear in a clause.
PARTY_KEYS = frozenset(
    {"principal", "holder", "grantor", "approver", "payer", "payee", "granted_by"}
)
PROVIDER_KEYS = frozenset({"providers"})
CLAUSE_KEYS = frozenset({"overrides", "replaces"})
SELECTOR_KEYS = frozenset({"where", "exclude", "beyond"})
VOCABULARY_FILE = "vocabulary.yaml"


@dataclass(frozen=True)
class ScenarioData:
    """The validated contents of a scenario folder."""

    folder: Path
    meta: ScenarioMeta
    parties: tuple[PartySpec, ...]
    providers: tuple[ProviderSpec, ...]
    events: tuple[EventSpec, ...]
    agreements: tuple[AgreementSpec, ...]
    briefing: tuple[BriefingQuestion, ...]
    offers: tuple[OfferSpec, ...]
    workloads: tuple[WorkloadSpec, ...]
    #: clause id → (file, path) of its definition, for messages.
    locations: dict[str, tuple[str, int | None]]
    #: the base vocabulary extended by the folder's vocabulary.yaml
    vocabulary: Vocabulary = BASE


# ----------------------------------------------------------------------------- shape
def _strip_tags(data: Any, loc: tuple[int | str, ...]) -> PathKey:
    """Drop the union tags pydantic inserts into error locations, keeping real path parts."""
    out: list[str | int] = []
    cur = data
    for part in loc:
        in_dict = isinstance(cur, dict) and part in cur
        in_list = isinstance(cur, list) and isinstance(part, int) and 0 <= part < len(cur)
        if in_dict or in_list:
            cur = cur[part]
        elif part in KIND_NAMES and isinstance(cur, dict) and cur.get("kind") == part:
            continue  # the discriminator tag, not a field
        else:
            cur = None  # a missing or unknown field: name it and stop descending
        out.append(part)
    return tuple(out)


def _message(err: Any) -> str:
    kind = err["type"]
    got = err.get("input")
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field (check its spelling; `charter schema` lists the fields)"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"expected a date like 2030-12-31, got {got!r}"
    msg = str(err["msg"])
    msg = msg.removeprefix("Value error, ")
    if kind == "value_error":
        return msg
    return f"{msg[0].lower()}{msg[1:]}, got {got!r}"


def _field_names() -> set[str]:
    from charter.clauses import KINDS
    from charter.model import AmendmentSpec, Clarification, Narrowing, OpenItem, Removal

    names: set[str] = set()
    models: tuple[type[BaseModel], ...] = (
        *KINDS,
        AgreementSpec,
        AmendmentSpec,
        Clarification,
        Narrowing,
        OpenItem,
        Removal,
        ScenarioMeta,
        PartySpec,
        ProviderSpec,
        EventSpec,
        BriefingQuestion,
    )
    for m in models:
        names |= {f.alias or n for n, f in m.model_fields.items()}
    return names


def _validate(
    doc: Located, adapter: TypeAdapter[T], prefix: PathKey = (), vocab: Vocabulary = BASE
) -> T:
    data = doc.data
    for k in prefix:
        data = data[k]
    try:
        return adapter.validate_python(data, context={"vocabulary": vocab})
    except ValidationError as exc:
        errors = exc.errors()
        locs = [tuple(e["loc"]) for e in errors]
        # drop errors on a container that only echo a failure inside it (e.g. "too short")
        errors = [
            e
            for e, loc in zip(errors, locs, strict=True)
            if not any(other != loc and other[: len(loc)] == loc for other in locs)
        ]
        errors.sort(key=lambda e: e["type"] != "extra_forbidden")
        err = errors[0]
        path = prefix + _strip_tags(data, tuple(err["loc"]))
        message = _message(err)
        if err["type"] == "extra_forbidden" and path and isinstance(path[-1], str):
            close = difflib.get_close_matches(path[-1], sorted(_field_names()), n=1)
            message = f"unknown field {path[-1]!r}" + (
                f"; did you mean {close[0]!r}?" if close else ""
            )
        more = len(errors) - 1
        tail = f" (and {more} more problem{'s' if more > 1 else ''} in this file)" if more else ""
        raise doc.error(path, message + tail) from None


def _check_kinds(doc: Located, amendments: Any, base: PathKey) -> None:
    if not isinstance(amendments, list):
        return
    for i, am in enumerate(amendments):
        clauses = am.get("clauses") if isinstance(am, dict) else None
        if not isinstance(clauses, list):
            continue
        for j, cl in enumerate(clauses):
            if not isinstance(cl, dict):
                continue
            path = (*base, i, "clauses", j, "kind")
            kind = cl.get("kind")
            if kind is None:
                raise doc.error(
                    path[:-1], f"clause has no kind; valid kinds are: {', '.join(KIND_NAMES)}"
                )
            if kind not in KIND_NAMES:
                raise doc.error(
                    path, f"unknown clause kind {kind!r}; valid kinds are: {', '.join(KIND_NAMES)}"
                )


# ----------------------------------------------------------------------------- files
def _read_list(
    folder: Path,
    name: str,
    model: type[BaseModel],
    required: bool,
    docs: dict[str, Located],
) -> tuple[Any, ...]:
    """Validate a list file; its parsed document is kept in ``docs`` for later checks."""
    path = folder / name
    if not path.exists():
        if required:
            raise ScenarioError("file is missing from the scenario folder", file=name)
        return ()
    doc = read_yaml(path, name)
    docs[name] = doc
    if doc.data is None:
        return ()
    if not isinstance(doc.data, list):
        raise doc.error((), f"expected a list of entries, got {type(doc.data).__name__}")
    return tuple(_validate(doc, TypeAdapter(list[model])))  # type: ignore[valid-type]


def _agreement_files(folder: Path) -> list[tuple[Path, str]]:
    files: list[tuple[Path, str]] = []
    if (folder / "agreements.yaml").exists():
        files.append((folder / "agreements.yaml", "agreements.yaml"))
    sub = folder / "agreements"
    if sub.is_dir():
        files += [(p, f"agreements/{p.name}") for p in sorted(sub.glob("*.yaml"))]
    return files


def read_vocabulary(folder: Path) -> Vocabulary:
    """The base vocabulary extended by the folder's ``vocabulary.yaml`` (if it has one).

    Raises:
        ScenarioError: a malformed entry, located by file, line and field.
    """
    path = folder / VOCABULARY_FILE
    if not path.exists():
        return BASE
    doc = read_yaml(path, VOCABULARY_FILE)
    if doc.data is None:
        return BASE
    if not isinstance(doc.data, dict):
        raise doc.error((), "expected a mapping with actions and attributes")
    spec = _validate(doc, TypeAdapter(VocabularySpec))
    try:
        return extend(BASE, spec)
    except VocabularyError as exc:
        raise doc.error(exc.path, exc.message) from None


def load_folder(folder: Path) -> ScenarioData:
    """Read and validate every file of a scenario folder.

    Raises:
        ScenarioError: the first problem found, with file, line and field.
    """
    if not folder.is_dir():
        raise ScenarioError(f"scenario folder {str(folder)!r} does not exist")
    meta_doc = (
        read_yaml(folder / "scenario.yaml", "scenario.yaml")
        if (folder / "scenario.yaml").exists()
        else None
    )
    if meta_doc is None:
        raise ScenarioError("file is missing from the scenario folder", file="scenario.yaml")
    if not isinstance(meta_doc.data, dict):
        raise meta_doc.error((), "expected a mapping with name and title")
    meta = _validate(meta_doc, TypeAdapter(ScenarioMeta))
    vocab = read_vocabulary(folder)
    lists: dict[str, Located] = {}
    parties: tuple[PartySpec, ...] = _read_list(folder, "parties.yaml", PartySpec, True, lists)
    providers: tuple[ProviderSpec, ...] = _read_list(
        folder, "providers.yaml", ProviderSpec, True, lists
    )
    events: tuple[EventSpec, ...] = _read_list(folder, "events.yaml", EventSpec, False, lists)
    briefing: tuple[BriefingQuestion, ...] = _read_list(
        folder, "briefing.yaml", BriefingQuestion, False, lists
    )
    files = _agreement_files(folder)
    if not files:
        raise ScenarioError(
            "no agreements: add agreements.yaml or files under agreements/", file="agreements.yaml"
        )
    docs: list[Located] = []
    agreements: list[AgreementSpec] = []
    for path, display in files:
        doc = read_yaml(path, display)
        if not isinstance(doc.data, dict):
            raise doc.error((), "expected a mapping with id, title, parties and amendments")
        _check_kinds(doc, doc.data.get("amendments"), ("amendments",))
        agreements.append(_validate(doc, TypeAdapter(AgreementSpec), vocab=vocab))
        docs.append(doc)

    checker = _RefChecker(lists, meta, parties, providers, events, vocab)
    locations = checker.check(docs, agreements)
    checker.check_briefing(briefing)
    offers = read_offers(folder, {p.id for p in providers})
    workloads = read_workloads(folder, {p.id for p in parties}, meta, offers, vocab)
    if meta.plan is not None and meta.plan.party not in {p.id for p in parties}:
        raise meta_doc.error(("plan", "party"), f"unknown party {meta.plan.party!r}")
    return ScenarioData(
        folder=folder,
        meta=meta,
        parties=parties,
        providers=providers,
        events=events,
        agreements=tuple(agreements),
        briefing=briefing,
        offers=offers,
        workloads=workloads,
        locations=locations,
        vocabulary=vocab,
    )


# ----------------------------------------------------------------------------- references
class _RefChecker:
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
        live: dict[str, dt.date] = {}  # clause id → amendment date, while in force
        seen_dates: dict[dt.date, int] = {}
        prev: dt.date | None = None
        raw_ams = doc.data["amendments"]
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
            own = {c.id for c in am.clauses}
            for j, cl in enumerate(am.clauses):
                cp = (*p, "clauses", j)
                self._walk(doc, cp, raw_ams[i]["clauses"][j], ids)
                if cl.from_ is not None and (
                    cl.from_ < am.date or (nxt is not None and cl.from_ >= nxt)
                ):
                    raise doc.error(
                        (*cp, "from"),
                        f"{cl.from_} is outside its amendment ({am.date} to {nxt or 'open-ended'})",
                    )
                for k, old in enumerate(cl.replaces):
                    if old not in live:
                        raise doc.error(
                            (*cp, "replaces", k) if len(cl.replaces) > 1 else (*cp, "replaces"),
                            f"clause {old!r} is not in force before {am.date}, so it cannot be "
                            f"replaced",
                        )
            for k, rm in enumerate(am.removes):
                rp = (*p, "removes", k)
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
            for k, cla in enumerate(am.clarifications):
                cp = (*p, "clarifications", k)
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
                        raw_ams[i]["clarifications"][k]["narrows"][m]["where"],
                    )
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
