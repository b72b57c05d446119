"""charter: compute agreements as executable policy.

Load a scenario (a folder of YAML agreements, or a bundled name) and ask it questions::

    import charter

    s = charter.load_scenario()                      # the bundled default scenario
    d = s.decide(at="2025-12-01", principal="...", action="run", provider="...",
                 kind="training", new_capacity=True)
    d.verdict, d.clause_ids, d.note
    s.timeline(at="2026-01-01", events={"agi_verified": "2029-06-01"})
"""

from charter.agreements import ClauseRecord
from charter.clauses import Confidence, Effect, Obligation
from charter.decide import Citation, Decision, DecisionBatch, Request, Verdict
from charter.errors import CharterError, RequestError, ScenarioError
from charter.scenario import Scenario, bundled_scenarios, init_scenario, load_scenario

__all__ = [
    "CharterError",
    "Citation",
    "ClauseRecord",
    "Confidence",
    "Decision",
    "DecisionBatch",
    "Effect",
    "Obligation",
    "Request",
    "RequestError",
    "Scenario",
    "ScenarioError",
    "Verdict",
    "__version__",
    "bundled_scenarios",
    "init_scenario",
    "load_scenario",
]

__version__ = "0.1.0"
