"""amqtt's authentication plugin for the embedded broker (loaded by amqtt from its dotted
path): it admits the one user and password the hub generated (broker_auth.py), no one else."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from typing import Any

from amqtt.plugins.base import BaseAuthPlugin


class CredentialsAuthPlugin(BaseAuthPlugin):  # type: ignore[misc]
    """Admits a client with the configured user and password (amqtt is untyped: hence the
    ignore above)."""

    @dataclass
    class Config:
        username: str
        password: str

    async def authenticate(self, *, session: Any) -> bool:
        config: Any = self.context.config
        given_user = session.username or ""
        given_password = session.password or ""
        if isinstance(given_password, bytes):
            given_password = given_password.decode("utf-8", "replace")
        # both compared in constant time: a wrong guess tells nothing about how wrong
        user_ok = hmac.compare_digest(str(given_user).encode(), config.username.encode())
        password_ok = hmac.compare_digest(str(given_password).encode(), config.password.encode())
        return user_ok and password_ok
