"""``/v1/ledger``: the events a caller may see, and the chain's verification."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from charter.ledger.feed import checkpoint, list_events, proof
from charter.service.deps import ReaderDep, ServiceDep, operation
from charter.service.schemas import (
    CheckpointPublic,
    LedgerPagePublic,
    ProofPublic,
    VerifyPublic,
)

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
def ledger_verify(r: ReaderDep, service: ServiceDep) -> dict[str, Any]:
    """The log's verification as the caller may see it; one full verification at a time,
    reused for ``verify_ttl`` seconds (see :class:`charter.ledger.feed.LedgerChecks`)."""
    return service.checks.result(r.store, r.caller)


@router.get("/v1/ledger/checkpoint", **operation("ledger_checkpoint", CheckpointPublic))
def ledger_checkpoint(r: ReaderDep) -> dict[str, Any]:
    """The server's signed checkpoint (size, Merkle root) of the log as it is now."""
    return checkpoint(r.store)


@router.get("/v1/ledger/proof", **operation("ledger_proof", ProofPublic))
def ledger_proof(
    r: ReaderDep,
    old: Annotated[int | None, Query(ge=0, le=2**62)] = None,
    seq: Annotated[int | None, Query(ge=1, le=2**62)] = None,
) -> dict[str, Any]:
    """The current checkpoint, the consistency proof from size ``old`` and the inclusion
    proof of event ``seq`` (RFC 6962)."""
    return proof(r.store, old=old, seq=seq)
