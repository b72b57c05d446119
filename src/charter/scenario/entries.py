"""Portfolio files read into validated entries, every error located: a YAML list of entries,
a CSV file (header row; list fields separated by ``;``, per-month maps as
``2026-01=1000;2026-02=1200``) or a Parquet file (needs pyarrow; list columns may be real
lists). :class:`Source` says where the entries came from, to locate later errors in them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from charter.errors import ScenarioError
from charter.scenario.messages import quoted, unknown_column
from charter.scenario.yamlio import Located, PathKey, format_path, read_yaml

__all__ = ["Source", "read_entries"]

M = TypeVar("M", bound=BaseModel)

_LISTS = {"families", "regions", "compliance"}
_MAPS = {"capacity_by_period", "demand_by_period"}


@dataclass(frozen=True)
class Source:
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


def _columns(src: Source, header: list[str], model: type[BaseModel]) -> None:
    """Every column a field of ``model``, none twice, every required one present."""
    fields = list(model.model_fields)
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise src.error(None, (name,), f"column {name!r} is given twice")
        seen.add(name)
        if name not in fields:
            raise src.error(None, (name,), unknown_column(name, fields, "column"))
    missing = [n for n, f in model.model_fields.items() if f.is_required() and n not in seen]
    if missing:
        are = "columns {} are" if len(missing) > 1 else "column {} is"
        raise src.error(None, (), f"required {are.format(quoted(missing, 'and'))} missing")


def _csv_rows(path: Path, model: type[BaseModel]) -> tuple[Source, list[dict[str, Any]]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read file: {exc}", file=path.name) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[dict[str, Any]] = []
    lines: list[int] = []
    src = Source(path.name, lines=())
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
    return Source(path.name, lines=tuple(lines)), rows


def _parquet_rows(path: Path, model: type[BaseModel]) -> tuple[Source, list[dict[str, Any]]]:
    import pyarrow.parquet as pq

    src = Source(path.name)
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


def read_entries(folder: Path, stem: str, model: type[M]) -> tuple[tuple[M, ...], Source]:
    """The entries of ``folder``'s ``stem`` file (``.yaml``, ``.csv`` or ``.parquet``; none
    without one), each validated as ``model``, and where they came from."""
    path = _find(folder, stem)
    if path is None:
        return (), Source(f"{stem}.yaml")
    fields = list(model.model_fields)
    if path.suffix == ".yaml":
        doc = read_yaml(path, path.name)
        src = Source(path.name, doc=doc)
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
                message = unknown_column(loc[-1], fields, word)
            else:
                message = _msg(err)
            raise src.error(i, loc, message) from None
    return tuple(out), src


def _msg(err: Any) -> str:
    if err["type"] == "missing":
        return "required field is missing"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{msg[0].lower()}{msg[1:]}, got {err.get('input')!r}"
