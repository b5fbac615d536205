"""Bearer tokens on every request (`Authorization: Bearer <token>`), as Home Assistant's."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .operations import count_problem
from .runtime import ApiRuntime
from .tokens import TokenError, TokenInfo

_bearer = HTTPBearer(auto_error=False, description="A long-lived token: `hearthmind token create`")


class Unauthorized(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def runtime(request: Request) -> ApiRuntime:
    rt: ApiRuntime = request.app.state.runtime
    return rt


def check_token(rt: ApiRuntime, token: str | None, where: str) -> TokenInfo:
    """The token's record; a missing or bad token is counted and refused."""
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
        raise Unauthorized("401: Unauthorized (invalid or revoked token)")
    return info


def require_token(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> TokenInfo:
    token = credentials.credentials if credentials is not None else None
    return check_token(runtime(request), token, f"{request.method} {request.url.path}")


Authorized = Annotated[TokenInfo, Depends(require_token)]
Runtime = Annotated[ApiRuntime, Depends(runtime)]
