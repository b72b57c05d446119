"""The questions a scenario answers: ``timeline``, ``decide`` and ``owes``, and how their
answers are printed (``render_decision`` also serves ``brief``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.panel import Panel
from rich.text import Text

from charter.cli.common import (
    EventOpt,
    JsonOpt,
    LangOpt,
    ScenarioArg,
    Table,
    load,
    out,
    parse_events,
    print_json,
    scenario_title,
)
from charter.errors import RequestError
from charter.i18n import date, money, number, percent, t, word

if TYPE_CHECKING:
    from charter.decide import Decision
    from charter.revenue import Owed

__all__ = ["decide", "owes", "render_decision", "timeline"]

VERDICT_STYLE = {"allow": "bold green", "deny": "bold red", "conditional": "bold yellow"}


def headers(lang: str, *names: str) -> tuple[str, ...]:
    """Table column headers in ``lang``."""
    return tuple(word(lang, "header", n) for n in names)


def graded(lang: str, c: dict[str, Any]) -> str:
    """A clause's grade in words, with the figures graded apart: "quoted; rate, cap reported"."""
    out = word(lang, "grade", c["confidence"])
    by_grade: dict[str, list[str]] = {}
    for figure, grade in c.get("figure_grades", {}).items():
        by_grade.setdefault(grade, []).append(word(lang, "figure_short", figure))
    for grade, names in by_grade.items():
        out += f"; {', '.join(names)} {word(lang, 'grade', grade)}"
    return out


# ---------------------------------------------------------------------------- timeline
def render_timeline(data: dict[str, Any], title: str, lang: str) -> None:
    """The timeline document (``Scenario.timeline``) as text, with the clauses in force."""
    out.print(Text(title, style="bold"))
    if data["events"]:
        names = data.get("event_names", {})
        events = ", ".join(
            t(lang, "label.event_on", event=names.get(k, k), date=date(lang, v))
            for k, v in data["events"].items()
        )
        out.print(f"{t(lang, 'label.assumed_events')}: {events}")
    width = 17 if lang == "de" else 13  # the longest clause kind's word
    for e in data["entries"]:
        head = Text(f"\n{date(lang, e['date'])}  ", style="bold cyan")
        head.append(e["title"], style="bold")
        if e["type"] != "amendment":
            head.append(f"  ({word(lang, 'header', e['type'])})", style="italic")
        out.print(head)
        if e["summary"]:
            out.print(Text("  " + e["summary"]), width=100)
        for c in e["added"]:
            late = " " + t(lang, "label.from", date=date(lang, c["from"]))
            late = late if c["from"] != e["date"] else ""
            flag = f" [{word(lang, 'header', 'uncertain')}]" if c["uncertain"] else ""
            kind = word(lang, "kind", c["kind"])
            grade = graded(lang, c)
            line = f"  + {c['id']:<7} {kind:<{width}} {c['title']}{late} ({grade}){flag}"
            out.print(Text(line))
        for r in e["replaced"]:
            out.print(Text(f"  ~ {r['id']:<7} {t(lang, 'label.replaced_by')} {r['by']}"))
        for r in e["removed"]:
            by = f" ({t(lang, 'label.stated_by')} {r['by']})" if r["by"] else ""
            out.print(Text(f"  - {r['id']:<7} {t(lang, 'label.removed')}{by}"), style="red")
        for n in e["narrowed"]:
            out.print(Text(f"  ~ {n['id']:<7} {t(lang, 'label.narrowed_to')} {n['to']}"))
        for o in e["open_items"]:
            out.print(Text(f"  ? {', '.join(o['clauses'])}: {o['note']}"), style="yellow")
        for src in e["sources"]:
            out.print(Text(f"    {t(lang, 'label.source')}: {src}", style="dim"))
    if "in_force" in data:
        table = Table(
            *headers(lang, "id", "kind", "title", "since", "ends", "grade"),
            title="\n" + t(lang, "label.in_force", date=date(lang, data["at"])),
        )
        for c in data["in_force"]:
            grade = graded(lang, c) + (" ?" if c["uncertain"] else "")
            kind = word(lang, "kind", c["kind"])
            table.add_row(c["id"], kind, c["title"], date(lang, c["from"]), c["ends"], grade)
        out.print(table)


def timeline(
    scenario: ScenarioArg = None,
    at: Annotated[
        str | None, typer.Option("--at", help="List the clauses in force on this date.")
    ] = None,
    event: EventOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
) -> None:
    """Show the amendments in order: what each added, replaced or removed, with sources."""
    s = load(scenario)
    data = s.timeline(at=at, events=parse_events(event), lang=lang)
    if as_json:
        print_json({"scenario": s.name, **data})
        return
    render_timeline(data, scenario_title(s, lang), lang)


# ---------------------------------------------------------------------------- decide
def render_decision(d: Decision) -> None:
    """A verdict in a panel with its note, then its deciding clauses and their notes."""
    v, lang = d.verdict.value, d.lang
    head = Text(word(lang, "verdict", v).upper(), style=VERDICT_STYLE[v])
    if d.uncertain:
        label = "label.uncertain_see" if d.caveats else "label.uncertain"
        head.append(f"  ({t(lang, label)})", style="yellow")
    out.print(Panel(Text(d.note), title=head, title_align="left", width=100))
    if d.clauses:
        cols = headers(lang, "clause", "effect", "kind", "amendment", "grade", "source")
        table = Table(*cols, box=None)
        for c in d.clauses:
            j = c.to_json()
            grade = word(lang, "grade", j["confidence"]) + (" ?" if j["uncertain"] else "")
            effect = word(lang, "effect", "narrowed" if c.narrowed else j["effect"])
            if c.ends and c.ends != j["id"]:  # the clause that removed the one that ended
                effect = t(lang, "label.ends", clause=c.ends)
            made = date(lang, j["amendment"])
            if c.record.start != c.record.amendment:  # a clause that began later than it was made
                made += " (" + t(lang, "label.starting", date=date(lang, c.record.start)) + ")"
            table.add_row(
                j["id"],
                effect,
                word(lang, "kind", j["kind"]),
                made,
                grade,
                j["sources"][0],
            )
        out.print(table)
        for c in d.clauses:
            # a note the caveats already carry is not printed a second time
            for n in (n for n in c.notes if n.rstrip(". ") not in d.note):
                label = t(lang, "label.note_on")
                out.print(Text(f"  {label} {c.record.id}: {n}", style="dim"), width=100)


def _required(**options: str) -> None:
    """Options that have no default but are declared with one (``""``), so that a missing one
    is an ``error:`` naming it (exit 2) rather than Click's usage message."""
    for name, value in options.items():
        if not value:
            raise RequestError(f"--{name.replace('_', '-')} is required")


def decide(
    ctx: typer.Context,
    scenario: ScenarioArg = None,
    at: Annotated[str, typer.Option("--at", help="Date of the question, e.g. 2025-12-01.")] = "",
    principal: Annotated[str, typer.Option("--principal", help="The party acting.")] = "",
    action: Annotated[
        str, typer.Option("--action", help="An action of the scenario (listed below).")
    ] = "",
    created: Annotated[
        str | None, typer.Option(help="access: when the artifact was created (default: --at).")
    ] = None,
    attr: Annotated[
        list[str] | None,
        typer.Option(
            "--attr",
            help="NAME=VALUE: any attribute the scenario declares (repeatable).",
            metavar="NAME=VALUE",
        ),
    ] = None,
    event: EventOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
) -> None:
    """Answer allow / deny / conditional, with obligations and the deciding clauses.

    Placing a workload: --action run --provider P --kind K [--new-capacity] [--api ...].
    IP access: --action access --artifact-kind KIND [--created DATE].
    Every attribute of the scenario is an option (--NAME VALUE, a bool one a flag) or
    --attr NAME=VALUE; `charter decide SCENARIO --help` lists them.
    \f
    (Not in --help, which ends at the form feed.) The attribute options are not parameters:
    :class:`~charter.cli.attributes.AttributeCommand` keeps them aside and they are read
    against the loaded scenario's vocabulary. The action, parties, providers and dates are
    checked once, by ``Scenario.validate``.
    """
    from charter.cli.attributes import attribute_values, kept_options, required

    _required(at=at, principal=principal, action=action)
    s = load(scenario)
    values, positional = attribute_values(s.vocabulary, kept_options(ctx), attr or [])
    if positional:
        if scenario is not None or len(positional) > 1:
            raise RequestError(f"unexpected argument {positional[-1]!r}")
        s = load(positional[0])
        values, _ = attribute_values(s.vocabulary, kept_options(ctx), attr or [])
    required(s.vocabulary, action, values)
    d = s.decide(
        at=at,
        principal=principal,
        action=action,
        created=created,
        events=parse_events(event),
        lang=lang,
        **values,
    )
    if as_json:
        print_json(d.to_json())
        return
    render_decision(d)


# ---------------------------------------------------------------------------- owes
def _amount(text: str) -> float:
    """``--revenue``: a finite amount ≥ 0, written with or without ``_`` or ``,``."""
    from charter.revenue import revenue_amount

    return revenue_amount(text, "--revenue")


def render_owed(o: Owed, lang: str) -> None:
    """The amount owed in a panel with its note, the cap, then the clauses that count."""
    shown = "?" if o.amount is None else money(lang, o.amount, o.currency)
    head = Text(f"{o.period}: {shown}", style="bold")
    if o.uncertain:
        label = "label.uncertain_see" if o.caveats else "label.uncertain"
        head.append(f"  ({t(lang, label)})", style="yellow")
    out.print(Panel(Text(o.note), title=head, title_align="left", width=100))
    if o.cap is not None:
        cap = t(
            lang,
            "label.cap",
            cap=money(lang, o.cap, o.currency),
            used=number(lang, o.cap_used or 0),
            left=number(lang, o.cap_remaining or 0),
        )
        out.print(cap)
    if not o.parts:
        return
    cols = headers(lang, "clause", "effect", "from", "to", "days", "rate", "amount", "grade")
    table = Table(*cols, box=None)
    for p in o.parts:
        j = p.to_json(lang)
        rate = "?" if j["rate"] is None else percent(lang, j["rate"])
        amt = "?" if j["amount"] is None else number(lang, j["amount"])
        grade = graded(lang, j) + (" ?" if j["uncertain"] else "")
        table.add_row(
            j["id"],
            word(lang, "effect", j["effect"]),
            date(lang, j["from"]) or "-",
            date(lang, j["to"]) or "-",
            str(j["days"]),
            rate,
            amt,
            grade,
        )
    out.print(table)


def owes(
    scenario: ScenarioArg = None,
    payer: Annotated[str, typer.Option("--payer", help="The party that pays.")] = "",
    payee: Annotated[str, typer.Option("--payee", help="The party paid.")] = "",
    period: Annotated[
        str, typer.Option("--period", help="A month (2026-07), quarter (2026-Q3) or year.")
    ] = "",
    revenue: Annotated[
        str, typer.Option("--revenue", help="The period's revenue the share applies to.")
    ] = "",
    history: Annotated[
        Path | None,
        typer.Option("--history", help="CSV of earlier periods: period,revenue (uses up caps)."),
    ] = None,
    event: EventOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
) -> None:
    """The amount owed under the revenue-share clauses in force, with rate, cap and clauses."""
    from charter.revenue import read_history

    _required(payer=payer, payee=payee, period=period, revenue=revenue)
    amount = _amount(revenue)
    hist = read_history(history) if history is not None else []
    o = load(scenario).owes(
        payer=payer,
        payee=payee,
        period=period,
        revenue=amount,
        history=hist,
        events=parse_events(event),
        lang=lang,
    )
    if as_json:
        print_json(o.to_json())
        return
    render_owed(o, lang)
