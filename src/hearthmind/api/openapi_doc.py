"""The OpenAPI document, made to say what the API really answers (issue 20): FastAPI
documents every answer of our `JsonResponse` as a string and validation errors as 422, while
the API answers JSON values, and every refusal as `{"message": ...}` with 400 (bad input,
validation included), 401 (no or bad token), 403 (not in the token's scope), 404, 413 (body too large), 429 (too many failed
logins) or 503 (no recorder). A generated client trusts this document, so it must be right."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute

MESSAGE = {
    "type": "object",
    "properties": {"message": {"type": "string"}},
    "required": ["message"],
}
# every refusal an /api operation can give, with why
REFUSALS = {
    "400": "Bad input (the message says which)",
    "401": "No token, or a bad one",
    "403": "The token's scope (read, voice) does not allow this, or it speaks for someone else",
    "404": "No such entity, service, routine or page",
    "413": "The body is too large",
    "429": "Too many failed logins from this address: refused for a while",
    "503": "What it needs is not running (the recorder, the agent)",
}

# answers other than 200 that an operation gives when all is well
CREATED = {("/api/states/{entity_id}", "post"): "The entity's state, newly created"}


def truthful_openapi(
    app: FastAPI, routers: Sequence[APIRouter] = ()
) -> Callable[[], dict[str, Any]]:
    """`app.openapi`, generated once, then corrected."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            correct(spec)
            document_bodies(spec, [r for router in routers for r in router.routes])
            app.openapi_schema = spec
        return app.openapi_schema

    return openapi


def correct(spec: dict[str, Any]) -> None:
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas["Message"] = MESSAGE
    message_ref = {"$ref": "#/components/schemas/Message"}
    for path, operations in spec.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            ok = responses.get("200", {}).get("content", {}).get("application/json")
            if ok is not None and ok.get("schema") == {"type": "string"}:
                ok["schema"] = {}  # any JSON value: an object, a list, a number
            created = CREATED.get((path, method))
            if created is not None and ok is not None:
                responses["201"] = {"description": created, "content": {"application/json": ok}}
            responses.pop("422", None)  # validation errors are answered 400
            if not path.startswith("/api"):
                continue
            for status, why in REFUSALS.items():
                responses.setdefault(
                    status,
                    {"description": why, "content": {"application/json": {"schema": message_ref}}},
                )
    # nothing refers to FastAPI's validation-error schemas any more
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)


# a body the handler reads itself (rest._json_body, or the raw stream) rather than through a
# FastAPI parameter, so FastAPI does not know of it: optional, as each handler treats it
JSON_BODY = {"required": False, "content": {"application/json": {"schema": {}}}}
RAW_BODY = {
    "required": False,
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}


def document_bodies(spec: dict[str, Any], routes: Sequence[BaseRoute]) -> None:
    """Document the request body of each operation whose handler reads one (seen in the names
    its code uses), unless the route documents it already (`openapi_extra`): a client
    generated from the document then sends it, and schemathesis tries it."""
    paths = spec.get("paths", {})
    for route in routes:
        code = getattr(getattr(route, "endpoint", None), "__code__", None)
        if not isinstance(route, APIRoute) or route.path not in paths or code is None:
            continue
        names = set(code.co_names)
        body = JSON_BODY if "_json_body" in names else RAW_BODY if "stream" in names else None
        if body is None:
            continue
        for method in route.methods or ():
            operation = paths[route.path].get(method.lower())
            if operation is not None and "requestBody" not in operation:
                operation["requestBody"] = body
