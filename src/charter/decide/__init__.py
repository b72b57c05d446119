"""Decisions: may a principal take an action on a resource at a date, under assumed events?

The engine evaluates a whole batch at once: requests become integer-coded columns, each clause
of the timeline yields an effect per request (:class:`~charter.clauses.Effect`), and the
precedence of DESIGN.md combines them with array operations:

1. exceptions (``carve_out``, ``permission`` with ``overrides``) lift the forbids and
   obligations of the clauses they name, for the requests they match;
2. any forbid not lifted → ``deny``;
3. any obligation not lifted → ``conditional``;
4. any grant (or a lift that took effect) → ``allow``;
5. otherwise the action's default.

Explanations (deciding clauses, obligations, notes) are built per request only when asked
for. A single decision takes a scalar fast path over the clauses that can speak to its
(principal, action); both paths produce an :class:`Outcome` and share one explanation
routine, and a property test keeps their verdicts and citations identical.

The package: :mod:`.request` (the question, the verdict), :mod:`.rules` (both paths),
:mod:`.explain` (citations, notes).
"""

from charter.decide.explain import Citation, Decision, Explanation
from charter.decide.request import REQUEST_FIELDS, Outcome, Request, Verdict
from charter.decide.rules import DecisionBatch, Rules

__all__ = [
    "REQUEST_FIELDS",
    "Citation",
    "Decision",
    "DecisionBatch",
    "Explanation",
    "Outcome",
    "Request",
    "Rules",
    "Verdict",
]
