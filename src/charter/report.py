"""The report: one self-contained HTML file of a scenario, its plan and its latest change.

:func:`build_report` returns the page: the amendment timeline, the clauses in force on a day,
the plan's charts (:mod:`charter.charts`) with its cost, bound and gap, what each clause
costs when the plan priced them, its commitments, and the clause changes and verdict flips
between two versions. plotly.js is inlined once and every chart draws from data in the page,
so the file opens offline and loads nothing from elsewhere (the sources are links to click,
not resources). Every text is escaped (jinja2's autoescape).

:func:`write_pngs` renders each chart as a PNG with a headless chromium (:func:`find_browser`,
``$CHARTER_BROWSER`` overrides its path).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
import subprocess
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup

from charter import charts
from charter.errors import CharterError, RequestError
from charter.i18n import date, money, number, t, word

if TYPE_CHECKING:
    import plotly.graph_objects as go

    from charter.diff import VersionDiff
    from charter.scenario import Scenario

__all__ = [
    "BROWSER_MISSING",
    "build_report",
    "find_browser",
    "holder_providers",
    "plan_document",
    "report_figures",
    "write_atomically",
    "write_pngs",
]

#: where Debian's chromium package installs the browser
DEBIAN_CHROMIUM = "/usr/bin/chromium"
BROWSER_MISSING = (
    "--png needs a chromium browser (install Debian's chromium package or set CHARTER_BROWSER)"
)


# ---------------------------------------------------------------------------- the plan
def _spend_rows(placements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Spend and hours per provider and year, as the planner sums them for its document."""
    spend: dict[tuple[str, str], list[float]] = defaultdict(list)
    hours: dict[tuple[str, str], list[float]] = defaultdict(list)
    year_hours: dict[str, list[float]] = defaultdict(list)
    for p in placements:
        key = (p["provider"], p["period"][:4])
        spend[key].append(p["cost"])
        hours[key].append(p["hours"])
        year_hours[key[1]].append(p["hours"])
    rows = []
    for prov, year in sorted(spend):
        h, total = math.fsum(hours[(prov, year)]), math.fsum(year_hours[year])
        rows.append(
            {
                "provider": prov,
                "year": year,
                "spend": math.fsum(spend[(prov, year)]),
                "hours": h,
                "share_of_hours": h / total if total else 0.0,
            }
        )
    return rows


def _number_or_none(doc: Mapping[str, Any], key: str, name: str) -> float | None:
    value = doc.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise RequestError(f"{name}: {key}: expected a number, got {value!r}")
    return float(value)


def _rows_of(doc: Mapping[str, Any], key: str, name: str, fields: tuple[str, ...]) -> list[Any]:
    rows = doc.get(key) or []
    if not isinstance(rows, list) or not all(
        isinstance(r, dict) and all(f in r for f in fields) for r in rows
    ):
        raise RequestError(f"{name}: {key}: expected a list of rows with {', '.join(fields)}")
    return rows


def plan_document(s: Scenario, path: Path) -> dict[str, Any]:
    """The plan in ``path`` as a plan document (the shape of ``Plan.to_json()``).

    ``path`` is either the document itself (``charter plan --json > plan.json``) or a
    placements file (``charter plan --out plan.csv|json|parquet``). The placements are read
    as ``charter check`` reads them and completed from the scenario's offers (provider,
    family, cost = hours × price); spend per provider and year is summed from them. A
    placements file has no bound, gap, commitments, unmet demand or clause costs; the
    document's are kept, and its cost is the placements' plus the commitment shortfalls and
    unmet-demand penalties it states.

    Raises:
        RequestError: the file cannot be read, a row is bad or names an unknown offer.
    """
    from charter.plans import read_plan

    name = path.name
    rows = read_plan(path)
    offers = {o.id: o for o in s.data.offers}
    placements: list[dict[str, Any]] = []
    for r in rows:
        o = offers.get(r.offer)
        if o is None:
            raise RequestError(f"{name}:{r.line}: unknown offer {r.offer!r} in {s.name}")
        placements.append(
            {
                "workload": r.workload,
                "offer": r.offer,
                "provider": o.provider,
                "family": o.family,
                "period": r.period,
                "hours": r.hours,
                "cost": r.hours * o.price,
            }
        )
    doc: dict[str, Any] = {}
    if path.suffix.lower() == ".json":
        loaded = json.loads(path.read_text(encoding="utf-8"))  # read_plan parsed it already
        if isinstance(loaded, dict) and "status" in loaded:
            doc = loaded
    commitments = _rows_of(
        doc, "commitments", name, ("clause", "providers", "committed", "spent", "shortfall")
    )
    unmet = _rows_of(doc, "unmet", name, ("workload", "period", "hours", "penalty"))
    owed = [float(c["shortfall"]) for c in commitments] + [float(u["penalty"]) for u in unmet]
    return {
        "status": str(doc.get("status") or "-"),
        "source": name,
        "cost": math.fsum([*(p["cost"] for p in placements), *owed]),
        "bound": _number_or_none(doc, "bound", name),
        "gap": _number_or_none(doc, "gap", name),
        "by_provider_year": _spend_rows(placements),
        "commitments": commitments,
        "unmet": unmet,
        "clause_costs": _rows_of(doc, "clause_costs", name, ("clause", "cost")),
        "notes": [str(n) for n in doc.get("notes") or []],
        "placements": placements,
    }


def holder_providers(s: Scenario, plan_doc: Mapping[str, Any]) -> list[str]:
    """The providers the commitment holder's spend counts on: those of the plan's
    commitments, or, when the plan carries none, of the scenario's spend commitments."""
    from charter.clauses.base import SpendCommitment

    found = {str(p) for c in plan_doc.get("commitments") or [] for p in c["providers"]}
    if not found:
        for rec in s.clauses:
            if isinstance(rec.spec, SpendCommitment):
                found.update(rec.spec.spend_providers(s.providers_of))
    return sorted(found)


def planned_burn_downs(s: Scenario, plan_doc: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Each spend commitment with an amount, burned down by the *plan*: the plan's spend on
    the commitment's providers from the month the window starts in to the plan's last
    month, against the pace the window needs, as of that month's last day (the entries of
    :func:`charter.ledger.commitments.burn_down`, with the plan's spend for the ledger's;
    a plan covers the portfolio it was given, not all of the payer's spend)."""
    from charter.clauses.base import SpendCommitment
    from charter.dates import from_day_number

    months = sorted({str(p["period"]) for p in plan_doc.get("placements") or []})
    if not months:
        return []
    year, month = map(int, months[-1].split("-"))
    as_of = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    events = s.resolve_events(None)
    out = []
    for rec in s.clauses:
        spec = rec.spec
        if not isinstance(spec, SpendCommitment) or spec.amount is None:
            continue
        window = spec.window(rec.start, rec.end_day(events))
        if window is None:
            continue
        provs = set(spec.spend_providers(s.providers_of))
        first = rec.start.isoformat()[:7]
        spent = math.fsum(
            float(p["cost"])
            for p in plan_doc.get("placements") or []
            if p["provider"] in provs and str(p["period"]) >= first
        )
        b = spec.burn_down(window, spent, as_of)
        last = from_day_number(window[1] - 1)
        out.append(
            {
                "clause": rec.id,
                "payer": spec.payer,
                "payee": spec.payee,
                "committed": b.committed,
                "currency": spec.currency,
                "window_start": rec.start.isoformat(),
                "window_end": last.isoformat() if last is not None else None,
                "spent": b.spent,
                "remaining": b.remaining,
                "pace_needed_by_now": b.pace_needed_by_now,
                "run_rate_per_day": b.run_rate_per_day,
                "projected_at_window_end": b.projected_at_window_end,
                "projected_shortfall": b.projected_shortfall,
                "as_of": as_of.isoformat(),
            }
        )
    return out


# ---------------------------------------------------------------------------- charts
def report_figures(s: Scenario, plan_doc: Mapping[str, Any], lang: str) -> dict[str, go.Figure]:
    """The report's charts by name, in the order the page shows them."""
    providers = [str(p.id) for p in s.data.providers]
    providers += [str(p["provider"]) for p in plan_doc.get("placements", [])]
    colors = charts.provider_colors(providers)
    figs = {"timeline": charts.amendment_timeline(s, lang)}
    if plan_doc.get("placements"):
        figs["hours"] = charts.hours_by_provider(plan_doc, colors, lang)
        figs["spend"] = charts.spend_by_provider_year(plan_doc, colors, lang)
        figs["holder"] = charts.holder_share(plan_doc, holder_providers(s, plan_doc), lang)
    if plan_doc.get("clause_costs"):
        figs["clause-costs"] = charts.clause_costs(plan_doc, lang)
    for k, entry in enumerate(planned_burn_downs(s, plan_doc)):
        figs[f"burn-{k}"] = charts.burn_down(entry, lang, as_of=entry["as_of"])
    return figs


def _chart_html(name: str, fig: go.Figure) -> Markup:
    body = fig.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=f"chart-{name}",
        default_width="100%",
        default_height="440px",
        config={"displaylogo": False, "responsive": True},
    )
    return Markup(body)  # plotly's own markup, every text in it escaped


# ---------------------------------------------------------------------------- the page
_CSS = """
body { font-family: system-ui, sans-serif; color: #111; line-height: 1.45;
       max-width: 1200px; margin: 0 auto; padding: 1rem 1.25rem; }
h1 { font-size: 1.7rem; margin-bottom: .2rem; }
h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 2px solid #0072B2; }
h3 { font-size: 1.05rem; }
.meta, .note { color: #555; font-size: .9rem; }
.headline { font-weight: 600; }
.chart { width: 100%; margin: .5rem 0 1rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; vertical-align: top; padding: .3rem .5rem;
         border-bottom: 1px solid #ddd; }
th { background: #f3f6f9; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
ul.flips li { margin-bottom: .3rem; }
a { color: #0072B2; overflow-wrap: anywhere; }
@media (max-width: 600px) {
  body { padding: .5rem; font-size: .95rem; }
  h1 { font-size: 1.3rem; }
  table { font-size: .8rem; }
  th, td { padding: .25rem .3rem; }
}
"""

_PAGE = """<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<style>{{ css }}</style>
<script type="text/javascript">{{ plotlyjs }}</script>
</head>
<body>
<header id="top">
<h1>{{ title }}</h1>
{% if description %}<p class="description">{{ description }}</p>{% endif %}
<p class="meta">{{ scenario }} · {{ at_text }}</p>
</header>

<section id="timeline">
<h2>{{ h.timeline }}</h2>
<div class="chart">{{ charts.timeline }}</div>
</section>

<section id="in-force">
<h2>{{ h.in_force }}</h2>
<div class="scroll"><table>
<thead><tr>{% for c in in_force_headers %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for c in in_force %}<tr><td>{{ c.id }}</td><td>{{ c.kind }}</td><td>{{ c.title }}</td>
<td>{{ c.since }}</td><td>{{ c.ends }}</td><td>{{ c.grade }}</td>
<td>{% if c.link %}<a href="{{ c.link }}">{{ c.source }}</a>
{%- else %}{{ c.source }}{% endif %}</td></tr>
{% endfor %}</tbody></table></div>
</section>

<section id="plan">
<h2>{{ h.plan }}</h2>
<p class="headline">{{ headline }}</p>
{% for note in plan_notes %}<p class="note">{{ note }}</p>{% endfor %}
{% if charts.get("hours") %}
<div class="chart">{{ charts.hours }}</div>
<div class="chart">{{ charts.spend }}</div>
<div class="chart">{{ charts.holder }}</div>
{% else %}<p>{{ h.no_plan }}</p>{% endif %}
</section>

{% if charts.get("clause-costs") %}
<section id="clause-costs">
<h2>{{ h.clause_costs }}</h2>
<div class="chart">{{ charts["clause-costs"] }}</div>
</section>
{% endif %}

<section id="commitments">
<h2>{{ h.commitments }}</h2>
{% if commitments %}
<div class="scroll"><table>
<thead><tr>{% for c in commitment_headers %}<th>{{ c }}</th>{% endfor %}</tr></thead>
<tbody>
{% for c in commitments %}<tr><td>{{ c.clause }}</td><td>{{ c.providers }}</td>
<td class="num">{{ c.committed }}</td><td class="num">{{ c.spent }}</td>
<td class="num">{{ c.shortfall }}</td></tr>
{% endfor %}</tbody></table></div>
{% else %}<p>{{ h.no_commitments }}</p>{% endif %}
{% for name, chart in charts.items() if name.startswith("burn-") %}
<div class="chart">{{ chart }}</div>
{% endfor %}
</section>

<section id="diff">
<h2>{{ diff_title }}</h2>
<h3>{{ h.diff_clauses }}</h3>
{% if clause_changes %}<ul class="clauses">
{% for c in clause_changes %}<li>{{ c }}</li>
{% endfor %}</ul>{% else %}<p>{{ h.diff_no_clauses }}</p>{% endif %}
<h3>{{ h.diff_flips }}</h3>
{% for group in flip_groups %}
<h4>{{ group.change }} ({{ group.counts }})</h4>
<ul class="flips">{% for r in group.requests %}<li>{{ r }}</li>{% endfor %}</ul>
{% else %}<p>{{ h.diff_no_flips }}</p>{% endfor %}
<p class="note">{{ other_flips }}</p>
</section>
</body>
</html>
"""

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)


def _usd(lang: str, x: float | None) -> str:
    return "-" if x is None else money(lang, round(x), "USD")


def _title(s: Scenario, lang: str) -> tuple[str, str]:
    meta = s.data.meta
    tr = meta.translations.get(lang)
    title = str(tr.title) if tr is not None and tr.title else str(meta.title)
    description = tr.summary if tr is not None and tr.summary else meta.description
    return title, description or ""


def _graded(lang: str, c: Mapping[str, Any]) -> str:
    text = word(lang, "grade", c["confidence"])
    for figure, grade in c.get("figure_grades", {}).items():
        text += f"; {word(lang, 'figure_short', figure)} {word(lang, 'grade', grade)}"
    return text + (" ?" if c.get("uncertain") else "")


def _in_force_rows(s: Scenario, at: dt.date, lang: str) -> list[dict[str, str]]:
    rows = []
    for c in s.timeline(at=at, lang=lang)["in_force"]:
        source = str(c["sources"][0]) if c["sources"] else ""
        rows.append(
            {
                "id": c["id"],
                "kind": word(lang, "kind", c["kind"]),
                "title": c["title"],
                "since": date(lang, c["from"]),
                "ends": c["ends"],
                "grade": _graded(lang, c),
                "source": source,
                "link": source if source.startswith(("https://", "http://")) else "",
            }
        )
    return rows


def unmet_line(plan_doc: Mapping[str, Any], lang: str) -> str | None:
    """One sentence on the demand a plan leaves unmet at its workloads' penalties (None when
    it meets every demand)."""
    unmet = plan_doc.get("unmet") or []
    if not unmet:
        return None
    return t(
        lang,
        "plan.unmet",
        hours=number(lang, math.fsum(float(u["hours"]) for u in unmet)),
        workloads=len({u["workload"] for u in unmet}),
        penalty=_usd(lang, math.fsum(float(u["penalty"]) for u in unmet)),
    )


def _headline(plan_doc: Mapping[str, Any], lang: str) -> str:
    gap = plan_doc.get("gap")
    return t(
        lang,
        "report.headline",
        status=plan_doc.get("status", "-"),
        cost=_usd(lang, plan_doc.get("cost")),
        bound=_usd(lang, plan_doc.get("bound"))
        if plan_doc.get("bound") is not None
        else t(lang, "report.no_bound"),
        gap="-" if gap is None else f"{number(lang, gap * 100, 3)} %",
    )


def _clause_change(c: Any, lang: str) -> str:
    if c.change == "added":
        kind, grade = word(lang, "kind", c.kind or ""), word(lang, "grade", c.confidence or "")
        return f"+ {c.clause} {kind}: {c.title} ({grade})"
    if c.change == "replaced":
        return f"~ {c.clause} {t(lang, 'label.replaced_by')} {c.by}"
    if c.change == "removed":
        by = f" ({t(lang, 'label.stated_by')} {c.by})" if c.by else ""
        return f"- {c.clause} {t(lang, 'label.removed')}{by}"
    return f"~ {c.clause} {t(lang, 'label.narrowed_to')} {c.to}"


def _flip_groups(d: VersionDiff, lang: str) -> list[dict[str, Any]]:
    """The verdict flips by change of answer, each with its statements' requests."""
    groups: dict[str, list[Any]] = defaultdict(list)
    for f in d.flips:
        if f.kind == "verdict":
            groups[f.change(lang)].append(f)
    return [
        {
            "change": change,
            "counts": t(
                lang,
                "diff.group",
                statements=len(flips),
                classes=number(lang, sum(f.classes for f in flips)),
            ),
            "requests": [f.requests(lang) for f in flips],
        }
        for change, flips in groups.items()
    ]


def _version(v: Any, lang: str) -> str:
    return f"{v.label} ({date(lang, v.date)})"


def build_report(
    s: Scenario,
    *,
    plan_doc: Mapping[str, Any],
    before: str = "previous",
    after: str | None = None,
    at: dt.date | None = None,
    lang: str = "en",
) -> str:
    """The report's HTML page (see the module docstring).

    Args:
        plan_doc: a plan document (``Plan.to_json()`` or :func:`plan_document`).
        before, after: the versions compared (as ``charter diff --from/--to``; ``after``
            None is the latest; ``previous`` of a scenario with one version is that version,
            so the section says nothing changed).
        at: the day of the clauses in force (default: today).

    Raises:
        RequestError: an unknown version or language.
    """
    import plotly.offline

    from charter.diff import diff as compare
    from charter.diff.versions import amendment_dates
    from charter.scenario.scenario import check_lang

    check_lang(lang)
    day = at or dt.date.today()
    if before.strip().lower() == "previous" and len(amendment_dates(s)) < 2:
        before = "latest"
    d = compare(s, before=before, after=after, plans=False, lang=lang)
    figs = report_figures(s, plan_doc, lang)
    title, description = _title(s, lang)
    commitments = [
        {
            "clause": c["clause"],
            "providers": ", ".join(c["providers"]),
            "committed": _usd(lang, c["committed"]),
            "spent": _usd(lang, c["spent"]),
            "shortfall": _usd(lang, c["shortfall"]),
        }
        for c in plan_doc.get("commitments") or []
    ]
    counts = d.counts()
    notes = [str(n) for n in plan_doc.get("notes") or []]
    unmet = unmet_line(plan_doc, lang)
    if unmet is not None:
        notes.insert(0, unmet)
    if "source" in plan_doc:
        notes.insert(0, t(lang, "report.plan_from", file=plan_doc["source"]))
    values = {
        "lang": lang,
        "title": t(lang, "report.title", title=title),
        "description": description,
        "scenario": s.name,
        "at_text": t(lang, "report.in_force", date=date(lang, day)),
        "css": Markup(_CSS),
        "plotlyjs": Markup(plotly.offline.get_plotlyjs()),
        "charts": {name: _chart_html(name, fig) for name, fig in figs.items()},
        "h": {
            "timeline": t(lang, "report.timeline"),
            "in_force": t(lang, "report.in_force", date=date(lang, day)),
            "plan": t(lang, "report.plan"),
            "no_plan": t(lang, "report.no_plan"),
            "clause_costs": t(lang, "report.clause_costs"),
            "commitments": t(lang, "report.commitments"),
            "no_commitments": t(lang, "report.commitments.none"),
            "diff_clauses": t(lang, "diff.clauses"),
            "diff_no_clauses": t(lang, "diff.none"),
            "diff_flips": t(lang, "report.diff.flips"),
            "diff_no_flips": t(lang, "report.diff.none"),
        },
        "in_force_headers": [
            word(lang, "header", n)
            for n in ("id", "kind", "title", "since", "ends", "grade", "source")
        ],
        "in_force": _in_force_rows(s, day, lang),
        "headline": _headline(plan_doc, lang),
        "plan_notes": notes,
        "commitment_headers": [
            word(lang, "header", "clause"),
            t(lang, "report.providers"),
            t(lang, "report.committed"),
            t(lang, "report.planned"),
            t(lang, "report.shortfall"),
        ],
        "commitments": commitments,
        "diff_title": t(lang, "report.diff", a=_version(d.before, lang), b=_version(d.after, lang)),
        "clause_changes": [_clause_change(c, lang) for c in d.clauses],
        "flip_groups": _flip_groups(d, lang),
        "other_flips": t(
            lang,
            "report.diff.other",
            obligations=counts.get("obligations", 0),
            reason=counts.get("reason", 0),
        ),
    }
    return _ENV.from_string(_PAGE).render(**values)


# ---------------------------------------------------------------------------- files
def write_atomically(path: Path, data: str | bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder, renamed over
    it at the end: a failure leaves the old file (or none), never a partial one."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(raw)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def find_browser() -> str | None:
    """The chromium to render PNGs with: ``$CHARTER_BROWSER`` when set (None if it is not an
    executable file), else Debian's ``/usr/bin/chromium`` or a ``chromium`` on the PATH."""
    chosen = os.environ.get("CHARTER_BROWSER")
    if chosen:
        return chosen if os.path.isfile(chosen) and os.access(chosen, os.X_OK) else None
    if os.path.isfile(DEBIAN_CHROMIUM) and os.access(DEBIAN_CHROMIUM, os.X_OK):
        return DEBIAN_CHROMIUM
    return shutil.which("chromium")


_ONE_CHART = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><style>body {{ margin: 0; }}</style>
<script type="text/javascript">{plotlyjs}</script></head>
<body>{chart}</body></html>
"""


def write_pngs(figs: Mapping[str, go.Figure], folder: Path, browser: str) -> list[Path]:
    """Each figure as ``folder/NAME.png`` (1200 × 700), drawn by ``browser`` (headless
    chromium) from a one-chart page in a temporary folder. The PNGs are made there first and
    moved into ``folder`` only when all of them were made.

    Raises:
        CharterError: the browser failed or wrote no picture.
    """
    import plotly.offline

    folder.mkdir(parents=True, exist_ok=True)
    plotlyjs = plotly.offline.get_plotlyjs()
    made: list[tuple[Path, str]] = []
    with tempfile.TemporaryDirectory(prefix="charter-png-") as tmp:
        work = Path(tmp)
        for name, fig in figs.items():
            chart = fig.to_html(
                full_html=False,
                include_plotlyjs=False,
                default_width="1200px",
                default_height="700px",
                config={"staticPlot": True},
            )
            page = work / f"{name}.html"
            page.write_text(_ONE_CHART.format(plotlyjs=plotlyjs, chart=chart), encoding="utf-8")
            png = work / f"{name}.png"
            command = [
                browser,
                "--headless",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--user-data-dir={work / 'profile'}",
                f"--screenshot={png}",
                "--window-size=1200,700",
                page.as_uri(),
            ]
            if hasattr(os, "geteuid") and os.geteuid() == 0:
                command.insert(1, "--no-sandbox")  # chromium refuses to start as root without
            try:
                r = subprocess.run(command, capture_output=True, text=True, timeout=120)
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise CharterError(f"--png: {browser} could not render {name}: {exc}") from None
            if r.returncode != 0 or not png.exists():
                tail = (r.stderr or "").strip().splitlines()[-1:] or ["no picture written"]
                raise CharterError(f"--png: {browser} could not render {name}: {tail[0]}")
            made.append((png, name))
        out = []
        for png, name in made:
            dest = folder / f"{name}.png"
            shutil.move(str(png), dest)
            out.append(dest)
    return out
