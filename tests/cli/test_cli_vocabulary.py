"""A scenario's own vocabulary from the command line: ``--attr NAME=VALUE``, options the
command does not define read as declared attributes, did-you-mean on a misspelling, and
``decide SCENARIO --help`` listing the attributes; ``plan`` and ``check`` on a workload with
a declared attribute."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.test_cli import charter

RESIDENCY = str(Path(__file__).parent.parent / "fixtures" / "residency")
RESELL = ["--at", "2025-06-01", "--principal", "lab", "--action", "resell-capacity"]


def verdict(*args: str) -> tuple[str, list[str]]:
    r = charter("decide", RESIDENCY, *args, "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    return d["verdict"], [c["id"] for c in d["clauses"]]


def test_attr_reaches_a_declared_attribute_and_action() -> None:
    assert verdict(*RESELL, "--provider", "cloudy", "--attr", "data_residency=us") == (
        "allow",
        ["R.2"],
    )
    # the declared default: resell-capacity is denied when no clause grants it
    assert verdict(*RESELL, "--provider", "cloudy", "--attr", "data_residency=eu") == ("deny", [])
    assert verdict(*RESELL, "--provider", "elsewhere", "--attr", "data_residency=us")[0] == "deny"


def test_an_undefined_option_is_read_as_a_declared_attribute() -> None:
    assert verdict(*RESELL, "--provider", "cloudy", "--data-residency", "us")[0] == "allow"
    run = ["--at", "2025-06-01", "--principal", "lab", "--action", "run", "--provider", "cloudy"]
    assert verdict(*run, "--data-residency", "eu") == ("deny", ["R.1"])
    assert verdict(*run, "--data-residency=us") == ("allow", [])
    r = charter("decide", RESIDENCY, *RESELL, "--provider", "cloudy", "--data-residency", "us")
    assert r.returncode == 0 and "ALLOW" in r.stdout
    d = json.loads(
        charter(
            "decide",
            RESIDENCY,
            *RESELL,
            "--provider",
            "cloudy",
            "--attr",
            "data_residency=us",
            "--json",
        ).stdout
    )
    assert d["request"]["data_residency"] == "us"


def test_misspellings_and_bad_values_are_errors_with_the_closest_name() -> None:
    cases = [
        (
            ["--data-residence", "eu"],
            "no such option '--data-residence'; did you mean '--data-residency'?",
        ),
        (
            ["--attr", "data_residence=eu"],
            "no such attribute 'data_residence'; did you mean 'data_residency'?",
        ),
        (
            ["--data-residency", "mars"],
            "--data-residency: unknown value 'mars'; valid values are: eu, us",
        ),
        (["--attr", "data_residency"], "--attr expects NAME=VALUE"),
    ]
    for extra, message in cases:
        r = charter("decide", RESIDENCY, *RESELL, "--provider", "cloudy", *extra)
        assert r.returncode == 2, extra
        assert "Traceback" not in r.stderr
        assert message in " ".join(r.stderr.split()), r.stderr
    r = charter("decide", RESIDENCY, *RESELL)
    assert r.returncode == 2
    assert "--provider is required with --action resell-capacity" in r.stderr


def test_help_on_a_scenario_lists_its_attributes_and_actions() -> None:
    r = charter("decide", RESIDENCY, "--help")
    assert r.returncode == 0, r.stderr
    assert "--data-residency VALUE" in r.stdout
    assert "one of: eu, us" in r.stdout
    assert "resell-capacity" in r.stdout
    default = charter("decide", "--help")
    assert "--uses-licensed-ip" in default.stdout and "--data-residency" not in default.stdout


def test_the_bundled_scenario_options_keep_working() -> None:
    base = ["--at", "2026-01-01", "--principal", "microsoft", "--action", "train"]
    flags = ("--uses-licensed-ip", "--above-compute-threshold")
    r = charter("decide", *base, *flags, "--json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["request"]["uses_licensed_ip"] is True
    assert d["request"]["above_compute_threshold"] is True
    via_attr = charter(
        "decide",
        *base,
        "--attr",
        "uses_licensed_ip=true",
        "--attr",
        "above_compute_threshold=true",
        "--json",
    )
    assert json.loads(via_attr.stdout)["verdict"] == d["verdict"]
    assert (d["verdict"], [c["id"] for c in d["clauses"]]) == ("deny", ["V4.C14"])
    below = charter("decide", *base, "--uses-licensed-ip", "--below-compute-threshold", "--json")
    assert json.loads(below.stdout)["verdict"] == "allow"


def test_plan_avoids_the_provider_a_declared_attribute_forbids_and_check_agrees(
    tmp_path: Path,
) -> None:
    r = charter("plan", RESIDENCY, "--json")
    assert r.returncode == 0, r.stderr
    placements = json.loads(r.stdout)["placements"]
    eu = {p["provider"] for p in placements if p["workload"] == "eu-train"}
    us = {p["provider"] for p in placements if p["workload"] == "us-train"}
    assert eu == {"elsewhere"} and us == {"cloudy"}  # cloudy is cheaper, but not for EU data
    good = tmp_path / "plan.json"
    good.write_text(json.dumps(placements))
    assert charter("check", str(good), RESIDENCY).returncode == 0
    moved = [{**p, "offer": "cheap", "provider": "cloudy"} for p in placements]
    bad = tmp_path / "moved.json"
    bad.write_text(json.dumps(moved))
    r = charter("check", str(bad), RESIDENCY, "--json")
    assert r.returncode == 1
    assert "R.1" in r.stdout
