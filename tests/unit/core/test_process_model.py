from __future__ import annotations

import pytest

from liveport.context import check_process_model
from liveport.core.errors import ConfigurationError
from liveport.core.settings import Settings


def test_more_than_one_worker_without_redis_is_refused(tmp_path):
    settings = Settings(data_dir=tmp_path, workers=2, database_url="postgresql://x@127.0.0.1/test")
    with pytest.raises(ConfigurationError) as refused:
        check_process_model(settings)
    assert refused.value.code == "redis_required"


def test_more_than_one_worker_on_sqlite_is_refused(tmp_path):
    settings = Settings(data_dir=tmp_path, workers=2, redis_url="redis://127.0.0.1:6379/11")
    with pytest.raises(ConfigurationError) as refused:
        check_process_model(settings)
    assert refused.value.code == "postgresql_required"


def test_one_worker_needs_neither(tmp_path):
    check_process_model(Settings(data_dir=tmp_path, workers=1))


def test_postgres_url_gets_the_psycopg_driver(tmp_path):
    settings = Settings(data_dir=tmp_path, database_url="postgresql://u@127.0.0.1:5432/test")
    assert settings.resolved_database_url == "postgresql+psycopg://u@127.0.0.1:5432/test"
