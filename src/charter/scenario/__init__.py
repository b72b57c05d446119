"""Scenario folders: loading, validation and the :class:`Scenario` object."""

from charter.scenario.scenario import (
    Scenario,
    bundled_scenarios,
    init_scenario,
    load_scenario,
    resolve_scenario,
)

__all__ = ["Scenario", "bundled_scenarios", "init_scenario", "load_scenario", "resolve_scenario"]
