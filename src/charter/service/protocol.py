"""uvicorn's h11 protocol with the deadlines and the cap of :class:`~.limits.Limits` (why
this rather than another server: :mod:`charter.service.limits`)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from typing import Any, ClassVar

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from charter.service.limits import LOG_EVERY_SECONDS, Limits

__all__ = ["BoundedH11Protocol", "bounded_protocol"]

log = logging.getLogger("charter.service")


class _Tally:
    """Counts of closed connections by reason, logged as one warning at most every
    :data:`LOG_EVERY_SECONDS` (a count is never lost: a pending one is logged when due)."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.counts: Counter[str] = Counter()
        self.last = float("-inf")
        self.pending: asyncio.TimerHandle | None = None

    def add(self, reason: str, loop: asyncio.AbstractEventLoop) -> None:
        self.counts[reason] += 1
        wait = self.last + LOG_EVERY_SECONDS - time.monotonic()
        if wait <= 0:
            self.flush()
        elif self.pending is None:
            self.pending = loop.call_later(wait, self.flush)

    def flush(self) -> None:
        self.pending = None
        if not self.counts:
            return
        self.last = time.monotonic()
        parts = [f"{n} {reason}" for reason, n in sorted(self.counts.items())]
        self.counts.clear()
        log.warning(
            "slow or surplus clients: closed %s (at most %d connections at once)",
            ", ".join(parts),
            self.cap,
        )


_TIMEOUT = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
_BUSY = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nretry-after: 1\r\n"
    b"connection: close\r\n\r\n"
)


class BoundedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header deadline, a body read deadline and a connection
    cap (see the module's docstring); :func:`bounded_protocol` makes one for some
    :class:`Limits`."""

    limits: ClassVar[Limits] = Limits()
    #: connections waiting for a request's headers, the longest-waiting first
    waiting: ClassVar[dict[BoundedH11Protocol, None]] = {}
    tally: ClassVar[_Tally] = _Tally(Limits.max_connections)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None

    # ------------------------------------------------------------------ asyncio's calls
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        if len(self.connections) > self.limits.max_connections and not self._displace():
            self._close(_BUSY, "refused at the cap")
            return
        self._follow()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self._follow()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_following()
        super().connection_lost(exc)

    # ------------------------------------------------------------------ the deadlines
    def _follow(self) -> None:
        """Arm the deadline that fits where the request is: its headers, its body, none."""
        if self.transport.is_closing():
            self._stop_following()
            return
        state = self.conn.their_state
        if state is h11.IDLE:
            if self not in self.waiting:  # a new wait for a request's headers
                self.waiting[self] = None
                self._arm(self.limits.header_timeout, self._headers_late)
        else:
            self.waiting.pop(self, None)
            if state is h11.SEND_BODY:  # re-armed by every read: an idle deadline
                self._arm(self.limits.body_timeout, self._body_idle)
            else:
                self._disarm()

    def _stop_following(self) -> None:
        self.waiting.pop(self, None)
        self._disarm()

    def _arm(self, seconds: float, then: Any) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, then)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _headers_late(self) -> None:
        self._deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            started = bool(self.conn.trailing_data[0])  # silent: an idle keep-alive one
            self._close(_TIMEOUT if started else b"", "slow headers" if started else "idle")

    def _body_idle(self) -> None:
        self._deadline = None
        if self.conn.their_state is not h11.SEND_BODY or self.transport.is_closing():
            return
        if self.flow.read_paused:  # the application is not reading: not the client's fault
            self._arm(self.limits.body_timeout, self._body_idle)
            return
        answered = self.cycle is not None and self.cycle.response_started
        self._close(b"" if answered else _TIMEOUT, "slow body")

    # ------------------------------------------------------------------ the cap
    def _displace(self) -> bool:
        """Close the connection that has waited longest for a request's headers, if any."""
        for other in self.waiting:
            if not other.transport.is_closing():  # a closing one frees its place anyway
                started = bool(other.conn.trailing_data[0])  # an idle one is just closed
                other._close(_BUSY if started else b"", "displaced at the cap")
                return True
        return False

    def _close(self, answer: bytes, reason: str) -> None:
        self._stop_following()
        if reason != "idle":
            self.tally.add(reason, self.loop)
        if answer:
            self.transport.write(answer)
        self.transport.close()


def bounded_protocol(limits: Limits) -> type[BoundedH11Protocol]:
    """A :class:`BoundedH11Protocol` class for ``limits``, with its own list of waiting
    connections (pass it to uvicorn as ``http=``)."""

    class Bounded(BoundedH11Protocol):
        pass

    Bounded.limits = limits
    Bounded.waiting = {}
    Bounded.tally = _Tally(limits.max_connections)
    return Bounded
