"""Engine, sessions and the declarative base shared by every domain's models.

SQLite (WAL) is the embedded default; PostgreSQL is chosen by URL. Nothing connects until a
``Database`` is built, which only the application factory and the CLI do.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import DateTime, MetaData, Numeric, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from liveport.core.clock import as_utc
from liveport.core.writer_lock import writer_lock

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps go in and come out as aware UTC, on SQLite as on PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        value = as_utc(value)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else as_utc(value)


def MoneyAmount() -> Numeric[Decimal]:  # noqa: N802 - reads as a column type
    return Numeric(18, 2, asdecimal=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Take transaction control away from pysqlite so the "begin" hook decides how to begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, **kwargs
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        # A deferred BEGIN lets two writers both read and then fail to upgrade their lock;
        # BEGIN IMMEDIATE makes writers queue instead. Readers keep the cheap deferred BEGIN.
        @event.listens_for(engine, "begin")
        def _begin(conn: Any) -> None:
            deferred = conn.get_execution_options().get("sqlite_read_only", False)
            conn.exec_driver_sql("BEGIN" if deferred else "BEGIN IMMEDIATE")

        return engine
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 20)
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _sqlite_file_key(url: str, database: str | None) -> str:
    if not database or database == ":memory:" or database.startswith("file:"):
        return url
    return str(Path(database).resolve())


class Database:
    """The engine plus a session factory; a unit of work is one ``transaction()``."""

    def __init__(self, url: str, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = make_engine(url, **engine_kwargs)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(
            self.engine.execution_options(sqlite_read_only=True), expire_on_commit=False
        )
        # SQLite: this process's units of work queue for the file (core/writer_lock.py).
        self._writers = (writer_lock(_sqlite_file_key(url, self.engine.url.database))
                         if self.dialect == "sqlite" else None)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One unit of work: commits once on success, rolls back on any error."""
        with self._writer_turn():
            session = self._sessions()
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
            finally:
                session.close()

    def _writer_turn(self) -> AbstractContextManager[None]:
        return nullcontext() if self._writers is None else self._writers.held()

    @contextmanager
    def reader(self) -> Iterator[Session]:
        """A read-only session: never commits (closing ends its transaction)."""
        session = self._readers()
        try:
            yield session
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()
