"""The ASGI application: Home Assistant's REST routes, its WebSocket, our own endpoints, the
OpenAPI schema (/openapi.json) and the dashboard at `/` (api/frontend.py)."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, WebSocket
from fastapi.exceptions import RequestValidationError

from hearthmind import __version__

from . import agent, conversation, frontend, learning, rest, spaces, voice
from .auth import Unauthorized
from .openapi_doc import truthful_openapi
from .operations import ApiError, count_problem
from .runtime import ApiRuntime
from .websocket import WebSocketSession

_LOGGER = logging.getLogger(__name__)


def build_app(rt: ApiRuntime) -> FastAPI:
    app = FastAPI(
        title="Hearthmind API",
        version=__version__,
        description=(
            "Home Assistant's REST and WebSocket API shapes (so HA clients work unchanged), "
            "plus /api/hearthmind/* for health and event origins. Every /api route needs "
            "`Authorization: Bearer <token>` (create one with `hearthmind token create`)."
        ),
        docs_url=None,  # Swagger UI loads its assets from a CDN: the hub stays offline
        redoc_url=None,
    )
    app.state.runtime = rt
    routers = [rest.router, voice.router, conversation.router, agent.router, spaces.router]
    routers.append(learning.router)
    for router in routers:
        app.include_router(router)
    app.openapi = truthful_openapi(app, routers)  # type: ignore[method-assign]

    @app.exception_handler(Unauthorized)
    async def unauthorized(_: Request, exc: Unauthorized) -> rest.JsonResponse:
        return rest.JsonResponse(
            {"message": exc.message}, status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> rest.JsonResponse:
        if not exc.counted and exc.status < 500 and exc.status != 404:
            count_problem(rt.hub, "api_bad_request", f"{request.url.path}: {exc.message}")
        return rest.message(exc.message, exc.status)

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> rest.JsonResponse:
        # a bug of ours: answer clearly, count it, keep serving
        _LOGGER.error("API %s %s failed", request.method, request.url.path, exc_info=exc)
        count_problem(rt.hub, "api_errors", f"{request.url.path}: {exc!r}")
        return rest.message(f"internal error: {exc!r}", 500)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> rest.JsonResponse:
        reason = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        count_problem(rt.hub, "api_bad_request", f"{request.url.path}: {reason}")
        return rest.message(reason, 400)

    @app.websocket("/api/websocket")
    async def websocket(ws: WebSocket) -> None:
        await WebSocketSession(rt, ws).run()

    # the dashboard's files hold no data: the app asks for a token and reads the APIs with it
    frontend.mount(app)

    return app
