"""Schema-driven fuzzing: whatever a caller sends, with or without a role's token, no 5xx.

Every operation of /openapi.json goes through schemathesis (positive and negative
generation) against the real app on SQLite, once per role's token and anonymously.
"""
from __future__ import annotations

import importlib
import pkgutil
import sys

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import FlakyFailure, Unsatisfiable
from schemathesis import GenerationMode

ROLES = ("anonymous", "buyer", "host", "moderator", "merchant", "operator")


def _import_schemathesis_whole() -> None:
    """schemathesis imports most of itself lazily, under pytest's assertion rewriting, whose
    compile() hit CPython 3.11.7's "AST constructor recursion depth mismatch" mid-test after
    other tests ran; importing every module now, at collection, keeps compiling out of the test."""
    for package in ("schemathesis.specs.openapi", "schemathesis.generation", "schemathesis.transport",
                    "schemathesis.openapi", "schemathesis.python", "schemathesis.core", "schemathesis.engine"):
        root = importlib.import_module(package)
        for module in pkgutil.walk_packages(root.__path__, f"{package}."):
            try:
                importlib.import_module(module.name)
            except ImportError:  # an optional integration (django, flask…) that is not installed
                pass


_import_schemathesis_whole()
EXAMPLES_PER_MODE = 15


@pytest.fixture
def db_kind() -> str:
    """Fuzzed once, on SQLite: guards and validation do not depend on the database."""
    return "sqlite"


@pytest.fixture
def fuzz_tokens(login_as) -> dict[str, dict[str, str]]:
    tokens: dict[str, dict[str, str]] = {"anonymous": {}}
    for role in ROLES[1:]:
        tokens[role] = login_as(role, exhibitor_id=1) if role == "merchant" else login_as(role)
    return tokens


def _fuzz_operation(operation, mode: GenerationMode, tokens: dict[str, dict[str, str]]) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES_PER_MODE, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:
        for role in ROLES:
            headers = {**(case.headers or {}), **tokens[role]}
            response = case.call(headers=headers)
            where = (role, case.method, case.formatted_path, response.text[:300])
            assert response.status_code < 500, where
            content_type = (response.headers.get("content-type") or [""])[0]
            if response.status_code >= 400 and content_type.startswith("application/json"):
                assert set(response.json()["error"]) == {"code", "message", "details"}, where

    try:
        run()
    except FlakyFailure as exc:
        # CPython 3.11.7 sometimes raises "SystemError: AST constructor recursion depth
        # mismatch" when Hypothesis parses a lambda's source deep in schemathesis' recursive
        # strategies; the replay then passes. An interpreter fault, not the app's: run again.
        if not _interpreter_ast_fault(exc):
            raise
        run()


def _interpreter_ast_fault(exc: BaseException) -> bool:
    seen: list[BaseException] = [exc]
    visited: set[int] = set()
    while seen:
        current = seen.pop()
        if id(current) in visited:
            continue
        visited.add(id(current))
        if isinstance(current, SystemError) and "AST constructor recursion depth" in str(current):
            return True
        seen.extend(getattr(current, "exceptions", ()))
        for linked in (current.__cause__, current.__context__):
            if linked is not None:
                seen.append(linked)
    return False


@pytest.fixture(autouse=True)
def _deep_enough_stack():
    """The recursion limit the AST fault above needs to trip is far from reach with this."""
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(max(before, 20_000))
    yield
    sys.setrecursionlimit(before)


def test_no_server_error_for_any_input(client, fuzz_tokens):
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 7
    for operation in operations:
        _fuzz_operation(operation, GenerationMode.POSITIVE, fuzz_tokens)
        try:
            _fuzz_operation(operation, GenerationMode.NEGATIVE, fuzz_tokens)
        except Unsatisfiable:
            pass  # nothing in this operation can be made invalid (no parameters, no body)
