"""The ``charter`` command line (Typer). Colour and layout live in this package and nowhere
else.

Every command that answers a question takes ``--json`` and prints a stable document
(README, "JSON output"). The package owns the Typer ``app``, the registration of the command
modules and the CLI's one error boundary; the commands live by theme:

=====================  ================================================================
``cli/common.py``      consoles, the folding ``Table``, shared options, loading, JSON, money
``cli/scenarios.py``   ``scenarios``, ``init``, ``validate``, ``schema``, ``brief``
``cli/questions.py``   ``timeline``, ``decide``, ``owes``
``cli/plan.py``        ``plan``, ``check``
``cli/diff.py``        ``diff``
``cli/report.py``      ``report``
``cli/operate.py``     ``db``, ``token``, ``serve``
``cli/remote.py``      reaching the service: a server (``--url``) or the database (``--as``)
``cli/rofr.py``        ``rofr`` (through a server or as a party)
``cli/records.py``     ``ledger``, ``spend`` (through a server or as a party)
=====================  ================================================================

The error boundary: a command raises, it never prints an error itself (but ``validate
--json``, whose error is a JSON document). Whatever a user can
cause (a :class:`~charter.errors.CharterError`, a file that cannot be read or written, a
database or server that cannot be reached) ends in ``error: ...`` on stderr and exit 2;
Ctrl-C in ``interrupted`` and exit 130; a bug in ``error: internal error: ...`` and exit 1
(``CHARTER_DEBUG=1`` re-raises it). The root command group applies the first rule to every
command, so ``app`` run by Typer's ``CliRunner`` answers as ``main()`` does; ``main()``
applies all three, also to what happens outside a command.

Exit codes: 0 done; 1 ``check`` found a breach, ``db status`` a schema not current,
``ledger verify`` a broken link, or a bug; 2 bad input (anything a user can cause); 3 ``plan``:
no plan exists; 4 ``plan``: the solver stopped without a plan and without proving there is
none; 130 interrupted.
"""

from __future__ import annotations

import contextlib
import errno
import sys
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from charter.cli import diff, money, operate, plan, questions, records, report, rofr, scenarios
from charter.cli.common import err, error_line
from charter.errors import CharterError

__all__ = ["app", "main"]


def user_error(exc: BaseException) -> str | None:
    """The ``error: ...`` message for a failure a user can cause, or None for a bug (or for
    what is not an error: an exit, an interrupt). Only modules already imported are consulted
    (the check costs nothing)."""
    if isinstance(exc, CharterError):
        return str(exc)
    if isinstance(exc, OSError):
        reason = exc.strerror or str(exc) or type(exc).__name__
        if exc.filename is not None:
            return f"{exc.filename}: {reason}"
        return reason
    sa = sys.modules.get("sqlalchemy.exc")
    if sa is not None and isinstance(exc, sa.SQLAlchemyError):
        from charter.ledger.db import describe_db_error

        return describe_db_error(exc, None)
    alembic_exc = sys.modules.get("alembic.util.exc")
    if alembic_exc is not None and isinstance(exc, alembic_exc.CommandError):
        return f"the database migration failed: {exc}"
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(exc, httpx.HTTPError | httpx.InvalidURL):
        return f"the server could not be reached: {exc or type(exc).__name__}"
    return None


class _Boundary(TyperGroup):
    """The root command group: every command runs inside the error boundary, so a user's error
    reads the same from ``main()`` and from ``app`` called directly (as ``CliRunner`` does)."""

    # ctx is Typer's click Context, whose module is private to Typer (and moved in 0.2x)
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # Typer's own exits, aborts and usage errors are none of user_error's cases
            if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
                raise  # a closed pipe (`charter ... | head`): Typer exits 1 quietly
            message = user_error(exc)
            if message is None:
                raise  # a bug: main() reports it
            error_line(message)
            raise typer.Exit(2) from None


app = typer.Typer(
    name="charter",
    cls=_Boundary,
    help="Compute agreements as executable policy: timelines and decisions with sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# in the order `charter --help` lists them
COMMANDS = (
    scenarios.scenarios,
    scenarios.init,
    scenarios.validate,
    scenarios.schema,
    questions.timeline,
    questions.decide,
    questions.owes,
    money.commitments,
    plan.plan,
    plan.check,
    diff.diff,
    report.report,
    scenarios.brief,
    operate.serve,
)
GROUPS = (
    ("db", operate.db_app),
    ("token", operate.token_app),
    ("ledger", records.ledger_app),
    ("rofr", rofr.rofr_app),
    ("spend", records.spend_app),
    ("revenue", money.revenue_app),
)
#: commands whose options include those the scenario's vocabulary declares
_VOCABULARY_COMMANDS = {questions.decide}
for _command in COMMANDS:
    if _command in _VOCABULARY_COMMANDS:
        from charter.cli.attributes import AttributeCommand

        app.command(cls=AttributeCommand)(_command)
    else:
        app.command()(_command)
for _name, _group in GROUPS:
    app.add_typer(_group, name=_name)


def _print_version(value: bool) -> None:
    if not value:
        return
    from importlib.metadata import PackageNotFoundError, version

    try:
        v = version("charter")
    except PackageNotFoundError:  # run from a source tree that was never installed
        v = "(version unknown: not installed)"
    sys.stdout.write(f"charter {v}\n")
    raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print charter's version and exit.",
            is_eager=True,
            callback=_print_version,
        ),
    ] = False,
) -> None:
    pass


def _aborting() -> None:
    """Say the command was interrupted; a further Ctrl-C while it exits changes nothing (the
    exit code stays 130, where Python's own handler would end the process by the signal)."""
    import signal

    with contextlib.suppress(ValueError):  # off the main thread no handler can be set
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    err.print("interrupted")


def main() -> None:
    """Console entry point, and the CLI's one error boundary: whatever a user can cause ends
    in ``error: ...`` on stderr and exit 2, an interrupt in exit 130, never a traceback."""
    import os

    try:
        app()
    except SystemExit as exc:
        if exc.code == 130:  # Typer's answer to Ctrl-C (no command exits 130 otherwise)
            _aborting()
        raise
    except KeyboardInterrupt:
        _aborting()
        raise SystemExit(130) from None
    except Exception as exc:
        message = user_error(exc)
        if message is not None:
            error_line(message)
            raise SystemExit(2) from None
        if os.environ.get("CHARTER_DEBUG"):
            raise
        error_line(
            f"internal error: {type(exc).__name__}: {exc}. This is a bug in charter; please "
            "report it (CHARTER_DEBUG=1 shows the traceback)"
        )
        raise SystemExit(1) from None
