"""Bearer tokens on every request (`Authorization: Bearer <token>`), as Home Assistant's."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .operations import ApiError, count_problem
from .runtime import ApiRuntime
from .scopes import allows_request
from .tokens import TokenError, TokenInfo

_bearer = HTTPBearer(auto_error=False, description="A long-lived token: `hearthmind token create`")


class Unauthorized(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def runtime(request: Request) -> ApiRuntime:
    rt: ApiRuntime = request.app.state.runtime
    return rt


def check_token(
    rt: ApiRuntime, token: str | None, where: str, client: str | None = None
) -> TokenInfo:
    """The token's record; a missing or bad token is counted and refused. A `client` (its
    address) with too many bad tokens in the last minute is refused unchecked (429)."""
    if client is not None:
        wait = rt.logins.blocked_for(client)
        if wait > 0:
            count_problem(rt.hub, "api_login_blocked", f"{where}: {client} blocked")
            raise ApiError(
                429,
                "too_many_failed_logins",
                f"too many failed logins from {client}: try again in {wait:.0f} s",
                counted=True,
            )
    if not token:
        count_problem(rt.hub, "api_unauthorized", f"{where}: no access token")
        raise Unauthorized(
            "401: Unauthorized (no bearer token; create one with `hearthmind token create`)"
        )
    try:
        info = rt.tokens.verify(token)
    except TokenError as err:
        count_problem(rt.hub, "api_token_store", str(err))
        raise Unauthorized(f"401: Unauthorized (token store unreadable: {err})") from err
    if info is None:
        count_problem(rt.hub, "api_unauthorized", f"{where}: invalid or revoked access token")
        if client is not None:
            rt.logins.failed(client)
        raise Unauthorized("401: Unauthorized (invalid or revoked token)")
    return info


def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenInfo:
    token = credentials.credentials if credentials is not None else None
    client = request.client.host if request.client is not None else None
    where = f"{request.method} {request.url.path}"
    info = check_token(runtime(request), token, where, client)
    if not allows_request(info.scope, request.method, request.url.path):
        count_problem(runtime(request).hub, "api_forbidden", f"{where}: a {info.scope} token")
        raise ApiError(
            403, "forbidden", f"this token may only {info.scope}: {where} needs more", counted=True
        )
    return info


Authorized = Annotated[TokenInfo, Depends(require_token)]
Runtime = Annotated[ApiRuntime, Depends(runtime)]
