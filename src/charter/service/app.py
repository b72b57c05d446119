"""The FastAPI application: ``create_app(settings)`` builds it; nothing is read at import.

Every request is made as a party (bearer token) except ``/health``; :mod:`.policy` decides
who may call what and see what. Writes take an ``Idempotency-Key`` and commit in one
transaction with their ledger event, so a retry returns the first answer and nothing is
recorded twice; a 2xx means the event is durable (SQLite WAL with full sync, or PostgreSQL).
"""

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Header, HTTPException, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session

from charter.clauses.commitment import CommitmentSpec
from charter.errors import CharterError
from charter.ledger.chain import Ledger, canonical
from charter.ledger.db import Database, DatabaseError, describe_db_error
from charter.ledger.rows import IdempotencyRow, TokenRow
from charter.periods import Period
from charter.scenario import Scenario, load_scenario
from charter.service.clock import Clock
from charter.service.policy import ROUTES, Caller, allowed, can_see_event, redact

__all__ = ["Settings", "create_app", "hash_token"]

log = logging.getLogger("charter.service")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass
class Settings:
    """Configuration, built at the edge (CLI, tests) and passed in."""

    db_url: str
    scenario: str | None = None
    as_of: dt.date | None = None
    clock: Clock | None = None
    check_schema: bool = True
    #: in-process use by the CLI "straight to the database": act as this caller, no token
    local_caller: Caller | None = None
    extra: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------------------- schemas
class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class DecisionCreate(_In):
    at: dt.date
    principal: str
    action: str
    provider: str | None = None
    kind: str | None = None
    segment: str | None = None
    new_capacity: bool = False
    api: str | None = None
    product: str | None = None
    codeveloped_with: str | None = None
    first_party: bool = False
    launch: bool = False
    artifact_kind: str | None = None
    artifact_owner: str | None = None
    created: dt.date | None = None
    purpose: str | None = None
    with_party: str | None = None
    uses_licensed_ip: bool = False
    above_compute_threshold: bool | None = None
    events: dict[str, dt.date] = Field(default_factory=dict)
    lang: str = "en"


class DecisionBatchCreate(_In):
    requests: list[DecisionCreate] = Field(min_length=1, max_length=10_000)


class RofrRequestCreate(_In):
    provider: str = Field(description="the third party whose capacity would be bought (private)")
    family: str = Field(min_length=1, description="accelerator family")
    kind: str = "training"
    segment: str = "commercial"
    quantity: dict[str, float] = Field(
        min_length=1, description="month → accelerator-hours, e.g. {'2025-04': 100000}"
    )
    window_from: dt.date
    window_to: dt.date
    price_per_hour: float = Field(gt=0, description="the third-party price the holder may match")
    terms: str | None = Field(None, max_length=2000)


class SpendCreate(_In):
    provider: str
    billed_cost: float = Field(ge=0)
    effective_cost: float | None = Field(None, ge=0)
    currency: str = Field("USD", min_length=3, max_length=3)
    period_start: dt.date
    period_end: dt.date


class RevenueCreate(_In):
    payee: str
    period: str
    amount: float = Field(ge=0)


def _error(status: int, msg: str, loc: list[str] | None = None) -> HTTPException:
    return HTTPException(
        status, detail=[{"loc": loc or ["body"], "msg": msg, "type": "value_error"}]
    )


#: Error responses every authenticated route may give, declared in the OpenAPI schema.
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid bearer token"},
    403: {"description": "the caller's party or role may not do this"},
    404: {"description": "no such resource, or not visible to the caller"},
    409: {"description": "the resource is not in a state that allows this"},
    503: {"description": "the database is unavailable"},
}


# ---------------------------------------------------------------------------- the app
def create_app(settings: Settings) -> FastAPI:
    """Build the application for one scenario and one database."""
    scenario = load_scenario(settings.scenario)
    db = Database(settings.db_url)
    if settings.check_schema:
        try:
            db.require_current()
        except CharterError:
            db.dispose()
            raise
    ledger = Ledger(db.is_sqlite)
    clock = settings.clock or Clock(settings.as_of)
    app = FastAPI(
        title="charter",
        version="1",
        description="Compute agreements as executable policy: decisions, the ROFR process, "
        "commitments, revenue share and a tamper-evident ledger.",
    )
    app.state.scenario = scenario
    app.state.db = db
    app.state.clock = clock
    app.state.ledger = ledger

    @app.exception_handler(CharterError)
    async def _charter_error(_: Request, exc: CharterError) -> JSONResponse:
        detail = [{"loc": ["body"], "msg": str(exc), "type": "value_error"}]
        return JSONResponse(status_code=422, content={"detail": detail})

    def _unavailable(msg: str) -> JSONResponse:
        """503; the reason names the database, so only local callers (the CLI acting
        in-process) read it in the response, network callers get it in the server's log."""
        if settings.local_caller is None:
            log.warning("%s", msg)
            msg = "the database is unavailable (the server's log says why)"
        detail = [{"loc": ["database"], "msg": msg, "type": "unavailable"}]
        return JSONResponse(status_code=503, content={"detail": detail})

    @app.exception_handler(DatabaseError)
    async def _database_error(_: Request, exc: DatabaseError) -> JSONResponse:
        return _unavailable(str(exc))

    async def _db_down(_: Request, exc: Exception) -> JSONResponse:
        return _unavailable(describe_db_error(exc, settings.db_url))

    # the database went away, is locked or read-only, the pool timed out; other SQLAlchemy
    # errors are bugs and stay 500
    for down in (OperationalError, InterfaceError, PoolTimeoutError):
        app.add_exception_handler(down, _db_down)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        # field-level messages, without echoing inputs (which may not even be valid JSON)
        detail = [
            {"loc": [str(x) for x in e["loc"]], "msg": str(e["msg"]), "type": str(e["type"])}
            for e in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": detail})

    token_cache: dict[str, tuple[Caller | None, float]] = {}
    token_ttl = float(settings.extra.get("token_ttl", 5.0))

    def lookup(token: str) -> Caller | None:
        """The caller behind a token; cached for a few seconds (revocation takes effect
        within ``token_ttl`` seconds)."""
        digest = hash_token(token)
        hit = token_cache.get(digest)
        now = time.monotonic()
        if hit is not None and hit[1] > now:
            return hit[0]
        with db.reader() as s:
            row = s.execute(
                select(TokenRow).where(TokenRow.token_hash == digest)
            ).scalar_one_or_none()
        caller = Caller(row.party, row.role) if row is not None and row.revoked is None else None
        if len(token_cache) > 10_000:
            token_cache.clear()
        token_cache[digest] = (caller, now + token_ttl)
        return caller

    def need(op: str) -> Callable[..., Any]:
        if op not in ROUTES:  # pragma: no cover - guarded by the route test
            raise KeyError(op)

        async def dependency(
            authorization: Annotated[str | None, Header()] = None,
        ) -> Caller | None:
            caller = settings.local_caller
            if caller is None and authorization and authorization.lower().startswith("bearer "):
                caller = lookup(authorization.split(" ", 1)[1].strip())
            if not allowed(op, caller):
                if caller is None:
                    raise HTTPException(
                        401,
                        "a valid bearer token is needed",
                        headers={"WWW-Authenticate": "Bearer"},
                    )
                raise HTTPException(403, f"the {caller.role} role may not do this")
            return caller

        return dependency

    def write(
        caller: Caller, key: str | None, body: Any, do: Callable[[Session], tuple[int, Any]]
    ) -> JSONResponse:
        """Run a write once per (party, Idempotency-Key), in one transaction."""
        if not key or len(key) > 200:
            raise _error(
                422,
                "an Idempotency-Key header (1–200 characters) is required",
                ["header", "Idempotency-Key"],
            )
        digest = hashlib.sha256(canonical(body).encode()).hexdigest()
        with db.write_lock, db.session() as s, s.begin():
            hit = s.execute(
                select(IdempotencyRow).where(
                    IdempotencyRow.party == caller.party, IdempotencyRow.key == key
                )
            ).scalar_one_or_none()
            if hit is not None:
                if hit.request_hash != digest:
                    raise _error(
                        422,
                        "this Idempotency-Key was used for a different request",
                        ["header", "Idempotency-Key"],
                    )
                return JSONResponse(status_code=hit.status, content=json.loads(hit.response))
            status, result = do(s)
            s.add(
                IdempotencyRow(
                    party=caller.party,
                    key=key,
                    request_hash=digest,
                    status=status,
                    response=json.dumps(result),
                    created=clock.now(),
                )
            )
        return JSONResponse(status_code=status, content=result)

    # ------------------------------------------------------------------ health
    @app.get("/health", operation_id="health", tags=["service"], responses={503: ERRORS[503]})
    def health() -> dict[str, Any]:
        db.ping()
        return {"ok": True, "scenario": scenario.name, "now": clock.now().isoformat()}

    # ------------------------------------------------------------------ decisions
    def _check_principal(caller: Caller, principal: str) -> None:
        if principal == caller.party:
            return
        for ag in scenario.data.agreements:
            if caller.party in ag.parties and principal in ag.parties:
                return
        raise HTTPException(403, f"{caller.party} shares no agreement with {principal}")

    def _decide(caller: Caller, body: DecisionCreate) -> dict[str, Any]:
        _check_principal(caller, body.principal)
        values = body.model_dump(exclude={"events", "lang"})
        d = scenario.decide(events=body.events or None, lang=body.lang, **values)
        return d.to_json()

    @app.post("/v1/decisions", responses=ERRORS, operation_id="decide", tags=["decisions"])
    async def decide(
        body: DecisionCreate, caller: Annotated[Caller, Depends(need("decide"))]
    ) -> dict[str, Any]:
        return _decide(caller, body)

    @app.post(
        "/v1/decisions/batch", responses=ERRORS, operation_id="decide_batch", tags=["decisions"]
    )
    def decide_batch(
        body: DecisionBatchCreate, caller: Annotated[Caller, Depends(need("decide_batch"))]
    ) -> dict[str, Any]:
        return {"decisions": [_decide(caller, r) for r in body.requests]}

    # ------------------------------------------------------------------ ROFR process
    def _rofr_state(s: Session) -> dict[str, dict[str, Any]]:
        now = clock.now()
        out: dict[str, dict[str, Any]] = {}
        for e in ledger.events(s, kinds=["rofr.filed", "rofr.matched", "rofr.declined"]):
            if e.kind == "rofr.filed":
                out[e.payload["id"]] = {**e.payload, "principal": e.actor, "seq": e.seq}
            elif e.payload["id"] in out:
                r = out[e.payload["id"]]
                r["status"] = "matched" if e.kind == "rofr.matched" else "released"
                r["reason"] = (
                    f"{e.actor} matched the terms"
                    if e.kind == "rofr.matched"
                    else f"{e.actor} declined"
                )
                r["responded_at"] = e.at.isoformat() + "Z"
        for r in out.values():
            if r["status"] == "open" and dt.datetime.fromisoformat(r["deadline"]) <= now:
                r["status"] = "released"
                r["reason"] = "the holder did not answer before the deadline"
        return out

    def _view(caller: Caller, r: dict[str, Any]) -> dict[str, Any] | None:
        if caller.party == r["principal"]:
            return r
        if caller.party == r.get("holder"):
            return redact(caller, r["principal"], r)
        return None

    @app.post(
        "/v1/rofr/requests",
        responses=ERRORS,
        operation_id="rofr_file",
        tags=["rofr"],
        status_code=201,
    )
    def rofr_file(
        body: RofrRequestCreate,
        caller: Annotated[Caller, Depends(need("rofr_file"))],
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        if body.window_to < body.window_from:
            raise _error(422, "window_to is before window_from", ["body", "window_to"])
        for month in body.quantity:
            try:
                Period.parse(month)
            except CharterError as exc:
                raise _error(422, str(exc), ["body", "quantity", month]) from None
        now = clock.now()
        d = scenario.decide(
            at=now.date(),
            principal=caller.party,
            action="run",
            provider=body.provider,
            kind=body.kind,
            segment=body.segment,
            new_capacity=True,
        )
        rofr = next((o for o in d.obligations if o.kind == "rofr"), None)

        def do(s: Session) -> tuple[int, Any]:
            rid = str(uuid.uuid4())
            payload: dict[str, Any] = {
                "id": rid,
                "family": body.family,
                "kind": body.kind,
                "segment": body.segment,
                "quantity": body.quantity,
                "window_from": body.window_from.isoformat(),
                "window_to": body.window_to.isoformat(),
                "price_per_hour": body.price_per_hour,
                "terms": body.terms,
                "filed_at": now.isoformat(),
                "private": {
                    "provider": body.provider,
                    "provider_owner": scenario.owner_of.get(body.provider),
                },
            }
            audience = [caller.party]
            if rofr is not None and d.verdict.value == "conditional":
                rec = next(r for r in scenario.clauses if r.id == rofr.clause)
                days = getattr(rec.spec, "response_days", None) or 30
                payload.update(
                    clause=rofr.clause,
                    holder=rofr.party,
                    status="open",
                    deadline=(now + dt.timedelta(days=days)).isoformat(),
                    reason=None,
                )
                audience.append(str(rofr.party))
            else:
                payload.update(
                    clause=None,
                    holder=None,
                    status="released",
                    deadline=now.isoformat(),
                    reason=f"no right of first refusal applies: {d.note}",
                )
            e = ledger.append(
                s, kind="rofr.filed", actor=caller.party, audience=audience, payload=payload, at=now
            )
            return 201, {**payload, "principal": caller.party, "seq": e.seq}

        return write(caller, idempotency_key, body.model_dump(mode="json"), do)

    @app.get("/v1/rofr/requests", responses=ERRORS, operation_id="rofr_list", tags=["rofr"])
    def rofr_list(caller: Annotated[Caller, Depends(need("rofr_list"))]) -> dict[str, Any]:
        with db.reader() as s:
            state = _rofr_state(s)
        views = [v for r in state.values() if (v := _view(caller, r)) is not None]
        return {"requests": views}

    @app.get("/v1/rofr/requests/{rid}", responses=ERRORS, operation_id="rofr_get", tags=["rofr"])
    def rofr_get(rid: str, caller: Annotated[Caller, Depends(need("rofr_get"))]) -> dict[str, Any]:
        with db.reader() as s:
            r = _rofr_state(s).get(rid)
        view = _view(caller, r) if r else None
        if view is None:
            raise HTTPException(404, "no such request")
        return view

    def _respond(rid: str, caller: Caller, key: str | None, kind: str) -> JSONResponse:
        def do(s: Session) -> tuple[int, Any]:
            r = _rofr_state(s).get(rid)
            if r is None or _view(caller, r) is None:
                raise HTTPException(404, "no such request")
            if r.get("holder") != caller.party:
                raise HTTPException(403, "only the holder of the right may answer it")
            if r["status"] != "open":
                raise HTTPException(409, f"the request is {r['status']}: {r.get('reason')}")
            now = clock.now()
            e = ledger.append(
                s,
                kind=kind,
                actor=caller.party,
                audience=[r["principal"], caller.party],
                payload={"id": rid},
                at=now,
            )
            status = "matched" if kind == "rofr.matched" else "released"
            return 200, {"id": rid, "status": status, "seq": e.seq}

        return write(caller, key, {"id": rid, "kind": kind}, do)

    @app.post(
        "/v1/rofr/requests/{rid}/match", responses=ERRORS, operation_id="rofr_match", tags=["rofr"]
    )
    def rofr_match(
        rid: str,
        caller: Annotated[Caller, Depends(need("rofr_match"))],
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        return _respond(rid, caller, idempotency_key, "rofr.matched")

    @app.post(
        "/v1/rofr/requests/{rid}/decline",
        responses=ERRORS,
        operation_id="rofr_decline",
        tags=["rofr"],
    )
    def rofr_decline(
        rid: str,
        caller: Annotated[Caller, Depends(need("rofr_decline"))],
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        return _respond(rid, caller, idempotency_key, "rofr.declined")

    # ------------------------------------------------------------------ spend & commitments
    def _spend_event(s: Session, caller: Caller, row: SpendCreate) -> int:
        owner = scenario.owner_of[row.provider]
        e = ledger.append(
            s,
            kind="spend.recorded",
            actor=caller.party,
            audience=[caller.party, owner],
            payload=row.model_dump(mode="json"),
            at=clock.now(),
        )
        return e.seq

    def _check_provider(provider: str, loc: list[str]) -> None:
        if provider not in scenario.providers:
            raise _error(
                422, f"unknown provider {provider!r}; valid: {', '.join(scenario.providers)}", loc
            )

    @app.post(
        "/v1/spend",
        responses=ERRORS,
        operation_id="spend_record",
        tags=["commitments"],
        status_code=201,
    )
    def spend_record(
        body: SpendCreate,
        caller: Annotated[Caller, Depends(need("spend_record"))],
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        _check_provider(body.provider, ["body", "provider"])
        if body.period_end < body.period_start:
            raise _error(422, "period_end is before period_start", ["body", "period_end"])
        return write(
            caller,
            idempotency_key,
            body.model_dump(mode="json"),
            lambda s: (201, {"seq": _spend_event(s, caller, body)}),
        )

    @app.post(
        "/v1/spend/import",
        responses=ERRORS,
        operation_id="spend_import",
        tags=["commitments"],
        status_code=201,
        openapi_extra={
            "requestBody": {
                "content": {"text/csv": {"schema": {"type": "string"}}},
                "required": True,
            }
        },
    )
    async def spend_import(
        request: Request,
        caller: Annotated[Caller, Depends(need("spend_import"))],
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        text = (await request.body()).decode("utf-8-sig", errors="replace")
        rows = _parse_focus(text, scenario)
        return write(
            caller,
            idempotency_key,
            {"csv": text},
            lambda s: (
                201,
                {"imported": len(rows), "seqs": [_spend_event(s, caller, r) for r in rows]},
            ),
        )

    @app.get("/v1/commitments", responses=ERRORS, operation_id="commitments", tags=["commitments"])
    def commitments(caller: Annotated[Caller, Depends(need("commitments"))]) -> dict[str, Any]:
        now = clock.now()
        with db.reader() as s:
            spend = [
                (e.actor, e.payload)
                for e in ledger.events(s, kinds=["spend.recorded"])
                if can_see_event(caller, e.audience)
            ]
        out = []
        for rec in scenario.clauses:
            spec = rec.spec
            if not isinstance(spec, CommitmentSpec) or caller.party not in (spec.payer, spec.payee):
                continue
            if spec.amount is None:
                continue
            start = rec.start
            end = spec.window_end or dt.date(start.year + 5, start.month, start.day)
            provs = set(spec.providers or scenario.providers_of.get(spec.payee, ()))
            spent = sum(
                float(
                    p["effective_cost"] if p.get("effective_cost") is not None else p["billed_cost"]
                )
                for actor, p in spend
                if actor == spec.payer
                and p["provider"] in provs
                and start.isoformat() <= p["period_start"] <= end.isoformat()
            )
            total_days = max((end - start).days, 1)
            elapsed = min(max((now.date() - start).days, 0), total_days)
            needed_pace = spec.amount * elapsed / total_days
            run_rate = spent / elapsed if elapsed else 0.0
            projected = run_rate * total_days
            out.append(
                {
                    "clause": rec.id,
                    "payer": spec.payer,
                    "payee": spec.payee,
                    "providers": sorted(provs),
                    "committed": spec.amount,
                    "window_start": start.isoformat(),
                    "window_end": end.isoformat(),
                    "spent": spent,
                    "remaining": max(spec.amount - spent, 0.0),
                    "pace_needed_by_now": needed_pace,
                    "ahead_of_pace": spent - needed_pace,
                    "run_rate_per_day": run_rate,
                    "projected_at_window_end": projected,
                    "projected_shortfall": max(spec.amount - projected, 0.0),
                    "assumptions": list(spec.assumptions),
                }
            )
        return {"as_of": now.date().isoformat(), "commitments": out}

    # ------------------------------------------------------------------ revenue share
    @app.post(
        "/v1/revenue",
        responses=ERRORS,
        operation_id="revenue_record",
        tags=["revenue"],
        status_code=201,
    )
    def revenue_record(
        body: RevenueCreate,
        caller: Annotated[Caller, Depends(need("revenue_record"))],
        idempotency_key: Annotated[str | None, Header()] = None,
    ) -> JSONResponse:
        if body.payee not in scenario.parties:
            raise _error(422, f"unknown party {body.payee!r}", ["body", "payee"])
        try:
            Period.parse(body.period)
        except CharterError as exc:
            raise _error(422, str(exc), ["body", "period"]) from None

        def do(s: Session) -> tuple[int, Any]:
            e = ledger.append(
                s,
                kind="revenue.recorded",
                actor=caller.party,
                audience=[caller.party, body.payee],
                payload=body.model_dump(mode="json"),
                at=clock.now(),
            )
            return 201, {"seq": e.seq}

        return write(caller, idempotency_key, body.model_dump(mode="json"), do)

    @app.get(
        "/v1/revenue/statement",
        responses=ERRORS,
        operation_id="revenue_statement",
        tags=["revenue"],
    )
    def revenue_statement(
        caller: Annotated[Caller, Depends(need("revenue_statement"))],
        period: Annotated[str, Query(description="2026-07, 2026-Q3 or 2026")],
        payer: str,
        payee: str,
        lang: str = "en",
    ) -> dict[str, Any]:
        if caller.party not in (payer, payee):
            raise HTTPException(403, "only the payer and the payee see their statement")
        asked = Period.parse(period)
        with db.reader() as s:
            recorded = [
                e.payload
                for e in ledger.events(s, kinds=["revenue.recorded"])
                if e.actor == payer and e.payload["payee"] == payee
            ]
        revenue = sum(float(p["amount"]) for p in recorded if p["period"] == asked.label)
        history = [
            (p["period"], float(p["amount"]))
            for p in recorded
            if Period.parse(p["period"]).end < asked.start
        ]
        owed = scenario.owes(
            payer=payer, payee=payee, period=asked, revenue=revenue, history=history, lang=lang
        )
        return owed.to_json()

    # ------------------------------------------------------------------ ledger
    @app.get("/v1/ledger", responses=ERRORS, operation_id="ledger_list", tags=["ledger"])
    def ledger_list(
        caller: Annotated[Caller, Depends(need("ledger_list"))],
        after: Annotated[int, Query(ge=0, le=2**62)] = 0,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        kind: str | None = None,
    ) -> dict[str, Any]:
        out = []
        last = after
        with db.reader() as s:
            for e in ledger.events(s, kinds=[kind] if kind else None, after=after):
                last = e.seq
                if can_see_event(caller, e.audience):
                    j = e.to_json()
                    j["payload"] = redact(caller, e.actor, e.payload)
                    out.append(j)
                    if len(out) >= limit:
                        break
        return {"events": out, "next_after": last}

    @app.get("/v1/ledger/verify", responses=ERRORS, operation_id="ledger_verify", tags=["ledger"])
    def ledger_verify(caller: Annotated[Caller, Depends(need("ledger_verify"))]) -> dict[str, Any]:
        with db.reader() as s:
            return ledger.verify(s).to_json()

    return app


FOCUS_COLUMNS = ("BilledCost", "ProviderName", "ChargePeriodStart", "ChargePeriodEnd")


def _parse_focus(text: str, scenario: Scenario) -> list[SpendCreate]:
    """FinOps FOCUS rows → spend records; any bad row rejects the whole file (422)."""
    try:
        records = list(csv.DictReader(io.StringIO(text, newline="")))
        fieldnames = list(records[0].keys()) if records else next(csv.reader(io.StringIO(text)), [])
    except csv.Error as exc:
        raise _error(422, f"not a readable CSV file: {exc}", ["body"]) from None
    missing = [c for c in FOCUS_COLUMNS if c not in fieldnames]
    if missing:
        raise _error(422, f"missing FOCUS columns: {', '.join(missing)}", ["body", "header"])
    names = {p.id.lower(): p.id for p in scenario.providers.values()}
    names.update({p.name.lower(): p.id for p in scenario.providers.values()})
    rows = []
    errors = []
    for line, r in enumerate(records, start=2):
        try:
            if any(r.get(c) is None for c in FOCUS_COLUMNS):
                raise ValueError("the row has fewer cells than the header")
            provider = names.get((r.get("ProviderName") or "").strip().lower())
            if provider is None:
                raise ValueError(f"unknown ProviderName {r.get('ProviderName')!r}")
            eff = (r.get("EffectiveCost") or "").strip()
            rows.append(
                SpendCreate(
                    provider=provider,
                    billed_cost=float(r["BilledCost"]),
                    effective_cost=float(eff) if eff else None,
                    currency=(r.get("BillingCurrency") or "USD").strip() or "USD",
                    period_start=dt.date.fromisoformat(r["ChargePeriodStart"].strip()[:10]),
                    period_end=dt.date.fromisoformat(r["ChargePeriodEnd"].strip()[:10]),
                )
            )
            if rows[-1].period_end < rows[-1].period_start:
                raise ValueError("ChargePeriodEnd is before ChargePeriodStart")
        except (ValueError, TypeError, ValidationError) as exc:
            errors.append(
                {
                    "loc": ["body", f"line {line}"],
                    "msg": str(exc).splitlines()[0],
                    "type": "value_error",
                }
            )
    if errors:
        raise HTTPException(422, detail=errors)
    if not rows:
        raise _error(422, "the file has no rows", ["body"])
    return rows
