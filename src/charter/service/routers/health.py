"""``/health``: anonymous; says only that the service is up (503 when the database does not
answer): the scenario and the clock are for authenticated callers and the server's log."""

from typing import Any

from fastapi import APIRouter

from charter.service.deps import ServiceDep, operation
from charter.service.schemas import HealthPublic

router = APIRouter(tags=["service"])


@router.get("/health", **operation("health", HealthPublic))
def health(service: ServiceDep) -> dict[str, Any]:
    service.store.db.ping()
    return {"ok": True}
