"""The Alembic migrations build exactly the schema the models describe, on both databases."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from liveport.schema import metadata


def test_migrated_schema_matches_the_models(database):
    # given the test database, which conftest builds with `alembic upgrade head`
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        # when alembic compares it with the models
        differences = compare_metadata(context, metadata())
    # then there is nothing left to migrate
    assert differences == []


def test_every_model_table_exists_after_upgrade(database):
    tables = set(inspect(database.engine).get_table_names())
    assert set(metadata().tables) <= tables
    assert "alembic_version" in tables
