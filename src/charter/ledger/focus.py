"""Reading a FinOps FOCUS cost-and-usage CSV (versions 1.0 to 1.3) into spend records.

Columns read: BilledCost, ChargePeriodStart and ChargePeriodEnd; the provider from
ServiceProviderName (1.3) or ProviderName (up to 1.2, deprecated in 1.3); EffectiveCost,
BillingCurrency and ContractApplied (1.3) when present. Every other column is ignored.

ChargePeriodEnd is an exclusive bound: a record's ``period_end`` is the last day the charge
covers (the day before an end at midnight). A period that ends when it starts, or before, is
refused. Dates are read as written: ``2025-01-01``, or a date and time with ``Z`` or an offset
(``2025-01-01T00:00:00Z``); the day is the one the value names.

A bad file is refused whole; the errors name the line and column of the first
:data:`MAX_ERRORS` bad rows and count the rest (:class:`BadRows`).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter, ValidationError

from charter.ledger.store import InvalidRequest
from charter.model import name_key
from charter.money import Currency, Rate
from charter.scenario import Scenario
from charter.service.schemas import SpendCreate

__all__ = ["FOCUS_COLUMNS", "MAX_ERRORS", "PROVIDER_COLUMNS", "BadRows", "parse_rates", "read"]

#: the columns every FOCUS file has (with one of :data:`PROVIDER_COLUMNS`)
FOCUS_COLUMNS = ("BilledCost", "ChargePeriodStart", "ChargePeriodEnd")
#: the provider's column: FOCUS 1.3's name first, then the one it replaces
PROVIDER_COLUMNS = ("ServiceProviderName", "ProviderName")
#: how many bad rows a refusal names (the others are counted)
MAX_ERRORS = 20

_AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DATETIME = re.compile(
    r"(?P<day>[0-9]{4}-[0-9]{2}-[0-9]{2})T(?P<hm>[0-9]{2}:[0-9]{2})"
    r"(?P<s>:[0-9]{2})?(?P<frac>\.[0-9]+)?(?P<zone>Z|[+-][0-9]{2}:[0-9]{2})"
)
_RATE = re.compile(r"\s*([A-Za-z]{3})\s*=\s*([0-9]+(\.[0-9]+)?)\s*")
_CURRENCY: TypeAdapter[str] = TypeAdapter(Currency)
_RATE_VALUE: TypeAdapter[Decimal] = TypeAdapter(Rate)


class BadCell(ValueError):
    """A cell that cannot be read, with its column."""

    def __init__(self, column: str | None, message: str) -> None:
        super().__init__(message)
        self.column = column


class BadRows:
    """The errors of a file: the first :data:`MAX_ERRORS` bad rows by line named, all counted."""

    def __init__(self) -> None:
        self._found: list[tuple[int, dict[str, Any]]] = []

    def add(self, line: int, column: str | None, message: str) -> None:
        loc = ["body", f"line {line}", *([column] if column else [])]
        self._found.append((line, {"loc": loc, "msg": message, "type": "value_error"}))

    def check(self) -> None:
        """Raises: InvalidRequest, when a row was bad."""
        if not self._found:
            return
        found = sorted(self._found, key=lambda f: f[0])
        items = [item for _, item in found[:MAX_ERRORS]]
        if len(found) > MAX_ERRORS:
            more = len(found) - MAX_ERRORS
            items.append(
                {"loc": ["body"], "msg": f"... and {more:,} more bad rows", "type": "value_error"}
            )
        raise InvalidRequest.of(items)


def parse_rates(texts: list[str], loc: list[str]) -> dict[str, Decimal]:
    """``EUR=1.08`` items (1 unit of the currency in a commitment's currency) by currency.

    Raises:
        InvalidRequest: an item is not ``CODE=RATE``, or names a currency twice.
    """
    rates: dict[str, Decimal] = {}
    for text in texts:
        m = _RATE.fullmatch(text)
        try:
            if m is None:
                raise ValueError("expected CODE=RATE, like EUR=1.08")
            code = _CURRENCY.validate_python(m.group(1))
            rate = _RATE_VALUE.validate_python(Decimal(m.group(2)))
        except (ValueError, ValidationError) as exc:
            raise InvalidRequest(f"rate {text!r}: {_first_line(exc)}", loc) from None
        if code in rates:
            raise InvalidRequest(f"rate {text!r}: a second rate for {code}", loc)
        rates[code] = rate
    return rates


def read(
    text: str, scenario: Scenario, rates: dict[str, Decimal], bad: BadRows
) -> list[tuple[int, SpendCreate]]:
    """FOCUS rows → spend records, each with its line; the bad rows go to ``bad``. ``rates``
    give the records in those currencies their ``rate_to_commitment``.

    Raises:
        InvalidRequest: the file is no CSV, or its header is bad.
    """
    try:
        records = list(_records(text))
    except csv.Error as exc:
        raise InvalidRequest(f"not a readable CSV file: {exc}", ["body"]) from None
    if not records:
        raise InvalidRequest("the file is empty: expected a FOCUS header", ["body", "line 1"])
    header = _header(*records[0])
    rows: list[tuple[int, SpendCreate]] = []
    for line, cells in records[1:]:
        try:
            row = _row(dict(zip(header, _same_width(cells, header), strict=True)), scenario)
        except BadCell as exc:
            bad.add(line, exc.column, str(exc))
        else:
            rows.append((line, _rated(row, rates)))
    return rows


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """The CSV records that are not blank lines, each with the line it starts on."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    for cells in reader:
        if cells:
            yield start, cells
        start = reader.line_num + 1


def _header(line: int, names: list[str]) -> list[str]:
    at = ["body", f"line {line}"]
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InvalidRequest(f"the column {name!r} appears twice", [*at, name])
        seen.add(name)
    missing = [c for c in FOCUS_COLUMNS if c not in seen]
    if not any(c in seen for c in PROVIDER_COLUMNS):
        missing.append(" or ".join(PROVIDER_COLUMNS))
    if missing:
        raise InvalidRequest(f"missing FOCUS columns: {', '.join(missing)}", at)
    return names


def _same_width(cells: list[str], header: list[str]) -> list[str]:
    if len(cells) != len(header):
        raise BadCell(None, f"the row has {len(cells)} cells, the header {len(header)}")
    return cells


def _row(r: dict[str, str], scenario: Scenario) -> SpendCreate:
    start = _instant(r, "ChargePeriodStart")
    end = _instant(r, "ChargePeriodEnd")
    if end <= start:
        raise BadCell(
            "ChargePeriodEnd",
            f"{r['ChargePeriodEnd'].strip()!r} is not after ChargePeriodStart: the charge period "
            "is empty (ChargePeriodEnd is exclusive)",
        )
    last = (end - dt.timedelta(microseconds=1)).date()
    if last < start.date():
        raise BadCell("ChargePeriodEnd", "the charge period ends on a day before it starts")
    effective = (r.get("EffectiveCost") or "").strip()
    fields = {
        "provider": _provider(r, scenario),
        "billed_cost": _amount(r, "BilledCost"),
        "effective_cost": _amount(r, "EffectiveCost") if effective else None,
        "currency": _currency(r),
        "period_start": start.date(),
        "period_end": last,
        "contract_applied": _contract_applied(r),
    }
    try:
        return SpendCreate.model_validate(fields)
    except ValidationError as exc:
        err = exc.errors()[0]
        column = _COLUMN_OF.get(str(err["loc"][0]) if err["loc"] else "")
        raise BadCell(column, str(err["msg"])) from None


_COLUMN_OF = {
    "billed_cost": "BilledCost",
    "effective_cost": "EffectiveCost",
    "currency": "BillingCurrency",
    "period_start": "ChargePeriodStart",
    "period_end": "ChargePeriodEnd",
    "contract_applied": "ContractApplied",
}


def _provider(r: dict[str, str], scenario: Scenario) -> str:
    column = next(c for c in PROVIDER_COLUMNS if c in r)
    given = r[column]
    provider = scenario.provider_named.get(name_key(given))
    if provider is not None:
        return provider
    accepted = "; ".join(
        f"{p.id}: {', '.join(dict.fromkeys((p.id, p.name, *p.focus_names)))}"
        for p in scenario.providers.values()
    )
    raise BadCell(column, f"unknown provider {given!r}; accepted (any case): {accepted}")


def _amount(r: dict[str, str], column: str) -> Decimal:
    """A cost cell as an exact decimal (``1_000``, ``1e3``, ``+1`` or ``NaN`` refused)."""
    text = r[column].strip()
    if not _AMOUNT.fullmatch(text):
        raise BadCell(column, f"not a decimal amount: {r[column]!r}")
    return Decimal(text)


def _currency(r: dict[str, str]) -> str:
    if "BillingCurrency" not in r:
        return "USD"
    try:
        return _CURRENCY.validate_python(r["BillingCurrency"])
    except ValidationError as exc:
        raise BadCell("BillingCurrency", _first_line(exc)) from None


def _instant(r: dict[str, str], column: str) -> dt.datetime:
    """A FOCUS date or date and time; a date alone is its midnight (UTC)."""
    text = r[column].strip()
    try:
        if _DATE.fullmatch(text):
            return dt.datetime.fromisoformat(f"{text}T00:00:00+00:00")
        m = _DATETIME.fullmatch(text)
        if m is None:
            raise ValueError
        frac = (m["frac"] or "")[:7]  # the day is what counts: microseconds at most
        zone = "+00:00" if m["zone"] == "Z" else m["zone"]
        moment = dt.datetime.fromisoformat(f"{m['day']}T{m['hm']}{m['s'] or ''}{frac}{zone}")
    except ValueError:
        raise BadCell(
            column, f"not a date or a date and time like 2025-01-01T00:00:00Z: {r[column]!r}"
        ) from None
    return moment  # its day: the one it names, in its own zone


def _contract_applied(r: dict[str, str]) -> Any:
    text = (r.get("ContractApplied") or "").strip()
    if not text:
        return None
    try:
        value = json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        raise BadCell("ContractApplied", f"not JSON: {text[:80]!r}") from None
    if not isinstance(value, dict | list):
        raise BadCell("ContractApplied", "expected a JSON object or a list of objects")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _rated(row: SpendCreate, rates: dict[str, Decimal]) -> SpendCreate:
    rate = rates.get(row.currency)
    return row if rate is None else row.model_copy(update={"rate_to_commitment": rate})


def _first_line(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return str(exc.errors()[0]["msg"])
    return str(exc).splitlines()[0]
