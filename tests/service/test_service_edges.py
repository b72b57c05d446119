"""The service's edges: input it cannot encode, bodies past their limit, decisions and ledger
metadata scoped to the caller, lax ROFR input, an unwritable database, hardening headers."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.service.test_service import ROFR_BODY, World, db_url

__all__ = ["db_url"]  # the SQLite/PostgreSQL fixture, shared with test_service

SURROGATE = "\ud800"


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    yield World(db_url, dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC))


def _raw(world: World, path: str, body: Any, party: str = "openai") -> Any:
    """POST ``body`` as JSON text (ASCII, so a lone surrogate travels as ``\\ud800``)."""
    headers = {"content-type": "application/json"}
    return world.call(party, "POST", path, content=json.dumps(body).encode(), headers=headers)


# ---------------------------------------------------------------------------- surrogates
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/decisions", {"at": "2025-03-01", "principal": SURROGATE, "action": "run"}),
        (
            "/v1/decisions/batch",
            {"requests": [{"at": "2025-03-01", "principal": SURROGATE, "action": "run"}]},
        ),
        ("/v1/rofr/requests", {**ROFR_BODY, "quantity": {SURROGATE: 1}}),
        ("/v1/rofr/requests", {**ROFR_BODY, "family": f"tpu{SURROGATE}"}),
    ],
)
def test_a_lone_surrogate_is_a_422(world: World, path: str, body: dict[str, Any]) -> None:
    r = _raw(world, path, body)
    assert r.status_code == 422, r.text
    assert "surrogate" in r.text
