"""How ``charter serve`` bounds slow and numerous clients: uvicorn with a bounded protocol.

uvicorn (0.54, h11) closes a keep-alive connection idle for ``timeout_keep_alive`` after a
response, and nothing else: no deadline runs while a request's headers or body arrive (nor
before the first request), so a client sending a byte every few seconds holds its connection
and a file descriptor for ever. ``limit_concurrency`` only answers 503 to a request whose
headers are complete, after the connection was accepted and kept, and logs a warning for
each. When descriptors run out, asyncio's accept loop logs a traceback and retries a second
later, while the application's own files fail with "Too many open files".

Rather than a new server, :class:`charter.service.protocol.BoundedH11Protocol` adds what is
missing to uvicorn's h11 protocol (uvicorn takes a protocol class as ``http=``), in one small
class:

* a header deadline: a request's headers complete within ``header_timeout`` seconds of the
  connection opening or the previous response ending (else 408 and close);
* a body read deadline: while a request body is read, at most ``body_timeout`` seconds pass
  without a byte (else 408, or a close once the answer has started); time the application
  spends not reading is not counted;
* a connection cap: past ``max_connections``, a new connection displaces the one that has
  waited longest for a request's headers (a slow client, or an idle keep-alive one), and is
  itself answered 503 and closed at once when every connection is busy with a request;
* one warning at most every 10 s summing what it closed, and :class:`ThrottledLog` on
  uvicorn's and asyncio's loggers, so no client can flood the log.

:func:`raise_open_file_limit` lifts the soft open-file limit to the hard one and
:func:`connection_cap` keeps the cap well below it, so that accept never meets EMFILE.

Granian 2.8 (Rust, hyper) has a header read timeout and a cap on requests in flight
(backpressure), but, by its documented options, no body read timeout and no cap on
connections as such; it binds its own socket from an address and runs the application from
an import path in worker processes (its in-process embedding is experimental), while charter
builds its app in the ``serve`` command from its settings and binds the socket first so that
the port is free again on any error. Hypercorn's read timeout restarts with every read (a
trickle passes it) and it has no connection cap. Either would replace the whole server and
add a dependency for part of the job; this is one class on the server charter already runs.
"""

from __future__ import annotations

import logging
import resource
import time
from dataclasses import dataclass

__all__ = [
    "LOG_EVERY_SECONDS",
    "Limits",
    "ThrottledLog",
    "connection_cap",
    "raise_open_file_limit",
    "throttle_server_logs",
]

#: at most one log record per this many seconds for each kind of message
LOG_EVERY_SECONDS = 10.0
#: open files kept free for the database, logs and the rest: at least this many, or a quarter
RESERVED_FILES = 256


@dataclass(frozen=True)
class Limits:
    """What ``charter serve`` allows a client.

    Attributes:
        header_timeout: seconds for a request's headers to arrive, from the connection's
            opening or the previous response's end.
        body_timeout: seconds a request body may go without a byte while it is read.
        max_connections: connections open at once (beyond: the longest waiting for headers
            is displaced, else the new one is refused with a 503).
    """

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_connections: int = 1000


def raise_open_file_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit (or as far as the
    system lets it); the soft limit now in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft == resource.RLIM_INFINITY or soft >= target:
        return soft if soft != resource.RLIM_INFINITY else 1 << 20
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    except (ValueError, OSError):  # e.g. macOS caps it below an unlimited hard limit
        return soft
    return target


def connection_cap(wanted: int, open_files: int) -> int:
    """``wanted``, or fewer so that the connections leave room for everything else the
    process opens (:data:`RESERVED_FILES` or a quarter of ``open_files``, the more)."""
    room = open_files - max(RESERVED_FILES, open_files // 4)
    return max(1, min(wanted, room))


class ThrottledLog(logging.Filter):
    """A filter letting through at most one record per :data:`LOG_EVERY_SECONDS` for each
    message (by its first line); the next one let through says how many were dropped."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: dict[str, tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = f"{record.name}:{str(record.msg).split(chr(10), 1)[0][:200]}"
        now = time.monotonic()
        last, dropped = self.seen.get(key, (float("-inf"), 0))
        if now - last < LOG_EVERY_SECONDS:
            self.seen[key] = (last, dropped + 1)
            return False
        if len(self.seen) > 1000:  # bounded, whatever the messages
            self.seen.clear()
        self.seen[key] = (now, 0)
        if dropped:
            record.msg = f"{record.getMessage()} ({dropped} more like it not logged)"
            record.args = None
        return True


def throttle_server_logs() -> None:
    """Throttle the loggers a client can make write: uvicorn's (invalid requests, errors
    of the application) and asyncio's (accept failures, with their tracebacks)."""
    for name in ("uvicorn.error", "asyncio"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, ThrottledLog) for f in logger.filters):
            logger.addFilter(ThrottledLog())
