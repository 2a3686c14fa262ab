"""The server process's instruments. Module-level, as Prometheus clients have them: the claim
route and the request timing middleware record into them without a lookup, and a scrape
reads them. Each server process (granian worker) counts its own requests."""
from __future__ import annotations

from liveport.metrics.domain import Counter, Histogram

CLAIMS = Counter("liveport_claims_total", "Flash-sale claims answered by the gate, by outcome.", ("outcome",))
REQUESTS = Counter("liveport_http_requests_total", "HTTP requests by method, route template and status.",
                   ("method", "route", "status"))
LATENCY = Histogram("liveport_http_request_duration_seconds",
                    "Time to answer an HTTP request, by method and route template.", ("method", "route"))
WEBSOCKETS_OPENED = Counter("liveport_websocket_connections_opened_total",
                            "WebSocket connections accepted, by route template.", ("route",))


def process_instruments() -> list[Counter | Histogram]:
    return [CLAIMS, REQUESTS, LATENCY, WEBSOCKETS_OPENED]
