"""``/v1/revenue``: revenue records and statements (:mod:`charter.ledger.revenue`)."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from charter.ledger import revenue
from charter.service.deps import ReaderDep, WriterDep, answer, operation
from charter.service.schemas import RecordedPublic, RevenueCreate, StatementPublic

router = APIRouter(tags=["revenue"])


@router.post("/v1/revenue", status_code=201, **operation("revenue_record", RecordedPublic))
def revenue_record(body: RevenueCreate, w: WriterDep, response: Response) -> dict[str, Any]:
    reply = revenue.record_revenue(w.store, caller=w.caller, revenue=body, key=w.key, now=w.now)
    return answer(reply, response)


@router.get("/v1/revenue/statement", **operation("revenue_statement", StatementPublic))
def revenue_statement(
    r: ReaderDep,
    period: Annotated[str, Query(description="2026-07, 2026-Q3 or 2026")],
    payer: str,
    payee: str,
    lang: str = "en",
) -> dict[str, Any]:
    return revenue.statement(
        r.store, caller=r.caller, period=period, payer=payer, payee=payee, lang=lang
    )
