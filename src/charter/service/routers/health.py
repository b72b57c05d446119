"""``/health``: anonymous; 503 when the database does not answer."""

from typing import Any

from fastapi import APIRouter

from charter.service.deps import ServiceDep, operation
from charter.service.schemas import HealthPublic

router = APIRouter(tags=["service"])


@router.get("/health", **operation("health", HealthPublic))
def health(service: ServiceDep) -> dict[str, Any]:
    service.store.db.ping()
    return {
        "ok": True,
        "scenario": service.store.scenario.name,
        "now": service.clock.now().isoformat(),
    }
