"""The server's clock: real time, shifted to run "as of" a past date, or set by tests."""

from __future__ import annotations

import datetime as dt
import time

__all__ = ["Clock", "ManualClock"]


class Clock:
    """UTC now; with ``as_of`` the clock starts at that date and runs at real speed."""

    def __init__(self, as_of: dt.date | None = None) -> None:
        self._offset = 0.0
        if as_of is not None:
            start = dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC)
            self._offset = start.timestamp() - time.time()

    def now(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(time.time() + self._offset, tz=dt.UTC)


class ManualClock(Clock):
    """A clock tests move by hand."""

    def __init__(self, at: dt.datetime) -> None:
        super().__init__()
        self.at = at if at.tzinfo else at.replace(tzinfo=dt.UTC)

    def now(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)
