"""Home Assistant's WebSocket API at /api/websocket."""

from .connection import WebSocketSession

__all__ = ["WebSocketSession"]
