"""Alembic environment: the URL comes from settings (or the caller), the tables from liveport.schema."""
from __future__ import annotations

from alembic import context

from liveport.core.db import make_engine
from liveport.core.settings import get_settings
from liveport.schema import metadata

config = context.config
url = config.attributes.get("url") or get_settings().resolved_database_url
target_metadata = metadata()


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
