"""Offers and workloads: read from YAML, CSV or Parquet, every error located.

``offers.yaml`` / ``workloads.yaml`` hold lists of entries. For large portfolios the same
fields may come as ``offers.csv`` / ``workloads.csv`` (header row; list fields separated by
``;``, e.g. ``h100;gb200``; per-month maps as ``2026-01=1000;2026-02=1200``) or as
``.parquet`` files (needs pyarrow; list columns may be real lists).

Errors name the file and, for YAML, the line and ``[entry].field``; for CSV, the line in the
file (the header is line 1) and the column; for Parquet, ``[row].column``. Besides each
entry's shape, the references are checked (providers, parties, kinds, segments, months) and
every workload must fit some offer by the planner's rule: an offer of one of its
``families``, in one of its ``regions`` (if it lists any), carrying all of its
``compliance`` tags.
"""

from __future__ import annotations

import csv
import difflib
import io
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from charter.errors import ScenarioError
from charter.model import OfferSpec, ScenarioMeta, WorkloadSpec
from charter.periods import Period
from charter.scenario.yamlio import Located, PathKey, format_path, read_yaml
from charter.vocab import BASE, AttrType, Vocabulary

__all__ = ["read_offers", "read_workloads"]

M = TypeVar("M", bound=BaseModel)

_LISTS = {"families", "regions", "compliance"}
_MAPS = {"capacity_by_period", "demand_by_period"}
#: Valid values are listed in a message when there are at most this many.
SHORT_LIST = 15


# ----------------------------------------------------------------------------- messages
def _quoted(values: Iterable[str], conj: str = "or") -> str:
    """``'a'``, ``'a' or 'b'``, ``'a', 'b' or 'c'``."""
    items = [repr(v) for v in values]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def _plain(values: Iterable[str], conj: str = "or") -> str:
    items = list(values)
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {conj} {items[-1]}"


def did_you_mean(values: Iterable[str], valid: Collection[str]) -> str:
    """``" (did you mean 'h100'?)"``, or nothing when no valid value is close."""
    close: list[str] = []
    for v in values:
        for c in difflib.get_close_matches(str(v), sorted(valid), n=3, cutoff=0.6):
            if c not in close:
                close.append(c)
    return f" (did you mean {_quoted(close)}?)" if close else ""


def listing(valid: Collection[str]) -> str:
    """The valid values if they are few, else how many there are and the first of them."""
    names = sorted(valid)
    if len(names) <= SHORT_LIST:
        return ", ".join(names)
    return f"{', '.join(names[:SHORT_LIST])} ... ({len(names)} in all)"


def unknown(what: str, value: Any, valid: Collection[str]) -> str:
    """``unknown provider 'cloudcoo' (did you mean 'cloudco'?); valid providers are: ...``."""
    return (
        f"unknown {what} {value!r}{did_you_mean([str(value)], valid)}; valid "
        f"{'parties' if what == 'party' else what + 's'} are: {listing(valid)}"
    )


def _unknown_column(name: str, fields: Collection[str], word: str) -> str:
    close = difflib.get_close_matches(name, sorted(fields), n=3, cutoff=0.6)
    if close:
        return f"unknown {word} {name!r}; did you mean {_quoted(close)}?"
    return f"unknown {word} {name!r}; the {word}s are: {', '.join(fields)}"


# ----------------------------------------------------------------------------- sources
@dataclass(frozen=True)
class _Source:
    """Where the entries of one portfolio file came from, to locate errors in it."""

    name: str
    doc: Located | None = None  # YAML: the line of every node
    lines: tuple[int, ...] | None = None  # CSV: each row's line (the header is line 1)

    def error(self, i: int | None, path: PathKey, message: str) -> ScenarioError:
        """An error at entry ``i`` (None: the file, or the CSV header), field ``path``."""
        if self.doc is not None:
            return self.doc.error(path if i is None else (i, *path), message)
        if self.lines is not None:
            line = 1 if i is None else self.lines[i]
            return ScenarioError(
                message, file=self.name, line=line, field=format_path(path) or None
            )
        full = path if i is None else (i, *path)
        return ScenarioError(message, file=self.name, field=format_path(full) or None)


def _find(folder: Path, stem: str) -> Path | None:
    found = [folder / f"{stem}.{ext}" for ext in ("yaml", "csv", "parquet")]
    present = [p for p in found if p.exists()]
    if len(present) > 1:
        names = ", ".join(p.name for p in present)
        raise ScenarioError(f"give {stem} in one file only, found: {names}", file=present[1].name)
    return present[0] if present else None


def _cell(name: str, raw: Any) -> Any:
    if raw is None:
        return None
    if isinstance(raw, str):
        raw = raw.strip()
        if raw == "":
            return None
        if name in _LISTS:
            return [x.strip() for x in raw.split(";") if x.strip()]
        if name in _MAPS:
            out: dict[str, str] = {}
            for part in raw.split(";"):
                if part.strip():
                    key, sep, value = part.partition("=")
                    if not sep:
                        raise ValueError(
                            f"expected MONTH=HOURS pairs separated by ';', got {part!r}"
                        )
                    out[key.strip()] = value.strip()
            return out
    return raw


def _columns(src: _Source, header: list[str], model: type[BaseModel]) -> None:
    """Every column a field of ``model``, none twice, every required one present."""
    fields = list(model.model_fields)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise src.error(None, (name,), f"column {name!r} is given twice")
        seen.add(name)
        if name not in fields:
            raise src.error(None, (name,), _unknown_column(name, fields, "column"))
    missing = [n for n, f in model.model_fields.items() if f.is_required() and n not in seen]
    if missing:
        are = "columns {} are" if len(missing) > 1 else "column {} is"
        raise src.error(None, (), f"required {are.format(_quoted(missing, 'and'))} missing")


def _csv_rows(path: Path, model: type[BaseModel]) -> tuple[_Source, list[dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read file: {exc}", file=path.name) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    src = _Source(path.name, lines=())
    try:
        while True:
            first = reader.line_num + 1  # a record may span lines: it starts after the last
            try:
                cells = next(reader)
            except StopIteration:
                break
            if not cells:
                continue  # a blank line
            if header is None:
                header = [c.strip() for c in cells]
                _columns(src, header, model)
                continue
            if len(cells) > len(header):
                raise ScenarioError("more cells than header columns", file=path.name, line=first)
            row: dict[str, Any] = {}
            for k, v in zip(header, cells, strict=False):
                try:
                    value = _cell(k, v)
                except ValueError as exc:
                    raise ScenarioError(str(exc), file=path.name, line=first, field=k) from None
                if value is not None:
                    row[k] = value
            rows.append(row)
            lines.append(first)
    except csv.Error as exc:
        raise ScenarioError(f"malformed CSV: {exc}", file=path.name, line=reader.line_num) from None
    return _Source(path.name, lines=tuple(lines)), rows


def _parquet_rows(path: Path, model: type[BaseModel]) -> tuple[_Source, list[dict[str, Any]]]:
    import pyarrow.parquet as pq

    src = _Source(path.name)
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several kinds
        raise ScenarioError(f"cannot read Parquet file: {exc}", file=path.name) from None
    _columns(src, list(table.schema.names), model)
    rows = []
    for r in table.to_pylist():
        cells = {k: _cell(k, v) for k, v in r.items()}
        rows.append({k: v for k, v in cells.items() if v is not None})
    return src, rows


def _first_error(exc: ValidationError) -> Any:
    """The error to report: an unknown field first (it often explains a missing one)."""
    errors = exc.errors()
    return sorted(errors, key=lambda e: e["type"] != "extra_forbidden")[0]


def _read(folder: Path, stem: str, model: type[M]) -> tuple[tuple[M, ...], _Source]:
    path = _find(folder, stem)
    if path is None:
        return (), _Source(f"{stem}.yaml")
    fields = list(model.model_fields)
    if path.suffix == ".yaml":
        doc = read_yaml(path, path.name)
        src = _Source(path.name, doc=doc)
        if doc.data is None:
            return (), src
        if not isinstance(doc.data, list):
            raise doc.error((), "expected a list of entries")
        entries: list[Any] = doc.data
    elif path.suffix == ".csv":
        src, entries = _csv_rows(path, model)
    else:
        src, entries = _parquet_rows(path, model)
    out = []
    adapter = TypeAdapter(model)
    for i, entry in enumerate(entries):
        try:
            out.append(adapter.validate_python(entry))
        except ValidationError as exc:
            err = _first_error(exc)
            loc = tuple(err["loc"])
            word = "field" if src.doc is not None else "column"
            if err["type"] == "extra_forbidden" and loc and isinstance(loc[-1], str):
                message = _unknown_column(loc[-1], fields, word)
            else:
                message = _msg(err)
            raise src.error(i, loc, message) from None
    return tuple(out), src


def _msg(err: Any) -> str:
    if err["type"] == "missing":
        return "required field is missing"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{msg[0].lower()}{msg[1:]}, got {err.get('input')!r}"


def _check(src: _Source, i: int, field: str, value: Any, valid: Collection[str], what: str) -> None:
    if value is not None and value not in valid:
        raise src.error(i, (field,), unknown(what, value, valid))


def _period(src: _Source, i: int, field: str, text: str) -> Period:
    try:
        p = Period.parse(text)
    except Exception as exc:  # RequestError → located ScenarioError
        raise src.error(i, (field,), str(exc)) from None
    if p.days > 31:
        raise src.error(i, (field,), f"plans are monthly: give a month like 2026-07, got {text!r}")
    return p


# ----------------------------------------------------------------------------- offers
def _read_offers(folder: Path, providers: set[str]) -> tuple[tuple[OfferSpec, ...], _Source]:
    offers, src = _read(folder, "offers", OfferSpec)
    seen: set[str] = set()
    for i, o in enumerate(offers):
        _check(src, i, "provider", o.provider, providers, "provider")
        if o.id in seen:
            raise src.error(i, ("id",), f"duplicate offer id {o.id!r}")
        seen.add(o.id)
        for key in o.capacity_by_period:
            _period(src, i, "capacity_by_period", key)
    return offers, src


def read_offers(folder: Path, providers: set[str]) -> tuple[OfferSpec, ...]:
    """Offers of a scenario folder (none if it has no offers file)."""
    return _read_offers(folder, providers)[0]


# ----------------------------------------------------------------------------- workloads
def read_workloads(
    folder: Path,
    parties: set[str],
    meta: ScenarioMeta,
    offers: tuple[OfferSpec, ...] | None = None,
    vocab: Vocabulary = BASE,
) -> tuple[WorkloadSpec, ...]:
    """Workloads of a scenario folder (none if it has no workloads file).

    Args:
        offers: when given, every workload must fit one of them (:func:`fit_problem`).
        vocab: the scenario's vocabulary, which a workload's ``attributes`` must be in.
    """
    workloads, src = _read(folder, "workloads", WorkloadSpec)
    workloads = tuple(_attributes(src, i, w, vocab, parties, meta) for i, w in enumerate(workloads))
    seen: set[str] = set()
    for i, w in enumerate(workloads):
        if w.id in seen:
            raise src.error(i, ("id",), f"duplicate workload id {w.id!r}")
        seen.add(w.id)
        _check(src, i, "owner", w.owner, parties, "party")
        _check(src, i, "codeveloped_with", w.codeveloped_with, parties, "party")
        _check(src, i, "kind", w.kind, vocab.values("kind"), "workload kind")
        _check(src, i, "segment", w.segment, set(meta.segments), "segment")
        _check(src, i, "api", w.api, vocab.values("api"), "api style")
        if w.owner is None and meta.plan is None:
            raise src.error(
                i, ("owner",), "workload has no owner and scenario.yaml has no plan.party"
            )
        start = _period(src, i, "start", w.start)
        end = _period(src, i, "end", w.end)
        if end < start:
            raise src.error(i, ("end",), f"end {w.end} is before start {w.start}")
        for key in w.demand_by_period:
            _period(src, i, "demand_by_period", key)
    if offers is not None:
        _check_fit(src, workloads, offers)
    return workloads


#: Attributes a workload cannot set in ``attributes``: its placement and the action say them.
_PLACED = frozenset({"action", "provider", "provider_owner"})


def _attributes(
    src: _Source,
    i: int,
    w: WorkloadSpec,
    vocab: Vocabulary,
    parties: set[str],
    meta: ScenarioMeta,
) -> WorkloadSpec:
    """``w`` with its ``attributes`` checked against the vocabulary (CSV's ``true``/``false``
    read as bools)."""
    if not w.attributes:
        return w
    settable = [
        a for a in vocab.attributes if a not in _PLACED and a not in WorkloadSpec.model_fields
    ]
    out: dict[str, bool | str] = {}
    for name, value in w.attributes.items():
        path = ("attributes", name)
        if name not in settable:
            close = difflib.get_close_matches(name, settable, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            why = (
                "is set by the workload's own field or its placement"
                if name in vocab.attributes
                else "is not declared (vocabulary.yaml)"
            )
            raise src.error(
                i, path, f"attribute {name!r} {why}{hint}; valid: {', '.join(settable)}"
            )
        attr = vocab.attributes[name]
        if attr.type == AttrType.BOOL:
            if isinstance(value, str) and value.lower() in ("true", "false"):
                value = value.lower() == "true"
            if not isinstance(value, bool):
                raise src.error(i, path, f"{name!r} takes true or false, got {value!r}")
        elif not isinstance(value, str):
            raise src.error(i, path, f"{name!r} takes a name, got {value!r}")
        else:
            valid = {
                AttrType.ENUM: attr.values,
                AttrType.PARTY: tuple(parties),
                AttrType.SEGMENT: meta.segments,
            }.get(attr.type)
            if valid is not None and value not in valid:
                raise src.error(i, path, unknown(name.replace("_", " "), value, valid))
        out[name] = value
    return w.model_copy(update={"attributes": out})


def _check_fit(
    src: _Source, workloads: tuple[WorkloadSpec, ...], offers: tuple[OfferSpec, ...]
) -> None:
    by_family: dict[str, list[OfferSpec]] = {}
    for o in offers:
        by_family.setdefault(o.family, []).append(o)
    memo: dict[tuple[Any, ...], tuple[str, str] | None] = {}
    for i, w in enumerate(workloads):
        key = (w.families, w.regions, w.compliance)
        if key not in memo:
            memo[key] = fit_problem(w, by_family)
        problem = memo[key]
        if problem is not None:
            field, why = problem
            raise src.error(i, (field,), f"workload {w.id!r} fits no offer: {why}")


def fit_problem(w: WorkloadSpec, by_family: dict[str, list[OfferSpec]]) -> tuple[str, str] | None:
    """Why no offer can ever take ``w`` (the field to blame and the reason), or None.

    The planner's static filter (:mod:`charter.planner.problem`): an offer of one of the
    workload's families, in one of its regions if it lists any, carrying all its compliance
    tags. Each field is judged among the offers the fields before it leave.
    """
    fams = [f for f in w.families if f in by_family]
    if not fams:
        if not by_family:
            return "families", "the scenario has no offers (offers.yaml, .csv or .parquet)"
        return "families", (
            f"no offer has accelerator family {_quoted(w.families)}"
            f"{did_you_mean(w.families, by_family)}; the offers' families are: "
            f"{listing(by_family)}"
        )
    cands = [o for f in fams for o in by_family[f]]
    of = f"of family {_plain(fams)}"
    if w.regions:
        inside = [o for o in cands if o.region in w.regions]
        if not inside:
            regions = {o.region for o in cands}
            return "regions", (
                f"no offer {of} is in region {_quoted(w.regions)}"
                f"{did_you_mean(w.regions, regions)}; offers {of} are in: {listing(regions)}"
            )
        cands = inside
        of += f" in region {_plain(sorted({o.region for o in inside}))}"
    need = set(w.compliance)
    if need and not any(need <= set(o.compliance) for o in cands):
        tags = {t for o in cands for t in o.compliance}
        missing = sorted(need - tags)
        if missing:
            everywhere = {t for os in by_family.values() for o in os for t in o.compliance}
            elsewhere = [t for t in missing if t in everywhere]
            verb = "is" if len(elsewhere) == 1 else "are"
            also = (
                f"; {_quoted(elsewhere, 'and')} {verb} only on offers of other families or regions"
                if elsewhere
                else ""
            )
            on = (
                f"the tags on offers {of} are: {listing(tags)}"
                if tags
                else f"offers {of} carry no compliance tags"
            )
            return "compliance", (
                f"no offer {of} carries compliance tag{'s' if len(missing) > 1 else ''} "
                f"{_quoted(missing, 'and')}"
                f"{did_you_mean(missing, tags)}{also}; {on}"
            )
        sets = sorted({", ".join(sorted(need & set(o.compliance))) for o in cands} - {""})
        return "compliance", (
            f"no single offer {of} carries all of {_quoted(sorted(need), 'and')}; those offers "
            f"carry only: {'; '.join(sets)}"
        )
    return None
