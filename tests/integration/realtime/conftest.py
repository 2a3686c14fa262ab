"""Room fixtures: the cast of tests/integration/realtime/room_support.py."""
from __future__ import annotations

import pytest

from liveport.context import AppContext
from tests.integration.realtime.room_support import Cast, cast_of


@pytest.fixture
def cast(app_context: AppContext) -> Cast:
    return cast_of(app_context)
