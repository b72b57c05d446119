"""The ``charter`` command line (Typer). Colour and layout live here and nowhere else.

Every command that answers a question takes ``--json`` and prints a stable document
(README, "JSON output"). Errors in the user's input print ``error: ...`` and exit 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from charter.errors import CharterError, RequestError
from charter.i18n import t
from charter.vocab import ACTIONS, API_MODES, ARTIFACT_KINDS, PURPOSES, WORKLOAD_KINDS

app = typer.Typer(
    name="charter",
    help="Compute agreements as executable policy: timelines and decisions with sources.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

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
        "--lang", help="Language of explanations: en or de (verdicts and JSON keys stay English)."
    ),
]

VERDICT_STYLE = {"allow": "bold green", "deny": "bold red", "conditional": "bold yellow"}


def _fail(exc: CharterError) -> NoReturn:
    err.print(f"[red]error:[/red] {Text(str(exc))}")
    raise typer.Exit(2)


def _load(scenario: str | None) -> Any:
    from charter.scenario import load_scenario

    return load_scenario(scenario)


def _events(pairs: list[str] | None) -> dict[str, str]:
    events: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, date = pair.partition("=")
        if not sep or not name.strip() or not date.strip():
            raise RequestError(
                f"--event expects NAME=DATE, e.g. agi_verified=2029-06-01; got {pair!r}"
            )
        events[name.strip()] = date.strip()
    return events


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


# ---------------------------------------------------------------------------- scenarios
@app.command()
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
        _print_json(rows)
        return
    table = Table("name", "title", "agreements", "clauses", box=None)
    for r in rows:
        name = r["name"] + (" (default)" if r["default"] else "")
        table.add_row(name, r["title"], str(r["agreements"]), str(r["clauses"]))
    out.print(table)


@app.command()
def init(
    dest: Annotated[Path, typer.Argument(help="Folder to create (must be new or empty).")],
    scenario: Annotated[
        str | None, typer.Option("--from", help="Bundled scenario to copy (default: the default).")
    ] = None,
) -> None:
    """Copy a bundled scenario into DEST as the start of your own."""
    from charter.scenario import init_scenario

    try:
        path = init_scenario(dest, scenario)
    except CharterError as exc:
        _fail(exc)
    out.print(f"created {path}; check it with: charter validate {path}")


@app.command()
def validate(scenario: ScenarioArg = None, as_json: JsonOpt = False) -> None:
    """Load and validate a scenario folder; exit 2 with file:line: field: message if bad."""
    try:
        s = _load(scenario)
    except CharterError as exc:
        if as_json:
            _print_json({"valid": False, "error": str(exc)})
            raise typer.Exit(2) from None
        _fail(exc)
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
        _print_json(summary)
        return
    out.print(
        f"[green]valid[/green]: {s.name}: {summary['agreements']} agreement(s), "
        f"{summary['amendments']} amendments, {summary['clauses']} clauses, "
        f"{summary['parties']} parties, {summary['providers']} providers"
    )


@app.command()
def schema() -> None:
    """Print the JSON Schema of the scenario files."""
    from charter.schema import scenario_schema

    _print_json(scenario_schema())


# ---------------------------------------------------------------------------- timeline
def _render_timeline(data: dict[str, Any], title: str, lang: str) -> None:
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


@app.command()
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
    try:
        s = _load(scenario)
        data = s.timeline(at=at, events=_events(event), lang=lang)
    except CharterError as exc:
        _fail(exc)
    if as_json:
        _print_json({"scenario": s.name, **data})
        return
    _render_timeline(data, _scenario_title(s, lang), lang)


# ---------------------------------------------------------------------------- decide
def _scenario_title(s: Any, lang: str) -> str:
    tr = s.data.meta.translations.get(lang)
    return str(tr.title) if tr is not None and tr.title else str(s.title)


def _render_decision(d: Any) -> None:
    v = d.verdict.value
    head = Text(v.upper(), style=VERDICT_STYLE[v])
    if d.uncertain:
        head.append(f"  ({t(d.lang, 'label.uncertain')})", style="yellow")
    body = Text(d.note)
    out.print(Panel(body, title=head, title_align="left", width=100))
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


def _choice(value: str | None, valid: tuple[str, ...], option: str) -> str | None:
    if value is not None and value not in valid:
        raise RequestError(
            f"{option}: unknown value {value!r}; valid values are: {', '.join(valid)}"
        )
    return value


@app.command()
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
    """
    try:
        for name, value in (("--at", at), ("--principal", principal), ("--action", action)):
            if not value:
                raise RequestError(f"{name} is required")
        if action not in ACTIONS:
            raise RequestError(
                f"--action: unknown action {action!r}; valid actions are: {', '.join(ACTIONS)}"
            )
        _choice(kind, WORKLOAD_KINDS, "--kind")
        _choice(api, API_MODES, "--api")
        _choice(artifact_kind, ARTIFACT_KINDS, "--artifact-kind")
        _choice(purpose, PURPOSES, "--purpose")
        if action == "run" and provider is None:
            raise RequestError("--provider is required with --action run")
        if action == "access" and artifact_kind is None:
            raise RequestError("--artifact-kind is required with --action access")
        s = _load(scenario)
        d = s.decide(
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
            events=_events(event),
            lang=lang,
        )
    except CharterError as exc:
        _fail(exc)
    if as_json:
        _print_json(d.to_json())
        return
    _render_decision(d)


# ---------------------------------------------------------------------------- owes
def _amount(text: str) -> float:
    try:
        value = float(text.replace("_", "").replace(",", ""))
    except ValueError:
        raise RequestError(
            f"--revenue: expected an amount like 12000000000, got {text!r}"
        ) from None
    if value < 0 or value != value or value == float("inf"):
        raise RequestError(f"--revenue: must be a finite amount ≥ 0, got {text!r}")
    return value


@app.command()
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

    try:
        for name, value in (
            ("--payer", payer),
            ("--payee", payee),
            ("--period", period),
            ("--revenue", revenue),
        ):
            if not value:
                raise RequestError(f"{name} is required")
        amount = _amount(revenue)
        hist = read_history(history) if history is not None else []
        s = _load(scenario)
        o = s.owes(
            payer=payer,
            payee=payee,
            period=period,
            revenue=amount,
            history=hist,
            events=_events(event),
            lang=lang,
        )
    except CharterError as exc:
        _fail(exc)
    if as_json:
        _print_json(o.to_json())
        return
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
    if o.parts:
        table = Table("clause", "effect", "from", "to", "days", "rate", "amount", "grade", box=None)
        for p in o.parts:
            j = p.to_json(lang)
            rate = "?" if j["rate"] is None else f"{j['rate'] * 100:g}%"
            amt = "?" if j["amount"] is None else f"{j['amount']:,.0f}"
            grade = j["confidence"] + (" ?" if j["uncertain"] else "")
            table.add_row(
                j["id"],
                j["effect"],
                j["from"] or "-",
                j["to"] or "-",
                str(j["days"]),
                rate,
                amt,
                grade,
            )
        out.print(table)


# ---------------------------------------------------------------------------- plan
def _money(x: float | None) -> str:
    return "-" if x is None else f"${x:,.0f}"


def _render_plan(result: Any) -> None:
    st = result.stats
    out.print(
        Text(
            f"plan: {result.status}; cost {_money(result.cost)}; bound {_money(result.bound)} "
            f"({result.bound_method}); gap "
            + ("-" if result.gap is None else f"{result.gap * 100:.3f}%"),
            style="bold",
        )
    )
    out.print(
        f"{st.get('workloads')} workloads in {st.get('groups')} groups, {st.get('offers')} "
        f"offers, {st.get('periods')} months; {st.get('columns')} columns "
        f"({st.get('binaries')} binary), {st.get('rows')} rows; build {st.get('build_seconds')} s, "
        f"solve {st.get('solve_seconds')} s, {st.get('nodes')} nodes, warm start "
        f"{'yes' if st.get('warm_start') else 'no'}"
    )
    if result.by_provider_year:
        t = Table(
            "provider",
            "year",
            "spend",
            "accelerator-hours",
            "share of hours",
            title="Spend by provider and year",
        )
        for r in result.by_provider_year:
            t.add_row(
                r["provider"],
                r["year"],
                _money(r["spend"]),
                f"{r['hours']:,.0f}",
                f"{r['share_of_hours'] * 100:.1f}%",
            )
        out.print(t)
    if result.commitments:
        t = Table(
            "clause",
            "providers",
            "committed",
            "spent",
            "shortfall",
            title="Commitments (prorated to the plan horizon)",
        )
        for c in result.commitments:
            t.add_row(
                c["clause"],
                ", ".join(c["providers"]),
                _money(c["committed"]),
                _money(c["spent"]),
                _money(c["shortfall"]),
            )
        out.print(t)
    if result.rofr_requests:
        t = Table(
            "clause",
            "month",
            "family",
            "third-party offer",
            "workload",
            "hours",
            title="Capacity to offer to the ROFR holder first",
        )
        for r in result.rofr_requests[:40]:
            t.add_row(
                r["clause"],
                r["period"],
                str(r["family"]),
                r["offer"],
                r["workload"],
                f"{r['hours']:,.0f}",
            )
        out.print(t)
        if len(result.rofr_requests) > 40:
            out.print(f"... and {len(result.rofr_requests) - 40} more (see --json)")
    if result.clause_costs:
        t = Table("clause", "kind", "cost (with − without)", "note", title="What each clause costs")
        for c in result.clause_costs:
            t.add_row(c["clause"], c["kind"], _money(c["cost"]), c["note"] or "")
        out.print(t)
    if result.infeasibility:
        out.print(Panel(Text(result.infeasibility["message"]), title="No plan", width=100))


@app.command()
def plan(
    scenario: ScenarioArg = None,
    start: Annotated[str | None, typer.Option("--from", help="First month, e.g. 2025-01.")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last month, e.g. 2026-12.")] = None,
    event: EventOpt = None,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for the solve.")
    ] = 60.0,
    gap: Annotated[float, typer.Option("--gap", help="Relative gap to stop at.")] = 1e-3,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write placements: plan.csv, .json or .parquet.")
    ] = None,
    clause_costs: Annotated[
        bool, typer.Option("--clause-costs", help="Also price every clause in force.")
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Plan every workload at least cost without breaching a clause; exit 3 if none exists."""
    from charter.planner import plan as run_plan
    from charter.plans import write_plan

    try:
        if time_limit <= 0:
            raise RequestError("--time-limit must be positive")
        if not 0 <= gap < 1:
            raise RequestError("--gap must be between 0 and 1")
        if out_file is not None and out_file.suffix.lower() not in (".csv", ".json", ".parquet"):
            raise RequestError(f"--out {out_file.name}: use a .csv, .json or .parquet file name")
        s = _load(scenario)
        with err.status("planning ...") as status:
            result = run_plan(
                s,
                start=start,
                end=end,
                events=_events(event),
                time_limit=time_limit,
                gap=gap,
                clause_costs=clause_costs,
                progress=lambda m: status.update(m),
            )
        if out_file is not None and result.placements:
            write_plan(out_file, [p.__dict__ for p in result.placements])
    except CharterError as exc:
        _fail(exc)
    if as_json:
        _print_json(result.to_json())
    else:
        _render_plan(result)
        if out_file is not None and result.placements:
            out.print(f"wrote {len(result.placements)} placements to {out_file}")
    if result.status == "infeasible":
        raise typer.Exit(3)
    if result.status not in ("optimal", "feasible"):
        raise typer.Exit(4)


@app.command()
def check(
    plan_file: Annotated[Path, typer.Argument(help="A plan: .csv, .json or .parquet.")],
    scenario: ScenarioArg = None,
    event: EventOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Verify a plan (charter's, or actual placements): every breach with its clause or offer.

    Exit 0 when the plan breaches nothing, 1 when it does, 2 on bad input.
    """
    from charter.check import check_plan
    from charter.plans import read_plan

    try:
        rows = read_plan(plan_file)
        s = _load(scenario)
        report = check_plan(s, rows, _events(event))
    except CharterError as exc:
        _fail(exc)
    if as_json:
        _print_json(report.to_json())
    else:
        if report.ok:
            out.print(
                f"[green]ok[/green]: {report.rows} placements, cost {_money(report.cost)}, "
                "no breach"
            )
        else:
            t = Table(
                "kind",
                "clause",
                "offer",
                "workload",
                "month",
                "detail",
                title=f"{len(report.breaches)} breaches",
            )
            for b in report.breaches:
                t.add_row(
                    b.kind,
                    b.clause or "",
                    b.offer or "",
                    b.workload or "",
                    b.period or "",
                    b.detail,
                )
            out.print(t)
    if not report.ok:
        raise typer.Exit(1)


# ---------------------------------------------------------------------------- brief
@app.command()
def brief(scenario: ScenarioArg = None, lang: LangOpt = "en") -> None:
    """A short briefing: the amendment timeline and representative decisions."""
    try:
        s = _load(scenario)
        data = s.timeline(lang=lang)
        decisions = []
        for q in s.data.briefing:
            opts = dict(q.options)
            d = s.decide(
                at=q.at,
                principal=q.principal,
                action=q.action,
                events={k: v for k, v in q.events.items()},
                lang=lang,
                **opts,
            )
            decisions.append((q, d))
    except CharterError as exc:
        _fail(exc)
    out.rule(Text(_scenario_title(s, lang), style="bold"))
    meta_tr = s.data.meta.translations.get(lang)
    description = (meta_tr.summary if meta_tr else None) or s.data.meta.description
    if description:
        out.print(Text(description), width=100)
    out.print(Text("\n" + t(lang, "label.timeline"), style="bold"))
    table = Table("date", "change", "added", "ended", box=None)
    for e in data["entries"]:
        added = ", ".join(c["id"] for c in e["added"]) or "-"
        ended = (
            ", ".join(
                [r["id"] for r in e["replaced"]]
                + [r["id"] for r in e["removed"]]
                + [f"{n['id']} (narrowed)" for n in e["narrowed"]]
            )
            or "-"
        )
        table.add_row(e["date"], e["title"], added, ended)
    out.print(table)
    if decisions:
        out.print(Text("\n" + t(lang, "label.decisions"), style="bold"))
    for q, d in decisions:
        ev = "".join(f" [{k}={v}]" for k, v in q.events.items())
        ask = q.ask_de if lang == "de" and q.ask_de else q.ask
        out.print(Text(f"\n{q.at}  {ask}{ev}", style="bold"))
        _render_decision(d)
    out.print(Text("\n" + t(lang, "label.ask_more"), style="dim"))


def main() -> None:
    """Console entry point."""
    try:
        app()
    except CharterError as exc:  # a last guard: user errors never end in a traceback
        err.print(f"error: {exc}")
        raise SystemExit(2) from None
