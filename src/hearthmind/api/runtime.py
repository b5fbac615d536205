"""What every request handler needs: the hub, the token store, the limits, the live sockets."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hearthmind.core import Hub

from .config import ApiConfig
from .login_guard import FailedLogins
from .tokens import TokenStore

if TYPE_CHECKING:
    from .websocket.connection import WebSocketSession


@dataclass
class ApiRuntime:
    hub: Hub
    tokens: TokenStore
    config: ApiConfig
    sessions: set[WebSocketSession] = field(default_factory=set)
    # the sessions still waiting for their auth message, oldest first (a dict keeps order)
    pending: dict[WebSocketSession, str] = field(default_factory=dict)
    # The rate limiter's clock (monotonic seconds); None: the event loop's own time. A test
    # fixes it, so that what a flood gets does not depend on how fast the machine sends.
    monotonic: Callable[[], float] | None = None
    logins: FailedLogins = field(init=False)

    def __post_init__(self) -> None:
        self.logins = FailedLogins(self.config.login_attempts_threshold, time.monotonic)
