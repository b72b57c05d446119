"""Plan files: placements as CSV, JSON or Parquet, written by ``charter plan --out`` and read
by ``charter check`` (which also reads a user's CSV of actual placements).

Columns: ``workload, offer, period, hours`` (required when reading) and ``provider, family,
cost`` (written for convenience).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from charter.errors import RequestError

__all__ = ["PlanRow", "plan_format", "read_plan", "write_plan"]

COLUMNS = ("workload", "offer", "provider", "family", "period", "hours", "cost")


@dataclass(frozen=True)
class PlanRow:
    workload: str
    offer: str
    period: str
    hours: float
    line: int = 0


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
