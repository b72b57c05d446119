"""``/v1/rofr/requests``: the ROFR process (:mod:`charter.ledger.rofr`)."""

from typing import Any

from fastapi import APIRouter, Response

from charter.ledger import rofr
from charter.service.deps import ReaderDep, WriterDep, answer, operation
from charter.service.schemas import (
    RofrAnswerPublic,
    RofrRequestCreate,
    RofrRequestListPublic,
    RofrRequestPublic,
)

router = APIRouter(tags=["rofr"])


@router.post("/v1/rofr/requests", status_code=201, **operation("rofr_file", RofrRequestPublic))
def rofr_file(body: RofrRequestCreate, w: WriterDep, response: Response) -> dict[str, Any]:
    reply = rofr.file_request(w.store, caller=w.caller, filing=body, key=w.key, now=w.now)
    return answer(reply, response)


@router.get("/v1/rofr/requests", **operation("rofr_list", RofrRequestListPublic))
def rofr_list(r: ReaderDep) -> dict[str, Any]:
    return {"requests": rofr.list_requests(r.store, caller=r.caller, now=r.now)}


@router.get("/v1/rofr/requests/{rid}", **operation("rofr_get", RofrRequestPublic))
def rofr_get(rid: str, r: ReaderDep) -> dict[str, Any]:
    return rofr.get_request(r.store, caller=r.caller, rid=rid, now=r.now)


@router.post("/v1/rofr/requests/{rid}/match", **operation("rofr_match", RofrAnswerPublic))
def rofr_match(rid: str, w: WriterDep, response: Response) -> dict[str, Any]:
    reply = rofr.answer_request(w.store, caller=w.caller, rid=rid, match=True, key=w.key, now=w.now)
    return answer(reply, response)


@router.post("/v1/rofr/requests/{rid}/decline", **operation("rofr_decline", RofrAnswerPublic))
def rofr_decline(rid: str, w: WriterDep, response: Response) -> dict[str, Any]:
    reply = rofr.answer_request(
        w.store, caller=w.caller, rid=rid, match=False, key=w.key, now=w.now
    )
    return answer(reply, response)
