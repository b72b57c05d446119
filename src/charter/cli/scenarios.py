"""Commands about scenarios themselves: ``scenarios``, ``init``, ``validate``, ``schema`` and
``brief`` (the timeline with the scenario's representative questions)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.text import Text

from charter.cli.common import (
    JsonOpt,
    LangOpt,
    ScenarioArg,
    Table,
    load,
    out,
    print_json,
    scenario_title,
)
from charter.cli.questions import headers, render_decision
from charter.errors import CharterError
from charter.i18n import date, t

if TYPE_CHECKING:
    from charter.decide import Decision
    from charter.model import BriefingQuestion

__all__ = ["brief", "init", "scenarios", "schema", "validate"]


def scenarios(as_json: JsonOpt = False) -> None:
    """List the bundled scenarios."""
    from charter.scenario import bundled_scenarios, load_scenario
    from charter.scenarios import DEFAULT

    rows: list[dict[str, Any]] = []
    for name in bundled_scenarios():
        s = load_scenario(name)
        rows.append(
            {
                "name": name,
                "title": s.title,
                "default": name == DEFAULT,
                "agreements": len(s.data.agreements),
                "clauses": len(s.clauses),
            }
        )
    if as_json:
        print_json(rows)
        return
    table = Table("name", "title", "agreements", "clauses", box=None)
    for r in rows:
        name = r["name"] + (" (default)" if r["default"] else "")
        table.add_row(name, r["title"], str(r["agreements"]), str(r["clauses"]))
    out.print(table)


def init(
    dest: Annotated[Path, typer.Argument(help="Folder to create (must be new or empty).")],
    scenario: Annotated[
        str | None, typer.Option("--from", help="Bundled scenario to copy (default: the default).")
    ] = None,
    blank: Annotated[
        bool,
        typer.Option(
            "--blank",
            help="Write a minimal scenario instead (one agreement, provider, offer and workload).",
        ),
    ] = False,
) -> None:
    """Copy a bundled scenario into DEST as the start of your own (or a minimal one: --blank)."""
    from charter.scenario import init_scenario

    path = init_scenario(dest, scenario, blank=blank)
    out.print(f"created {path}; check it with: charter validate {path}")


def validate(scenario: ScenarioArg = None, as_json: JsonOpt = False) -> None:
    """Load and validate a scenario folder; exit 2 with file:line: field: message if bad."""
    try:
        s = load(scenario)
    except CharterError as exc:
        if not as_json:
            raise
        # the one command whose error is a document too: {"valid": false, "error": ...}
        print_json({"valid": False, "error": str(exc)})
        raise typer.Exit(2) from None
    summary = {
        "valid": True,
        "scenario": s.name,
        "folder": str(s.folder),
        "parties": len(s.parties),
        "providers": len(s.providers),
        "events": len(s.events),
        "agreements": len(s.data.agreements),
        "amendments": sum(len(a.amendments) for a in s.data.agreements),
        "clauses": len(s.clauses),
    }
    if as_json:
        print_json(summary)
        return
    out.print(
        f"[green]valid[/green]: {s.name}: {summary['agreements']} agreement(s), "
        f"{summary['amendments']} amendments, {summary['clauses']} clauses, "
        f"{summary['parties']} parties, {summary['providers']} providers"
    )


def schema(scenario: ScenarioArg = None) -> None:
    """Print the JSON Schema of the scenario files (selectors in the scenario's vocabulary)."""
    from charter.scenario import resolve_scenario
    from charter.scenario.loader import read_vocabulary
    from charter.schema import scenario_schema

    if scenario is None:
        print_json(scenario_schema())  # the default scenario's
        return
    print_json(scenario_schema(read_vocabulary(resolve_scenario(scenario))))


def brief(scenario: ScenarioArg = None, lang: LangOpt = "en") -> None:
    """A short briefing: the amendment timeline and representative decisions."""
    s = load(scenario)
    data = s.timeline(lang=lang)
    decisions: list[tuple[BriefingQuestion, Decision]] = []
    for q in s.data.briefing:
        d = s.decide(
            at=q.at,
            principal=q.principal,
            action=q.action,
            events={k: v for k, v in q.events.items()},
            lang=lang,
            **dict(q.options),
        )
        decisions.append((q, d))
    out.rule(Text(scenario_title(s, lang), style="bold"))
    meta_tr = s.data.meta.translations.get(lang)
    description = (meta_tr.summary if meta_tr else None) or s.data.meta.description
    if description:
        out.print(Text(description), width=100)
    out.print(Text("\n" + t(lang, "label.timeline"), style="bold"))
    table = Table(*headers(lang, "date", "change", "added", "ended"), box=None)
    for e in data["entries"]:
        added = ", ".join(c["id"] for c in e["added"]) or "-"
        ended = (
            ", ".join(
                [r["id"] for r in e["replaced"]]
                + [r["id"] for r in e["removed"]]
                + [f"{n['id']} ({t(lang, 'label.narrowed')})" for n in e["narrowed"]]
            )
            or "-"
        )
        table.add_row(date(lang, e["date"]), e["title"], added, ended)
    out.print(table)
    if decisions:
        out.print(Text("\n" + t(lang, "label.decisions"), style="bold"))
    for q, d in decisions:
        named = s.agreement_timeline.event_name
        ev = "".join(
            f" [{t(lang, 'label.event_on', event=named(k, lang), date=date(lang, v))}]"
            for k, v in q.events.items()
        )
        ask = q.ask_de if lang == "de" and q.ask_de else q.ask
        out.print(Text(f"\n{date(lang, q.at)}  {ask}{ev}", style="bold"))
        render_decision(d)
    out.print(Text("\n" + t(lang, "label.ask_more"), style="dim"))
