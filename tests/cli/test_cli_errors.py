"""The CLI's one error boundary: whatever a user can cause prints ``error: ...`` on stderr,
naming what to fix, and exits 2; Ctrl-C exits 130 with a short message; never a traceback.

Each case runs ``python -m charter`` as a subprocess (the helper of test_cli_service)."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import charter.cli
from charter.ledger.db import mask_url
from tests.cli.test_cli_service import run
from tests.support.subprocesses import ctrl_c_as_at_a_terminal


def _free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def assert_user_error(r: subprocess.CompletedProcess[str], *needles: str) -> str:
    """Exit 2, ``error:`` on stderr, no traceback anywhere; returns stderr on one line."""
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr + r.stdout
    text = " ".join(r.stderr.split())
    assert text.startswith("error:"), text
    for needle in needles:
        assert needle in text, (needle, text)
    return text


@pytest.fixture
def db(tmp_path: Path) -> str:
    """An (absent) SQLite database in the test's folder, so no test touches the user's."""
    return f"sqlite:///{tmp_path / 'charter.db'}"


# ---------------------------------------------------------------------------- databases
def test_a_malformed_database_url(db: str) -> None:
    r = run("db", "status", "--db", "notaurl", db=db)
    assert_user_error(r, "'notaurl' is not a database URL", "sqlite:///", "postgresql+psycopg://")


def test_an_unknown_database_dialect(db: str) -> None:
    r = run("db", "upgrade", "--db", "nosuchdb://host/x", db=db)
    assert_user_error(r, "is not a database URL")


def test_a_sqlite_file_in_a_folder_that_does_not_exist(db: str) -> None:
    r = run("db", "upgrade", "--db", "sqlite:////nonexistent/x.db", db=db)
    assert_user_error(r, "sqlite:////nonexistent/x.db", "the folder /nonexistent does not exist")


def test_a_path_with_brackets_is_printed_as_is(db: str) -> None:
    # rich markup once ate "[/tmp]" and crashed on it: messages are printed verbatim
    r = run("db", "upgrade", "--db", "sqlite:////nonexistent[/tmp]/x.db", db=db)
    assert_user_error(r, "the folder /nonexistent[/tmp] does not exist")


def test_postgresql_with_nothing_listening(db: str) -> None:
    url = f"postgresql+psycopg://someone:s3cret@127.0.0.1:{_free_port()}/x"
    r = run("db", "status", "--db", url, db=db)
    text = assert_user_error(r, "cannot use the database", "someone:***@127.0.0.1", "running")
    assert "s3cret" not in text


def test_the_database_url_from_the_environment() -> None:
    r = run("token", "list", db="sqlite:////nonexistent/x.db")  # $CHARTER_DATABASE_URL
    assert_user_error(r, "/nonexistent")


@pytest.mark.parametrize("cmd", [["token", "list"], ["token", "revoke", "1"], ["ledger", "verify"]])
def test_commands_on_a_database_without_schema(cmd: list[str], db: str) -> None:
    assert_user_error(run(*cmd, db=db), "run `charter db upgrade`")


# ---------------------------------------------------------------------------- servers
def test_a_server_that_is_not_there(db: str) -> None:
    url = f"http://127.0.0.1:{_free_port()}"
    r = run("rofr", "list", "--url", url, db=db, CHARTER_TOKEN="chr_x")
    assert_user_error(r, f"cannot reach the server at {url}", "charter serve", "--url")


def test_a_malformed_server_url(db: str) -> None:
    r = run("rofr", "list", "--url", "notaurl", db=db, CHARTER_TOKEN="chr_x")
    assert_user_error(r, "--url 'notaurl'", "http://HOST:PORT")


def test_serve_on_a_port_already_taken(db: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        r = run("serve", "--port", port, db=db)
    assert_user_error(r, f"cannot listen on 127.0.0.1:{port}", "--port")


# ---------------------------------------------------------------------------- files
def test_a_file_that_cannot_be_read(db: str) -> None:
    r = run("spend", "import", "/nonexistent.csv", "--as", "openai", db=db)
    assert_user_error(r, "/nonexistent.csv", "No such file")


def test_a_file_that_cannot_be_written(db: str) -> None:
    out = "/nonexistent/dir/p.csv"
    r = run("plan", "--from", "2025-01", "--to", "2025-01", "--out", out, db=db)
    assert_user_error(r, "/nonexistent/dir/p.csv")


# ---------------------------------------------------------------------------- Ctrl-C
def test_ctrl_c_exits_130_with_a_message(db: str) -> None:
    """SIGINT while the CLI waits on a server that accepts and never answers."""
    import os

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        silent.settimeout(60)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        proc = subprocess.Popen(
            [sys.executable, "-m", "charter", "rofr", "list", "--url", url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "CHARTER_TOKEN": "chr_x", "CHARTER_DATABASE_URL": db},
            preexec_fn=ctrl_c_as_at_a_terminal,
        )
        try:
            conn, _ = silent.accept()  # the CLI is now waiting for an answer
            with conn:
                time.sleep(0.3)
                proc.send_signal(signal.SIGINT)
                stdout, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 130, (stdout, stderr)
    assert "interrupted" in stderr
    assert "Traceback" not in stderr + stdout


# ---------------------------------------------------------------------------- main()
def _main_with(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> int:
    def boom() -> None:
        raise exc

    monkeypatch.setattr(charter.cli, "app", boom)
    with pytest.raises(SystemExit) as info:
        charter.cli.main()
    code = info.value.code
    assert isinstance(code, int)
    return code


def test_main_turns_an_os_error_into_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = _main_with(monkeypatch, PermissionError(13, "Permission denied", "/root/p.csv"))
    assert code == 2
    assert "error: /root/p.csv: Permission denied" in capsys.readouterr().err


def test_main_turns_a_database_error_into_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy.exc import OperationalError

    exc = OperationalError("INSERT ...", {}, Exception("attempt to write a readonly database"))
    assert _main_with(monkeypatch, exc) == 2
    err = capsys.readouterr().err
    assert "error: the database failed: attempt to write a readonly database" in err
    assert "INSERT" not in err


def test_main_reports_a_bug_without_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CHARTER_DEBUG", raising=False)
    assert _main_with(monkeypatch, ZeroDivisionError("division by zero")) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert "internal error: ZeroDivisionError: division by zero" in err
    assert "CHARTER_DEBUG=1" in err and "Traceback" not in err
    monkeypatch.setenv("CHARTER_DEBUG", "1")
    monkeypatch.setattr(charter.cli, "app", lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        charter.cli.main()


def test_main_on_keyboard_interrupt(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import signal

    before = signal.getsignal(signal.SIGINT)
    try:
        assert _main_with(monkeypatch, KeyboardInterrupt()) == 130
        # once it aborts, a further Ctrl-C while the process exits changes nothing
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
    assert "interrupted" in capsys.readouterr().err


def test_mask_url() -> None:
    assert mask_url("postgresql+psycopg://u:pw@h:5432/db") == "postgresql+psycopg://u:***@h:5432/db"
    assert mask_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"
    assert "pw" not in mask_url("not a url://u:pw@h")


# ---------------------------------------------------------------------------- --version
def test_version(db: str) -> None:
    from importlib.metadata import version

    r = run("--version", db=db)
    assert r.returncode == 0, r.stderr
    assert r.stdout == f"charter {version('charter')}\n"
    assert version("charter") == "0.1.0"


# ---------------------------------------------------------------------------- the service
def test_the_service_answers_503_when_the_database_is_unavailable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """503 with the reason in the server's log; a local caller (in-process) reads the reason."""
    from fastapi.testclient import TestClient

    from charter.service import Settings, create_app
    from charter.service.policy import Caller

    url = "sqlite:////nonexistent/x.db"
    remote = create_app(Settings(db_url=url, check_schema=False))
    with TestClient(remote) as c:
        health = c.get("/health")
        listed = c.get("/v1/rofr/requests", headers={"Authorization": "Bearer chr_x"})
    assert health.status_code == listed.status_code == 503
    assert "/nonexistent" not in health.text and "server's log" in health.text
    assert "/nonexistent" in caplog.text
    local = create_app(
        Settings(db_url=url, check_schema=False, local_caller=Caller("openai", "operator"))
    )
    with TestClient(local) as c:
        r = c.get("/v1/ledger")
    assert r.status_code == 503 and "the folder /nonexistent does not exist" in r.text
