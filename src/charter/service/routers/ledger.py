"""``/v1/ledger``: the events a caller may see, and the chain's verification."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from charter.ledger.feed import list_events, verify_chain
from charter.service.deps import ReaderDep, operation
from charter.service.schemas import LedgerPagePublic, VerifyPublic

router = APIRouter(tags=["ledger"])


@router.get("/v1/ledger", **operation("ledger_list", LedgerPagePublic))
def ledger_list(
    r: ReaderDep,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    kind: str | None = None,
) -> dict[str, Any]:
    return list_events(r.store, caller=r.caller, after=after, limit=limit, kind=kind)


@router.get("/v1/ledger/verify", **operation("ledger_verify", VerifyPublic))
def ledger_verify(r: ReaderDep) -> dict[str, Any]:
    return verify_chain(r.store, caller=r.caller)
