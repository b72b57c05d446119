"""Ctrl-C and the time limit during a plan: a cancellation that HiGHS's interrupt callbacks
and the strategies' stages poll, instead of a :class:`KeyboardInterrupt` through the solver,
and the deadline every solve of the plan is held to (:attr:`Cancellation.deadline`)."""

from __future__ import annotations

import contextlib
import contextvars
import math
import signal
import threading
import time
from collections.abc import Iterator
from types import FrameType
from typing import Any

__all__ = [
    "Cancellation",
    "cancel_scope",
    "cancelled",
    "current",
    "deadline",
    "finishing",
    "seconds_left",
]


class Cancellation:
    """Set by Ctrl-C; HiGHS's interrupt callbacks and the strategies' stages poll it.

    ``deadline`` (a :func:`time.perf_counter` instant, infinite unless a plan sets it) is the
    instant by which every HiGHS call inside the scope must have stopped: :mod:`.solver`
    clamps each call's time limit to it and its interrupt callbacks stop HiGHS past it.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self.deadline = math.inf

    def set(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def expired(self) -> bool:
        """Whether the scope's deadline has passed."""
        return time.perf_counter() >= self.deadline


_CANCEL: contextvars.ContextVar[Cancellation | None] = contextvars.ContextVar(
    "charter_planner_cancel", default=None
)


@contextlib.contextmanager
def cancel_scope() -> Iterator[Cancellation]:
    """The Ctrl-C scope of a plan: inside it the first SIGINT sets the cancellation (HiGHS
    stops at its next interrupt check and hands back its incumbent) and a second one raises
    :class:`KeyboardInterrupt` as usual. A scope inside another shares the outer one's
    cancellation. Off the main thread (a server's worker) no handler is installed: the
    cancellation is then only set by calling :meth:`Cancellation.set`."""
    outer = _CANCEL.get()
    if outer is not None:
        yield outer
        return
    cancel = Cancellation()
    token = _CANCEL.set(cancel)
    previous: Any = None
    installed = False
    if threading.current_thread() is threading.main_thread():

        def on_sigint(signum: int, frame: FrameType | None) -> None:
            if cancel.is_set():
                signal.signal(signal.SIGINT, signal.default_int_handler)
                raise KeyboardInterrupt
            cancel.set()

        with contextlib.suppress(ValueError):
            previous = signal.signal(signal.SIGINT, on_sigint)
            installed = True
    try:
        yield cancel
    finally:
        if installed:
            signal.signal(signal.SIGINT, previous)
        _CANCEL.reset(token)


def cancelled() -> bool:
    """Whether Ctrl-C was pressed in the current :func:`cancel_scope`."""
    cancel = _CANCEL.get()
    return cancel is not None and cancel.is_set()


def current() -> Cancellation | None:
    """The cancellation of the current :func:`cancel_scope`, if there is one."""
    return _CANCEL.get()


def deadline() -> float:
    """The current scope's deadline (infinite outside a scope or when none was set)."""
    cancel = _CANCEL.get()
    return math.inf if cancel is None else cancel.deadline


def seconds_left() -> float:
    """Seconds to the current scope's deadline (infinite when there is none)."""
    return deadline() - time.perf_counter()


@contextlib.contextmanager
def finishing(seconds: float) -> Iterator[None]:
    """After Ctrl-C, a last step that turns what was found into a plan (e.g. HiGHS with a
    relaxation's binaries fixed): it runs in a scope of its own for at most ``seconds``
    (within the plan's deadline), where a further Ctrl-C stops it as the first stopped the
    plan. Without Ctrl-C the body runs in the current scope unchanged."""
    outer = _CANCEL.get()
    if outer is None or not outer.is_set():
        yield
        return
    token = _CANCEL.set(None)
    try:
        with cancel_scope() as inner:
            inner.deadline = min(outer.deadline, time.perf_counter() + seconds)
            yield
    finally:
        _CANCEL.reset(token)
