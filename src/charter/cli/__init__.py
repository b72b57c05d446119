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
from rich.table import Column
from rich.table import Table as RichTable
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
        "--lang", help="Language of explanations: en or de (verdicts and JSON keys stay English)."
    ),
]

VERDICT_STYLE = {"allow": "bold green", "deny": "bold red", "conditional": "bold yellow"}


def _fail(exc: CharterError) -> NoReturn:
    # assembled, not markup: a message may hold brackets, e.g. a path like [/tmp]
    err.print(Text.assemble(("error:", "red"), " ", str(exc)))
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

    try:
        if blank and scenario is not None:
            raise RequestError("give --blank or --from NAME, not both")
        path = init_scenario(dest, scenario, blank=blank)
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
            f"plan: {result.status}; cost {_money(result.cost)}; "
            + (
                f"bound {_money(result.bound)} ({result.bound_method}); gap {result.gap * 100:.3f}%"
                if result.bound is not None and result.gap is not None
                else "no bound yet (the time limit ended before any bound was proven; "
                "give it more --time-limit)"
            ),
            style="bold",
        )
    )
    out.print(
        f"{st.get('workloads')} workloads in {st.get('groups')} groups, {st.get('offers')} "
        f"offers, {st.get('periods')} months; {st.get('columns')} columns "
        f"({st.get('binaries')} binary), {st.get('rows')} rows; build {st.get('build_seconds')} s, "
        f"solve {st.get('solve_seconds')} s, {st.get('nodes')} nodes, warm start "
        f"{'yes' if st.get('warm_start') else 'no'}; strategy {st.get('strategy')}"
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
    for note in result.notes:
        out.print(Text(f"note: {note}"))


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
    strategy: Annotated[
        str,
        typer.Option(
            "--strategy",
            help="exact (HiGHS on the whole model), scale (column generation + restricted "
            "MILP), decompose (bound from a relaxation, plan from a restriction), or auto "
            "(by size).",
        ),
    ] = "auto",
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
                strategy=strategy,
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


# ---------------------------------------------------------------------------- service
db_app = typer.Typer(help="The database: migrations and status.", no_args_is_help=True)
token_app = typer.Typer(help="Bearer tokens for the service.", no_args_is_help=True)
ledger_app = typer.Typer(help="The tamper-evident ledger.", no_args_is_help=True)
rofr_app = typer.Typer(help="The right-of-first-refusal process.", no_args_is_help=True)
spend_app = typer.Typer(help="Spend records (FinOps FOCUS CSV).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(token_app, name="token")
app.add_typer(ledger_app, name="ledger")
app.add_typer(rofr_app, name="rofr")
app.add_typer(spend_app, name="spend")

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: $CHARTER_DATABASE_URL, else a SQLite "
        "file in your data directory).",
    ),
]
UrlOpt = Annotated[
    str | None,
    typer.Option(
        "--url",
        help="A running server (token from $CHARTER_TOKEN); without it, "
        "talk straight to the database as --as PARTY.",
    ),
]
AsOpt = Annotated[str | None, typer.Option("--as", help="Act as this party (database mode).")]
ScenarioOpt = Annotated[
    str | None, typer.Option("--scenario", help="Bundled scenario name or folder.")
]


def _db_url(db: str | None) -> str:
    import os

    from charter.ledger import default_url

    return db or os.environ.get("CHARTER_DATABASE_URL") or default_url()


def _database(db: str | None) -> Any:
    """The database named by --db, $CHARTER_DATABASE_URL or the default (DatabaseError if its
    URL is unusable)."""
    from charter.ledger import Database

    return Database(_db_url(db))


def _line(text: str, *, to_err: bool = False) -> None:
    """One plain line, never wrapped (rich wraps at 80 columns when not on a terminal)."""
    (err if to_err else out).print(Text(text), soft_wrap=True)


def _client(url: str | None, db: str | None, scenario: str | None, as_party: str | None) -> Any:
    """An HTTP client for a server, or for the app in-process on the database."""
    import os

    import httpx

    if url:
        try:
            parsed = httpx.URL(url)
        except httpx.InvalidURL as exc:
            raise RequestError(f"--url {url!r}: {exc}; expected http://HOST:PORT") from None
        if parsed.scheme not in ("http", "https") or not parsed.host:
            raise RequestError(f"--url {url!r}: expected http://HOST:PORT")
        token = os.environ.get("CHARTER_TOKEN")
        if not token:
            raise RequestError("set CHARTER_TOKEN to a token made with `charter token create`")
        return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    if not as_party:
        raise RequestError("without --url, say which party you act as: --as PARTY")
    import warnings

    with warnings.catch_warnings():  # starlette's note about its httpx-based test client
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient

    from charter.service import Settings, create_app
    from charter.service.policy import Caller

    app_ = create_app(
        Settings(db_url=_db_url(db), scenario=scenario, local_caller=Caller(as_party, "operator"))
    )
    return TestClient(app_)


def _detail(r: Any) -> str:
    """The reason of an error response: FastAPI's ``detail`` ("field: message; ...")."""
    try:
        detail = r.json().get("detail")
    except (ValueError, AttributeError):
        return str(r.text).strip()[:300] or str(r.reason_phrase)
    if not isinstance(detail, list):
        return str(detail)
    parts = []
    for d in detail:
        if not isinstance(d, dict):
            parts.append(str(d))
            continue
        loc = ".".join(str(x) for x in d.get("loc", []) if x not in ("body", "database"))
        parts.append(f"{loc}: {d.get('msg')}" if loc else str(d.get("msg")))
    return "; ".join(parts)


def _call(client: Any, method: str, path: str, **kw: Any) -> Any:
    import httpx

    try:
        r = client.request(method, path, **kw)
    except httpx.TransportError as exc:  # nothing listening, a timeout, a dropped connection
        raise RequestError(
            f"cannot reach the server at {client.base_url}: {exc or type(exc).__name__}; "
            "is `charter serve` running there (check --url)?"
        ) from None
    if r.status_code >= 400:
        raise RequestError(f"{r.status_code}: {_detail(r)}")
    try:
        return r.json()
    except ValueError:
        raise RequestError(
            f"the server at {client.base_url} did not answer with JSON (HTTP {r.status_code}); "
            "is --url a charter server?"
        ) from None


@db_app.command("upgrade")
def db_upgrade(db: DbOpt = None) -> None:
    """Apply every migration to the database."""
    try:
        d = _database(db)
        rev = d.upgrade()
    except CharterError as exc:
        _fail(exc)
    _line(f"database at revision {rev}: {d.shown_url}")


@db_app.command("status")
def db_status(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Show the database, its schema revision and whether it is current.

    Exit 0 when the schema is current, 1 when it is out of date or absent, 2 when the database
    cannot be opened.
    """
    try:
        d = _database(db)
        missing = d.file_missing()
        current, head = d.revision(), d.head()
        known = d.known_revisions()
    except CharterError as exc:
        _fail(exc)
    if current == head:
        state, advice = "current", "up to date"
    elif current is None:
        state = "absent"
        advice = (
            "no database file yet" if missing else "no schema yet"
        ) + ": run `charter db upgrade` (`charter serve` also creates it on an empty database)"
    elif current not in known:
        state, advice = "newer", "written by a newer charter: upgrade charter"
    else:
        state, advice = "behind", "out of date: run `charter db upgrade`"
    if as_json:
        _print_json({"database": d.shown_url, "revision": current, "head": head, "state": state})
    else:
        _line(f"database {d.shown_url}: revision {current or 'none'}; newest {head} — {advice}")
    if state != "current":
        raise typer.Exit(1)


@token_app.command("create")
def token_create(
    party: Annotated[str, typer.Option("--party", help="The party the token acts for.")],
    role: Annotated[str, typer.Option("--role", help="viewer or operator.")] = "viewer",
    scenario: ScenarioOpt = None,
    db: DbOpt = None,
) -> None:
    """Create a bearer token and print it once (only its hash is stored)."""
    from charter.service.tokens import create_token

    try:
        s = _load(scenario)
        d = _database(db)
        d.require_current()
        ident, token = create_token(d, party, role, set(s.parties))
    except CharterError as exc:
        _fail(exc)
    err.print(f"token {ident} for {party} ({role}); it is shown only now:")
    sys.stdout.write(token + "\n")


@token_app.command("list")
def token_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List the tokens: id, party, role, created, revoked (never a token or its hash)."""
    from charter.service.tokens import list_tokens

    try:
        d = _database(db)
        d.require_current()
        rows = list_tokens(d)
    except CharterError as exc:
        _fail(exc)
    if as_json:
        _print_json(rows)
        return
    if not rows:
        _line("no tokens yet; make one with `charter token create --party PARTY --role ROLE`")
        return
    table = Table("id", "party", "role", "created", "revoked", box=None)
    for r in rows:
        table.add_row(str(r["id"]), r["party"], r["role"], r["created"], r["revoked"] or "-")
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    ident: Annotated[int, typer.Argument(help="The token's id.")], db: DbOpt = None
) -> None:
    """Revoke a token."""
    from charter.service.tokens import revoke_token

    try:
        d = _database(db)
        d.require_current()
        revoke_token(d, ident)
    except CharterError as exc:
        _fail(exc)
    out.print(f"token {ident} revoked")


def _listen(host: str, port: int) -> Any:
    """A listening socket on host:port (port 0: any free port), or a RequestError."""
    import socket

    if not 0 <= port <= 65535:
        raise RequestError(f"--port {port}: expected 0 to 65535")
    try:
        family, kind, proto, _, addr = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except OSError as exc:
        raise RequestError(f"--host {host!r}: {exc.strerror or exc}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(addr)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise RequestError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
            "is another server running there? choose another --port (or --host)"
        ) from None
    return sock


@app.command()
def serve(
    scenario: ScenarioArg = None,
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).")] = 8000,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Run the clock from this date (e.g. 2025-03-01).")
    ] = None,
) -> None:
    """Start the service (FastAPI on uvicorn); OpenAPI at /docs.

    On an empty database it creates the schema; on an out-of-date one it refuses (run
    `charter db upgrade`). It prints one line saying where it listens, the scenario, the
    database and the clock.
    """
    import uvicorn

    from charter.dates import parse_date
    from charter.service import Settings, create_app

    sock = None
    try:
        day = parse_date(as_of, what="--as-of") if as_of else None
        url = _db_url(db)
        sock = _listen(host, port)
        d = _database(db)
        try:
            created = d.create_schema_if_empty()
        finally:
            d.dispose()
        if created:
            _line(f"created the database schema ({created}) in {d.shown_url}", to_err=True)
        app_ = create_app(Settings(db_url=url, scenario=scenario, as_of=day))
    except CharterError as exc:
        if sock is not None:
            sock.close()
        _fail(exc)
    bound_host, bound_port = sock.getsockname()[:2]
    shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    clock = f"clock from {day.isoformat()} (--as-of)" if day else "system clock"
    _line(
        f"serving http://{shown_host}:{bound_port} (OpenAPI at /docs): scenario "
        f"{app_.state.scenario.name}, database {d.shown_url}, {clock}",
        to_err=True,
    )
    server = uvicorn.Server(uvicorn.Config(app_, log_level="warning"))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        app_.state.db.dispose()


@ledger_app.command("verify")
def ledger_verify(url: UrlOpt = None, db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Check every link of the chain; exit 1 at the first broken one."""
    from charter.ledger import Ledger

    try:
        if url:
            result = _call(_client(url, db, None, None), "GET", "/v1/ledger/verify")
        else:
            d = _database(db)
            d.require_current()
            with d.guard(), d.session() as s:
                result = Ledger(d.is_sqlite).verify(s).to_json()
    except CharterError as exc:
        _fail(exc)
    if as_json:
        _print_json(result)
    elif result["ok"]:
        out.print(f"[green]intact[/green]: {result['events']} events, head {result['head']}")
    else:
        out.print(f"[red]broken[/red] at event {result['broken_at']}: {result['reason']}")
    if not result["ok"]:
        raise typer.Exit(1)


@rofr_app.command("list")
def rofr_list(
    url: UrlOpt = None,
    db: DbOpt = None,
    as_party: AsOpt = None,
    scenario: ScenarioOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Requests you filed, and requests addressed to you as holder."""
    try:
        data = _call(_client(url, db, scenario, as_party), "GET", "/v1/rofr/requests")
    except CharterError as exc:
        _fail(exc)
    if as_json:
        _print_json(data)
        return
    t = Table("id", "principal", "holder", "family", "status", "deadline", "reason")
    for r in data["requests"]:
        t.add_row(
            r["id"][:8],
            r["principal"],
            r.get("holder") or "-",
            r["family"],
            r["status"],
            r["deadline"][:10],
            r.get("reason") or "",
        )
    out.print(t)


@rofr_app.command("file")
def rofr_file(
    provider: Annotated[str, typer.Option(help="The third party you intend to buy from.")],
    family: Annotated[str, typer.Option(help="Accelerator family.")],
    quantity: Annotated[list[str], typer.Option(help="MONTH=HOURS (repeatable).")],
    window_from: Annotated[str, typer.Option("--from", help="Window start date.")],
    window_to: Annotated[str, typer.Option("--to", help="Window end date.")],
    price: Annotated[float, typer.Option(help="Third-party price per accelerator-hour.")],
    kind: Annotated[str, typer.Option(help="Workload kind.")] = "training",
    key: Annotated[str | None, typer.Option(help="Idempotency key (default: random).")] = None,
    url: UrlOpt = None,
    db: DbOpt = None,
    as_party: AsOpt = None,
    scenario: ScenarioOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """File a capacity request with the holder of the right of first refusal."""
    import uuid

    try:
        q: dict[str, float] = {}
        for item in quantity:
            month, sep, hours = item.partition("=")
            if not sep:
                raise RequestError(f"--quantity expects MONTH=HOURS, got {item!r}")
            q[month.strip()] = float(hours)
        body = {
            "provider": provider,
            "family": family,
            "kind": kind,
            "quantity": q,
            "window_from": window_from,
            "window_to": window_to,
            "price_per_hour": price,
        }
        data = _call(
            _client(url, db, scenario, as_party),
            "POST",
            "/v1/rofr/requests",
            json=body,
            headers={"Idempotency-Key": key or str(uuid.uuid4())},
        )
    except (CharterError, ValueError) as exc:
        _fail(exc if isinstance(exc, CharterError) else RequestError(str(exc)))
    if as_json:
        _print_json(data)
    else:
        out.print(
            f"request {data['id']}: {data['status']}"
            + (
                f" (holder {data['holder']}, answer by {data['deadline']})"
                if data["status"] == "open"
                else f": {data['reason']}"
            )
        )


def _resolve_request_id(client: Any, given: str) -> str:
    """A full request id, from a full id or a unique prefix of one (as `charter rofr list`
    prints them), looked up among the requests the caller can list."""
    import re
    import uuid

    prefix = given.strip().lower()
    if len(prefix) == 36:
        try:
            return str(uuid.UUID(prefix))
        except ValueError:
            pass
    if not re.fullmatch(r"[0-9a-f-]+", prefix):
        raise RequestError(
            f"{given!r} is not a request id: ids look like 3f2a9c1e-..., see `charter rofr list`"
        )
    if len(prefix) < MIN_ID_PREFIX:
        raise RequestError(
            f"request id {given!r} is too short: give at least {MIN_ID_PREFIX} characters "
            "(`charter rofr list` prints 8)"
        )
    listed = _call(client, "GET", "/v1/rofr/requests")["requests"]
    ids = sorted({str(r["id"]) for r in listed if str(r["id"]).startswith(prefix)})
    if not ids:
        raise RequestError(
            f"no request you can see has an id starting with {given!r}; "
            "`charter rofr list` shows yours"
        )
    if len(ids) > 1:
        raise RequestError(
            f"the id prefix {given!r} is ambiguous: it matches {', '.join(ids)}; "
            "give more characters"
        )
    return ids[0]


#: the shortest id prefix `charter rofr match/decline` accept (as git's abbreviated hashes)
MIN_ID_PREFIX = 4


def _rofr_answer(
    action: str,
    rid: str,
    url: str | None,
    db: str | None,
    as_party: str | None,
    scenario: str | None,
    key: str | None,
) -> None:
    import uuid

    try:
        client = _client(url, db, scenario, as_party)
        full = _resolve_request_id(client, rid)
        data = _call(
            client,
            "POST",
            f"/v1/rofr/requests/{full}/{action}",
            headers={"Idempotency-Key": key or str(uuid.uuid4())},
        )
    except CharterError as exc:
        _fail(exc)
    out.print(f"request {full}: {data['status']}")


@rofr_app.command("match")
def rofr_match(
    rid: Annotated[
        str, typer.Argument(help="Request id, or a unique prefix of it (at least 4 characters).")
    ],
    key: Annotated[str | None, typer.Option(help="Idempotency key.")] = None,
    url: UrlOpt = None,
    db: DbOpt = None,
    as_party: AsOpt = None,
    scenario: ScenarioOpt = None,
) -> None:
    """As the holder: take the capacity on the request's terms."""
    _rofr_answer("match", rid, url, db, as_party, scenario, key)


@rofr_app.command("decline")
def rofr_decline(
    rid: Annotated[
        str, typer.Argument(help="Request id, or a unique prefix of it (at least 4 characters).")
    ],
    key: Annotated[str | None, typer.Option(help="Idempotency key.")] = None,
    url: UrlOpt = None,
    db: DbOpt = None,
    as_party: AsOpt = None,
    scenario: ScenarioOpt = None,
) -> None:
    """As the holder: decline, releasing the request to third parties."""
    _rofr_answer("decline", rid, url, db, as_party, scenario, key)


@spend_app.command("import")
def spend_import(
    file: Annotated[Path, typer.Argument(help="A FinOps FOCUS CSV.")],
    key: Annotated[
        str | None, typer.Option(help="Idempotency key (default: the file's hash).")
    ] = None,
    url: UrlOpt = None,
    db: DbOpt = None,
    as_party: AsOpt = None,
    scenario: ScenarioOpt = None,
) -> None:
    """Import spend rows (BilledCost, EffectiveCost, ProviderName, ChargePeriodStart, ...)."""
    import hashlib

    try:
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise RequestError(f"{file}: {exc.strerror}") from None
        data = _call(
            _client(url, db, scenario, as_party),
            "POST",
            "/v1/spend/import",
            content=content,
            headers={
                "Idempotency-Key": key or hashlib.sha256(content).hexdigest(),
                "Content-Type": "text/csv",
            },
        )
    except CharterError as exc:
        _fail(exc)
    out.print(f"imported {data['imported']} spend rows")


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


def _error_line(message: str) -> None:
    err.print(Text.assemble(("error:", "red"), " ", message))


def _boundary_message(exc: Exception) -> str | None:
    """The ``error: ...`` message for a failure no command turned into a CharterError, or
    None for a bug. Only modules already imported are consulted (the check costs nothing)."""
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


def main() -> None:
    """Console entry point, and the CLI's one error boundary: whatever a user can cause ends
    in ``error: ...`` on stderr and exit 2, an interrupt in exit 130, never a traceback."""
    import os

    try:
        app()
    except SystemExit as exc:
        if exc.code == 130:  # Typer's answer to Ctrl-C (no command exits 130 otherwise)
            err.print("interrupted")
        raise
    except KeyboardInterrupt:
        err.print("interrupted")
        raise SystemExit(130) from None
    except CharterError as exc:
        _error_line(str(exc))
        raise SystemExit(2) from None
    except Exception as exc:
        message = _boundary_message(exc)
        if message is not None:
            _error_line(message)
            raise SystemExit(2) from None
        if os.environ.get("CHARTER_DEBUG"):
            raise
        _error_line(
            f"internal error: {type(exc).__name__}: {exc}. This is a bug in charter; please "
            "report it (CHARTER_DEBUG=1 shows the traceback)"
        )
        raise SystemExit(1) from None
