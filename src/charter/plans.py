"""Plan files: placements as CSV, JSON or Parquet, written by ``charter plan --out`` and read
by ``charter check`` (which also reads a user's CSV of actual placements).

Columns: ``workload, offer, period, hours`` (required when reading) and ``provider, family,
cost`` (written for convenience).

:func:`read_plan` gives one :class:`PlanRow` per placement; :func:`read_plan_table` gives the
same placements as columns (a :class:`PlanTable`: codes into name lists, and the hours), for
plans of millions of rows: CSV and Parquet are parsed by pyarrow, and a file the fast path
cannot take as it stands (ragged rows, repeated column names, text that is not UTF-8) is read
row by row as :func:`read_plan` reads it, with the same error messages.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from charter.errors import RequestError

__all__ = ["PlanRow", "PlanTable", "plan_format", "read_plan", "read_plan_table", "write_plan"]

COLUMNS = ("workload", "offer", "provider", "family", "period", "hours", "cost")


@dataclass(frozen=True)
class PlanRow:
    workload: str
    offer: str
    period: str
    hours: float
    line: int = 0


@dataclass(frozen=True)
class PlanTable:
    """Placements as columns: row ``i`` places ``hours[i]`` accelerator-hours of workload
    ``workloads[workload[i]]`` on offer ``offers[offer[i]]`` in month ``periods[period[i]]``,
    read from line ``line[i]`` of its file. The name lists hold each distinct name once, in
    order of first appearance."""

    workload: np.ndarray  # int64 codes into workloads
    offer: np.ndarray  # int64 codes into offers
    period: np.ndarray  # int64 codes into periods
    hours: np.ndarray  # float64
    line: np.ndarray  # int64
    workloads: tuple[str, ...]
    offers: tuple[str, ...]
    periods: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.hours)

    @classmethod
    def from_rows(cls, rows: list[PlanRow]) -> PlanTable:
        """The columns of a list of rows."""
        w, wn = _codes([r.workload for r in rows])
        o, on = _codes([r.offer for r in rows])
        p, pn = _codes([r.period for r in rows])
        hours = np.fromiter((r.hours for r in rows), dtype=np.float64, count=len(rows))
        line = np.fromiter((r.line for r in rows), dtype=np.int64, count=len(rows))
        return cls(w, o, p, hours, line, wn, on, pn)

    def rows(self) -> list[PlanRow]:
        """One :class:`PlanRow` per placement (for small plans)."""
        return [
            PlanRow(self.workloads[w], self.offers[o], self.periods[p], float(h), int(n))
            for w, o, p, h, n in zip(
                self.workload.tolist(),
                self.offer.tolist(),
                self.period.tolist(),
                self.hours.tolist(),
                self.line.tolist(),
                strict=True,
            )
        ]


def _codes(names: list[str]) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes of names into the distinct names, in order of first appearance."""
    index: dict[str, int] = {}
    codes = np.fromiter(
        (index.setdefault(n, len(index)) for n in names), dtype=np.int64, count=len(names)
    )
    return codes, tuple(index)


#: the file formats a plan is written in, by suffix
FORMATS = (".csv", ".json", ".parquet")


def plan_format(path: Path) -> str:
    """The format a plan is written in at ``path``: its suffix, lower case.

    Raises:
        RequestError: not a .csv, .json or .parquet file name (``charter plan --out`` calls
            this before it plans, so that a bad name fails before a long solve).
    """
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise RequestError(f"--out {path.name}: use a .csv, .json or .parquet file name")
    return suffix


def write_plan(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write placements; the format follows the suffix (.csv, .json, .parquet).

    Raises:
        RequestError: another suffix (:func:`plan_format`).
    """
    suffix = plan_format(path)
    if suffix == ".csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
        path.write_text(buf.getvalue(), encoding="utf-8")
    elif suffix == ".json":
        path.write_text(json.dumps({"placements": rows}, indent=1), encoding="utf-8")
    elif suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = {c: [r[c] for r in rows] for c in COLUMNS}
        pq.write_table(pa.table(columns), path)


def read_plan(path: Path) -> list[PlanRow]:
    """Read placements from CSV, JSON (a list, or {"placements": [...]}) or Parquet.

    Raises:
        RequestError: unreadable file, missing column, bad hours; naming file and line.
    """
    name = path.name
    suffix = path.suffix.lower()
    if not path.exists():
        raise RequestError(f"{name}: no such file")
    records: list[tuple[int, dict[str, Any]]]
    try:
        if suffix == ".csv":
            reader = csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines())
            records = [
                (i, {str(k).strip().lower(): v for k, v in r.items() if k})
                for i, r in enumerate(reader, start=2)
            ]
        elif suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict):
                data = data.get("placements", [])
            if not isinstance(data, list):
                raise RequestError(f"{name}: expected a list of placements")
            records = [(i + 1, dict(r)) for i, r in enumerate(data)]
        elif suffix == ".parquet":
            import pyarrow.parquet as pq

            records = [(i + 1, r) for i, r in enumerate(pq.read_table(path).to_pylist())]
        else:
            raise RequestError(f"{name}: plans are .csv, .json or .parquet files")
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RequestError(f"{name}: cannot read plan: {exc}") from None
    rows = []
    for line, r in records:
        for col in ("workload", "offer", "period", "hours"):
            if r.get(col) in (None, ""):
                raise RequestError(f"{name}:{line}: {col}: missing")
        try:
            hours = float(r["hours"])
        except (TypeError, ValueError):
            raise RequestError(
                f"{name}:{line}: hours: expected a number, got {r['hours']!r}"
            ) from None
        if hours < 0 or hours != hours:
            raise RequestError(f"{name}:{line}: hours: must be ≥ 0, got {r['hours']!r}")
        rows.append(PlanRow(str(r["workload"]), str(r["offer"]), str(r["period"]), hours, line))
    return rows


def read_plan_table(path: Path) -> PlanTable:
    """Read placements as columns (:class:`PlanTable`), as :func:`read_plan` reads them.

    CSV and Parquet files are read a block at a time (a few tens of MB of text at once, the
    names turned into codes block by block), so that a plan of millions of rows never sits in
    memory as text.

    Raises:
        RequestError: as :func:`read_plan`, with the same messages.
    """
    suffix = path.suffix.lower()
    if path.exists() and suffix in (".csv", ".parquet"):
        table = _read_columns(path, suffix)
        if table is not None:
            return table
    return PlanTable.from_rows(read_plan(path))


REQUIRED = ("workload", "offer", "period", "hours")


def _batches(path: Path, suffix: str) -> Any:
    """The file's record batches, or None when the row-by-row reader must take it."""
    import pyarrow as pa

    if suffix == ".csv":
        import pyarrow.csv as pcsv

        names = _csv_header(path)
        if names is None:
            return None
        return pcsv.open_csv(
            path,
            read_options=pcsv.ReadOptions(block_size=1 << 25),
            convert_options=pcsv.ConvertOptions(
                column_types={n: pa.string() for n in names}, strings_can_be_null=False
            ),
        )
    import pyarrow.parquet as pq

    return pq.ParquetFile(path).iter_batches(batch_size=1 << 20)


def _read_columns(path: Path, suffix: str) -> PlanTable | None:
    """The placements of a CSV or Parquet file, or None when the row-by-row reader must take
    the file as it stands (it then says what is wrong, if anything). A row at fault raises
    only once the whole file is read, as :func:`read_plan` reads it all first."""
    import pyarrow as pa

    first_line = 2 if suffix == ".csv" else 1
    index: dict[str, dict[str, int]] = {c: {} for c in ("workload", "offer", "period")}
    parts: dict[str, list[np.ndarray]] = {c: [] for c in REQUIRED}
    fault: str | None = None
    offset = 0
    try:
        batches = _batches(path, suffix)
        if batches is None:
            return None
        for batch in batches:
            if not batch.num_rows:
                continue
            names = [str(n).strip().lower().lstrip("\ufeff") for n in batch.schema.names]
            if len(set(names)) != len(names):
                return None
            batch = batch.rename_columns(names)
            if fault is None:
                fault = _fault(batch, offset + first_line)
            if fault is None:
                for col, seen in index.items():
                    parts[col].append(_coded(batch.column(col), seen))
                parts["hours"].append(_hours(batch.column("hours"), batch.num_rows)[0])
            offset += batch.num_rows
    except (OSError, pa.ArrowException, ValueError):
        return None
    if fault is not None:
        raise RequestError(f"{path.name}:{fault}")

    def joined(col: str, dtype: Any) -> np.ndarray:
        return np.concatenate(parts[col]) if parts[col] else np.zeros(0, dtype)

    return PlanTable(
        workload=joined("workload", np.int64),
        offer=joined("offer", np.int64),
        period=joined("period", np.int64),
        hours=joined("hours", np.float64),
        line=np.arange(first_line, first_line + offset, dtype=np.int64),
        workloads=tuple(index["workload"]),
        offers=tuple(index["offer"]),
        periods=tuple(index["period"]),
    )


def _csv_header(path: Path) -> list[str] | None:
    """The raw names of a CSV file's header, or None if the file does not start with one."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        first = f.readline()
    header = next(csv.reader([first]), None)
    if not header or any(not h for h in header):
        return None
    return header


def _is_text(column: Any) -> bool:
    import pyarrow as pa

    return bool(pa.types.is_string(column.type) or pa.types.is_large_string(column.type))


def _fault(batch: Any, first_line: int) -> str | None:
    """``line: field: what`` for the batch's first row at fault, as :func:`read_plan` checks a
    row (a missing field, in column order; hours not a number; hours below 0 or nan)."""
    import pyarrow.compute as pc

    n = batch.num_rows
    faults: list[tuple[np.ndarray, str]] = []
    for col in REQUIRED:
        if col not in batch.schema.names:
            faults.append((np.ones(n, dtype=bool), f"{col}: missing"))
            continue
        c = batch.column(col)
        missing = c.is_null().to_numpy(zero_copy_only=False)
        if _is_text(c):
            missing = missing | pc.fill_null(pc.equal(c, ""), False).to_numpy(zero_copy_only=False)
        faults.append((missing, f"{col}: missing"))
    has_hours = "hours" in batch.schema.names
    hours, is_nan = _hours(batch.column("hours") if has_hours else None, n)
    not_number = np.isnan(hours) & ~is_nan
    faults.append((not_number, "hours: expected a number, got {value!r}"))
    faults.append((~not_number & ((hours < 0) | is_nan), "hours: must be ≥ 0, got {value!r}"))
    at_fault = np.zeros(n, dtype=bool)
    for rows, _ in faults:
        at_fault |= rows
    if not at_fault.any():
        return None
    i = int(np.argmax(at_fault))
    message = next(m for rows, m in faults if rows[i])
    value = batch.column("hours")[i].as_py() if has_hours else None
    return f"{i + first_line}: " + message.format(value=value)


def _coded(column: Any, seen: dict[str, int]) -> np.ndarray:
    """Codes of a column's values into ``seen`` (names to codes, in order of first appearance,
    grown with the names new in this column)."""
    import pyarrow as pa

    if not _is_text(column):
        column = pa.array([str(v) for v in column.to_pylist()], type=pa.string())
    encoded = column.dictionary_encode()
    local = np.array(
        [seen.setdefault(str(v), len(seen)) for v in encoded.dictionary.to_pylist()],
        dtype=np.int64,
    )
    codes: np.ndarray = local[encoded.indices.to_numpy(zero_copy_only=False)]
    return codes


def _hours(column: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The hours as floats (nan where a value is not a number) and where a value is nan
    itself (which :func:`read_plan` takes as a number, and refuses as not ≥ 0)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if column is None:
        return np.full(n, np.nan), np.zeros(n, dtype=bool)
    try:
        values = pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False)
        values = values.astype(np.float64, copy=True)
        return values, np.isnan(values)
    except (pa.ArrowException, ValueError, TypeError):
        pass
    out = np.empty(n, dtype=np.float64)
    is_nan = np.zeros(n, dtype=bool)
    for i, v in enumerate(column.to_pylist()):
        try:
            out[i] = float(v)
        except (TypeError, ValueError):
            out[i] = np.nan
            continue
        is_nan[i] = out[i] != out[i]
    return out, is_nan
