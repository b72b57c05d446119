"""The minimal scenario ``charter init DIR --blank`` writes: one agreement, one provider, one
offer and one workload, commented, that validates and plans. A test keeps it so."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["blank_files", "scenario_name"]


def scenario_name(folder: Path) -> str:
    """A valid scenario name from a folder's name (``My Deals`` → ``my-deals``)."""
    name = re.sub(r"[^a-z0-9._-]+", "-", folder.name.lower()).strip("-._")
    return name or "my-scenario"


_SCENARIO = """\
# A minimal scenario written by `charter init --blank`: one agreement, one provider, one
# offer and one workload. Every file is described in the README ("Scenario files") and by
# `charter schema`. After each edit: `charter validate FOLDER`, then `charter plan FOLDER`.
name: {name}
title: My compute agreements
description: A starting point to edit.
segments: [commercial]          # customer segments workloads and clauses may name
sources: [my-notes]
plan:
  party: us                     # whose workloads the planner places
  from: 2025-01                 # the default horizon, first and last month
  to: 2025-12
"""

_PARTIES = """\
# The organizations that sign agreements or own providers.
- {id: us, name: Us}
- {id: cloudco, name: CloudCo, note: the compute vendor}
"""

_PROVIDERS = """\
# Compute brands, each owned by a party of parties.yaml.
- {id: cloudco-cloud, owner: cloudco, name: CloudCo Cloud}
"""

_AGREEMENTS = """\
# One agreement with its amendments in date order; each amendment adds, replaces or removes
# clauses. Clause kinds and their fields: README, "Scenario files".
id: us-cloudco
title: Compute agreement between us and CloudCo
parties: [us, cloudco]
amendments:
  - date: 2025-01-01
    title: Original agreement
    sources: [my-notes]
    clauses:
      - id: A1.C1
        kind: exclusivity
        title: Training runs on CloudCo only
        principal: us
        holder: cloudco
        where: {kind: [training]}
        providers: [cloudco-cloud]
        until: 2027-12-31
        confidence: primary
        sources: [my-notes]
"""

_OFFERS = """\
# Capacity the planner may use (README, "Offers and workloads files", lists every column).
- id: cloudco-east-h100
  provider: cloudco-cloud
  region: east
  family: h100
  pricing: on-demand
  price: 2.50                   # USD per accelerator-hour
  capacity: 10000               # accelerator-hours per month
"""

_WORKLOADS = """\
# What the planner places, month by month (owner: plan.party unless given).
- id: train-model
  kind: training
  families: [h100]              # acceptable accelerator families
  demand: 8000                  # accelerator-hours per month
  start: 2025-01
  end: 2025-06
"""


def blank_files(folder: Path) -> dict[str, str]:
    """File name → text of the minimal scenario for ``folder``."""
    return {
        "scenario.yaml": _SCENARIO.format(name=scenario_name(folder)),
        "parties.yaml": _PARTIES,
        "providers.yaml": _PROVIDERS,
        "agreements.yaml": _AGREEMENTS,
        "offers.yaml": _OFFERS,
        "workloads.yaml": _WORKLOADS,
    }
