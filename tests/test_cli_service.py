"""Service commands end to end as subprocesses, straight to a SQLite database; and the ROFR
process on a small scenario whose ROFR is in force today (real clock)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml
from fastapi.testclient import TestClient

from charter.ledger import Database
from charter.service import Settings, create_app
from charter.service.tokens import create_token
from tests.conftest import amendment, clause, write_scenario


def run(*args: str, db: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "charter", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CHARTER_DATABASE_URL": db, "COLUMNS": "200", **env},
    )


def test_db_token_rofr_spend_and_ledger_commands(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'c.db'}"
    refused = run("serve", db=db)
    assert refused.returncode == 2 and "run `charter db upgrade`" in " ".join(
        refused.stderr.split()
    )
    assert run("db", "upgrade", db=db).returncode == 0
    assert "revision 0001; newest 0001" in run("db", "status", db=db).stdout
    made = run("token", "create", "--party", "openai", "--role", "operator", db=db)
    assert made.returncode == 0 and made.stdout.strip().startswith("chr_")
    bad = run("token", "create", "--party", "nobody", db=db)
    assert bad.returncode == 2 and "unknown party 'nobody'" in bad.stderr
    filed = run(
        "rofr",
        "file",
        "--as",
        "openai",
        "--provider",
        "aws",
        "--family",
        "h100",
        "--quantity",
        "2026-12=1000",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-31",
        "--price",
        "5",
        "--json",
        db=db,
    )
    assert filed.returncode == 0, filed.stderr
    assert json.loads(filed.stdout)["status"] == "released"  # no ROFR in force today
    focus = tmp_path / "focus.csv"
    focus.write_text(
        "BilledCost,ProviderName,ChargePeriodStart,ChargePeriodEnd\n"
        "10,azure,2026-10-01,2026-10-31\n"
    )
    for _ in range(2):  # the same file twice: recorded once
        r = run("spend", "import", str(focus), "--as", "openai", db=db)
        assert r.returncode == 0 and "imported 1" in r.stdout
    v = run("ledger", "verify", "--json", db=db)
    assert v.returncode == 0 and json.loads(v.stdout)["events"] == 2
    bad_csv = tmp_path / "bad.csv"
    bad_csv.write_text("BilledCost,ProviderName\n1,azure\n")
    r = run("spend", "import", str(bad_csv), "--as", "openai", db=db)
    assert r.returncode == 2 and "missing FOCUS columns" in r.stderr
    assert run("token", "revoke", "1", db=db).returncode == 0
    assert run("token", "revoke", "99", db=db).returncode == 2


def test_rofr_in_force_today(tmp_path: Path) -> None:
    rofr = clause(
        "R", "rofr", principal="lab", holder="cloud", where={"new_capacity": True}, response_days=10
    )
    folder = write_scenario(tmp_path / "s", [amendment("2024-01-01", rofr)])
    meta = yaml.safe_load((folder / "scenario.yaml").read_text())
    (folder / "scenario.yaml").write_text(yaml.safe_dump(meta))
    url = f"sqlite:///{tmp_path / 'r.db'}"
    db = Database(url)
    db.upgrade()
    parties = {"lab", "cloud", "other", "gov"}
    lab = create_token(db, "lab", "operator", parties)[1]
    cloud = create_token(db, "cloud", "operator", parties)[1]
    other = create_token(db, "other", "operator", parties)[1]
    app = create_app(Settings(db_url=url, scenario=str(folder)))  # the real clock
    with TestClient(app) as c:
        body = {
            "provider": "elsewhere",
            "family": "h100",
            "quantity": {"2027-01": 5},
            "window_from": "2027-01-01",
            "window_to": "2027-01-31",
            "price_per_hour": 3,
        }
        r = c.post(
            "/v1/rofr/requests",
            json=body,
            headers={"Authorization": f"Bearer {lab}", "Idempotency-Key": "a"},
        ).json()
        assert (r["status"], r["holder"], r["clause"]) == ("open", "cloud", "R")
        deadline = dt.datetime.fromisoformat(r["deadline"])
        assert 9 <= (deadline - dt.datetime.now(dt.UTC)).days <= 10
        inbox = c.get("/v1/rofr/requests", headers={"Authorization": f"Bearer {cloud}"}).json()
        assert [x["id"] for x in inbox["requests"]] == [r["id"]]
        assert "elsewhere" not in json.dumps(inbox)
        assert (
            c.get("/v1/rofr/requests", headers={"Authorization": f"Bearer {other}"}).json()[
                "requests"
            ]
            == []
        )
        m = c.post(
            f"/v1/rofr/requests/{r['id']}/match",
            headers={"Authorization": f"Bearer {cloud}", "Idempotency-Key": "b"},
        )
        assert m.json()["status"] == "matched"
    app.state.db.dispose()
    db.dispose()
