"""The smallest apps that still show each framework's per-request cost.

Every route answers the same 15-byte JSON body, so the figures compare the framework and
server layers only. Building them imports nothing of Liveport and connects to nothing.
"""
from __future__ import annotations

from fastapi import FastAPI
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = b'{"status":"ok"}'
PATH = "/status"


async def bare_status(_request: Request) -> Response:
    return Response(BODY, media_type="application/json")


# A plain Starlette application with one route: the floor for an ASGI Python route.
starlette_app = Starlette(routes=[Route(PATH, bare_status, methods=["GET"])])

# A FastAPI route as the broad API writes them: return a model-checked dict, FastAPI
# validates and serialises it.
fastapi_app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@fastapi_app.get(PATH)
async def fastapi_status() -> dict[str, str]:
    return {"status": "ok"}


# The same FastAPI route as a sync def: how SQL routes run (in the threadpool, ADR 0003).
fastapi_sync_app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@fastapi_sync_app.get(PATH)
def fastapi_sync_status() -> dict[str, str]:
    return {"status": "ok"}


# Liveport's hot-path pattern: a plain Starlette route added to the FastAPI application
# (like /healthz in liveport/app.py), so it skips FastAPI's dependency and validation layer.
mixed_app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)
mixed_app.add_route(PATH, bare_status, methods=["GET"], include_in_schema=False)
