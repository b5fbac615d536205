"""The HTTP + WebSocket API in Home Assistant's shapes, behind long-lived tokens, so that HA's
clients and scripts work unchanged.

Served when the command line gives a port (`options.api_port`) or configuration.yaml has an
`api:` section (`host`, `port`, limits: see `ApiConfig`); 127.0.0.1:8770 by default, inside
the hub's event loop. Every /api route needs `Authorization: Bearer <token>`
(`hearthmind token create -c DIR --name NAME`); a missing or bad token gets 401, counted as
`api_unauthorized`. Changes made through the API carry a context of origin `app` with the
token's user.

REST (HA's): GET /api/, /api/config, /api/components, /api/states, /api/states/{entity_id}
(also POST, DELETE), /api/services, POST /api/services/{domain}/{service} (the states it
changed), GET /api/history/period[/{start}] (from the recorder; 503 without one),
GET /api/events, POST /api/events/{event_type}, POST /api/template, GET /api/error_log.
Ours: GET /api/hearthmind/health (counters), GET /api/hearthmind/origins (recorded changes by
origin). Schema: /openapi.json. A status page at / (token in the URL fragment `#token=`).

WebSocket at /api/websocket (HA's protocol): auth, ping, supported_features (message
coalescing), get_states, get_config, get_services, call_service, fire_event,
subscribe_events, unsubscribe_events, subscribe_trigger (the automations' triggers),
subscribe_entities, render_template, auth/current_user, config/{area,device,entity}_registry/
list, history/history_during_period. Junk, floods and slow readers: see
`websocket/connection.py`."""

from __future__ import annotations

from hearthmind.core import DataKey, Hub, SetupOptions

from .config import DEFAULT_HOST, DEFAULT_PORT, ApiConfig
from .runtime import ApiRuntime
from .server import ApiServer, ApiStartError
from .tokens import TokenError, TokenInfo, TokenStore

DATA_KEY: DataKey[ApiServer] = DataKey("api")
DEMO_TOKEN_NAME = "demo"


def api_config(hub: Hub, options: SetupOptions) -> ApiConfig | None:
    """The API's settings, or None when it is not to be served."""
    port = getattr(options, "api_port", None)
    if port is None and "api" not in hub.config.raw:
        return None
    config = hub.config.section("api", ApiConfig)
    if port is not None:
        config = config.model_copy(update={"port": int(port)})
    return config


async def async_setup(hub: Hub, options: SetupOptions) -> None:
    """Component set-up: start serving (inside the hub's loop) and stop with the hub."""
    config = api_config(hub, options)
    if config is None:
        return
    server = await async_serve(hub, config)
    hub.data[DATA_KEY] = server


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
    """(URL, token) for the demo to print: a fresh token named "demo" (replacing the last
    one) for the running API. `f"{url}/#token={token}"` opens the status page signed in."""
    server = get_server(hub)
    if server is None:
        raise RuntimeError("the API is not being served (no --port and no api: section)")
    token = server.rt.tokens.create(DEMO_TOKEN_NAME, hub.clock.now(), replace=True)
    return server.url, token


__all__ = [
    "DATA_KEY",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "ApiConfig",
    "ApiServer",
    "ApiStartError",
    "TokenError",
    "TokenInfo",
    "TokenStore",
    "api_config",
    "async_serve",
    "async_setup",
    "demo_access",
    "get_server",
]
