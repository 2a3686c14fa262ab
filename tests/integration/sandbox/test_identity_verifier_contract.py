"""The IdentityVerifier port's contract, held by the real HTTP adapter against the sandbox.

Any other verifier (a real provider's adapter) must pass the same checks: a match, the two
kinds of mismatch, and every failure of the service as ``verifier_unavailable``.
"""

from __future__ import annotations

import ast
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

import liveport.sandbox.identity as sandbox_package
from liveport.app import SANDBOX_MOUNTS, _import
from liveport.buyers.adapters.http_verifier import HttpIdentityVerifier
from liveport.buyers.ports import IdentityVerifier, VerificationResult
from liveport.core.errors import UpstreamError
from tests.integration.sandbox.identity_support import (
    RunningSandbox,
    free_port,
    running_identity_sandbox,
)

# Valid numbers (GB 11643 check characters); the first is the standard's own example.
KNOWN = ("张伟", "11010519491231002X")
OTHER = "310104198506173217"
UNKNOWN = "440306199202291238"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with running_identity_sandbox(tmp_path_factory.mktemp("identity-contract")) as running:
        running.register(*KNOWN)
        running.register("Ivan Petrov", OTHER)
        yield running


@pytest.fixture
def verifier(sandbox: RunningSandbox) -> IdentityVerifier:
    return sandbox.verifier(timeout_s=2.0)


def _unavailable(call) -> UpstreamError:
    with pytest.raises(UpstreamError) as caught:
        call()
    assert caught.value.code == "verifier_unavailable"
    assert caught.value.status in (502, 503)
    return caught.value


def test_a_registered_person_matches_with_a_reference(verifier):
    result = verifier.verify(*KNOWN)
    assert isinstance(result, VerificationResult)
    assert (result.matched, result.reason) == (True, None)
    assert result.reference.startswith("idv-") and len(result.reference) <= 64


def test_each_check_has_its_own_reference(verifier):
    assert verifier.verify(*KNOWN).reference != verifier.verify(*KNOWN).reference


def test_latin_names_match_regardless_of_case_and_spacing(verifier):
    assert verifier.verify("IVAN  PETROV", OTHER).matched is True


def test_another_name_is_a_name_mismatch(verifier):
    result = verifier.verify("王芳", KNOWN[1])
    assert (result.matched, result.reason) == (False, "name_mismatch")


def test_an_unknown_number_is_not_registered(verifier):
    result = verifier.verify("赵敏", UNKNOWN)
    assert (result.matched, result.reason) == (False, "not_registered")


def test_the_sandbox_checks_the_check_digit_with_its_own_rules(verifier):
    result = verifier.verify(KNOWN[0], KNOWN[1][:17] + "0")
    assert (result.matched, result.reason) == (False, "invalid_id_number")


def test_registering_a_number_to_another_name_is_refused(sandbox):
    answer = sandbox.post(
        "/v1/persons", '{"name": "李四", "id_number": "11010519491231002X"}'.encode()
    )
    assert answer.status_code == 409
    assert answer.json()["error"]["code"] == "registered_to_another_name"


def test_open_registration_registers_on_first_sight(tmp_path):
    with running_identity_sandbox(tmp_path, open_registration=True) as open_sandbox:
        verifier = open_sandbox.verifier()
        assert verifier.verify("赵敏", UNKNOWN).matched is True
        assert verifier.verify("赵敏", UNKNOWN).matched is True
        assert verifier.verify("钱多", UNKNOWN).reason == "name_mismatch"


@pytest.mark.parametrize("status", [500, 503])
def test_a_failing_service_is_unavailable_503(sandbox, verifier, status):
    sandbox.inject_fault(status)
    error = _unavailable(lambda: verifier.verify(*KNOWN))
    assert (error.status, error.details) == (503, {"reason": "http_status", "status": status})
    assert verifier.verify(*KNOWN).matched is True  # the fault was for one request only


def test_a_slow_service_times_out_as_unavailable(sandbox):
    sandbox.inject_fault(status=200, delay_s=1.5)
    started = time.monotonic()
    error = _unavailable(lambda: sandbox.verifier(timeout_s=0.3).verify(*KNOWN))
    assert error.details == {"reason": "timeout"}
    assert time.monotonic() - started < 1.4


def test_an_unreachable_service_is_unavailable():
    error = _unavailable(
        lambda: HttpIdentityVerifier(f"http://127.0.0.1:{free_port()}", "k", 1.0).verify(*KNOWN)
    )
    assert (error.status, error.details) == (503, {"reason": "unreachable"})


def test_a_wrong_key_is_refused_by_the_sandbox_and_unavailable_to_us(sandbox):
    wrong = HttpIdentityVerifier(sandbox.url, "not-the-key", 2.0)
    error = _unavailable(lambda: wrong.verify(*KNOWN))
    assert (error.status, error.details) == (502, {"reason": "http_status", "status": 401})


def test_the_sandbox_refuses_unsigned_and_stale_requests(sandbox):
    body = '{"name": "张伟", "id_number": "11010519491231002X"}'.encode()
    stale = sandbox.post("/v1/verify", body, stamp=str(int(time.time()) - 3600))
    unsigned = httpx.post(f"{sandbox.url}/v1/verify", content=body)
    forged = sandbox.post("/v1/verify", body, key="guessed-key")
    assert (stale.status_code, stale.json()["error"]["code"]) == (401, "stale_request")
    assert (unsigned.status_code, unsigned.json()["error"]["code"]) == (401, "stale_request")
    assert (forged.status_code, forged.json()["error"]["code"]) == (401, "bad_signature")


def sandbox_app(data_dir: Path):
    return _import(SANDBOX_MOUNTS["/sandbox/identity"])(data_dir=data_dir / "mounted")


def test_the_sandbox_is_mounted_and_answers_health(tmp_path):
    assert TestClient(sandbox_app(tmp_path)).get("/healthz").json() == {"status": "ok"}


def test_the_sandbox_without_a_key_refuses_to_verify(tmp_path, monkeypatch):
    monkeypatch.delenv("LIVEPORT_IDENTITY_VERIFIER_KEY", raising=False)
    answer = TestClient(sandbox_app(tmp_path)).post("/v1/verify", content=b"{}")
    assert (answer.status_code, answer.json()["error"]["code"]) == (503, "not_configured")


def test_the_sandbox_reads_the_key_from_the_embedded_secrets_file(tmp_path, monkeypatch):
    monkeypatch.delenv("LIVEPORT_IDENTITY_VERIFIER_KEY", raising=False)
    (tmp_path / "secrets.json").write_text('{"identity_verifier_key": "shared-demo-key"}')
    app = _import(SANDBOX_MOUNTS["/sandbox/identity"])(data_dir=tmp_path / "sandbox")
    assert app.state.sandbox.key == "shared-demo-key"


def test_the_sandbox_imports_nothing_of_liveport_but_its_own_package():
    package = Path(sandbox_package.__file__).parent
    foreign = []
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else []
            )
            foreign += [
                f"{source.name}: {n}"
                for n in names
                if n.startswith("liveport")
                and not n.startswith(("liveport.sandbox.identity", "liveport.protocols"))
            ]
    assert foreign == []
