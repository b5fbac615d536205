"""The `http:` section (Home Assistant's: where the API listens, TLS) and our `api:` section
(its limits; `host` and `port` there too, the older way to say where).

Where the API listens, first given first: the command line's `--port`, `http: server_port`,
`api: port`, else 8123, Home Assistant's port, so that HA's apps and scripts find it where
they look. It listens on 127.0.0.1 unless `http: server_host` (or `api: host`) says otherwise
(HA listens on every interface: a hub whose tokens are the only lock stays on this machine
until its owner opens it, e.g. `server_host: 0.0.0.0`)."""

from __future__ import annotations

import ipaddress
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from hearthmind.core import HubConfig, register_section

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8123


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
    # WebSocket connections waiting for their auth message, in all and per client address;
    # over either, the oldest waiting one is closed (they do not count in max_connections,
    # so idle sockets cannot keep a real client out)
    max_unauthenticated: int = Field(default=64, ge=1)
    max_unauthenticated_per_client: int = Field(default=16, ge=1)
    # failed logins (bad tokens) from one address within a minute before it is refused for
    # a minute, as Home Assistant's http: login_attempts_threshold
    login_attempts_threshold: int = Field(default=10, ge=1)
    # TLS (certificate, key), from `http:` ssl_certificate / ssl_key: not a key of `api:`
    _tls: tuple[str, str] | None = PrivateAttr(default=None)

    @property
    def tls(self) -> tuple[str, str] | None:
        return self._tls


class HttpConfig(BaseModel):
    """The `http:` section, in Home Assistant's words."""

    model_config = ConfigDict(extra="forbid")

    server_host: str | None = None  # HA allows a list: its first address is used
    server_port: int | None = Field(default=None, ge=0, le=65535)
    ssl_certificate: str | None = None
    ssl_key: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _first_host(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("server_host"), list):
            hosts = data["server_host"]
            data = {**data, "server_host": str(hosts[0]) if hosts else None}
        return data

    @model_validator(mode="after")
    def _both_tls_files(self) -> HttpConfig:
        if (self.ssl_certificate is None) != (self.ssl_key is None):
            raise ValueError("ssl_certificate and ssl_key go together: give both")
        return self


# HA's http: keys that are accepted and not used
register_section(
    "http",
    HttpConfig,
    unused_ha_keys=(
        "cors_allowed_origins", "use_x_forwarded_for", "trusted_proxies", "ip_ban_enabled",
        "login_attempts_threshold", "ssl_peer_certificate", "ssl_profile", "use_x_frame_options",
        "base_url",
    ),
)  # fmt: skip
register_section("api", ApiConfig)


def listen_config(config: HubConfig, port: int | None = None) -> ApiConfig:
    """The API's settings from `http:` and `api:` (see the module's docstring for which
    wins); `port` is the command line's."""
    api = config.section("api", ApiConfig)
    http = config.section("http", HttpConfig)
    update: dict[str, Any] = {}
    if http.server_host is not None:
        update["host"] = http.server_host
    chosen = port if port is not None else http.server_port
    if chosen is not None:
        update["port"] = chosen
    chosen_config = api.model_copy(update=update)
    if http.ssl_certificate is not None and http.ssl_key is not None:
        base = config.config_dir
        chosen_config._tls = (str(base / http.ssl_certificate), str(base / http.ssl_key))
    return chosen_config


def plain_http_warning(config: ApiConfig) -> str | None:
    """What to tell the person when the API serves beyond this machine without TLS: tokens
    (and everything the home says) then cross the network readable by anyone on it."""
    if config.tls is not None:
        return None
    host = config.host.strip("[]")
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        if host == "localhost":
            return None
    return (
        f"the API listens on {config.host}:{config.port} without TLS: tokens and the home's "
        "data cross the network in clear text; set http: ssl_certificate and ssl_key "
        "(or server_host: 127.0.0.1 behind a TLS proxy)"
    )
