"""Buyers tests talk to the identity sandbox over real HTTP (uvicorn on a loopback port)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from liveport.buyers.domain import synthetic_id_number
from liveport.core.settings import Settings
from tests.integration.sandbox.identity_support import (
    Person,
    RunningSandbox,
    running_identity_sandbox,
)


@pytest.fixture(scope="session")
def identity_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with running_identity_sandbox(tmp_path_factory.mktemp("identity-sandbox")) as sandbox:
        yield sandbox


@pytest.fixture
def settings(settings: Settings, identity_sandbox: RunningSandbox) -> Settings:
    return settings.model_copy(
        update={
            "identity_verifier_url": identity_sandbox.url,
            "identity_verifier_key": SecretStr(identity_sandbox.key),
        }
    )


@pytest.fixture
def registered(identity_sandbox: RunningSandbox):
    """Register a person known to the sandbox; ``n`` picks a distinct valid ID number.

    The sandbox lives for the whole session and both databases run each test, so the same
    ``n`` always means the same person (registering again is harmless).
    """

    def make(n: int, full_name: str = "张伟", phone: str = "13800138000") -> Person:
        # 1980s birth dates, far from the provisioning range of synthetic numbers.
        person = Person(full_name, synthetic_id_number(30_000_000 + n * 1000 + 7), phone)
        identity_sandbox.register(person.full_name, person.id_number)
        return person

    return make
