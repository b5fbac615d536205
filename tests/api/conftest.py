"""A real hub with a few entities whose "devices" answer service calls, served by the real API
server (uvicorn) on a free 127.0.0.1 port, with a token made by the real token store."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hearthmind.api import ApiConfig, ApiServer, TokenStore, async_serve
from hearthmind.core import Context, Hub, Origin, load_config
from hearthmind.core.clock import RealClock

SWITCHABLE = ("light.kitchen", "light.hall", "switch.coffee")
SENSORS = {"sensor.living_temperature": "21.5", "binary_sensor.hall_motion": "off"}


@dataclass
class ApiEnv:
    hub: Hub
    server: ApiServer
    token: str
    store: TokenStore
    commands: list[tuple[str, str, dict[str, Any], Context]]

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def ws_url(self) -> str:
        return self.server.url.replace("http://", "ws://") + "/api/websocket"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def add_home(hub: Hub) -> list[tuple[str, str, dict[str, Any], Context]]:
    """Three switchable entities with a device behind each, and two sensors."""
    commands: list[tuple[str, str, dict[str, Any], Context]] = []

    async def device(service: str, entity_id: str, data: Mapping[str, Any], ctx: Context) -> None:
        # a device that acts and reports its new state with the command's context, as HA's do
        commands.append((service, entity_id, dict(data), ctx))
        current = hub.states.get(entity_id)
        is_on = current is not None and current.state == "on"
        on = {"turn_on": True, "turn_off": False, "toggle": not is_on}[service]
        attrs: dict[str, Any] = {"friendly_name": entity_id.split(".")[1].title()}
        if on and entity_id.startswith("light.") and "brightness" in data:
            attrs["brightness"] = data["brightness"]
        hub.states.async_set(entity_id, "on" if on else "off", attrs, ctx)

    sensor = hub.context(Origin.SENSOR)
    for entity_id in SWITCHABLE:
        hub.states.async_set(entity_id, "off", {"friendly_name": entity_id}, sensor)
        hub.entities.async_add(entity_id, "test", device)
    for entity_id, value in SENSORS.items():
        hub.states.async_set(entity_id, value, {"friendly_name": entity_id}, sensor)
        hub.entities.async_add(entity_id, "test", None)
    return commands


async def start_env(
    tmp_path: Path, *, record: bool = False, config: ApiConfig | None = None
) -> ApiEnv:
    hub = Hub(load_config(tmp_path), RealClock(), seed=7)
    if record:  # first, so that it records the home's first states too
        from hearthmind.recorder import Recorder

        recorder = Recorder(hub, f"sqlite:///{tmp_path / 'hearthmind.db'}")
        await recorder.async_start()
    commands = add_home(hub)
    server = await async_serve(hub, config or ApiConfig(port=0))
    await hub.async_start()
    store = TokenStore(tmp_path)
    token = store.create("tester", hub.clock.now(), user_id="alice", replace=True)
    return ApiEnv(hub, server, token, store, commands)


@pytest.fixture
async def api(tmp_path: Path) -> AsyncIterator[ApiEnv]:
    env = await start_env(tmp_path)
    yield env
    await env.hub.async_stop()


@pytest.fixture
async def recorded_api(tmp_path: Path) -> AsyncIterator[ApiEnv]:
    env = await start_env(tmp_path, record=True)
    yield env
    await env.hub.async_stop()
