"""The right-of-first-refusal process: filing, the holder's match or decline, release.

A request's state is folded from its ledger events (``rofr.filed``, ``rofr.matched``,
``rofr.declined``) as of a moment: an open request whose deadline has passed is released.
Who sees what of a request, and who may answer it, is :mod:`charter.service.policy`'s.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.orm import Session

from charter.decide import Decision
from charter.errors import CharterError
from charter.ledger.idempotency import once
from charter.ledger.store import Conflict, Forbidden, InvalidRequest, NotFound, Reply, Store
from charter.periods import Period
from charter.service.policy import Caller, may_answer, request_view
from charter.service.schemas import RofrRequestCreate

__all__ = [
    "DEFAULT_RESPONSE_DAYS",
    "answer_request",
    "file_request",
    "get_request",
    "list_requests",
    "rofr_state",
]

#: the holder's time to answer when the clause names none
DEFAULT_RESPONSE_DAYS = 30
#: how far ahead a request's window may end
MAX_WINDOW_YEARS = 10
KINDS = ("rofr.filed", "rofr.matched", "rofr.declined")


def rofr_state(
    session: Session,
    *,
    store: Store,
    now: dt.datetime,
    seen_by: str | None = None,
    rid: str | None = None,
) -> dict[str, dict[str, Any]]:
    """Requests by id, with their status (open, matched, released) and reason at ``now``:
    every one, those whose events party ``seen_by`` may see, or request ``rid`` alone (both
    read by index)."""
    out: dict[str, dict[str, Any]] = {}
    subject = None if rid is None else f"rofr:{rid}"
    for e in store.ledger.events(session, kinds=KINDS, seen_by=seen_by, subject=subject):
        if e.kind == "rofr.filed":
            out[e.payload["id"]] = {**e.payload, "principal": e.actor, "seq": e.seq}
        elif e.payload["id"] in out:
            r = out[e.payload["id"]]
            matched = e.kind == "rofr.matched"
            r["status"] = "matched" if matched else "released"
            r["reason"] = f"{e.actor} matched the terms" if matched else f"{e.actor} declined"
            r["responded_at"] = e.at.isoformat() + "Z"
    for r in out.values():
        if r["status"] == "open" and dt.datetime.fromisoformat(r["deadline"]) <= now:
            r["status"] = "released"
            r["reason"] = "the holder did not answer before the deadline"
    return out


def list_requests(store: Store, *, caller: Caller, now: dt.datetime) -> list[dict[str, Any]]:
    """The requests ``caller`` filed and those addressed to it as holder, as it may see them."""
    with store.db.reader() as s:
        state = rofr_state(s, store=store, now=now, seen_by=caller.party)
    return [v for r in state.values() if (v := request_view(caller, r)) is not None]


def get_request(store: Store, *, caller: Caller, rid: str, now: dt.datetime) -> dict[str, Any]:
    """One request as ``caller`` may see it; :class:`NotFound` if it may not see it."""
    with store.db.reader() as s:
        r = rofr_state(s, store=store, now=now, rid=rid).get(rid)
    view = request_view(caller, r) if r else None
    if view is None:
        raise NotFound("no such request")
    return view


def _validate(filing: RofrRequestCreate, today: dt.date) -> None:
    if filing.window_to < filing.window_from:
        raise InvalidRequest("window_to is before window_from", ["body", "window_to"])
    if filing.window_to < today:
        raise InvalidRequest(f"the window ended before today ({today})", ["body", "window_to"])
    horizon = today.replace(year=today.year + MAX_WINDOW_YEARS, day=min(today.day, 28))
    if filing.window_to > horizon:
        raise InvalidRequest(
            f"the window ends more than {MAX_WINDOW_YEARS} years ahead (after {horizon})",
            ["body", "window_to"],
        )
    for month in filing.quantity:
        try:
            period = Period.parse(month)
        except CharterError as exc:
            raise InvalidRequest(str(exc), ["body", "quantity", month]) from None
        if period.end < filing.window_from or period.start > filing.window_to:
            raise InvalidRequest(
                f"{month} is outside the window {filing.window_from} to {filing.window_to}",
                ["body", "quantity", month],
            )


def _filed_payload(
    store: Store, *, caller: Caller, filing: RofrRequestCreate, decision: Decision, now: dt.datetime
) -> tuple[dict[str, Any], list[str]]:
    """The ``rofr.filed`` payload and audience: addressed to the holder of the ROFR in force
    with a deadline from its clause, or released at once when none applies."""
    payload: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        **filing.model_dump(mode="json", exclude={"provider"}),
        "filed_at": now.isoformat(),
        "private": {
            "provider": filing.provider,
            "provider_owner": store.scenario.owner_of.get(filing.provider),
        },
    }
    audience = [caller.party]
    rofr = next((o for o in decision.obligations if o.kind == "rofr"), None)
    if rofr is not None and decision.verdict.value == "conditional":
        rec = next(r for r in store.scenario.clauses if r.id == rofr.clause)
        days = getattr(rec.spec, "response_days", None) or DEFAULT_RESPONSE_DAYS
        deadline = now + dt.timedelta(days=days)
        payload.update(clause=rofr.clause, holder=rofr.party, status="open")
        payload.update(deadline=deadline.isoformat(), reason=None)
        audience.append(str(rofr.party))
    else:
        payload.update(clause=None, holder=None, status="released", deadline=now.isoformat())
        payload.update(reason=f"no right of first refusal applies: {decision.note}")
    return payload, audience


def file_request(
    store: Store, *, caller: Caller, filing: RofrRequestCreate, key: str | None, now: dt.datetime
) -> Reply:
    """``caller`` (the principal) files a capacity request; 201 with the request.

    Raises:
        InvalidRequest: the window ends before it starts, a quantity's month is no period,
            or the key is missing or was used for another request.
    """
    _validate(filing, now.date())
    decision = store.scenario.decide(
        at=now.date(),
        principal=caller.party,
        action="run",
        provider=filing.provider,
        kind=filing.kind,
        segment=filing.segment,
        new_capacity=True,
    )

    def do(s: Session) -> Reply:
        payload, audience = _filed_payload(
            store, caller=caller, filing=filing, decision=decision, now=now
        )
        e = store.ledger.append(
            s, kind="rofr.filed", actor=caller.party, audience=audience, payload=payload, at=now
        )
        return Reply(201, {**payload, "principal": caller.party, "seq": e.seq})

    request = filing.model_dump(mode="json")
    return once(store.db, party=caller.party, key=key, request=request, now=now, do=do)


def answer_request(
    store: Store, *, caller: Caller, rid: str, match: bool, key: str | None, now: dt.datetime
) -> Reply:
    """The holder matches (``match``) or declines request ``rid``; 200 with its new status.

    Raises:
        NotFound: no such request visible to the caller.
        Forbidden: the caller is not the holder.
        Conflict: the request is no longer open (answered, or past its deadline).
    """
    kind = "rofr.matched" if match else "rofr.declined"

    def do(s: Session) -> Reply:
        r = rofr_state(s, store=store, now=now, rid=rid).get(rid)
        if r is None or request_view(caller, r) is None:
            raise NotFound("no such request")
        if not may_answer(caller, r):
            raise Forbidden("only the holder of the right may answer it")
        if r["status"] != "open":
            raise Conflict(f"the request is {r['status']}: {r.get('reason')}")
        e = store.ledger.append(
            s,
            kind=kind,
            actor=caller.party,
            audience=[r["principal"], caller.party],
            payload={"id": rid},
            at=now,
        )
        return Reply(200, {"id": rid, "status": "matched" if match else "released", "seq": e.seq})

    request = {"id": rid, "kind": kind}
    return once(store.db, party=caller.party, key=key, request=request, now=now, do=do)
