"""The CLI package: its curated names, its commands in order, and its one error boundary as
``app`` itself applies it (Typer's CliRunner calls ``app``, not ``main()``), with the exit
codes the README's table lists."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import charter.cli
import charter.planner
import charter.schema
from charter.cli import app
from charter.errors import RequestError
from charter.planner import Plan
from charter.plans import plan_format, write_plan
from charter.scenario import init_scenario


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def test_the_package_exports_app_and_main() -> None:
    assert charter.cli.__all__ == ["app", "main"]


def test_commands_in_the_order_help_lists_them() -> None:
    import typer.main

    names = list(typer.main.get_group(app).commands)
    assert names == [
        "scenarios",
        "init",
        "validate",
        "schema",
        "timeline",
        "decide",
        "owes",
        "commitments",
        "plan",
        "check",
        "diff",
        "report",
        "brief",
        "serve",
        "db",
        "token",
        "ledger",
        "rofr",
        "spend",
        "revenue",
    ]


def test_a_charter_error_from_app_is_an_error_line_and_exit_2() -> None:
    r = invoke("validate", "nowhere")
    assert r.exit_code == 2
    assert r.output.startswith("error: unknown scenario 'nowhere'")


def test_an_os_error_from_app_is_an_error_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def unreadable() -> None:
        raise PermissionError(13, "Permission denied", "/root/schema.json")

    monkeypatch.setattr(charter.schema, "scenario_schema", unreadable)
    r = invoke("schema")
    assert r.exit_code == 2
    assert r.output.startswith("error: /root/schema.json: Permission denied")


def test_a_bug_from_app_is_left_to_main(monkeypatch: pytest.MonkeyPatch) -> None:
    def bug() -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(charter.schema, "scenario_schema", bug)
    r = invoke("schema")
    assert r.exit_code == 1 and isinstance(r.exception, ZeroDivisionError)


def _plan_with(monkeypatch: pytest.MonkeyPatch, status: str) -> Any:
    def fake(*args: Any, **kwargs: Any) -> Plan:
        return Plan(status, [], None, None, None, "none", {})

    monkeypatch.setattr(charter.planner, "plan", fake)
    return invoke("plan", "acme-cloud")


@pytest.mark.parametrize(
    ("status", "code"),
    [("infeasible", 3), ("time-limit-no-solution", 4), ("error: Solve error", 4)],
)
def test_plan_exit_codes(monkeypatch: pytest.MonkeyPatch, status: str, code: int) -> None:
    r = _plan_with(monkeypatch, status)
    assert r.exit_code == code, r.output
    assert f"plan: {status}; cost -; no bound yet" in r.output


def test_the_plan_file_name_is_checked_by_the_library_once(tmp_path: Path) -> None:
    message = "--out plan.xlsx: use a .csv, .json or .parquet file name"
    with pytest.raises(RequestError, match=re.escape(message)):
        plan_format(tmp_path / "plan.xlsx")
    with pytest.raises(RequestError, match=re.escape(message)):
        write_plan(tmp_path / "plan.xlsx", [])
    assert plan_format(tmp_path / "p.PARQUET") == ".parquet"
    r = invoke("plan", "acme-cloud", "--out", "plan.xlsx")
    assert r.exit_code == 2 and r.output.startswith("error: " + message)


def test_init_blank_and_from_is_the_librarys_message(tmp_path: Path) -> None:
    with pytest.raises(RequestError, match=r"^give --blank or --from NAME, not both$"):
        init_scenario(tmp_path / "x", "acme-cloud", blank=True)
    assert not (tmp_path / "x").exists()
