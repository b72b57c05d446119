"""The service commands straight to the database (``--as PARTY``) call the ledger's workflows
and print what the same command prints through a server (``--url``), byte for byte: answers,
refusals (``409: ...``), bad input. The server here is the app in-process (a ``TestClient``
stands in for the CLI's HTTP client), on the same database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner, Result

from charter.cli import app, remote
from charter.ledger import Database
from charter.service import Settings, create_app
from charter.service.tokens import create_token
from tests.conftest import amendment, clause, write_scenario

FILE = [
    *("rofr", "file", "--provider", "elsewhere", "--family", "h100"),
    *("--quantity", "2027-01=5", "--from", "2027-01-01", "--to", "2027-01-31"),
]


@dataclass
class Both:
    """Run a command straight to the database and through the server, as one party."""

    url: str
    folder: Path
    tokens: dict[str, str]
    monkeypatch: pytest.MonkeyPatch

    def db(self, party: str, *args: str) -> Result:
        acting = [] if args[0] == "ledger" else ["--as", party, "--scenario", str(self.folder)]
        return CliRunner().invoke(app, [*args, *acting, "--db", self.url])

    def server(self, party: str, *args: str) -> Result:
        self.monkeypatch.setenv("CHARTER_TOKEN", self.tokens[party])
        return CliRunner().invoke(app, [*args, "--url", "http://testserver"])

    def same(self, party: str, *args: str) -> Result:
        """The command both ways: the same exit code, stdout and stderr."""
        direct, served = self.db(party, *args), self.server(party, *args)
        assert (direct.exit_code, direct.stdout, direct.stderr) == (
            served.exit_code,
            served.stdout,
            served.stderr,
        ), args
        return direct


@pytest.fixture
def both(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Both]:
    rofr = clause(
        "R", "rofr", principal="lab", holder="cloud", where={"new_capacity": True}, response_days=10
    )
    spend = clause(
        "C",
        "commitment",
        payer="lab",
        payee="cloud",
        providers=["cloudy"],
        amount=1000,
        window_end="2027-12-31",
    )
    folder = write_scenario(tmp_path / "s", [amendment("2024-01-01", rofr, spend)])
    url = f"sqlite:///{tmp_path / 'm.db'}"
    db = Database(url)
    db.upgrade()
    parties = {"lab", "cloud", "other", "gov"}
    tokens = {p: create_token(db, p, "operator", parties)[1] for p in ("lab", "cloud", "other")}
    db.dispose()
    served = create_app(Settings(db_url=url, scenario=str(folder)))

    def client(base: str) -> httpx.Client:
        token = os.environ["CHARTER_TOKEN"]
        return TestClient(served, base_url=base, headers={"Authorization": f"Bearer {token}"})

    monkeypatch.setattr(remote, "connect", client)
    yield Both(url, folder, tokens, monkeypatch)
    served.state.db.dispose()


def test_answers_read_the_same_both_ways(both: Both) -> None:
    filed = both.db("lab", *FILE, "--price", "3", "--json")
    assert filed.exit_code == 0, filed.output
    by_server = both.server("lab", *FILE, "--price", "3", "--json")
    assert by_server.exit_code == 0, by_server.output
    mine, theirs = json.loads(filed.stdout), json.loads(by_server.stdout)
    assert list(mine) == list(theirs)  # the keys in the response model's order
    assert mine["status"] == "open" and mine["holder"] == "cloud"
    assert list(mine)[:3] == ["id", "family", "kind"]
    # listed from the ledger (payloads stored with sorted keys): still the model's order
    for party in ("lab", "cloud", "other"):
        both.same(party, "rofr", "list", "--json")
        both.same(party, "rofr", "list")
    listed = json.loads(both.db("cloud", "rofr", "list", "--json").stdout)["requests"]
    assert [list(r)[:3] for r in listed] == [["id", "family", "kind"]] * 2
    assert all("private" not in r for r in listed)  # the third party is the principal's
    both.same("lab", "rofr", "match", mine["id"][:8])  # 403: only the holder
    assert both.db("cloud", "rofr", "match", mine["id"][:8]).exit_code == 0
    again = both.same("cloud", "rofr", "decline", mine["id"])
    assert again.exit_code == 2 and "409: the request is matched: cloud matched" in again.stderr
    both.same("cloud", "rofr", "decline", "ffffffff-0000-4000-8000-000000000000")  # 404
    both.same("cloud", "rofr", "decline", "ffff")  # no request you can see
    # the database holds the tokens' events too (in no party's view): the server counts
    # the caller's events, the database all of them; the head is the same
    direct, served = both.db("cloud", "ledger", "verify"), both.server("cloud", "ledger", "verify")
    assert served.exit_code == 0 and served.stdout.startswith("intact: 3 events")
    assert direct.exit_code == 0 and direct.stdout.startswith("intact: 6 events")
    assert direct.stdout.split("head")[1] == served.stdout.split("head")[1]


@pytest.mark.parametrize(
    "args",
    [
        ("--price", "inf"),  # never sent to a server: "Out of range float values ..."
        ("--price", "0"),
        ("--price", "1", "--family", "", "--from", "2027-13-01"),  # two fields at once
        ("--price", "1", "--to", "2026-12-31"),  # before --from
        ("--price", "1", "--quantity", "2027-13=5"),
        ("--price", "1", "--provider", "nowhere"),  # the scenario refuses it: 422
        ("--price", "1", "--key", "k" * 201),
    ],
)
def test_bad_filings_read_the_same_both_ways(both: Both, args: tuple[str, ...]) -> None:
    r = both.same("lab", *FILE, *args)
    assert r.exit_code == 2 and r.stderr.startswith("error:") and not r.stdout


def test_spend_imports_read_the_same_both_ways(both: Both, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"  # a BOM, as spreadsheets write it
    good.write_bytes(
        b"\xef\xbb\xbfBilledCost,ProviderName,ChargePeriodStart,ChargePeriodEnd\n"
        b"10,cloudy,2026-10-01,2026-10-31\n"
    )
    assert both.db("lab", "spend", "import", str(good)).stdout == "imported 1 spend rows\n"
    both.same("lab", "spend", "import", str(good))  # the same file: its first answer
    bad = tmp_path / "bad.csv"
    bad.write_bytes(
        b"BilledCost,ProviderName,ChargePeriodStart,ChargePeriodEnd\n"
        b"x,cloudy,2026-10-01,2026-10-31\n1,nope,2026-10-01,2026-10-31\n\xff,cloudy,2026,2026\n"
    )
    r = both.same("lab", "spend", "import", str(bad))
    said = " ".join(r.stderr.split())
    assert f"422: {bad} was refused {bad}:2: BilledCost: not a decimal amount: 'x'" in said
    assert f"{bad}:3: ProviderName: unknown provider 'nope'" in said
    assert f"{bad}:4: ChargePeriodStart: not a date" in said
    reused = both.same("lab", "spend", "import", str(bad), "--key", "k")
    assert reused.exit_code == 2
    both.same("lab", "spend", "import", str(good), "--key", "k")  # a new key: recorded
    r = both.same("lab", "spend", "import", str(good), "--key", "k")  # retried: once
    assert r.stdout == "imported 1 spend rows\n"
    direct = json.loads(both.db("lab", "ledger", "verify", "--json").stdout)
    served = json.loads(both.server("lab", "ledger", "verify", "--json").stdout)
    assert served["events"] == 2 and direct["events"] == 2 + 3  # and the 3 tokens' events
    assert direct["head"] == served["head"] and direct["ok"] is served["ok"] is True


def test_spend_import_rates_and_located_errors_read_the_same_both_ways(
    both: Both, tmp_path: Path
) -> None:
    euros = tmp_path / "eur.csv"
    euros.write_text(
        "BilledCost,ServiceProviderName,ChargePeriodStart,ChargePeriodEnd,BillingCurrency\n"
        + "10,Cloudy,2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,EUR\n" * 5
        + "10,Cloudy,2026-10-01T00:00:00Z,2026-13-01T00:00:00Z,EUR\n"
    )
    r = both.same("lab", "spend", "import", str(euros))
    said = " ".join(r.stderr.split())
    assert r.exit_code == 2 and f"{euros}:2: BillingCurrency: EUR is not the currency" in said
    assert f"{euros}:7: ChargePeriodEnd: not a date" in said
    fixed = tmp_path / "eur-fixed.csv"
    fixed.write_text(euros.read_text().rsplit("10,", 1)[0])
    for bad in ("EUR", "EUR=1,1"):
        r = both.same("lab", "spend", "import", str(fixed), "--rate", bad)
        assert r.exit_code == 2 and "--rate: rate" in r.stderr
    r = both.same("lab", "spend", "import", str(fixed), "--rate", "EUR=1.5", "--rate", "GBP=2")
    assert r.exit_code == 0 and r.stdout == "imported 5 spend rows\n"
    commitments = both.db("lab", "commitments", "--json")
    assert commitments.exit_code == 0, commitments.output
    (c,) = json.loads(commitments.stdout)["commitments"]
    assert c["exact"]["spent"] == "75"


def test_database_mode_refusals(both: Both, tmp_path: Path) -> None:
    nobody = both.db("nobody", *FILE, "--price", "3")
    assert nobody.exit_code == 2
    assert "error: 422: unknown principal 'nobody'" in " ".join(nobody.stderr.split())
    assert both.db("lab", *FILE, "--price", "3").exit_code == 0
    # a database that refuses writes: the server's 503, with the reason
    ro = f"sqlite:///file:{tmp_path / 'm.db'}?mode=ro&uri=true"
    listed = CliRunner().invoke(app, ["rofr", "list", "--as", "lab", "--db", ro, "--json"])
    assert listed.exit_code == 0 and len(json.loads(listed.stdout)["requests"]) == 1
    cmd = [*FILE, "--price", "3", "--as", "lab", "--scenario", str(both.folder), "--db", ro]
    refused = CliRunner().invoke(app, cmd)
    text = " ".join(refused.stderr.split())
    assert refused.exit_code == 2 and "error: 503: cannot use the database" in text
    assert "attempt to write a readonly database" in text


def test_database_mode_loads_no_web_framework(tmp_path: Path) -> None:
    """Straight to the database, the CLI imports neither FastAPI nor an HTTP client."""
    url = f"sqlite:///{tmp_path / 'w.db'}"
    Database(url).upgrade()
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from charter.cli import app\n"
        f"for cmd in (['rofr', 'list', '--as', 'openai'], ['ledger', 'verify']):\n"
        f"    r = CliRunner().invoke(app, [*cmd, '--db', {url!r}])\n"
        "    assert r.exit_code == 0, r.output\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('fastapi', 'starlette', 'httpx', 'uvicorn')))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_commitments_and_revenue_statement_read_the_same_both_ways(tmp_path: Path) -> None:
    """`charter commitments` and `charter revenue statement`, as subprocesses straight to the
    database, and through the (in-process) server with the same figures."""
    url = f"sqlite:///{tmp_path / 'money.db'}"
    Database(url).upgrade()
    csv = tmp_path / "s.csv"
    csv.write_text(
        "BilledCost,EffectiveCost,ProviderName,ChargePeriodStart,ChargePeriodEnd\n"
        "0.1,,azure,2025-11-01,2025-11-30\n0.2,,azure,2025-11-01,2025-11-30\n"
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "charter", *args, "--db", url]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)

    assert run("spend", "import", str(csv), "--as", "openai").returncode == 0
    got = run("commitments", "--as", "microsoft", "--json")
    assert got.returncode == 0, got.stderr
    (c10,) = json.loads(got.stdout)["commitments"]
    assert c10["exact"]["spent"] == "0.3" and c10["currency"] == "USD"
    table = run("commitments", "--as", "openai")
    assert table.returncode == 0 and "V4.C10" in table.stdout and "0.30" in table.stdout
    stmt = ["revenue", "statement", "--period", "2026-Q3", "--payer", "openai"]
    st = run(*stmt, "--payee", "microsoft", "--as", "microsoft", "--json")
    assert st.returncode == 0, st.stderr
    assert json.loads(st.stdout)["revenue"] == 0
    refused = run(*stmt, "--payee", "microsoft", "--as", "google")
    assert refused.returncode == 2 and "403" in refused.stderr
    db = Database(url)
    token = create_token(db, "microsoft", "viewer", {"microsoft", "openai"})[1]
    db.dispose()
    served = create_app(Settings(db_url=url))
    try:
        client = TestClient(served, headers={"Authorization": f"Bearer {token}"})
        over_http = client.get("/v1/commitments").json()["commitments"]
        assert [c["exact"] for c in over_http] == [c10["exact"]]
    finally:
        served.state.db.dispose()
