"""``/v1/decisions`` on a scenario with its own vocabulary: declared attributes are fields of
the request (and of the OpenAPI document), unknown ones a 422 naming the closest."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from charter.ledger import Database
from charter.ledger.tokens import create_token
from charter.service import Settings, create_app

RESIDENCY = Path(__file__).parent.parent / "fixtures" / "residency"
RESELL = {"at": "2025-06-01", "principal": "lab", "action": "resell-capacity"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str]]]:
    url = f"sqlite:///{tmp_path / 'charter.db'}"
    db = Database(url)
    db.upgrade()
    token = create_token(db, party="lab", role="viewer", parties={"lab", "cloud", "other"})[1]
    app = create_app(Settings(db_url=url, scenario=str(RESIDENCY)))
    with TestClient(app) as c:
        yield c, {"Authorization": f"Bearer {token}"}
    app.state.db.dispose()
    db.dispose()


def test_declared_attribute_and_action_from_the_api(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    c, auth = client
    body = {**RESELL, "provider": "cloudy", "data_residency": "us"}
    r = c.post("/v1/decisions", json=body, headers=auth)
    assert r.status_code == 200, r.text
    assert (r.json()["verdict"], r.json()["request"]["data_residency"]) == ("allow", "us")
    eu = c.post("/v1/decisions", json={**body, "data_residency": "eu"}, headers=auth)
    assert eu.json()["verdict"] == "deny"
    run = {"at": "2025-06-01", "principal": "lab", "action": "run", "provider": "cloudy"}
    batch = c.post(
        "/v1/decisions/batch",
        json={"requests": [{**run, "data_residency": "eu"}, {**run, "data_residency": "us"}]},
        headers=auth,
    )
    assert [d["verdict"] for d in batch.json()["decisions"]] == ["deny", "allow"]


def test_unknown_attributes_and_values_are_422_with_the_closest_name(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    c, auth = client
    body = {**RESELL, "provider": "cloudy"}
    r = c.post("/v1/decisions", json={**body, "data_residence": "eu"}, headers=auth)
    assert r.status_code == 422
    assert "unknown request field 'data_residence' (did you mean 'data_residency'?)" in r.text
    r = c.post("/v1/decisions", json={**body, "data_residency": "mars"}, headers=auth)
    assert r.status_code == 422
    assert "unknown data residency 'mars'; valid values are: eu, us" in r.text
    r = c.post("/v1/decisions", json={**body, "uses_licensed_ip": True}, headers=auth)
    assert r.status_code == 422  # the bundled scenario's attribute is not this one's


def test_the_openapi_document_lists_the_declared_attributes(
    client: tuple[TestClient, dict[str, str]],
) -> None:
    c, _ = client
    props = c.get("/openapi.json").json()["components"]["schemas"]["DecisionCreate"]["properties"]
    assert props["data_residency"]["enum"] == ["eu", "us"]
    assert {"at", "principal", "action", "provider"} <= set(props)
