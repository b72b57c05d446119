"""Database connections: SQLite (embedded default, WAL with full sync) or PostgreSQL, and
the schema's migration state (Alembic)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from charter.errors import CharterError

if TYPE_CHECKING:
    from charter.ledger.signing import Signer

__all__ = [
    "LEDGER_LOCK",
    "UNAVAILABLE",
    "Database",
    "DatabaseError",
    "SchemaOutOfDate",
    "default_url",
    "describe_db_error",
    "lock_ledger",
    "mask_url",
]

MIGRATIONS = Path(__file__).parent / "migrations"

#: SQLAlchemy's errors for a database that went away, is locked or read-only, or whose pool
#: timed out (the service answers them with 503); any other SQLAlchemy error is a bug
UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeoutError)

#: the PostgreSQL advisory lock every write transaction takes first (the whole ledger's)
LEDGER_LOCK = 4242

URL_EXAMPLES = "sqlite:///PATH/charter.db or postgresql+psycopg://USER:PASSWORD@HOST/DBNAME"


class DatabaseError(CharterError):
    """The database cannot be used: a malformed URL, a missing driver, nothing listening,
    a file that cannot be opened. The message names the database (password masked)."""


class SchemaOutOfDate(DatabaseError):
    """The database schema is behind the code: run ``charter db upgrade``."""


def mask_url(url: str) -> str:
    """``url`` with its password replaced by ``***`` (also when it does not parse)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):
        return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", url)


def _first_line(exc: BaseException) -> str:
    orig = getattr(exc, "orig", None)  # the driver's own exception, without SQL and links
    text_ = str(orig if orig is not None else exc).strip()
    return text_.splitlines()[0].strip() if text_ else type(exc).__name__


def describe_db_error(exc: BaseException, url: str | None) -> str:
    """A one-line message for a database failure, naming the database (when known) and what
    to check."""
    detail = _first_line(exc)
    if url is None:
        return f"the database failed: {detail}"
    where = mask_url(url)
    if isinstance(exc, ArgumentError):
        return f"{where!r} is not a database URL we can use ({detail}); use {URL_EXAMPLES}"
    if isinstance(exc, (OperationalError, InterfaceError)):
        hint = "is the server running, and are host, port, user and password right?"
        if url.startswith("sqlite"):
            path = _sqlite_path(url)
            if path is not None and not path.parent.exists():
                hint = f"the folder {path.parent} does not exist"
            else:
                hint = "may you read and write the file and its folder?"
        return f"cannot use the database {where}: {detail}; {hint}"
    return f"the database {where} failed: {detail}"


def _owner_only_file(url: str) -> Any:
    """A ``do_connect`` hook that creates a missing SQLite file readable and writable by its
    owner only (0600) before SQLite opens it; its -wal and -shm files take the same mode."""
    path = _sqlite_path(url)

    def create(*_: Any) -> None:
        if path is not None and not path.exists() and path.parent.is_dir():
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))

    return create


def _sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None (in memory, or not SQLite)."""
    if not url.startswith("sqlite"):
        return None
    try:
        name = make_url(url).database
    except ArgumentError:
        return None
    if not name or name == ":memory:" or name.startswith("file:"):
        return None
    return Path(name)


def default_url() -> str:
    """A SQLite file in the user's data directory."""
    from platformdirs import user_data_dir

    folder = Path(user_data_dir("charter"))
    folder.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{folder / 'charter.db'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def lock_ledger(session: Session, *, is_sqlite: bool) -> None:
    """Take the ledger's write lock in ``session``'s transaction, now (taking it again in the
    same transaction is harmless): on SQLite the transaction's ``BEGIN IMMEDIATE`` is forced
    out, on PostgreSQL the advisory lock :data:`LEDGER_LOCK` is waited for."""
    held = session.get_transaction()
    if held is not None and session.info.get("ledger_locked") is held:
        return  # this transaction holds it (e.g. an import appending many events)
    if is_sqlite:
        session.connection()  # the engine's begin listener issues BEGIN IMMEDIATE
    else:
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LEDGER_LOCK})
    session.info["ledger_locked"] = session.get_transaction()


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        #: the ledger's signing key file (None: see charter.ledger.signing.default_key_path)
        self.signing_key: Path | None = None
        self._signer: Any = None
        self.is_sqlite = url.startswith("sqlite")
        # no SQL parameters in errors or logs: they carry tokens' hashes and stored answers
        kwargs: dict[str, Any] = {"future": True, "hide_parameters": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
            kwargs["pool_size"] = 10
        try:
            self.engine: Engine = create_engine(url, **kwargs)
        except ArgumentError as exc:
            raise DatabaseError(describe_db_error(exc, url)) from None
        except ImportError as exc:  # the URL names a driver that is not installed
            raise DatabaseError(
                f"the driver for {mask_url(url)} is not installed ({exc}); use {URL_EXAMPLES}"
            ) from None
        if self.is_sqlite:
            event.listen(self.engine, "do_connect", _owner_only_file(url))
            event.listen(self.engine, "connect", _sqlite_pragmas)
            # every transaction takes the write lock at once: appenders never interleave
            event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # reads never take the write lock (SQLite WAL readers run beside the writer)
        self.read_engine: Engine = self.engine
        if self.is_sqlite:
            self.read_engine = create_engine(url, **kwargs)
            event.listen(self.read_engine, "do_connect", _owner_only_file(url))
            event.listen(self.read_engine, "connect", _sqlite_pragmas)
        self.read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        # SQLite has one writer at a time: queue this process's writers on a lock rather than
        # in SQLite's busy handler, whose growing sleeps make the tail latency long
        self.write_lock: threading.Lock | contextlib.nullcontext[None] = (
            threading.Lock() if self.is_sqlite else contextlib.nullcontext()
        )

    @property
    def key_path(self) -> Path:
        """Where the server's signing key is (or will be created)."""
        from charter.ledger.signing import default_key_path

        return self.signing_key or default_key_path(self.url)

    def has_signing_key(self) -> bool:
        """True when the signing key exists (or is loaded already): reading must not make one."""
        return self._signer is not None or self.key_path.exists()

    @property
    def signer(self) -> Signer:
        """The server's signing key and checkpoint file (created on first use)."""
        if self._signer is None:
            from charter.ledger.signing import Signer

            self._signer = Signer(self.key_path, self.url)
        signer: Signer = self._signer
        return signer

    def session(self) -> Session:
        """A session for writes (on SQLite every transaction holds the write lock)."""
        return self.sessions()

    @contextlib.contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction that holds the ledger's write lock from its start, before it
        reads anything: ``BEGIN IMMEDIATE`` on SQLite, the transaction-scoped advisory lock
        :data:`LEDGER_LOCK` on PostgreSQL (both released when it ends). A workflow reads the
        state, decides and appends in it, so no other writer (thread or process) interleaves;
        it commits when the block ends and rolls back on an exception."""
        with self.write_lock, self.session() as s, s.begin():
            lock_ledger(s, is_sqlite=self.is_sqlite)
            yield s

    def reader(self) -> Session:
        """A session for reads only."""
        return self.read_sessions()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[Session]:
        """A read session whose every query sees the same committed state: a deferred
        transaction on SQLite (WAL keeps its snapshot while writers go on), REPEATABLE READ
        on PostgreSQL. Verification reads several tables and compares them in one."""
        with self.reader() as s:
            if self.is_sqlite:
                s.connection().exec_driver_sql("BEGIN")
            else:
                s.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            try:
                yield s
            finally:
                s.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()

    @property
    def shown_url(self) -> str:
        """The URL with its password masked, for messages."""
        return mask_url(self.url)

    @contextlib.contextmanager
    def guard(self) -> Iterator[None]:
        """Turn database failures inside the block into :class:`DatabaseError`."""
        from alembic.util.exc import CommandError

        try:
            yield
        except SQLAlchemyError as exc:
            raise DatabaseError(describe_db_error(exc, self.url)) from None
        except CommandError as exc:
            raise DatabaseError(f"the database {self.shown_url}: {exc}") from None

    def file_missing(self) -> bool:
        """True for a SQLite URL whose file does not exist (yet)."""
        path = _sqlite_path(self.url)
        return path is not None and not path.exists()

    # ------------------------------------------------------------------ migrations
    def _alembic_config(self) -> Any:
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.set_main_option("sqlalchemy.url", self.url.replace("%", "%%"))
        cfg.attributes["engine"] = self.engine
        return cfg

    def upgrade(self) -> str:
        """Apply every migration; returns the revision the schema is now at."""
        from alembic import command

        before = self.revision()
        with self.guard():
            command.upgrade(self._alembic_config(), "head")
            if before == "0001":  # rows written before signatures: the operator vouches
                self._sign_existing()
            if before in ("0001", "0002"):  # events before the read indexes: index them
                self._index_existing()
        return self.revision() or ""

    def _index_existing(self) -> None:
        """Index every event of a database upgraded from before the read indexes (0003),
        and record its tokens in the ledger, as :func:`charter.ledger.tokens.create_token`
        does for new ones."""
        from sqlalchemy import select

        from charter.ledger.chain import Ledger
        from charter.ledger.projections import index_event, subject_of
        from charter.ledger.rows import EventRow, TokenRow
        from charter.ledger.tokens import record_token

        ledger = Ledger(self.is_sqlite, self)
        with self.writing() as s:
            for e in s.execute(select(EventRow).order_by(EventRow.seq)).scalars():
                payload = json.loads(e.payload)
                e.subject = subject_of(e.kind, payload)
                audience = json.loads(e.audience)
                index_event(
                    s,
                    seq=e.seq,
                    kind=e.kind,
                    actor=e.actor,
                    audience=audience,
                    audience_json=e.audience,
                    payload=payload,
                )
            s.flush()
            for t in s.execute(select(TokenRow).order_by(TokenRow.id)).scalars().all():
                record_token(s, ledger, t, at=dt.datetime.now(dt.UTC))

    def _sign_existing(self) -> None:
        """Sign every row of a database upgraded from before signatures (0001)."""
        from sqlalchemy import select

        from charter.ledger.idempotency import _fields
        from charter.ledger.merkle import Tree, leaf_hash
        from charter.ledger.rows import EventRow, IdempotencyRow, TokenRow
        from charter.ledger.tokens import _fields as token_fields

        signer, tree = self.signer, Tree()
        with self.session() as s, s.begin():
            for e in s.execute(select(EventRow).order_by(EventRow.seq)).scalars():
                tree.append(leaf_hash(e.hash))
                e.root = tree.root().hex()
                e.signature = signer.sign(e.seq, e.root)["signature"]
            for t in s.execute(select(TokenRow)).scalars():
                t.signature = signer.sign_row("tokens", token_fields(t))
            for r in s.execute(select(IdempotencyRow)).scalars():
                r.signature = signer.sign_row("idempotency", _fields(r))

    def head(self) -> str:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self._alembic_config()).get_current_head()
        return str(head)

    def known_revisions(self) -> set[str]:
        from alembic.script import ScriptDirectory

        scripts = ScriptDirectory.from_config(self._alembic_config())
        return {s.revision for s in scripts.walk_revisions()}

    def revision(self) -> str | None:
        """The schema's revision; None when there is none (or no SQLite file yet)."""
        from alembic.runtime.migration import MigrationContext

        if self.file_missing():  # do not create the file just to look at it
            return None
        with self.guard(), self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def is_empty(self) -> bool:
        """True when the database has no tables at all (a new database)."""
        if self.file_missing():
            return True
        with self.guard(), self.engine.connect() as conn:
            return not inspect(conn).get_table_names()

    def create_schema_if_empty(self) -> str | None:
        """On a database without any table, apply every migration and return the revision;
        on any other database do nothing and return None."""
        if not self.is_empty():
            return None
        return self.upgrade()

    def require_current(self) -> None:
        """Raise :class:`SchemaOutOfDate` unless the schema is at the newest migration."""
        current, head = self.revision(), self.head()
        if current == head:
            return
        if current is not None and current not in self.known_revisions():
            raise SchemaOutOfDate(
                f"the database {self.shown_url} is at schema revision {current}, which this "
                f"version of charter does not know (it needs {head}): a newer charter wrote it; "
                "upgrade charter"
            )
        raise SchemaOutOfDate(
            f"the database schema of {self.shown_url} is at {current or 'nothing'}, the code "
            f"needs {head}: run `charter db upgrade` (with the same --db)"
        )

    def ping(self) -> bool:
        # on the read engine: the write engine's BEGIN IMMEDIATE would wait for a writer
        # (a long import held /health for its whole transaction)
        with self.guard(), self.read_engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
