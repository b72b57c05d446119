"""Operating the service: ``db upgrade|status``, ``token create|list|revoke`` and ``serve``,
and the database the other service commands open (``--db``)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from charter.cli.common import JsonOpt, ScenarioArg, Table, err, line, load, out, print_json
from charter.errors import RequestError
from charter.service.limits import Limits

if TYPE_CHECKING:
    import socket

    from charter.ledger import Database

__all__ = ["DbOpt", "ScenarioOpt", "database", "db_app", "db_url", "serve", "token_app"]

db_app = typer.Typer(help="The database: migrations and status.", no_args_is_help=True)
token_app = typer.Typer(help="Bearer tokens for the service.", no_args_is_help=True)

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database URL (default: $CHARTER_DATABASE_URL, else a SQLite "
        "file in your data directory).",
    ),
]
ScenarioOpt = Annotated[
    str | None, typer.Option("--scenario", help="Bundled scenario name or folder.")
]


def db_url(db: str | None) -> str:
    """The database URL: ``--db``, else ``$CHARTER_DATABASE_URL``, else the default file."""
    import os

    from charter.ledger import default_url

    return db or os.environ.get("CHARTER_DATABASE_URL") or default_url()


def database(db: str | None) -> Database:
    """The database named by --db, $CHARTER_DATABASE_URL or the default (DatabaseError if its
    URL is unusable)."""
    from charter.ledger import Database

    return Database(db_url(db))


# ---------------------------------------------------------------------------- db
@db_app.command("upgrade")
def db_upgrade(db: DbOpt = None) -> None:
    """Apply every migration to the database."""
    d = database(db)
    rev = d.upgrade()
    line(f"database at revision {rev}: {d.shown_url}")


@db_app.command("status")
def db_status(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """Show the database, its schema revision and whether it is current.

    Exit 0 when the schema is current, 1 when it is out of date or absent, 2 when the database
    cannot be opened.
    """
    d = database(db)
    missing = d.file_missing()
    current, head = d.revision(), d.head()
    known = d.known_revisions()
    if current == head:
        state, advice = "current", "up to date"
    elif current is None:
        state = "absent"
        advice = (
            "no database file yet" if missing else "no schema yet"
        ) + ": run `charter db upgrade` (`charter serve` also creates it on an empty database)"
    elif current not in known:
        state, advice = "newer", "written by a newer charter: upgrade charter"
    else:
        state, advice = "behind", "out of date: run `charter db upgrade`"
    if as_json:
        print_json({"database": d.shown_url, "revision": current, "head": head, "state": state})
    else:
        line(f"database {d.shown_url}: revision {current or 'none'}; newest {head} — {advice}")
    if state != "current":
        raise typer.Exit(1)


# ---------------------------------------------------------------------------- tokens
@token_app.command("create")
def token_create(
    party: Annotated[str, typer.Option("--party", help="The party the token acts for.")],
    role: Annotated[str, typer.Option("--role", help="viewer or operator.")] = "viewer",
    scenario: ScenarioOpt = None,
    db: DbOpt = None,
) -> None:
    """Create a bearer token and print it once (only its hash is stored)."""
    from charter.service.tokens import create_token

    s = load(scenario)
    d = database(db)
    d.require_current()
    ident, token = create_token(d, party, role, set(s.parties))
    err.print(f"token {ident} for {party} ({role}); it is shown only now:")
    sys.stdout.write(token + "\n")


@token_app.command("list")
def token_list(db: DbOpt = None, as_json: JsonOpt = False) -> None:
    """List the tokens: id, party, role, created, revoked (never a token or its hash)."""
    from charter.service.tokens import list_tokens

    d = database(db)
    d.require_current()
    rows = list_tokens(d)
    if as_json:
        print_json(rows)
        return
    if not rows:
        line("no tokens yet; make one with `charter token create --party PARTY --role ROLE`")
        return
    table = Table("id", "party", "role", "created", "revoked", box=None)
    for r in rows:
        table.add_row(str(r["id"]), r["party"], r["role"], r["created"], r["revoked"] or "-")
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    ident: Annotated[int, typer.Argument(help="The token's id.")], db: DbOpt = None
) -> None:
    """Revoke a token."""
    from charter.service.tokens import revoke_token

    d = database(db)
    d.require_current()
    revoke_token(d, ident)
    out.print(f"token {ident} revoked")


# ---------------------------------------------------------------------------- serve
def _listen(host: str, port: int) -> socket.socket:
    """A listening socket on host:port (port 0: any free port), or a RequestError."""
    import socket

    if not 0 <= port <= 65535:
        raise RequestError(f"--port {port}: expected 0 to 65535")
    try:
        family, kind, proto, _, addr = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except OSError as exc:
        raise RequestError(f"--host {host!r}: {exc.strerror or exc}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(addr)
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise RequestError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc}; "
            "is another server running there? choose another --port (or --host)"
        ) from None
    return sock


#: free bytes below which ``charter serve`` warns that the database's disk is nearly full
LOW_DISK_BYTES = 50_000_000


def write_problem(d: Database) -> str | None:
    """Why the service could not write to ``d`` (read-only, disk nearly full), or None."""
    import shutil

    from sqlalchemy import text

    from charter.ledger.db import UNAVAILABLE, _sqlite_path

    try:
        with d.engine.connect() as conn:
            # SQLite: the connection's BEGIN IMMEDIATE takes the write lock, or fails on a
            # read-only file; PostgreSQL says whether its transactions are read-only
            read_only = conn.execute(
                text("SELECT 1" if d.is_sqlite else "SHOW transaction_read_only")
            ).scalar()
            conn.rollback()
    except UNAVAILABLE as exc:
        return f"cannot write to the database: {getattr(exc, 'orig', None) or exc}"
    if read_only == "on":
        return "the database is read-only (transaction_read_only is on)"
    path = _sqlite_path(d.url) if d.is_sqlite else None
    if path is not None and path.parent.exists():
        free = shutil.disk_usage(path.parent).free
        if free < LOW_DISK_BYTES:
            return f"the disk holding {path.name} has only {free // 1_000_000} MB free"
    return None


def serve(
    scenario: ScenarioArg = None,
    db: DbOpt = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port (0: any free port).")] = 8000,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Run the clock from this date (e.g. 2025-03-01).")
    ] = None,
    docs: Annotated[
        bool,
        typer.Option(
            "--docs", help="Serve Swagger UI at /docs and ReDoc at /redoc (scripts from a CDN)."
        ),
    ] = False,
    header_timeout: Annotated[
        float,
        typer.Option(
            min=0.1, help="Seconds for a request's headers to arrive (else 408 and close)."
        ),
    ] = Limits.header_timeout,
    body_timeout: Annotated[
        float,
        typer.Option(
            min=0.1, help="Seconds a request body may go without a byte (else 408 and close)."
        ),
    ] = Limits.body_timeout,
    max_connections: Annotated[
        int,
        typer.Option(
            min=1,
            help="Connections open at once; beyond, the longest waiting for its headers is "
            "closed, else the new one is answered 503.",
        ),
    ] = Limits.max_connections,
) -> None:
    """Start the service (FastAPI on uvicorn); the OpenAPI schema at /openapi.json, Swagger
    UI at /docs with --docs.

    On an empty database it creates the schema; on an out-of-date one it refuses (run
    `charter db upgrade`). It prints one line saying where it listens, the scenario, the
    database and the clock.
    """
    import uvicorn

    from charter.dates import parse_date
    from charter.service import Settings, create_app
    from charter.service.limits import (
        connection_cap,
        raise_open_file_limit,
        throttle_server_logs,
    )
    from charter.service.protocol import bounded_protocol

    day = parse_date(as_of, what="--as-of") if as_of else None
    url = db_url(db)
    open_files = raise_open_file_limit()
    cap = connection_cap(max_connections, open_files)
    limits = Limits(header_timeout, body_timeout, cap)
    sock = _listen(host, port)
    try:
        d = database(db)
        try:
            created = d.create_schema_if_empty()
        finally:
            d.dispose()
        if created:
            line(f"created the database schema ({created}) in {d.shown_url}", to_err=True)
        problem = write_problem(d)
        d.dispose()
        if problem:
            line(f"warning: {problem}; writes will answer 503", to_err=True)
        if cap < max_connections:
            line(
                f"warning: --max-connections {max_connections} lowered to {cap}, to stay "
                f"well below the limit of {open_files} open files",
                to_err=True,
            )
        app_ = create_app(Settings(db_url=url, scenario=scenario, as_of=day, docs=docs))
    except BaseException:
        sock.close()  # the port is free again when the error is printed
        raise
    bound_host, bound_port = sock.getsockname()[:2]
    shown_host = f"[{bound_host}]" if ":" in bound_host else bound_host
    clock = f"clock from {day.isoformat()} (--as-of)" if day else "system clock"
    line(
        f"serving http://{shown_host}:{bound_port} (the dashboard at /, sign in with a "
        f"token; OpenAPI at {'/docs' if docs else '/openapi.json'}): scenario "
        f"{app_.state.scenario.name}, database {d.shown_url}, {clock}",
        to_err=True,
    )
    config = uvicorn.Config(
        app_,
        log_level="warning",
        server_header=False,
        # slow, idle or numerous clients (charter.service.limits): headers within
        # header_timeout, no body read idle for body_timeout, at most cap connections;
        # idle keep-alive connections close after 5 s, a request's headers are at most
        # 64 KiB (h11)
        http=bounded_protocol(limits),
        timeout_keep_alive=5,
        h11_max_incomplete_event_size=64 * 1024,
    )
    throttle_server_logs()  # after the Config, which sets up uvicorn's loggers
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        app_.state.db.dispose()
