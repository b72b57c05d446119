"""Database connections: SQLite (embedded default, WAL with full sync) or PostgreSQL, and
the schema's migration state (Alembic)."""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from charter.errors import CharterError

__all__ = ["Database", "SchemaOutOfDate", "default_url"]

MIGRATIONS = Path(__file__).parent / "migrations"


class SchemaOutOfDate(CharterError):
    """The database schema is behind the code: run ``charter db upgrade``."""


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


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        kwargs: dict[str, Any] = {"future": True}
        if self.is_sqlite:
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        else:
            kwargs["pool_pre_ping"] = True
            kwargs["pool_size"] = 10
        self.engine: Engine = create_engine(url, **kwargs)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
            # every transaction takes the write lock at once: appenders never interleave
            event.listen(self.engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # reads never take the write lock (SQLite WAL readers run beside the writer)
        self.read_engine: Engine = self.engine
        if self.is_sqlite:
            self.read_engine = create_engine(url, **kwargs)
            event.listen(self.read_engine, "connect", _sqlite_pragmas)
        self.read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        # SQLite has one writer at a time: queue this process's writers on a lock rather than
        # in SQLite's busy handler, whose growing sleeps make the tail latency long
        self.write_lock: threading.Lock | contextlib.nullcontext[None] = (
            threading.Lock() if self.is_sqlite else contextlib.nullcontext()
        )

    def session(self) -> Session:
        """A session for writes (on SQLite every transaction holds the write lock)."""
        return self.sessions()

    def reader(self) -> Session:
        """A session for reads only."""
        return self.read_sessions()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()

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

        command.upgrade(self._alembic_config(), "head")
        return self.revision() or ""

    def head(self) -> str:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(self._alembic_config()).get_current_head()
        return str(head)

    def revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def require_current(self) -> None:
        """Raise :class:`SchemaOutOfDate` unless the schema is at the newest migration."""
        current, head = self.revision(), self.head()
        if current != head:
            raise SchemaOutOfDate(
                f"the database schema is at {current or 'nothing'}, the code needs {head}: "
                f"run `charter db upgrade` (with the same --db)"
            )

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
