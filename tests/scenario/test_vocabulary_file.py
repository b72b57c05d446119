"""A scenario's vocabulary.yaml: how it extends the base, and located errors when it is bad."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import charter
from charter.vocab import BASE

FIXTURES = Path(__file__).parent.parent / "fixtures"


def with_vocabulary(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "s"
    shutil.copytree(FIXTURES / "residency", folder)
    (folder / "vocabulary.yaml").write_text(text)
    return folder


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "attributes:\n  - {name: region, type: place}\n",
            "vocabulary.yaml:2: attributes[0].type: input should be 'party', 'provider', 'enum', "
            "'segment', 'text' or 'bool', got 'place'",
        ),
        (
            "actions:\n  - {name: resell, default: deny}\n  - {name: resell}\n",
            "vocabulary.yaml:3: actions[1].name: duplicate name 'resell' (also actions[0])",
        ),
        (
            "attributes:\n  - name: tier\n    type: enum\n    values: [gold, silver]\n"
            "    default: bronze\n",
            "vocabulary.yaml:5: attributes[0].default: bad default 'bronze' for 'tier': one of: "
            "gold, silver",
        ),
        (
            "attributes:\n  - {name: flag, type: bool, default: 'yes'}\n",
            "vocabulary.yaml:2: attributes[0].default: bad default 'yes' for 'flag': true, false "
            "or null",
        ),
        (
            "actions:\n  - {name: resell, default: maybe}\n",
            "vocabulary.yaml:2: actions[0].default: input should be 'allow' or 'deny', got 'maybe'",
        ),
        (
            "attributes:\n  - {name: residency}\n",
            "vocabulary.yaml:2: attributes[0].type: new attribute 'residency' needs a type",
        ),
        (
            "actions:\n  - {name: access, default: allow}\n",
            "vocabulary.yaml:2: actions[0].default: 'access' is a base action: its default is deny",
        ),
        (
            "attributes:\n  - {name: kind, type: bool}\n",
            "vocabulary.yaml:2: attributes[0].type: 'kind' is a base attribute of type enum",
        ),
        (
            "actions:\n  - {name: resell, requires: [region]}\n",
            "vocabulary.yaml:2: actions[0].requires[0]: unknown attribute 'region'",
        ),
        (
            "attributes:\n  - {name: tier, type: enum, values: [a], colour: red}\n",
            "vocabulary.yaml:2: attributes[0].colour: unknown field 'colour'",
        ),
        ("- just a list\n", "vocabulary.yaml:1: expected a mapping with actions and attributes"),
    ],
)
def test_a_bad_vocabulary_is_a_located_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(charter.ScenarioError) as info:
        charter.load_scenario(with_vocabulary(tmp_path, text))
    assert str(info.value).startswith(message), str(info.value)


def test_a_clause_on_an_undeclared_attribute_is_located(tmp_path: Path) -> None:
    folder = with_vocabulary(tmp_path, "")  # no vocabulary of its own: data_residency unknown
    with pytest.raises(charter.ScenarioError) as info:
        charter.load_scenario(folder)
    assert str(info.value).startswith(
        "agreements.yaml:14: amendments[0].clauses[0].where: unknown attribute 'data_residency'"
    )


def test_the_scenario_extends_the_base() -> None:
    s = charter.load_scenario(FIXTURES / "residency")
    v = s.vocabulary
    assert list(v.actions) == [*BASE.actions, "resell-capacity"]
    assert v.actions["resell-capacity"].default == "deny"
    assert v.values("data_residency") == ("eu", "us")
    assert v.values("action")[-1] == "resell-capacity"
    assert v.new_names(BASE) == ("resell-capacity", "data_residency", "eu", "us")
    assert "data_residency" not in BASE.attributes
    d = s.decide(
        at="2025-06-01", principal="lab", action="run", provider="cloudy", data_residency="eu"
    )
    assert (d.verdict.value, d.clause_ids) == ("deny", ("R.1",))
    assert d.request.attrs == {"data_residency": "eu"}
    batch = s.decide_many([d.request, {**d.request.to_json(), "data_residency": "us"}])
    assert [batch.verdict(i).value for i in range(2)] == ["deny", "allow"]
    with pytest.raises(charter.RequestError, match="did you mean 'data_residency'"):
        s.decide(
            at="2025-06-01", principal="lab", action="run", provider="cloudy", data_residence="eu"
        )
    mo = charter.load_scenario("microsoft-openai")
    assert "pursue-agi" in mo.vocabulary.actions and "pursue-agi" not in BASE.actions
