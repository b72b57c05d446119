"""Scenario folders: loading, validation and the :class:`Scenario` object."""

from charter.scenario.folders import (
    bundled_scenarios,
    init_scenario,
    load_scenario,
    resolve_scenario,
)
from charter.scenario.scenario import Scenario

__all__ = ["Scenario", "bundled_scenarios", "init_scenario", "load_scenario", "resolve_scenario"]
