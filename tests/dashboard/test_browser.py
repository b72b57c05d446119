"""The dashboard in a real browser: Playwright driving Debian's chromium (never a downloaded
browser) against the app served by uvicorn on loopback.

Skipped when no chromium is found, unless ``CHARTER_REQUIRE_BROWSER=1`` (``.ci/run`` sets
it), which turns a missing browser into a failure. Every request the browser makes is
recorded and must go to the local server. Screenshots of every page, at 1280 and at 400
pixels wide, go to ``$CHARTER_SCREENSHOTS`` (default: the test's temporary folder).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import charter
from charter.ledger import Database
from charter.service import Settings, create_app
from charter.service.clock import ManualClock
from charter.service.tokens import create_token
from tests.support.rofr import ROFR_BODY

pytestmark = pytest.mark.browser

BROWSER = os.environ.get("CHARTER_BROWSER") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_BROWSER = Path(BROWSER).exists()
if not HAVE_BROWSER and os.environ.get("CHARTER_REQUIRE_BROWSER") != "1":
    pytest.skip(f"no chromium at {BROWSER}", allow_module_level=True)

PAGES = ("timeline", "ask", "compare", "plan", "commitments", "rofr", "revenue", "ledger")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """The app on a fresh SQLite database, served by uvicorn in a thread."""

    def __init__(self, tmp: Path) -> None:
        import uvicorn

        url = f"sqlite:///{tmp / 'charter.db'}"
        self.db = Database(url)
        self.db.upgrade()
        self.app = create_app(
            Settings(
                db_url=url,
                clock=ManualClock(dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC)),
                extra={"token_ttl": 0, "verify_ttl": 0},
            )
        )
        parties = set(charter.load_scenario().parties)
        self.tokens = {
            p: create_token(self.db, p, "operator", parties)[1]
            for p in ("openai", "microsoft", "google")
        }
        port = _free_port()
        self.base = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        for _ in range(200):
            if self.server.started:
                break
            time.sleep(0.05)
        assert self.server.started, "uvicorn did not start"

    def api(self, party: str, method: str, path: str, **kw: Any) -> Any:
        import httpx

        headers = {"Authorization": f"Bearer {self.tokens[party]}"}
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        return httpx.request(method, self.base + path, headers=headers, timeout=30, **kw)

    def close(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.app.state.db.dispose()
        self.db.dispose()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    s = Server(tmp_path_factory.mktemp("dashboard"))
    yield s
    s.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=BROWSER, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("CHARTER_SCREENSHOTS")
    out = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out


class Visit:
    """A browser page of one party, recording every request it makes."""

    def __init__(self, browser: Any, server: Server, width: int = 1280) -> None:
        self.context = browser.new_context(viewport={"width": width, "height": 900})
        self.page = self.context.new_page()
        self.server = server
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))

    def sign_in(self, party: str) -> None:
        self.page.goto(self.server.base + "/signin")
        self.page.get_by_label("Token").fill(self.server.tokens[party])
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url("**/timeline**")

    def go(self, path: str) -> None:
        self.page.goto(self.server.base + path)

    def close(self) -> None:
        off = [u for u in self.requests if not u.startswith(self.server.base)]
        self.context.close()
        assert not off, f"requests to other hosts: {off}"


@pytest.fixture
def visit(browser: Any, server: Server) -> Iterator[Any]:
    opened: list[Visit] = []

    def make(width: int = 1280) -> Visit:
        v = Visit(browser, server, width)
        opened.append(v)
        return v

    yield make
    for v in opened:
        v.close()


def test_sign_in_and_out(visit: Any) -> None:
    v = visit()
    v.go("/ledger")
    assert "/signin" in v.page.url
    v.sign_in("openai")
    assert v.page.get_by_text("openai (operator)").is_visible()
    v.page.get_by_role("button", name="Sign out").click()
    v.page.wait_for_url("**/signin**")
    v.go("/timeline")
    assert "/signin" in v.page.url


def test_the_timeline_date_changes_the_clauses_in_force(visit: Any) -> None:
    v = visit()
    v.sign_in("openai")
    v.go("/timeline?at=2023-06-01")
    assert v.page.locator('#in-force tr[data-clause="V2.C2"]').count() == 1
    v.page.get_by_label("Clauses in force on").fill("2026-06-01")
    v.page.get_by_role("button", name="Show").click()
    v.page.wait_for_url("**at=2026-06-01**")
    assert v.page.locator('#in-force tr[data-clause="V2.C2"]').count() == 0
    assert v.page.locator('#in-force tr[data-clause="V5.C2"]').count() == 1


def test_ask_shows_the_verdict_and_its_clauses(visit: Any) -> None:
    v = visit()
    v.sign_in("microsoft")
    v.go("/ask")
    v.page.get_by_label("Date").fill("2026-01-01")
    v.page.get_by_label("Party acting").select_option("microsoft")
    v.page.get_by_label("Action").select_option("access")
    v.page.locator("#q-artifact_kind").select_option("consumer-hardware-design")
    v.page.locator("#decide-form button[type=submit]").click()
    v.page.wait_for_selector("#answer")
    assert "DENY" in v.page.locator("#answer h2").inner_text()
    assert v.page.locator('#answer tr[data-clause="V4.C8"]').count() == 1


def test_compare_shows_a_known_flip(visit: Any) -> None:
    v = visit()
    v.sign_in("openai")
    v.go("/compare?from=V4&to=V5")
    changes = v.page.locator("summary.change").all_inner_texts()
    assert any("deny (V4.C3) → allow (V5.C2)" in c for c in changes), changes


def test_rofr_match_leaves_the_inbox_and_reaches_the_ledger(visit: Any, server: Server) -> None:
    filed = server.api("openai", "POST", "/v1/rofr/requests", json=ROFR_BODY)
    assert filed.status_code == 201, filed.text
    rid = filed.json()["id"]
    ms = visit()
    ms.sign_in("microsoft")
    ms.go("/rofr")
    row = ms.page.locator(f'#inbox tr[data-request="{rid}"]')
    assert row.count() == 1
    row.get_by_role("button", name="Match").click()
    ms.page.wait_for_url("**answered=**")
    assert ms.page.locator(f'#inbox tr[data-request="{rid}"]').count() == 0
    ms.go("/ledger?kind=rofr.matched")
    assert ms.page.locator('#events tr[data-kind="rofr.matched"]').count() >= 1
    google = visit()
    google.sign_in("google")
    google.go("/rofr")
    assert google.page.locator(f'[data-request="{rid}"]').count() == 0
    google.go("/ledger")
    assert google.page.locator('#events tr[data-kind^="rofr"]').count() == 0


def test_a_plan_runs_without_blocking_and_its_charts_carry_its_numbers(
    visit: Any, server: Server
) -> None:
    v = visit()
    v.sign_in("openai")
    v.go("/plan")
    v.page.get_by_role("button", name="Plan the portfolio").click()
    v.page.wait_for_url("**job=**")
    # the server answers other pages while the plan runs
    assert server.api("openai", "GET", "/health").status_code == 200
    v.page.wait_for_selector("#plan-headline", timeout=120_000)
    v.page.wait_for_selector("#chart-spend .main-svg")
    plan = v.page.evaluate("JSON.parse(document.getElementById('plan-data').textContent)")
    drawn = v.page.evaluate(
        "document.getElementById('chart-spend').data"
        ".map(t => t.y.reduce((a, b) => a + b, 0)).reduce((a, b) => a + b, 0)"
    )
    spend = sum(r["spend"] for r in plan["by_provider_year"])
    assert drawn == pytest.approx(spend, rel=1e-9)
    for name in ("hours", "holder"):
        assert v.page.locator(f"#chart-{name} .main-svg").count() >= 1
    # the placements table pages, sorts and filters in the browser
    assert v.page.locator("#placements tbody tr").count() == 50
    v.page.locator("#pl-filter").fill("coreweave")
    cells = v.page.locator("#placements tbody tr td:nth-child(3)").all_inner_texts()
    assert cells and all(c == "coreweave" for c in cells)


def test_commitments_draw_a_burn_down(visit: Any) -> None:
    v = visit()
    v.sign_in("microsoft")
    v.go("/commitments")
    v.page.wait_for_selector(".commitment .chart .main-svg")
    assert v.page.locator('.commitment[data-clause="V4.C10"]').count() == 1


def test_a_post_without_the_csrf_token_is_refused(visit: Any) -> None:
    v = visit()
    v.sign_in("openai")
    status = v.page.evaluate(
        "fetch('/signout', {method: 'POST', body: new URLSearchParams({}),"
        " credentials: 'same-origin'}).then(r => r.status)"
    )
    assert status == 403
    v.go("/timeline")
    assert v.page.get_by_text("openai (operator)").is_visible()


def test_screenshots_of_every_page_at_two_widths(visit: Any, shots: Path) -> None:
    for width in (1280, 400):
        v = visit(width)
        v.sign_in("microsoft")
        for name in PAGES:
            v.go(f"/{name}")
            v.page.wait_for_load_state("networkidle")
            # nothing wider than the window at 400 px but the tables, which scroll
            overflow = v.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, (name, width, overflow)
            v.page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=True)
    assert len(list(shots.glob("*.png"))) >= 2 * len(PAGES)
