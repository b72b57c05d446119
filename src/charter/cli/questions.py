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
from charter.i18n import t
from charter.vocab import ACTIONS, API_MODES, ARTIFACT_KINDS, PURPOSES, WORKLOAD_KINDS

if TYPE_CHECKING:
    from charter.decide import Decision
    from charter.revenue import Owed

__all__ = ["decide", "owes", "render_decision", "timeline"]

VERDICT_STYLE = {"allow": "bold green", "deny": "bold red", "conditional": "bold yellow"}


# ---------------------------------------------------------------------------- timeline
def render_timeline(data: dict[str, Any], title: str, lang: str) -> None:
    """The timeline document (``Scenario.timeline``) as text, with the clauses in force."""
    out.print(Text(title, style="bold"))
    if data["events"]:
        events = ", ".join(f"{k}={v}" for k, v in data["events"].items())
        out.print(f"{t(lang, 'label.assumed_events')}: {events}")
    for e in data["entries"]:
        head = Text(f"\n{e['date']}  ", style="bold cyan")
        head.append(e["title"], style="bold")
        if e["type"] != "amendment":
            head.append(f"  ({e['type']})", style="italic")
        out.print(head)
        if e["summary"]:
            out.print(Text("  " + e["summary"]), width=100)
        for c in e["added"]:
            late = f" from {c['from']}" if c["from"] != e["date"] else ""
            flag = " [uncertain]" if c["uncertain"] else ""
            out.print(
                Text(
                    f"  + {c['id']:<7} {c['kind']:<13} {c['title']}{late} ({c['confidence']}){flag}"
                )
            )
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
            "id",
            "kind",
            "title",
            "since",
            "ends",
            "grade",
            title="\n" + t(lang, "label.in_force", date=data["at"]),
        )
        for c in data["in_force"]:
            grade = c["confidence"] + (" ?" if c["uncertain"] else "")
            table.add_row(c["id"], c["kind"], c["title"], c["from"], c["ends"], grade)
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
    v = d.verdict.value
    head = Text(v.upper(), style=VERDICT_STYLE[v])
    if d.uncertain:
        head.append(f"  ({t(d.lang, 'label.uncertain')})", style="yellow")
    out.print(Panel(Text(d.note), title=head, title_align="left", width=100))
    if d.clauses:
        table = Table("clause", "effect", "kind", "amendment", "grade", "source", box=None)
        for c in d.clauses:
            j = c.to_json()
            grade = j["confidence"] + (" ?" if j["uncertain"] else "")
            table.add_row(j["id"], j["effect"], j["kind"], j["amendment"], grade, j["sources"][0])
        out.print(table)
        for c in d.clauses:
            for n in c.notes:
                label = t(d.lang, "label.note_on")
                out.print(Text(f"  {label} {c.record.id}: {n}", style="dim"), width=100)


def _choice(value: str | None, valid: tuple[str, ...], option: str) -> None:
    """An option's value from a fixed vocabulary, checked before the scenario is loaded.

    ``Scenario.validate`` checks these too; this check stays because its message names the
    option (``--kind: unknown value ...``) where the library names the request field.
    """
    if value is not None and value not in valid:
        raise RequestError(
            f"{option}: unknown value {value!r}; valid values are: {', '.join(valid)}"
        )


def _required(**options: str) -> None:
    """Options that have no default but are declared with one (``""``), so that a missing one
    is an ``error:`` naming it (exit 2) rather than Click's usage message."""
    for name, value in options.items():
        if not value:
            raise RequestError(f"--{name.replace('_', '-')} is required")


def decide(
    scenario: ScenarioArg = None,
    at: Annotated[str, typer.Option("--at", help="Date of the question, e.g. 2025-12-01.")] = "",
    principal: Annotated[str, typer.Option("--principal", help="The party acting.")] = "",
    action: Annotated[str, typer.Option("--action", help=f"One of: {', '.join(ACTIONS)}.")] = "",
    provider: Annotated[str | None, typer.Option(help="run: where the workload runs.")] = None,
    kind: Annotated[
        str | None, typer.Option(help=f"run: workload kind ({', '.join(WORKLOAD_KINDS)}).")
    ] = None,
    segment: Annotated[str | None, typer.Option(help="run: customer segment.")] = None,
    new_capacity: Annotated[
        bool, typer.Option("--new-capacity", help="run: the workload needs new capacity.")
    ] = False,
    api: Annotated[str | None, typer.Option(help="run: API style (stateless|stateful).")] = None,
    product: Annotated[str | None, typer.Option(help="run: product name.")] = None,
    codeveloped_with: Annotated[
        str | None, typer.Option("--codeveloped-with", help="run: co-developing party.")
    ] = None,
    first_party: Annotated[
        bool, typer.Option("--first-party", help="run: a first-party product.")
    ] = False,
    launch: Annotated[
        bool, typer.Option("--launch", help="run: a new product's first launch.")
    ] = False,
    artifact_kind: Annotated[
        str | None,
        typer.Option("--artifact-kind", help=f"access/publish: {', '.join(ARTIFACT_KINDS)}."),
    ] = None,
    created: Annotated[
        str | None, typer.Option(help="access: when the artifact was created (default: --at).")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="access: the artifact's owner (optional).")
    ] = None,
    purpose: Annotated[
        str | None, typer.Option(help=f"build-capacity: {'|'.join(PURPOSES)}.")
    ] = None,
    with_party: Annotated[
        str | None, typer.Option("--with", help="pursue-agi: the partner party.")
    ] = None,
    uses_licensed_ip: Annotated[
        bool, typer.Option("--uses-licensed-ip", help="train: uses licensed IP.")
    ] = False,
    above_compute_threshold: Annotated[
        bool | None,
        typer.Option(
            "--above-compute-threshold/--below-compute-threshold",
            help="train: above (or below) a compute bound; unset means not known.",
            show_default=False,
        ),
    ] = None,
    event: EventOpt = None,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
) -> None:
    """Answer allow / deny / conditional, with obligations and the deciding clauses.

    Placing a workload: --action run --provider P --kind K [--new-capacity] [--api ...].
    IP access: --action access --artifact-kind KIND [--created DATE].
    \f
    (Not in --help, which ends at the form feed.) Long for its options, one per parameter:
    Typer reads them from the signature. The action, parties, providers and dates are
    checked once, by ``Scenario.validate``.
    """
    _required(at=at, principal=principal, action=action)
    _choice(kind, WORKLOAD_KINDS, "--kind")
    _choice(api, API_MODES, "--api")
    _choice(artifact_kind, ARTIFACT_KINDS, "--artifact-kind")
    _choice(purpose, PURPOSES, "--purpose")
    if action == "run" and provider is None:
        raise RequestError("--provider is required with --action run")
    if action == "access" and artifact_kind is None:
        raise RequestError("--artifact-kind is required with --action access")
    d = load(scenario).decide(
        at=at,
        principal=principal,
        action=action,
        provider=provider,
        kind=kind,
        segment=segment,
        new_capacity=new_capacity,
        api=api,
        product=product,
        codeveloped_with=codeveloped_with,
        first_party=first_party,
        launch=launch,
        artifact_kind=artifact_kind,
        artifact_owner=owner,
        created=created,
        purpose=purpose,
        with_party=with_party,
        uses_licensed_ip=uses_licensed_ip,
        above_compute_threshold=above_compute_threshold,
        events=parse_events(event),
        lang=lang,
    )
    if as_json:
        print_json(d.to_json())
        return
    render_decision(d)


# ---------------------------------------------------------------------------- owes
def _amount(text: str) -> float:
    """``--revenue``: a finite amount ≥ 0, written with or without ``_`` or ``,``."""
    try:
        value = float(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise RequestError(
            f"--revenue: expected an amount like 12000000000, got {text!r}"
        ) from None
    if value < 0 or value != value or value == float("inf"):
        raise RequestError(f"--revenue: must be a finite amount ≥ 0, got {text!r}")
    return value


def render_owed(o: Owed, lang: str) -> None:
    """The amount owed in a panel with its note, the cap, then the clauses that count."""
    shown = "?" if o.amount is None else f"{o.amount:,.0f} {o.currency}"
    head = Text(f"{o.period}: {shown}", style="bold")
    if o.uncertain:
        head.append(f"  ({t(lang, 'label.uncertain')})", style="yellow")
    out.print(Panel(Text(o.note), title=head, title_align="left", width=100))
    if o.cap is not None:
        out.print(
            f"cap {o.cap:,.0f} {o.currency}; used before {o.cap_used or 0:,.0f}; "
            f"left after {o.cap_remaining or 0:,.0f}"
        )
    if not o.parts:
        return
    table = Table("clause", "effect", "from", "to", "days", "rate", "amount", "grade", box=None)
    for p in o.parts:
        j = p.to_json(lang)
        rate = "?" if j["rate"] is None else f"{j['rate'] * 100:g}%"
        amt = "?" if j["amount"] is None else f"{j['amount']:,.0f}"
        grade = j["confidence"] + (" ?" if j["uncertain"] else "")
        table.add_row(
            j["id"], j["effect"], j["from"] or "-", j["to"] or "-", str(j["days"]), rate, amt, grade
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
