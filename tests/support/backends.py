"""The database backends the service and ledger tests run on: SQLite in a temporary folder,
and PostgreSQL at ``$CHARTER_TEST_POSTGRES_URL`` (its tables dropped first). Without that URL
the PostgreSQL case is skipped, or fails under ``CHARTER_REQUIRE_POSTGRES`` (as in CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from charter.ledger import Database

__all__ = ["BACKENDS", "PG", "database_url"]

PG = os.environ.get("CHARTER_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def database_url(request: pytest.FixtureRequest, tmp_path: Path, name: str = "charter.db") -> str:
    """The URL of an empty database of the backend ``request.param`` names."""
    if request.param != "postgres":
        return f"sqlite:///{tmp_path / name}"
    if not PG:
        if os.environ.get("CHARTER_REQUIRE_POSTGRES"):
            pytest.fail("CI must run the PostgreSQL tests: CHARTER_TEST_POSTGRES_URL unset")
        pytest.skip("no PostgreSQL configured (set CHARTER_TEST_POSTGRES_URL)")
    db = Database(PG)
    with db.engine.begin() as conn:
        for table in (
            "alembic_version",
            "spend_sums",
            "ledger_views",
            "idempotency",
            "tokens",
            "ledger_events",
        ):
            conn.execute(text(f"DROP TABLE IF EXISTS {table}"))
    db.dispose()
    return PG
