"""``diff``: what an amendment changes (clauses, every decision that flips) and what it is
worth to each party, with the uncertainty the plans' gaps leave."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.text import Text

from charter.cli.common import (
    EventOpt,
    JsonOpt,
    LangOpt,
    ScenarioArg,
    Table,
    err,
    load,
    out,
    parse_events,
    print_json,
    scenario_title,
)
from charter.cli.questions import headers
from charter.errors import RequestError
from charter.i18n import date, money, number, t, word

if TYPE_CHECKING:
    from charter.diff import VersionDiff
    from charter.diff.flips import Flip
    from charter.diff.versions import Version

__all__ = ["diff", "parse_revenue", "render_diff"]

#: statements shown per change of answer (the rest: --all or --json)
SHOWN = 3


def parse_revenue(text: str | None) -> list[tuple[str, float]]:
    """``--revenue``: ``2026=20e9,2027=30e9`` or a CSV file of ``period,revenue``."""
    if not text:
        return []
    path = Path(text)
    if "=" not in text and (path.suffix.lower() == ".csv" or path.exists()):
        from charter.revenue import read_history

        return [(p.label, v) for p, v in read_history(path)]
    from charter.periods import Period
    from charter.revenue import revenue_amount

    out_: list[tuple[str, float]] = []
    for item in text.split(","):
        period, sep, amount = item.partition("=")
        if not sep:
            raise RequestError(
                f"--revenue: expected PERIOD=AMOUNT items like 2026=20000000000 or a CSV "
                f"file, got {item!r}"
            )
        Period.parse(period.strip())
        value = revenue_amount(amount.strip(), f"--revenue {period.strip()}")
        out_.append((period.strip(), value))
    return out_


def _horizon(text: str | None) -> tuple[str, str] | None:
    if not text:
        return None
    first, sep, last = text.partition("..")
    if not sep or not first.strip() or not last.strip():
        raise RequestError(
            f"--horizon: expected FIRST..LAST months like 2026-01..2028-12, got {text!r}"
        )
    return first.strip(), last.strip()


def diff(
    scenario: ScenarioArg = None,
    from_: Annotated[
        str,
        typer.Option(
            "--from", help="The earlier version: an amendment date, V<n>, latest or previous."
        ),
    ] = "",
    to: Annotated[
        str | None,
        typer.Option("--to", help="The later version (default: latest).", show_default=False),
    ] = None,
    to_file: Annotated[
        Path | None,
        typer.Option(
            "--to-file",
            help="A draft amendment (YAML, one entry of amendments:) signed after --from.",
            show_default=False,
        ),
    ] = None,
    event: EventOpt = None,
    revenue: Annotated[
        str | None,
        typer.Option(
            "--revenue",
            help="Revenue path for the shares: 2026=20e9,2027=30e9, or a CSV period,revenue.",
            show_default=False,
        ),
    ] = None,
    horizon: Annotated[
        str | None,
        typer.Option(
            "--horizon",
            help="Months to plan, FIRST..LAST (default: the scenario's).",
            show_default=False,
        ),
    ] = None,
    no_plans: Annotated[
        bool, typer.Option("--no-plans", help="Skip planning the portfolio (decisions only).")
    ] = False,
    drivers: Annotated[
        bool,
        typer.Option("--drivers", help="Also re-plan without each clause the later version adds."),
    ] = False,
    time_limit: Annotated[
        float, typer.Option("--time-limit", help="Seconds for each plan.")
    ] = 60.0,
    show_all: Annotated[bool, typer.Option("--all", help="Print every statement.")] = False,
    summary: Annotated[
        bool,
        typer.Option("--summary", help="One line per change of answer, with one example."),
    ] = False,
    lang: LangOpt = "en",
    as_json: JsonOpt = False,
) -> None:
    """What changes from one version to another: clauses, every decision that flips, money."""
    from charter.diff import diff as compare

    if not from_:
        raise RequestError("--from is required (an amendment date, V<n>, latest or previous)")
    s = load(scenario)
    quiet = as_json

    def progress(message: str) -> None:
        if not quiet:
            err.print(Text(message, style="dim"))

    result = compare(
        s,
        before=from_,
        after=to,
        draft=to_file,
        events=parse_events(event),
        revenue=parse_revenue(revenue),
        horizon=_horizon(horizon),
        plans=not no_plans,
        drivers=drivers,
        time_limit=time_limit,
        lang=lang,
        progress=progress,
    )
    if as_json:
        print_json(result.to_json())
        return
    render_diff(result, scenario_title(s, lang), lang, every=show_all, summary=summary)


def render_diff(
    d: VersionDiff, title: str, lang: str, *, every: bool = False, summary: bool = False
) -> None:
    """The comparison as text: the clause changes, the flips by change of answer, the money."""
    out.print(
        Text(
            t(
                lang,
                "diff.title",
                title=title,
                a=_version(d.before, lang),
                b=_version(d.after, lang),
                since=date(lang, d.since),
            ),
            style="bold",
        )
    )
    for note in d.notes:
        out.print(Text(note, style="yellow"))
    out.print(Text("\n" + t(lang, "diff.clauses"), style="bold"))
    if not d.clauses:
        out.print("  " + t(lang, "diff.none"))
    for c in d.clauses:
        if c.change == "added":
            kind = word(lang, "kind", c.kind or "")
            grade = word(lang, "grade", c.confidence or "")
            out.print(Text(f"  + {c.clause:<7} {kind}: {c.title} ({grade})"))
        elif c.change == "replaced":
            out.print(Text(f"  ~ {c.clause:<7} {t(lang, 'label.replaced_by')} {c.by}"))
        elif c.change == "removed":
            by = f" ({t(lang, 'label.stated_by')} {c.by})" if c.by else ""
            out.print(Text(f"  - {c.clause:<7} {t(lang, 'label.removed')}{by}"), style="red")
        else:
            out.print(Text(f"  ~ {c.clause:<7} {t(lang, 'label.narrowed_to')} {c.to}"))
    out.print(
        Text(
            "\n"
            + t(
                lang,
                "diff.flips",
                flipped=number(lang, d.flipped),
                classes=number(lang, d.classes),
                seconds=number(lang, d.seconds, 2),
            ),
            style="bold",
        )
    )
    for kind in ("verdict", "obligations", "reason"):
        group = [f for f in d.flips if f.kind == kind]
        out.print(Text(f"  {t(lang, 'diff.kind.' + kind)}: {len(group)}", style="bold"))
        by_change: dict[str, list[Flip]] = defaultdict(list)
        for f in group:
            by_change[f.change(lang)].append(f)
        if summary:
            _summary(group, lang, examples=kind == "verdict")
            continue
        for change, flips in by_change.items():
            n = sum(f.classes for f in flips)
            counts = t(lang, "diff.group", statements=len(flips), classes=number(lang, n))
            out.print(Text(f"    {change}  ({counts})"))
            limit = len(flips) if every else SHOWN
            for f in flips[:limit]:
                out.print(Text(f"      {f.requests(lang)}"), style="dim")
            if len(flips) > limit:
                out.print(Text("      " + t(lang, "diff.more", n=len(flips) - limit)), style="dim")
    _render_money(d, lang)


def _summary(group: list[Flip], lang: str, *, examples: bool) -> None:
    """``--summary``: one line per change of verdict (deny → allow), the clauses on each side
    and, for verdict flips, the statement covering the most classes as an example."""
    by_verdict: dict[tuple[str, str], list[Flip]] = defaultdict(list)
    for f in group:
        by_verdict[(f.before.verdict, f.after.verdict)].append(f)
    for (a, b), flips in by_verdict.items():
        before = sorted({c for f in flips for c in f.before.clauses})
        after = sorted({c for f in flips for c in f.after.clauses})
        n = sum(f.classes for f in flips)
        change = f"{word(lang, 'verdict', a)} → {word(lang, 'verdict', b)}"
        counts = t(lang, "diff.group", statements=len(flips), classes=number(lang, n))
        clauses = t(
            lang, "diff.sides", before=", ".join(before) or "-", after=", ".join(after) or "-"
        )
        out.print(Text(f"    {change}: {counts}; {clauses}"))
        if examples:
            top = max(flips, key=lambda f: f.classes)
            out.print(
                Text("      " + t(lang, "diff.example", text=top.sentence(lang))), style="dim"
            )


def _render_money(d: VersionDiff, lang: str) -> None:
    m = d.money
    if m is None:
        return
    out.print(Text("\n" + t(lang, "diff.money"), style="bold"))
    if m.shares:
        table = Table(
            *headers(lang, "payer", "payee", "period", "from", "to", "delta"),
            title=t(lang, "diff.shares"),
        )
        for r in m.shares:
            flag = " ?" if r.uncertain else ""
            table.add_row(
                r.payer,
                r.payee,
                r.period,
                _usd(lang, r.before),
                _usd(lang, r.after) + flag,
                _usd(lang, r.delta),
            )
        out.print(table)
    a, b = m.plans.get("from"), m.plans.get("to")
    if a is not None and b is not None:
        for label, p in ((_version(d.before, lang), a), (_version(d.after, lang), b)):
            gap = "-" if p.gap is None else f"{p.gap * 100:.3f}%"
            out.print(
                "  "
                + t(
                    lang,
                    "diff.plan",
                    version=label,
                    status=p.status,
                    cost=_usd(lang, p.cost),
                    bound=_usd(lang, p.bound),
                    gap=gap,
                )
            )
        rng = m.delta_range
        if m.delta is not None and rng is not None:
            out.print(
                Text(
                    "  "
                    + t(
                        lang,
                        "diff.delta",
                        delta=_usd(lang, m.delta),
                        lo=_usd(lang, rng[0]),
                        hi=_usd(lang, rng[1]),
                    ),
                    style="bold",
                )
            )
        else:
            out.print("  " + t(lang, "diff.no_delta"))
    for dr in m.drivers:
        out.print("  " + t(lang, "diff.driver", clause=dr["clause"], part=_usd(lang, dr["part"])))
    rows = [
        r
        for r in m.parties
        if any(
            abs(r[k]["delta"]) >= 0.5
            for k in ("compute_spend", "provider_revenue", "shares_paid", "shares_received")
        )
    ]
    if rows:
        table = Table(
            *headers(
                lang,
                "party",
                "year",
                "compute_spend",
                "provider_revenue",
                "shares_paid",
                "shares_received",
            ),
            title=t(lang, "diff.parties"),
        )
        for row in rows:
            table.add_row(
                row["party"],
                row["year"],
                *(
                    _usd(lang, row[k]["delta"])
                    for k in ("compute_spend", "provider_revenue", "shares_paid", "shares_received")
                ),
            )
        out.print(table)
    elif m.plans or m.shares:
        out.print("  " + t(lang, "diff.no_party_change"))


def _version(v: Version, lang: str) -> str:
    """``V4 (28.10.2025)``; a draft: its file and date."""
    if v.draft is not None:
        return t(lang, "diff.draft", file=v.label, date=date(lang, v.date))
    return f"{v.label} ({date(lang, v.date)})"


def _usd(lang: str, x: float | None) -> str:
    return "-" if x is None else money(lang, round(x), "USD")
