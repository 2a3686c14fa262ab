"""Who may call the flash-sale routes: the rows these routes need in the application's
authorization table (tests/integration/app/test_authorization_table.py), checked the same way."""
from __future__ import annotations

import pytest

from tests.integration.app.routes import route_table

ROLES = ("anonymous", "buyer", "host", "moderator", "merchant", "operator")
EVERYONE = frozenset(ROLES)
HOSTS = frozenset({"host", "operator"})
BUYER = frozenset({"buyer"})

TABLE = {
    ("POST", "/api/v1/drops"): HOSTS,
    ("GET", "/api/v1/drops/{drop_id}"): EVERYONE,
    ("GET", "/api/v1/shows/{show_id}/drops"): EVERYONE,
    ("POST", "/api/v1/drops/{drop_id}/open"): HOSTS,
    ("POST", "/api/v1/drops/{drop_id}/close"): HOSTS,
    ("POST", "/api/v1/drops/{drop_id}/claims"): BUYER,
}


# Who may call a route does not depend on the gate: the in-process one is enough here.
on_memory_gate = pytest.mark.parametrize("flash_client", ["memory"], indirect=True)


@on_memory_gate
def test_the_flash_sale_routes_are_exactly_these(flash_client):
    served = {(method, path) for method, path in route_table(flash_client.app) if "drops" in path}
    assert served == set(TABLE)


@on_memory_gate
@pytest.mark.parametrize("route", sorted(TABLE), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_admits_exactly_its_roles(flash_client, login_as, route):
    method, path = route
    concrete = path.replace("{drop_id}", "999999").replace("{show_id}", "999999")
    outcome = {}
    for role in ROLES:
        headers = {} if role == "anonymous" else (
            login_as("merchant", exhibitor_id=999999) if role == "merchant" else login_as(role))
        kwargs = {"headers": headers, "json": {}} if method == "POST" else {"headers": headers}
        outcome[role] = flash_client.request(method, concrete, **kwargs).status_code
    for role, status in outcome.items():
        if role in TABLE[route]:
            assert status not in (401, 403), (role, outcome)
        else:
            assert status == (401 if role == "anonymous" else 403), (role, outcome)
