"""What every request handler needs: the hub, the token store, the limits, the live sockets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hearthmind.core import Hub

from .config import ApiConfig
from .tokens import TokenStore

if TYPE_CHECKING:
    from .websocket.connection import WebSocketSession


@dataclass
class ApiRuntime:
    hub: Hub
    tokens: TokenStore
    config: ApiConfig
    sessions: set[WebSocketSession] = field(default_factory=set)
    # The rate limiter's clock (monotonic seconds); None: the event loop's own time. A test
    # fixes it, so that what a flood gets does not depend on how fast the machine sends.
    monotonic: Callable[[], float] | None = None
