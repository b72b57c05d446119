"""``report``: one self-contained HTML file of a scenario, its plan and its latest change
(:mod:`charter.report`), and with ``--png`` each chart as a PNG for slides."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.text import Text

from charter.cli.common import LangOpt, ScenarioArg, err, line, load
from charter.errors import CharterError, RequestError

__all__ = ["report"]


def report(
    scenario: ScenarioArg = None,
    out_file: Annotated[
        Path, typer.Option("--out", help="The HTML file to write, e.g. report.html.")
    ] = Path("report.html"),
    plan_file: Annotated[
        Path | None,
        typer.Option(
            "--plan",
            help="A plan to chart: `charter plan --json` saved to a file, or a placements "
            "file from `charter plan --out` (default: plan the scenario now).",
            show_default=False,
        ),
    ] = None,
    from_: Annotated[
        str,
        typer.Option(
            "--from", help="The earlier version compared: an amendment date, V<n>, previous."
        ),
    ] = "previous",
    to: Annotated[str, typer.Option("--to", help="The later version compared.")] = "latest",
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="The day of the clauses in force (default: today).", show_default=False
        ),
    ] = None,
    lang: LangOpt = "en",
    png: Annotated[
        Path | None,
        typer.Option(
            "--png",
            help="Also write each chart as DIR/NAME.png, drawn by a headless chromium "
            "(Debian's /usr/bin/chromium; $CHARTER_BROWSER overrides the path).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Write an HTML report that opens offline: timeline, clauses in force, plan, diff."""
    import datetime as dt

    from charter.dates import parse_date
    from charter.report import (
        BROWSER_MISSING,
        build_report,
        find_browser,
        plan_document,
        report_figures,
        write_atomically,
        write_pngs,
    )
    from charter.scenario.scenario import check_lang

    check_lang(lang)
    browser = None
    if png is not None:
        browser = find_browser()
        if browser is None:
            raise RequestError(BROWSER_MISSING)
        if png.exists() and not png.is_dir():
            raise RequestError(f"--png {png}: not a folder")
    if out_file.exists() and out_file.is_dir():
        raise RequestError(f"--out {out_file}: is a folder")
    if not out_file.parent.is_dir():
        raise RequestError(f"--out {out_file}: no folder {out_file.parent}")
    day = parse_date(at) if at is not None else dt.date.today()
    s = load(scenario)
    if plan_file is not None:
        plan_doc = plan_document(s, plan_file)
    else:
        from charter.planner import plan as run_plan

        result = run_plan(s, time_limit=60, progress=lambda m: err.print(Text(m, style="dim")))
        plan_doc = result.to_json()
    after = None if to.lower() == "latest" else to
    page = build_report(s, plan_doc=plan_doc, before=from_, after=after, at=day, lang=lang)
    if png is not None and browser is not None:
        try:
            written = write_pngs(report_figures(s, plan_doc, lang), png, browser)
        except OSError as exc:
            raise CharterError(f"--png {png}: {exc.strerror or exc}") from None
        for path in written:
            line(f"wrote {path}")
    write_atomically(out_file, page)
    line(f"wrote {out_file}")
