"""``/v1/commitments``: burn-down per commitment (:mod:`charter.ledger.commitments`)."""

from typing import Any

from fastapi import APIRouter

from charter.ledger.commitments import burn_down
from charter.service.deps import ReaderDep, operation
from charter.service.schemas import CommitmentsPublic

router = APIRouter(tags=["commitments"])


@router.get("/v1/commitments", **operation("commitments", CommitmentsPublic))
def commitments(r: ReaderDep) -> dict[str, Any]:
    return burn_down(r.store, caller=r.caller, now=r.now)
