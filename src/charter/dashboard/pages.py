"""The dashboard's pages. Each is one function: it reads the query string (the page's state,
so a URL can be bookmarked or shared), asks the workflows the API asks, with the policy the
API applies, and renders a template.

Pages that only read are GET; forms that change something (sign out, match or decline a ROFR
request, run a plan, upload a draft) POST with a CSRF token. Long work (a plan) runs in a
thread of its own; its page polls ``/plan/jobs/{id}.json`` for progress, so the server keeps
answering meanwhile.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from importlib import resources
from pathlib import Path
from typing import Any

from markupsafe import Markup
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from charter.dashboard.session import COOKIE, Sessions
from charter.errors import CharterError
from charter.i18n import LANGS, date, money, number, percent, t, word
from charter.ledger.store import WorkflowError
from charter.revenue import revenue_amount
from charter.service.deps import Service
from charter.service.policy import Caller, allowed

__all__ = ["Dashboard", "dashboard"]

HERE = Path(__file__).parent
#: plan jobs kept in memory (a job's page shows it until then; a restart forgets them)
MAX_JOBS = 20
#: the pages in the navigation, in order: (path, message key)
NAV = (
    ("/timeline", "dash.nav.timeline"),
    ("/ask", "dash.nav.ask"),
    ("/compare", "dash.nav.compare"),
    ("/plan", "dash.nav.plan"),
    ("/commitments", "dash.nav.commitments"),
    ("/rofr", "dash.nav.rofr"),
    ("/revenue", "dash.nav.revenue"),
    ("/ledger", "dash.nav.ledger"),
)


def _plotly_js() -> Path:
    """Plotly's JavaScript as the installed package ships it."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


class Dashboard:
    """The pages of one app: its service, sessions, templates and plan jobs."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.sessions = Sessions(service)
        self.templates = Jinja2Templates(directory=str(HERE / "templates"))
        env = self.templates.env
        env.globals.update(t=t, word=word, date=date, money=money, number=number)
        env.globals.update(percent=percent, nav=NAV)
        env.filters["tojson_compact"] = lambda v: json.dumps(v, separators=(",", ":"))
        env.filters["script_json"] = _script_json
        self.jobs: dict[str, dict[str, Any]] = {}
        self._jobs_lock = threading.Lock()

    # ------------------------------------------------------------------ plumbing
    @property
    def scenario(self) -> Any:
        return self.service.store.scenario

    def lang(self, request: Request) -> str:
        asked = request.query_params.get("lang")
        if asked in LANGS:
            return asked
        accept = request.headers.get("accept-language", "")
        return "de" if accept.lower().startswith("de") else "en"

    def render(
        self, request: Request, name: str, caller: Caller | None, **context: Any
    ) -> Response:
        lang = self.lang(request)
        page = {
            "request": request,
            "lang": lang,
            "caller": caller,
            "csrf": self.sessions.csrf(request),
            "scenario": self.scenario,
            "path": request.url.path,
            "query": dict(request.query_params),
            # assumed events (event=NAME=DATE) every page keeps in its links and applies
            "assumed": request.query_params.getlist("event"),
            **context,
        }
        return self.templates.TemplateResponse(request, name, page)

    def signed_in(self, fn: Callable[[Request, Caller], Response]) -> Callable[[Request], Any]:
        """A page for signed-in callers only: the others go to the sign-in page."""

        async def page(request: Request) -> Response:
            caller = await run_in_threadpool(self.sessions.caller, request)
            if caller is None:
                nxt = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                return RedirectResponse(f"/signin?next={_quote(nxt)}", status_code=303)
            form = await request.form() if request.method == "POST" else None
            try:
                if form is not None:
                    if not self.sessions.csrf_ok(request, str(form.get("csrf") or "")):
                        lang = self.lang(request)
                        return self.error(request, caller, 403, t(lang, "dash.csrf"))
                    request.state.form = form
                # the workflows read and write the database: off the event loop
                result: Response = await run_in_threadpool(fn, request, caller)
                return result
            except (WorkflowError, CharterError) as exc:
                status = getattr(exc, "status", 422)
                return self.error(request, caller, status, str(exc))
            finally:
                if form is not None:
                    await form.close()  # uploads are spooled to temporary files

        return page

    def error(self, request: Request, caller: Caller | None, status: int, msg: str) -> Response:
        response = self.render(request, "error.html", caller, status=status, message=msg)
        response.status_code = status
        return response

    # ------------------------------------------------------------------ sign-in
    async def signin(self, request: Request) -> Response:
        nxt = request.query_params.get("next") or "/timeline"
        if not nxt.startswith("/") or nxt.startswith("//"):
            nxt = "/timeline"
        if request.method == "GET":
            return self.render(request, "signin.html", None, next=nxt, failed=False)
        async with request.form() as form:
            token = str(form.get("token") or "").strip()
        caller = await run_in_threadpool(self.service.caller, f"Bearer {token}")
        if caller is None or not token:
            response = self.render(request, "signin.html", None, next=nxt, failed=True)
            response.status_code = 401
            return response
        response = RedirectResponse(nxt, status_code=303)
        response.set_cookie(COOKIE, token, httponly=True, samesite="strict", path="/")
        return response

    def signout(self, request: Request, caller: Caller) -> Response:
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
        return response

    # ------------------------------------------------------------------ the record
    def timeline(self, request: Request, caller: Caller) -> Response:
        q = request.query_params
        lang = self.lang(request)
        events = _events(q.getlist("event"))
        at = q.get("at") or self.service.clock.now().date().isoformat()
        data = self.scenario.timeline(at=at, events=events or None, lang=lang)
        chosen = q.get("amendment")
        entry = next((e for e in data["entries"] if e["date"] == chosen), None)
        if entry is None and data["entries"]:
            entry = data["entries"][-1]
        return self.render(
            request,
            "timeline.html",
            caller,
            data=data,
            entry=entry,
            at=at,
            events=q.getlist("event"),
            event_names={e.id: e.name for e in self.scenario.data.events},
        )

    def ask(self, request: Request, caller: Caller) -> Response:
        from charter.service.routers.decisions import decide_one
        from charter.service.schemas import DecisionCreate

        q = request.query_params
        lang = self.lang(request)
        vocab = self.scenario.vocabulary
        answer: dict[str, Any] | None = None
        owed: dict[str, Any] | None = None
        if q.get("ask") == "decide" and allowed("decide", caller):
            values: dict[str, Any] = {
                "at": q.get("at"),
                "principal": q.get("principal") or caller.party,
                "action": q.get("action"),
                "lang": lang,
                "events": _events(q.getlist("event")),
            }
            for name, attr in vocab.attributes.items():
                if name in ("provider_owner", "action", "at", "principal"):
                    continue
                raw = q.get(name)
                if attr.type.value == "bool":
                    values[name] = raw in ("on", "true", "1")
                elif raw:
                    values[name] = raw
            try:
                answer = decide_one(self.scenario, caller, DecisionCreate(**values))
            except ValueError as exc:  # pydantic: a date that does not parse
                raise CharterError(_first_error(exc)) from None
        if q.get("ask") == "owes":  # what would be owed on a revenue the caller gives
            from charter.service.policy import may_see_statement

            payer, payee = q.get("payer") or "", q.get("payee") or ""
            if not may_see_statement(caller, payer=payer, payee=payee):
                raise CharterError(t(lang, "dash.owes_forbidden", party=caller.party))
            revenue = revenue_amount(q.get("revenue") or "0", "revenue")
            owed = self.scenario.owes(
                payer=payer,
                payee=payee,
                period=q.get("period") or "",
                revenue=revenue,
                events=_events(q.getlist("event")) or None,
                lang=lang,
            ).to_json()
        return self.render(
            request,
            "ask.html",
            caller,
            vocab=vocab,
            answer=answer,
            owed=owed,
            parties=list(self.scenario.parties),
            providers=list(self.scenario.providers),
            segments=list(self.scenario.data.meta.segments),
        )

    def compare(self, request: Request, caller: Caller) -> Response:
        from charter.diff import diff
        from charter.diff.versions import amendment_dates

        q = request.query_params
        lang = self.lang(request)
        dates = amendment_dates(self.scenario)
        before = q.get("from") or ("previous" if len(dates) > 1 else "latest")
        after = q.get("to") or "latest"
        form = getattr(request.state, "form", None)
        upload = form.get("draft") if form is not None else None
        if form is not None:
            before = str(form.get("from") or before)
        with_plans = q.get("plans") == "1"
        with _uploaded(upload, "draft.yaml", 1_000_000) as draft_path:
            result = diff(
                self.scenario,
                before=before,
                after=None if draft_path else after,
                draft=draft_path,
                events=_events(q.getlist("event")) or None,
                plans=with_plans,
                time_limit=60.0,
                lang=lang,
            )
        groups: dict[str, dict[str, list[Any]]] = {}
        for f in result.flips:
            groups.setdefault(f.kind, {}).setdefault(f.change(lang), []).append(f)
        return self.render(
            request,
            "compare.html",
            caller,
            result=result,
            groups=groups,
            dates=dates,
            before=before,
            after=after,
            with_plans=with_plans,
        )

    # ------------------------------------------------------------------ operations
    def rofr(self, request: Request, caller: Caller) -> Response:
        from charter.ledger.rofr import list_requests

        now = self.service.clock.now()
        items = list_requests(self.service.store, caller=caller, now=now)
        mine = [r for r in items if r.get("holder") == caller.party and r["status"] == "open"]
        others = [r for r in items if r not in mine]
        return self.render(
            request,
            "rofr.html",
            caller,
            inbox=mine,
            others=others,
            now=now,
            can_answer=allowed("rofr_match", caller),
        )

    def rofr_answer(self, request: Request, caller: Caller) -> Response:
        from charter.ledger.rofr import answer_request

        rid = request.path_params["rid"]
        match = request.path_params["answer"] == "match"
        op = "rofr_match" if match else "rofr_decline"
        if not allowed(op, caller):
            return self.error(request, caller, 403, f"the {caller.role} role may not do this")
        answer_request(
            self.service.store,
            caller=caller,
            rid=rid,
            match=match,
            key=str(uuid.uuid4()),
            now=self.service.clock.now(),
        )
        return RedirectResponse(f"/rofr?lang={self.lang(request)}&answered={rid}", 303)

    def ledger(self, request: Request, caller: Caller) -> Response:
        from charter.ledger.feed import checkpoint, list_events

        q = request.query_params
        kind = q.get("kind") or None
        after = _int(q.get("after"), 0)
        page = list_events(self.service.store, caller=caller, after=after, limit=50, kind=kind)
        verified = self.service.checks.result(self.service.store, caller)
        return self.render(
            request,
            "ledger.html",
            caller,
            page=page,
            kind=kind or "",
            verified=verified,
            checkpoint=checkpoint(self.service.store),
        )

    def revenue(self, request: Request, caller: Caller) -> Response:
        from charter.ledger.revenue import statement

        q = request.query_params
        lang = self.lang(request)
        pairs = [p for p in self.scenario.revenue_directions() if caller.party in p]
        payer, payee = (q.get("payer"), q.get("payee"))
        if not payer and pairs:
            payer, payee = pairs[0]
        period = q.get("period") or str(self.service.clock.now().year)
        doc = None
        if payer and payee:
            doc = statement(
                self.service.store,
                caller=caller,
                period=period,
                payer=payer,
                payee=payee,
                lang=lang,
            )
        return self.render(
            request,
            "revenue.html",
            caller,
            doc=doc,
            pairs=pairs,
            payer=payer,
            payee=payee,
            period=period,
        )

    def commitments(self, request: Request, caller: Caller) -> Response:
        from charter import charts
        from charter.ledger.commitments import burn_down

        doc = burn_down(self.service.store, caller=caller, now=self.service.clock.now())
        lang = self.lang(request)
        figures = [
            charts.burn_down(c, lang, as_of=doc["as_of"]).to_json() for c in doc["commitments"]
        ]
        return self.render(request, "commitments.html", caller, doc=doc, charts=figures)

    # ------------------------------------------------------------------ plans
    def plan(self, request: Request, caller: Caller) -> Response:
        from charter.report import report_figures, unmet_line

        job_id = request.query_params.get("job")
        job = self.jobs.get(job_id or "")
        if job is not None and job["owner"] != caller.party:
            job = None
        figures: list[tuple[str, str]] = []
        if job is not None and job["status"] == "done":
            figs = report_figures(self.scenario, job["plan"], self.lang(request))
            figures = [
                (name, fig.to_json())
                for name, fig in figs.items()
                if name != "timeline" and not name.startswith("burn-")
            ]
        unmet = None
        if job is not None and job["status"] == "done":
            unmet = unmet_line(job["plan"], self.lang(request))
        return self.render(
            request, "plan.html", caller, job=job, job_id=job_id, figures=figures, unmet=unmet
        )

    def plan_start(self, request: Request, caller: Caller) -> Response:
        """Start planning the scenario's portfolio in a thread, or load an uploaded plan."""
        form = request.state.form
        upload = form.get("plan")
        job_id = uuid.uuid4().hex[:12]
        job: dict[str, Any] = {"owner": caller.party, "status": "running", "messages": []}
        if upload is not None and hasattr(upload, "file") and upload.filename:
            from charter.report import plan_document

            with _uploaded(upload, "plan.json", 50_000_000) as path:
                assert path is not None
                job.update(status="done", plan=plan_document(self.scenario, path))
        else:
            limit = min(max(_int(str(form.get("time_limit") or "60"), 60), 1), 600)
            costs = form.get("clause_costs") == "on"
            events = _events(request.query_params.getlist("event"))
            thread = threading.Thread(
                target=self._run_plan,
                args=(job, float(limit), costs, events),
                daemon=True,
                name="plan",
            )
            thread.start()
        with self._jobs_lock:
            # the oldest finished jobs make room: at most MAX_JOBS are kept
            done = [k for k, j in self.jobs.items() if j["status"] != "running"]
            while len(self.jobs) >= MAX_JOBS and done:
                del self.jobs[done.pop(0)]
            self.jobs[job_id] = job
        keep = "".join(f"&event={_quote(e)}" for e in request.query_params.getlist("event"))
        return RedirectResponse(f"/plan?job={job_id}&lang={self.lang(request)}{keep}", 303)

    def _run_plan(
        self, job: dict[str, Any], time_limit: float, costs: bool, events: dict[str, str]
    ) -> None:
        from charter.planner import plan

        try:
            result = plan(
                self.scenario,
                time_limit=time_limit,
                clause_costs=costs,
                events=events or None,
                progress=lambda m: job["messages"].append(m),
            )
            job.update(status="done", plan=result.to_json())
        except Exception as exc:  # any failure is the job's answer, never the server's
            job.update(status="failed", error=str(exc) or type(exc).__name__)

    def plan_job(self, request: Request, caller: Caller) -> Response:
        job = self.jobs.get(request.path_params["job"])
        if job is None or job["owner"] != caller.party:
            return JSONResponse({"detail": "no such plan job"}, status_code=404)
        return JSONResponse(
            {"status": job["status"], "messages": job["messages"][-5:], "error": job.get("error")}
        )


def _script_json(text: str) -> Markup:
    """A JSON text to place inside a ``<script type="application/json">``: the characters
    that could end the element or start markup are written as JSON escapes."""
    safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(safe)


@contextlib.contextmanager
def _uploaded(upload: Any, default: str, limit: int) -> Iterator[Path | None]:
    """An uploaded file (up to ``limit`` bytes) under its own name in a temporary folder,
    for the file readers that name it in their messages; removed afterwards. None when the
    form sent no file."""
    if upload is None or not hasattr(upload, "file"):
        yield None
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.filename or default).name
        path.write_bytes(upload.file.read(limit))
        yield path


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def _events(pairs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        name, sep, day = pair.partition("=")
        if sep and name.strip() and day.strip():
            out[name.strip()] = day.strip()
    return out


def _int(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None and text != "" else default
    except ValueError:
        return default


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ()))
        return f"{where}: {first.get('msg')}"
    return str(exc)


def dashboard(service: Service) -> Starlette:
    """The dashboard's app, to mount at ``/`` after the API's routes."""
    d = Dashboard(service)
    get, post = ["GET"], ["POST"]
    routes = [
        Route("/", lambda r: RedirectResponse("/timeline", 303), methods=get),
        Route("/signin", d.signin, methods=["GET", "POST"]),
        Route("/signout", d.signed_in(d.signout), methods=post),
        Route("/timeline", d.signed_in(d.timeline), methods=get),
        Route("/ask", d.signed_in(d.ask), methods=get),
        Route("/compare", d.signed_in(d.compare), methods=["GET", "POST"]),
        Route("/plan", d.signed_in(d.plan), methods=get),
        Route("/plan", d.signed_in(d.plan_start), methods=post),
        Route("/plan/jobs/{job}.json", d.signed_in(d.plan_job), methods=get),
        Route("/commitments", d.signed_in(d.commitments), methods=get),
        Route("/rofr", d.signed_in(d.rofr), methods=get),
        Route("/rofr/{rid}/{answer:str}", d.signed_in(d.rofr_answer), methods=post),
        Route("/revenue", d.signed_in(d.revenue), methods=get),
        Route("/ledger", d.signed_in(d.ledger), methods=get),
        Route("/assets/plotly.min.js", lambda r: FileResponse(_plotly_js()), methods=get),
        Mount("/assets", StaticFiles(directory=str(HERE / "static")), name="assets"),
    ]
    app = Starlette(routes=routes)
    app.state.dashboard = d
    return app
