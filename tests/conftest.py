"""Shared fixtures: real PostgreSQL and Redis, a fresh schema per test session.

Locally a test whose service is missing skips with the reason; with CI=true it fails.
"""
from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import text

from liveport.core.db import Database
from liveport.core.migrations import upgrade
from liveport.core.settings import Settings

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from liveport.context import AppContext
from liveport.schema import metadata

IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("LIVEPORT_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("LIVEPORT_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
SHARED = Path(__file__).resolve().parents[2] / "shared"


def missing(reason: str) -> None:
    """Skip locally; in CI a missing service is a failure, never a silent skip."""
    if IN_CI:
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if IN_CI and reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = 1
        reporter.write_line("CI=true: skipped tests count as failures", red=True)


def _test_settings(tmp: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = dict(
        env="test",
        data_dir=tmp,
        database_url=database_url,
        session_secret=secrets.token_urlsafe(32),
        identity_key="ZmFrZS1rZXktZm9yLXRlc3RzLW9ubHktMzJieXRlcyE=",
        identity_hash_key=secrets.token_urlsafe(32),
        outbox_dispatcher=False,
        token_cache_seconds=0,
    )
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def pg_schema_url() -> Iterator[str]:
    if not port_open("127.0.0.1", 5432):
        missing("PostgreSQL is not answering on 127.0.0.1:5432")
    schema = f"lp_test_{os.getpid()}_{secrets.token_hex(3)}"
    admin = Database(PG_URL)
    with admin.transaction() as s:
        s.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    try:
        yield url
    finally:
        with admin.transaction() as s:
            s.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


_prepared: dict[str, Database] = {}


def _prepared_database(kind: str, url: str) -> Database:
    if kind not in _prepared:
        upgrade(url)  # the schema under test is the one the migrations build
        db = Database(url)
        _prepared[kind] = db
    return _prepared[kind]


def _empty_tables(db: Database) -> None:
    tables = list(reversed(metadata().sorted_tables))
    with db.transaction() as s:
        if db.dialect == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            s.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                s.execute(table.delete())
            if s.execute(text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")).first():
                s.execute(text("DELETE FROM sqlite_sequence"))


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'liveport.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def database(db_kind: str, request: pytest.FixtureRequest) -> Database:
    """A real database, empty at the start of each test: SQLite and PostgreSQL in turn."""
    url = request.getfixturevalue("sqlite_url" if db_kind == "sqlite" else "pg_schema_url")
    db = _prepared_database(db_kind, url)
    _empty_tables(db)
    return db


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return _test_settings(tmp_path, database.url)


@pytest.fixture
def redis_url() -> str:
    if not port_open("127.0.0.1", 6379):
        missing("Redis is not answering on 127.0.0.1:6379")
    return REDIS_URL


@pytest.fixture
def shared_dir() -> Path:
    if not (SHARED / "standards").is_dir():
        missing(f"../shared is not beside the checkout (looked in {SHARED})")
    return SHARED


@pytest.fixture
def app_context(settings: Settings) -> Iterator["AppContext"]:
    from liveport.context import build_context

    ctx = build_context(settings)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def client(settings: Settings, app_context: "AppContext") -> Iterator["TestClient"]:
    from fastapi.testclient import TestClient

    from liveport.app import create_app

    with TestClient(create_app(settings, context=app_context)) as test_client:
        yield test_client


@pytest.fixture
def login_as(app_context: "AppContext") -> Callable[..., dict[str, str]]:
    """Create an account of a role and return its bearer headers."""
    from liveport.accounts.domain import Role
    from liveport.accounts.services import create_user, issue_token

    counter = iter(range(1, 10_000))

    def make(role: str, exhibitor_id: int | None = None, **fields: object) -> dict[str, str]:
        n = next(counter)
        user = create_user(
            app_context.db,
            email=f"{role}{n}@example.test",
            password=None,
            role=Role(role),
            display_name=f"{role} {n}",
            exhibitor_id=exhibitor_id,
        )
        with app_context.db.transaction() as session:
            token = issue_token(session, user.id, "api", None,
                                secret=app_context.settings.secret("session_secret"))
        return {"Authorization": f"Bearer {token}", "X-User-Id": str(user.id)}

    return make
