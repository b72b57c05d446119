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

    Raises:
        RequestError: as :func:`read_plan`, with the same messages.
    """
    suffix = path.suffix.lower()
    if path.exists() and suffix in (".csv", ".parquet"):
        table = _arrow_table(path, suffix)
        if table is not None:
            return _table_of(path.name, table, first_line=2 if suffix == ".csv" else 1)
    return PlanTable.from_rows(read_plan(path))


def _arrow_table(path: Path, suffix: str) -> Any:
    """The file as a pyarrow table with its column names stripped and lower case, or None when
    the row-by-row reader must take it (it then says what is wrong, if anything)."""
    import pyarrow as pa

    try:
        if suffix == ".csv":
            import pyarrow.csv as pcsv

            names = _csv_header(path)
            if names is None:
                return None
            table = pcsv.read_csv(
                path,
                convert_options=pcsv.ConvertOptions(
                    column_types={n: pa.string() for n in names}, strings_can_be_null=False
                ),
            )
        else:
            import pyarrow.parquet as pq

            table = pq.read_table(path)
    except (OSError, pa.ArrowException, ValueError):
        return None
    names = [str(n).strip().lower().lstrip("\ufeff") for n in table.column_names]
    if len(set(names)) != len(names):
        return None
    return table.rename_columns(names)


def _csv_header(path: Path) -> list[str] | None:
    """The raw names of a CSV file's header, or None if the file does not start with one."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        first = f.readline()
    header = next(csv.reader([first]), None)
    if not header or any(not h for h in header):
        return None
    return header


def _table_of(name: str, table: Any, first_line: int) -> PlanTable:
    """A pyarrow table's placements as a :class:`PlanTable`, checked as :func:`read_plan`
    checks rows (the first row at fault raises, with its first fault)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    n = table.num_rows
    required = ("workload", "offer", "period", "hours")
    columns: dict[str, Any] = {}
    faults: list[tuple[np.ndarray, str]] = []  # (rows at fault, message), in checking order
    for col in required:
        if col not in table.column_names:
            columns[col] = None
            faults.append((np.ones(n, dtype=bool), f"{col}: missing"))
            continue
        c = table.column(col).combine_chunks()
        columns[col] = c
        missing = c.is_null().to_numpy(zero_copy_only=False)
        if pa.types.is_string(c.type) or pa.types.is_large_string(c.type):
            missing |= pc.fill_null(pc.equal(c, ""), False).to_numpy(zero_copy_only=False)
        faults.append((missing, f"{col}: missing"))
    hours = _hours(columns["hours"], n)
    bad_number = np.isnan(hours[0]) & ~hours[1]  # not a number at all (nan stays a number)
    faults.append((bad_number, "hours: expected a number, got {value!r}"))
    faults.append((~bad_number & ((hours[0] < 0) | hours[1]), "hours: must be ≥ 0, got {value!r}"))
    at_fault = np.zeros(n, dtype=bool)
    for rows_at_fault, _ in faults:
        at_fault |= rows_at_fault
    if at_fault.any():
        i = int(np.argmax(at_fault))
        for rows_at_fault, message in faults:
            if rows_at_fault[i]:
                value = columns["hours"][i].as_py() if columns["hours"] is not None else None
                raise RequestError(f"{name}:{i + first_line}: " + message.format(value=value))
    codes = {}
    for col in ("workload", "offer", "period"):
        c = columns[col]
        if not (pa.types.is_string(c.type) or pa.types.is_large_string(c.type)):
            c = pa.array([str(v) for v in c.to_pylist()], type=pa.string())
        codes[col] = _arrow_codes(c)
    return PlanTable(
        workload=codes["workload"][0],
        offer=codes["offer"][0],
        period=codes["period"][0],
        hours=hours[0],
        line=np.arange(first_line, first_line + n, dtype=np.int64),
        workloads=codes["workload"][1],
        offers=codes["offer"][1],
        periods=codes["period"][1],
    )


def _arrow_codes(column: Any) -> tuple[np.ndarray, tuple[str, ...]]:
    """Codes of a string column into its distinct values, in order of first appearance."""
    encoded = column.dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return codes, tuple(str(v) for v in encoded.dictionary.to_pylist())


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
