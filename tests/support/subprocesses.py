"""What the tests that start ``charter`` as a process share."""

from __future__ import annotations

import signal


def ctrl_c_as_at_a_terminal() -> None:
    """A ``preexec_fn``: in the child before it starts, SIGINT at its default, as at a
    terminal. A test run started in the background without job control hands SIGINT down
    ignored, and Python then leaves it ignored (as it should for ``nohup charter ... &``)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
