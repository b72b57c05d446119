"""Offers and workloads: read from YAML, CSV or Parquet, every error located.

``offers.yaml`` / ``workloads.yaml`` hold lists of entries. For large portfolios the same
fields may come as ``offers.csv`` / ``workloads.csv`` (header row; list fields separated by
``;``, e.g. ``h100;gb200``; per-month maps as ``2026-01=1000;2026-02=1200``) or as
``.parquet`` files (needs pyarrow; list columns may be real lists).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from charter.errors import ScenarioError
from charter.model import OfferSpec, ScenarioMeta, WorkloadSpec
from charter.periods import Period
from charter.scenario.yamlio import read_yaml
from charter.vocab import API_MODES, WORKLOAD_KINDS

__all__ = ["read_offers", "read_workloads"]

M = TypeVar("M", bound=BaseModel)

_LISTS = {"families", "regions", "compliance"}
_MAPS = {"capacity_by_period", "demand_by_period"}


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


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    if path.suffix == ".csv":
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise ScenarioError(f"cannot read file: {exc}", file=path.name) from None
        reader = csv.DictReader(text.splitlines())
        rows = []
        for line, raw in enumerate(reader, start=2):
            row: dict[str, Any] = {}
            for k, v in raw.items():
                if k is None:
                    raise ScenarioError("more cells than header columns", file=path.name, line=line)
                try:
                    value = _cell(k.strip(), v)
                except ValueError as exc:
                    raise ScenarioError(str(exc), file=path.name, line=line, field=k) from None
                if value is not None:
                    row[k.strip()] = value
            rows.append((line, row))
        return rows
    import pyarrow.parquet as pq

    table = pq.read_table(path).to_pylist()
    return [
        (i + 1, {k: _cell(k, v) for k, v in r.items() if _cell(k, v) is not None})
        for i, r in enumerate(table)
    ]


def _read(folder: Path, stem: str, model: type[M]) -> tuple[M, ...]:
    path = _find(folder, stem)
    if path is None:
        return ()
    if path.suffix == ".yaml":
        doc = read_yaml(path, path.name)
        if doc.data is None:
            return ()
        if not isinstance(doc.data, list):
            raise doc.error((), "expected a list of entries")
        out = []
        for i, entry in enumerate(doc.data):
            try:
                out.append(model.model_validate(entry))
            except ValidationError as exc:
                err = exc.errors()[0]
                loc = (i, *err["loc"])
                raise doc.error(loc, _msg(err)) from None
        return tuple(out)
    out = []
    adapter = TypeAdapter(model)
    for line, row in _rows(path):
        try:
            out.append(adapter.validate_python(row))
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(x) for x in err["loc"]) or None
            raise ScenarioError(_msg(err), file=path.name, line=line, field=field) from None
    return tuple(out)


def _msg(err: Any) -> str:
    if err["type"] == "missing":
        return "required field is missing"
    if err["type"] == "extra_forbidden":
        return "unknown field"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{msg[0].lower()}{msg[1:]}, got {err.get('input')!r}"


def _check(
    path_name: str, i: int, field: str, value: Any, valid: set[str] | tuple[str, ...], what: str
) -> None:
    if value is not None and value not in valid:
        raise ScenarioError(
            f"unknown {what} {value!r}; valid values are: {', '.join(sorted(valid))}",
            file=path_name,
            line=None,
            field=f"[{i}].{field}",
        )


def read_offers(folder: Path, providers: set[str]) -> tuple[OfferSpec, ...]:
    """Offers of a scenario folder (none if it has no offers file)."""
    offers = _read(folder, "offers", OfferSpec)
    path = _find(folder, "offers")
    name = path.name if path else "offers.yaml"
    seen: set[str] = set()
    for i, o in enumerate(offers):
        _check(name, i, "provider", o.provider, providers, "provider")
        if o.id in seen:
            raise ScenarioError(f"duplicate offer id {o.id!r}", file=name, field=f"[{i}].id")
        seen.add(o.id)
        for key in o.capacity_by_period:
            _period(name, i, "capacity_by_period", key)
    return offers


def _period(name: str, i: int, field: str, text: str) -> Period:
    try:
        p = Period.parse(text)
    except Exception as exc:  # RequestError → located ScenarioError
        raise ScenarioError(str(exc), file=name, field=f"[{i}].{field}") from None
    if p.days > 31:
        raise ScenarioError(
            f"plans are monthly: give a month like 2026-07, got {text!r}",
            file=name,
            field=f"[{i}].{field}",
        )
    return p


def read_workloads(folder: Path, parties: set[str], meta: ScenarioMeta) -> tuple[WorkloadSpec, ...]:
    """Workloads of a scenario folder (none if it has no workloads file)."""
    workloads = _read(folder, "workloads", WorkloadSpec)
    path = _find(folder, "workloads")
    name = path.name if path else "workloads.yaml"
    seen: set[str] = set()
    for i, w in enumerate(workloads):
        if w.id in seen:
            raise ScenarioError(f"duplicate workload id {w.id!r}", file=name, field=f"[{i}].id")
        seen.add(w.id)
        _check(name, i, "owner", w.owner, parties, "party")
        _check(name, i, "codeveloped_with", w.codeveloped_with, parties, "party")
        _check(name, i, "kind", w.kind, WORKLOAD_KINDS, "workload kind")
        _check(name, i, "segment", w.segment, set(meta.segments), "segment")
        _check(name, i, "api", w.api, API_MODES, "api style")
        if w.owner is None and meta.plan is None:
            raise ScenarioError(
                "workload has no owner and scenario.yaml has no plan.party",
                file=name,
                field=f"[{i}].owner",
            )
        start = _period(name, i, "start", w.start)
        end = _period(name, i, "end", w.end)
        if end < start:
            raise ScenarioError(
                f"end {w.end} is before start {w.start}", file=name, field=f"[{i}].end"
            )
        for key in w.demand_by_period:
            _period(name, i, "demand_by_period", key)
    return workloads
