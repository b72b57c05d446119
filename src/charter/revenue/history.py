"""Earlier periods' revenue for ``charter owes --history``: a CSV of ``period,revenue`` rows,
every error naming file, line and column."""

from __future__ import annotations

import csv
from pathlib import Path

from charter.errors import CharterError, RequestError
from charter.periods import Period

__all__ = ["read_history", "revenue_amount"]


def revenue_amount(text: str, where: str) -> float:
    """A revenue a user typed: a finite amount ≥ 0, with or without ``_`` or ``,`` between
    digits (``12_000_000_000``, ``12,000,000,000``, ``12e9``).

    Raises:
        RequestError: naming ``where`` (``--revenue``, ``--revenue 2027``).
    """
    try:
        value = float(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise RequestError(f"{where}: expected an amount like 12000000000, got {text!r}") from None
    if value < 0 or value != value or value == float("inf"):
        raise RequestError(f"{where}: must be a finite amount ≥ 0, got {text!r}")
    return value


def read_history(path: Path) -> list[tuple[Period, float]]:
    """Read a CSV of ``period,revenue`` rows (header required).

    Raises:
        RequestError: unreadable file, missing columns, a bad period or amount, a duplicate or
            overlapping period; the message names file, line and column.
    """
    name = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RequestError(f"{name}: cannot read history: {exc}") from None
    reader = csv.DictReader(text.splitlines())
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "period" not in fields or "revenue" not in fields:
        raise RequestError(
            f"{name}:1: expected a header with columns period,revenue; got {','.join(fields)!r}"
        )
    rows: list[tuple[Period, float]] = []
    for line, raw in enumerate(reader, start=2):
        row = {str(k).strip().lower(): (v or "").strip() for k, v in raw.items() if k}
        try:
            period = Period.parse(row["period"])
        except CharterError as exc:
            raise RequestError(f"{name}:{line}: period: {exc}") from None
        try:
            value = float(row["revenue"].replace("_", ""))
        except ValueError:
            raise RequestError(
                f"{name}:{line}: revenue: expected a number, got {row['revenue']!r}"
            ) from None
        if value < 0 or value != value:
            raise RequestError(f"{name}:{line}: revenue: must be a number ≥ 0, got {value}")
        for other, _ in rows:
            if other.overlaps(period):
                raise RequestError(
                    f"{name}:{line}: period: {period} overlaps {other} given earlier"
                )
        rows.append((period, value))
    return rows
