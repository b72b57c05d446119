"""``/v1/spend``: spend records, one by one or as a FinOps FOCUS CSV
(:mod:`charter.ledger.spend`)."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from charter.ledger import focus, spend
from charter.service.deps import WriterDep, answer, operation
from charter.service.schemas import RecordedPublic, SpendCreate, SpendImportPublic

router = APIRouter(tags=["commitments"])

CSV_BODY = {
    "requestBody": {"content": {"text/csv": {"schema": {"type": "string"}}}, "required": True}
}


async def csv_text(request: Request) -> str:
    """The request body as text (a BOM dropped, undecodable bytes replaced)."""
    return (await request.body()).decode("utf-8-sig", errors="replace")


@router.post("/v1/spend", status_code=201, **operation("spend_record", RecordedPublic))
def spend_record(body: SpendCreate, w: WriterDep, response: Response) -> dict[str, Any]:
    reply = spend.record_spend(w.store, caller=w.caller, spend=body, key=w.key, now=w.now)
    return answer(reply, response)


@router.post(
    "/v1/spend/import",
    status_code=201,
    **operation("spend_import", SpendImportPublic, openapi_extra=CSV_BODY),
)
def spend_import(
    text: Annotated[str, Depends(csv_text)],
    w: WriterDep,
    response: Response,
    rate: Annotated[
        list[str],
        Query(
            description="CODE=RATE, e.g. EUR=1.08: 1 unit of the currency in the commitment's "
            "currency, for rows in that currency (repeat it for each currency)"
        ),
    ] = [],  # noqa: B006 (FastAPI copies a query default)
) -> dict[str, Any]:
    rates = focus.parse_rates(rate, ["query", "rate"])
    reply = spend.import_spend(
        w.store, caller=w.caller, csv_text=text, key=w.key, now=w.now, rates=rates
    )
    return answer(reply, response)
