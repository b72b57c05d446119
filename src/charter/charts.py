"""Charts of plans, commitments and amendments: Plotly figures built from charter's documents.

Every builder is a pure function of a document (a plan's ``to_json()``, a commitment of the
burn-down, a scenario's timeline) and returns a :class:`plotly.graph_objects.Figure`. The
numbers are the traces' ``x``/``y`` as plain lists, so what a chart shows can be read back
and compared with the document it came from. Titles and axis labels are in English or German
(:func:`charter.i18n.t`, keys ``chart.*``).
"""

from __future__ import annotations

import datetime as dt
import html
import math
import textwrap
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from charter.i18n import date, money, t

if TYPE_CHECKING:
    from charter.scenario import Scenario

__all__ = [
    "PALETTE",
    "amendment_timeline",
    "burn_down",
    "clause_costs",
    "holder_share",
    "hours_by_provider",
    "provider_colors",
    "spend_by_provider_year",
]

#: Okabe and Ito's colour-blind-safe palette (black last: it is also the text colour)
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)


def provider_colors(providers: Sequence[str]) -> dict[str, str]:
    """A colour per provider: the ids sorted, then laid onto :data:`PALETTE` in turn (cycling
    when there are more providers than colours), so the same set of providers gets the same
    colours in every chart and every run."""
    return {p: PALETTE[i % len(PALETTE)] for i, p in enumerate(sorted(set(providers)))}


def _layout(fig: go.Figure, title: str, x: str, y: str) -> go.Figure:
    fig.update_layout(
        title={"text": html.escape(title)},
        xaxis_title=html.escape(x),
        yaxis_title=html.escape(y),
        template="plotly_white",
        # the legend below the axis title, clear of it
        legend={"orientation": "h", "y": -0.3, "yanchor": "top"},
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
    )
    return fig


def _color(colors: Mapping[str, str], provider: str) -> str:
    return colors.get(provider, PALETTE[-1])


def _by_month(plan: Mapping[str, Any]) -> tuple[list[str], dict[str, dict[str, float]]]:
    """The plan's months in order and, per provider, its accelerator-hours in each month."""
    cells: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    months: set[str] = set()
    for p in plan.get("placements", []):
        cells[str(p["provider"])][str(p["period"])].append(float(p["hours"]))
        months.add(str(p["period"]))
    order = sorted(months)
    hours = {
        prov: {m: math.fsum(by_month.get(m, [])) for m in order}
        for prov, by_month in sorted(cells.items())
    }
    return order, hours


def hours_by_provider(
    plan: Mapping[str, Any], colors: Mapping[str, str], lang: str = "en"
) -> go.Figure:
    """Accelerator-hours per month, stacked by provider, from the plan's placements."""
    months, hours = _by_month(plan)
    fig = go.Figure()
    for prov, by_month in hours.items():
        fig.add_trace(
            go.Scatter(
                x=months,
                y=[by_month[m] for m in months],
                name=prov,
                mode="lines",
                stackgroup="hours",
                line={"color": _color(colors, prov)},
            )
        )
    return _layout(
        fig, t(lang, "chart.hours.title"), t(lang, "chart.month"), t(lang, "chart.hours")
    )


def spend_by_provider_year(
    plan: Mapping[str, Any], colors: Mapping[str, str], lang: str = "en"
) -> go.Figure:
    """Spend per year, stacked bars by provider, from the plan's ``by_provider_year``."""
    rows = plan.get("by_provider_year", [])
    years = sorted({str(r["year"]) for r in rows})
    spend: dict[str, dict[str, float]] = defaultdict(dict)
    for r in rows:
        spend[str(r["provider"])][str(r["year"])] = float(r["spend"])
    fig = go.Figure()
    for prov in sorted(spend):
        fig.add_trace(
            go.Bar(
                x=years,
                y=[spend[prov].get(y, 0.0) for y in years],
                name=prov,
                marker={"color": _color(colors, prov)},
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(type="category")
    return _layout(
        fig, t(lang, "chart.spend.title"), t(lang, "chart.year"), f"{t(lang, 'chart.spend')} (USD)"
    )


def holder_share(
    plan: Mapping[str, Any], holder_providers: Collection[str], lang: str = "en"
) -> go.Figure:
    """The share (0 to 1) of each month's accelerator-hours placed on the commitment holder's
    providers."""
    months, hours = _by_month(plan)
    holders = set(holder_providers)
    shares = []
    for m in months:
        total = math.fsum(h[m] for h in hours.values())
        held = math.fsum(h[m] for prov, h in hours.items() if prov in holders)
        shares.append(held / total if total else 0.0)
    fig = go.Figure(
        go.Scatter(
            x=months,
            y=shares,
            name=", ".join(sorted(holders)) or "-",
            mode="lines+markers",
            line={"color": PALETTE[0]},
        )
    )
    fig.update_yaxes(range=[0, 1.02], tickformat=".0%")
    title = t(lang, "chart.holder.title", providers=", ".join(sorted(holders)) or "-")
    return _layout(fig, title, t(lang, "chart.month"), t(lang, "chart.share"))


def clause_costs(plan: Mapping[str, Any], lang: str = "en") -> go.Figure:
    """What each clause in force costs (with − without), as horizontal bars; a figure with a
    note instead when the plan priced no clause."""
    rows = [r for r in plan.get("clause_costs") or [] if r.get("cost") is not None]
    fig = go.Figure()
    if not rows:
        fig.add_annotation(
            text=html.escape(t(lang, "chart.clause_costs.none")),
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
        )
        fig.update_xaxes(visible=False)
        fig.update_yaxes(visible=False)
    else:
        rows.sort(key=lambda r: float(r["cost"]))
        fig.add_trace(
            go.Bar(
                x=[float(r["cost"]) for r in rows],
                y=[str(r["clause"]) for r in rows],
                orientation="h",
                hovertext=[html.escape(str(r.get("title") or "")) for r in rows],
                marker={"color": PALETTE[0]},
                name=t(lang, "chart.clause_costs.cost"),
            )
        )
        fig.update_yaxes(type="category")
    return _layout(
        fig,
        t(lang, "chart.clause_costs.title"),
        f"{t(lang, 'chart.spend')} (USD)",
        t(lang, "chart.clause"),
    )


def _today(entry: Mapping[str, Any], start: dt.date, end: dt.date) -> dt.date:
    """The day a burn-down entry was computed on, read back from its pace: the pace needed
    by then is the committed amount times the share of the window elapsed."""
    committed = float(entry.get("committed") or 0.0)
    needed = entry.get("pace_needed_by_now")
    if not committed or needed is None:
        return end
    days = (end - start).days + 1
    return start + dt.timedelta(days=round(float(needed) / committed * days))


def burn_down(
    entry: Mapping[str, Any], lang: str = "en", *, as_of: dt.date | str | None = None
) -> go.Figure:
    """One commitment of :func:`charter.ledger.commitments.burn_down`: the committed amount,
    the spend to date, the linear pace over the window, the pace needed from today on, and
    where the current run rate leads by the window's end; the shortfall that projection
    implies is in the title.

    ``as_of`` is the burn-down's ``as_of`` day; without it the day is read back from the
    entry's pace.
    """
    committed = float(entry.get("committed") or 0.0)
    spent = float(entry.get("spent") or 0.0)
    currency = str(entry.get("currency") or "USD")
    start = dt.date.fromisoformat(str(entry["window_start"]))
    fig = go.Figure()
    if entry.get("window_end") is None:  # open-ended: no pace and no projection
        fig.add_trace(
            go.Scatter(x=[start.isoformat()], y=[spent], name=t(lang, "chart.burn.spent"))
        )
        fig.add_hline(y=committed)
        title = t(lang, "chart.burn.open", clause=entry["clause"])
        return _layout(fig, title, t(lang, "chart.date"), currency)
    end = dt.date.fromisoformat(str(entry["window_end"]))
    if as_of is None:
        today = _today(entry, start, end)
    else:
        today = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(as_of)
    today = min(max(today, start), end)
    projected = float(entry.get("projected_at_window_end") or 0.0)
    shortfall = float(entry.get("projected_shortfall") or 0.0)
    s, e, d = start.isoformat(), end.isoformat(), today.isoformat()
    lines: list[tuple[str, list[str], list[float], dict[str, Any]]] = [
        ("chart.burn.committed", [s, e], [committed, committed], {"color": PALETTE[7]}),
        ("chart.burn.pace", [s, e], [0.0, committed], {"color": PALETTE[4], "dash": "dot"}),
        ("chart.burn.spent", [s, d], [0.0, spent], {"color": PALETTE[0], "width": 3}),
        ("chart.burn.needed", [d, e], [spent, committed], {"color": PALETTE[2], "dash": "dash"}),
        ("chart.burn.projected", [d, e], [spent, projected], {"color": PALETTE[5]}),
    ]
    for key, xs, ys, line in lines:
        fig.add_trace(go.Scatter(x=xs, y=ys, name=t(lang, key), mode="lines+markers", line=line))
    title = t(
        lang,
        "chart.burn.title",
        clause=entry["clause"],
        shortfall=money(lang, round(shortfall), currency),
        date=date(lang, today),
    )
    return _layout(fig, title, t(lang, "chart.date"), currency)


def amendment_timeline(s: Scenario, lang: str = "en") -> go.Figure:
    """The amendments and clarifications on a time axis: a marker each, labelled with its
    title and the number of clauses it adds (+) and ends (−, replaced or removed)."""
    entries = s.timeline(lang=lang)["entries"]
    fig = go.Figure()
    for row, kind in enumerate(("clarification", "amendment")):
        group = [e for e in entries if e["type"] == kind]
        if not group:
            continue
        added = [len(e["added"]) for e in group]
        ended = [len(e["replaced"]) + len(e["removed"]) for e in group]
        labels = [
            "<br>".join(html.escape(w) for w in textwrap.wrap(str(e["title"]), 26))
            + f"<br>+{a} / −{n}"
            for e, a, n in zip(group, added, ended, strict=True)
        ]
        # markers close in time sit at different heights, so their labels do not overlap
        fig.add_trace(
            go.Scatter(
                x=[str(e["date"]) for e in group],
                y=[2 * row + 0.9 * (i % 3) for i in range(len(group))],
                mode="markers+text",
                name=t(lang, f"chart.timeline.{kind}"),
                text=labels,
                textposition="top center",
                customdata=[[a, n] for a, n in zip(added, ended, strict=True)],
                hovertemplate="%{x}<br>%{text}<extra></extra>",
                marker={"size": 14, "color": PALETTE[row]},
            )
        )
    fig.update_yaxes(visible=False, range=[-0.6, 5.4])
    days = sorted(dt.date.fromisoformat(str(e["date"])) for e in entries)
    if days:  # room either side for the labels of the first and the last marker
        pad = dt.timedelta(days=max((days[-1] - days[0]).days // 10, 60))
        fig.update_xaxes(range=[(days[0] - pad).isoformat(), (days[-1] + pad).isoformat()])
    return _layout(fig, t(lang, "chart.timeline.title"), t(lang, "chart.date"), "")
