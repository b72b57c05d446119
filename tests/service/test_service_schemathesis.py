"""Schemathesis against the service's own OpenAPI schema, bounded for CI.

The app runs on a temporary SQLite database as of 2025-03-01 (the ROFR in force) and every
request is made as ``openai`` with an operator token and a fresh ``Idempotency-Key``. For each
operation a fixed number of derandomized cases is generated once (schema-valid ones, part of
their fields steered to values the scenario knows so that handlers get past the "unknown
party" gate, plus schema-invalid ones where the operation has a body or query to break), and
every response is put through each check separately. The tests then assert per operation:

* ``test_no_server_error``: no 5xx, for valid and invalid input alike;
* ``test_responses_conform``: status code documented, content type and body as declared,
  headers as declared, for every (operation, check).

The 5xx this fuzzing once found (and those found by hand at its edges) are fixed; each is
replayed by a test of its own (:data:`FORMER_SERVER_ERRORS`), and no input is kept out of the
generated cases.
"""

from __future__ import annotations

import datetime as dt
import json
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.errors import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import charter
from charter.ledger import Database
from charter.service import Settings, create_app
from charter.service.clock import ManualClock
from charter.service.policy import ROUTES
from charter.service.tokens import create_token

MAX_EXAMPLES = 20  # per operation and generation mode
AS_OF = dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)
CALLER = "openai"
#: an open ROFR request once filed: openai → microsoft, the holder of the ROFR in force
ROFR = {
    "provider": "gcp",
    "family": "tpu-v6e",
    "quantity": {"2025-04": 100000},
    "window_from": "2025-04-01",
    "window_to": "2025-06-30",
    "price_per_hour": 2.7,
}

CONFORMANCE = {
    check.__name__: check
    for check in (
        status_code_conformance,
        content_type_conformance,
        response_schema_conformance,
        response_headers_conformance,
    )
}

_UNDECLARED = "the route raises HTTPException({}) but declares only 2xx and 422 responses"
_NO_TYPE = (
    "its 422 bodies come from _error()/HTTPException/the CharterError handler: "
    '[{"loc", "msg"}] items without "type", which the declared HTTPValidationError '
    "(ValidationError: required loc, msg, type) demands"
)

#: (operation, check) → why the app's own OpenAPI declarations would make the check fail.
#: Empty since the routes declare 401/403/404/409 and every 422 item carries a "type".

SQLITE_MAX_INTEGER = 2**63 - 1


# ---------------------------------------------------------------------------- steering
PARTIES = (CALLER, "microsoft", "google")  # the caller, its counterparty, a stranger
PERIODS = ("2025-03", "2025-04", "2025-Q2", "2025", "2024-12")
SURROGATE = "\ud800"
FOCUS_HEADER = "BilledCost,EffectiveCost,ProviderName,ChargePeriodStart,ChargePeriodEnd"


def _steering(scenario: charter.Scenario) -> dict[str, st.SearchStrategy[Any]]:
    """Values the scenario knows, by field name (body or query)."""
    parties = st.sampled_from(PARTIES)
    return {
        # in JSON bodies, a lone surrogate now and then: it was once echoed into error text
        # that could not be encoded (a query cannot carry one: the client cannot encode it)
        "principal": st.sampled_from([*PARTIES, SURROGATE]),
        "payer": parties,
        "payee": parties,
        "with_party": parties,
        "artifact_owner": parties,
        "codeveloped_with": parties,
        "action": st.sampled_from(sorted(scenario.vocabulary.actions)),
        "provider": st.sampled_from(sorted(scenario.providers)),
        "kind": st.sampled_from(scenario.vocabulary.values("kind")),
        "segment": st.sampled_from(("commercial", "government")),
        "at": st.just(AS_OF.date().isoformat()),
        "period": st.sampled_from(PERIODS),
        "lang": st.sampled_from(("en", "de")),
        "quantity": st.dictionaries(
            st.sampled_from([*PERIODS[:2], SURROGATE]), st.floats(1, 1e6), min_size=1, max_size=2
        ),
    }


def _focus_csv(scenario: charter.Scenario) -> st.SearchStrategy[str]:
    names = [*(p.name for p in scenario.providers.values()), *scenario.providers, "nobody"]
    row = st.builds(
        "{},{},{},2025-02-01,2025-02-28".format,
        st.integers(0, 10**6),
        st.sampled_from(["", "12.5"]),
        st.sampled_from(names),
    )
    return st.builds(
        lambda rows, eol: eol.join([FOCUS_HEADER, *rows]) + eol,
        st.lists(row, min_size=1, max_size=3),
        st.sampled_from(["\n", "\r\n"]),
    )


# ---------------------------------------------------------------------------- the run
@dataclass
class Outcome:
    statuses: Counter[int] = field(default_factory=Counter)
    #: check name → the first failure: schemathesis's report (with curl) and any traceback
    failures: dict[str, str] = field(default_factory=dict)


class Fuzz:
    """The app, a token and the loaded schema; runs each operation once, on demand."""

    def __init__(self, tmp: Path) -> None:
        url = f"sqlite:///{tmp / 'charter.db'}"
        self.db = Database(url)
        self.db.upgrade()
        self.app = create_app(Settings(db_url=url, clock=ManualClock(AS_OF)))
        self.scenario: charter.Scenario = self.app.state.scenario
        self.token = create_token(self.db, CALLER, "operator", set(self.scenario.parties))[1]
        self.tracebacks: list[str] = []
        self.schema = schemathesis.openapi.from_asgi("/openapi.json", self._capturing(self.app))
        self.steering = _steering(self.scenario)
        self.csv = _focus_csv(self.scenario)
        self.rid = self._file_rofr()
        self.outcomes: dict[str, Outcome] = {}

    def _capturing(self, app: Any) -> Callable[..., Any]:
        """Keep the traceback of an unhandled error. Starlette has already answered 500
        (as uvicorn would); swallowing the re-raise lets the checks see that response."""

        async def asgi(scope: Any, receive: Any, send: Any) -> None:
            try:
                await app(scope, receive, send)
            except Exception:
                if scope["type"] != "http":
                    raise
                self.tracebacks.append(traceback.format_exc())

        return asgi

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Idempotency-Key": str(uuid.uuid4())}

    def _file_rofr(self) -> str:
        """File :data:`ROFR`, so that path parameters can name a real request."""
        case = self.schema.find_operation_by_id("rofr_file").Case(
            body=ROFR, media_type="application/json"
        )
        response = case.call(headers=self.headers())
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "open"
        return str(response.json()["id"])

    def steer(self, case: schemathesis.Case, data: st.DataObject) -> None:
        """Replace generated values by known ones: all of them in about half of the cases,
        each with probability 1/2 in the others."""
        everything = data.draw(st.booleans())

        def fields(values: dict[str, Any]) -> None:
            for name in list(values):
                if name in self.steering and (everything or data.draw(st.booleans())):
                    values[name] = data.draw(self.steering[name])

        if isinstance(case.body, dict):
            fields(case.body)
            for item in case.body.get("requests") or []:
                if isinstance(item, dict):
                    fields(item)
        elif isinstance(case.body, str) and (everything or data.draw(st.booleans())):
            case.body = data.draw(self.csv)
        if case.query:
            fields(case.query)
        rid = "rid" in (case.path_parameters or {})
        if rid and (everything or data.draw(st.booleans())):
            case.path_parameters["rid"] = self.rid

    def outcome(self, operation_id: str) -> Outcome:
        if operation_id not in self.outcomes:
            outcome = Outcome()
            operation = self.schema.find_operation_by_id(operation_id)
            self._run(operation_id, operation, outcome, schemathesis.GenerationMode.POSITIVE)
            if operation.body or operation.query:  # else there is nothing to make invalid
                self._run(operation_id, operation, outcome, schemathesis.GenerationMode.NEGATIVE)
            self.outcomes[operation_id] = outcome
        return self.outcomes[operation_id]

    def _run(
        self,
        operation_id: str,
        operation: schemathesis.APIOperation,
        outcome: Outcome,
        mode: schemathesis.GenerationMode,
    ) -> None:
        positive = mode is schemathesis.GenerationMode.POSITIVE
        # Conformance is asked of valid requests only; 5xx of any request.
        checks = [not_a_server_error, *CONFORMANCE.values()] if positive else [not_a_server_error]

        @settings(
            max_examples=MAX_EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        @given(case=operation.as_strategy(mode), data=st.data())
        def run(case: schemathesis.Case, data: st.DataObject) -> None:
            if positive:
                self.steer(case, data)
            headers = self.headers()
            seen = len(self.tracebacks)
            response = case.call(headers=headers)
            outcome.statuses[response.status_code] += 1
            for check in checks:
                name = check.__name__
                try:
                    case.validate_response(response, checks=[check], headers=headers)
                except FailureGroup as exc:
                    if name not in outcome.failures:
                        report = f"[{mode.value}] {exc}"
                        for tb in self.tracebacks[seen:]:
                            report += f"\nServer traceback:\n{tb}"
                        outcome.failures[name] = report

        run()

    def close(self) -> None:
        self.app.state.db.dispose()
        self.db.dispose()


@pytest.fixture(scope="module")
def fuzz(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzz]:
    world = Fuzz(tmp_path_factory.mktemp("schemathesis"))
    yield world
    world.close()


@pytest.fixture(scope="module")
def bugs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzz]:
    """A separate app for the known 5xx, some of which commit before failing."""
    world = Fuzz(tmp_path_factory.mktemp("known-bugs"))
    yield world
    world.close()


OPERATIONS = sorted(ROUTES)


def test_the_schema_has_every_operation(fuzz: Fuzz) -> None:
    found = {
        result.ok().definition.raw["operationId"] for result in fuzz.schema.get_all_operations()
    }
    assert found == set(OPERATIONS)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_no_server_error(fuzz: Fuzz, operation: str) -> None:
    outcome = fuzz.outcome(operation)
    failure = outcome.failures.get(not_a_server_error.__name__)
    assert failure is None, f"{operation}: {dict(outcome.statuses)}\n{failure}"


@pytest.mark.parametrize("check", CONFORMANCE)
@pytest.mark.parametrize("operation", OPERATIONS)
def test_responses_conform(fuzz: Fuzz, operation: str, check: str) -> None:
    outcome = fuzz.outcome(operation)
    failure = outcome.failures.get(check)
    assert failure is None, f"{operation}: {dict(outcome.statuses)}\n{failure}"


# ---------------------------------------------------------------------------- known 5xx
FOCUS = "BilledCost,ProviderName,ChargePeriodStart,ChargePeriodEnd"


@dataclass(frozen=True)
class Known:
    operation: str
    name: str
    why: str
    request: dict[str, Any]
    #: whether schema-driven generation can produce it (1e400 is no Python float)
    generable: bool = True

    def param(self, *marks: Any) -> Any:
        return pytest.param(self, marks=marks, id=f"{self.operation}-{self.name}")


#: Inputs that used to make the app answer 500 (found by this fuzzing); now 4xx.
FORMER_SERVER_ERRORS = [
    Known(
        "ledger_list",
        "after-past-int64",
        "after has ge=0 but no upper bound; past 2**63-1 SQLite raises OverflowError",
        {"query": {"after": SQLITE_MAX_INTEGER + 1}},
    ),
    Known(
        "spend_import",
        "cr-line-endings",
        "_parse_focus reads io.StringIO(text) without newline='' and does not catch "
        "csv.Error: CR line endings raise 'new-line character seen in unquoted field'",
        {"body": f"{FOCUS}\r1,azure,2025-01-01,2025-01-31\r", "media_type": "text/csv"},
    ),
    Known(
        "spend_import",
        "huge-field",
        "csv.Error 'field larger than field limit (131072)' is not caught",
        {"body": f"{FOCUS}\n1,azure,2025-01-01,{'x' * 140_000}\n", "media_type": "text/csv"},
    ),
    Known(
        "spend_import",
        "short-row",
        "a short row leaves ChargePeriodStart None: None.strip() raises AttributeError, "
        "and only ValueError/TypeError are turned into 422",
        {"body": f"{FOCUS}\n1,azure\n", "media_type": "text/csv"},
    ),
    Known(
        "revenue_record",
        "period-year-0",
        "Period.parse('0000-01') lets datetime's ValueError (year 0 is out of range) out "
        "instead of a RequestError",
        {
            "body": {"payee": "microsoft", "period": "0000-01", "amount": 1.0},
            "media_type": "application/json",
        },
    ),
    Known(
        "revenue_statement",
        "period-year-9999",
        "Period.parse('9999-12') computes the month end as 10000-01-01 - 1 day: ValueError",
        {"query": {"period": "9999-12", "payer": CALLER, "payee": "microsoft"}},
    ),
    Known(
        "rofr_file",
        "quantity-year-9999",
        "Period.parse('9999-Q4') on a quantity key: ValueError (year 10000 is out of range)",
        {"body": {**ROFR, "quantity": {"9999-Q4": 1.0}}, "media_type": "application/json"},
    ),
    Known(
        "rofr_file",
        "price-1e400",
        "the valid JSON number 1e400 parses to inf, which float fields accept; JSONResponse "
        "then refuses it (Out of range float values are not JSON compliant) after the "
        "event and the idempotency record were committed, and a retry replays the 500",
        {
            "body": json.dumps(ROFR).replace("2.7", "1e400").encode(),
            "media_type": "application/json",
        },
        generable=False,
    ),
    Known(
        "decide",
        "principal-surrogate",
        "a lone surrogate in principal was echoed into the 403 text, which UTF-8 cannot encode",
        {
            "body": {"at": "2025-03-01", "principal": SURROGATE, "action": "run"},
            "media_type": "application/json",
        },
    ),
    Known(
        "decide_batch",
        "principal-surrogate",
        "the same lone surrogate inside a batch",
        {
            "body": {"requests": [{"at": "2025-03-01", "principal": SURROGATE, "action": "run"}]},
            "media_type": "application/json",
        },
    ),
    Known(
        "rofr_file",
        "quantity-key-surrogate",
        "a lone surrogate as a quantity's month was echoed into the 422 text",
        {"body": {**ROFR, "quantity": {SURROGATE: 1.0}}, "media_type": "application/json"},
    ),
]


@pytest.mark.parametrize("known", [k.param() for k in FORMER_SERVER_ERRORS])
def test_former_server_errors_are_client_errors(bugs: Fuzz, known: Known) -> None:
    case = bugs.schema.find_operation_by_id(known.operation).Case(**known.request)
    seen = len(bugs.tracebacks)
    response = case.call(headers=bugs.headers())
    assert response.status_code < 500, "".join(bugs.tracebacks[seen:])
