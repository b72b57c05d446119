"""`charter schema` and the README's column tables: true to the model, compact, usable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from charter.model import OfferSpec, WorkloadSpec
from charter.scenario import bundled_scenarios, init_scenario
from charter.schema import column_rows, column_table, scenario_schema

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.mark.parametrize("model", [OfferSpec, WorkloadSpec])
def test_readme_column_tables_are_the_models(model: Any) -> None:
    """The README shows the table generated from the model, so every column, type, default
    and example in it is true (regenerate with charter.schema.column_table)."""
    assert column_table(model) in README.read_text()
    assert [r["column"] for r in column_rows(model)] == list(model.model_fields)
    assert all(r["description"] and r["example"] for r in column_rows(model))


def test_column_rows_read_types_and_defaults() -> None:
    rows = {r["column"]: r for r in column_rows(WorkloadSpec)}
    assert rows["families"] == {
        "column": "families",
        "type": "list of text",
        "default": "required",
        "example": "h100;gb200",
        "description": "acceptable accelerator families",
    }
    assert (rows["start"]["type"], rows["demand"]["default"], rows["count"]["type"]) == (
        "month",
        "0",
        "integer",
    )
    assert rows["new_capacity"]["default"] == "true"
    assert rows["demand_by_period"]["example"] == "2026-01=1000;2026-02=1200"
    offer = {r["column"]: r for r in column_rows(OfferSpec)}
    assert offer["pricing"]["type"] == "on-demand, reserved, committed or spot"
    assert offer["available_from"]["type"] == "date"


def test_schema_is_compact() -> None:
    text = json.dumps(scenario_schema(), indent=2)
    assert len(text) < 150_000  # 1.1 MB when every clause kind repeated the selector inline
    assert text.count('"provider_owner"') == 1  # the selector's attributes: stated once


def _folder_document(folder: Path) -> dict[str, Any]:
    doc = {}
    for f in sorted(folder.glob("*.yaml")):
        # as JSON sees it: YAML dates become strings
        doc[f.name] = json.loads(json.dumps(yaml.safe_load(f.read_text()), default=str))
    return doc


def test_scenarios_validate_against_the_schema(tmp_path: Path) -> None:
    jsonschema_rs = pytest.importorskip("jsonschema_rs")
    schema = scenario_schema()
    validator = jsonschema_rs.validator_for(schema)
    blank = init_scenario(tmp_path / "blank", blank=True)
    for folder in [*bundled_scenarios().values(), blank]:
        doc = _folder_document(folder)
        assert {"offers.yaml", "workloads.yaml"} <= set(doc)
        assert [str(e) for e in validator.iter_errors(doc)] == [], folder.name
    offers = _folder_document(blank)["offers.yaml"]
    bad = {**_folder_document(blank), "offers.yaml": [{**offers[0], "available_to": "2025"}]}
    errors = [str(e) for e in validator.iter_errors(bad)]
    assert len(errors) == 1 and "'available_to' was unexpected" in errors[0]
