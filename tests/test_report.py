"""``charter report`` and the charts it draws: sections, nothing loaded from elsewhere, the
charts' numbers against the plan's, German, the command end to end, and (with chromium) the
page drawn in a browser that may load nothing but the file."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import charter
from charter import charts
from charter.report import build_report, plan_document, report_figures

AT = dt.date(2026, 5, 1)


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "charter", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def plan_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled scenario's plan document, as `charter plan --json` writes it."""
    path = tmp_path_factory.mktemp("plan") / "plan.json"
    r = run("plan", "--json")
    assert r.returncode == 0, r.stderr
    path.write_text(r.stdout, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def plan_doc(plan_file: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(plan_file.read_text(encoding="utf-8"))
    return doc


@pytest.fixture(scope="module")
def page(plan_doc: dict[str, Any]) -> str:
    s = charter.load_scenario("microsoft-openai")
    return build_report(s, plan_doc=plan_doc, before="previous", after=None, at=AT, lang="en")


class Resources(HTMLParser):
    """Every resource a tag would load (script src, link href, img src, CSS url()), every
    chart div and every section id."""

    def __init__(self) -> None:
        super().__init__()
        self.loads: list[str] = []
        self.charts: list[str] = []
        self.sections: list[str] = []
        self.headings: list[str] = []
        self._heading = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name, attr in (("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src")):
            if tag == name and a.get(attr):
                self.loads.append(str(a[attr]))
        if "url(" in (a.get("style") or ""):
            self.loads.append(str(a["style"]))
        if tag == "div" and "plotly-graph-div" in (a.get("class") or ""):
            self.charts.append(str(a.get("id")))
        if tag == "section":
            self.sections.append(str(a.get("id")))
        self._heading = tag in ("h1", "h2", "h3")

    def handle_data(self, data: str) -> None:
        if self._heading and data.strip():
            self.headings.append(data.strip())

    def handle_endtag(self, tag: str) -> None:
        self._heading = False


def parsed(html: str) -> Resources:
    p = Resources()
    p.feed(html)
    return p


def trace_sum(fig: Any) -> float:
    return math.fsum(float(y) for trace in fig.data for y in trace.y)


# ---------------------------------------------------------------------------- the page
def test_every_section_is_there(page: str) -> None:
    p = parsed(page)
    assert p.sections == ["timeline", "in-force", "plan", "commitments", "diff"]
    assert p.charts == [
        "chart-timeline",
        "chart-hours",
        "chart-spend",
        "chart-holder",
        "chart-burn-0",
    ]
    assert "Amendment timeline" in p.headings
    assert "Clauses in force on 2026-05-01" in p.headings
    assert "Commitments: committed against planned spend" in p.headings
    assert any(h.startswith("What changed: V4") and "V5" in h for h in p.headings)
    assert "V5.C2" in page and "V4.C10" in page  # a clause in force, the commitment
    assert "deny (V4.C3) → allow (V5.C2)" in page  # a verdict flip's change
    assert page.count("Microsoft") > 0 and "<h1>" in page


def test_nothing_is_loaded_from_elsewhere(page: str) -> None:
    p = parsed(page)
    assert p.loads == []  # no tag loads anything, not even from the file's folder
    assert "url(http" not in page.replace(" ", "")
    assert page.count("<script") == 1 + len(p.charts)  # plotly.js once, one per chart


def test_the_clauses_in_force_link_their_first_source(page: str) -> None:
    s = charter.load_scenario("microsoft-openai")
    first = next(c for c in s.timeline(at=AT)["in_force"] if c["id"] == "V5.C2")["sources"][0]
    assert f'<a href="{first}">' in page


def test_the_charts_add_up_to_the_plan(plan_doc: dict[str, Any]) -> None:
    s = charter.load_scenario("microsoft-openai")
    figs = report_figures(s, plan_doc, "en")
    hours = math.fsum(p["hours"] for p in plan_doc["placements"])
    assert trace_sum(figs["hours"]) == pytest.approx(hours, rel=1e-12)
    spend = math.fsum(r["spend"] for r in plan_doc["by_provider_year"])
    assert trace_sum(figs["spend"]) == pytest.approx(spend, rel=1e-12)
    assert spend == pytest.approx(
        plan_doc["cost"] - sum(c["shortfall"] for c in plan_doc["commitments"])
    )
    # per provider too: each trace is one provider's
    for trace in figs["spend"].data:
        mine = math.fsum(
            r["spend"] for r in plan_doc["by_provider_year"] if r["provider"] == trace.name
        )
        assert math.fsum(trace.y) == pytest.approx(mine)
    (share,) = figs["holder"].data
    assert all(0 <= y <= 1 for y in share.y) and max(share.y) > 0.3


def test_every_chart_gives_a_provider_the_same_colour(plan_doc: dict[str, Any]) -> None:
    s = charter.load_scenario("microsoft-openai")
    figs = report_figures(s, plan_doc, "en")
    area = {tr.name: tr.line.color for tr in figs["hours"].data}
    bars = {tr.name: tr.marker.color for tr in figs["spend"].data}
    assert area == bars and len(set(area.values())) == len(area)
    assert charts.provider_colors(["b", "a", "c"]) == charts.provider_colors(["c", "a", "b"])
    many = charts.provider_colors([f"p{i:02}" for i in range(10)])
    assert many["p00"] == many["p08"] == charts.PALETTE[0]  # cycling past the palette


def test_german_headings(plan_doc: dict[str, Any]) -> None:
    s = charter.load_scenario("microsoft-openai")
    html = build_report(s, plan_doc=plan_doc, before="previous", at=AT, lang="de")
    p = parsed(html)
    assert "Zeitleiste der Vertragsänderungen" in p.headings
    assert "In Kraft am 01.05.2026" in p.headings
    assert "Abnahmezusagen: zugesagt und geplante Ausgaben" in p.headings
    assert '<html lang="de">' in html and "Beschleunigerstunden je Monat" in html
    assert "abgelehnt (V4.C3) → erlaubt (V5.C2)" in html


def test_text_is_escaped(plan_doc: dict[str, Any]) -> None:
    s = charter.load_scenario("microsoft-openai")
    doc = {**plan_doc, "notes": ["<script>alert(1)</script>"]}
    html = build_report(s, plan_doc=doc, before="previous", at=AT)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_placements_file_is_charted_like_the_plan(
    tmp_path: Path, plan_doc: dict[str, Any]
) -> None:
    from charter.plans import write_plan

    s = charter.load_scenario("microsoft-openai")
    path = tmp_path / "placements.csv"
    write_plan(path, plan_doc["placements"])
    doc = plan_document(s, path)
    assert doc["bound"] is None and doc["commitments"] == []
    assert doc["cost"] == pytest.approx(
        math.fsum(r["spend"] for r in plan_doc["by_provider_year"]), rel=1e-12
    )
    for a, b in zip(doc["by_provider_year"], plan_doc["by_provider_year"], strict=True):
        assert (a["provider"], a["year"]) == (b["provider"], b["year"])
        assert a["spend"] == pytest.approx(b["spend"]) and a["hours"] == pytest.approx(b["hours"])


# ---------------------------------------------------------------------------- charts
def test_clause_costs_bars_and_the_empty_note() -> None:
    plan = {
        "clause_costs": [
            {"clause": "A.C1", "cost": 5.0, "title": "x"},
            {"clause": "A.C2", "cost": -2.0},
        ]
    }
    (bars,) = charts.clause_costs(plan, "en").data
    assert list(bars.y) == ["A.C2", "A.C1"] and list(bars.x) == [-2.0, 5.0]
    empty = charts.clause_costs({"clause_costs": []}, "de")
    assert not empty.data and "keine Klausel" in empty.layout.annotations[0].text


def test_burn_down_lines_and_shortfall() -> None:
    entry = {
        "clause": "A.C9",
        "committed": 1000.0,
        "currency": "USD",
        "window_start": "2026-01-01",
        "window_end": "2026-04-10",  # 100 days
        "spent": 100.0,
        "pace_needed_by_now": 250.0,  # a quarter of the window gone
        "projected_at_window_end": 400.0,
        "projected_shortfall": 600.0,
    }
    fig = charts.burn_down(entry, "en")
    lines = {tr.name: (list(tr.x), list(tr.y)) for tr in fig.data}
    assert lines["committed"] == (["2026-01-01", "2026-04-10"], [1000.0, 1000.0])
    assert lines["spent to date"] == (["2026-01-01", "2026-01-26"], [0.0, 100.0])
    assert lines["pace needed from today"][1] == [100.0, 1000.0]
    assert lines["projection at the current run rate"][1] == [100.0, 400.0]
    assert "600 USD" in fig.layout.title.text
    at = charts.burn_down(entry, "de", as_of="2026-02-01")
    assert "Unterdeckung 600 USD" in at.layout.title.text and "01.02.2026" in at.layout.title.text


def test_amendment_timeline_counts() -> None:
    s = charter.load_scenario("microsoft-openai")
    fig = charts.amendment_timeline(s, "en")
    entries = s.timeline()["entries"]
    marks = {x: list(c) for tr in fig.data for x, c in zip(tr.x, tr.customdata, strict=True)}
    assert sorted(marks) == sorted(e["date"] for e in entries)
    last = entries[-1]
    assert marks[last["date"]] == [len(last["added"]), len(last["replaced"]) + len(last["removed"])]


# ---------------------------------------------------------------------------- the command
def test_the_command_writes_the_report(tmp_path: Path, plan_file: Path) -> None:
    out = tmp_path / "report.html"
    r = run("report", "--plan", str(plan_file), "--out", str(out), "--at", "2026-05-01")
    assert r.returncode == 0, r.stderr
    assert out.exists() and "chart-hours" in out.read_text(encoding="utf-8")
    assert not [p for p in tmp_path.iterdir() if p.name != "report.html"]  # no temp file left


def test_a_bad_plan_file_is_an_error(tmp_path: Path) -> None:
    bad = tmp_path / "plan.csv"
    bad.write_text("workload,offer,period,hours\nw,o,2026-01,lots\n", encoding="utf-8")
    out = tmp_path / "report.html"
    r = run("report", "--plan", str(bad), "--out", str(out))
    assert r.returncode == 2, r.stderr
    assert " ".join(r.stderr.split()).startswith("error: plan.csv:2: hours: expected a number")
    assert not out.exists()


def test_png_without_a_browser_writes_nothing(tmp_path: Path, plan_file: Path) -> None:
    out, pngs = tmp_path / "report.html", tmp_path / "slides"
    r = run(
        "report",
        "--plan",
        str(plan_file),
        "--out",
        str(out),
        "--png",
        str(pngs),
        env={"CHARTER_BROWSER": str(tmp_path / "no-such-browser")},
    )
    assert r.returncode == 2
    assert " ".join(r.stderr.split()).startswith(
        "error: --png needs a chromium browser (install Debian's chromium package or set "
        "CHARTER_BROWSER)"
    ), r.stderr
    assert not out.exists() and not pngs.exists()


# ---------------------------------------------------------------------------- in a browser
def browser_path() -> str:
    path = os.environ.get("CHARTER_BROWSER") or "/usr/bin/chromium"
    if not os.access(path, os.X_OK):
        if os.environ.get("CHARTER_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CHARTER_REQUIRE_BROWSER=1 but there is no browser at {path}")
        pytest.skip(f"no chromium at {path} (CHARTER_BROWSER sets another)")
    return path


@pytest.mark.browser
def test_the_report_draws_offline_in_a_browser(tmp_path: Path, page: str) -> None:
    from playwright.sync_api import Route, sync_playwright

    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    off_file: list[str] = []
    errors: list[str] = []

    def only_the_file(route: Route) -> None:
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            off_file.append(route.request.url)
            route.abort()

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path())
        try:
            for width in (1280, 400):
                tab = browser.new_page(viewport={"width": width, "height": 900})
                tab.route("**/*", only_the_file)
                tab.on("pageerror", lambda e: errors.append(str(e)))
                tab.goto(path.as_uri())
                tab.wait_for_load_state("load")
                ids = tab.eval_on_selector_all(".plotly-graph-div", "els => els.map(e => e.id)")
                assert len(ids) == 5  # timeline, hours, spend, holder, burn-down
                for chart in ids:
                    assert tab.locator(f"#{chart} .main-svg").count() > 0, chart
                wide = tab.evaluate("document.documentElement.scrollWidth")
                assert wide <= width + 1  # nothing wider than the window: no sideways scroll
                assert errors == []
                tab.close()
        finally:
            browser.close()
    assert off_file == []


@pytest.mark.browser
def test_png_slides_from_chromium(tmp_path: Path, plan_file: Path) -> None:
    browser = browser_path()
    out, pngs = tmp_path / "report.html", tmp_path / "slides"
    r = run(
        "report",
        "--plan",
        str(plan_file),
        "--out",
        str(out),
        "--png",
        str(pngs),
        env={"CHARTER_BROWSER": browser},
    )
    assert r.returncode == 0, r.stderr
    names = sorted(p.name for p in pngs.iterdir())
    assert names == ["burn-0.png", "holder.png", "hours.png", "spend.png", "timeline.png"]
    for p in pngs.iterdir():
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and p.stat().st_size > 5000


def test_the_planned_burn_down_counts_the_plans_spend_on_the_holder(
    plan_doc: dict[str, Any],
) -> None:
    """V4.C10's $250B on Azure from 2025-10-28: the plan's Azure spend from October 2025 to
    its last month, against the pace, as of 2026-12-31; drawn in the report."""
    from charter.report import planned_burn_downs, report_figures

    s = charter.load_scenario("microsoft-openai")
    entries = {e["clause"]: e for e in planned_burn_downs(s, plan_doc)}
    b = entries["V4.C10"]
    azure = sum(
        p["cost"]
        for p in plan_doc["placements"]
        if p["provider"] == "azure" and p["period"] >= "2025-10"
    )
    assert b["spent"] == pytest.approx(azure)
    assert b["committed"] == 250e9 and b["as_of"] == "2026-12-31"
    assert b["projected_shortfall"] == pytest.approx(
        max(250e9 - b["run_rate_per_day"] * (dt.date(2033, 1, 1) - dt.date(2025, 10, 28)).days, 0)
    )
    assert "burn-0" in report_figures(s, plan_doc, "en")
