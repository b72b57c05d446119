"""Dates, event assumptions and the ``until`` specifications clauses end with.

A clause ends on a calendar date (``until: 2030-12-31``, in force through that day), on an
event (``until: {event: agi_verified}``, no longer in force from the event's date), or on the
first of several (``until: {first_of: [{event: agi_verified}, 2030-12-31]}``). Events that are
not assumed never occur.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from charter.errors import RequestError

__all__ = [
    "FOREVER",
    "EventRef",
    "FirstOf",
    "Until",
    "day_number",
    "from_day_number",
    "parse_date",
    "parse_until",
    "until_day",
    "until_events",
]

_EPOCH = dt.date(1970, 1, 1)
#: Day number standing for "never ends".
FOREVER = 10**9


def day_number(day: dt.date) -> int:
    """Days since 1970-01-01: the integer form dates take in vectorized code."""
    return (day - _EPOCH).days


def from_day_number(n: int) -> dt.date | None:
    """Inverse of :func:`day_number`; ``None`` for :data:`FOREVER`."""
    if n >= FOREVER:
        return None
    return _EPOCH + dt.timedelta(days=int(n))


def parse_date(value: Any, *, what: str = "date") -> dt.date:
    """Parse an ISO date (``2025-10-28``) or pass a ``date`` through.

    Raises:
        RequestError: the value is not a valid date, with the value quoted.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise RequestError(f"invalid {what} {value!r}: expected a date like 2025-10-28")


@dataclass(frozen=True)
class EventRef:
    """Ends on the date an event occurs (never, unless the event is assumed)."""

    event: str

    def describe(self) -> str:
        return f"event {self.event}"


@dataclass(frozen=True)
class FirstOf:
    """Ends on the earliest of several dates and events."""

    options: tuple[Until, ...]

    def describe(self) -> str:
        return "the first of " + ", ".join(_describe(o) for o in self.options)


Until: TypeAlias = dt.date | EventRef | FirstOf


def _describe(u: Until) -> str:
    if isinstance(u, dt.date):
        return u.isoformat()
    return u.describe()


_UNTIL_HINT = "expected a date like 2030-12-31, {event: NAME} or {first_of: [...]}"


def parse_until(value: Any) -> Until:
    """Parse the YAML form of an ``until`` into an :data:`Until`.

    Raises:
        ValueError: the value has none of the accepted forms (message names them).
    """
    if isinstance(value, (EventRef, FirstOf)):
        return value
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError(f"{_UNTIL_HINT}, got {value!r}") from None
    if isinstance(value, Mapping):
        keys = set(value)
        if keys == {"event"} and isinstance(value["event"], str):
            return EventRef(value["event"])
        if keys == {"first_of"} and isinstance(value["first_of"], list) and value["first_of"]:
            return FirstOf(tuple(parse_until(v) for v in value["first_of"]))
    raise ValueError(f"{_UNTIL_HINT}, got {value!r}")


def until_events(u: Until | None) -> set[str]:
    """Names of the events an ``until`` depends on."""
    if u is None or isinstance(u, dt.date):
        return set()
    if isinstance(u, EventRef):
        return {u.event}
    out: set[str] = set()
    for o in u.options:
        out |= until_events(o)
    return out


def until_day(u: Until | None, events: Mapping[str, dt.date]) -> int:
    """First day (as a day number) on which a clause ending with ``u`` is no longer in force.

    A calendar date is inclusive (in force through that day); an event ends the clause on the
    event's date. Unassumed events never occur, giving :data:`FOREVER`.
    """
    if u is None:
        return FOREVER
    if isinstance(u, dt.date):
        return day_number(u) + 1
    if isinstance(u, EventRef):
        d = events.get(u.event)
        return FOREVER if d is None else day_number(d)
    return min(until_day(o, events) for o in u.options)


def describe_until(u: Until | None) -> str:
    """Human text for an ``until``."""
    return "open-ended" if u is None else _describe(u)
