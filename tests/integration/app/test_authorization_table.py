"""Role × route → allowed or denied, written by hand; a route missing from the table fails.

"allowed" means the guard let the caller through (any status but 401/403; the empty body or
unknown id then gives 404/422). "denied" means 401 for an anonymous caller, 403 otherwise.
Object-level rules (a merchant's own products, a show's own hosts) are tested in each domain.
"""
from __future__ import annotations

import re

import pytest

from tests.integration.app.routes import route_table

ROLES = ("anonymous", "buyer", "host", "moderator", "merchant", "operator")
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
OPERATOR = frozenset({"operator"})
BUYER = frozenset({"buyer"})
STAFF = frozenset({"host", "moderator", "operator"})
HOSTS = frozenset({"host", "operator"})
MERCHANTS = frozenset({"merchant", "operator"})
MODERATORS = frozenset({"moderator", "operator"})

# Who may call each route. Keep it in the order of the API documentation.
TABLE: dict[tuple[str, str], frozenset[str]] = {
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/openapi.json"): EVERYONE,
    ("GET", "/docs"): EVERYONE,
    ("GET", "/docs/oauth2-redirect"): EVERYONE,
    ("GET", "/redoc"): EVERYONE,
    # accounts
    ("POST", "/api/v1/auth/register"): EVERYONE,
    ("POST", "/api/v1/auth/login"): EVERYONE,
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("POST", "/api/v1/users"): OPERATOR,
    ("POST", "/api/v1/users/provision"): OPERATOR,
    ("GET", "/api/v1/audit"): OPERATOR,
    # web pages (deliberately public; they show only public data or the caller's own)
    ("GET", "/"): EVERYONE,
    ("GET", "/signin"): EVERYONE,
    ("POST", "/signin"): EVERYONE,
    ("GET", "/shows/{show_id}"): EVERYONE,
    ("POST", "/signout"): EVERYONE,
    ("GET", "/static/vendor/{package}/{file:path}"): EVERYONE,
    # buyers: real-name identity and personal data
    ("POST", "/api/v1/me/identity"): BUYER,
    ("GET", "/api/v1/me/identity"): BUYER,
    ("GET", "/api/v1/me/consents"): SIGNED_IN,
    ("GET", "/api/v1/me/export"): SIGNED_IN,
    ("POST", "/api/v1/me/erase"): SIGNED_IN,
    ("GET", "/api/v1/me/consignees"): BUYER,
    ("POST", "/api/v1/me/consignees"): BUYER,
    ("DELETE", "/api/v1/me/consignees/{consignee_id}"): BUYER,
    # checkout and orders (a buyer sees only their own orders: tested in tests/integration/orders)
    ("POST", "/api/v1/checkout/quote"): EVERYONE,
    ("POST", "/api/v1/orders"): BUYER,
    ("GET", "/api/v1/orders"): BUYER,
    ("GET", "/api/v1/orders/{order_no}"): BUYER | OPERATOR,
    ("GET", "/orders"): EVERYONE,
    # a buyer's order and pay pages (liveport.web.order_pages): the page decides by the principal
    ("GET", "/orders/{order_no}"): EVERYONE,
    ("GET", "/orders/{order_no}/pay"): EVERYONE,
    # payments (the notification is the provider's: its SM2 signature is the proof)
    ("POST", "/api/v1/orders/{order_no}/payments"): BUYER,
    ("GET", "/api/v1/orders/{order_no}/payments"): BUYER | OPERATOR,
    ("POST", "/api/v1/payments/notify/{provider}"): EVERYONE,
    ("POST", "/api/v1/orders/{order_no}/refunds"): OPERATOR,
    # customs (the receipts route is the single window's: the secret in its path is the proof)
    ("POST", "/api/v1/customs/receipts/{token}"): EVERYONE,
    ("POST", "/api/v1/orders/{order_no}/cancel"): BUYER | OPERATOR,
    ("GET", "/api/v1/customs/declarations"): OPERATOR,
    ("POST", "/api/v1/customs/declarations/{declaration_id}/retry"): OPERATOR,
    # fulfilment (liveport.fulfilment.api; a merchant's own exhibitor's orders only: tested in
    # tests/integration/fulfilment)
    ("GET", "/api/v1/warehouses/{warehouse_id}/pick-list"): MERCHANTS,
    ("POST", "/api/v1/orders/{order_no}/pack"): MERCHANTS,
    # customs returns (liveport.customs.returns_api)
    ("POST", "/api/v1/orders/{order_no}/return"): BUYER,
    ("POST", "/api/v1/orders/{order_no}/return/received"): MERCHANTS,
    # catalog
    ("GET", "/api/v1/pavilions"): EVERYONE,
    ("POST", "/api/v1/pavilions"): OPERATOR,
    ("GET", "/api/v1/exhibitors"): EVERYONE,
    ("POST", "/api/v1/exhibitors"): OPERATOR,
    ("GET", "/api/v1/warehouses"): MERCHANTS,
    ("POST", "/api/v1/warehouses"): OPERATOR,
    ("GET", "/api/v1/fx-rates"): EVERYONE,
    ("PUT", "/api/v1/fx-rates/{currency}"): OPERATOR,
    ("GET", "/api/v1/products"): EVERYONE,
    ("POST", "/api/v1/products"): MERCHANTS,
    ("GET", "/api/v1/products/{product_id}"): EVERYONE,
    ("PUT", "/api/v1/products/{product_id}"): MERCHANTS,
    ("GET", "/api/v1/products/{product_id}/stock"): MERCHANTS,
    ("PUT", "/api/v1/products/{product_id}/stock/{warehouse_id}"): MERCHANTS,
    # shows
    ("GET", "/api/v1/shows"): EVERYONE,
    ("POST", "/api/v1/shows"): OPERATOR,
    ("GET", "/api/v1/shows/{show_id}"): EVERYONE,
    ("POST", "/api/v1/shows/{show_id}/start"): HOSTS,
    ("POST", "/api/v1/shows/{show_id}/end"): HOSTS,
    ("POST", "/api/v1/shows/{show_id}/hosts"): HOSTS,
    ("PUT", "/api/v1/shows/{show_id}/lineup"): HOSTS,
    # flash sales
    ("POST", "/api/v1/drops"): HOSTS,
    ("GET", "/api/v1/drops/{drop_id}"): EVERYONE,
    ("GET", "/api/v1/shows/{show_id}/drops"): EVERYONE,
    ("POST", "/api/v1/drops/{drop_id}/open"): HOSTS,
    ("POST", "/api/v1/drops/{drop_id}/close"): HOSTS,
    ("POST", "/api/v1/drops/{drop_id}/claims"): BUYER,
    # live room (the WebSocket /ws/shows/{show_id} admits anyone to watch; chat and likes need
    # a signed-in buyer — tested in tests/integration/realtime)
    ("GET", "/ws/shows/{show_id}"): EVERYONE,
    ("GET", "/shows/{show_id}/room"): EVERYONE,
    ("GET", "/api/v1/shows/{show_id}/room"): EVERYONE,
    ("GET", "/api/v1/shows/{show_id}/pins"): EVERYONE,
    ("PUT", "/api/v1/shows/{show_id}/pin"): HOSTS,
    ("DELETE", "/api/v1/shows/{show_id}/pin"): HOSTS,
    ("POST", "/api/v1/shows/{show_id}/announcements"): HOSTS,
    ("POST", "/api/v1/shows/{show_id}/sanctions"): STAFF,
    ("GET", "/api/v1/shows/{show_id}/sanctions"): STAFF,
    ("DELETE", "/api/v1/shows/{show_id}/sanctions/{sanction_id}"): STAFF,
    ("DELETE", "/api/v1/shows/{show_id}/chat/{message_id}"): STAFF,
    ("GET", "/api/v1/shows/{show_id}/blocked-words"): STAFF,
    ("POST", "/api/v1/shows/{show_id}/blocked-words"): STAFF,
    ("DELETE", "/api/v1/shows/{show_id}/blocked-words/{word_id}"): STAFF,
    ("GET", "/api/v1/blocked-words"): MODERATORS,
    ("POST", "/api/v1/blocked-words"): MODERATORS,
    ("DELETE", "/api/v1/blocked-words/{word_id}"): MODERATORS,
    # media (liveport.media): stream settings and keys for the show's hosts; status, replays
    # and HLS files public (public id only); the media server's callbacks carry a shared
    # secret that no person has, so every role is refused (object-level: tests/integration/media)
    ("GET", "/api/v1/shows/{show_id}/stream"): HOSTS,
    ("POST", "/api/v1/shows/{show_id}/stream/key"): HOSTS,
    ("GET", "/api/v1/shows/{show_id}/stream/status"): EVERYONE,
    ("GET", "/api/v1/shows/{show_id}/replay"): EVERYONE,
    ("GET", "/media/hls/{public_id}/{name}"): EVERYONE,
    ("POST", "/media/hooks/publish"): frozenset(),
    ("POST", "/media/hooks/publish_done"): frozenset(),
    ("POST", "/media/hooks/relay"): frozenset(),
    ("POST", "/media/hooks/relay_done"): frozenset(),
    ("GET", "/shows/{show_id}/host"): HOSTS,
    # webhooks (liveport.webhooks): the exhibitor's own merchants and the operator; another
    # exhibitor's merchant is refused (object-level: tests/integration/webhooks)
    ("POST", "/api/v1/exhibitors/{exhibitor_id}/webhooks"): MERCHANTS,
    ("GET", "/api/v1/exhibitors/{exhibitor_id}/webhooks"): MERCHANTS,
    ("GET", "/api/v1/exhibitors/{exhibitor_id}/webhooks/deliveries"): MERCHANTS,
    ("POST", "/api/v1/exhibitors/{exhibitor_id}/webhooks/deliveries/{delivery_id}/retry"): MERCHANTS,
    ("DELETE", "/api/v1/exhibitors/{exhibitor_id}/webhooks/{endpoint_id}"): MERCHANTS,
    ("POST", "/api/v1/exhibitors/{exhibitor_id}/webhooks/{endpoint_id}/rotate-secret"): MERCHANTS,
    # outbox
    ("GET", "/api/v1/outbox/dead-letters"): OPERATOR,
    ("POST", "/api/v1/outbox/dead-letters/{delivery_id}/retry"): OPERATOR,
    ("GET", "/api/v1/outbox/stats"): OPERATOR,
    # metrics (liveport.metrics): a Prometheus scrape with an operator's API token
    ("GET", "/metrics"): OPERATOR,
    # analytics (liveport.analytics): a merchant gets its own exhibitor's figures only, asking
    # for another's is refused (object-level: tests/integration/analytics)
    ("GET", "/api/v1/analytics/figures"): MERCHANTS,
    # the merchant desk and operator dashboard pages (liveport.web.desk_pages): 401/403 pages;
    # another exhibitor's order or product is a 404 page (tests/e2e/web/test_desk_in_chromium.py)
    ("GET", "/desk"): frozenset({"merchant"}),
    ("GET", "/desk/orders/{order_no}"): frozenset({"merchant"}),
    ("GET", "/desk/products/{product_id}"): frozenset({"merchant"}),
    ("GET", "/operator"): OPERATOR,
}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "999999", path)


def _headers(login_as, role: str) -> dict[str, str]:
    if role == "anonymous":
        return {}
    if role == "merchant":
        return login_as("merchant", exhibitor_id=999999)
    return login_as(role)


def test_every_route_is_in_the_table(client):
    served = {r for r in route_table(client.app) if r[0] != "MOUNT"}
    assert sorted(served - TABLE.keys()) == []
    assert sorted(TABLE.keys() - served) == []


@pytest.mark.parametrize("route", sorted(TABLE), ids=lambda r: f"{r[0]} {r[1]}")
def test_route_admits_exactly_its_roles(client, login_as, route):
    method, path = route
    outcome = {}
    for role in ROLES:
        kwargs = {"headers": _headers(login_as, role)}
        if method in {"POST", "PUT", "PATCH"}:
            kwargs["json"] = {}
        status = client.request(method, _concrete(path), **kwargs).status_code
        outcome[role] = status
    allowed = TABLE[route]
    for role, status in outcome.items():
        if role in allowed:
            assert status not in (401, 403), (role, outcome)
        else:
            assert status == (401 if role == "anonymous" else 403), (role, outcome)
