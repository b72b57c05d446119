"""The ``charter`` command end to end, as real subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scenario.test_bad_input import EXPECTED, make_case

MO_RUN = ["--principal", "openai", "--action", "run"]


def charter(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "charter", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={"COLUMNS": "200", "PATH": "/usr/bin:/bin", "NO_COLOR": "1"},
    )


def ok_json(*args: str) -> object:
    r = charter(*args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize(
    "cmd",
    [[], ["scenarios"], ["init"], ["validate"], ["schema"], ["timeline"], ["decide"], ["brief"]],
)
def test_help_everywhere(cmd: list[str]) -> None:
    r = charter(*cmd, "--help")
    assert r.returncode == 0
    assert "Usage" in r.stdout


def test_scenarios_lists_the_bundled_ones() -> None:
    rows = ok_json("scenarios")
    assert isinstance(rows, list)
    names = {r["name"]: r for r in rows}
    assert names["microsoft-openai"]["default"] is True
    assert "acme-cloud" in names


def test_init_copies_a_scenario_that_validates(tmp_path: Path) -> None:
    dest = tmp_path / "mine"
    r = charter("init", str(dest))
    assert r.returncode == 0, r.stderr
    assert (dest / "agreements.yaml").exists()
    summary = ok_json("validate", str(dest))
    assert summary == {**summary, "valid": True, "clauses": 50}
    again = charter("init", str(dest))
    assert again.returncode == 2
    assert "exists and is not an empty folder" in again.stderr
    r = charter("init", str(tmp_path / "acme"), "--from", "acme-cloud")
    assert r.returncode == 0 and (tmp_path / "acme" / "agreements").is_dir()


def test_init_blank_validates_and_plans(tmp_path: Path) -> None:
    dest = tmp_path / "My Deals"
    r = charter("init", str(dest), "--blank")
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in dest.iterdir()) == [
        "agreements.yaml",
        "offers.yaml",
        "parties.yaml",
        "providers.yaml",
        "scenario.yaml",
        "workloads.yaml",
    ]
    summary = ok_json("validate", str(dest))
    assert summary == {
        **summary,
        "valid": True,
        "scenario": "my-deals",
        "agreements": 1,
        "providers": 1,
        "clauses": 1,
    }
    r = charter("plan", str(dest), "--json")
    assert r.returncode == 0, r.stderr
    result = json.loads(r.stdout)
    assert result["status"] == "optimal"
    assert {p["workload"] for p in result["placements"]} == {"train-model"}
    assert result["notes"] == []
    human = charter("plan", str(dest))
    assert human.returncode == 0 and "plan: optimal" in human.stdout


def test_init_blank_and_from_together_is_an_error(tmp_path: Path) -> None:
    r = charter("init", str(tmp_path / "x"), "--blank", "--from", "acme-cloud")
    assert r.returncode == 2
    assert r.stderr.startswith("error: give --blank or --from NAME, not both")
    assert not (tmp_path / "x").exists()


def test_plan_prints_its_notes(tmp_path: Path) -> None:
    dest = tmp_path / "blank"
    assert charter("init", str(dest), "--blank").returncode == 0
    r = charter("plan", str(dest), "--from", "2026-01", "--to", "2026-02")
    assert r.returncode == 0, r.stderr
    assert (
        "note: not planned: 1 workload lies entirely outside the horizon 2026-01 to 2026-02: "
        "train-model (2025-01 to 2025-06)" in " ".join(r.stdout.split())
    )


def test_validate_default_and_human_output() -> None:
    r = charter("validate")
    assert r.returncode == 0
    assert "valid" in r.stdout and "50 clauses" in r.stdout


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_validate_bad_input_exits_2_with_the_message(case: str, tmp_path: Path) -> None:
    folder = make_case(case, tmp_path)
    before = sorted(p.name for p in folder.rglob("*"))
    r = charter("validate", str(folder))
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert r.stderr.startswith("error: ")
    assert EXPECTED[case] in " ".join(r.stderr.split())
    assert sorted(p.name for p in folder.rglob("*")) == before  # nothing written


def test_schema_is_json_schema() -> None:
    r = charter("schema")
    assert r.returncode == 0
    assert len(r.stdout) < 150_000  # selectors and ends stated once under $defs (was 1.1 MB)
    doc = json.loads(r.stdout)
    assert doc["$schema"].startswith("https://json-schema.org/")
    assert {
        "scenario.yaml",
        "agreements.yaml",
        "parties.yaml",
        "offers.yaml",
        "workloads.yaml",
    } <= set(doc["properties"])
    assert {"RofrSpec", "OfferSpec", "WorkloadSpec", "Selector", "Where", "Until"} <= set(
        doc["$defs"]
    )
    assert doc["$defs"]["ExclusivitySpec"]["properties"]["where"] == {"$ref": "#/$defs/Where"}
    families = doc["$defs"]["WorkloadSpec"]["properties"]["families"]
    assert families["description"] == "acceptable accelerator families"


def test_timeline_human_and_json() -> None:
    r = charter("timeline")
    assert r.returncode == 0
    for text in ("2019-07-22", "2025-10-28", "V3.C6", "removed", "source:"):
        assert text in r.stdout
    data = ok_json("timeline", "--at", "2029-07-01", "--event", "agi_verified=2029-06-01")
    assert isinstance(data, dict)
    assert data["events"] == {"agi_declared": "2029-06-01", "agi_verified": "2029-06-01"}
    in_force = {c["id"] for c in data["in_force"]}
    assert "V4.C6" not in in_force and "V5.C3" in in_force
    human = charter("timeline", "--at", "2025-06-01")
    assert "In force on 2025-06-01" in human.stdout and "V3.C6" in human.stdout


def test_decide_json_placement() -> None:
    d = ok_json(
        "decide",
        "--at",
        "2025-12-01",
        *MO_RUN,
        "--provider",
        "aws",
        "--kind",
        "training",
        "--new-capacity",
    )
    assert isinstance(d, dict)
    assert d["verdict"] == "allow"
    assert [(c["id"], c["effect"]) for c in d["clauses"]] == [("V4.C10", "ended")]
    assert d["uncertain"] is False and d["obligations"] == []


def test_decide_json_rofr_and_options() -> None:
    d = ok_json(
        "decide",
        "--at",
        "2025-03-01",
        *MO_RUN,
        "--provider",
        "gcp",
        "--kind",
        "training",
        "--new-capacity",
    )
    assert isinstance(d, dict)
    assert d["verdict"] == "conditional"
    assert d["obligations"][0]["party"] == "microsoft"
    d = ok_json(
        "decide",
        "microsoft-openai",
        "--at",
        "2026-03-17",
        *MO_RUN,
        "--provider",
        "aws",
        "--kind",
        "api",
        "--segment",
        "us-national-security",
    )
    assert isinstance(d, dict)
    assert (d["verdict"], d["clauses"][0]["id"], d["clauses"][0]["effect"]) == (
        "allow",
        "V4.C11",
        "lift",
    )
    d = ok_json(
        "decide",
        "--at",
        "2026-01-01",
        *MO_RUN,
        "--provider",
        "aws",
        "--kind",
        "api",
        "--api",
        "stateless",
        "--codeveloped-with",
        "amazon",
        "--product",
        "frontier",
    )
    assert isinstance(d, dict)
    assert d["verdict"] == "deny" and {c["id"] for c in d["clauses"]} == {"V4.C3", "V4.C9"}
    d = ok_json(
        "decide",
        "--at",
        "2026-06-01",
        *MO_RUN,
        "--provider",
        "aws",
        "--kind",
        "product-serving",
        "--launch",
        "--first-party",
    )
    assert isinstance(d, dict)
    assert d["verdict"] == "conditional" and d["uncertain"] is True


def test_decide_json_access() -> None:
    d = ok_json(
        "decide",
        "--at",
        "2026-01-01",
        "--principal",
        "microsoft",
        "--action",
        "access",
        "--artifact-kind",
        "consumer-hardware-design",
    )
    assert isinstance(d, dict)
    assert (d["verdict"], [c["id"] for c in d["clauses"]]) == ("deny", ["V4.C8"])
    d = ok_json(
        "decide",
        "--at",
        "2029-01-01",
        "--principal",
        "microsoft",
        "--action",
        "access",
        "--artifact-kind",
        "model-weights",
        "--created",
        "2028-01-01",
        "--owner",
        "openai",
        "--event",
        "agi_verified=2027-06-01",
    )
    assert isinstance(d, dict)
    assert d["verdict"] == "allow"
    assert d["events"]["agi_declared"] == "2027-06-01"


def test_decide_human_output() -> None:
    r = charter("decide", "--at", "2023-06-01", *MO_RUN, "--provider", "aws", "--kind", "api")
    assert r.returncode == 0
    assert "DENY" in r.stdout and "V2.C2" in r.stdout and "V2.C3" in r.stdout


def test_decide_on_the_synthetic_scenario() -> None:
    d = ok_json(
        "decide",
        "acme-cloud",
        "--at",
        "2025-01-01",
        "--principal",
        "acme",
        "--action",
        "run",
        "--provider",
        "lambda",
        "--kind",
        "training",
    )
    assert isinstance(d, dict)
    assert (d["verdict"], d["clauses"][0]["id"]) == ("deny", "C1.X1")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--action", "fly"], "unknown action 'fly'; valid actions are: run, access"),
        (["--at", "2025-13-01"], "invalid at '2025-13-01': expected a date like"),
        (["--principal", "nobody"], "unknown principal 'nobody'; valid values are:"),
        (["--provider", "mars"], "unknown provider 'mars'; valid values are:"),
        (["--kind", "gaming"], "--kind: unknown value 'gaming'; valid values are: training"),
        (["--api", "rest"], "--api: unknown value 'rest'; valid values are: stateless"),
        (["--event", "agi_verified"], "--event expects NAME=DATE"),
        (["--event", "agi=2029-01-01"], "unknown event 'agi'; valid events are"),
        (["--event", "agi_verified=someday"], "invalid date for event agi_verified"),
        (["--segment", "military"], "unknown segment 'military'; valid values are: commercial"),
        (["--codeveloped-with", "nobody"], "unknown codeveloped with 'nobody'"),
    ],
)
def test_decide_bad_input_exits_2(args: list[str], message: str) -> None:
    base = {"--at": "2025-06-01", "--principal": "openai", "--action": "run", "--provider": "aws"}
    for i in range(0, len(args), 2):
        base[args[i]] = args[i + 1]
    flat = [x for kv in base.items() for x in kv]
    if "--event" in base:
        flat = [x for kv in base.items() if kv[0] != "--event" for x in kv] + [
            "--event",
            base["--event"],
        ]
    r = charter("decide", *flat)
    assert r.returncode == 2, r.stdout
    assert "Traceback" not in r.stderr
    assert message in " ".join(r.stderr.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["decide", "--at", "2025-01-01", "--principal", "openai", "--action", "run"],
            "--provider is required with --action run",
        ),
        (
            ["decide", "--at", "2025-01-01", "--principal", "microsoft", "--action", "access"],
            "--artifact-kind is required with --action access",
        ),
        (["decide", "--principal", "openai", "--action", "run"], "--at is required"),
        (
            [
                "decide",
                "nowhere",
                "--at",
                "2025-01-01",
                "--principal",
                "x",
                "--action",
                "run",
                "--provider",
                "aws",
            ],
            "unknown scenario 'nowhere'",
        ),
        (["timeline", "--at", "yesterday"], "invalid date 'yesterday'"),
        (["validate", "no-such-scenario"], "unknown scenario 'no-such-scenario'"),
    ],
)
def test_other_bad_input_exits_2(args: list[str], message: str) -> None:
    r = charter(*args)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert message in " ".join(r.stderr.split())


def test_brief_prints_timeline_and_decisions() -> None:
    r = charter("brief")
    assert r.returncode == 0, r.stderr
    for text in (
        "Amendment timeline",
        "Representative decisions",
        "DENY",
        "CONDITIONAL",
        "ALLOW",
        "V4.C10",
        "2026-04-27",
    ):
        assert text in r.stdout


# ---------------------------------------------------------------- issue 3: actions, owes, --lang
def test_decide_new_actions_json() -> None:
    d = ok_json(
        "decide",
        "--at",
        "2025-03-01",
        "--principal",
        "openai",
        "--action",
        "build-capacity",
        "--purpose",
        "training",
    )
    assert isinstance(d, dict)
    assert (d["verdict"], d["clauses"][0]["id"]) == ("allow", "V3.C7")
    d = ok_json("decide", "--at", "2024-01-01", "--principal", "openai", "--action", "restructure")
    assert isinstance(d, dict)
    assert d["verdict"] == "conditional"
    assert d["obligations"][0]["kind"] == "consent"
    d = ok_json(
        "decide",
        "--at",
        "2026-01-01",
        "--principal",
        "microsoft",
        "--action",
        "pursue-agi",
        "--with",
        "google",
    )
    assert isinstance(d, dict)
    assert (d["verdict"], d["clauses"][0]["id"]) == ("allow", "V4.C13")
    d = ok_json(
        "decide",
        "--at",
        "2026-01-01",
        "--principal",
        "microsoft",
        "--action",
        "train",
        "--uses-licensed-ip",
        "--above-compute-threshold",
    )
    assert isinstance(d, dict)
    assert (d["verdict"], d["clauses"][0]["id"]) == ("deny", "V4.C14")
    d = ok_json(
        "decide",
        "--at",
        "2026-01-01",
        "--principal",
        "microsoft",
        "--action",
        "train",
        "--uses-licensed-ip",
    )
    assert isinstance(d, dict)
    assert d["verdict"] == "conditional" and d["obligations"][0]["kind"] == "limit"
    d = ok_json(
        "decide",
        "--at",
        "2026-01-01",
        "--principal",
        "openai",
        "--action",
        "publish",
        "--artifact-kind",
        "model-weights",
    )
    assert isinstance(d, dict)
    assert d["verdict"] == "conditional" and d["obligations"][0]["kind"] == "criteria"


def test_decide_in_german_keeps_json_verdicts_and_keys_english() -> None:
    d = ok_json(
        "decide",
        "--at",
        "2025-03-01",
        *MO_RUN,
        "--provider",
        "gcp",
        "--kind",
        "training",
        "--new-capacity",
        "--lang",
        "de",
    )
    assert isinstance(d, dict)
    assert d["verdict"] == "conditional" and d["lang"] == "de"
    assert d["note"].startswith("Unter Bedingungen:")
    assert "zuerst Microsoft anbieten" in d["obligations"][0]["detail"]
    r = charter("decide", "--at", "2023-06-01", *MO_RUN, "--provider", "aws", "--lang", "de")
    assert r.returncode == 0 and "ABGELEHNT" in r.stdout and "Abgelehnt" in r.stdout
    assert "DENY" not in r.stdout


def test_timeline_and_brief_in_german() -> None:
    data = ok_json("timeline", "--lang", "de", "--at", "2025-06-01")
    assert isinstance(data, dict)
    v3 = data["entries"][2]
    assert v3["date"] == "2025-01-21" and v3["title"] != "Amendment at the Stargate announcement"
    rofr = next(c for c in data["in_force"] if c["id"] == "V3.C6")
    assert "Vorkaufsrecht" in rofr["title"]
    r = charter("brief", "--lang", "de")
    assert r.returncode == 0 and "Beispielhafte Entscheidungen" in r.stdout


def test_owes_json_and_history(tmp_path: Path) -> None:
    d = ok_json(
        "owes",
        "--payer",
        "openai",
        "--payee",
        "microsoft",
        "--period",
        "2026-Q3",
        "--revenue",
        "10000000000",
    )
    assert isinstance(d, dict)
    assert d["amount"] == pytest.approx(2e9)
    assert (d["rate"], d["cap"], d["cap_used"]) == (0.2, 38e9, 0.0)
    assert [c["id"] for c in d["clauses"]] == ["V5.C5"]
    hist = tmp_path / "history.csv"
    hist.write_text("period,revenue\n2026-Q3,100000000000\n2026-Q4,80000000000\n")
    d = ok_json(
        "owes",
        "--payer",
        "openai",
        "--payee",
        "microsoft",
        "--period",
        "2027-Q1",
        "--revenue",
        "100e9",
        "--history",
        str(hist),
    )
    assert isinstance(d, dict)
    assert d["cap_used"] == pytest.approx(36e9)
    assert d["amount"] == pytest.approx(2e9)
    assert d["clauses"][0]["effect"] == "capped"
    d = ok_json(
        "owes",
        "--payer",
        "microsoft",
        "--payee",
        "openai",
        "--period",
        "2025-Q3",
        "--revenue",
        "1e9",
    )
    assert isinstance(d, dict)
    assert d["amount"] is None and "no rate" in d["note"]
    r = charter(
        "owes",
        "--payer",
        "openai",
        "--payee",
        "microsoft",
        "--period",
        "2026-Q2",
        "--revenue",
        "1e10",
        "--lang",
        "de",
    )
    assert r.returncode == 0 and "schuldet" in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2026-Q5"], "invalid period '2026-Q5': expected a month (2026-07)"),
        (["--period", "Q3"], "invalid period 'Q3'"),
        (["--revenue", "lots"], "--revenue: expected an amount like 12000000000, got 'lots'"),
        (["--revenue", "-5"], "--revenue: must be a finite amount ≥ 0"),
        (["--payer", "nobody"], "unknown payer 'nobody'; valid values are:"),
        (["--payee", "nobody"], "unknown payee 'nobody'"),
        (["--lang", "fr"], "unknown language 'fr'; supported: en, de"),
        (["--event", "agi_verified=never"], "invalid date for event agi_verified"),
    ],
)
def test_owes_bad_input_exits_2(args: list[str], message: str) -> None:
    base = {"--payer": "openai", "--payee": "microsoft", "--period": "2026-Q3", "--revenue": "1e9"}
    extra: list[str] = []
    for i in range(0, len(args), 2):
        if args[i] in base:
            base[args[i]] = args[i + 1]
        else:
            extra += args[i : i + 2]
    r = charter("owes", *[x for kv in base.items() for x in kv], *extra)
    assert r.returncode == 2, r.stdout
    assert "Traceback" not in r.stderr
    assert message in " ".join(r.stderr.split())


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        (
            "when,amount\n2026-Q1,5\n",
            "history.csv:1: expected a header with columns period,revenue",
        ),
        ("period,revenue\n2026-Q1,abc\n", "history.csv:2: revenue: expected a number, got 'abc'"),
        ("period,revenue\n2026-Q1,5\n2026-13,5\n", "history.csv:3: period: invalid period"),
        ("period,revenue\n2026-Q1,5\n2026-02,5\n", "history.csv:3: period: 2026-02 overlaps"),
        ("period,revenue\n2026-Q1,-5\n", "history.csv:2: revenue: must be a number ≥ 0"),
    ],
)
def test_owes_bad_history_exits_2(csv_text: str, message: str, tmp_path: Path) -> None:
    hist = tmp_path / "history.csv"
    hist.write_text(csv_text)
    r = charter(
        "owes",
        "--payer",
        "openai",
        "--payee",
        "microsoft",
        "--period",
        "2026-Q3",
        "--revenue",
        "1e9",
        "--history",
        str(hist),
    )
    assert r.returncode == 2
    assert message in " ".join(r.stderr.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--action", "build-capacity", "--purpose", "fun"],
            "--purpose: unknown value 'fun'; valid values are: training, research, inference",
        ),
        (["--action", "pursue-agi", "--with", "nobody"], "unknown with party 'nobody'"),
        (
            ["--action", "publish", "--artifact-kind", "poems"],
            "--artifact-kind: unknown value 'poems'",
        ),
        (["--action", "run", "--provider", "aws", "--lang", "fr"], "unknown language 'fr'"),
    ],
)
def test_decide_new_options_bad_input(args: list[str], message: str) -> None:
    r = charter("decide", "--at", "2026-01-01", "--principal", "openai", *args)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    assert message in " ".join(r.stderr.split())
