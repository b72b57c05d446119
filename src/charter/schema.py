"""The JSON Schema of the scenario files, as ``charter schema`` prints it."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter

from charter.model import (
    AgreementSpec,
    BriefingQuestion,
    EventSpec,
    PartySpec,
    ProviderSpec,
    ScenarioMeta,
)

__all__ = ["scenario_schema"]


def scenario_schema() -> dict[str, Any]:
    """One JSON Schema document describing every file of a scenario folder."""
    files: dict[str, Any] = {
        "scenario.yaml": ScenarioMeta,
        "parties.yaml": list[PartySpec],
        "providers.yaml": list[ProviderSpec],
        "events.yaml": list[EventSpec],
        "agreements.yaml": AgreementSpec,
        "briefing.yaml": list[BriefingQuestion],
    }
    defs: dict[str, Any] = {}
    props: dict[str, Any] = {}
    for name, tp in files.items():
        schema = TypeAdapter(tp).json_schema(ref_template="#/$defs/{model}")
        defs.update(schema.pop("$defs", {}))
        props[name] = schema
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "charter scenario folder",
        "description": (
            "A scenario is a folder of YAML files; each property below is one file. "
            "agreements/NAME.yaml files take the same shape as agreements.yaml."
        ),
        "type": "object",
        "properties": props,
        "required": ["scenario.yaml", "parties.yaml", "providers.yaml"],
        "$defs": defs,
    }
