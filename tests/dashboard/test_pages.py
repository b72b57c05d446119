"""The dashboard's pages through the app (no browser): sign-in, CSRF, every page, and that
each party sees what the API shows it. The browser tests are in test_browser.py."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

import charter
from charter.ledger import Database
from charter.service import Settings, create_app
from charter.service.clock import ManualClock
from charter.service.tokens import create_token
from tests.support.rofr import ROFR_BODY


class Site:
    """An app on a fresh SQLite database, a token per party, a client per party."""

    def __init__(self, tmp: Path) -> None:
        url = f"sqlite:///{tmp / 'charter.db'}"
        self.db = Database(url)
        self.db.upgrade()
        self.clock = ManualClock(dt.datetime(2025, 3, 1, 12, tzinfo=dt.UTC))
        self.app = create_app(
            Settings(db_url=url, clock=self.clock, extra={"token_ttl": 0, "verify_ttl": 0})
        )
        parties = set(charter.load_scenario().parties)
        self.tokens = {
            p: create_token(self.db, p, "operator", parties)[1]
            for p in ("openai", "microsoft", "google")
        }
        self.clients: list[TestClient] = []

    def client(self, party: str | None = None) -> TestClient:
        c = TestClient(self.app)
        self.clients.append(c)
        if party is not None:
            r = c.post("/signin?next=/timeline", data={"token": self.tokens[party]})
            assert r.status_code == 200, r.text
        return c

    def api(self, party: str, method: str, path: str, **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[party]}"}
        if method == "POST":
            headers["Idempotency-Key"] = str(uuid.uuid4())
        return self.client().request(method, path, headers=headers, **kw)

    def close(self) -> None:
        for c in self.clients:
            c.close()
        self.app.state.db.dispose()
        self.db.dispose()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    s = Site(tmp_path)
    yield s
    s.close()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def test_pages_need_a_session_and_the_cookie_is_http_only_and_strict(site: Site) -> None:
    c = site.client()
    r = c.get("/ask?at=2025-01-01", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin?next=%2Fask")
    bad = c.post("/signin", data={"token": "not-a-token"}, follow_redirects=False)
    assert bad.status_code == 401 and "set-cookie" not in bad.headers
    good = c.post(
        "/signin?next=/ledger", data={"token": site.tokens["google"]}, follow_redirects=False
    )
    assert good.status_code == 303 and good.headers["location"] == "/ledger"
    cookie = good.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    page = c.get("/timeline")
    assert page.status_code == 200 and "google (operator)" in page.text
    # signing out needs the form's CSRF token; then the session is gone
    assert c.post("/signout", data={}, follow_redirects=False).status_code == 403
    out = c.post("/signout", data={"csrf": csrf_of(page.text)}, follow_redirects=False)
    assert out.status_code == 303
    assert c.get("/timeline", follow_redirects=False).status_code == 303
    # an open redirect is not followed
    r = c.post(
        "/signin?next=//elsewhere.example",
        data={"token": site.tokens["google"]},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/timeline"


def test_every_page_answers_in_both_languages(site: Site) -> None:
    c = site.client("microsoft")
    for path in (
        "/timeline",
        "/ask",
        "/compare",
        "/plan",
        "/commitments",
        "/rofr",
        "/revenue",
        "/ledger",
    ):
        for lang in ("en", "de"):
            r = c.get(f"{path}?lang={lang}")
            assert r.status_code == 200, (path, lang, r.text[:500])
            assert f'<html lang="{lang}">' in r.text
    assert "Zeitleiste" in c.get("/timeline?lang=de").text
    assert "Zeitleiste" in c.get("/timeline", headers={"accept-language": "de-DE,de"}).text


def test_the_timeline_follows_the_date(site: Site) -> None:
    c = site.client("openai")
    early = c.get("/timeline?at=2023-06-01").text
    late = c.get("/timeline?at=2026-06-01").text
    assert 'data-clause="V2.C2"' in early and 'data-clause="V2.C2"' not in late
    assert 'data-clause="V5.C2"' in late and 'data-clause="V5.C2"' not in early
    chosen = c.get("/timeline?amendment=2026-02-27&at=2026-03-01").text
    assert "V4.S1" in chosen and "stateless" in chosen
    assumed = c.get("/timeline?at=2027-01-01&event=agi_verified%3D2026-06-01").text
    assert 'data-clause="V4.C3"' not in assumed


def test_ask_decides_as_the_api_does(site: Site) -> None:
    c = site.client("microsoft")
    q = "ask=decide&at=2026-01-01&principal=microsoft&action=access"
    page = c.get(f"/ask?{q}&artifact_kind=consumer-hardware-design").text
    api = site.api(
        "microsoft",
        "POST",
        "/v1/decisions",
        json={
            "at": "2026-01-01",
            "principal": "microsoft",
            "action": "access",
            "artifact_kind": "consumer-hardware-design",
        },
    ).json()
    assert api["verdict"] == "deny"
    assert 'class="card verdict deny"' in page and 'data-clause="V4.C8"' in page
    # a party may not ask for one it shares no agreement with
    google = site.client("google").get(
        "/ask?ask=decide&at=2026-01-01&principal=openai&action=run&provider=aws&kind=api"
    )
    assert google.status_code == 403
    owed = c.get("/ask?ask=owes&payer=openai&payee=microsoft&period=2026-Q1&revenue=1e9").text
    assert "200,000,000 USD" in owed and "rests on reported sources" in owed
    bad = c.get("/ask?ask=decide&at=not-a-date&principal=microsoft&action=access")
    assert bad.status_code == 422 and "Traceback" not in bad.text


def test_compare_shows_a_known_flip_and_prices_a_draft(site: Site, tmp_path: Path) -> None:
    c = site.client("openai")
    page = c.get("/compare?from=V4&to=V5").text
    assert "V4.C3" in page and "deny (V4.C3) → allow (V5.C2)" in page
    draft = (
        "date: 2027-01-01\ntitle: Drop first-ship\nsources: [draft]\n"
        "removes:\n  - {clause: V5.C1, by: D.C1}\n"
        "clauses:\n  - {id: D.C1, kind: term, title: Ends, confidence: primary, sources: [d]}\n"
    )
    form = {"csrf": csrf_of(page), "from": "V5"}
    r = c.post("/compare", data=form, files={"draft": ("draft.yaml", draft.encode())})
    assert r.status_code == 200 and "D.C1" in r.text
    refused = c.post("/compare", data={"from": "V5"}, files={"draft": ("d.yaml", b"x")})
    assert refused.status_code == 403
    broken = c.post("/compare", data=form, files={"draft": ("draft.yaml", b"date: [x")})
    assert broken.status_code == 422 and "draft.yaml:1" in broken.text


def test_the_rofr_inbox_matches_and_the_third_party_sees_nothing(site: Site) -> None:
    filed = site.api("openai", "POST", "/v1/rofr/requests", json=ROFR_BODY)
    assert filed.status_code == 201, filed.text
    rid = filed.json()["id"]
    ms = site.client("microsoft")
    inbox = ms.get("/rofr").text
    assert f'data-request="{rid}"' in inbox and "gcp" not in inbox.split('id="inbox"')[1]
    assert ms.post(f"/rofr/{rid}/match", data={}).status_code == 403  # no CSRF token
    r = ms.post(f"/rofr/{rid}/match", data={"csrf": csrf_of(inbox)}, follow_redirects=False)
    assert r.status_code == 303
    after = ms.get("/rofr").text
    assert 'id="inbox-empty"' in after
    ledger = ms.get("/ledger?kind=rofr.matched").text
    assert 'data-kind="rofr.matched"' in ledger
    google = site.client("google")
    assert f'data-request="{rid}"' not in google.get("/rofr").text
    assert 'data-kind="rofr' not in google.get("/ledger").text


def test_commitments_and_revenue_pages_show_the_ledgers_figures(site: Site) -> None:
    ms = site.client("microsoft")
    page = ms.get("/commitments").text
    assert 'data-clause="V4.C10"' in page or "No commitment" in page
    rev = ms.get("/revenue?payer=openai&payee=microsoft&period=2026").text
    assert 'id="statement"' in rev


def test_assumed_events_follow_every_page(site: Site) -> None:
    c = site.client("openai")
    ev = "event=agi_verified%3D2026-01-15"
    page = c.get(f"/timeline?at=2026-03-01&{ev}").text
    assert 'id="assumed"' in page and f"/ask?lang=en&amp;{ev}" in page
    asked = c.get(
        f"/ask?ask=decide&at=2026-03-01&principal=openai&action=run&provider=aws&kind=api"
        f"&api=stateless&{ev}"
    ).text
    assert "assuming: AGI verified by the expert panel on 2026-01-15" in asked
    assert 'class="card verdict allow"' in asked


def test_compare_with_plans_shows_the_money_with_its_uncertainty(site: Site) -> None:
    page = site.client("openai").get("/compare?from=V4&to=V5&plans=1").text
    assert 'id="delta"' in page and "Δ cost =" in page
    assert 'id="parties"' in page


def test_a_loaded_plan_file_is_charted_and_old_jobs_make_room(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from charter.dashboard import pages

    monkeypatch.setattr(pages, "MAX_JOBS", 2)
    offer = charter.load_scenario().data.offers[0]
    rows = f"workload,offer,period,hours\nx,{offer.id},2025-03,1000\n".encode()
    c = site.client("openai")
    csrf = csrf_of(c.get("/plan").text)
    shown = []
    for _ in range(3):
        r = c.post("/plan", data={"csrf": csrf}, files={"plan": ("plan.csv", rows)})
        assert r.status_code == 200 and 'id="plan-headline"' in r.text
        assert f"{offer.price * 1000:,.0f} USD" in r.text
        shown.append(str(r.url))
    d = site.app.routes[-1].app.state.dashboard
    assert len(d.jobs) == 2  # the first job made room
    assert 'id="job"' not in c.get(shown[0]).text
