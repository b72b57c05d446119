"""What every command module shares: the two consoles, the folding :class:`Table`, the option
types that several commands take, scenario loading, ``--event`` parsing, JSON printing and
money formatting.

Only the CLI prints; colour is added here and in the command modules, never in a message.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Column
from rich.table import Table as RichTable
from rich.text import Text

from charter.errors import RequestError

if TYPE_CHECKING:
    from charter.scenario import Scenario

__all__ = [
    "EventOpt",
    "JsonOpt",
    "LangOpt",
    "ScenarioArg",
    "Table",
    "err",
    "error_line",
    "line",
    "load",
    "money",
    "out",
    "parse_events",
    "print_json",
    "scenario_title",
]


class Table(RichTable):
    """A Rich table whose cells wrap (fold) when the terminal is narrow, never cut with "…":
    two workloads ``chatgpt-serving-gpt5`` and ``chatgpt-serving-gpt4o`` must not both read
    ``chatgpt-serving-g…``."""

    def __init__(self, *headers: str | Column, **kwargs: Any) -> None:
        columns = [Column(h, overflow="fold") if isinstance(h, str) else h for h in headers]
        super().__init__(*columns, **kwargs)


out = Console(highlight=False, soft_wrap=False)
err = Console(stderr=True, highlight=False)

ScenarioArg = Annotated[
    str | None,
    typer.Argument(
        help="A bundled scenario's name or a scenario folder (default: the bundled default).",
        show_default=False,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (schema in the README).")]
EventOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--event",
        help="Assume an event on a date, NAME=DATE (repeatable), e.g. agi_verified=2029-06-01.",
        show_default=False,
    ),
]
LangOpt = Annotated[
    str,
    typer.Option(
        "--lang", help="Language of explanations: en or de (JSON keys and verdicts stay English)."
    ),
]


def error_line(message: str) -> None:
    """``error: MESSAGE`` on stderr, the message printed verbatim."""
    # assembled, not markup: a message may hold brackets, e.g. a path like [/tmp]
    err.print(Text.assemble(("error:", "red"), " ", message))


def line(text: str, *, to_err: bool = False) -> None:
    """One plain line, never wrapped (rich wraps at 80 columns when not on a terminal)."""
    (err if to_err else out).print(Text(text), soft_wrap=True)


def load(scenario: str | None) -> Scenario:
    """The scenario named by a ``[SCENARIO]`` argument (ScenarioError, RequestError if bad)."""
    from charter.scenario import load_scenario

    return load_scenario(scenario)


def scenario_title(s: Scenario, lang: str) -> str:
    """The scenario's title in ``lang`` where it has a translation."""
    tr = s.data.meta.translations.get(lang)
    return str(tr.title) if tr is not None and tr.title else str(s.title)


def parse_events(pairs: list[str] | None) -> dict[str, str]:
    """``--event NAME=DATE`` options as a mapping (the dates are checked by the scenario)."""
    events: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, date = pair.partition("=")
        if not sep or not name.strip() or not date.strip():
            raise RequestError(
                f"--event expects NAME=DATE, e.g. agi_verified=2029-06-01; got {pair!r}"
            )
        events[name.strip()] = date.strip()
    return events


def print_json(data: Any) -> None:
    """A JSON document on stdout, as is (no Rich: no wrapping, no highlighting)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def money(x: float | None) -> str:
    """Dollars without cents, ``-`` when there is no figure."""
    return "-" if x is None else f"${x:,.0f}"
