"""The `api:` section of configuration.yaml."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8770


class ApiConfig(BaseModel):
    """Where the API listens and how much a client may send before it is refused.

    The limits follow Home Assistant's: it disconnects a WebSocket client that lets thousands
    of messages pile up unread, rather than letting one slow client use up the hub's memory."""

    model_config = ConfigDict(extra="forbid")

    host: str = DEFAULT_HOST
    port: int = Field(default=DEFAULT_PORT, ge=0, le=65535)  # 0: any free port
    # a WebSocket message larger than this gets an error; one over 4x is cut off by the server
    max_message_bytes: int = Field(default=1024 * 1024, ge=1024)
    # outgoing messages queued for one WebSocket client before it is disconnected as too slow
    max_pending_messages: int = Field(default=4096, ge=16)
    # incoming WebSocket messages per second (sustained) and in a burst, per connection
    rate_limit_per_second: float = Field(default=500.0, gt=0)
    rate_limit_burst: int = Field(default=1000, ge=1)
    # a REST request body larger than this is refused with 413
    max_body_bytes: int = Field(default=1024 * 1024, ge=1024)
    # WebSocket connections at once (each unauthenticated one is dropped after auth_timeout)
    max_connections: int = Field(default=256, ge=1)
    # seconds a WebSocket client has to send its auth message
    auth_timeout: float = Field(default=10.0, gt=0)
