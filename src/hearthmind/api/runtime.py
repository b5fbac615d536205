"""What every request handler needs: the hub, the token store, the limits, the live sockets."""

from __future__ import annotations

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
