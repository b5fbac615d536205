"""The HTTP + WebSocket API in Home Assistant's shapes, behind long-lived tokens, so that HA's
clients and scripts work unchanged.

Served when the command line gives a port (`options.api_port`) or asks for it
(`options.extra["serve_api"]`: `hearthmind run` and `demo` do), or configuration.yaml has
an `http:` or `api:` section; where it listens: see `config.py` (127.0.0.1:8123 by default,
HA's port), inside the hub's event loop. While it serves, the folder says where
(`.storage/hub.json`) and keeps a token for the command line (`.storage/cli_token`, 0600), so
every command reaches the running hub without --url or --token (access.py). Every /api route needs `Authorization: Bearer <token>`
(`hearthmind token create -c DIR --name NAME`); a missing or bad token gets 401, counted as
`api_unauthorized`. Changes made through the API carry a context of origin `app` with the
token's user.

REST (HA's): GET /api/, /api/config, /api/components, /api/states, /api/states/{entity_id}
(also POST, DELETE), /api/services, POST /api/services/{domain}/{service} (the states it
changed), GET /api/history/period[/{start}] (from the recorder; 503 without one),
GET /api/events, POST /api/events/{event_type}, POST /api/template, GET /api/error_log.
Ours: GET /api/hearthmind/health (counters), GET /api/hearthmind/origins (recorded changes by
origin). Schema: /openapi.json. The dashboard at / and /dashboard (api/frontend.py).

WebSocket at /api/websocket (HA's protocol): auth, ping, supported_features (message
coalescing), get_states, get_config, get_services, call_service, fire_event,
subscribe_events, unsubscribe_events, subscribe_trigger (the automations' triggers),
subscribe_entities, render_template, auth/current_user, config/{area,device,entity}_registry/
list, history/history_during_period. Junk, floods and slow readers: see
`websocket/connection.py`."""

from __future__ import annotations

import logging

from hearthmind.core import DataKey, Hub, SetupOptions, remove_hub_address, write_hub_address

from .access import CLI_TOKEN_NAME, DEMO_TOKEN_NAME, kept_token
from .config import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    ApiConfig,
    HttpConfig,
    listen_config,
    plain_http_warning,
)
from .runtime import ApiRuntime
from .server import ApiServer, ApiStartError
from .tokens import TokenError, TokenInfo, TokenStore

DATA_KEY: DataKey[ApiServer] = DataKey("api")
_LOGGER = logging.getLogger(__name__)


def api_config(hub: Hub, options: SetupOptions) -> ApiConfig | None:
    """The API's settings, or None when it is not to be served."""
    port = getattr(options, "api_port", None)
    asked = port is not None or bool(getattr(options, "extra", {}).get("serve_api"))
    if not asked and "api" not in hub.config.raw and "http" not in hub.config.raw:
        return None
    return listen_config(hub.config, None if port is None else int(port))


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    """Component set-up: start serving (inside the hub's loop) and stop with the hub; the
    configuration folder says where, with a token for the command line, while it serves."""
    config = api_config(hub, options)
    if config is None:
        return
    server = await async_serve(hub, config)
    # said once it listens: an address it cannot listen on is one error line, not two
    warning = plain_http_warning(config.model_copy(update={"port": server.port}))
    if warning is not None:
        _LOGGER.warning("%s", warning)
        hub.health.problem("api_without_tls", warning, hub.clock.timestamp())
    hub.data[DATA_KEY] = server
    folder = hub.config.config_dir
    kept_token(server.rt.tokens, folder, CLI_TOKEN_NAME, hub.clock.now())
    write_hub_address(folder, server.url)

    async def forget_address() -> None:
        remove_hub_address(folder)

    hub.async_on_stop(forget_address)


async def async_serve(hub: Hub, config: ApiConfig | None = None) -> ApiServer:
    """Serve the API for `hub` now; the server stops with the hub."""
    rt = ApiRuntime(hub, TokenStore(hub.config.config_dir), config or ApiConfig())
    server = ApiServer(rt)
    await server.async_start()
    hub.async_on_stop(server.async_stop)
    return server


def get_server(hub: Hub) -> ApiServer | None:
    return hub.data.get(DATA_KEY)


def demo_access(hub: Hub) -> tuple[str, str]:
    """(URL, token) for the demo to print: the token named "demo", kept across restarts
    (made anew only when it was revoked). `f"{url}/#token={token}"` opens the dashboard
    signed in."""
    server = get_server(hub)
    if server is None:
        raise RuntimeError("the API is not being served (no --port and no api: section)")
    token = kept_token(server.rt.tokens, hub.config.config_dir, DEMO_TOKEN_NAME, hub.clock.now())
    return server.url, token


__all__ = [
    "CLI_TOKEN_NAME",
    "DATA_KEY",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEMO_TOKEN_NAME",
    "ApiConfig",
    "ApiServer",
    "ApiStartError",
    "HttpConfig",
    "TokenError",
    "TokenInfo",
    "TokenStore",
    "api_config",
    "async_serve",
    "async_setup",
    "demo_access",
    "get_server",
]
