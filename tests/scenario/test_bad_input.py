"""Bad scenario input: one fixture per case, each message asserted exactly.

Each folder under ``fixtures/bad/`` holds one file that replaces the same file of the valid
``fixtures/base/`` scenario (``offers.csv`` replaces ``offers.yaml``: one file per portfolio
part). Loading must fail with a message naming file, line and field; the CLI must print it and
exit 2 without a traceback (see test_cli.py for the subprocess runs).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import charter

FIXTURES = Path(__file__).parent.parent / "fixtures"

KINDS = (
    "exclusivity, rofr, first_ship, commitment, carve_out, permission, approval, ip_rights, "
    "revenue_share, limit, equity, term, trigger"
)

EXPECTED = {
    "unknown_figure_grade": "agreements.yaml:16: amendments[0].clauses[0].figure_grades: rate "
    "is not a figure of kind exclusivity (figures it has: none)",
    "malformed_yaml": "agreements.yaml:4: malformed YAML: expected ',' or ']', but got ':'",
    "duplicate_key": "agreements.yaml:14: amendments[0].clauses[0].providers: duplicate key "
    "'providers' (first given on line 13)",
    "unknown_kind": "agreements.yaml:10: amendments[0].clauses[0].kind: unknown clause kind "
    f"'exclusive'; valid kinds are: {KINDS}",
    "unknown_party": "agreements.yaml:13: amendments[0].clauses[0].holder: unknown party "
    "'clowd'; valid parties are: cloud, lab, other",
    "unknown_provider": "agreements.yaml:13: amendments[0].clauses[0].providers[1]: unknown "
    "provider 'azzure'; valid providers are: cloudy, elsewhere",
    "unknown_clause_ref": "agreements.yaml:21: amendments[0].clauses[1].overrides[0]: unknown "
    "clause id 'A.C9' (no clause of the scenario has it)",
    "remove_missing": "agreements.yaml:20: amendments[1].removes[0].clause: cannot remove "
    "clause 'A.C7': it does not exist before 2025-01-01",
    "same_date": "agreements.yaml:8: amendments[1].date: two amendments on 2024-01-01 "
    "(amendments[0] and amendments[1]); merge them into one",
    "unknown_event": "agreements.yaml:14: amendments[0].clauses[0].until.event: unknown event "
    "'agi'; valid events are: milestone",
    "unknown_action": "agreements.yaml:13: amendments[0].clauses[0].actions[0]: unknown action "
    "'reorganize'; valid actions are: run, access, build-capacity, restructure, publish, "
    "pursue-agi, train",
    "unknown_artifact_kind": "agreements.yaml:14: amendments[0].clauses[0].where: unknown "
    "artifact_kind 'weights'; valid values are: model-weights, model-architecture, "
    "inference-code, fine-tuning-code, research-method, datacenter-design, "
    "consumer-hardware-design, product, acquired-ip",
    "invalid_until": "agreements.yaml:14: amendments[0].clauses[0].until: expected a date like "
    "2030-12-31, {event: NAME} or {first_of: [...]}, got '31/12/30'",
    "invalid_date": "agreements.yaml:5: amendments[0].date: invalid value '2024-13-01': month "
    "must be in 1..12; expected a date like 2030-12-31",
    "missing_field": "agreements.yaml:9: amendments[0].clauses[0].providers: required field is "
    "missing",
    "unknown_attribute": "agreements.yaml:14: amendments[0].clauses[0].where: unknown attribute "
    "'workload'; valid attributes are: above_compute_threshold, action, api, artifact_kind, "
    "artifact_owner, codeveloped_with, first_party, kind, launch, new_capacity, product, "
    "provider, provider_owner, purpose, segment, uses_licensed_ip, with_party",
    "unknown_segment": "agreements.yaml:13: amendments[0].clauses[0].where.segment: unknown "
    "segment 'defense'; valid segments are: commercial, government (declare segments in "
    "scenario.yaml)",
    "unknown_field": "agreements.yaml:14: amendments[0].clauses[0].confidance: unknown field "
    "'confidance'; did you mean 'confidence'? (and 1 more problem in this file)",
    "duplicate_clause_id": "agreements.yaml:14: amendments[0].clauses[1].id: duplicate clause "
    "id 'A.C1' (first at agreements.yaml:9)",
    "provider_unknown_owner": "providers.yaml:2: [1].owner: unknown party 'nobody'; valid "
    "parties are: cloud, lab, other",
    "provider_focus_name_shared": "providers.yaml:2: [1].focus_names[1]: provider 'elsewhere' "
    "declares the FOCUS name ' big cloud ', which is also provider 'cloudy''s: a ProviderName "
    "is declared by one provider only",
    "provider_focus_name_empty": "providers.yaml:1: [0].focus_names[0]: a FOCUS name is a "
    "non-empty string",
    "bad_confidence": "agreements.yaml:12: amendments[0].clauses[0].confidence: input should be "
    "'primary', 'quoted', 'reported' or 'weak', got 'rumour'",
    # offers and workloads: a workload no offer can ever take (the planner's fit rule) ...
    "workload_unknown_family": "workloads.yaml:12: [1].families: workload 'gov' fits no offer: "
    "no offer has accelerator family 'h10' (did you mean 'h100'?); the offers' families are: "
    "h100, tpu-v6e",
    "workload_unknown_region": "workloads.yaml:13: [1].regions: workload 'gov' fits no offer: "
    "no offer of family h100 is in region 'us-gvo' (did you mean 'us-gov'?); offers of family "
    "h100 are in: us-east, us-gov",
    "workload_unknown_compliance": "workloads.yaml:14: [1].compliance: workload 'gov' fits no "
    "offer: no offer of family h100 in region us-gov carries compliance tag 'fedramp-hi' (did "
    "you mean 'fedramp-high'?); the tags on offers of family h100 in region us-gov are: "
    "fedramp-high, il6",
    "workload_compliance_split": "workloads.yaml:14: [1].compliance: workload 'gov' fits no "
    "offer: no single offer of family h100 in region us-gov carries all of 'fedramp-high' and "
    "'il6'; those offers carry only: fedramp-high; il6",
    "workloads_csv_unknown_family": "workloads.csv:4: families: workload 'infer' fits no offer: "
    "no offer has accelerator family 'tpu-v5e' (did you mean 'tpu-v6e'?); the offers' families "
    "are: h100, tpu-v6e",
    # ... unknown fields and columns with suggestions, CSV lines counting the header
    "workload_unknown_field": "workloads.yaml:5: [0].demnd: unknown field 'demnd'; did you mean "
    "'demand' or 'end'?",
    "offers_csv_unknown_column": "offers.csv:1: available_to: unknown column 'available_to'; did "
    "you mean 'available_from' or 'available_until'?",
    "offers_csv_unknown_provider": "offers.csv:4: provider: unknown provider 'cloudyy' (did you "
    "mean 'cloudy'?); valid providers are: cloudy, elsewhere",
}


def make_case(case: str, dest: Path) -> Path:
    """The base scenario with the case's one file swapped in."""
    folder = dest / case
    shutil.copytree(FIXTURES / "base", folder)
    for f in (FIXTURES / "bad" / case).iterdir():
        stem = f.name.split(".")[0]
        if stem in ("offers", "workloads"):  # one file per part: offers.csv replaces .yaml
            for other in folder.glob(f"{stem}.*"):
                other.unlink()
        shutil.copyfile(f, folder / f.name)
    return folder


def test_every_fixture_has_an_expected_message() -> None:
    assert {p.name for p in (FIXTURES / "bad").iterdir()} == set(EXPECTED)
    for p in (FIXTURES / "bad").iterdir():
        assert len(list(p.iterdir())) == 1, f"{p.name}: one fixture file per case"


def test_base_fixture_is_valid() -> None:
    s = charter.load_scenario(FIXTURES / "base")
    assert len(s.clauses) == 2
    assert [w.id for w in s.data.workloads] == ["train", "gov"]
    assert len(s.data.offers) == 4


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_bad_input_message(case: str, tmp_path: Path) -> None:
    folder = make_case(case, tmp_path)
    with pytest.raises(charter.ScenarioError) as info:
        charter.load_scenario(folder)
    assert str(info.value) == EXPECTED[case]


def test_missing_folder_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(charter.CharterError, match="unknown scenario"):
        charter.load_scenario(tmp_path / "nope")
    folder = make_case("same_date", tmp_path)
    (folder / "parties.yaml").unlink()
    with pytest.raises(charter.ScenarioError, match=r"^parties.yaml: file is missing"):
        charter.load_scenario(folder)


@pytest.mark.parametrize(
    ("request_kw", "message"),
    [
        ({"action": "fly"}, "unknown action 'fly'; valid actions are: run, access"),
        ({"principal": "nobody"}, "unknown principal 'nobody'; valid values are: lab, cloud"),
        ({"provider": "mars"}, "unknown provider 'mars'; valid values are: cloudy, elsewhere"),
        ({"kind": "gaming"}, "unknown kind 'gaming'; valid values are: training, research"),
        ({"segment": "defense"}, "unknown segment 'defense'; valid values are: commercial"),
        ({"at": "2025-02-30"}, "invalid at '2025-02-30': expected a date like 2025-10-28"),
        ({"provider": None}, "action 'run' needs a provider"),
        ({"action": "access", "provider": None}, "action 'access' needs an artifact kind"),
        (
            {"action": "access", "provider": None, "artifact_kind": "secrets"},
            "unknown artifact kind 'secrets'",
        ),
        ({"colour": "red"}, "unknown request field 'colour'"),
    ],
)
def test_bad_requests(request_kw: dict[str, object], message: str) -> None:
    s = charter.load_scenario(FIXTURES / "base")
    base: dict[str, object] = {
        "at": "2025-01-01",
        "principal": "lab",
        "action": "run",
        "provider": "cloudy",
    }
    base.update(request_kw)
    with pytest.raises(charter.RequestError) as info:
        s.decide(**base)
    assert message in str(info.value)


def test_bad_events() -> None:
    s = charter.load_scenario("microsoft-openai")
    q = {"at": "2030-01-01", "principal": "microsoft", "action": "pursue-agi"}
    with pytest.raises(charter.RequestError, match="unknown event 'agi'; valid events are"):
        s.decide(**q, events={"agi": "2029-01-01"})
    with pytest.raises(charter.RequestError, match="invalid date for event agi_verified"):
        s.decide(**q, events={"agi_verified": "soon"})
    with pytest.raises(charter.RequestError, match="cannot come after agi_verified"):
        s.decide(**q, events={"agi_verified": "2029-01-01", "agi_declared": "2029-06-01"})
