"""Database access: engines for SQLite (embedded) and PostgreSQL (production), sessions, migrations."""

from __future__ import annotations

import contextlib
import fcntl
import logging
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, create_engine

from bot.errors import StoreUnavailable

log = logging.getLogger(__name__)
MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"
# Any stable 64-bit number: PostgreSQL advisory lock serialising concurrent `migrate` runs.
_MIGRATION_LOCK_ID = 7_241_902_311


class Database:
    """One place that opens sessions; stores call `read()` and `write()`, never create engines."""

    def __init__(self, url: str, *, pool_size: int = 10) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = create_engine(
                url, connect_args={"check_same_thread": False, "timeout": 30}, pool_pre_ping=True
            )
            _configure_sqlite(self.engine)
        else:
            self.engine = create_engine(
                url,
                pool_pre_ping=True,  # a restarted server must not hand out dead connections
                pool_size=pool_size,
                max_overflow=pool_size * 2,
                pool_timeout=10,
                connect_args={"connect_timeout": 3},
            )
        # Writers on SQLite take the write lock up front (BEGIN IMMEDIATE): a deferred
        # transaction that upgrades later can fail with "database is locked" mid-way.
        self._write_engine = self.engine.execution_options(sqlite_immediate=True)

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; nothing is committed."""
        try:
            with Session(self.engine, expire_on_commit=False) as session:
                yield session
        except (OperationalError, DBAPIError) as exc:
            if _is_connection_error(exc):
                raise StoreUnavailable("the database is unavailable") from exc
            raise

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work is committed at the end, or rolled back entirely on error."""
        try:
            with Session(self._write_engine, expire_on_commit=False) as session:
                yield session
                session.commit()
        except (OperationalError, DBAPIError) as exc:
            if _is_connection_error(exc):
                raise StoreUnavailable("the database is unavailable") from exc
            raise

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def migrate(self) -> None:
        """Apply Alembic migrations up to head; safe when several processes start at once."""
        from alembic import command
        from alembic.config import Config

        config = Config(str(MIGRATIONS_DIR / "alembic.ini"))
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with self._migration_lock(), self.engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    @contextlib.contextmanager
    def _migration_lock(self) -> Iterator[None]:
        if self.is_sqlite:
            path = self.url.split("///", 1)[-1]
            if not path or path == ":memory:":
                yield
                return
            lock_path = Path(path).with_suffix(".migrate.lock")
            lock_path.parent.mkdir(parents=True, exist_ok=True)
            with open(lock_path, "w") as handle:
                fcntl.flock(handle, fcntl.LOCK_EX)
                try:
                    yield
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
            return
        with self.engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK_ID})
                conn.commit()

    def dispose(self) -> None:
        self.engine.dispose()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        immediate = conn.get_execution_options().get("sqlite_immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _is_connection_error(exc: Exception) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    message = str(getattr(exc, "orig", exc)).lower()
    return any(
        needle in message
        for needle in (
            "connection refused",
            "could not connect",
            "server closed the connection",
            "terminating connection",
            "connection is closed",
            "connection timeout",
            "timeout expired",
            "no connection to the server",
            "the database system is",
            "unable to open database",
        )
    )
