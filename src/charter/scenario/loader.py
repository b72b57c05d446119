"""Loading a scenario folder: YAML files → validated specs, every error located.

The entry point for reading a scenario folder: the YAML files here, their cross-references in
:mod:`.references`, the offers and workloads tables in :mod:`.portfolio`, all through
:mod:`.yamlio`. Errors are :class:`~charter.errors.ScenarioError` s naming file, line and
field, e.g.
``agreements.yaml:14: amendments[2].clauses[0].until: expected a date like 2030-12-31 ...``.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from charter.clauses import KIND_NAMES
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
from charter.scenario.references import References
from charter.scenario.yamlio import Located, PathKey, read_yaml
from charter.vocab import BASE, Vocabulary, VocabularyError, VocabularySpec, extend

__all__ = ["ScenarioData", "load_folder"]

T = TypeVar("T")

#: Keys whose values name parties, wherever they appear in a clause.
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


def _read_agreements(folder: Path, vocab: Vocabulary) -> tuple[list[Located], list[AgreementSpec]]:
    """Every agreement file, validated against the vocabulary, with its parsed document."""
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
    return docs, agreements


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
    docs, agreements = _read_agreements(folder, vocab)

    checker = References(lists, meta, parties, providers, events, vocab)
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
