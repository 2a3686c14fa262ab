"""Webhook tests run the real sending loop, with retries a few milliseconds apart."""
from __future__ import annotations

from pathlib import Path

import pytest

from liveport.core.db import Database
from liveport.core.settings import Settings
from tests.conftest import _test_settings


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    return _test_settings(tmp_path, database.url, webhooks_interval_s=0.05, webhooks_retry_base_s=0.02,
                          webhooks_retry_max_s=0.1, webhooks_max_attempts=4, webhooks_timeout_s=2.0)
